package grant_test

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// metadataServer serves authorization server metadata at the paths given, and counts the GETs.
type metadataServer struct {
	*httptest.Server
	mu    sync.Mutex
	gets  map[string]int
	docs  map[string]any // path -> document; a string value is a redirect target
	calls int
	delay time.Duration // before every answer
}

func newMetadataServer(t *testing.T) *metadataServer {
	m := &metadataServer{gets: map[string]int{}, docs: map[string]any{}}
	m.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		m.gets[r.URL.Path]++
		m.calls++
		doc, delay := m.docs[r.URL.Path], m.delay
		m.mu.Unlock()
		time.Sleep(delay)
		switch target := doc.(type) {
		case nil:
			http.NotFound(w, r)
		case string:
			http.Redirect(w, r, target, http.StatusFound)
		default:
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(doc)
		}
	}))
	t.Cleanup(m.Close)
	return m
}

func TestDiscovery(t *testing.T) {
	ctx := context.Background()
	tokenURL := realServer(t, grant.ClientAuthBasic)
	request := func(issuer string) grant.Request {
		return grant.Request{API: grant.OAuth2, Issuer: issuer, ClientID: realClientID, ClientSecret: realClientSecret}
	}

	t.Run("RFC 8414 puts the well-known segment before the issuer's path, once per process", func(t *testing.T) {
		m := newMetadataServer(t)
		issuer := m.URL + "/tenant-1"
		m.docs["/.well-known/oauth-authorization-server/tenant-1"] = map[string]string{
			"issuer": issuer, "token_endpoint": tokenURL, "revocation_endpoint": m.URL + "/revoke"}
		c := newClient(t)
		for range 3 {
			if _, err := c.Grant(ctx, request(issuer)); err != nil {
				t.Fatal(err)
			}
		}
		meta, err := c.Discover(ctx, grant.OAuth2, issuer)
		if err != nil || meta.RevocationEndpoint != m.URL+"/revoke" {
			t.Errorf("metadata %+v, %v", meta, err)
		}
		if m.calls != 1 {
			t.Errorf("the metadata was fetched %d times, want once", m.calls)
		}
	})

	t.Run("OpenID Connect discovery when RFC 8414's URL is not there", func(t *testing.T) {
		m := newMetadataServer(t)
		issuer := m.URL + "/realms/demo"
		m.docs["/realms/demo/.well-known/openid-configuration"] = map[string]string{"issuer": issuer, "token_endpoint": tokenURL}
		if _, err := newClient(t).Grant(ctx, request(issuer)); err != nil {
			t.Fatal(err)
		}
		if m.gets["/.well-known/oauth-authorization-server/realms/demo"] != 1 {
			t.Errorf("RFC 8414's URL was not tried first: %v", m.gets)
		}
	})

	for name, tc := range map[string]struct {
		doc  any
		want string
	}{
		"mismatched issuer": {map[string]string{"issuer": "https://user:pw@evil.example.com", "token_endpoint": tokenURL}, "names another issuer"},
		"no token endpoint": {map[string]string{"issuer": "ISSUER"}, "no token_endpoint"},
		"plain http remote": {map[string]string{"issuer": "ISSUER", "token_endpoint": "http://auth.example.com/token"}, "not usable"},
		"redirect":          {"https://elsewhere.example.com/.well-known/openid-configuration", "redirects to elsewhere.example.com"},
	} {
		t.Run(name, func(t *testing.T) {
			m := newMetadataServer(t)
			issuer := m.URL
			if doc, ok := tc.doc.(map[string]string); ok && doc["issuer"] == "ISSUER" {
				doc["issuer"] = issuer
			}
			m.docs["/.well-known/oauth-authorization-server"] = tc.doc
			_, err := newClient(t).Grant(ctx, request(issuer))
			var ge *grant.Error
			if !errors.As(err, &ge) || ge.Reason() != grant.ReasonDiscovery || ge.Setting != grant.SettingIssuer {
				t.Fatalf("want a discovery error on the issuer, got %v", err)
			}
			if !strings.Contains(ge.Error(), tc.want) {
				t.Errorf("error %q, want it to say %q", ge.Error(), tc.want)
			}
			if strings.Contains(ge.Error(), "evil.example.com") {
				t.Error("the error quotes a metadata issuer that holds credentials")
			}
		})
	}
}

