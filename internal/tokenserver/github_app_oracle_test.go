package tokenserver_test

// The token server's GitHub App API against go-github, GitHub's most used Go client, used the way
// it is used against api.github.com: app JWTs signed by golang-jwt, authentication left to an
// http.RoundTripper, go-github's own typed results and errors. Neither library was written here,
// so where they and the server disagree, the server is (most likely) the one that is wrong.

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-github/v75/github"

	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver/hostile"
)

// oracleKey is the test app's private key as golang-jwt reads it.
func oracleKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	key, err := jwt.ParseRSAPrivateKeyFromPEM([]byte(tokenserver.GitHubAppKeyPEM()))
	if err != nil {
		t.Fatalf("golang-jwt cannot read GitHubAppKeyPEM: %v", err)
	}
	return key
}

// oracleJWT is an app JWT as golang-jwt signs it, and as GitHub's docs (and ghinstallation) build
// it: RS256, iat a minute back against clock drift, exp lifetime after iat, iss the app.
func oracleJWT(t *testing.T, key *rsa.PrivateKey, iss string, lifetime time.Duration) string {
	t.Helper()
	iat := time.Now().Add(-time.Minute)
	signed, err := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.RegisteredClaims{
		Issuer:    iss,
		IssuedAt:  jwt.NewNumericDate(iat),
		ExpiresAt: jwt.NewNumericDate(iat.Add(lifetime)),
	}).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

// oracleBearer adds Authorization: Bearer to every request, as ghinstallation's transports do:
// go-github itself leaves authentication to the http.Client.
type oracleBearer struct {
	base  http.RoundTripper
	token func() string
}

func (b *oracleBearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context()) // a RoundTripper must not change the caller's request
	r.Header.Set("Authorization", "Bearer "+b.token())
	return b.base.RoundTrip(r)
}

