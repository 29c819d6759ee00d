package grant_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	stdlog "log"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver/hostile"
)

// githubApp is the token server's test app, found by its organization (no installation ID).
func githubApp(base string) grant.Request {
	r := testsupport.Request(grant.GitHubApp, base)
	r.InstallationID = ""
	return r
}

// TestGitHubAppGrant: every way of naming the installation reaches it, the token request is the
// one GitHub documents (a fresh RS256 JWT, GitHub's headers, the narrowing as JSON), and the
// answer's GitHub fields reach the token.
func TestGitHubAppGrant(t *testing.T) {
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	for name, tc := range map[string]struct {
		mutate    func(*grant.Request)
		wantID    int64
		wantRepos []string // nil: the answer lists none
		wantPerms map[string]string
	}{
		"organization": {func(r *grant.Request) {}, tokenserver.GitHubOrgInstallationID, nil, nil},
		"user": {func(r *grant.Request) { r.Owner = tokenserver.GitHubUser },
			tokenserver.GitHubUserInstallationID, nil, map[string]string{"contents": "read", "metadata": "read"}},
		"repository, narrowed": {func(r *grant.Request) {
			r.Repositories, r.Permissions = []string{"infra"}, map[string]string{"contents": "read"}
		}, tokenserver.GitHubOrgInstallationID, []string{"infra"}, map[string]string{"contents": "read", "metadata": "read"}}, // GitHub adds metadata
		"installation ID, by app ID": {func(r *grant.Request) {
			r.Owner, r.ClientID, r.AppID = "", "", tokenserver.GitHubAppID
			r.InstallationID = id(tokenserver.GitHubUserInstallationID)
		}, tokenserver.GitHubUserInstallationID, nil, nil},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
			req := githubApp(ts.URL)
			tc.mutate(&req)
			before := time.Now()
			tok, err := newClient(t).Grant(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(srv.Issued(), tok.AccessToken) || tok.Installation == nil {
				t.Fatalf("token not issued by the server, or no installation (%+v)", tok.Installation)
			}
			in := tok.Installation
			if in.ID != tc.wantID {
				t.Errorf("installation %d, want %d", in.ID, tc.wantID)
			}
			if tc.wantRepos != nil && !slices.Equal(in.Repositories, tc.wantRepos) {
				t.Errorf("repositories %v, want %v", in.Repositories, tc.wantRepos)
			}
			if tc.wantPerms != nil && !maps.Equal(in.Permissions, tc.wantPerms) {
				t.Errorf("permissions %v, want %v", in.Permissions, tc.wantPerms)
			}
			if tok.ExpiresIn < 3500 || tok.ExpiresIn > 3600 || tok.ExpiresAt.Before(before.Add(59*time.Minute)) {
				t.Errorf("expires_in %d, expires_at %v; want about an hour", tok.ExpiresIn, tok.ExpiresAt)
			}

			last := srv.LastRequest(tokenserver.GitHubApp)
			if want := tokenserver.GitHubAppTokenPath(tc.wantID); last.Method != http.MethodPost || last.Path != want {
				t.Errorf("token request %s %s, want POST %s", last.Method, last.Path, want)
			}
			for k, want := range map[string]string{"Accept": "application/vnd.github+json",
				"X-GitHub-Api-Version": "2022-11-28", "Content-Type": "application/json", "User-Agent": "grant-test"} {
				if got := last.Header.Get(k); got != want {
					t.Errorf("%s: %q, want %q", k, got, want)
				}
			}
			var body struct {
				Repositories []string          `json:"repositories"`
				Permissions  map[string]string `json:"permissions"`
			}
			if err := json.Unmarshal(last.Body, &body); err != nil || !slices.Equal(body.Repositories, req.Repositories) ||
				!maps.Equal(body.Permissions, req.Permissions) {
				t.Errorf("body %s (%v), want the narrowing %v %v", last.Body, err, req.Repositories, req.Permissions)
			}
			checkAppJWT(t, last.Header.Get("Authorization"), req, before, time.Now())
		})
	}
}

