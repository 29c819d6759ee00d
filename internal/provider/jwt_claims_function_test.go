package provider

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func runJWTClaims(t *testing.T, token string) (map[string]attr.Value, *function.FuncError) {
	t.Helper()
	resp := function.RunResponse{Result: function.NewResultData(types.ObjectUnknown(jwtClaimsTypes))}
	jwtClaimsFunction{}.Run(context.Background(), function.RunRequest{
		Arguments: function.NewArgumentsData([]attr.Value{types.StringValue(token)})}, &resp)
	if resp.Error != nil {
		return nil, resp.Error
	}
	obj, ok := resp.Result.Value().(types.Object)
	if !ok {
		t.Fatalf("result %T, want an object", resp.Result.Value())
	}
	return obj.Attributes(), nil
}

func jwtOf(payload string) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"RS256"}`)) + "." + enc.EncodeToString([]byte(payload)) + ".c2ln"
}

// TestJWTClaims: the claims of each API's token shape: fractional times (partner), a scope list
// (Tenn), scp as a string, aud as a string or a list; absent claims are null.
func TestJWTClaims(t *testing.T) {
	got, err := runJWTClaims(t, jwtOf(`{"aud":"b4a5","exp":1710223631.577478,"iat":1710220031,"scopes":["bookings:create","bookings:delete"],"sub":"u-1"}`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"exp": `"2024-03-12T06:07:11.577478Z"`, "iat": `"2024-03-12T05:07:11Z"`, "nbf": "<null>", "iss": "<null>",
		"sub": `"u-1"`, "aud": `["b4a5"]`, "scopes": `["bookings:create","bookings:delete"]`,
	}
	for k, w := range want {
		if got[k].String() != w {
			t.Errorf("%s = %s, want %s", k, got[k], w)
		}
	}
	if !strings.Contains(got["claims"].String(), `1710223631.577478`) {
		t.Errorf("claims %s does not keep the payload's numbers exact", got["claims"])
	}

	got, err = runJWTClaims(t, jwtOf(`{"iss":"https://auth","aud":["a","b"],"scp":"read write","jti":"j"}`))
	if err != nil || got["scopes"].String() != `["read","write"]` || got["aud"].String() != `["a","b"]` || got["jti"].String() != `"j"` {
		t.Errorf("scp as a string, aud as a list: %v %v", got, err)
	}
	got, err = runJWTClaims(t, jwtOf(`{"scope":["openid","profile"]}`))
	if err != nil || got["scopes"].String() != `["openid","profile"]` {
		t.Errorf("scope as a list (Tenn): %v %v", got, err)
	}
}

// TestJWTClaimsRefusesWhatIsNoJWT: an error on the argument that never echoes the value.
func TestJWTClaimsRefusesWhatIsNoJWT(t *testing.T) {
	for _, token := range []string{"opaque-secret-token-123", "a.b.c", jwtOf(`["not","an","object"]`), ""} {
		_, err := runJWTClaims(t, token)
		if err == nil || err.FunctionArgument == nil || *err.FunctionArgument != 0 {
			t.Fatalf("%d-character input: want an error on argument 0, got %v", len(token), err)
		}
		if token != "" && strings.Contains(err.Text, token) {
			t.Errorf("the error echoes the argument")
		}
	}
}

// TestJWTClaimsAreValidUTF8: a payload whose strings hold bytes that are not UTF-8 still gives
// valid strings, in claims as in every claim.
func TestJWTClaimsAreValidUTF8(t *testing.T) {
	got, err := runJWTClaims(t, jwtOf("{\"sub\":\"a\xffb\",\"name\":\"\xc3\"}"))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range got {
		if s, ok := v.(types.String); ok && !utf8.ValidString(s.ValueString()) {
			t.Errorf("%s is not valid UTF-8", k)
		}
	}
}
