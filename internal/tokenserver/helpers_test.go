package tokenserver

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// secrets are values no response or log line may contain.
var secrets = []string{
	TennClientSecret, TennPassword, TestiniumClientSecret, TestiniumPassword, PartnerClientSecret,
	"wrong-secret", "wrong-pass",
}

func basic(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
}

// request is a request to one API, built so tests can tweak one part of it.
type request struct {
	api    API
	method string
	header http.Header
	body   string
}

// validRequest returns the documented request for api with the default credentials.
func validRequest(api API) request {
	r := request{api: api, method: http.MethodPost, header: http.Header{}}
	switch api {
	case Tenn:
		r.header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.header.Set("Authorization", basic(TennClientID, TennClientSecret))
		r.body = url.Values{
			"client_id": {TennClientID}, "grant_type": {"password"},
			"username": {TennUsername}, "password": {TennPassword},
		}.Encode()
	case Testinium:
		r.header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.header.Set("Authorization", basic(TestiniumClientID, TestiniumClientSecret))
		r.body = url.Values{
			"grant_type": {"password"}, "username": {TestiniumUsername}, "password": {TestiniumPassword},
		}.Encode()
	case Partner:
		r.header.Set("Content-Type", "application/json")
		r.header.Set("Accept", "application/json")
		r.body = `{"grant_type":"client_credentials","client_id":"` + PartnerClientID +
			`","client_secret":"` + PartnerClientSecret + `"}`
	}
	return r
}

// noRedirects returns a client for ts that shows redirects instead of following them.
func noRedirects(ts *httptest.Server) *http.Client {
	c := *ts.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// send performs r against ts and returns the response with its body read.
func send(t *testing.T, c *http.Client, ts *httptest.Server, r request) (*http.Response, []byte) {
	t.Helper()
	resp, body, err := trySend(c, ts, r)
	if err != nil {
		t.Fatalf("%s request: %v", r.api, err)
	}
	return resp, body
}

func trySend(c *http.Client, ts *httptest.Server, r request) (*http.Response, []byte, error) {
	req, err := http.NewRequest(r.method, TokenURL(ts.URL, r.api), strings.NewReader(r.body))
	if err != nil {
		return nil, nil, err
	}
	req.Header = r.header.Clone()
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

// decodeObject decodes a JSON object keeping numbers as written.
func decodeObject(t *testing.T, b []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %.200s", err, b)
	}
	return m
}

func keys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

// jwtParts decodes a JWT's header and payload.
func jwtParts(t *testing.T, tok string) (header string, claims map[string]any) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d segments, want 3", len(parts))
	}
	h, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		t.Fatalf("header segment: %v", err)
	}
	p, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("payload segment: %v", err)
	}
	if _, err := base64.RawURLEncoding.DecodeString(parts[2]); err != nil || parts[2] == "" {
		t.Fatalf("signature segment is not base64url: %v", err)
	}
	return string(h), decodeObject(t, p)
}

// assertNoSecret fails if b holds a secret value.
func assertNoSecret(t *testing.T, what string, b []byte) {
	t.Helper()
	for _, s := range secrets {
		if bytes.Contains(b, []byte(s)) {
			t.Errorf("%s contains a secret value", what)
		}
	}
}
