package grant

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// GitHubApp is GitHub's App installation token API (docs.github.com, "Authenticating as a GitHub
// App installation"). It is not OAuth: the app authenticates with a JWT it signs RS256 with its
// private key, finds the installation (by owner or repository, unless its ID is given), and POSTs
// /app/installations/{id}/access_tokens with a JSON body that narrows the token to repositories
// and permissions. The answer is GitHub's own shape ("token", "expires_at"), not RFC 6749's, and
// a token is revoked with DELETE /installation/token, authorized by itself. GitHub's secondary
// rate limit answers 403 or 429 with Retry-After, or x-ratelimit-remaining 0 and x-ratelimit-reset.
var GitHubApp = register(&API{
	Name:      "github_app",
	Title:     "GitHub App",
	check:     githubAppCheck,
	endpoints: (*Client).githubAppEndpoints,
	encode:    githubAppEncode,
	parse:     parseGitHubAppToken,
	revoke:    githubAppRevocation,
	throttled: githubRateLimited,
})

// GitHubAPIURL is the REST API of github.com; GitHub Enterprise Server's is https://HOST/api/v3.
const GitHubAPIURL = "https://api.github.com"

// githubAPIVersion is the REST API version the requests ask for (X-GitHub-Api-Version).
const githubAPIVersion = "2022-11-28"

// githubAppJWTLifetime: GitHub refuses an app JWT whose exp is more than 10 minutes after its
// iat; iat is backdated by githubClockDrift, as GitHub's docs advise against clock drift.
const (
	githubAppJWTLifetime = 10 * time.Minute
	githubClockDrift     = 60 * time.Second
)

// githubSecondaryWait is how long GitHub's docs say to wait after a secondary rate limit that
// names no time: "at least one minute".
const githubSecondaryWait = time.Minute

// Installation is what GitHub says of an installation token beyond the token itself.
type Installation struct {
	ID                  int64
	Permissions         map[string]string // as granted: {"contents": "read", ...}
	Repositories        []string          // names without the owner; nil when the answer lists none
	RepositorySelection string            // "all" or "selected"
}

var (
	githubName      = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	githubLevels    = []string{"read", "write", "admin"}
	githubPermKey   = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	positiveInteger = regexp.MustCompile(`^[1-9][0-9]*$`)
)

// githubAppCheck validates a GitHub App request before anything is sent.
func githubAppCheck(r Request) *Error {
	fail := func(s Setting, msg string) *Error {
		return &Error{API: r.API, Kind: KindConfig, Setting: s, Message: msg}
	}
	if err := CheckTokenURL(r.APIURL); err != nil {
		return fail(SettingAPIURL, "the API URL: "+err.Error())
	}
	switch {
	case r.AppID == "" && r.ClientID == "":
		return fail(SettingAppID, "the app ID or the client ID is required: the app's JWT names one of them as its issuer")
	case r.AppID != "" && !positiveInteger.MatchString(r.AppID):
		return fail(SettingAppID, "the app ID is a number, such as 123456 (the App ID on the app's settings page); "+
			"a client ID (Iv23li...) goes in the client ID instead")
	case r.PrivateKeyPEM == "":
		return fail(SettingPrivateKey, "the app's private key is required: the .pem file generated on the app's settings page")
	case r.InstallationID == "" && r.Owner == "":
		return fail(SettingInstallationID, "the installation ID or the owner (an organization or user that installed the app) is required")
	case r.InstallationID != "" && !positiveInteger.MatchString(r.InstallationID):
		return fail(SettingInstallationID, "the installation ID is a number, such as 12345678 (the end of the installation's settings URL)")
	case r.Owner != "" && !githubName.MatchString(r.Owner):
		return fail(SettingOwner, "the owner is an organization or user name, such as octo-org, without https:// or slashes")
	}
	if _, err := githubAppKey(r.PrivateKeyPEM); err != nil {
		return fail(SettingPrivateKey, err.Error())
	}
	for _, repo := range r.Repositories {
		if strings.Contains(repo, "/") {
			return fail(SettingRepositories, "repositories are names without the owner: "+strconv.Quote(repo[strings.LastIndex(repo, "/")+1:])+
				", not "+strconv.Quote(repo)+"; the owner is the installation's")
		}
		if !githubName.MatchString(repo) {
			return fail(SettingRepositories, strconv.Quote(repo)+" is not a repository name")
		}
	}
	for name, level := range r.Permissions {
		if !githubPermKey.MatchString(name) {
			return fail(SettingPermissions, strconv.Quote(name)+" is not a GitHub App permission name, such as contents or pull_requests")
		}
		if !slices.Contains(githubLevels, level) {
			return fail(SettingPermissions, "permission "+name+" is "+strconv.Quote(level)+"; the levels are read, write and admin")
		}
	}
	return nil
}

