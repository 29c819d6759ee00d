package tokenserver_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

var gitHubAppTest = apiTest{
	credentials: tokenserver.Credentials{ClientID: tokenserver.GitHubAppClientID},
	clients: func() map[string]string {
		return map[string]string{tokenserver.GitHubAppClientID: tokenserver.GitHubAppPublicKeyPEM()}
	},
	clientKey:    tokenserver.GitHubAppPublicKeyPEM(),
	request:      func() request { return gitHubTokenRequest(tokenserver.GitHubOrgInstallationID, "") },
	success:      gitHubSuccess,
	strict:       nil, // GitHub's errors are not RFC 6749's: TestGitHubAppTokenRefusals checks them
	resourcePath: "/installation/repositories",
	subject:      tokenserver.GitHubOrg,
	tokenStatus:  http.StatusCreated,
	tokenField:   "token",
	resourceAnswer: func(t *testing.T, m map[string]any) {
		if m["total_count"] != json.Number("3") || m["repository_selection"] != "selected" ||
			!slices.Equal(repoNames(t, m), []string{"infra", "website", "docs"}) {
			t.Errorf("answer %v, want the organization's three repositories", m)
		}
	},
	resourceRefusal: func(t *testing.T, resp *http.Response, b []byte) {
		wantGitHubError(t, resp, b, http.StatusUnauthorized, "Bad credentials")
	},
}

// gitHubKey is the test app's private key, parsed from GitHubAppKeyPEM, which must be PKCS#1;
// nil if it is not (TestGitHubAppKeys says so).
var gitHubKey = sync.OnceValue(func() *rsa.PrivateKey {
	block, _ := pem.Decode([]byte(tokenserver.GitHubAppKeyPEM()))
	if block == nil || block.Type != "RSA PRIVATE KEY" {
		return nil
	}
	k, _ := x509.ParsePKCS1PrivateKey(block.Bytes)
	return k
})

// appJWT is a good JWT of the test app (iss its client ID, iat 30 s ago, exp 9.5 minutes on),
// signed with its key; change, if set, edits the claims first.
func appJWT(t *testing.T, change func(claims map[string]any)) string {
	t.Helper()
	if gitHubKey() == nil {
		t.Fatal("GitHubAppKeyPEM is not an RSA key in PEM PKCS#1")
	}
	return freshJWT(change)
}

// freshJWT is appJWT for places without a *testing.T (apiTest.request).
func freshJWT(change func(claims map[string]any)) string {
	now := time.Now().Unix()
	claims := map[string]any{"iss": tokenserver.GitHubAppClientID, "iat": now - 30, "exp": now + 540}
	if change != nil {
		change(claims)
	}
	return rs256(claims, gitHubKey())
}

// rs256 is the compact JWS of claims, signed RS256 with key; "" if it cannot be signed.
func rs256(claims map[string]any, key *rsa.PrivateKey) string {
	c, err := json.Marshal(claims)
	if err != nil || key == nil {
		return ""
	}
	enc := base64.RawURLEncoding
	input := enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc.EncodeToString(c)
	digest := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		return ""
	}
	return input + "." + enc.EncodeToString(sig)
}

// gitHubGet is a GitHub API request as the docs show it: Accept, the API version, a User-Agent
// and an app JWT, to path.
func gitHubGet(path, jwt string) request {
	r := request{api: tokenserver.GitHubApp, method: http.MethodGet, path: path, header: http.Header{}}
	r.header.Set("Accept", "application/vnd.github+json")
	r.header.Set("X-GitHub-Api-Version", "2022-11-28")
	r.header.Set("User-Agent", "authtoken-test/1.0")
	if jwt != "" {
		r.header.Set("Authorization", "Bearer "+jwt)
	}
	return r
}

// gitHubTokenRequest is the documented token request for the installation, with body.
func gitHubTokenRequest(id int64, body string) request {
	// The JWT is made when the request is, with a fresh signature: tests build one per request.
	r := gitHubGet(tokenserver.GitHubAppTokenPath(id), "")
	r.method, r.body = http.MethodPost, body
	if body != "" {
		r.header.Set("Content-Type", "application/json")
	}
	r.header.Set("Authorization", "Bearer "+freshJWT(nil))
	return r
}

// gitHubTokenPattern is GitHub's installation token: ghs_ and 36 letters and digits.
var gitHubTokenPattern = regexp.MustCompile(`^ghs_[A-Za-z0-9]{36}$`)

// wantGitHubError checks GitHub's error shape: JSON {message, documentation_url, status} with the
// status as a string, and the rate limit headers.
func wantGitHubError(t *testing.T, resp *http.Response, b []byte, status int, message string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d: %s", resp.StatusCode, status, b)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	m := decodeObject(t, b)
	doc, _ := m["documentation_url"].(string)
	if m["message"] != message || m["status"] != strconv.Itoa(status) || !strings.HasPrefix(doc, "https://docs.github.com/") || len(m) != 3 {
		t.Errorf("body %s, want message %q and status %q", b, message, strconv.Itoa(status))
	}
	wantRateLimitHeaders(t, resp)
}

