package tokenserver_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// getURL GETs u with Accept: application/json, as the grant client does, and reads the answer.
func getURL(t *testing.T, c *http.Client, method, u string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	resp, body, err := doRequest(c, req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	return resp, body
}

// grantClient is the provider's grant client, without retries.
func grantClient(t *testing.T) *grant.Client {
	t.Helper()
	c, err := grant.NewClient(grant.Config{Timeout: 10 * time.Second, UserAgent: "tokenserver-test"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestDiscoveryPaths: RFC 8414 inserts the well-known segment between the host and the issuer's
// path; OpenID Connect appends it to the issuer.
func TestDiscoveryPaths(t *testing.T) {
	t.Parallel()
	if tokenserver.OAuth2MetadataPath != "/.well-known/oauth-authorization-server/oauth2" ||
		tokenserver.OAuth2OIDCMetadataPath != "/oauth2/.well-known/openid-configuration" {
		t.Errorf("metadata paths %q and %q", tokenserver.OAuth2MetadataPath, tokenserver.OAuth2OIDCMetadataPath)
	}
	if got := tokenserver.OAuth2Issuer("https://h:1"); got != "https://h:1/oauth2" {
		t.Errorf("OAuth2Issuer %q", got)
	}
	if tokenserver.OAuth2.RevocationPath() != "/oauth2/revoke" || tokenserver.Tenn.RevocationPath() != "/connect/revocation" ||
		tokenserver.Partner.RevocationPath() != "" || tokenserver.Testinium.RevocationPath() != "" {
		t.Error("revocation paths")
	}
}

// TestDiscovery: both metadata documents, the same JSON, naming the issuer as the server is
// reached, its endpoints and what the token endpoint takes.
func TestDiscovery(t *testing.T) {
	t.Parallel()
	for _, start := range startServers {
		s, ts := start(t, tokenserver.DefaultConfig())
		c := ts.Client()
		base := ts.URL
		var docs []string
		for _, u := range []string{tokenserver.OAuth2MetadataURL(base), tokenserver.OAuth2OIDCMetadataURL(base)} {
			resp, b := getURL(t, c, http.MethodGet, u)
			wantStatus(t, resp, 200)
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
			m := decodeObject(t, b)
			strs := func(k string) []string {
				var out []string
				for _, v := range m[k].([]any) {
					out = append(out, v.(string))
				}
				return out
			}
			if m["issuer"] != tokenserver.OAuth2Issuer(base) || m["token_endpoint"] != tokenserver.TokenURL(base, tokenserver.OAuth2) ||
				m["revocation_endpoint"] != tokenserver.RevocationURL(base, tokenserver.OAuth2) ||
				m["userinfo_endpoint"] != tokenserver.ResourceURL(base, tokenserver.OAuth2) {
				t.Errorf("%s: endpoints %s", u, b)
			}
			if !slices.Equal(strs("grant_types_supported"), []string{"client_credentials", "password", "refresh_token",
				"urn:ietf:params:oauth:grant-type:token-exchange", "urn:ietf:params:oauth:grant-type:jwt-bearer"}) ||
				!slices.Equal(strs("token_endpoint_auth_methods_supported"), []string{"client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt",
					"tls_client_auth", "self_signed_tls_client_auth", "none"}) ||
				!slices.Equal(strs("token_endpoint_auth_signing_alg_values_supported"), []string{"RS256", "ES256", "HS256"}) ||
				!slices.Equal(strs("revocation_endpoint_auth_methods_supported"), strs("token_endpoint_auth_methods_supported")) {
				t.Errorf("%s: supported values %s", u, b)
			}
			if m["response_types_supported"] == nil || m["scopes_supported"] == nil {
				t.Errorf("%s: RFC 8414's required response_types_supported, or scopes_supported, missing", u)
			}
			docs = append(docs, string(b))
		}
		if docs[0] != docs[1] {
			t.Errorf("the two documents differ:\n%s\n%s", docs[0], docs[1])
		}
		if strings.HasPrefix(base, "https://") != strings.HasPrefix(decodeObject(t, []byte(docs[0]))["issuer"].(string), "https://") {
			t.Errorf("issuer scheme is not the server's: %s", docs[0])
		}

		// Wrong places and wrong requests.
		for _, tc := range []struct {
			method, url string
			status      int
		}{
			{http.MethodGet, base + "/oauth2/.well-known/oauth-authorization-server", 404}, // RFC 8414 appended: the wrong place
			{http.MethodGet, base + "/.well-known/oauth-authorization-server", 404},
			{http.MethodGet, base + "/.well-known/openid-configuration", 404},
			{http.MethodGet, base + "/.well-known/openid-configuration/oauth2", 404},
			{http.MethodGet, tokenserver.OAuth2MetadataURL(base) + "/", 404},
			{http.MethodPost, tokenserver.OAuth2MetadataURL(base), 405},
			{http.MethodGet, tokenserver.OAuth2OIDCMetadataURL(base) + "?x=1", 400},
		} {
			resp, _ := getURL(t, c, tc.method, tc.url)
			if resp.StatusCode != tc.status {
				t.Errorf("%s %s: status %d, want %d", tc.method, tc.url, resp.StatusCode, tc.status)
			}
		}
		if n := s.MetadataRequests(); n != 4 {
			t.Errorf("MetadataRequests %d, want 4 (2 documents, the POST and the query)", n)
		}
		if s.Requests(tokenserver.OAuth2) != 0 {
			t.Error("metadata requests counted as token requests")
		}
	}
}

// TestDiscoveryGrantClient: the grant client finds the token endpoint from the issuer and gets a
// token there.
func TestDiscoveryGrantClient(t *testing.T) {
	t.Parallel()
	s, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	gc := grantClient(t)
	meta, err := gc.Discover(context.Background(), grant.OAuth2, tokenserver.OAuth2Issuer(ts.URL))
	if err != nil {
		t.Fatal(err)
	}
	if meta.TokenEndpoint != tokenserver.TokenURL(ts.URL, tokenserver.OAuth2) ||
		meta.RevocationEndpoint != tokenserver.RevocationURL(ts.URL, tokenserver.OAuth2) {
		t.Errorf("metadata %+v", meta)
	}
	req := testsupport.Request(grant.OAuth2, ts.URL)
	req.TokenURL, req.Issuer = "", tokenserver.OAuth2Issuer(ts.URL)
	if _, err := gc.Grant(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if s.Requests(tokenserver.OAuth2) != 1 || s.MetadataRequests() != 1 {
		t.Errorf("token requests %d, metadata requests %d, want 1 and 1 (RFC 8414 first)", s.Requests(tokenserver.OAuth2), s.MetadataRequests())
	}
}

// TestDiscoveryFaults: each way the metadata misbehaves, as a client sees it, and what the grant
// client makes of it.
func TestDiscoveryFaults(t *testing.T) {
	t.Parallel()
	s, ts, logs := loggedServer(t)
	c := noRedirects(ts)
	base := ts.URL
	rfc8414, oidc := tokenserver.OAuth2MetadataURL(base), tokenserver.OAuth2OIDCMetadataURL(base)
	issuerOf := func(u string) any {
		resp, b := getURL(t, c, http.MethodGet, u)
		wantStatus(t, resp, 200)
		return decodeObject(t, b)["issuer"]
	}
	discover := func() (grant.Metadata, error) {
		return grantClient(t).Discover(context.Background(), grant.OAuth2, tokenserver.OAuth2Issuer(base))
	}

	t.Run("other issuer", func(t *testing.T) {
		s.SetDiscoveryFault(tokenserver.DiscoveryOtherIssuer)
		for _, u := range []string{rfc8414, oidc} {
			if got := issuerOf(u); got != base+"/other" {
				t.Errorf("%s: issuer %v", u, got)
			}
		}
		if _, err := discover(); err == nil || !strings.Contains(err.Error(), "another issuer") {
			t.Errorf("Discover: %v, want an issuer mismatch", err)
		}
	})
	t.Run("trailing slash", func(t *testing.T) {
		s.SetDiscoveryFault(tokenserver.DiscoveryTrailingSlash)
		if got := issuerOf(oidc); got != tokenserver.OAuth2Issuer(base)+"/" {
			t.Errorf("issuer %v", got)
		}
		if _, err := discover(); err == nil {
			t.Error("Discover accepted an issuer with a trailing slash")
		}
	})
	t.Run("only OIDC", func(t *testing.T) {
		s.SetDiscoveryFault(tokenserver.DiscoveryOnlyOIDC)
		resp, _ := getURL(t, c, http.MethodGet, rfc8414)
		wantStatus(t, resp, 404)
		if got := issuerOf(oidc); got != tokenserver.OAuth2Issuer(base) {
			t.Errorf("issuer %v", got)
		}
		before := s.MetadataRequests()
		meta, err := discover()
		if err != nil || meta.TokenEndpoint != tokenserver.TokenURL(base, tokenserver.OAuth2) {
			t.Errorf("Discover: %+v, %v; want the OIDC document's", meta, err)
		}
		if n := s.MetadataRequests() - before; n != 2 {
			t.Errorf("Discover made %d metadata requests, want 2 (RFC 8414, then OIDC)", n)
		}
	})
	t.Run("redirect", func(t *testing.T) {
		s.SetDiscoveryFault(tokenserver.DiscoveryRedirect)
		for _, u := range []string{rfc8414, oidc} {
			resp, _ := getURL(t, c, http.MethodGet, u)
			wantStatus(t, resp, 302)
			if loc := resp.Header.Get("Location"); loc != tokenserver.RedirectBase+strings.TrimPrefix(u, base) {
				t.Errorf("Location %q", loc)
			}
		}
		_, err := discover()
		var ge *grant.Error
		if !errors.As(err, &ge) || ge.Kind != grant.KindRedirect {
			t.Errorf("Discover: %v, want a redirect error", err)
		}
	})
	t.Run("cleared", func(t *testing.T) {
		s.SetDiscoveryFault(tokenserver.DiscoveryRedirect)
		s.Reset()
		if got := issuerOf(rfc8414); got != tokenserver.OAuth2Issuer(base) {
			t.Errorf("after Reset: issuer %v", got)
		}
		s.SetDiscoveryFault(tokenserver.DiscoveryOtherIssuer)
		s.SetDiscoveryFault(tokenserver.DiscoveryOK)
		if _, err := discover(); err != nil {
			t.Errorf("after DiscoveryOK: %v", err)
		}
	})
	t.Run("token endpoint unaffected", func(t *testing.T) {
		s.SetDiscoveryFault(tokenserver.DiscoveryRedirect)
		defer s.SetDiscoveryFault(tokenserver.DiscoveryOK)
		sendOK(t, ts.Client(), ts, oauth2Request())
	})
	for f := tokenserver.DiscoveryOK; f <= tokenserver.DiscoveryRedirect; f++ {
		if strings.HasPrefix(f.String(), "DiscoveryFault(") {
			t.Errorf("DiscoveryFault %d has no name", int(f))
		}
	}
	out := logs.String()
	wantInLog(t, out,
		"api=oauth2 method=GET status=200 fault=discovery-other-issuer metadata=/.well-known/oauth-authorization-server/oauth2",
		"api=oauth2 method=GET status=404 fault=discovery-only-oidc metadata=/.well-known/oauth-authorization-server/oauth2",
		"api=oauth2 method=GET status=302 fault=discovery-redirect metadata=/oauth2/.well-known/openid-configuration",
		"api=oauth2 method=GET status=200 metadata=/.well-known/oauth-authorization-server/oauth2 duration=",
	)
}
