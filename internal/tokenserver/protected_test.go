package tokenserver_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// isSet reports whether a JSON value is a non-empty string.
func isSet(v any) bool {
	s, ok := v.(string)
	return ok && s != ""
}

// grantToken runs the API's documented request against ts and returns the access token.
func grantToken(t *testing.T, c *http.Client, ts *httptest.Server, api tokenserver.API) string {
	t.Helper()
	resp, b := send(t, c, ts, validRequest(api))
	tok := apiTests[api].tokenOf(resp.StatusCode, decodeObject(t, b))
	if tok == "" {
		t.Fatalf("%s: status %d, no access token", api, resp.StatusCode)
	}
	return tok
}

// callResource calls the API's resource endpoint with the given Authorization header values
// (none when empty) and returns the answer with its body read.
func callResource(t *testing.T, c *http.Client, ts *httptest.Server, api tokenserver.API, method string, auth ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, tokenserver.ResourceURL(ts.URL, api), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range auth {
		req.Header.Add("Authorization", a)
	}
	resp, body, err := doRequest(c, req)
	if err != nil {
		t.Fatalf("%s resource call: %v", api, err)
	}
	return resp, body
}

func doRequest(c *http.Client, req *http.Request) (*http.Response, []byte, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

func bearer(tok string) string { return "Bearer " + tok }

// TestResourcePaths: every API has its documented resource endpoint, distinct from the token ones.
func TestResourcePaths(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, api := range tokenserver.APIs {
		p := api.ResourcePath()
		if p != apiTests[api].resourcePath {
			t.Errorf("%s: ResourcePath %q, want %q", api, p, apiTests[api].resourcePath)
		}
		if seen[p] || p == api.Path() {
			t.Errorf("%s: resource path %q is not its own", api, p)
		}
		seen[p], seen[api.Path()] = true, true
		if got := tokenserver.ResourceURL("http://h", api); got != "http://h"+p {
			t.Errorf("%s: ResourceURL %q", api, got)
		}
	}
	if tokenserver.API("unknown").ResourcePath() != "" {
		t.Error("unknown API has a resource path")
	}
}

// TestResourceAcceptsLiveToken: each API's resource endpoint accepts the access token of a
// successful grant of that API, answers who it belongs to, and records it; token endpoint
// request counts do not move.
func TestResourceAcceptsLiveToken(t *testing.T) {
	t.Parallel()
	s, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	c := ts.Client()
	for _, api := range tokenserver.APIs {
		t.Run(string(api), func(t *testing.T) {
			tok := grantToken(t, c, ts, api)
			if got := s.IssuedFor(api); !slices.Equal(got, []string{tok}) {
				t.Errorf("IssuedFor holds %d tokens, want the one just issued", len(got))
			}
			requests := s.Requests(api)
			for i := range 2 {
				resp, b := callResource(t, c, ts, api, http.MethodGet, bearer(tok))
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("status %d: %s", resp.StatusCode, b)
				}
				if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
					t.Errorf("Content-Type %q", ct)
				}
				m := decodeObject(t, b)
				if check := apiTests[api].resourceAnswer; check != nil {
					check(t, m)
				} else {
					if m["api"] != string(api) || m["sub"] != apiTests[api].subject {
						t.Errorf("api %v sub %v, want %s %s", m["api"], m["sub"], api, apiTests[api].subject)
					}
					if sc, ok := m["scopes"].([]any); !ok || len(sc) == 0 {
						t.Errorf("scopes %v", m["scopes"])
					}
					apiTests[api].who(t, m)
				}
				if strings.Contains(string(b), tok) {
					t.Error("the answer quotes the token")
				}
				if got := s.Accepted(api); len(got) != i+1 || got[i] != tok {
					t.Errorf("Accepted has %d tokens after %d calls, or not this one", len(got), i+1)
				}
			}
			if got := s.Requests(api); got != requests {
				t.Errorf("token endpoint requests %d -> %d after resource calls", requests, got)
			}
			wantPath := api.Path()
			if p := validRequest(api).path; p != "" { // a token path with {name} segments
				wantPath = p
			}
			if last := s.LastRequest(api); last == nil || last.Path != wantPath {
				t.Error("LastRequest is not the token request")
			}
		})
	}
}

// TestResourceScopes: the answer names the scopes the grant gave, not the documented defaults.
func TestResourceScopes(t *testing.T) {
	t.Parallel()
	_, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	c := ts.Client()
	r := validRequest(tokenserver.Tenn)
	r.body += "&scope=openid+Tenn.Payment"
	tok := sendOK(t, c, ts, r)["access_token"].(string)
	_, b := callResource(t, c, ts, tokenserver.Tenn, http.MethodGet, bearer(tok))
	if sc := decodeObject(t, b)["scopes"].([]any); len(sc) != 2 || sc[0] != "openid" || sc[1] != "Tenn.Payment" {
		t.Errorf("scopes %v", sc)
	}
}