// githubAppKey reads the app's private key: GitHub issues RSA keys (PKCS#1) and signs RS256 only.
func githubAppKey(pemText string) (*rsa.PrivateKey, error) {
	key, _, err := parseSigningKey(pemText)
	if err != nil {
		return nil, err
	}
	rsaKey, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("the private key is not RSA: GitHub App keys are RSA keys, downloaded as a .pem file from the app's settings page")
	}
	return rsaKey, nil
}

// githubAppJWT is the app's own token (docs.github.com, "Generating a JSON Web Token for a GitHub
// App"): RS256, iat a minute in the past against clock drift, exp 10 minutes after iat, and iss
// the client ID (GitHub's recommendation) or else the app ID, as a string: RFC 7519 makes iss a
// StringOrURI, verifiers such as golang-jwt refuse a number, and ghinstallation sends a string too.
func githubAppJWT(r Request, now time.Time) (string, error) {
	key, err := githubAppKey(r.PrivateKeyPEM)
	if err != nil {
		return "", err
	}
	iat := now.Add(-githubClockDrift)
	iss := r.ClientID
	if iss == "" {
		iss = r.AppID
	}
	return signJWT(map[string]string{"typ": "JWT", "alg": "RS256"},
		map[string]any{"iat": iat.Unix(), "exp": iat.Add(githubAppJWTLifetime).Unix(), "iss": iss},
		func(input string) ([]byte, error) { return signDigest(key, input) })
}

// githubHeaders are what GitHub's docs send with every REST request; auth is the Authorization value.
func githubHeaders(auth string) http.Header {
	h := http.Header{}
	h.Set("Accept", "application/vnd.github+json")
	h.Set("X-GitHub-Api-Version", githubAPIVersion)
	h.Set("Authorization", auth)
	return h
}

// githubAppEncode is the token request: the app's JWT, and the narrowing as a JSON body.
func githubAppEncode(r Request) ([]byte, http.Header, error) {
	jwt, err := githubAppJWT(r, time.Now())
	if err != nil {
		return nil, nil, err
	}
	body, err := json.Marshal(struct {
		Repositories []string          `json:"repositories,omitempty"`
		Permissions  map[string]string `json:"permissions,omitempty"`
	}{r.Repositories, r.Permissions})
	h := githubHeaders("Bearer " + jwt)
	h.Set("Content-Type", "application/json")
	return body, h, err
}

// githubAppEndpoints finds the installation when only its owner is known, and sets the token
// and revocation endpoints on the API URL.
func (c *Client) githubAppEndpoints(ctx context.Context, r *Request) error {
	base := strings.TrimRight(r.APIURL, "/")
	if r.InstallationID == "" {
		id, err := c.githubInstallation(ctx, *r, base)
		if err != nil {
			return err
		}
		r.InstallationID = id
	}
	r.TokenURL = base + "/app/installations/" + r.InstallationID + "/access_tokens"
	if r.RevocationURL == "" {
		r.RevocationURL = base + "/installation/token"
	}
	return nil
}

// installationLookups remember each installation found for an owner, for the provider process's
// run: an installation's ID never changes, and identical blocks (or one block, at plan and again
// at apply) would otherwise look it up each time. Concurrent lookups of one owner share a request.
type installationLookups struct {
	found  sync.Map // lookup key -> installation ID
	flight singleflight.Group
}

// githubInstallation returns the installation of r's owner, looked up once per client.
func (c *Client) githubInstallation(ctx context.Context, r Request, base string) (string, error) {
	key := strings.Join([]string{base, r.AppID, r.ClientID, strings.ToLower(r.Owner), strings.ToLower(firstOf(r.Repositories))}, "\x00")
	if id, ok := c.installations.found.Load(key); ok {
		return id.(string), nil //nolint:forcetypeassert // only strings are stored
	}
	flight, cancel := detached(ctx) // the grant's time limit, not its cancellation, as Discover does
	ch := c.installations.flight.DoChan(key, func() (any, error) {
		defer cancel()
		id, err := c.lookUpInstallation(flight, r, base)
		if err == nil {
			c.installations.found.Store(key, id)
		}
		return id, err
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return "", res.Err
		}
		return res.Val.(string), nil //nolint:forcetypeassert // the flight returns a string
	case <-ctx.Done():
		return "", c.contextError(ctx, r, hostOf(Request{TokenURL: base}), 0, nil)
	}
}

func firstOf(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[0]
}

