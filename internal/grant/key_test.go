package grant

import (
	"reflect"
	"testing"
	"time"
)

// keyLeavesOut are the fields of Request that Request.key leaves out on purpose, and why.
var keyLeavesOut = map[string]string{
	"MinValidity": "a cached token serves any caller it stays valid long enough for (coalescer.fresh)",
	"jobToken":    "obtained inside each grant, which is then never shared (jobtoken.go)",
}

// TestRequestKeyCoversEveryField: every field of Request changes its sharing key, except those
// keyLeavesOut names. A new field forgotten in key would make different grants share a token.
func TestRequestKeyCoversEveryField(t *testing.T) {
	base := Request{API: Tenn, TokenURL: "https://a.example/token", ClientID: "c", ClientSecret: "s"}
	typ := reflect.TypeFor[Request]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		if _, ok := keyLeavesOut[f.Name]; ok {
			continue
		}
		changed := base
		v := reflect.ValueOf(&changed).Elem().Field(i)
		switch v.Kind() {
		case reflect.String:
			v.SetString(v.String() + "-changed")
		case reflect.Bool:
			v.SetBool(!v.Bool())
		case reflect.Int64:
			v.SetInt(v.Int() + int64(time.Second))
		case reflect.Slice:
			v.Set(reflect.ValueOf([]string{"https://r.example"}))
		case reflect.Map:
			v.Set(reflect.ValueOf(map[string]string{"k": "v"}))
		case reflect.Pointer:
			v.Set(reflect.ValueOf(Partner))
		case reflect.Struct: // every string field of it must count
			for j := range v.NumField() {
				inner := changed
				field := reflect.ValueOf(&inner).Elem().Field(i).Field(j)
				field.SetString(field.String() + "-changed")
				if inner.key() == base.key() {
					t.Errorf("Request.%s.%s does not change Request.key", f.Name, v.Type().Field(j).Name)
				}
			}
			continue
		default:
			t.Fatalf("Request.%s has kind %s, which this test cannot change: teach it", f.Name, v.Kind())
		}
		if changed.key() == base.key() {
			t.Errorf("Request.%s does not change Request.key: add it there, or to keyLeavesOut with the reason", f.Name)
		}
	}
	for name := range keyLeavesOut {
		if _, ok := typ.FieldByName(name); !ok {
			t.Errorf("keyLeavesOut names %s, which Request no longer has", name)
		}
	}
}