// TestMetadataURLs: RFC 8414 3.1 inserts the well-known segment between the host and the issuer's
// path; OpenID Connect Discovery appends its own to the issuer. The strict token server serves its
// documents at exactly these URLs, and a discovery error carries the issuer they were built from.
func TestMetadataURLs(t *testing.T) {
	for issuer, want := range map[string][]string{
		"https://id.example.com/tenant1": {"https://id.example.com/.well-known/oauth-authorization-server/tenant1",
			"https://id.example.com/tenant1/.well-known/openid-configuration"},
		"https://id.example.com/a/b/": {"https://id.example.com/.well-known/oauth-authorization-server/a/b",
			"https://id.example.com/a/b/.well-known/openid-configuration"},
		"https://id.example.com": {"https://id.example.com/.well-known/oauth-authorization-server",
			"https://id.example.com/.well-known/openid-configuration"},
		"https://id.example.com/": {"https://id.example.com/.well-known/oauth-authorization-server",
			"https://id.example.com/.well-known/openid-configuration"},
	} {
		if got := grant.MetadataURLs(issuer); !slices.Equal(got, want) {
			t.Errorf("MetadataURLs(%q) = %q, want %q", issuer, got, want)
		}
	}

	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	issuer := tokenserver.OAuth2Issuer(ts.URL)
	if got, want := grant.MetadataURLs(issuer), []string{tokenserver.OAuth2MetadataURL(ts.URL), tokenserver.OAuth2OIDCMetadataURL(ts.URL)}; !slices.Equal(got, want) {
		t.Errorf("MetadataURLs(%q) = %q, the token server serves %q", issuer, got, want)
	}
	srv.SetDiscoveryFault(tokenserver.DiscoveryOtherIssuer)
	_, err := newClient(t).Discover(context.Background(), grant.OAuth2, issuer)
	var ge *grant.Error
	if !errors.As(err, &ge) || ge.Issuer != issuer {
		t.Errorf("want a discovery error that carries the issuer %q, got %#v", issuer, err)
	}
}

// TestIssuerMismatchQuotesAPlainIssuer: the mismatch error quotes the metadata's issuer, the value
// needed to fix it, when it is a plain https URL or http on loopback, short, without userinfo,
// query or fragment, and unchanged by the redactor; any other issuer is server text that may carry
// anything, and the message stays unquoted.
func TestIssuerMismatchQuotesAPlainIssuer(t *testing.T) {
	ctx := context.Background()
	const unquoted = "the metadata names another issuer than the one configured; the issuer must match"
	mismatch := func(t *testing.T, c *grant.Client, issuer string) string {
		t.Helper()
		_, err := c.Discover(ctx, grant.OAuth2, issuer)
		var ge *grant.Error
		if !errors.As(err, &ge) || ge.Reason() != grant.ReasonDiscovery || !strings.Contains(ge.Error(), "names another issuer") {
			t.Fatalf("want an issuer mismatch, got %v", err)
		}
		return ge.Error()
	}

	// The token server's own mismatches: another issuer, and the issuer with a trailing slash.
	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	for fault, want := range map[tokenserver.DiscoveryFault]string{
		tokenserver.DiscoveryOtherIssuer:   ts.URL + "/other",
		tokenserver.DiscoveryTrailingSlash: tokenserver.OAuth2Issuer(ts.URL) + "/",
	} {
		srv.SetDiscoveryFault(fault)
		if msg := mismatch(t, newClient(t), tokenserver.OAuth2Issuer(ts.URL)); !strings.Contains(msg, fmt.Sprintf("configured, %q;", want)) {
			t.Errorf("%s: the error does not quote the metadata's issuer %q: %s", fault, want, msg)
		}
	}

	for _, tc := range []struct {
		issuer string
		quoted bool
	}{
		{"https://id.example.com/tenant1", true},
		{"https://id.example.com:8443/", true},
		{"http://localhost:8080/realms/demo", true},
		{"http://127.0.0.2/x", true},
		{"http://[::1]:9000/x", true},
		{"https://" + strings.Repeat("a", 190) + ".example.com", false}, // over 200 bytes
		{"https://user:pw@id.example.com/tenant1", false},
		{"https://id.example.com/tenant1?secret=s3cr3t", false},
		{"https://id.example.com/tenant1#frag", false},
		{"https://id.example.com/a@b", false},
		{"http://id.example.com/tenant1", false}, // plain http off loopback
		{"ftp://id.example.com/", false},
		{"id.example.com/tenant1", false},
		{"https://id.example.com/\u200btenant1", false},                            // an invisible character: cleaning changes it
		{"https://id.example.com/\x1b[2J", false},                                  // a terminal escape
		{"https://id.example.com/eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2ln", false}, // a JWT: redaction changes it
		{"https://id.example.com/caf\u00e9", true},                                 // readable text, which cleaning keeps
	} {
		t.Run(tc.issuer[:min(len(tc.issuer), 40)], func(t *testing.T) {
			m := newMetadataServer(t)
			m.docs["/.well-known/oauth-authorization-server"] = map[string]string{"issuer": tc.issuer, "token_endpoint": m.URL + "/token"}
			msg := mismatch(t, newClient(t), m.URL)
			if quoted := strings.Contains(msg, fmt.Sprintf("configured, %q;", tc.issuer)); quoted != tc.quoted {
				t.Errorf("quoted %v, want %v: %s", quoted, tc.quoted, msg)
			}
			if !tc.quoted && (!strings.Contains(msg, unquoted) || strings.Contains(msg, "example.com") || strings.Contains(msg, "s3cr3t")) {
				t.Errorf("the error quotes server text, or says more than the unquoted message: %s", msg)
			}
		})
	}
}

