package tokenserver_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// TestAPIs checks the registry: the APIs in order with their documented paths, their credentials
// as DefaultConfig accepts them, and a test file for each.
func TestAPIs(t *testing.T) {
	t.Parallel()
	wantPaths := map[tokenserver.API]string{
		tokenserver.Tenn: "/connect/token", tokenserver.Testinium: "/uaa/oauth/token", tokenserver.Partner: "/api/oauth/token",
		tokenserver.OAuth2: "/oauth2/token", tokenserver.GitHubApp: "/app/installations/{installation_id}/access_tokens",
	}
	if want := []tokenserver.API{"github_app", "oauth2", "partner", "tenn", "testinium"}; !slices.Equal(tokenserver.APIs, want) {
		t.Fatalf("APIs %v, want %v", tokenserver.APIs, want)
	}
	if len(apiTests) != len(tokenserver.APIs) {
		t.Errorf("apiTests covers %d APIs, the server speaks %d", len(apiTests), len(tokenserver.APIs))
	}
	cfg := tokenserver.DefaultConfig()
	for _, api := range tokenserver.APIs {
		at, ok := apiTests[api]
		if !ok {
			t.Errorf("%s: no apiTest", api)
			continue
		}
		if got := api.Path(); got != wantPaths[api] {
			t.Errorf("%s: Path %q, want %q", api, got, wantPaths[api])
		}
		c := api.Credentials()
		if c != at.credentials {
			t.Errorf("%s: Credentials are not the documented ones", api)
		}
		want := map[string]string{c.ClientID: c.ClientSecret}
		if at.clients != nil {
			want = at.clients()
		}
		// A client whose credential is a key has no secret; Config.Clients holds its public key.
		credential := c.ClientSecret
		if at.clientKey != "" {
			credential = at.clientKey
		}
		if !maps.Equal(cfg.Clients[api], want) || cfg.Clients[api][c.ClientID] != credential {
			t.Errorf("%s: DefaultConfig clients are not the documented clients", api)
		}
		users, ok := cfg.Users[api]
		if want := map[string]string{c.Username: c.Password}; c.Username != "" && !maps.Equal(users, want) {
			t.Errorf("%s: DefaultConfig users are not the documented user", api)
		}
		if c.Username == "" && ok {
			t.Errorf("%s: DefaultConfig has users for an API without any", api)
		}
	}
	if len(cfg.Clients) != len(tokenserver.APIs) || cfg.TokenLifetime != tokenserver.DefaultTokenLifetime {
		t.Errorf("DefaultConfig has clients for %d APIs and lifetime %v", len(cfg.Clients), cfg.TokenLifetime)
	}
	unknown := tokenserver.API("unknown")
	if unknown.Path() != "" || unknown.Credentials() != (tokenserver.Credentials{}) {
		t.Errorf("unknown API: Path %q, Credentials not zero", unknown.Path())
	}
}

func TestSuccessShapes(t *testing.T) {
	t.Parallel()
	s, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	c := ts.Client()

	for _, api := range tokenserver.APIs {
		apiTests[api].success(t, c, ts)
	}

	// Tokens are unique per request.
	seen := map[string]bool{}
	for _, tok := range s.Issued() {
		if seen[tok] {
			t.Errorf("token issued twice")
		}
		seen[tok] = true
	}
}

