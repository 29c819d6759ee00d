package tokenserver

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"log"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSuccessShapes(t *testing.T) {
	t.Parallel()
	s, ts := Start(t, DefaultConfig())
	c := ts.Client()

	t.Run("tenn", func(t *testing.T) {
		resp, body := send(t, c, ts, validRequest(Tenn))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		m := decodeObject(t, body)
		if ks := keys(m); len(ks) != 2 || m["access_token"] == nil || m["scope"] == nil {
			t.Fatalf("fields %v, want only access_token and scope", ks)
		}
		if m["scope"] != TennScopes {
			t.Errorf("scope %q, want the documented list", m["scope"])
		}
		header, claims := jwtParts(t, m["access_token"].(string))
		if header != `{"alg":"RS256","typ":"JWT"}` {
			t.Errorf("header %s", header)
		}
		exp, iat := claims["exp"].(json.Number), claims["iat"].(json.Number)
		if strings.Contains(exp.String(), ".") || strings.Contains(iat.String(), ".") {
			t.Errorf("exp %s / iat %s must be integers", exp, iat)
		}
		e, _ := exp.Int64()
		i, _ := iat.Int64()
		if e-i != 3600 {
			t.Errorf("exp-iat = %d, want 3600", e-i)
		}
		for _, k := range []string{"nbf", "sub", "client_id", "jti"} {
			if claims[k] == nil || claims[k] == "" {
				t.Errorf("claim %s missing", k)
			}
		}
		if claims["client_id"] != TennClientID {
			t.Errorf("client_id claim %v", claims["client_id"])
		}
	})

	t.Run("tenn scope subset", func(t *testing.T) {
		r := validRequest(Tenn)
		r.body += "&scope=" + url.QueryEscape("openid Tenn.Payment openid")
		resp, body := send(t, c, ts, r)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		if got := decodeObject(t, body)["scope"]; got != "openid Tenn.Payment" {
			t.Errorf("scope %q", got)
		}
	})

	t.Run("tenn charset", func(t *testing.T) {
		r := validRequest(Tenn)
		r.header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
		if resp, body := send(t, c, ts, r); resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
	})

	t.Run("testinium", func(t *testing.T) {
		resp, body := send(t, c, ts, validRequest(Testinium))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		m := decodeObject(t, body)
		want := []string{"access_token", "expires_in", "jti", "refresh_token", "scope", "token_type"}
		got := keys(m)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("fields %v, want %v", got, want)
		}
		if m["token_type"] != "bearer" || m["scope"] != "openid" || m["expires_in"] != json.Number("3600") {
			t.Errorf("token_type %v scope %v expires_in %v", m["token_type"], m["scope"], m["expires_in"])
		}
		if m["access_token"] == m["refresh_token"] {
			t.Error("access and refresh token are equal")
		}
	})

	t.Run("testinium scope", func(t *testing.T) {
		r := validRequest(Testinium)
		r.body += "&scope=api"
		_, body := send(t, c, ts, r)
		if got := decodeObject(t, body)["scope"]; got != "api" {
			t.Errorf("scope %v, want api", got)
		}
	})

	t.Run("partner", func(t *testing.T) {
		resp, body := send(t, c, ts, validRequest(Partner))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		m := decodeObject(t, body)
		if ks := keys(m); len(ks) != 3 || m["token_type"] != "Bearer" || m["expires_in"] != json.Number("3600") {
			t.Fatalf("body fields %v token_type %v expires_in %v", ks, m["token_type"], m["expires_in"])
		}
		header, claims := jwtParts(t, m["access_token"].(string))
		if header != `{"typ":"JWT","alg":"RS256"}` {
			t.Errorf("header %s", header)
		}
		for _, k := range []string{"exp", "iat", "nbf"} {
			n := claims[k].(json.Number).String()
			if i := strings.IndexByte(n, '.'); i < 0 || len(n)-i-1 != 6 {
				t.Errorf("%s = %s, want fractional with microseconds", k, n)
			}
		}
		if sc, ok := claims["scopes"].([]any); !ok || len(sc) == 0 {
			t.Errorf("scopes claim %v", claims["scopes"])
		}
		for _, k := range []string{"jti", "partner_id"} {
			if claims[k] == nil || claims[k] == "" {
				t.Errorf("claim %s missing", k)
			}
		}
	})

	t.Run("partner scope and accept list", func(t *testing.T) {
		r := validRequest(Partner)
		r.header.Set("Accept", "text/plain, application/json;q=0.9")
		r.body = strings.Replace(r.body, "}", `,"scope":"a:read b:write"}`, 1)
		resp, body := send(t, c, ts, r)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		_, claims := jwtParts(t, decodeObject(t, body)["access_token"].(string))
		if sc := claims["scopes"].([]any); len(sc) != 2 || sc[0] != "a:read" {
			t.Errorf("scopes %v", sc)
		}
	})

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
	s, ts := Start(t, DefaultConfig())
	c := ts.Client()

	header := func(k, v string) func(*request) {
		return func(r *request) {
			if v == "" {
				r.header.Del(k)
			} else {
				r.header.Set(k, v)
			}
		}
	}
	body := func(b string) func(*request) { return func(r *request) { r.body = b } }
	replace := func(from, to string) func(*request) {
		return func(r *request) { r.body = strings.Replace(r.body, from, to, 1) }
	}
	method := func(m string) func(*request) { return func(r *request) { r.method = m } }
	form := func(kv ...string) string {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return v.Encode()
	}
	tennForm := func(extra ...string) string {
		return form(append([]string{"client_id", TennClientID, "grant_type", "password",
			"username", TennUsername, "password", TennPassword}, extra...)...)
	}

	tests := []struct {
		name     string
		api      API
		change   func(*request)
		status   int
		code     string
		descPart string
	}{
		// All APIs.
		{"tenn GET", Tenn, method(http.MethodGet), 405, "invalid_request", "method GET"},
		{"partner PUT", Partner, method(http.MethodPut), 405, "invalid_request", "POST"},
		{"body too large", Testinium, body(strings.Repeat("a", MaxBodyBytes+1)), 413, "invalid_request", "larger than"},

		// Tenn.
		{"tenn json content type", Tenn, header("Content-Type", "application/json"), 400, "invalid_request",
			"Content-Type must be application/x-www-form-urlencoded, got application/json"},
		{"tenn no content type", Tenn, header("Content-Type", ""), 400, "invalid_request", "got none"},
		{"tenn latin1 charset", Tenn, header("Content-Type", "application/x-www-form-urlencoded; charset=latin1"), 400, "invalid_request", "charset"},
		{"tenn no authorization", Tenn, header("Authorization", ""), 401, "invalid_client", "missing Authorization"},
		{"tenn bearer scheme", Tenn, header("Authorization", "Bearer abc"), 401, "invalid_client", "Basic scheme"},
		{"tenn bad base64", Tenn, header("Authorization", "Basic !!!"), 401, "invalid_client", "base64"},
		{"tenn no colon", Tenn, header("Authorization", "Basic VGVubkVzdGluZw=="), 401, "invalid_client", "no ':'"},
		{"tenn doc sample header (TennEsting)", Tenn,
			header("Authorization", "Basic VGVubkVzdGluZzo0MzU3OUFGNkY5QkY0RTI1OUJENThGM0RBNzMwQTcxNw=="),
			401, "invalid_client", "unknown client_id"},
		{"tenn wrong secret", Tenn, header("Authorization", basic(TennClientID, "wrong-secret")), 401, "invalid_client", "client_secret is incorrect"},
		{"tenn unknown field", Tenn, body(tennForm("client_secret", "wrong-secret")), 400, "invalid_request", `unexpected parameter "client_secret"`},
		{"tenn duplicate field", Tenn, body(tennForm("username", "x@example.com")), 400, "invalid_request", `"username" appears 2 times`},
		{"tenn bad encoding", Tenn, body(tennForm() + "&%zz=1"), 400, "invalid_request", "not valid application/x-www-form-urlencoded"},
		{"tenn missing client_id", Tenn, body(form("grant_type", "password", "username", TennUsername, "password", TennPassword)),
			400, "invalid_request", "missing required parameter client_id"},
		{"tenn client_id mismatch", Tenn, replace("client_id="+TennClientID, "client_id=TennEsting"), 401, "invalid_client", "does not match"},
		{"tenn client_credentials", Tenn, replace("grant_type=password", "grant_type=client_credentials"), 400, "unsupported_grant_type", `got "client_credentials"`},
		{"tenn missing password", Tenn, body(form("client_id", TennClientID, "grant_type", "password", "username", TennUsername)),
			400, "invalid_request", "missing required parameter password"},
		{"tenn empty username", Tenn, body(form("client_id", TennClientID, "grant_type", "password", "username", "", "password", TennPassword)),
			400, "invalid_request", "missing required parameter username"},
		{"tenn wrong password", Tenn, replace("password=Ttest%402S", "password=wrong-pass"), 400, "invalid_grant", "The user name or password is incorrect."},
		{"tenn wrong user", Tenn, replace("username=testinguser", "username=nobody"), 400, "invalid_grant", "The user name or password is incorrect."},
		{"tenn unknown scope", Tenn, body(tennForm("scope", "openid Tenn.Nope")), 400, "invalid_scope", `"Tenn.Nope"`},

		// Testinium.
		{"testinium json content type", Testinium, header("Content-Type", "application/json"), 400, "invalid_request", "got application/json"},
		{"testinium no authorization", Testinium, header("Authorization", ""), 401, "invalid_client", "missing Authorization"},
		{"testinium wrong secret", Testinium, header("Authorization", basic(TestiniumClientID, "wrong-secret")), 401, "invalid_client", "client_secret"},
		{"testinium client_id in body", Testinium, func(r *request) { r.body += "&client_id=" + TestiniumClientID }, 400, "invalid_request", `unexpected parameter "client_id"`},
		{"testinium missing grant_type", Testinium, body(form("username", TestiniumUsername, "password", TestiniumPassword)), 400, "invalid_request", "grant_type"},
		{"testinium client_credentials", Testinium, replace("grant_type=password", "grant_type=client_credentials"), 400, "unsupported_grant_type", "password"},
		{"testinium missing password", Testinium, body(form("grant_type", "password", "username", TestiniumUsername)), 400, "invalid_request", "password"},
		{"testinium wrong password", Testinium, replace("password=testinium-pass", "password=wrong-pass"), 403, "access_denied", "incorrect credentials"},

		// Partner.
		{"partner form content type", Partner, header("Content-Type", "application/x-www-form-urlencoded"), 415, "invalid_request",
			"Content-Type must be application/json, got application/x-www-form-urlencoded"},
		{"partner no accept", Partner, header("Accept", ""), 406, "invalid_request", "got none"},
		{"partner wildcard accept", Partner, header("Accept", "*/*"), 406, "invalid_request", "application/json"},
		{"partner not an object", Partner, body(`["client_credentials"]`), 400, "invalid_request", "JSON object"},
		{"partner invalid json", Partner, body(`{"grant_type":`), 400, "invalid_request", "JSON"},
		{"partner trailing data", Partner, func(r *request) { r.body += "{}" }, 400, "invalid_request", "after the JSON object"},
		{"partner unknown field", Partner, replace("{", `{"audience":"x",`), 400, "invalid_request", `unexpected field "audience"`},
		{"partner number value", Partner, replace("{", `{"scope":5,`), 400, "invalid_request", `"scope" must be a JSON string`},
		{"partner null value", Partner, replace("{", `{"scope":null,`), 400, "invalid_request", `"scope" must be a JSON string`},
		{"partner duplicate field", Partner, replace("{", `{"client_id":"x",`), 400, "invalid_request", "more than once"},
		{"partner password grant", Partner, replace("client_credentials", "password"), 400, "unsupported_grant_type", `got "password"`},
		{"partner missing secret", Partner, body(`{"grant_type":"client_credentials","client_id":"partner-client"}`), 400, "invalid_request", "client_secret"},
		{"partner unknown client", Partner, replace(PartnerClientID, "someone-else"), 401, "invalid_client", "unknown client_id"},
		{"partner wrong secret", Partner, replace(PartnerClientSecret, "wrong-secret"), 401, "invalid_client", "client_secret is incorrect"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := validRequest(tc.api)
			tc.change(&r)
			resp, b := send(t, c, ts, r)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, b)
			}
			assertNoSecret(t, "response", b)
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
			if tc.status == 401 && resp.Header.Get("WWW-Authenticate") == "" && tc.api != Partner {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}

	t.Run("query string", func(t *testing.T) {
		r := validRequest(Tenn)
		req, _ := http.NewRequest(http.MethodPost, TokenURL(ts.URL, Tenn)+"?grant_type=password", strings.NewReader(r.body))
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
		before := s.Requests(Tenn)
		resp, err := c.Post(ts.URL+"/connect/token/", "application/x-www-form-urlencoded", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 || s.Requests(Tenn) != before {
			t.Errorf("status %d, tenn requests %d -> %d", resp.StatusCode, before, s.Requests(Tenn))
		}
	})
}