// TestOAuth2Validation: what the grant type and client authentication need is checked before
// anything is sent, and each error names the setting to fix.
func TestOAuth2Validation(t *testing.T) {
	base := grant.Request{API: grant.OAuth2, TokenURL: "https://auth.example.com/token", ClientID: "c", ClientSecret: "s"}
	for name, tc := range map[string]struct {
		mutate func(*grant.Request)
		want   grant.Setting
	}{
		"unknown grant type":          {func(r *grant.Request) { r.GrantType = "implicit" }, grant.SettingGrantType},
		"unknown client auth":         {func(r *grant.Request) { r.ClientAuth = "client_secret_jws" }, grant.SettingClientAuth},
		"basic without secret":        {func(r *grant.Request) { r.ClientSecret = "" }, grant.SettingClientSecret},
		"secret with private_key_jwt": {func(r *grant.Request) { r.ClientAuth = grant.ClientAuthPrivateKeyJWT }, grant.SettingClientSecret},
		"private_key_jwt without key": {func(r *grant.Request) { r.ClientAuth, r.ClientSecret = grant.ClientAuthPrivateKeyJWT, "" }, grant.SettingPrivateKey},
		"a key that is no key": {func(r *grant.Request) {
			r.ClientAuth, r.ClientSecret, r.PrivateKeyPEM = grant.ClientAuthPrivateKeyJWT, "", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
		}, grant.SettingPrivateKey},
		"client_secret_jwt without secret": {func(r *grant.Request) { r.ClientAuth, r.ClientSecret = grant.ClientAuthSecretJWT, "" }, grant.SettingClientSecret},
		"client_secret_jwt with a key": {func(r *grant.Request) {
			r.ClientAuth, r.PrivateKeyPEM = grant.ClientAuthSecretJWT, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
		}, grant.SettingPrivateKey},
		"password without user":        {func(r *grant.Request) { r.GrantType = grant.GrantPassword }, grant.SettingUsername},
		"refresh without token":        {func(r *grant.Request) { r.GrantType = grant.GrantRefreshToken }, grant.SettingRefreshToken},
		"token URL and issuer":         {func(r *grant.Request) { r.Issuer = "https://auth.example.com" }, grant.SettingIssuer},
		"extra param collides":         {func(r *grant.Request) { r.ExtraParams = map[string]string{"grant_type": "x"} }, grant.SettingExtraParams},
		"public client with secret":    {func(r *grant.Request) { r.ClientAuth = grant.ClientAuthNone }, grant.SettingClientSecret},
		"no client ID":                 {func(r *grant.Request) { r.ClientID = "" }, grant.SettingClientID},
		"neither token URL nor issuer": {func(r *grant.Request) { r.TokenURL = "" }, grant.SettingTokenURL},
	} {
		t.Run(name, func(t *testing.T) {
			r := base
			tc.mutate(&r)
			_, err := newClient(t).Grant(context.Background(), r)
			var ge *grant.Error
			if !errors.As(err, &ge) || ge.Kind != grant.KindConfig || ge.Setting != tc.want {
				t.Fatalf("want a config error on setting %d, got %v", tc.want, err)
			}
		})
	}
}