// wantRateLimitHeaders checks that the answer carries GitHub's rate limit headers.
func wantRateLimitHeaders(t *testing.T, resp *http.Response) {
	t.Helper()
	limit, _ := strconv.Atoi(resp.Header.Get("X-RateLimit-Limit"))
	remaining, err1 := strconv.Atoi(resp.Header.Get("X-RateLimit-Remaining"))
	used, err2 := strconv.Atoi(resp.Header.Get("X-RateLimit-Used"))
	reset, err3 := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64)
	if limit <= 0 || err1 != nil || err2 != nil || err3 != nil || remaining+used != limit ||
		reset < time.Now().Unix() || reset > time.Now().Add(time.Hour+time.Minute).Unix() ||
		resp.Header.Get("X-RateLimit-Resource") != "core" {
		t.Errorf("rate limit headers %v", resp.Header)
	}
}

// repoNames returns the names of an answer's repositories, in order.
func repoNames(t *testing.T, m map[string]any) []string {
	t.Helper()
	repos, _ := m["repositories"].([]any)
	names := []string{}
	for _, r := range repos {
		obj, _ := r.(map[string]any)
		full, _ := obj["full_name"].(string)
		owner, _ := obj["owner"].(map[string]any)
		name, _ := obj["name"].(string)
		if _, isBool := obj["private"].(bool); !isBool || obj["id"] == nil || full != owner["login"].(string)+"/"+name {
			t.Errorf("repository %v lacks id, name, full_name, private or owner", obj)
		}
		names = append(names, name)
	}
	return names
}

func gitHubSuccess(t *testing.T, c *http.Client, ts *httptest.Server) {
	t.Run("github_app", func(t *testing.T) {
		resp, b := send(t, c, ts, gitHubTokenRequest(tokenserver.GitHubOrgInstallationID, ""))
		wantStatus(t, resp, http.StatusCreated)
		m := decodeObject(t, b)
		tok, _ := m["token"].(string)
		if !gitHubTokenPattern.MatchString(tok) || m["repository_selection"] != "selected" {
			t.Errorf("token of %d bytes (value withheld), selection %v", len(tok), m["repository_selection"])
		}
		if ks := slices.Sorted(maps.Keys(m)); !slices.Equal(ks, []string{"expires_at", "permissions", "repository_selection", "token"}) {
			t.Errorf("fields %v: without repositories asked for, GitHub lists none", ks)
		}
	})
}

// TestGitHubAppLookups: each documented way to find an installation, with the app's JWT.
func TestGitHubAppLookups(t *testing.T) {
	t.Parallel()
	s, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	c := ts.Client()
	org, user := int64(tokenserver.GitHubOrgInstallationID), int64(tokenserver.GitHubUserInstallationID)
	for path, want := range map[string]int64{
		"/orgs/authtoken-test-org/installation":               org,
		"/orgs/AUTHTOKEN-Test-Org/installation":               org, // logins are case-insensitive
		"/users/authtoken-test-user/installation":             user,
		"/users/authtoken-test-org/installation":              org, // /users/ resolves organizations too
		"/repos/authtoken-test-org/infra/installation":        org,
		"/repos/authtoken-test-org/Docs/installation":         org,
		"/repos/authtoken-test-user/notes/installation":       user,
		"/app/installations/1001":                             org,
		"/app/installations/1002":                             user,
		"/orgs/authtoken-test-user/installation":              0, // a user is no organization
		"/orgs/someone-else/installation":                     0,
		"/users/someone-else/installation":                    0,
		"/repos/authtoken-test-org/not-selected/installation": 0, // not among the selected repositories
		"/repos/someone-else/infra/installation":              0,
		"/app/installations/1003":                             0,
		"/app/installations/abc":                              0,
	} {
		t.Run(path, func(t *testing.T) {
			resp, b := send(t, c, ts, gitHubGet(path, appJWT(t, nil)))
			if want == 0 {
				wantGitHubError(t, resp, b, http.StatusNotFound, "Not Found")
				return
			}
			wantStatus(t, resp, http.StatusOK)
			wantRateLimitHeaders(t, resp)
			wantInstallation(t, ts, decodeObject(t, b), want)
		})
	}
	t.Run("app ID as iss, a number and a string", func(t *testing.T) {
		for _, iss := range []any{424242, tokenserver.GitHubAppID} {
			jwt := appJWT(t, func(c map[string]any) { c["iss"] = iss })
			resp, b := send(t, c, ts, gitHubGet("/orgs/"+tokenserver.GitHubOrg+"/installation", jwt))
			wantStatus(t, resp, http.StatusOK)
			if m := decodeObject(t, b); m["client_id"] != tokenserver.GitHubAppClientID {
				t.Errorf("iss %v: client_id %v", iss, m["client_id"])
			}
		}
	})
	t.Run("POST", func(t *testing.T) {
		r := gitHubGet("/orgs/"+tokenserver.GitHubOrg+"/installation", appJWT(t, nil))
		r.method = http.MethodPost
		resp, b := send(t, c, ts, r)
		wantGitHubError(t, resp, b, http.StatusNotFound, "Not Found")
	})
	if n := s.Requests(tokenserver.GitHubApp); n != 0 || len(s.Issued()) != 0 {
		t.Errorf("lookups counted as %d token requests, %d tokens issued", n, len(s.Issued()))
	}
}