func TestRecording(t *testing.T) {
	t.Parallel()
	s, ts := Start(t, DefaultConfig())
	c := ts.Client()

	if s.LastRequest(Tenn) != nil || s.Requests(Tenn) != 0 || len(s.Issued()) != 0 {
		t.Fatal("new server is not empty")
	}

	ok := validRequest(Tenn)
	_, b1 := send(t, c, ts, ok)
	bad := validRequest(Tenn)
	bad.body = strings.Replace(bad.body, "Ttest%402S", "wrong-pass", 1)
	send(t, c, ts, bad)
	_, b2 := send(t, c, ts, validRequest(Testinium))

	if got := s.Requests(Tenn); got != 2 {
		t.Errorf("tenn requests %d, want 2 (failed ones count)", got)
	}
	if got := s.Requests(Testinium); got != 1 {
		t.Errorf("testinium requests %d, want 1", got)
	}
	if got := s.Requests(Partner); got != 0 {
		t.Errorf("partner requests %d, want 0", got)
	}

	issued := s.Issued()
	m1, m2 := decodeObject(t, b1), decodeObject(t, b2)
	want := []string{m1["access_token"].(string), m2["access_token"].(string), m2["refresh_token"].(string)}
	if !slices.Equal(issued, want) {
		t.Errorf("Issued() has %d tokens, want the 3 issued in order", len(issued))
	}

	last := s.LastRequest(Tenn)
	if last == nil || last.Method != "POST" || last.Path != TennPath || string(last.Body) != bad.body {
		t.Fatalf("LastRequest = %+v", last)
	}
	if last.Header.Get("Authorization") != basic(TennClientID, TennClientSecret) ||
		last.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Errorf("recorded headers %v", last.Header)
	}
	last.Header.Set("Authorization", "changed") // a copy: the server's record stays
	if s.LastRequest(Tenn).Header.Get("Authorization") == "changed" {
		t.Error("LastRequest returned the server's own header map")
	}

	s.SetFault(Tenn, Fault{FailTimes: Always, FailWith: Fail500})
	s.Reset()
	if s.Requests(Tenn) != 0 || s.LastRequest(Tenn) != nil {
		t.Error("Reset kept counters or recordings")
	}
	if resp, _ := send(t, c, ts, ok); resp.StatusCode != 200 {
		t.Errorf("after Reset status %d: fault not cleared", resp.StatusCode)
	}
	if len(s.Issued()) != 4 {
		t.Errorf("Issued after Reset has %d tokens, want 4 (Reset keeps them)", len(s.Issued()))
	}
}