// TestStrictChecks sends the documented request with one thing wrong.
func TestStrictChecks(t *testing.T) {
	t.Parallel()
	s, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	c := ts.Client()

	type apiCases struct {
		api   tokenserver.API
		cases []strictCase
	}
	// All APIs: each check is made on one of them.
	groups := []apiCases{
		{tokenserver.Tenn, []strictCase{{"tenn GET", setMethod(http.MethodGet), 405, "invalid_request", "method GET"}}},
		{tokenserver.Partner, []strictCase{{"partner PUT", setMethod(http.MethodPut), 405, "invalid_request", "POST"}}},
		{tokenserver.Testinium, []strictCase{{"body too large", setBody(strings.Repeat("a", tokenserver.MaxBodyBytes+1)), 413, "invalid_request", "larger than"}}},
	}
	// Each API's own checks, from its test file.
	for _, api := range tokenserver.APIs {
		groups = append(groups, apiCases{api, apiTests[api].strict})
	}
	for _, g := range groups {
		for _, tc := range g.cases {
			t.Run(tc.name, func(t *testing.T) {
				r := validRequest(g.api)
				tc.change(&r)
				resp, b := send(t, c, ts, r)
				if resp.StatusCode != tc.status {
					t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, b)
				}
				testsupport.AssertNoSecret(t, "response", string(b), secrets...)
				if tc.code == "" {
					return
				}
				if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
					t.Errorf("Content-Type %q", ct)
				}
				m := decodeObject(t, b)
				if len(m) != 2 || m["error"] != tc.code {
					t.Fatalf("body %s, want error %q", b, tc.code)
				}
				if d, _ := m["error_description"].(string); !strings.Contains(d, tc.descPart) {
					t.Errorf("error_description %q, want it to contain %q", d, tc.descPart)
				}
				if tc.status == 405 && resp.Header.Get("Allow") != "POST" {
					t.Errorf("Allow %q", resp.Header.Get("Allow"))
				}
				if tc.status == 401 && resp.Header.Get("WWW-Authenticate") == "" && apiTests[g.api].basicClient {
					t.Error("401 without WWW-Authenticate")
				}
			})
		}
	}

	t.Run("query string", func(t *testing.T) {
		r := validRequest(tokenserver.Tenn)
		req, _ := http.NewRequest(http.MethodPost, tokenserver.TokenURL(ts.URL, tokenserver.Tenn)+"?grant_type=password", strings.NewReader(r.body))
		req.Header = r.header
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("status %d, want 400", resp.StatusCode)
		}
	})

	t.Run("unknown path", func(t *testing.T) {
		before := s.Requests(tokenserver.Tenn)
		resp, err := c.Post(ts.URL+"/connect/token/", "application/x-www-form-urlencoded", nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 404 || s.Requests(tokenserver.Tenn) != before {
			t.Errorf("status %d, tenn requests %d -> %d", resp.StatusCode, before, s.Requests(tokenserver.Tenn))
		}
		// The message lists every API's path, in the registry's order.
		const want = "endpoints are /app/installations/{installation_id}/access_tokens, /oauth2/token, /api/oauth/token, /connect/token and /uaa/oauth/token"
		if d, _ := decodeObject(t, b)["error_description"].(string); !strings.Contains(d, want) {
			t.Errorf("error_description %q, want it to contain %q", d, want)
		}
	})
}

func TestRecording(t *testing.T) {
	t.Parallel()
	s, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	c := ts.Client()

	if s.LastRequest(tokenserver.Tenn) != nil || s.Requests(tokenserver.Tenn) != 0 || len(s.Issued()) != 0 {
		t.Fatal("new server is not empty")
	}

	ok := validRequest(tokenserver.Tenn)
	_, b1 := send(t, c, ts, ok)
	bad := validRequest(tokenserver.Tenn)
	bad.body = strings.Replace(bad.body, "Ttest%402S", "wrong-pass", 1)
	send(t, c, ts, bad)
	_, b2 := send(t, c, ts, validRequest(tokenserver.Testinium))

	if got := s.Requests(tokenserver.Tenn); got != 2 {
		t.Errorf("tenn requests %d, want 2 (failed ones count)", got)
	}
	if got := s.Requests(tokenserver.Testinium); got != 1 {
		t.Errorf("testinium requests %d, want 1", got)
	}
	if got := s.Requests(tokenserver.Partner); got != 0 {
		t.Errorf("partner requests %d, want 0", got)
	}

	issued := s.Issued()
	m1, m2 := decodeObject(t, b1), decodeObject(t, b2)
	want := []string{m1["access_token"].(string), m2["access_token"].(string), m2["refresh_token"].(string)}
	if !slices.Equal(issued, want) {
		t.Errorf("Issued() has %d tokens, want the 3 issued in order", len(issued))
	}

	last := s.LastRequest(tokenserver.Tenn)
	if last == nil || last.Method != "POST" || last.Path != tokenserver.TennPath || string(last.Body) != bad.body {
		t.Fatalf("LastRequest = %+v", last)
	}
	if last.Header.Get("Authorization") != testsupport.Basic(tokenserver.TennClientID, tokenserver.TennClientSecret) ||
		last.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Errorf("recorded headers %v", last.Header)
	}
	last.Header.Set("Authorization", "changed") // a copy: the server's record stays
	if s.LastRequest(tokenserver.Tenn).Header.Get("Authorization") == "changed" {
		t.Error("LastRequest returned the server's own header map")
	}

	s.Reset()
	if s.Requests(tokenserver.Tenn) != 0 || s.LastRequest(tokenserver.Tenn) != nil {
		t.Error("Reset kept counters or recordings")
	}
	if resp, _ := send(t, c, ts, ok); resp.StatusCode != 200 {
		t.Errorf("after Reset status %d", resp.StatusCode)
	}
	if len(s.Issued()) != 4 {
		t.Errorf("Issued after Reset has %d tokens, want 4 (Reset keeps them)", len(s.Issued()))
	}
}