// checkAppJWT: Bearer, RS256, iat a minute back, exp 10 minutes after iat, iss the client ID
// when set, else the app ID, a string either way.
func checkAppJWT(t *testing.T, authorization string, req grant.Request, before, after time.Time) {
	t.Helper()
	jwt, ok := strings.CutPrefix(authorization, "Bearer ")
	if !ok {
		t.Fatalf("Authorization is not a Bearer JWT")
	}
	header, _ := grant.JWTPayload(strings.Join([]string{"x", strings.Split(jwt, ".")[0], "x"}, "."))
	if !strings.Contains(string(header), `"alg":"RS256"`) {
		t.Errorf("JWT header %s, want RS256", header)
	}
	payload, ok := grant.JWTPayload(jwt)
	if !ok {
		t.Fatal("the app JWT has no payload")
	}
	var claims struct {
		Iat, Exp int64
		Iss      any
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	// Signed between before and after, whatever the machine's load: iat is then 60 s back.
	if claims.Iat < before.Unix()-61 || claims.Iat > after.Unix()-59 {
		t.Errorf("iat %d, want 60 s before the signing, which was between %d and %d", claims.Iat, before.Unix(), after.Unix())
	}
	if claims.Exp-claims.Iat != 600 {
		t.Errorf("exp %d s after iat, want 600", claims.Exp-claims.Iat)
	}
	var want any = req.ClientID
	if req.ClientID == "" {
		want = req.AppID
	}
	if claims.Iss != want {
		t.Errorf("iss %v (%T), want %v (%T)", claims.Iss, claims.Iss, want, want)
	}
}

// TestGitHubAppRefusals: GitHub's 401, 404 and 422 are final after one request, with the reason
// and GitHub's message, and no secret.
func TestGitHubAppRefusals(t *testing.T) {
	otherKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	otherPEM := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(otherKey)}))
	for name, tc := range map[string]struct {
		mutate     func(*grant.Request)
		wantStatus int
		wantReason grant.Reason
	}{
		"another app's key": {func(r *grant.Request) { r.PrivateKeyPEM = otherPEM }, 401, grant.ReasonClientCredentials},
		"unknown app":       {func(r *grant.Request) { r.ClientID = "Iv23liSomeoneElse" }, 401, grant.ReasonClientCredentials},
		"not installed":     {func(r *grant.Request) { r.Owner = "someone-else" }, 404, grant.ReasonNoEndpoint},
		"unknown installation": {func(r *grant.Request) { r.Owner, r.InstallationID = "", "99999" },
			404, grant.ReasonNoEndpoint},
		"permission above the installation's": {func(r *grant.Request) {
			r.Permissions = map[string]string{"contents": "admin"}
		}, 422, grant.ReasonUnknown},
		"repository outside the installation": {func(r *grant.Request) {
			r.InstallationID, r.Repositories = "1001", []string{"dotfiles"}
		}, 422, grant.ReasonUnknown},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
			req := githubApp(ts.URL)
			tc.mutate(&req)
			_, err := newClient(t).Grant(context.Background(), req)
			var ge *grant.Error
			if !errors.As(err, &ge) {
				t.Fatalf("want *grant.Error, got %v", err)
			}
			if ge.Kind != grant.KindStatus || ge.Status != tc.wantStatus || ge.Reason() != tc.wantReason || ge.Attempts != 1 {
				t.Errorf("kind %d status %d reason %d attempts %d, want a final %d with reason %d: %v",
					ge.Kind, ge.Status, ge.Reason(), ge.Attempts, tc.wantStatus, tc.wantReason, ge)
			}
			if ge.Description == "" {
				t.Errorf("GitHub's message is not in the error: %v", ge)
			}
			if n := srv.Requests(tokenserver.GitHubApp); req.Owner == "" && n != 1 || req.Owner != "" && n > 1 {
				t.Errorf("the token endpoint saw %d requests", n)
			}
			testsupport.AssertNoSecret(t, "the error", ge.Error(), append(testsupport.SecretForms(req), otherPEM)...)
		})
	}
}