// wantInstallation checks an installation object: its ID, account, selection, URLs on the
// server's own base URL, permissions and app.
func wantInstallation(t *testing.T, ts *httptest.Server, m map[string]any, id int64) {
	t.Helper()
	account, _ := m["account"].(map[string]any)
	perms, _ := m["permissions"].(map[string]any)
	want := map[int64]struct{ login, typ, selection, contents string }{
		tokenserver.GitHubOrgInstallationID:  {tokenserver.GitHubOrg, "Organization", "selected", "write"},
		tokenserver.GitHubUserInstallationID: {tokenserver.GitHubUser, "User", "all", "read"},
	}[id]
	if m["id"] != json.Number(strconv.FormatInt(id, 10)) || account["login"] != want.login || account["type"] != want.typ ||
		m["target_type"] != want.typ || m["repository_selection"] != want.selection || perms["contents"] != want.contents ||
		perms["metadata"] != "read" || m["app_id"] != json.Number(tokenserver.GitHubAppID) {
		t.Errorf("installation %v, want %d of %s", m, id, want.login)
	}
	if m["access_tokens_url"] != ts.URL+tokenserver.GitHubAppTokenPath(id) || m["repositories_url"] != ts.URL+"/installation/repositories" {
		t.Errorf("access_tokens_url %v repositories_url %v, want them on %s", m["access_tokens_url"], m["repositories_url"], ts.URL)
	}
}

// TestGitHubAppToken: the token endpoint answers 201 with a token of the installation's
// permissions and selection, or of the ones the body narrows it to, and records it as every
// API's token endpoint does.
func TestGitHubAppToken(t *testing.T) {
	t.Parallel()
	cfg := tokenserver.DefaultConfig()
	cfg.TokenLifetimes = map[tokenserver.API]time.Duration{tokenserver.GitHubApp: 20 * time.Minute}
	s, ts := testsupport.TokenServer(t, cfg)
	c := ts.Client()
	for _, tc := range []struct {
		name      string
		id        int64
		body      string
		perms     map[string]string
		selection string
		repos     []string // the repositories of the answer; nil: it has none
		sees      []string // what GitHubAppGrant and the resource endpoint say the token sees
	}{
		{"organization, all of it", tokenserver.GitHubOrgInstallationID, "",
			map[string]string{"contents": "write", "issues": "write", "metadata": "read", "pull_requests": "write"},
			"selected", nil, []string{"infra", "website", "docs"}},
		{"user, all of it, empty object", tokenserver.GitHubUserInstallationID, "{}",
			map[string]string{"contents": "read", "metadata": "read"}, "all", nil, []string{"dotfiles", "notes"}},
		{"narrowed by name and permission", tokenserver.GitHubOrgInstallationID,
			`{"repositories":["docs","Infra"],"permissions":{"contents":"read","issues":"write"}}`,
			map[string]string{"contents": "read", "issues": "write", "metadata": "read"}, "selected",
			[]string{"infra", "docs"}, []string{"infra", "docs"}},
		{"narrowed by ID, an all installation", tokenserver.GitHubUserInstallationID, `{"repository_ids":[3002]}`,
			map[string]string{"contents": "read", "metadata": "read"}, "selected", []string{"notes"}, []string{"notes"}},
		{"permissions only", tokenserver.GitHubUserInstallationID, `{"permissions":{"metadata":"read"}}`,
			map[string]string{"metadata": "read"}, "all", nil, []string{"dotfiles", "notes"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := s.Requests(tokenserver.GitHubApp)
			r := gitHubTokenRequest(tc.id, tc.body)
			began := time.Now()
			resp, b := send(t, c, ts, r)
			wantStatus(t, resp, http.StatusCreated)
			wantRateLimitHeaders(t, resp)
			m := decodeObject(t, b)
			tok, _ := m["token"].(string)
			if !gitHubTokenPattern.MatchString(tok) {
				t.Errorf("token is not ghs_ and 36 letters and digits (%d characters)", len(tok))
			}
			exp, err := time.Parse(time.RFC3339, m["expires_at"].(string))
			if err != nil || !strings.HasSuffix(m["expires_at"].(string), "Z") ||
				exp.Before(began.Add(20*time.Minute-time.Second)) || exp.After(time.Now().Add(20*time.Minute)) {
				t.Errorf("expires_at %v, want RFC 3339 UTC 20 minutes on (the API's lifetime)", m["expires_at"])
			}
			perms := map[string]string{}
			for k, v := range m["permissions"].(map[string]any) {
				perms[k], _ = v.(string)
			}
			if !maps.Equal(perms, tc.perms) || m["repository_selection"] != tc.selection {
				t.Errorf("permissions %v selection %v, want %v %s", perms, m["repository_selection"], tc.perms, tc.selection)
			}
			if _, has := m["repositories"]; has != (tc.repos != nil) || (has && !slices.Equal(repoNames(t, m), tc.repos)) {
				t.Errorf("repositories %v, want %v", m["repositories"], tc.repos)
			}
			gotPerms, sees, ok := s.GitHubAppGrant(tok)
			if !ok || !maps.Equal(gotPerms, tc.perms) || !slices.Equal(sees, tc.sees) {
				t.Errorf("GitHubAppGrant %v %v %v, want %v %v", gotPerms, sees, ok, tc.perms, tc.sees)
			}
			_, rb := callResource(t, c, ts, tokenserver.GitHubApp, http.MethodGet, "token "+tok)
			if got := repoNames(t, decodeObject(t, rb)); !slices.Equal(got, tc.sees) {
				t.Errorf("the resource endpoint lists %v, want %v", got, tc.sees)
			}
			last := s.LastRequest(tokenserver.GitHubApp)
			if s.Requests(tokenserver.GitHubApp) != before+1 || string(last.Body) != tc.body || last.Path != r.path {
				t.Errorf("Requests %d -> %d, LastRequest %s %q", before, s.Requests(tokenserver.GitHubApp), last.Path, last.Body)
			}
			if issued := s.IssuedFor(tokenserver.GitHubApp); len(issued) == 0 || issued[len(issued)-1] != tok || !slices.Contains(s.Issued(), tok) {
				t.Error("IssuedFor and Issued do not end with the token")
			}
		})
	}
	if _, _, ok := s.GitHubAppGrant("ghs_unknown"); ok {
		t.Error("GitHubAppGrant of an unknown token is ok")
	}
	tenn := grantToken(t, c, ts, tokenserver.Tenn)
	if _, _, ok := s.GitHubAppGrant(tenn); ok {
		t.Error("GitHubAppGrant of a Tenn token is ok")
	}
}

