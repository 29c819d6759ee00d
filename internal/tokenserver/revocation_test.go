package tokenserver_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// revocation is a request to an API's revocation endpoint.
type revocation struct {
	method string
	header http.Header
	body   string
	query  string
}

// revocationOf is a revocation request with the form body kv, authenticated by auth (an
// Authorization header value; none when "").
func revocationOf(auth string, kv ...string) revocation {
	r := revocation{method: http.MethodPost, header: http.Header{}, body: form(kv...)}
	r.header.Set("Content-Type", "application/x-www-form-urlencoded")
	if auth != "" {
		r.header.Set("Authorization", auth)
	}
	return r
}

// revoke sends r to the API's revocation endpoint on ts and returns the answer, its body read.
func revoke(t *testing.T, c *http.Client, ts *httptest.Server, api tokenserver.API, r revocation) (*http.Response, []byte) {
	t.Helper()
	u := tokenserver.RevocationURL(ts.URL, api)
	if r.query != "" {
		u += "?" + r.query
	}
	req, err := http.NewRequest(r.method, u, strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = r.header.Clone()
	resp, body, err := doRequest(c, req)
	if err != nil {
		t.Fatalf("%s revocation: %v", api, err)
	}
	return resp, body
}

// revokeOK sends r and checks RFC 7009 2.2's answer: 200, and nothing the client need read.
func revokeOK(t *testing.T, c *http.Client, ts *httptest.Server, api tokenserver.API, r revocation) {
	t.Helper()
	resp, body := revoke(t, c, ts, api, r)
	if resp.StatusCode != http.StatusOK || len(body) != 0 {
		t.Fatalf("status %d, body %q; want 200 and no body", resp.StatusCode, body)
	}
}

// wantRefused checks that the API's resource endpoint refuses tok as revoked.
func wantRefused(t *testing.T, c *http.Client, ts *httptest.Server, api tokenserver.API, tok string) {
	t.Helper()
	resp, b := callResource(t, c, ts, api, http.MethodGet, bearer(tok))
	if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != `Bearer error="invalid_token"` {
		t.Fatalf("resource call: status %d WWW-Authenticate %q, want 401 invalid_token", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	if d, _ := decodeObject(t, b)["error_description"].(string); !strings.Contains(d, "revoked") {
		t.Errorf("error_description %q, want it to say revoked", d)
	}
}

func wantAccepted(t *testing.T, c *http.Client, ts *httptest.Server, api tokenserver.API, tok string) {
	t.Helper()
	if resp, b := callResource(t, c, ts, api, http.MethodGet, bearer(tok)); resp.StatusCode != 200 {
		t.Fatalf("resource call: status %d: %s", resp.StatusCode, b)
	}
}

// rejection is a revocation request the endpoint must refuse, and the error it must get.
type rejection struct {
	name     string
	r        revocation
	status   int
	code     string
	descPart string
}

// check sends tc.r to the API's revocation endpoint on ts and checks the refusal: its status and
// error, the auth scheme a 401 names, the method a 405 allows, and that it quotes neither a
// secret nor tok.
func (tc rejection) check(t *testing.T, c *http.Client, ts *httptest.Server, api tokenserver.API, tok string) {
	t.Helper()
	resp, b := revoke(t, c, ts, api, tc.r)
	wantStatus(t, resp, tc.status)
	wantDescription(t, b, tc.code, tc.descPart)
	if tc.status == 401 && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic ") {
		t.Errorf("WWW-Authenticate %q", resp.Header.Get("WWW-Authenticate"))
	}
	if tc.status == 405 && resp.Header.Get("Allow") != http.MethodPost {
		t.Errorf("Allow %q", resp.Header.Get("Allow"))
	}
	testsupport.AssertNoSecret(t, "answer", string(b), append(secrets, tok)...)
}

// TestRevocationTenn: IdentityServer's revocation endpoint, with the client as Tenn's token
// endpoint takes it: HTTP Basic credentials only.
func TestRevocationTenn(t *testing.T) {
	t.Parallel()
	cfg := tokenserver.DefaultConfig()
	cfg.Clients[tokenserver.Tenn]["other-client"] = "other-secret"
	s, ts := testsupport.TokenServer(t, cfg)
	c := ts.Client()
	tok := grantToken(t, c, ts, tokenserver.Tenn)
	owner := testsupport.Basic(tokenserver.TennClientID, tokenserver.TennClientSecret)

	withQuery := revocationOf(owner, "token", tok)
	withQuery.query = "token_type_hint=access_token"
	get := revocationOf(owner, "token", tok)
	get.method = http.MethodGet
	jsonBody := revocationOf(owner)
	jsonBody.header.Set("Content-Type", "application/json")
	jsonBody.body = `{"token":"` + tok + `"}`
	for _, tc := range []rejection{
		{"wrong secret", revocationOf(testsupport.Basic(tokenserver.TennClientID, "wrong-secret"), "token", tok), 401, "invalid_client", "client_secret is incorrect"},
		{"unknown client", revocationOf(testsupport.Basic("someone", "x"), "token", tok), 401, "invalid_client", "unknown client_id"},
		{"no client", revocationOf("", "token", tok), 401, "invalid_client", "missing Authorization"},
		{"client in the body", revocationOf("", "token", tok, "client_id", tokenserver.TennClientID, "client_secret", tokenserver.TennClientSecret),
			400, "invalid_request", `unexpected parameter "client_id"`},
		{"client_id in the body too", revocationOf(owner, "token", tok, "client_id", tokenserver.TennClientID), 400, "invalid_request", `unexpected parameter "client_id"`},
		{"no token", revocationOf(owner, "token_type_hint", "access_token"), 400, "invalid_request", "missing required parameter token"},
		{"empty token", revocationOf(owner, "token", ""), 400, "invalid_request", "missing required parameter token"},
		{"token twice", revocationOf(owner, "token", tok, "token", tok), 400, "invalid_request", `"token" appears 2 times`},
		{"id_token hint", revocationOf(owner, "token", tok, "token_type_hint", "id_token"), 400, "unsupported_token_type", "access_token or refresh_token"},
		{"upper-case hint", revocationOf(owner, "token", tok, "token_type_hint", "ACCESS_TOKEN"), 400, "unsupported_token_type", "token_type_hint"},
		{"query string", withQuery, 400, "invalid_request", "not in the URL query"},
		{"GET", get, 405, "invalid_request", "takes POST"},
		{"JSON body", jsonBody, 400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded"},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.check(t, c, ts, tokenserver.Tenn, tok) })
	}
	wantAccepted(t, c, ts, tokenserver.Tenn, tok)

	// RFC 7009 2.2: an unknown token, or another client's, is answered 200, and nothing happens.
	revokeOK(t, c, ts, tokenserver.Tenn, revocationOf(owner, "token", "0123456789abcdef"))
	revokeOK(t, c, ts, tokenserver.Tenn, revocationOf(testsupport.Basic("other-client", "other-secret"), "token", tok))
	wantAccepted(t, c, ts, tokenserver.Tenn, tok)
	if got := s.Revoked(tokenserver.Tenn); len(got) != 0 {
		t.Fatalf("Revoked has %d tokens before the owner revoked", len(got))
	}

	// The owner revokes it; a wrong hint is only a hint (RFC 7009 2.1).
	revokeOK(t, c, ts, tokenserver.Tenn, revocationOf(owner, "token", tok, "token_type_hint", "refresh_token"))
	wantRefused(t, c, ts, tokenserver.Tenn, tok)
	revokeOK(t, c, ts, tokenserver.Tenn, revocationOf(owner, "token", tok)) // again: still 200
	if got := s.Revoked(tokenserver.Tenn); !slices.Equal(got, []string{tok}) {
		t.Errorf("Revoked has %d tokens, want the one revoked", len(got))
	}
	if got := s.Revocations(tokenserver.Tenn); got != 13+4 {
		t.Errorf("Revocations %d, want 17", got)
	}
	if got := s.Requests(tokenserver.Tenn); got != 1 {
		t.Errorf("Requests %d, want 1: revocations are not token requests", got)
	}
	if last := s.LastRevocation(tokenserver.Tenn); last == nil || last.Path != "/connect/revocation" || last.Header.Get("Authorization") != owner {
		t.Errorf("LastRevocation %+v", last)
	}
	// Other tokens live on.
	wantAccepted(t, c, ts, tokenserver.Tenn, grantToken(t, c, ts, tokenserver.Tenn))

	s.Reset()
	if len(s.Revoked(tokenserver.Tenn)) != 0 || s.Revocations(tokenserver.Tenn) != 0 || s.LastRevocation(tokenserver.Tenn) != nil {
		t.Error("Reset kept the revocation records")
	}
	wantRefused(t, c, ts, tokenserver.Tenn, tok)
}

// TestRevocationOAuth2: the oauth2 revocation endpoint, with the token endpoint's client
// authentication, for access and refresh tokens.
func TestRevocationOAuth2(t *testing.T) {
	t.Parallel()
	s, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	c := ts.Client()
	basic := formBasic(tokenserver.OAuth2ClientID, tokenserver.OAuth2ClientSecret)
	revocationURL := tokenserver.RevocationURL(ts.URL, tokenserver.OAuth2)
	refreshGrant := func(r string) request {
		return basicPost("grant_type", "refresh_token", "refresh_token", r)
	}

	t.Run("access token", func(t *testing.T) {
		a := sendOK(t, c, ts, oauth2Request())["access_token"].(string)
		wantAccepted(t, c, ts, tokenserver.OAuth2, a)
		revokeOK(t, c, ts, tokenserver.OAuth2, revocationOf(basic, "token", a, "token_type_hint", "access_token"))
		wantRefused(t, c, ts, tokenserver.OAuth2, a)
		if got := s.Revoked(tokenserver.OAuth2); !slices.Equal(got, []string{a}) {
			t.Errorf("Revoked has %d tokens, want 1", len(got))
		}
	})

	t.Run("refresh token, with the grant's access tokens", func(t *testing.T) {
		before := len(s.Revoked(tokenserver.OAuth2))
		m1 := sendOK(t, c, ts, passwordGrant())
		a1, r1 := m1["access_token"].(string), m1["refresh_token"].(string)
		m2 := sendOK(t, c, ts, refreshGrant(r1))
		a2, r2 := m2["access_token"].(string), m2["refresh_token"].(string)
		other := sendOK(t, c, ts, passwordGrant()) // another grant of the same client and user
		revokeOK(t, c, ts, tokenserver.OAuth2, revocationOf(basic, "token", r2, "token_type_hint", "refresh_token"))
		resp, b := send(t, c, ts, refreshGrant(r2))
		wantStatus(t, resp, 400)
		wantDescription(t, b, "invalid_grant", "revoked")
		// RFC 7009 2.1: the access tokens of the same grant go with it.
		wantRefused(t, c, ts, tokenserver.OAuth2, a1)
		wantRefused(t, c, ts, tokenserver.OAuth2, a2)
		if got := s.Revoked(tokenserver.OAuth2)[before:]; !slices.Equal(got, []string{r2, a1, r1, a2}) {
			t.Errorf("Revoked has %d new tokens, want r2, then a1, r1, a2 of its grant", len(got))
		}
		wantAccepted(t, c, ts, tokenserver.OAuth2, other["access_token"].(string))
		sendOK(t, c, ts, refreshGrant(other["refresh_token"].(string)))
	})

	t.Run("access token hinted as refresh token", func(t *testing.T) {
		a := sendOK(t, c, ts, oauth2Request())["access_token"].(string)
		revokeOK(t, c, ts, tokenserver.OAuth2, revocationOf(basic, "token", a, "token_type_hint", "refresh_token"))
		wantRefused(t, c, ts, tokenserver.OAuth2, a)
	})

	t.Run("revoking an access token leaves the refresh token", func(t *testing.T) {
		m := sendOK(t, c, ts, passwordGrant())
		revokeOK(t, c, ts, tokenserver.OAuth2, revocationOf(basic, "token", m["access_token"].(string)))
		sendOK(t, c, ts, refreshGrant(m["refresh_token"].(string)))
	})

	t.Run("client_secret_post", func(t *testing.T) {
		a := sendOK(t, c, ts, oauth2Request())["access_token"].(string)
		revokeOK(t, c, ts, tokenserver.OAuth2, revocationOf("", "token", a,
			"client_id", tokenserver.OAuth2ClientID, "client_secret", tokenserver.OAuth2ClientSecret))
		wantRefused(t, c, ts, tokenserver.OAuth2, a)
	})

	t.Run("public client", func(t *testing.T) {
		m := sendOK(t, c, ts, oauth2Post("grant_type", "password", "client_id", tokenserver.OAuth2PublicClientID,
			"username", tokenserver.OAuth2Username, "password", tokenserver.OAuth2Password))
		r := m["refresh_token"].(string)
		revokeOK(t, c, ts, tokenserver.OAuth2, revocationOf("", "token", r, "client_id", tokenserver.OAuth2PublicClientID))
		resp, _ := send(t, c, ts, oauth2Post("grant_type", "refresh_token", "client_id", tokenserver.OAuth2PublicClientID, "refresh_token", r))
		wantStatus(t, resp, 400)
	})

	for _, kc := range append(keyClients(), secretJWTClient()) {
		t.Run("client assertion "+kc.alg, func(t *testing.T) {
			tokenURL := tokenserver.TokenURL(ts.URL, tokenserver.OAuth2)
			a := sendOK(t, c, ts, assertionPost(kc.id, assertionFor(t, kc, tokenURL, nil)))["access_token"].(string)
			// The assertion's audience is the endpoint it is sent to: here the revocation endpoint.
			resp, b := revoke(t, c, ts, tokenserver.OAuth2, revocationOf("", "token", a, "client_id", kc.id,
				"client_assertion_type", tokenserver.ClientAssertionType, "client_assertion", assertionFor(t, kc, tokenURL, nil)))
			wantStatus(t, resp, 401)
			wantDescription(t, b, "invalid_client", "aud")
			wantAccepted(t, c, ts, tokenserver.OAuth2, a)
			revokeOK(t, c, ts, tokenserver.OAuth2, revocationOf("", "token", a, "client_id", kc.id,
				"client_assertion_type", tokenserver.ClientAssertionType, "client_assertion", assertionFor(t, kc, revocationURL, nil)))
			wantRefused(t, c, ts, tokenserver.OAuth2, a)
		})
	}

	t.Run("refusals", func(t *testing.T) {
		a := sendOK(t, c, ts, oauth2Request())["access_token"].(string)
		tennTok := grantToken(t, c, ts, tokenserver.Tenn)
		for _, tc := range []rejection{
			{"wrong secret", revocationOf(formBasic(tokenserver.OAuth2ClientID, "wrong-secret"), "token", a), 401, "invalid_client", "incorrect"},
			{"Basic not form-encoded", revocationOf(testsupport.Basic(tokenserver.OAuth2ClientID, tokenserver.OAuth2ClientSecret), "token", a),
				401, "invalid_client", "form-encoded"},
			{"no client", revocationOf("", "token", a), 401, "invalid_client", "no client authentication"},
			{"confidential client without secret", revocationOf("", "token", a, "client_id", tokenserver.OAuth2ClientID), 401, "invalid_client", "must authenticate"},
			{"two methods", revocationOf(basic, "token", a, "client_id", tokenserver.OAuth2ClientID, "client_secret", tokenserver.OAuth2ClientSecret),
				400, "invalid_request", "more than one client authentication method"},
			{"unknown parameter", revocationOf(basic, "token", a, "scope", "api.read"), 400, "invalid_request", `unexpected parameter "scope"`},
			{"hint id_token", revocationOf(basic, "token", a, "token_type_hint", "id_token"), 400, "unsupported_token_type", "id_token"},
			{"no token", revocationOf(basic), 400, "invalid_request", "missing required parameter token"},
		} {
			t.Run(tc.name, func(t *testing.T) { tc.check(t, c, ts, tokenserver.OAuth2, a) })
		}
		// Answered 200, revoking nothing: another client's token, another API's, an unknown one.
		before := len(s.Revoked(tokenserver.OAuth2))
		for _, r := range []revocation{
			revocationOf("", "token", a, "client_id", tokenserver.OAuth2PublicClientID),
			revocationOf(basic, "token", tennTok),
			revocationOf(basic, "token", "0123456789abcdef"),
		} {
			revokeOK(t, c, ts, tokenserver.OAuth2, r)
		}
		wantAccepted(t, c, ts, tokenserver.OAuth2, a)
		wantAccepted(t, c, ts, tokenserver.Tenn, tennTok)
		if n := len(s.Revoked(tokenserver.OAuth2)) - before; n != 0 {
			t.Errorf("%d tokens revoked, want none", n)
		}
	})

	if s.Revocations(tokenserver.OAuth2) == 0 || s.Revocations(tokenserver.Partner) != 0 {
		t.Errorf("Revocations oauth2 %d partner %d", s.Revocations(tokenserver.OAuth2), s.Revocations(tokenserver.Partner))
	}
}

// TestRevocationGrantClient: what the provider's grant client sends to revoke is accepted, for
// each client authentication, and revokes the access token and then the refresh token.
func TestRevocationGrantClient(t *testing.T) {
	t.Parallel()
	s, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	ctx := context.Background()
	gc := grantClient(t)

	tenn := testsupport.Request(grant.Tenn, ts.URL)
	tok, err := gc.Grant(ctx, tenn)
	if err != nil {
		t.Fatal(err)
	}
	if err := gc.Revoke(ctx, tenn, tokenserver.RevocationURL(ts.URL, tokenserver.Tenn), tok); err != nil {
		t.Fatal(err)
	}
	if got := s.Revoked(tokenserver.Tenn); !slices.Equal(got, []string{tok.AccessToken}) {
		t.Errorf("tenn: Revoked has %d tokens", len(got))
	}

	base := testsupport.Request(grant.OAuth2, ts.URL)
	requests := map[string]grant.Request{}
	requests["basic, client credentials"] = base
	post := base
	post.ClientAuth = grant.ClientAuthPost
	requests["post, password"] = withUser(post)
	for _, kc := range keyClients() {
		r := base
		r.ClientID, r.ClientSecret, r.ClientAuth, r.PrivateKeyPEM = kc.id, "", grant.ClientAuthPrivateKeyJWT, kc.keyPEM
		requests["private_key_jwt "+kc.alg+", password"] = withUser(r)
	}
	public := base
	public.ClientID, public.ClientSecret, public.ClientAuth = tokenserver.OAuth2PublicClientID, "", grant.ClientAuthNone
	requests["none, password"] = withUser(public)
	for name, r := range requests {
		t.Run(name, func(t *testing.T) {
			r.Scope, r.Audience, r.Resource = "openid api.read", "inventory", []string{"https://a.example.com", "urn:b"}
			tok, err := gc.Grant(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			if tok.IDToken == "" || (r.GrantType == grant.GrantPassword) != (tok.RefreshToken != "") {
				t.Errorf("id_token %v, refresh token %v", tok.IDToken != "", tok.RefreshToken != "")
			}
			if tok.RefreshToken != "" {
				rr := r
				rr.GrantType, rr.Username, rr.Password, rr.RefreshToken = grant.GrantRefreshToken, "", "", tok.RefreshToken
				if tok, err = gc.Grant(ctx, rr); err != nil {
					t.Fatalf("refresh: %v", err)
				}
			}
			if err := gc.Revoke(ctx, r, tokenserver.RevocationURL(ts.URL, tokenserver.OAuth2), tok); err != nil {
				t.Fatal(err)
			}
			got := s.Revoked(tokenserver.OAuth2)
			if !slices.Contains(got, tok.AccessToken) || (tok.RefreshToken != "" && !slices.Contains(got, tok.RefreshToken)) {
				t.Error("the grant client's revocation did not revoke the tokens")
			}
		})
	}
}

func withUser(r grant.Request) grant.Request {
	r.GrantType, r.Username, r.Password = grant.GrantPassword, tokenserver.OAuth2Username, tokenserver.OAuth2Password
	return r
}

// TestRevocationLog: revocations are logged like token requests, with the path, never a token.
func TestRevocationLog(t *testing.T) {
	t.Parallel()
	s, ts, logs := loggedServer(t)
	c := ts.Client()
	tok := grantToken(t, c, ts, tokenserver.Tenn)
	revoke(t, c, ts, tokenserver.Tenn, revocationOf(testsupport.Basic(tokenserver.TennClientID, tokenserver.TennClientSecret), "token", tok))
	revoke(t, c, ts, tokenserver.OAuth2, revocationOf(formBasic(tokenserver.OAuth2ClientID, "wrong-secret"), "token", tok))
	out := logs.String()
	wantInLog(t, out,
		"api=tenn method=POST status=200 revocation=/connect/revocation duration=",
		"api=oauth2 method=POST status=401 error=invalid_client revocation=/oauth2/revoke duration=",
	)
	testsupport.AssertNoSecret(t, "log", out, append(s.Issued(), tokenserver.TennClientSecret, url.QueryEscape(tokenserver.OAuth2ClientSecret))...)
}
