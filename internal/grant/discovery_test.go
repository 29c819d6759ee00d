package grant_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
)

// metadataServer serves authorization server metadata at the paths given, and counts the GETs.
type metadataServer struct {
	*httptest.Server
	mu    sync.Mutex
	gets  map[string]int
	docs  map[string]any // path -> document; a string value is a redirect target
	calls int
}

func newMetadataServer(t *testing.T) *metadataServer {
	m := &metadataServer{gets: map[string]int{}, docs: map[string]any{}}
	m.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		m.gets[r.URL.Path]++
		m.calls++
		doc := m.docs[r.URL.Path]
		m.mu.Unlock()
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
		"mismatched issuer": {map[string]string{"issuer": "https://evil.example.com", "token_endpoint": tokenURL}, "names another issuer"},
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
				t.Error("the error quotes the metadata's issuer, which is server text")
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
		"unknown client auth":         {func(r *grant.Request) { r.ClientAuth = "tls_client_auth" }, grant.SettingClientAuth},
		"basic without secret":        {func(r *grant.Request) { r.ClientSecret = "" }, grant.SettingClientSecret},
		"secret with private_key_jwt": {func(r *grant.Request) { r.ClientAuth = grant.ClientAuthPrivateKeyJWT }, grant.SettingClientSecret},
		"private_key_jwt without key": {func(r *grant.Request) { r.ClientAuth, r.ClientSecret = grant.ClientAuthPrivateKeyJWT, "" }, grant.SettingPrivateKey},
		"a key that is no key": {func(r *grant.Request) {
			r.ClientAuth, r.ClientSecret, r.PrivateKeyPEM = grant.ClientAuthPrivateKeyJWT, "", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
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