// TestGitHubAppTokenRefusals: the token endpoint refuses what GitHub refuses, with GitHub's
// status and message, and issues nothing.
func TestGitHubAppTokenRefusals(t *testing.T) {
	t.Parallel()
	s, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	c := ts.Client()
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	withJWT := func(jwt string) func(*request) {
		return func(r *request) { r.header.Set("Authorization", "Bearer "+jwt) }
	}
	claims := func(change func(map[string]any)) func(*request) { return withJWT(appJWT(t, change)) }
	org := int64(tokenserver.GitHubOrgInstallationID)
	for _, tc := range []struct {
		name    string
		change  func(*request)
		status  int
		message string
	}{
		{"signed with another key", withJWT(rs256(map[string]any{"iss": tokenserver.GitHubAppClientID, "iat": now - 30,
			"exp": now + 540}, other)), 401, "A JSON web token could not be decoded"},
		{"unknown iss", claims(func(c map[string]any) { c["iss"] = "Iv23liSomeoneElse" }), 401, "Integration not found"},
		{"another app ID", claims(func(c map[string]any) { c["iss"] = 424243 }), 401, "Integration not found"},
		{"no iss", claims(func(c map[string]any) { delete(c, "iss") }), 401, "Integration not found"},
		{"exp too far", claims(func(c map[string]any) { c["iat"], c["exp"] = now-60, now+600 }), 401,
			"'Expiration time' claim ('exp') is too far in the future"},
		{"iat in the future", claims(func(c map[string]any) { c["iat"], c["exp"] = now+120, now+300 }), 401,
			"'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued"},
		{"iat not an integer", claims(func(c map[string]any) { c["iat"] = float64(now) - 0.5 }), 401,
			"'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued"},
		{"iat a string", claims(func(c map[string]any) { c["iat"] = strconv.FormatInt(now, 10) }), 401,
			"'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued"},
		{"expired", claims(func(c map[string]any) { c["iat"], c["exp"] = now-600, now-1 }), 401,
			"'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires"},
		{"no exp", claims(func(c map[string]any) { delete(c, "exp") }), 401,
			"'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires"},
		{"not a JWT", withJWT("not-a-jwt"), 401, "A JSON web token could not be decoded"},
		{"unsigned", withJWT(strings.Join(strings.Split(appJWT(t, nil), ".")[:2], ".") + "."), 401, "A JSON web token could not be decoded"},
		{"no Authorization", setHeader("Authorization", ""), 401, "A JSON web token could not be decoded"},
		{"JWT with the token scheme", func(r *request) { r.header.Set("Authorization", "token "+appJWT(t, nil)) }, 401, "Bad credentials"},
		{"bad API version", setHeader("X-GitHub-Api-Version", "v3"), 400,
			`The version you specified in the "X-GitHub-Api-Version" request header, "v3", is not a supported version. ` +
				`The following versions are currently supported: "2026-03-10" (most recent), "2022-11-28".`},
		{"no Accept", setHeader("Accept", ""), 415, "Unsupported 'Accept' header: null. Must accept 'application/json'."},
		{"wildcard Accept", setHeader("Accept", "*/*"), 415, `Unsupported 'Accept' header: ["*/*"]. Must accept 'application/json'.`},
		{"unknown installation", func(r *request) { r.path = tokenserver.GitHubAppTokenPath(9) }, 404, "Not Found"},
		{"installation not a number", func(r *request) { r.path = "/app/installations/org/access_tokens" }, 404, "Not Found"},
		{"GET", setMethod(http.MethodGet), 404, "Not Found"},
		{"permission above the installation's", setBody(`{"permissions":{"metadata":"write"}}`), 422,
			"The permissions requested are not granted to this installation."},
		{"permission the installation lacks", setBody(`{"permissions":{"actions":"read"}}`), 422,
			"The permissions requested are not granted to this installation."},
		{"misspelt permission", setBody(`{"permissions":{"pull-requests":"write"}}`), 422,
			"The permissions requested are not granted to this installation."},
		{"unknown level", setBody(`{"permissions":{"contents":"execute"}}`), 422,
			"Invalid request.\n\nFor 'properties/contents', \"execute\" is not one of [\"read\", \"write\", \"admin\"]."},
		{"repository outside", setBody(`{"repositories":["infra","secret-plans"]}`), 422,
			"There is at least one repository that does not exist or is not accessible to the parent installation."},
		{"another account's repository", setBody(`{"repositories":["dotfiles"]}`), 422,
			"There is at least one repository that does not exist or is not accessible to the parent installation."},
		{"repository ID outside", setBody(`{"repository_ids":[3001]}`), 422,
			"There is at least one repository that does not exist or is not accessible to the parent installation."},
		{"unknown key", setBody(`{"repositories":["infra"],"repo":"infra"}`), 422, "Invalid request.\n\n\"repo\" is not a permitted key."},
		{"repositories a string", setBody(`{"repositories":"infra"}`), 422,
			"Invalid request.\n\nFor 'properties/repositories', \"infra\" is not an array of strings."},
		{"not JSON", setBody(`repositories=infra`), 400, "Problems parsing JSON"},
		{"an array", setBody(`["infra"]`), 400, "Problems parsing JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := gitHubTokenRequest(org, "")
			tc.change(&r)
			resp, b := send(t, c, ts, r)
			wantGitHubError(t, resp, b, tc.status, tc.message)
		})
	}
	t.Run("no User-Agent", func(t *testing.T) {
		r := gitHubTokenRequest(org, "")
		req, _ := http.NewRequest(r.method, ts.URL+r.path, nil)
		req.Header = r.header
		req.Header["User-Agent"] = []string{""} // Go's client sends its own unless told to send none
		resp, b, err := doRequest(c, req)
		if err != nil {
			t.Fatal(err)
		}
		// GitHub's edge answers this one in plain text.
		if resp.StatusCode != 403 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") ||
			!strings.HasPrefix(string(b), "Request forbidden by administrative rules. Please make sure your request has a User-Agent header") {
			t.Errorf("status %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
		}
		wantRateLimitHeaders(t, resp)
	})
	if n := len(s.IssuedFor(tokenserver.GitHubApp)); n != 0 {
		t.Errorf("%d tokens issued to refused requests", n)
	}
	if n := s.Requests(tokenserver.GitHubApp); n != 32 {
		t.Errorf("Requests %d, want 32: refused requests count", n)
	}
}

