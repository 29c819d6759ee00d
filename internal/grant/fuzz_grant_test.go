package grant_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
)

// fuzzAnswer is what the fuzzed server answers: a status, header lines and a body.
type fuzzAnswer struct {
	status  int
	headers string
	body    []byte
}

// FuzzGrant plays the server's side of a whole grant: any status, headers and body go through
// Client.Grant, which returns a token or a *grant.Error, never both, never panics, and whose
// error text holds no secret of the request in any form, no control character, and stays short.
// The seeds (f.Add and testdata/fuzz/FuzzGrant) run with every `go test`.
func FuzzGrant(f *testing.F) {
	const password, secret = `p@ss w&rd<"'>é`, "S3cret+/=&x"
	f.Add(200, "Content-Type: application/json", []byte(`{"access_token":"a","expires_in":60}`))
	f.Add(400, "Content-Type: application/json", []byte(`{"error":"invalid_grant","error_description":"bad `+password+`"}`))
	f.Add(400, "", []byte(`{"error":"invalid_request","error_description":"got p%40ss+w%26rd%3C%22%27%3E and S3cret%2B%2F%3D%26x"}`))
	f.Add(400, "", []byte(`{"error":"invalid_request","error_description":"got p@ss w\u0026rd\u003c\"'\u003e \u0022S3CRET\u002B/=\u0026X"}`))
	f.Add(502, "Content-Type: text/html", []byte(`<html>p@ss w&amp;rd&lt;&#34;&#39;&gt; S3cret+/=&amp;x</html>`))
	f.Add(401, "", []byte(`{"error":"invalid_client","access_token":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"}`))
	f.Add(302, "Location: https://S3cret%2B%2F%3D%26x@elsewhere.example/x", []byte{})
	f.Add(503, "Retry-After: 1", []byte("\x1b[32mApply complete!\x1b[0m\r\x00\u202e"))
	f.Add(200, "Content-Encoding: gzip", []byte(`{"access_token":"a"}`))
	f.Add(500, "", []byte(`{"error":"invalid_grant"}`))
	// Characters that cleaning removes, inside an echoed secret: cleaning comes before redaction.
	f.Add(400, "", []byte("{\"error\":\"invalid_grant\",\"error_description\":\"p@ss w&rd<\\\"'>\u200b\u00e9 S3cr\u00adet+/=&x\"}"))
	f.Add(400, "Content-Type: text/html; charset=ISO-8859-1", []byte("p@ss w&amp;rd&lt;&#34;&#39;&gt;\xe9 S3c\x1b[0mret+/=&amp;x"))
	f.Add(400, "", []byte("{\"error\":\"x\",\"error_description\":\"p@ss w&rd<\\\"'>\xe9\"}"))
	f.Add(400, "", []byte("Pa$$w0rd+&\xe0<X>'y@2S p@ss w&rd<\"'>\xc3\x83\xc2\xa9"))

	var mu sync.Mutex
	var answer fuzzAnswer
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		a := answer
		mu.Unlock()
		for _, line := range strings.Split(a.headers, "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok {
				w.Header().Set(strings.TrimSpace(k), strings.TrimSpace(v))
			}
		}
		w.WriteHeader(a.status)
		_, _ = w.Write(a.body)
	}))
	f.Cleanup(ts.Close)
	req := grant.Request{API: grant.Tenn, TokenURL: ts.URL + "/connect/token", ClientID: "fuzz-client",
		ClientSecret: secret, Username: "u", Password: password}

	f.Fuzz(func(t *testing.T, status int, headers string, body []byte) {
		if status < 200 || status > 599 { // what a token endpoint answers; WriteHeader takes 100..999
			status = 200 + (status%400+400)%400
		}
		mu.Lock()
		answer = fuzzAnswer{status: status, headers: headers, body: body}
		mu.Unlock()
		// A client per input: one's memory of the host (an open circuit after a 5xx) would turn
		// the next inputs away unsent.
		client, err := grant.NewClient(grant.Config{Timeout: 2 * time.Second, MaxRetries: 1, RetryBaseDelay: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := client.Grant(context.Background(), req)
		if (tok == nil) == (err == nil) {
			t.Fatalf("token %v and error %v: want exactly one", tok != nil, err)
		}
		if err == nil {
			return
		}
		var ge *grant.Error
		if !errors.As(err, &ge) {
			t.Fatalf("error of type %T, want *grant.Error", err)
		}
		text := ge.Error()
		testsupport.AssertNoSecret(t, "the error", text, testsupport.SecretForms(req)...)
		for _, r := range text {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("the error holds control character %U", r)
			}
		}
		if len(text) > 2000 {
			t.Fatalf("the error is %d bytes long", len(text))
		}
	})
}