// TestDiscoveryEndpoints: the metadata of an https issuer cannot move the endpoints to plain
// http (a local port would get the credentials in clear, and quote its answer back); a
// revocation_endpoint that cannot be used fails only the grants that revoke.
func TestDiscoveryEndpoints(t *testing.T) {
	ctx := context.Background()
	var local atomic.Int32
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		local.Add(1)
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"invalid_request","error_description":"internal service banner"}`))
	}))
	defer plain.Close()

	m := &metadataServer{gets: map[string]int{}, docs: map[string]any{}}
	m.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": m.URL, "token_endpoint": plain.URL + "/token"})
	}))
	defer m.Close()
	caPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: m.Certificate().Raw}))
	c := newClient(t, func(c *grant.Config) { c.CACertPEM = caPEM })
	_, err := c.Grant(ctx, grant.Request{API: grant.OAuth2, Issuer: m.URL, ClientID: "c", ClientSecret: "s"})
	var ge *grant.Error
	if !errors.As(err, &ge) || ge.Setting != grant.SettingIssuer || !strings.Contains(ge.Error(), "must too, not plain http") {
		t.Fatalf("an https issuer's plain-http token endpoint was not refused: %v", err)
	}
	if local.Load() != 0 || strings.Contains(ge.Error(), "banner") {
		t.Errorf("the local port got %d requests, and its answer reached the error: %v", local.Load(), strings.Contains(ge.Error(), "banner"))
	}

	tokenURL := realServer(t, grant.ClientAuthBasic)
	for name, revocation := range map[string]string{"relative": "/revoke", "plain http remote": "http://auth.example.com/revoke"} {
		t.Run(name+" revocation_endpoint", func(t *testing.T) {
			md := newMetadataServer(t)
			md.docs["/.well-known/oauth-authorization-server"] = map[string]string{
				"issuer": md.URL, "token_endpoint": tokenURL, "revocation_endpoint": revocation}
			r := grant.Request{API: grant.OAuth2, Issuer: md.URL, ClientID: realClientID, ClientSecret: realClientSecret}
			if _, err := newClient(t).Grant(ctx, r); err != nil {
				t.Fatalf("a grant that does not revoke failed on the revocation endpoint: %v", err)
			}
			r.RevokeOnClose = true
			_, err := newClient(t).Grant(ctx, r)
			var ge *grant.Error
			if !errors.As(err, &ge) || ge.Kind != grant.KindConfig || ge.Setting != grant.SettingRevocationURL {
				t.Fatalf("want a configuration error on the revocation URL, got %v", err)
			}
		})
	}
}

// TestIssuerWithAQuery: RFC 8414 2 forbids a query in an issuer; one is refused before any request.
func TestIssuerWithAQuery(t *testing.T) {
	m := newMetadataServer(t)
	_, err := newClient(t).Grant(context.Background(), grant.Request{API: grant.OAuth2, Issuer: m.URL + "/tenant?x=1", ClientID: "c", ClientSecret: "s"})
	var ge *grant.Error
	if !errors.As(err, &ge) || ge.Kind != grant.KindConfig || ge.Setting != grant.SettingIssuer {
		t.Fatalf("want a configuration error on the issuer, got %v", err)
	}
	if m.calls != 0 {
		t.Errorf("%d metadata requests for a refused issuer", m.calls)
	}
}

// TestSharedDiscoverySurvivesTheFirstCallerCanceling: callers waiting for one issuer's metadata
// share one fetch, which the first caller giving up does not end.
func TestSharedDiscoverySurvivesTheFirstCallerCanceling(t *testing.T) {
	m := newMetadataServer(t)
	m.delay = 500 * time.Millisecond
	m.docs["/.well-known/oauth-authorization-server"] = map[string]string{"issuer": m.URL, "token_endpoint": m.URL + "/token"}
	c := newClient(t)
	first, cancel := context.WithCancel(context.Background())
	firstDone := make(chan error, 1)
	go func() {
		_, err := c.Discover(first, grant.OAuth2, m.URL)
		firstDone <- err
	}()
	for m.requests() == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if _, err := c.Discover(context.Background(), grant.OAuth2, m.URL); err != nil {
		t.Fatalf("the second caller failed when the first gave up: %v", err)
	}
	var ge *grant.Error
	if err := <-firstDone; !errors.As(err, &ge) || ge.Kind != grant.KindCanceled {
		t.Errorf("the first caller: want a cancellation, got %v", err)
	}
	if n := m.requests(); n != 1 {
		t.Errorf("%d metadata requests, want 1 shared", n)
	}
}

func (m *metadataServer) requests() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.calls
}

// TestTimeLimitCoversDiscovery: request_timeout bounds the whole grant, the issuer's metadata
// included: a slow metadata document and a slow token endpoint each within the limit, but not
// together, time out.
func TestTimeLimitCoversDiscovery(t *testing.T) {
	const limit = 3 * time.Second
	tokenURL := realServer(t, grant.ClientAuthBasic)
	slowToken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(limit * 2 / 3)
		proxyTo(w, r, tokenURL)
	}))
	defer slowToken.Close()
	m := newMetadataServer(t)
	m.delay = limit * 2 / 3
	m.docs["/.well-known/oauth-authorization-server"] = map[string]string{"issuer": m.URL, "token_endpoint": slowToken.URL}
	c := newClient(t, func(c *grant.Config) { c.Timeout = limit })
	_, err := c.Grant(context.Background(), grant.Request{API: grant.OAuth2, Issuer: m.URL, ClientID: realClientID, ClientSecret: realClientSecret})
	var ge *grant.Error
	if !errors.As(err, &ge) || ge.Kind != grant.KindTimeout || ge.TimeLimit != limit {
		t.Fatalf("want a timeout at %s, got %v", limit, err)
	}
}

// proxyTo forwards a token request to target and copies the answer.
func proxyTo(w http.ResponseWriter, r *http.Request, target string) {
	req, _ := http.NewRequestWithContext(r.Context(), r.Method, target, r.Body)
	req.Header = r.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}