// TestResourceRejects: RFC 6750 3.1 answers for everything but a live token of the API.
func TestResourceRejects(t *testing.T) {
	t.Parallel()
	cfg := tokenserver.DefaultConfig()
	s, ts := testsupport.TokenServer(t, cfg)
	c := ts.Client()
	short := tokenserver.DefaultConfig()
	short.TokenLifetime = 50 * time.Millisecond
	shortSrv, shortTS := testsupport.TokenServer(t, short)

	tokens := map[tokenserver.API]string{}
	for _, api := range tokenserver.APIs {
		tokens[api] = grantToken(t, c, ts, api)
	}
	refresh, _ := sendOK(t, c, ts, validRequest(tokenserver.Testinium))["refresh_token"].(string)
	expired := grantToken(t, shortTS.Client(), shortTS, tokenserver.Partner)
	time.Sleep(100 * time.Millisecond)
	requests := map[tokenserver.API]int{}
	for _, api := range tokenserver.APIs {
		requests[api] = s.Requests(api)
	}

	type rejection struct {
		name      string
		api       tokenserver.API
		method    string
		auth      []string
		status    int
		challenge string // the exact WWW-Authenticate, "" for none
	}
	cases := []rejection{
		{"no authorization", tokenserver.Tenn, http.MethodGet, nil, 401, "Bearer"},
		{"basic scheme", tokenserver.Testinium, http.MethodGet,
			[]string{testsupport.Basic(tokenserver.TestiniumClientID, tokenserver.TestiniumClientSecret)}, 401, "Bearer"},
		{"bearer without token", tokenserver.Partner, http.MethodGet, []string{"Bearer"}, 400, `Bearer error="invalid_request"`},
		{"empty bearer", tokenserver.Partner, http.MethodGet, []string{"Bearer "}, 400, `Bearer error="invalid_request"`},
		{"not token syntax", tokenserver.Tenn, http.MethodGet, []string{"Bearer a b"}, 400, `Bearer error="invalid_request"`},
		{"two headers", tokenserver.Tenn, http.MethodGet, []string{bearer(tokens[tokenserver.Tenn]), bearer(tokens[tokenserver.Tenn])},
			400, `Bearer error="invalid_request"`},
		{"unknown token", tokenserver.Tenn, http.MethodGet, []string{bearer("eyJhbGciOiJub25lIn0.e30.c2ln")}, 401, `Bearer error="invalid_token"`},
		{"refresh token", tokenserver.Testinium, http.MethodGet, []string{bearer(refresh)}, 401, `Bearer error="invalid_token"`},
		{"expired token", tokenserver.Partner, http.MethodGet, []string{bearer(expired)}, 401, `Bearer error="invalid_token"`},
		{"POST", tokenserver.Tenn, http.MethodPost, []string{bearer(tokens[tokenserver.Tenn])}, 405, ""},
	}
	// Every API refuses every other API's token.
	for _, api := range tokenserver.APIs {
		for _, other := range tokenserver.APIs {
			if other != api {
				cases = append(cases, rejection{fmt.Sprintf("%s token at %s", other, api), api, http.MethodGet,
					[]string{bearer(tokens[other])}, 401, `Bearer error="invalid_token"`})
			}
		}
	}
	allTokens := append(s.Issued(), shortSrv.Issued()...)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srvTS := ts
			if tc.name == "expired token" {
				srvTS = shortTS
			}
			resp, b := callResource(t, srvTS.Client(), srvTS, tc.api, tc.method, tc.auth...)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, b)
			}
			testsupport.AssertNoSecret(t, "answer", string(b), allTokens...)
			if check := apiTests[tc.api].resourceRefusal; check != nil {
				check(t, resp, b)
				return
			}
			if got := resp.Header.Get("WWW-Authenticate"); got != tc.challenge {
				t.Errorf("WWW-Authenticate %q, want %q", got, tc.challenge)
			}
			if tc.status == 405 && resp.Header.Get("Allow") != http.MethodGet {
				t.Errorf("Allow %q", resp.Header.Get("Allow"))
			}
			m := decodeObject(t, b)
			if d, _ := m["error_description"].(string); d == "" {
				t.Error("no error_description")
			}
		})
	}
	t.Run("token in query", func(t *testing.T) {
		resp, b, err := doRequest(c, mustRequest(t, tokenserver.ResourceURL(ts.URL, tokenserver.Tenn)+"?access_token="+tokens[tokenserver.Tenn]))
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 400 || resp.Header.Get("WWW-Authenticate") != `Bearer error="invalid_request"` {
			t.Errorf("status %d WWW-Authenticate %q: %s", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), b)
		}
	})
	t.Run("descriptions", func(t *testing.T) {
		for tok, want := range map[string]string{
			"unknown0": "unknown", tokens[tokenserver.Partner]: "not issued for this API",
		} {
			_, b := callResource(t, c, ts, tokenserver.Tenn, http.MethodGet, bearer(tok))
			if d, _ := decodeObject(t, b)["error_description"].(string); !strings.Contains(d, want) {
				t.Errorf("error_description %q, want it to contain %q", d, want)
			}
		}
		_, b := callResource(t, shortTS.Client(), shortTS, tokenserver.Partner, http.MethodGet, bearer(expired))
		if d, _ := decodeObject(t, b)["error_description"].(string); !strings.Contains(d, "expired") {
			t.Errorf("error_description %q, want it to say expired", d)
		}
	})

	for _, api := range tokenserver.APIs {
		if n := len(s.Accepted(api)) + len(shortSrv.Accepted(api)); n != 0 {
			t.Errorf("%s: %d rejected calls recorded as accepted", api, n)
		}
		if s.Requests(api) != requests[api] {
			t.Errorf("%s: token endpoint requests %d -> %d after resource calls", api, requests[api], s.Requests(api))
		}
	}
}