// oracleClient is a go-github client of the server ts that authenticates with token's value,
// fetched afresh for each request. The server serves GitHub's paths at its root, as
// api.github.com does; WithEnterpriseURLs would add GitHub Enterprise Server's /api/v3/ to a
// host that is not api.*, so BaseURL is set directly, with the trailing slash go-github needs.
func oracleClient(t *testing.T, ts *httptest.Server, token func() string) *github.Client {
	t.Helper()
	c := github.NewClient(&http.Client{Transport: &oracleBearer{base: ts.Client().Transport, token: token}})
	base, err := url.Parse(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	c.BaseURL = base
	return c
}

// oracleAppClient is oracleClient authenticated as the test app, a fresh JWT each request, iss
// the given app identifier.
func oracleAppClient(t *testing.T, ts *httptest.Server, iss string) *github.Client {
	t.Helper()
	key := oracleKey(t)
	return oracleClient(t, ts, func() string { return oracleJWT(t, key, iss, 10*time.Minute) })
}

// oraclePermissions is go-github's typed permissions as a map, through its own JSON encoding: a
// permission go-github has no field for is missing from it, so a comparison notices.
func oraclePermissions(t *testing.T, p *github.InstallationPermissions) map[string]string {
	t.Helper()
	if p == nil {
		return nil
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// oracleRepoNames is the names of go-github's repositories, in order.
func oracleRepoNames(repos []*github.Repository) []string {
	var names []string
	for _, r := range repos {
		names = append(names, r.GetName())
	}
	return names
}

// wantOracleRate: go-github read the x-ratelimit-* headers of an ordinary answer: the 5000 an
// hour of an app or installation, some of it used, resetting within the hour.
func wantOracleRate(t *testing.T, what string, resp *github.Response) {
	t.Helper()
	if resp == nil {
		t.Fatalf("%s: no response", what)
	}
	r, now := resp.Rate, time.Now()
	if r.Limit != 5000 || r.Used < 1 || r.Remaining != r.Limit-r.Used || r.Resource != "core" ||
		r.Reset.Before(now) || r.Reset.After(now.Add(time.Hour+time.Second)) {
		t.Errorf("%s: go-github's rate %+v, want 5000 an hour, some used, resetting within the hour", what, r)
	}
}

// wantOracleError: err is go-github's *github.ErrorResponse with status and GitHub's message.
func wantOracleError(t *testing.T, what string, err error, status int, message string) {
	t.Helper()
	var er *github.ErrorResponse
	if !errors.As(err, &er) {
		t.Fatalf("%s: got %T %v, want a *github.ErrorResponse", what, err, err)
	}
	if er.Response == nil || er.Response.StatusCode != status || er.Message != message ||
		!strings.HasPrefix(er.DocumentationURL, "https://docs.github.com/") {
		t.Errorf("%s: %v (documentation_url %q); want %d %q", what, er, er.DocumentationURL, status, message)
	}
}

// TestGitHubAppOracleLookups: go-github finds each installation by organization, user,
// repository and ID, with the app JWT's iss the client ID or the app ID, and reads the
// installation as GitHub documents it.
func TestGitHubAppOracleLookups(t *testing.T) {
	t.Parallel()
	org := map[string]string{"contents": "write", "issues": "write", "metadata": "read", "pull_requests": "write"}
	user := map[string]string{"contents": "read", "metadata": "read"}
	for _, iss := range []string{tokenserver.GitHubAppClientID, tokenserver.GitHubAppID} {
		for _, tc := range []struct {
			name      string
			find      func(context.Context, *github.AppsService) (*github.Installation, *github.Response, error)
			id        int64
			login     string
			kind      string // the account's type
			selection string
			perms     map[string]string
		}{
			{"organization", func(ctx context.Context, a *github.AppsService) (*github.Installation, *github.Response, error) {
				return a.FindOrganizationInstallation(ctx, tokenserver.GitHubOrg)
			}, tokenserver.GitHubOrgInstallationID, tokenserver.GitHubOrg, "Organization", "selected", org},
			{"user", func(ctx context.Context, a *github.AppsService) (*github.Installation, *github.Response, error) {
				return a.FindUserInstallation(ctx, tokenserver.GitHubUser)
			}, tokenserver.GitHubUserInstallationID, tokenserver.GitHubUser, "User", "all", user},
			{"repository of the organization", func(ctx context.Context, a *github.AppsService) (*github.Installation, *github.Response, error) {
				return a.FindRepositoryInstallation(ctx, tokenserver.GitHubOrg, "website")
			}, tokenserver.GitHubOrgInstallationID, tokenserver.GitHubOrg, "Organization", "selected", org},
			{"repository of the user", func(ctx context.Context, a *github.AppsService) (*github.Installation, *github.Response, error) {
				return a.FindRepositoryInstallation(ctx, tokenserver.GitHubUser, "notes")
			}, tokenserver.GitHubUserInstallationID, tokenserver.GitHubUser, "User", "all", user},
			{"installation ID", func(ctx context.Context, a *github.AppsService) (*github.Installation, *github.Response, error) {
				return a.GetInstallation(ctx, tokenserver.GitHubUserInstallationID)
			}, tokenserver.GitHubUserInstallationID, tokenserver.GitHubUser, "User", "all", user},
		} {
			t.Run(tc.name+", iss "+iss, func(t *testing.T) {
				t.Parallel()
				_, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
				in, resp, err := tc.find(t.Context(), oracleAppClient(t, ts, iss).Apps)
				if err != nil {
					t.Fatal(err)
				}
				if resp.StatusCode != http.StatusOK {
					t.Errorf("status %d, want 200", resp.StatusCode)
				}
				if in.GetID() != tc.id || in.GetAccount().GetLogin() != tc.login || in.GetAccount().GetType() != tc.kind ||
					in.GetTargetType() != tc.kind || in.GetRepositorySelection() != tc.selection {
					t.Errorf("installation %d of %s (%s, target %s), selection %s; want %d of %s (%s), %s", in.GetID(),
						in.GetAccount().GetLogin(), in.GetAccount().GetType(), in.GetTargetType(), in.GetRepositorySelection(),
						tc.id, tc.login, tc.kind, tc.selection)
				}
				if got := oraclePermissions(t, in.Permissions); !maps.Equal(got, tc.perms) {
					t.Errorf("permissions %v, want %v", got, tc.perms)
				}
				if in.GetAppID() != 424242 || in.GetAccessTokensURL() != ts.URL+tokenserver.GitHubAppTokenPath(tc.id) ||
					in.GetRepositoriesURL() != ts.URL+tokenserver.GitHubAppResourcePath || in.CreatedAt == nil {
					t.Errorf("app %d, access_tokens_url %q, repositories_url %q, created_at %v", in.GetAppID(),
						in.GetAccessTokensURL(), in.GetRepositoriesURL(), in.CreatedAt)
				}
				wantOracleRate(t, "the lookup", resp)
			})
		}
	}
}

// TestGitHubAppOracleToken: go-github creates a narrowed installation token (201, about an hour,
// the permissions asked for and metadata, the repositories named), lists with it what it may see,
// revokes it (204), and is refused with it from then on (401).
func TestGitHubAppOracleToken(t *testing.T) {
	t.Parallel()
	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	app := oracleAppClient(t, ts, tokenserver.GitHubAppClientID)
	before := time.Now()
	tok, resp, err := app.Apps.CreateInstallationToken(t.Context(), tokenserver.GitHubOrgInstallationID, &github.InstallationTokenOptions{
		Repositories: []string{"docs", "infra"},
		Permissions:  &github.InstallationPermissions{Contents: github.Ptr("read")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated || !strings.HasPrefix(tok.GetToken(), "ghs_") {
		t.Errorf("status %d, token %.4s...; want 201 and a ghs_ token", resp.StatusCode, tok.GetToken())
	}
	if exp := tok.GetExpiresAt().Time; exp.Before(before.Add(59*time.Minute)) || exp.After(time.Now().Add(61*time.Minute)) {
		t.Errorf("expires_at %v, want about an hour from %v", exp, before)
	}
	wantPerms := map[string]string{"contents": "read", "metadata": "read"} // GitHub adds metadata
	if got := oraclePermissions(t, tok.Permissions); !maps.Equal(got, wantPerms) {
		t.Errorf("permissions %v, want %v", got, wantPerms)
	}
	wantRepos := []string{"infra", "docs"} // the installation's order
	if got := oracleRepoNames(tok.Repositories); !slices.Equal(got, wantRepos) {
		t.Errorf("repositories %v, want %v", got, wantRepos)
	}
	for _, r := range tok.Repositories {
		if r.GetOwner().GetLogin() != tokenserver.GitHubOrg || r.GetFullName() != tokenserver.GitHubOrg+"/"+r.GetName() ||
			r.GetID() == 0 || r.GetPrivate() != (r.GetName() == "infra") {
			t.Errorf("repository %s: id %d, full name %q, owner %q, private %v", r.GetName(), r.GetID(), r.GetFullName(),
				r.GetOwner().GetLogin(), r.GetPrivate())
		}
	}
	if perms, repos, ok := srv.GitHubAppGrant(tok.GetToken()); !ok || !maps.Equal(perms, wantPerms) || !slices.Equal(repos, wantRepos) {
		t.Errorf("the server granted %v %v (%v), want what go-github read", perms, repos, ok)
	}
	wantOracleRate(t, "the token", resp)

	inst := oracleClient(t, ts, tok.GetToken)
	list, resp, err := inst.Apps.ListRepos(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if list.GetTotalCount() != 2 || !slices.Equal(oracleRepoNames(list.Repositories), wantRepos) {
		t.Errorf("ListRepos: %d %v, want %v", list.GetTotalCount(), oracleRepoNames(list.Repositories), wantRepos)
	}
	wantOracleRate(t, "ListRepos", resp)

	resp, err = inst.Apps.RevokeInstallationToken(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("revocation: status %d, want 204", resp.StatusCode)
	}
	if !slices.Equal(srv.Revoked(tokenserver.GitHubApp), []string{tok.GetToken()}) {
		t.Errorf("the server did not revoke the token")
	}
	_, _, err = inst.Apps.ListRepos(t.Context(), nil)
	wantOracleError(t, "ListRepos with the revoked token", err, http.StatusUnauthorized, "Bad credentials")
}

// TestGitHubAppOracleWholeInstallation: without a body, the token gets all the installation's
// permissions and reaches all its repositories, which ListRepos lists.
func TestGitHubAppOracleWholeInstallation(t *testing.T) {
	t.Parallel()
	_, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	app := oracleAppClient(t, ts, tokenserver.GitHubAppID)
	tok, resp, err := app.Apps.CreateInstallationToken(t.Context(), tokenserver.GitHubUserInstallationID, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"contents": "read", "metadata": "read"}
	if got := oraclePermissions(t, tok.Permissions); resp.StatusCode != http.StatusCreated || !maps.Equal(got, want) {
		t.Errorf("status %d, permissions %v; want 201 and %v", resp.StatusCode, got, want)
	}
	list, _, err := oracleClient(t, ts, tok.GetToken).Apps.ListRepos(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if names := oracleRepoNames(list.Repositories); list.GetTotalCount() != 2 || !slices.Equal(names, []string{"dotfiles", "notes"}) {
		t.Errorf("ListRepos: %d %v, want the user's two repositories", list.GetTotalCount(), names)
	}
}

// TestGitHubAppOracleRefusals: GitHub's refusals reach go-github as *github.ErrorResponse, with
// their status and message.
func TestGitHubAppOracleRefusals(t *testing.T) {
	t.Parallel()
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		jwt     func(t *testing.T) string
		call    func(context.Context, *github.AppsService) error
		status  int
		message string
	}{
		{"an organization without the app", nil, func(ctx context.Context, a *github.AppsService) error {
			_, _, err := a.FindOrganizationInstallation(ctx, "someone-else")
			return err
		}, http.StatusNotFound, "Not Found"},
		{"a user as an organization", nil, func(ctx context.Context, a *github.AppsService) error {
			_, _, err := a.FindOrganizationInstallation(ctx, tokenserver.GitHubUser)
			return err
		}, http.StatusNotFound, "Not Found"},
		{"a repository outside the installation", nil, func(ctx context.Context, a *github.AppsService) error {
			_, _, err := a.FindRepositoryInstallation(ctx, tokenserver.GitHubOrg, "dotfiles")
			return err
		}, http.StatusNotFound, "Not Found"},
		{"an unknown installation", nil, func(ctx context.Context, a *github.AppsService) error {
			_, _, err := a.GetInstallation(ctx, 99999)
			return err
		}, http.StatusNotFound, "Not Found"},
		{"a permission above the installation's", nil, func(ctx context.Context, a *github.AppsService) error {
			_, _, err := a.CreateInstallationToken(ctx, tokenserver.GitHubUserInstallationID, &github.InstallationTokenOptions{
				Permissions: &github.InstallationPermissions{Contents: github.Ptr("write")}})
			return err
		}, http.StatusUnprocessableEntity, "The permissions requested are not granted to this installation."},
		{"a permission the installation lacks", nil, func(ctx context.Context, a *github.AppsService) error {
			_, _, err := a.CreateInstallationToken(ctx, tokenserver.GitHubUserInstallationID, &github.InstallationTokenOptions{
				Permissions: &github.InstallationPermissions{Issues: github.Ptr("read")}})
			return err
		}, http.StatusUnprocessableEntity, "The permissions requested are not granted to this installation."},
		{"a repository outside the installation, by name", nil, func(ctx context.Context, a *github.AppsService) error {
			_, _, err := a.CreateInstallationToken(ctx, tokenserver.GitHubOrgInstallationID, &github.InstallationTokenOptions{
				Repositories: []string{"dotfiles"}})
			return err
		}, http.StatusUnprocessableEntity,
			"There is at least one repository that does not exist or is not accessible to the parent installation."},
		{"a JWT signed by another key", func(t *testing.T) string {
			return oracleJWT(t, otherKey, tokenserver.GitHubAppClientID, 10*time.Minute)
		}, func(ctx context.Context, a *github.AppsService) error {
			_, _, err := a.CreateInstallationToken(ctx, tokenserver.GitHubOrgInstallationID, nil)
			return err
		}, http.StatusUnauthorized, "A JSON web token could not be decoded"},
		{"a JWT longer than 10 minutes", func(t *testing.T) string {
			return oracleJWT(t, oracleKey(t), tokenserver.GitHubAppClientID, 10*time.Minute+time.Second)
		}, func(ctx context.Context, a *github.AppsService) error {
			_, _, err := a.FindOrganizationInstallation(ctx, tokenserver.GitHubOrg)
			return err
		}, http.StatusUnauthorized, "'Expiration time' claim ('exp') is too far in the future"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
			c := oracleAppClient(t, ts, tokenserver.GitHubAppClientID)
			if tc.jwt != nil {
				c = oracleClient(t, ts, func() string { return tc.jwt(t) })
			}
			wantOracleError(t, tc.name, tc.call(t.Context(), c.Apps), tc.status, tc.message)
			if len(srv.IssuedFor(tokenserver.GitHubApp)) != 0 {
				t.Errorf("a refused request was issued a token")
			}
		})
	}
}

// TestGitHubAppOracleRateLimits: the hostile server's two GitHub rate limits are go-github's own
// rate limit errors, which go-github decides from the status, the headers and the
// documentation_url: *github.AbuseRateLimitError with RetryAfter for the secondary limit,
// *github.RateLimitError with the exhausted quota's reset for the primary one. go-github then
// holds its next request back itself, and a fresh client gets its token once the fault is over.
func TestGitHubAppOracleRateLimits(t *testing.T) {
	t.Parallel()
	create := func(ctx context.Context, c *github.Client) (*github.InstallationToken, error) {
		tok, _, err := c.Apps.CreateInstallationToken(ctx, tokenserver.GitHubOrgInstallationID, nil)
		return tok, err
	}
	for _, tc := range []struct {
		name  string
		fault hostile.Fault
		check func(t *testing.T, err error, sent time.Time)
		held  func(err error) bool // err is go-github's error of this limit, of a request it held back
	}{
		{"secondary", hostile.Fault{FailTimes: 1, FailWith: hostile.FailSecondaryRateLimit, RetryAfter: "7"},
			func(t *testing.T, err error, _ time.Time) {
				var abuse *github.AbuseRateLimitError
				if !errors.As(err, &abuse) {
					t.Fatalf("got %T %v, want a *github.AbuseRateLimitError", err, err)
				}
				if abuse.GetRetryAfter() != 7*time.Second || !strings.HasPrefix(abuse.Message, hostile.SecondaryRateLimitMessage) ||
					abuse.Response.StatusCode != http.StatusForbidden {
					t.Errorf("RetryAfter %v, status %d, message %q; want 7s, 403 and GitHub's message", abuse.GetRetryAfter(),
						abuse.Response.StatusCode, abuse.Message)
				}
			}, func(err error) bool {
				var abuse *github.AbuseRateLimitError
				return errors.As(err, &abuse) && abuse.GetRetryAfter() > 0 && abuse.GetRetryAfter() <= 7*time.Second
			}},
		{"exhausted", hostile.Fault{FailTimes: 1, FailWith: hostile.FailRateLimitExhausted, RetryAfter: "120"},
			func(t *testing.T, err error, sent time.Time) {
				var limit *github.RateLimitError
				if !errors.As(err, &limit) {
					t.Fatalf("got %T %v, want a *github.RateLimitError", err, err)
				}
				r := limit.Rate
				if r.Remaining != 0 || r.Limit != 5000 || r.Reset.Before(sent.Add(119*time.Second)) ||
					r.Reset.After(time.Now().Add(121*time.Second)) || limit.Response.StatusCode != http.StatusForbidden ||
					limit.Message != "API rate limit exceeded for installation ID 1001." {
					t.Errorf("rate %+v, status %d, message %q; want none of 5000 left for 120 s, 403 and GitHub's message",
						r, limit.Response.StatusCode, limit.Message)
				}
			}, func(err error) bool {
				var limit *github.RateLimitError
				return errors.As(err, &limit) && limit.Rate.Remaining == 0 && limit.Rate.Reset.After(time.Now().Add(100*time.Second))
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
			srv.SetFault(tokenserver.GitHubApp, tc.fault)
			c := oracleAppClient(t, ts, tokenserver.GitHubAppClientID)
			sent := time.Now()
			_, err := create(t.Context(), c)
			tc.check(t, err, sent)

			// go-github took the wait for real: it does not send the next request.
			if _, err = create(t.Context(), c); !tc.held(err) {
				t.Errorf("the next request: %T %v, want go-github to hold it back for the limit", err, err)
			}
			if n := srv.Requests(tokenserver.GitHubApp); n != 1 {
				t.Errorf("the token endpoint saw %d requests, want 1: go-github should hold back the second", n)
			}

			tok, err := create(t.Context(), oracleAppClient(t, ts, tokenserver.GitHubAppClientID))
			if err != nil || !slices.Contains(srv.Issued(), tok.GetToken()) {
				t.Errorf("after the fault: %v", err)
			}
		})
	}
}

// TestGitHubAppOracleListReposPages: go-github pages through the repositories a token may see
// with per_page and page, following the Link header's next until there is none, as GitHub's
// docs describe; each page counts them all in total_count. A page past the last is empty.
func TestGitHubAppOracleListReposPages(t *testing.T) {
	t.Parallel()
	_, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	tok, _, err := oracleAppClient(t, ts, tokenserver.GitHubAppClientID).Apps.CreateInstallationToken(t.Context(),
		tokenserver.GitHubOrgInstallationID, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := oracleClient(t, ts, tok.GetToken)
	var names []string
	type pages struct{ next, prev, first, last int }
	var seen []pages
	opts := &github.ListOptions{PerPage: 1}
	for range 10 { // a server that ignored paging would never end a naive walk; this one must in 3
		list, resp, err := c.Apps.ListRepos(t.Context(), opts)
		if err != nil {
			t.Fatal(err)
		}
		if list.GetTotalCount() != 3 || len(list.Repositories) != 1 {
			t.Errorf("page %d: total_count %d, %d repositories; want 3 and 1", opts.Page, list.GetTotalCount(), len(list.Repositories))
		}
		names = append(names, oracleRepoNames(list.Repositories)...)
		seen = append(seen, pages{resp.NextPage, resp.PrevPage, resp.FirstPage, resp.LastPage})
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	if want := []string{"infra", "website", "docs"}; !slices.Equal(names, want) {
		t.Errorf("paged through %v, want %v", names, want)
	}
	if want := []pages{{2, 0, 0, 3}, {3, 1, 1, 3}, {0, 2, 1, 0}}; !slices.Equal(seen, want) {
		t.Errorf("next, prev, first and last of each page %v, want %v", seen, want)
	}

	list, _, err := c.Apps.ListRepos(t.Context(), &github.ListOptions{PerPage: 2, Page: 5})
	if err != nil {
		t.Fatal(err)
	}
	if list.GetTotalCount() != 3 || len(list.Repositories) != 0 {
		t.Errorf("a page past the last: %d of %d repositories, want none of 3", len(list.Repositories), list.GetTotalCount())
	}
	list, resp, err := c.Apps.ListRepos(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Repositories) != 3 || resp.Header.Get("Link") != "" {
		t.Errorf("without paging: %d repositories, Link %q; want all 3 and no Link", len(list.Repositories), resp.Header.Get("Link"))
	}
}