// TestGitHubAppRejectsBadInput: nothing is sent for an input that cannot be right, and the error
// names the setting.
func TestGitHubAppRejectsBadInput(t *testing.T) {
	ecKey := tokenserver.OAuth2ECKeyPEM()
	for name, tc := range map[string]struct {
		mutate func(*grant.Request)
		want   grant.Setting
	}{
		"no app":                   {func(r *grant.Request) { r.ClientID, r.AppID = "", "" }, grant.SettingAppID},
		"app ID not a number":      {func(r *grant.Request) { r.ClientID, r.AppID = "", "Iv23li" }, grant.SettingAppID},
		"no key":                   {func(r *grant.Request) { r.PrivateKeyPEM = "" }, grant.SettingPrivateKey},
		"EC key":                   {func(r *grant.Request) { r.PrivateKeyPEM = ecKey }, grant.SettingPrivateKey},
		"no installation or owner": {func(r *grant.Request) { r.Owner = "" }, grant.SettingInstallationID},
		"owner is a URL":           {func(r *grant.Request) { r.Owner = "https://github.com/octo-org" }, grant.SettingOwner},
		"repository with owner":    {func(r *grant.Request) { r.Repositories = []string{"octo-org/infra"} }, grant.SettingRepositories},
		"permission level":         {func(r *grant.Request) { r.Permissions = map[string]string{"contents": "none"} }, grant.SettingPermissions},
		"API URL in clear text":    {func(r *grant.Request) { r.APIURL = "http://github.example.com/api/v3" }, grant.SettingAPIURL},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
			req := githubApp(ts.URL)
			tc.mutate(&req)
			_, err := newClient(t).Grant(context.Background(), req)
			var ge *grant.Error
			if !errors.As(err, &ge) || ge.Kind != grant.KindConfig || ge.Setting != tc.want {
				t.Fatalf("got %v, want a config error of setting %d", err, tc.want)
			}
			if n := srv.Requests(tokenserver.GitHubApp); n != 0 {
				t.Errorf("%d requests sent", n)
			}
			testsupport.AssertNoSecret(t, "the error", ge.Error(), append(testsupport.SecretForms(req), ecKey)...)
		})
	}
}

// TestGitHubAppRevocation: the last holder's release deletes the token with itself as the
// credential, and the protected endpoint refuses it from then on.
func TestGitHubAppRevocation(t *testing.T) {
	t.Parallel()
	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	req := githubApp(ts.URL)
	req.RevokeOnClose = true
	c := newClient(t)
	tok, err := c.Grant(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if code := githubResource(t, ts.URL, tok.AccessToken); code != http.StatusOK {
		t.Fatalf("the protected endpoint answered %d to a live token", code)
	}
	revoked, err := c.Release(context.Background(), tok.Lease)
	if err != nil || !revoked {
		t.Fatalf("release: revoked %v, %v", revoked, err)
	}
	if got := srv.Revoked(tokenserver.GitHubApp); !slices.Equal(got, []string{tok.AccessToken}) {
		t.Errorf("the server revoked %d tokens, want the one granted", len(got))
	}
	last := srv.LastRevocation(tokenserver.GitHubApp)
	if last.Method != http.MethodDelete || last.Header.Get("Authorization") != "Bearer "+tok.AccessToken {
		t.Errorf("revocation %s with another credential than the token", last.Method)
	}
	if code := githubResource(t, ts.URL, tok.AccessToken); code != http.StatusUnauthorized {
		t.Errorf("the protected endpoint answered %d to a revoked token, want 401", code)
	}
}

func githubResource(t *testing.T, base, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+tokenserver.GitHubAppResourcePath, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("User-Agent", "grant-test")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestGitHubAppRateLimits: GitHub's secondary limit (a 403 with Retry-After) and its exhausted
// primary limit (x-ratelimit-remaining 0 until x-ratelimit-reset) are waited out and retried; a
// wait past the time limit ends the grant at once, saying so.
func TestGitHubAppRateLimits(t *testing.T) {
	for _, fault := range []hostile.Failure{hostile.FailSecondaryRateLimit, hostile.FailRateLimitExhausted} {
		t.Run(fmt.Sprint(fault)+" waited out", func(t *testing.T) {
			t.Parallel()
			srv, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
			srv.SetFault(tokenserver.GitHubApp, hostile.Fault{FailTimes: 1, FailWith: fault, RetryAfter: "1"})
			tok, err := newClient(t).Grant(context.Background(), githubApp(ts.URL))
			if err != nil {
				t.Fatal(err)
			}
			if n := srv.Requests(tokenserver.GitHubApp); n != 2 || tok.Slow == nil {
				t.Errorf("%d token requests (want 2), slow %v", n, tok.Slow)
			}
		})
		t.Run(fmt.Sprint(fault)+" past the time limit", func(t *testing.T) {
			t.Parallel()
			srv, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
			srv.SetFault(tokenserver.GitHubApp, hostile.Fault{FailTimes: hostile.Always, FailWith: fault, RetryAfter: "3600"})
			_, err := newClient(t).Grant(context.Background(), githubApp(ts.URL))
			var ge *grant.Error
			if !errors.As(err, &ge) || ge.Reason() != grant.ReasonRateLimited || ge.RetryAfter < 59*time.Minute {
				t.Fatalf("got %v, want a rate limit that asked to wait an hour", err)
			}
			if n := srv.Requests(tokenserver.GitHubApp); n != 1 {
				t.Errorf("%d token requests, want 1", n)
			}
		})
	}
}

// TestGitHubAppLooksUpOnce: an owner's installation is looked up once per client, however many
// grants need it (identical blocks, or a block at plan and again at apply), concurrent ones
// included; a failed lookup is not remembered.
func TestGitHubAppLooksUpOnce(t *testing.T) {
	t.Parallel()
	var log testsupport.LockedBuffer
	cfg := tokenserver.DefaultConfig()
	cfg.Logger = stdlog.New(&log, "", 0)
	_, ts := testsupport.TokenServer(t, cfg)
	c := newClient(t)
	req := githubApp(ts.URL)
	req.Owner = tokenserver.GitHubUser // found at the second path tried: /orgs/ answers 404 first
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			if _, err := c.Grant(context.Background(), req); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if _, err := c.Grant(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(log.String(), " lookup="); n != 2 {
		t.Errorf("%d lookups for 4 grants, want 2 (/orgs/ then /users/, once):\n%s", n, log.String())
	}
	missing := githubApp(ts.URL)
	missing.Owner = "someone-else"
	for range 2 {
		if _, err := c.Grant(context.Background(), missing); err == nil {
			t.Fatal("a grant for an owner without the app succeeded")
		}
	}
	if n := strings.Count(log.String(), " lookup="); n != 2+4 {
		t.Errorf("%d lookups in all, want 6: a failed lookup is tried again", n)
	}
}

// TestGitHubAppSecondaryLimitWithoutHeaders: a secondary rate limit that names no wait is waited
// out for a minute, as GitHub's docs say (here past the time limit, so it ends at once, saying
// so); any other 403 is a refusal, final.
func TestGitHubAppSecondaryLimitWithoutHeaders(t *testing.T) {
	for name, tc := range map[string]struct {
		message    string
		wantReason grant.Reason
		wantWait   time.Duration
	}{
		"secondary limit": {hostile.SecondaryRateLimitMessage, grant.ReasonRateLimited, time.Minute},
		"refusal":         {"Resource not accessible by integration", grant.ReasonAccessDenied, 0},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var requests atomic.Int32
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusForbidden)
				_ = json.NewEncoder(w).Encode(map[string]string{"message": tc.message})
			}))
			t.Cleanup(ts.Close)
			req := githubApp(ts.URL) // with its installation ID: no lookup
			req.InstallationID = "1001"
			_, err := newClient(t, func(c *grant.Config) { c.Timeout = 20 * time.Second }).Grant(context.Background(), req)
			var ge *grant.Error
			if !errors.As(err, &ge) {
				t.Fatalf("want *grant.Error, got %v", err)
			}
			if ge.Reason() != tc.wantReason || ge.RetryAfter != tc.wantWait {
				t.Errorf("got %v (reason %d, wait %s), want reason %d and wait %s", err, ge.Reason(), ge.RetryAfter, tc.wantReason, tc.wantWait)
			}
			if n := requests.Load(); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
}