func TestConfig(t *testing.T) {
	t.Parallel()
	_, ts := testsupport.TokenServer(t, tokenserver.Config{
		Clients:       map[tokenserver.API]map[string]string{tokenserver.Tenn: {"other": "other-secret"}},
		TokenLifetime: 90 * time.Second,
	})
	c := ts.Client()

	// The tenn client is replaced; testinium and partner keep the defaults.
	if resp, _ := send(t, c, ts, validRequest(tokenserver.Tenn)); resp.StatusCode != 401 {
		t.Errorf("default tenn client: status %d, want 401", resp.StatusCode)
	}
	r := validRequest(tokenserver.Tenn)
	r.header.Set("Authorization", testsupport.Basic("other", "other-secret"))
	r.body = strings.Replace(r.body, "client_id="+tokenserver.TennClientID, "client_id=other", 1)
	if resp, b := send(t, c, ts, r); resp.StatusCode != 200 {
		t.Errorf("configured tenn client: status %d: %s", resp.StatusCode, b)
	}
	if got := sendOK(t, c, ts, validRequest(tokenserver.Partner))["expires_in"]; got != json.Number("90") {
		t.Errorf("expires_in %v, want 90", got)
	}
}

func TestLogger(t *testing.T) {
	t.Parallel()
	s, ts, logs := loggedServer(t)
	c := ts.Client()
	send(t, c, ts, validRequest(tokenserver.Tenn))
	bad := validRequest(tokenserver.Testinium)
	bad.body = strings.Replace(bad.body, "testinium-pass", "wrong-pass", 1)
	send(t, c, ts, bad)

	out := logs.String()
	wantInLog(t, out, "api=tenn method=POST status=200", "api=testinium method=POST status=403 error=access_denied")
	testsupport.AssertNoSecret(t, "log", out, secrets...)
	for _, tok := range s.Issued() {
		if strings.Contains(out, tok) {
			t.Error("log contains an issued token")
		}
	}
}

func TestTLS(t *testing.T) {
	t.Parallel()
	_, ts := testsupport.TokenServerTLS(t, tokenserver.DefaultConfig())
	if !strings.HasPrefix(ts.URL, "https://127.0.0.1:") {
		t.Fatalf("URL %s", ts.URL)
	}

	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	trusting := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	_, claims := jwtParts(t, sendOK(t, trusting, ts, validRequest(tokenserver.Tenn))["access_token"].(string))
	if iss, _ := claims["iss"].(string); !strings.HasPrefix(iss, "https://") {
		t.Errorf("iss %q, want https", iss)
	}

	_, _, err := trySend(&http.Client{Transport: &http.Transport{}}, ts, validRequest(tokenserver.Partner))
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("untrusting client: err %v, want a certificate error", err)
	}
}