// TestGitHubAppTokenAcceptsDocumentedVariants: what GitHub's docs and common clients send.
func TestGitHubAppTokenAcceptsDocumentedVariants(t *testing.T) {
	t.Parallel()
	_, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	c := ts.Client()
	now := time.Now().Unix()
	for name, change := range map[string]func(*request){
		"no API version":        setHeader("X-GitHub-Api-Version", ""),
		"API version 2026":      setHeader("X-GitHub-Api-Version", "2026-03-10"),
		"Accept v3 (go-github)": setHeader("Accept", "application/vnd.github.v3+json"),
		"Accept JSON":           setHeader("Accept", "application/json"),
		"JWT of the docs' span": func(r *request) { // iat now, exp ten minutes on
			r.header.Set("Authorization", "Bearer "+appJWT(t, func(c map[string]any) { c["iat"], c["exp"] = now, now+600 }))
		},
		"iat within the drift": func(r *request) {
			r.header.Set("Authorization", "Bearer "+appJWT(t, func(c map[string]any) { c["iat"], c["exp"] = now+50, now+300 }))
		},
		"lower-case bearer": func(r *request) {
			r.header.Set("Authorization", "bearer "+appJWT(t, nil))
		},
		"form Content-Type, as curl -d sends": func(r *request) {
			r.body = `{"repositories":["infra"]}`
			r.header.Set("Content-Type", "application/x-www-form-urlencoded")
		},
	} {
		t.Run(name, func(t *testing.T) {
			r := gitHubTokenRequest(tokenserver.GitHubOrgInstallationID, "")
			change(&r)
			resp, b := send(t, c, ts, r)
			if resp.StatusCode != http.StatusCreated {
				t.Errorf("status %d: %s", resp.StatusCode, b)
			}
		})
	}
}