// lookUpInstallation looks the installation up: by the first repository when repositories are
// given (the token must cover it anyway), else as an organization's, then as a user's.
func (c *Client) lookUpInstallation(ctx context.Context, r Request, base string) (string, error) {
	owner := url.PathEscape(r.Owner)
	paths := []string{"/orgs/" + owner + "/installation", "/users/" + owner + "/installation"}
	where := "the owner " + r.Owner
	if len(r.Repositories) > 0 {
		paths = []string{"/repos/" + owner + "/" + url.PathEscape(r.Repositories[0]) + "/installation"}
		where = "the repository " + r.Owner + "/" + r.Repositories[0]
	}
	var last error
	for _, p := range paths {
		var found struct {
			ID json.Number `json:"id"`
		}
		lookup := r
		lookup.TokenURL = base + p // for the messages and the host
		_, err := c.exchange(ctx, lookup, r.Secrets(), func() (*http.Request, error) {
			jwt, err := githubAppJWT(r, time.Now())
			if err != nil {
				return nil, err
			}
			req, err := http.NewRequest(http.MethodGet, lookup.TokenURL, nil)
			if err != nil {
				return nil, err
			}
			req.Header = githubHeaders("Bearer " + jwt)
			if c.cfg.UserAgent != "" {
				req.Header.Set("User-Agent", c.cfg.UserAgent)
			}
			return req, nil
		}, func(body []byte, _ time.Time, _ *redactor) (*Token, *Error) {
			if json.Unmarshal(body, &found) != nil || !positiveInteger.MatchString(found.ID.String()) {
				return nil, &Error{Kind: KindResponse, Message: "the installation lookup's answer has no installation id"}
			}
			return &Token{}, nil
		})
		if err == nil {
			return found.ID.String(), nil
		}
		last = err
		var e *Error
		if !errors.As(err, &e) || e.Status != http.StatusNotFound {
			return "", err
		}
		e.Message = joinMessage(e.Message, "the app is not installed for "+where)
	}
	return "", last
}

// githubAppTokenResponse is the answer to POST /app/installations/{id}/access_tokens.
type githubAppTokenResponse struct {
	Token               string            `json:"token"`
	ExpiresAt           string            `json:"expires_at"`
	Permissions         map[string]string `json:"permissions"`
	RepositorySelection string            `json:"repository_selection"`
	Repositories        []struct {
		Name string `json:"name"`
	} `json:"repositories"`
}

// parseGitHubAppToken reads GitHub's answer. Its errors never quote the body.
func parseGitHubAppToken(r Request, body []byte, receivedAt time.Time) (*Token, error) {
	var resp githubAppTokenResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, errors.New("the response is not a GitHub installation token object: " + jsonErrorSummary(err, len(body)))
	}
	if resp.Token == "" {
		return nil, errors.New("the response has no token")
	}
	id, _ := strconv.ParseInt(r.InstallationID, 10, 64) // checked to be digits
	t := &Token{AccessToken: resp.Token, Scopes: []string{},
		Installation: &Installation{ID: id, Permissions: resp.Permissions, RepositorySelection: resp.RepositorySelection}}
	if t.Installation.Permissions == nil {
		t.Installation.Permissions = map[string]string{}
	}
	if resp.Repositories != nil {
		t.Installation.Repositories = []string{}
		for _, repo := range resp.Repositories {
			t.Installation.Repositories = append(t.Installation.Repositories, repo.Name)
		}
	}
	if resp.ExpiresAt != "" {
		exp, err := time.Parse(time.RFC3339, resp.ExpiresAt)
		if err != nil {
			return nil, errors.New("the response's expires_at is not an RFC 3339 time")
		}
		t.ExpiresAt = exp.UTC()
		t.ExpiresIn = max(0, int64(exp.Sub(receivedAt)/time.Second))
	}
	return t, nil
}

// githubAppRevocation is DELETE /installation/token, authorized by the token itself.
func githubAppRevocation(endpoint, token string) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodDelete, endpoint, nil)
	if err != nil {
		return nil, err
	}
	req.Header = githubHeaders("Bearer " + token)
	return req, nil
}

// githubRateLimited reads GitHub's rate limits (docs.github.com, "Rate limits for the REST API"):
// a 403 or 429 with Retry-After is the secondary limit, to wait out for that long; one with
// x-ratelimit-remaining 0 is the primary limit, until x-ratelimit-reset (epoch seconds); a
// secondary limit without either header is waited out for a minute, as the docs say. Any other
// 403 is a refusal (a permission the app lacks), final like every 4xx.
func githubRateLimited(status int, h http.Header, message string, now time.Time) (time.Duration, bool) {
	if status != http.StatusForbidden && status != http.StatusTooManyRequests {
		return 0, false
	}
	if d := retryAfterDelay(h.Get("Retry-After"), now); d > 0 {
		return d, true
	}
	if strings.TrimSpace(h.Get("X-Ratelimit-Remaining")) != "0" {
		if strings.Contains(strings.ToLower(message), "secondary rate limit") {
			return githubSecondaryWait, true
		}
		return 0, false
	}
	reset, err := strconv.ParseInt(strings.TrimSpace(h.Get("X-Ratelimit-Reset")), 10, 64)
	if err != nil {
		return 0, false
	}
	// At least a second: the reset is whole seconds, and GitHub's clock may run behind.
	return max(time.Unix(reset, 0).Sub(now), time.Second), true
}