func TestConfig(t *testing.T) {
	t.Parallel()
	_, ts := Start(t, Config{
		Clients:       map[API]map[string]string{Tenn: {"other": "other-secret"}},
		TokenLifetime: 90 * time.Second,
	})
	c := ts.Client()

	// The tenn client is replaced; testinium and partner keep the defaults.
	if resp, _ := send(t, c, ts, validRequest(Tenn)); resp.StatusCode != 401 {
		t.Errorf("default tenn client: status %d, want 401", resp.StatusCode)
	}
	r := validRequest(Tenn)
	r.header.Set("Authorization", basic("other", "other-secret"))
	r.body = strings.Replace(r.body, "client_id="+TennClientID, "client_id=other", 1)
	if resp, b := send(t, c, ts, r); resp.StatusCode != 200 {
		t.Errorf("configured tenn client: status %d: %s", resp.StatusCode, b)
	}
	resp, b := send(t, c, ts, validRequest(Partner))
	if resp.StatusCode != 200 {
		t.Fatalf("partner status %d: %s", resp.StatusCode, b)
	}
	if got := decodeObject(t, b)["expires_in"]; got != json.Number("90") {
		t.Errorf("expires_in %v, want 90", got)
	}
}

func TestLogger(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	cfg := DefaultConfig()
	cfg.Logger = log.New(&buf, "", 0)
	s, ts := Start(t, cfg)
	c := ts.Client()
	send(t, c, ts, validRequest(Tenn))
	bad := validRequest(Testinium)
	bad.body = strings.Replace(bad.body, "testinium-pass", "wrong-pass", 1)
	send(t, c, ts, bad)
	s.SetFault(Partner, Fault{FailTimes: 1, FailWith: Fail503})
	send(t, c, ts, validRequest(Partner))

	out := buf.String()
	for _, want := range []string{"api=tenn method=POST status=200", "api=testinium method=POST status=403 error=access_denied", "api=partner method=POST status=503 error=temporarily_unavailable fault=503"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	assertNoSecret(t, "log", []byte(out))
	for _, tok := range s.Issued() {
		if strings.Contains(out, tok) {
			t.Error("log contains an issued token")
		}
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func TestStartTLS(t *testing.T) {
	t.Parallel()
	_, ts := StartTLS(t, DefaultConfig())
	if !strings.HasPrefix(ts.URL, "https://127.0.0.1:") {
		t.Fatalf("URL %s", ts.URL)
	}

	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	trusting := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, b := send(t, trusting, ts, validRequest(Tenn))
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	_, claims := jwtParts(t, decodeObject(t, b)["access_token"].(string))
	if iss, _ := claims["iss"].(string); !strings.HasPrefix(iss, "https://") {
		t.Errorf("iss %q, want https", iss)
	}

	_, _, err := trySend(&http.Client{Transport: &http.Transport{}}, ts, validRequest(Partner))
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("untrusting client: err %v, want a certificate error", err)
	}
}