func mustRequest(t *testing.T, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// TestResourceAfterReset: Reset forgets the accepted calls but not the tokens.
func TestResourceAfterReset(t *testing.T) {
	t.Parallel()
	s, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	c := ts.Client()
	tok := grantToken(t, c, ts, tokenserver.Testinium)
	if resp, b := callResource(t, c, ts, tokenserver.Testinium, http.MethodGet, bearer(tok)); resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	s.Reset()
	if len(s.Accepted(tokenserver.Testinium)) != 0 {
		t.Error("Reset kept the accepted calls")
	}
	if resp, b := callResource(t, c, ts, tokenserver.Testinium, http.MethodGet, bearer(tok)); resp.StatusCode != 200 {
		t.Fatalf("after Reset: status %d: %s", resp.StatusCode, b)
	}
	if got := s.Accepted(tokenserver.Testinium); !slices.Equal(got, []string{tok}) {
		t.Errorf("Accepted after Reset has %d tokens, want the one call since", len(got))
	}
	if got := s.IssuedFor(tokenserver.Testinium); !slices.Equal(got, []string{tok}) {
		t.Errorf("IssuedFor after Reset has %d tokens, want 1", len(got))
	}
}

// TestResourceUnknownPath: the 404 lists the resource endpoints too.
func TestResourceUnknownPath(t *testing.T) {
	t.Parallel()
	_, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	resp, b, err := doRequest(ts.Client(), mustRequest(t, ts.URL+"/connect/userinfo/"))
	if err != nil {
		t.Fatal(err)
	}
	const want = "resource endpoints are /installation/repositories, /oauth2/userinfo, /api/me, /connect/userinfo and /uaa/userinfo"
	if d, _ := decodeObject(t, b)["error_description"].(string); resp.StatusCode != 404 || !strings.Contains(d, want) {
		t.Errorf("status %d error_description %q, want 404 and %q", resp.StatusCode, d, want)
	}
}

// TestResourceLog: resource calls are logged like token requests, with the path, never the token.
func TestResourceLog(t *testing.T) {
	t.Parallel()
	s, ts, logs := loggedServer(t)
	c := ts.Client()
	tok := grantToken(t, c, ts, tokenserver.Tenn)
	callResource(t, c, ts, tokenserver.Tenn, http.MethodGet, bearer(tok))
	callResource(t, c, ts, tokenserver.Testinium, http.MethodGet, bearer(tok))
	callResource(t, c, ts, tokenserver.Partner, http.MethodGet)

	out := logs.String()
	wantInLog(t, out,
		"api=tenn method=POST status=200 duration=",
		"api=tenn method=GET status=200 resource=/connect/userinfo duration=",
		"api=testinium method=GET status=401 error=invalid_token resource=/uaa/userinfo duration=",
		"api=partner method=GET status=401 resource=/api/me duration=",
	)
	testsupport.AssertNoSecret(t, "log", out, s.Issued()...)
	testsupport.AssertNoSecret(t, "log", out, secrets...)
}

// TestResourceConcurrent: grants and resource calls in parallel (run with -race).
func TestResourceConcurrent(t *testing.T) {
	t.Parallel()
	s, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	c := ts.Client()
	var wg sync.WaitGroup
	const n = 8
	for i := range n {
		api := tokenserver.APIs[i%len(tokenserver.APIs)]
		wg.Go(func() {
			resp, b, err := trySend(c, ts, validRequest(api))
			var answer map[string]any
			if err != nil || json.Unmarshal(b, &answer) != nil || apiTests[api].tokenOf(resp.StatusCode, answer) == "" {
				t.Errorf("%s grant: %v %s", api, err, b)
				return
			}
			tok := apiTests[api].tokenOf(resp.StatusCode, answer)
			req, _ := http.NewRequest(http.MethodGet, tokenserver.ResourceURL(ts.URL, api), nil)
			req.Header.Set("Authorization", bearer(tok))
			if resp, b, err := doRequest(c, req); err != nil || resp.StatusCode != 200 {
				t.Errorf("%s: %v %s", api, err, b)
			}
		})
	}
	wg.Wait()
	total := 0
	for _, api := range tokenserver.APIs {
		accepted, issued := s.Accepted(api), s.IssuedFor(api)
		total += len(accepted)
		for _, tok := range accepted {
			if !slices.Contains(issued, tok) {
				t.Errorf("%s accepted a token it did not issue", api)
			}
		}
	}
	if total != n {
		t.Errorf("%d calls accepted, want %d", total, n)
	}
}
