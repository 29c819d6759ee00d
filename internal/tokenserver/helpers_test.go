package tokenserver_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// secrets are values no response or log line may contain.
var secrets = []string{
	tokenserver.TennClientSecret, tokenserver.TennPassword, tokenserver.TestiniumClientSecret,
	tokenserver.TestiniumPassword, tokenserver.PartnerClientSecret, tokenserver.OAuth2ClientSecret,
	tokenserver.OAuth2Password,
	"wrong-secret", "wrong-pass",
}

// apiTest is what the tests know of one API. Each API's test file (tenn_test.go,
// testinium_test.go, partner_test.go) defines its own.
type apiTest struct {
	// credentials are the API's documented test client and user, as its constants name them.
	credentials tokenserver.Credentials
	// clients are all of the API's documented clients as DefaultConfig holds them; nil means the
	// one client of credentials.
	clients func() map[string]string
	// request returns the documented request with those credentials.
	request func() request
	// success checks, as subtests, the answers to good requests sent to ts (DefaultConfig).
	success func(t *testing.T, c *http.Client, ts *httptest.Server)
	// strict is the documented request with one thing wrong, and the error each must get.
	strict []strictCase
	// basicClient is true when the client authenticates with HTTP Basic: a 401 names the scheme.
	basicClient bool
	// resourcePath is the API's documented protected resource endpoint.
	resourcePath string
	// subject is who the resource endpoint says the documented request's token belongs to.
	subject string
	// who checks the API's own fields in the resource endpoint's answer for that token.
	who func(t *testing.T, answer map[string]any)

	// For an API whose shapes are not RFC 6749's and RFC 6750's (github_app: GitHub's own):
	// clientKey is the public key Config.Clients holds for the credentials' client, whose
	// credential is its key, not a ClientSecret; tokenStatus and tokenField are the status of a
	// successful token answer and its field holding the token ("" for 200 and access_token);
	// resourceAnswer, if set, checks the resource endpoint's answer for the documented token
	// instead of the api, sub and scopes fields (and who); resourceRefusal, if set, checks a
	// resource endpoint's refusal of a token that is not one of its API's instead of RFC 6750's
	// invalid_token.
	clientKey       string
	tokenStatus     int
	tokenField      string
	resourceAnswer  func(t *testing.T, answer map[string]any)
	resourceRefusal func(t *testing.T, resp *http.Response, body []byte)
}

// tokenOf returns the token of a successful answer of api, or "" if the answer is not one.
func (at apiTest) tokenOf(status int, m map[string]any) string {
	wantStatus, field := at.tokenStatus, at.tokenField
	if wantStatus == 0 {
		wantStatus, field = http.StatusOK, "access_token"
	}
	tok, _ := m[field].(string)
	if status != wantStatus {
		return ""
	}
	return tok
}

var apiTests = map[tokenserver.API]apiTest{
	tokenserver.OAuth2:    oauth2Test,
	tokenserver.Tenn:      tennTest,
	tokenserver.Testinium: testiniumTest,
	tokenserver.Partner:   partnerTest,
	tokenserver.GitHubApp: gitHubAppTest,
}

// request is a request to one API, built so tests can tweak one part of it.
type request struct {
	api    tokenserver.API
	method string
	header http.Header
	body   string
	path   string // the path it goes to; "" for the API's token path
}

// validRequest returns the documented request for api with the default credentials.
func validRequest(api tokenserver.API) request { return apiTests[api].request() }

// formRequest is a request to a form API: the client as HTTP Basic credentials, fields as the body.
func formRequest(api tokenserver.API, clientID, clientSecret string, fields url.Values) request {
	r := request{api: api, method: http.MethodPost, header: http.Header{}, body: fields.Encode()}
	r.header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.header.Set("Authorization", testsupport.Basic(clientID, clientSecret))
	return r
}

// strictCase is a request with one thing wrong, and the error it must get.
type strictCase struct {
	name     string
	change   func(*request)
	status   int
	code     string
	descPart string
}

// Changes for strictCase.
func setHeader(k, v string) func(*request) {
	return func(r *request) {
		if v == "" {
			r.header.Del(k)
		} else {
			r.header.Set(k, v)
		}
	}
}

func setBody(b string) func(*request) { return func(r *request) { r.body = b } }

func replaceInBody(from, to string) func(*request) {
	return func(r *request) { r.body = strings.Replace(r.body, from, to, 1) }
}

func setMethod(m string) func(*request) { return func(r *request) { r.method = m } }

// form encodes key/value pairs as a form body; keys may repeat.
func form(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v.Encode()
}

// startServers start a server over HTTP and one over HTTPS, for tests that run on each.
var startServers = []func(testing.TB, tokenserver.Config) (*tokenserver.Server, *httptest.Server){
	testsupport.TokenServer, testsupport.TokenServerTLS,
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

// sendOK performs r against ts, fails the test unless the answer is 200, and returns its JSON object.
func sendOK(t *testing.T, c *http.Client, ts *httptest.Server, r request) map[string]any {
	t.Helper()
	resp, body := send(t, c, ts, r)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	return decodeObject(t, body)
}

func trySend(c *http.Client, ts *httptest.Server, r request) (*http.Response, []byte, error) {
	u := tokenserver.TokenURL(ts.URL, r.api)
	if r.path != "" {
		u = ts.URL + r.path
	}
	req, err := http.NewRequest(r.method, u, strings.NewReader(r.body))
	if err != nil {
		return nil, nil, err
	}
	req.Header = r.header.Clone()
	return doRequest(c, req)
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

// loggedServer starts a server with DefaultConfig whose request log goes to logs.
func loggedServer(t *testing.T) (s *tokenserver.Server, ts *httptest.Server, logs *testsupport.LockedBuffer) {
	t.Helper()
	logs = new(testsupport.LockedBuffer)
	cfg := tokenserver.DefaultConfig()
	cfg.Logger = log.New(logs, "", 0)
	s, ts = testsupport.TokenServer(t, cfg)
	return s, ts, logs
}

// wantInLog fails the test for each of parts the log out does not contain.
func wantInLog(t *testing.T, out string, parts ...string) {
	t.Helper()
	for _, want := range parts {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

func wantStatus(t *testing.T, resp *http.Response, status int) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d", resp.StatusCode, status)
	}
}

func wantError(t *testing.T, body []byte, code string) {
	t.Helper()
	if got := decodeObject(t, body)["error"]; got != code {
		t.Errorf("error %v, want %s", got, code)
	}
}
