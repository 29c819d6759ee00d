package grant_test

// The grant core's GitHub App client against libraries nobody here wrote: golang-jwt verifies the
// app JWT it sends, and go-github, sent the same token request, must read the same answer. The
// token server and the grant core agree by construction; these do not have to.

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5" // response_test.go has a jwt of its own
	"github.com/google/go-github/v75/github"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// TestGitHubAppOracleJWT: golang-jwt verifies the app JWT the grant core sends with the app's
// public key: RS256, an iat in the past, an exp at most 10 minutes after it, and iss the client
// ID or, without one, the app ID, a string either way.
func TestGitHubAppOracleJWT(t *testing.T) {
	pub, err := gojwt.ParseRSAPublicKeyFromPEM([]byte(tokenserver.GitHubAppPublicKeyPEM()))
	if err != nil {
		t.Fatalf("golang-jwt cannot read GitHubAppPublicKeyPEM: %v", err)
	}
	for name, tc := range map[string]struct {
		mutate func(*grant.Request)
		iss    string
	}{
		"client ID":                {func(*grant.Request) {}, tokenserver.GitHubAppClientID},
		"app ID, without a client": {func(r *grant.Request) { r.ClientID = "" }, tokenserver.GitHubAppID},
		"client ID, found by owner": {func(r *grant.Request) { r.InstallationID = "" },
			tokenserver.GitHubAppClientID},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
			req := testsupport.Request(grant.GitHubApp, ts.URL)
			tc.mutate(&req)
			before := time.Now()
			if _, err := newClient(t).Grant(t.Context(), req); err != nil {
				t.Fatal(err)
			}
			raw, ok := strings.CutPrefix(srv.LastRequest(tokenserver.GitHubApp).Header.Get("Authorization"), "Bearer ")
			if !ok {
				t.Fatal("the token request's Authorization is not Bearer")
			}
			tok, err := gojwt.Parse(raw, func(*gojwt.Token) (any, error) { return pub, nil },
				gojwt.WithValidMethods([]string{"RS256"}), gojwt.WithIssuedAt(), gojwt.WithExpirationRequired(), gojwt.WithJSONNumber())
			if err != nil {
				t.Fatalf("golang-jwt refuses the app JWT: %v", err)
			}
			if tok.Method.Alg() != "RS256" || tok.Header["typ"] != "JWT" {
				t.Errorf("JWT header %v, want RS256 and typ JWT", tok.Header)
			}
			claims, _ := tok.Claims.(gojwt.MapClaims)
			iat, err := claims.GetIssuedAt()
			if err != nil || iat == nil {
				t.Fatalf("iat: %v", err)
			}
			exp, err := claims.GetExpirationTime()
			if err != nil || exp == nil {
				t.Fatalf("exp: %v", err)
			}
			if life := exp.Sub(iat.Time); life <= 0 || life > 10*time.Minute {
				t.Errorf("exp %v after iat, want more than 0 and at most 10 minutes", life)
			}
			if !iat.Before(time.Now()) || iat.Before(before.Add(-2*time.Minute)) {
				t.Errorf("iat %v, want in the past, about a minute before %v", iat.Time, before)
			}
			if claims["iss"] != tc.iss {
				t.Errorf("iss %v (%T), want %v (%T)", claims["iss"], claims["iss"], tc.iss, tc.iss)
			}
			// golang-jwt's own issuer check, as a verifier that pins the issuer runs it: RFC 7519 makes
			// iss a StringOrURI, so the app ID goes as a string, as ghinstallation sends it.
			if _, err := gojwt.Parse(raw, func(*gojwt.Token) (any, error) { return pub, nil },
				gojwt.WithValidMethods([]string{"RS256"}), gojwt.WithIssuer(tc.iss)); err != nil {
				t.Errorf("WithIssuer(%q): %v", tc.iss, err)
			}
			if len(claims) != 3 {
				t.Errorf("claims %v, want iat, exp and iss only", claims)
			}
		})
	}
}