// TestGitHubAppRateLimitHoldsTheHost: a rate limit GitHub answers with a 403 holds the host for
// the whole client, as a 429 does: once the open circuit would let a probe through, the next grant
// is still refused here, without a request, until the wait GitHub asked for is over.
func TestGitHubAppRateLimitHoldsTheHost(t *testing.T) {
	t.Parallel()
	srv, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
	srv.SetFault(tokenserver.GitHubApp, hostile.Fault{FailTimes: hostile.Always, FailWith: hostile.FailSecondaryRateLimit, RetryAfter: "3600"})
	c := newClient(t)                                   // its open circuit lets a probe through after 20 backoffs of 20 ms
	req := testsupport.Request(grant.GitHubApp, ts.URL) // by its installation ID: no lookup
	_, err := c.Grant(context.Background(), req)
	var ge *grant.Error
	if !errors.As(err, &ge) || ge.Reason() != grant.ReasonRateLimited {
		t.Fatalf("%v, want a rate limit", err)
	}
	time.Sleep(time.Second) // past the open circuit's probe delay (400 ms), so only the hold refuses
	if _, err := c.Grant(context.Background(), req); err == nil {
		t.Fatal("the second grant got a token during GitHub's rate limit")
	}
	if n := srv.Requests(tokenserver.GitHubApp); n != 1 {
		t.Errorf("%d token requests, want 1: the second grant must wait out GitHub's hour, not ask again", n)
	}
}