// TestGitHubAppResource: the resource endpoint takes a live installation token with either
// scheme and counts it in Accepted; a dead, unknown or foreign token gets "Bad credentials".
func TestGitHubAppResource(t *testing.T) {
	t.Parallel()
	s, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	c := ts.Client()
	short := tokenserver.DefaultConfig()
	short.TokenLifetimes = map[tokenserver.API]time.Duration{tokenserver.GitHubApp: 50 * time.Millisecond}
	_, shortTS := testsupport.TokenServer(t, short)
	tok := grantToken(t, c, ts, tokenserver.GitHubApp)
	expired := grantToken(t, shortTS.Client(), shortTS, tokenserver.GitHubApp)
	revoked := grantToken(t, c, ts, tokenserver.GitHubApp)
	if resp, b := revokeGitHub(t, c, ts, "Bearer "+revoked); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("revocation: %d %s", resp.StatusCode, b)
	}
	time.Sleep(100 * time.Millisecond)

	for i, auth := range []string{"Bearer " + tok, "token " + tok} {
		resp, b := callResource(t, c, ts, tokenserver.GitHubApp, http.MethodGet, auth)
		wantStatus(t, resp, http.StatusOK)
		wantRateLimitHeaders(t, resp)
		gitHubAppTest.resourceAnswer(t, decodeObject(t, b))
		if got := s.Accepted(tokenserver.GitHubApp); len(got) != i+1 || got[i] != tok {
			t.Errorf("Accepted has %d tokens after %d calls", len(got), i+1)
		}
	}
	for name, tc := range map[string]struct {
		srv     *httptest.Server
		auth    []string
		method  string
		status  int
		message string
	}{
		"unknown token":  {ts, []string{"token ghs_" + strings.Repeat("a", 36)}, http.MethodGet, 401, "Bad credentials"},
		"revoked token":  {ts, []string{"Bearer " + revoked}, http.MethodGet, 401, "Bad credentials"},
		"expired token":  {shortTS, []string{"token " + expired}, http.MethodGet, 401, "Bad credentials"},
		"Tenn token":     {ts, []string{"Bearer " + grantToken(t, c, ts, tokenserver.Tenn)}, http.MethodGet, 401, "Bad credentials"},
		"the app's JWT":  {ts, []string{"Bearer " + appJWT(t, nil)}, http.MethodGet, 401, "Bad credentials"},
		"Basic":          {ts, []string{testsupport.Basic("x-access-token", tok)}, http.MethodGet, 401, "Requires authentication"},
		"no credentials": {ts, nil, http.MethodGet, 401, "Requires authentication"},
		"two headers":    {ts, []string{"Bearer " + tok, "Bearer " + tok}, http.MethodGet, 401, "Requires authentication"},
		"POST":           {ts, []string{"Bearer " + tok}, http.MethodPost, 404, "Not Found"},
	} {
		t.Run(name, func(t *testing.T) {
			resp, b := callResource(t, tc.srv.Client(), tc.srv, tokenserver.GitHubApp, tc.method, tc.auth...)
			wantGitHubError(t, resp, b, tc.status, tc.message)
		})
	}
	if got := s.Accepted(tokenserver.GitHubApp); len(got) != 2 {
		t.Errorf("Accepted has %d tokens, want the 2 good calls", len(got))
	}
}

// revokeGitHub sends GitHub's revocation, DELETE /installation/token, authorized by auth.
func revokeGitHub(t *testing.T, c *http.Client, ts *httptest.Server, auth string) (*http.Response, []byte) {
	t.Helper()
	r := gitHubGet(tokenserver.RevocationURL("", tokenserver.GitHubApp), "")
	r.method = http.MethodDelete
	if auth != "" {
		r.header.Set("Authorization", auth)
	}
	return send(t, c, ts, r)
}

