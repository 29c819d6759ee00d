package hostile_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver/hostile"
)

// secrets are values no log line may contain.
var secrets = []string{
	tokenserver.TennClientSecret, tokenserver.TennPassword, tokenserver.TestiniumClientSecret,
	tokenserver.TestiniumPassword, tokenserver.PartnerClientSecret,
}

// request is a request to one API's token endpoint, built so tests can tweak one part of it.
type request struct {
	api    tokenserver.API
	method string
	header http.Header
	body   string
}

// validRequest returns the documented request for api (Tenn, Testinium or partner) with the
// default credentials, which the strict server answers with a token. The strict server's own
// tests check these requests field by field; here they are what a fault interrupts.
func validRequest(api tokenserver.API) request {
	switch api {
	case tokenserver.Tenn:
		return formRequest(api, tokenserver.TennClientID, tokenserver.TennClientSecret, url.Values{
			"client_id": {tokenserver.TennClientID}, "grant_type": {"password"},
			"username": {tokenserver.TennUsername}, "password": {tokenserver.TennPassword}})
	case tokenserver.Testinium:
		return formRequest(api, tokenserver.TestiniumClientID, tokenserver.TestiniumClientSecret, url.Values{
			"grant_type": {"password"}, "username": {tokenserver.TestiniumUsername}, "password": {tokenserver.TestiniumPassword}})
	case tokenserver.Partner:
		body, _ := json.Marshal(map[string]string{"grant_type": "client_credentials",
			"client_id": tokenserver.PartnerClientID, "client_secret": tokenserver.PartnerClientSecret})
		return jsonRequest(string(body))
	}
	panic("no documented request for " + api)
}

// formRequest is a request to a form API: the client as HTTP Basic credentials, fields as the body.
func formRequest(api tokenserver.API, clientID, clientSecret string, fields url.Values) request {
	r := request{api: api, method: http.MethodPost, header: http.Header{}, body: fields.Encode()}
	r.header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.header.Set("Authorization", testsupport.Basic(clientID, clientSecret))
	return r
}

// jsonRequest is a request to the partner API with body.
func jsonRequest(body string) request {
	return request{api: tokenserver.Partner, method: http.MethodPost, body: body,
		header: http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}}}
}

// startServers start a hostile server over HTTP and one over HTTPS, for tests that run on each.
var startServers = []func(testing.TB, tokenserver.Config) (*hostile.Server, *httptest.Server){
	testsupport.HostileServer, testsupport.HostileServerTLS,
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

// sendFaulted sets failure once on r's API and sends r, so that failure answers it.
func sendFaulted(t *testing.T, s *hostile.Server, c *http.Client, ts *httptest.Server, r request, failure hostile.Failure) (*http.Response, []byte) {
	t.Helper()
	s.SetFault(r.api, hostile.Fault{FailTimes: 1, FailWith: failure})
	return send(t, c, ts, r)
}

func trySend(c *http.Client, ts *httptest.Server, r request) (*http.Response, []byte, error) {
	req, err := http.NewRequest(r.method, tokenserver.TokenURL(ts.URL, r.api), strings.NewReader(r.body))
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

// jwtParts fails the test unless tok is three base64url segments whose first two are JSON objects.
func jwtParts(t *testing.T, tok string) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d segments, want 3", len(parts))
	}
	for i, p := range parts {
		b, err := base64.RawURLEncoding.DecodeString(p)
		if err != nil || p == "" {
			t.Fatalf("segment %d is not base64url: %v", i+1, err)
		}
		if i < 2 {
			decodeObject(t, b)
		}
	}
}

// loggedServer starts a hostile server with DefaultConfig whose request log goes to logs.
func loggedServer(t *testing.T) (s *hostile.Server, ts *httptest.Server, logs *testsupport.LockedBuffer) {
	t.Helper()
	logs = new(testsupport.LockedBuffer)
	cfg := tokenserver.DefaultConfig()
	cfg.Logger = log.New(logs, "", 0)
	s, ts = testsupport.HostileServer(t, cfg)
	return s, ts, logs
}