// TestGitHubAppOracleTokenResponse: the grant core and go-github, sent the same narrowing as the
// same token request, send the same body and read the same answer: permissions, repositories and
// the expiry. The tokens differ, and the server issued both for the same grant.
func TestGitHubAppOracleTokenResponse(t *testing.T) {
	key, err := gojwt.ParseRSAPrivateKeyFromPEM([]byte(tokenserver.GitHubAppKeyPEM()))
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		mutate func(*grant.Request)
		id     int64
	}{
		"narrowed": {func(r *grant.Request) {
			r.Repositories, r.Permissions = []string{"docs", "infra"}, map[string]string{"contents": "read", "issues": "write"}
		}, tokenserver.GitHubOrgInstallationID},
		"the whole organization": {func(*grant.Request) {}, tokenserver.GitHubOrgInstallationID},
		"the user, by app ID": {func(r *grant.Request) {
			r.ClientID, r.InstallationID, r.Owner = "", strconv.Itoa(tokenserver.GitHubUserInstallationID), tokenserver.GitHubUser
		}, tokenserver.GitHubUserInstallationID},
		"a repository of the user": {func(r *grant.Request) {
			r.InstallationID, r.Owner, r.Repositories = "", tokenserver.GitHubUser, []string{"notes"}
		}, tokenserver.GitHubUserInstallationID},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
			req := testsupport.Request(grant.GitHubApp, ts.URL)
			tc.mutate(&req)
			start := time.Now()
			ours, err := newClient(t).Grant(t.Context(), req)
			if err != nil {
				t.Fatal(err)
			}
			ourBody := srv.LastRequest(tokenserver.GitHubApp).Body

			iss := req.ClientID
			if iss == "" {
				iss = req.AppID
			}
			gh := oracleGitHub(t, ts.URL, func() string { return oracleJWT(t, key, iss) })
			theirs, resp, err := gh.Apps.CreateInstallationToken(t.Context(), tc.id, &github.InstallationTokenOptions{
				Repositories: req.Repositories, Permissions: oraclePermissionsOf(t, req.Permissions)})
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusCreated {
				t.Errorf("go-github: status %d, want 201", resp.StatusCode)
			}
			if got, want := oracleJSON(t, ourBody), oracleJSON(t, srv.LastRequest(tokenserver.GitHubApp).Body); !reflect.DeepEqual(got, want) {
				t.Errorf("the grant core's body %s, go-github's %s", got, want)
			}

			in := ours.Installation
			if in == nil || in.ID != tc.id {
				t.Fatalf("installation %+v, want %d", in, tc.id)
			}
			if got := oracleMap(t, theirs.Permissions); !maps.Equal(in.Permissions, got) {
				t.Errorf("permissions: the grant core read %v, go-github %v", in.Permissions, got)
			}
			var names []string
			for _, r := range theirs.Repositories {
				names = append(names, r.GetName())
			}
			if !slices.Equal(in.Repositories, names) || (in.Repositories == nil) != (theirs.Repositories == nil) {
				t.Errorf("repositories: the grant core read %#v, go-github %#v", in.Repositories, names)
			}
			// Two requests, so two expiries, each an hour after its own issue: apart by at most the
			// time both took (the server's times are whole seconds, so one more).
			took := time.Since(start) + time.Second
			if d := theirs.GetExpiresAt().Sub(ours.ExpiresAt); d < 0 || d > took || ours.ExpiresAt.Location() != time.UTC {
				t.Errorf("expires_at: the grant core read %v, go-github %v", ours.ExpiresAt, theirs.GetExpiresAt().Time)
			}
			if ours.AccessToken == theirs.GetToken() {
				t.Error("both requests got the same token")
			}
			p1, r1, ok1 := srv.GitHubAppGrant(ours.AccessToken)
			p2, r2, ok2 := srv.GitHubAppGrant(theirs.GetToken())
			if !ok1 || !ok2 || !maps.Equal(p1, p2) || !slices.Equal(r1, r2) || !maps.Equal(p1, in.Permissions) {
				t.Errorf("the server granted %v %v and %v %v, the grant core read %v", p1, r1, p2, r2, in.Permissions)
			}
		})
	}
}

// oracleJWT is an app JWT as golang-jwt signs it, the way GitHub's docs and ghinstallation build
// it: RS256, iat a minute back, exp 10 minutes after iat, iss the app as a string.
func oracleJWT(t *testing.T, key any, iss string) string {
	t.Helper()
	iat := time.Now().Add(-time.Minute)
	signed, err := gojwt.NewWithClaims(gojwt.SigningMethodRS256, gojwt.RegisteredClaims{
		Issuer: iss, IssuedAt: gojwt.NewNumericDate(iat), ExpiresAt: gojwt.NewNumericDate(iat.Add(10 * time.Minute)),
	}).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

// oracleBearer adds Authorization: Bearer to each request; go-github leaves authentication to
// the transport.
type oracleBearer struct {
	base  http.RoundTripper
	token func() string
}

func (b *oracleBearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token())
	return b.base.RoundTrip(r)
}

// oracleGitHub is a go-github client of the server at base, which serves GitHub's paths at its
// root as api.github.com does (WithEnterpriseURLs would add /api/v3/).
func oracleGitHub(t *testing.T, base string, token func() string) *github.Client {
	t.Helper()
	c := github.NewClient(&http.Client{Transport: &oracleBearer{base: http.DefaultTransport, token: token}})
	u, err := url.Parse(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	c.BaseURL = u
	return c
}

// oraclePermissionsOf is a permission map as go-github's type, through its JSON; nil for none.
func oraclePermissionsOf(t *testing.T, m map[string]string) *github.InstallationPermissions {
	t.Helper()
	if len(m) == 0 {
		return nil
	}
	b, _ := json.Marshal(m)
	var p github.InstallationPermissions
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	if got := oracleMap(t, &p); !maps.Equal(got, m) {
		t.Fatalf("go-github has no field for a permission of %v", m)
	}
	return &p
}

// oracleMap is go-github's permissions as a map, through its JSON: a permission it has no field
// for is not in it, so a comparison notices.
func oracleMap(t *testing.T, p *github.InstallationPermissions) map[string]string {
	t.Helper()
	m := map[string]string{}
	if p == nil {
		return m
	}
	b, _ := json.Marshal(p)
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// oracleJSON decodes a request body for comparison; an empty body is an empty object.
func oracleJSON(t *testing.T, body []byte) any {
	t.Helper()
	if len(body) == 0 {
		return map[string]any{}
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	return v
}