// TestGitHubAppRevocation: DELETE /installation/token with the token itself: 204, then the token
// is dead; recorded as every revocation is.
func TestGitHubAppRevocation(t *testing.T) {
	t.Parallel()
	s, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	c := ts.Client()
	if tokenserver.GitHubApp.RevocationPath() != "/installation/token" {
		t.Fatalf("RevocationPath %q", tokenserver.GitHubApp.RevocationPath())
	}
	a, b := grantToken(t, c, ts, tokenserver.GitHubApp), grantToken(t, c, ts, tokenserver.GitHubApp)
	requests := s.Requests(tokenserver.GitHubApp)

	resp, body := revokeGitHub(t, c, ts, "token "+a)
	if resp.StatusCode != http.StatusNoContent || len(body) != 0 {
		t.Fatalf("status %d body %q, want 204 and none", resp.StatusCode, body)
	}
	wantRateLimitHeaders(t, resp)
	r, rb := callResource(t, c, ts, tokenserver.GitHubApp, http.MethodGet, "Bearer "+a)
	wantGitHubError(t, r, rb, 401, "Bad credentials")
	wantStatus(t, mustGet(t, c, ts, "Bearer "+b), http.StatusOK) // another token lives on

	for name, auth := range map[string]string{"again": "Bearer " + a, "unknown": "Bearer ghs_" + strings.Repeat("b", 36),
		"the app's JWT": "Bearer " + appJWT(t, nil)} {
		resp, body := revokeGitHub(t, c, ts, auth)
		t.Run(name, func(t *testing.T) { wantGitHubError(t, resp, body, 401, "Bad credentials") })
	}
	resp, body = revokeGitHub(t, c, ts, "")
	wantGitHubError(t, resp, body, 401, "Requires authentication")
	post := gitHubGet("/installation/token", "")
	post.method = http.MethodPost
	post.header.Set("Authorization", "Bearer "+b)
	resp, body = send(t, c, ts, post)
	wantGitHubError(t, resp, body, 404, "Not Found")
	wantStatus(t, mustGet(t, c, ts, "Bearer "+b), http.StatusOK)

	if got := s.Revoked(tokenserver.GitHubApp); !slices.Equal(got, []string{a}) {
		t.Errorf("Revoked has %d tokens, want the one revoked", len(got))
	}
	if n := s.Revocations(tokenserver.GitHubApp); n != 6 {
		t.Errorf("Revocations %d, want 6 (refused ones count)", n)
	}
	if last := s.LastRevocation(tokenserver.GitHubApp); last == nil || last.Method != http.MethodPost || last.Path != "/installation/token" {
		t.Errorf("LastRevocation %+v", last)
	}
	if s.Requests(tokenserver.GitHubApp) != requests {
		t.Error("revocations counted as token requests")
	}
	s.Reset()
	if s.Revocations(tokenserver.GitHubApp) != 0 || len(s.Revoked(tokenserver.GitHubApp)) != 0 {
		t.Error("Reset kept the revocation records")
	}
	wantStatus(t, mustGet(t, c, ts, "token "+a), http.StatusUnauthorized) // revoked stays revoked
}

// mustGet calls the GitHub resource endpoint with auth and returns the answer.
func mustGet(t *testing.T, c *http.Client, ts *httptest.Server, auth string) *http.Response {
	t.Helper()
	resp, _ := callResource(t, c, ts, tokenserver.GitHubApp, http.MethodGet, auth)
	return resp
}

// TestGitHubAppRateLimitHeaders: each authenticated party has its own window, counted per
// request, which Reset starts afresh.
func TestGitHubAppRateLimitHeaders(t *testing.T) {
	t.Parallel()
	s, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	c := ts.Client()
	used := func(resp *http.Response) string { return resp.Header.Get("X-RateLimit-Used") }
	lookup := func() *http.Response {
		resp, _ := send(t, c, ts, gitHubGet("/app/installations/1001", appJWT(t, nil)))
		return resp
	}
	if u1, u2 := used(lookup()), used(lookup()); u1 != "1" || u2 != "2" {
		t.Errorf("the app's requests used %s then %s, want 1 then 2", u1, u2)
	}
	tok := grantToken(t, c, ts, tokenserver.GitHubApp) // the app's third
	if got := mustGet(t, c, ts, "Bearer "+tok); used(got) != "1" || got.Header.Get("X-RateLimit-Limit") != "5000" {
		t.Errorf("the installation's first request: used %s limit %s", used(got), got.Header.Get("X-RateLimit-Limit"))
	}
	resp, _ := send(t, c, ts, gitHubGet("/app/installations/1001", "")) // unauthenticated: by address
	if resp.Header.Get("X-RateLimit-Limit") != "60" || used(resp) != "1" {
		t.Errorf("unauthenticated: limit %s used %s, want 60 and 1", resp.Header.Get("X-RateLimit-Limit"), used(resp))
	}
	if u := used(lookup()); u != "4" {
		t.Errorf("the app's fourth request used %s", u)
	}
	s.Reset()
	if u := used(lookup()); u != "1" {
		t.Errorf("after Reset the app's request used %s, want 1", u)
	}
}

// TestGitHubAppConfig: Config.Clients[GitHubApp] holds the apps, client ID to public key: an
// empty map refuses every app, and another app's key makes it known by its client ID.
func TestGitHubAppConfig(t *testing.T) {
	t.Parallel()
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := x509.MarshalPKIXPublicKey(&other.PublicKey)
	cfg := tokenserver.DefaultConfig()
	cfg.Clients[tokenserver.GitHubApp] = map[string]string{
		"Iv23liOwnApp": string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))}
	_, ts := testsupport.TokenServer(t, cfg)
	none := tokenserver.DefaultConfig()
	none.Clients[tokenserver.GitHubApp] = map[string]string{}
	_, noneTS := testsupport.TokenServer(t, none)

	own := rs256(map[string]any{"iss": "Iv23liOwnApp", "iat": time.Now().Unix(), "exp": time.Now().Unix() + 60}, other)
	for name, tc := range map[string]struct {
		ts      *httptest.Server
		jwt     string
		status  int
		message string
	}{
		"own app":                     {ts, own, 200, ""},
		"the test app, replaced":      {ts, appJWT(t, nil), 401, "Integration not found"},
		"the test app's ID, replaced": {ts, appJWT(t, func(c map[string]any) { c["iss"] = tokenserver.GitHubAppID }), 401, "Integration not found"},
		"no apps":                     {noneTS, appJWT(t, nil), 401, "Integration not found"},
	} {
		t.Run(name, func(t *testing.T) {
			resp, b := send(t, tc.ts.Client(), tc.ts, gitHubGet("/app/installations/1001", tc.jwt))
			if tc.status == 200 {
				wantStatus(t, resp, 200)
				return
			}
			wantGitHubError(t, resp, b, tc.status, tc.message)
		})
	}
}

// TestGitHubAppGateway: the client certificate gateway guards the token and revocation
// endpoints, as it does every API's.
func TestGitHubAppGateway(t *testing.T) {
	t.Parallel()
	cfg := tokenserver.DefaultConfig()
	cfg.ClientCertSubject = map[tokenserver.API]string{tokenserver.GitHubApp: "app-runner"}
	ca := testsupport.NewCA(t)
	s, ts := testsupport.TokenServerMTLS(t, cfg, ca)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), MinVersion: tls.VersionTLS12}}}
	resp, b := send(t, c, ts, gitHubTokenRequest(tokenserver.GitHubOrgInstallationID, ""))
	if resp.StatusCode != 400 || !strings.Contains(string(b), "No required SSL certificate was sent") {
		t.Errorf("without a certificate: %d %s", resp.StatusCode, b)
	}
	resp, _ = revokeGitHub(t, c, ts, "Bearer ghs_x")
	if resp.StatusCode != 400 || s.GatewayRefusals(tokenserver.GitHubApp) != 2 || s.Requests(tokenserver.GitHubApp) != 0 {
		t.Errorf("revocation without a certificate: %d; refusals %d, requests %d", resp.StatusCode,
			s.GatewayRefusals(tokenserver.GitHubApp), s.Requests(tokenserver.GitHubApp))
	}
}

// TestGitHubAppLog: every endpoint is logged with its kind and path, never a token or a JWT.
func TestGitHubAppLog(t *testing.T) {
	t.Parallel()
	s, ts, logs := loggedServer(t)
	c := ts.Client()
	jwt := appJWT(t, nil)
	send(t, c, ts, gitHubGet("/orgs/"+tokenserver.GitHubOrg+"/installation", jwt))
	tok := grantToken(t, c, ts, tokenserver.GitHubApp)
	mustGet(t, c, ts, "token "+tok)
	revokeGitHub(t, c, ts, "token "+tok)
	out := logs.String()
	wantInLog(t, out,
		"api=github_app method=GET status=200 lookup=/orgs/authtoken-test-org/installation duration=",
		"api=github_app method=POST status=201 duration=",
		"api=github_app method=GET status=200 resource=/installation/repositories duration=",
		"api=github_app method=DELETE status=204 revocation=/installation/token duration=")
	testsupport.AssertNoSecret(t, "log", out, append(s.Issued(), jwt, tokenserver.GitHubAppKeyPEM())...)
}

// TestGitHubAppKeys: the key pair is PKCS#1 and PKIX, made once per process.
func TestGitHubAppKeys(t *testing.T) {
	t.Parallel()
	k := gitHubKey()
	if k == nil {
		t.Fatal("GitHubAppKeyPEM is not an RSA key in PEM PKCS#1")
	}
	block, _ := pem.Decode([]byte(tokenserver.GitHubAppPublicKeyPEM()))
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil || !k.PublicKey.Equal(pub) || k.N.BitLen() != 2048 {
		t.Errorf("the public key is not the private key's (%v)", err)
	}
	if first := tokenserver.GitHubAppKeyPEM(); tokenserver.GitHubAppKeyPEM() != first {
		t.Error("a new key per call")
	}
	if got := tokenserver.GitHubAppTokenPath(1001); got != "/app/installations/1001/access_tokens" {
		t.Errorf("GitHubAppTokenPath %q", got)
	}
	if tokenserver.GitHubApp.ResourcePath() != tokenserver.GitHubAppResourcePath || tokenserver.GitHubApp.RevocationPath() != tokenserver.GitHubAppRevocationPath {
		t.Error("paths are not the constants")
	}
	if c := tokenserver.GitHubApp.Credentials(); c != (tokenserver.Credentials{ClientID: tokenserver.GitHubAppClientID}) {
		t.Errorf("Credentials %+v", c)
	}
}

// TestLogLinesCannotBeForged: a route's {name} segments come from the client, and the log shows
// them escaped, so an encoded newline cannot add a line of its own.
func TestLogLinesCannotBeForged(t *testing.T) {
	t.Parallel()
	_, ts, logs := loggedServer(t)
	resp, err := http.Get(ts.URL + "/users/x%0Aapi=tenn%20method=POST%20status=200%20error=forged/installation")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for line := range strings.SplitSeq(logs.String(), "\n") {
		if strings.HasPrefix(line, "api=tenn") {
			t.Errorf("a forged log line: %q", line)
		}
	}
	if !strings.Contains(logs.String(), "x%0Aapi=tenn") {
		t.Errorf("the lookup's path is not in the log, escaped:\n%s", logs.String())
	}
}
