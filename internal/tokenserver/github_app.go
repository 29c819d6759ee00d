package tokenserver

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// GitHubApp is GitHub's App installation token API, as docs.github.com describes it. The app
// authenticates with a JWT it signs with its private key (RS256, iss its client ID or app ID, at
// most ten minutes long), finds an installation (GET /orgs/{org}/installation,
// /users/{username}/installation, /repos/{owner}/{repo}/installation or
// /app/installations/{installation_id}) and trades the JWT for an installation token (POST
// /app/installations/{installation_id}/access_tokens, 201 Created), which a body may narrow to
// some of the installation's repositories and permissions. The token lists what it may see (GET
// /installation/repositories, the resource endpoint) and revokes itself (DELETE
// /installation/token). Every answer is JSON the way GitHub writes it, errors as {message,
// documentation_url, status}, with GitHub's rate limit headers.
const GitHubApp API = "github_app"

// The test app: its numeric app ID and its client ID, either of which a JWT's iss may be (the app
// ID as a JSON string or number). It has no client secret: the key is the credential.
const (
	GitHubAppID       = "424242"
	GitHubAppClientID = "Iv23liAuthtokenTestApp"
)

// The accounts the test app is installed on, and the installations' IDs. The organization's
// installation has repository_selection "selected" (infra, website, docs) and the permissions
// contents, issues and pull_requests write, metadata read; the user's has "all" (dotfiles, notes)
// and contents and metadata read.
const (
	GitHubOrg                = "authtoken-test-org"
	GitHubOrgInstallationID  = 1001
	GitHubUser               = "authtoken-test-user"
	GitHubUserInstallationID = 1002
)

// GitHubAppResourcePath lists the repositories an installation token may see; GitHub's
// "List repositories accessible to the app installation".
const GitHubAppResourcePath = "/installation/repositories"

// GitHubAppRevocationPath revokes the installation token that authorizes the request (DELETE).
const GitHubAppRevocationPath = "/installation/token"

// gitHubTokenPath is the token endpoint's path, GitHubAppTokenPath with the installation left open.
const gitHubTokenPath = "/app/installations/{installation_id}/access_tokens"

// GitHubAppTokenPath is the token endpoint of one installation.
func GitHubAppTokenPath(id int64) string {
	return "/app/installations/" + strconv.FormatInt(id, 10) + "/access_tokens"
}

// gitHubAPIVersions are the X-GitHub-Api-Version values GitHub takes, most recent first.
var gitHubAPIVersions = []string{"2026-03-10", "2022-11-28"}

// GitHub's documentation_url of each endpoint's errors.
const (
	gitHubDocREST       = "https://docs.github.com/rest"
	gitHubDocToken      = "https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app"
	gitHubDocRepos      = "https://docs.github.com/rest/apps/installations#list-repositories-accessible-to-the-app-installation"
	gitHubDocRevoke     = "https://docs.github.com/rest/apps/installations#revoke-an-installation-access-token"
	gitHubDocVersions   = "https://docs.github.com/rest/overview/api-versions"
	gitHubDocMediaTypes = "https://docs.github.com/rest/using-the-rest-api/getting-started-with-the-rest-api#media-types"
)

// GitHub's messages, word for word where its answers are known.
const (
	gitHubNotFound      = "Not Found"
	gitHubBadJWT        = "A JSON web token could not be decoded"
	gitHubNoApp         = "Integration not found"
	gitHubBadIat        = "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued"
	gitHubBadExp        = "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires"
	gitHubExpTooFar     = "'Expiration time' claim ('exp') is too far in the future"
	gitHubBadToken      = "Bad credentials"
	gitHubNoAuth        = "Requires authentication"
	gitHubBadJSON       = "Problems parsing JSON"
	gitHubNotGranted    = "The permissions requested are not granted to this installation."
	gitHubRepoNotInInst = "There is at least one repository that does not exist or is not accessible to the parent installation."
	// GitHub's edge answers a request without a User-Agent in plain text, not JSON.
	gitHubNoUserAgent = "Request forbidden by administrative rules. Please make sure your request has a User-Agent header " +
		"(https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). " +
		"Check https://developer.github.com for other possible causes.\n"
)

// JWT limits: GitHub allows 60 s of clock drift for iat and a JWT ten minutes long.
const (
	gitHubJWTDrift   = 60
	gitHubJWTMaxLife = 600
)

var _ = register(apiSpec{
	api:          GitHubApp,
	path:         gitHubTokenPath,
	credentials:  Credentials{ClientID: GitHubAppClientID},
	clients:      func() map[string]string { return map[string]string{GitHubAppClientID: GitHubAppPublicKeyPEM()} },
	serve:        (*Server).gitHubToken,
	checksMethod: true,
	resource:     resourceSpec{path: GitHubAppResourcePath, serve: (*Server).gitHubRepositories},
	revocation:   revocationSpec{path: GitHubAppRevocationPath, serve: (*Server).gitHubRevoke},
	routes: []route{
		gitHubLookup("/orgs/{org}/installation",
			"https://docs.github.com/rest/apps/apps#get-an-organization-installation-for-the-authenticated-app",
			func(p map[string]string) (*gitHubInstallation, bool) { return installationOf(p["org"], "Organization") }),
		// GitHub's /users/{username} endpoints resolve any account, an organization too, and so
		// does this lookup (clients such as create-github-app-token ask it for an owner of either
		// kind); /orgs/ finds organizations only.
		gitHubLookup("/users/{username}/installation",
			"https://docs.github.com/rest/apps/apps#get-a-user-installation-for-the-authenticated-app",
			func(p map[string]string) (*gitHubInstallation, bool) { return installationOf(p["username"], "") }),
		gitHubLookup("/repos/{owner}/{repo}/installation",
			"https://docs.github.com/rest/apps/apps#get-a-repository-installation-for-the-authenticated-app",
			installationOfRepo),
		gitHubLookup("/app/installations/{installation_id}",
			"https://docs.github.com/rest/apps/apps#get-an-installation-for-the-authenticated-app",
			func(p map[string]string) (*gitHubInstallation, bool) { return installationByID(p["installation_id"]) }),
	},
})

// gitHubRepo is a repository of a test account.
type gitHubRepo struct {
	id      int64
	name    string
	private bool
}

// gitHubInstallation is an installation of the test app.
type gitHubInstallation struct {
	id          int64
	login       string // the account, as GitHub spells it
	accountID   int64
	accountType string // "Organization" or "User"
	selection   string // repository_selection: "selected" or "all"
	repos       []gitHubRepo
	permissions map[string]string
	htmlURL     string
}

var gitHubInstallations = []*gitHubInstallation{
	{
		id: GitHubOrgInstallationID, login: GitHubOrg, accountID: 81001, accountType: "Organization", selection: "selected",
		repos:       []gitHubRepo{{2001, "infra", true}, {2002, "website", false}, {2003, "docs", false}},
		permissions: map[string]string{"contents": "write", "issues": "write", "metadata": "read", "pull_requests": "write"},
		htmlURL:     "https://github.com/organizations/" + GitHubOrg + "/settings/installations/1001",
	},
	{
		id: GitHubUserInstallationID, login: GitHubUser, accountID: 81002, accountType: "User", selection: "all",
		repos:       []gitHubRepo{{3001, "dotfiles", false}, {3002, "notes", true}},
		permissions: map[string]string{"contents": "read", "metadata": "read"},
		htmlURL:     "https://github.com/settings/installations/1002",
	},
}

// installationOf finds the installation on the account login (GitHub logins are
// case-insensitive), which must be of accountType unless that is "".
func installationOf(login, accountType string) (*gitHubInstallation, bool) {
	for _, in := range gitHubInstallations {
		if strings.EqualFold(in.login, login) && (accountType == "" || in.accountType == accountType) {
			return in, true
		}
	}
	return nil, false
}

// installationOfRepo finds the installation that can reach the repository owner/repo.
func installationOfRepo(p map[string]string) (*gitHubInstallation, bool) {
	in, ok := installationOf(p["owner"], "")
	if !ok {
		return nil, false
	}
	_, ok = in.repo(p["repo"])
	return in, ok
}

// installationByID finds the installation whose ID is the path segment id.
func installationByID(id string) (*gitHubInstallation, bool) {
	n, err := strconv.ParseInt(id, 10, 64)
	for _, in := range gitHubInstallations {
		if err == nil && in.id == n {
			return in, true
		}
	}
	return nil, false
}

// repo finds the installation's repository by name (case-insensitive, as GitHub's are).
func (in *gitHubInstallation) repo(name string) (gitHubRepo, bool) {
	for _, r := range in.repos {
		if strings.EqualFold(r.name, name) {
			return r, true
		}
	}
	return gitHubRepo{}, false
}

// gitHubGrant is what the server remembers of an installation token (grantRecord.detail).
type gitHubGrant struct {
	installation *gitHubInstallation
	permissions  map[string]string
	repos        []gitHubRepo // what the token may see: the requested repositories, else the installation's
	selection    string       // the token's repository_selection
	named        bool         // the request named repositories: the answer lists them
}

// GitHubAppGrant returns what an installation token the server issued may do: its permissions
// and the names of the repositories it may see, and ok true; ok is false for a token the server
// did not issue for GitHubApp. A revoked or expired token still reports what it was granted.
func (s *Server) GitHubAppGrant(token string) (permissions map[string]string, repositories []string, ok bool) {
	s.mu.Lock()
	rec, found := s.grants[token]
	s.mu.Unlock()
	g, isGitHub := rec.detail.(*gitHubGrant)
	if !found || rec.api != GitHubApp || !isGitHub {
		return nil, nil, false
	}
	for _, r := range g.repos {
		repositories = append(repositories, r.name)
	}
	return maps.Clone(g.permissions), repositories, true
}

// gitHubAppTestKey is the test app's private key. It is fixed, as every test credential of this
// server is (the client secrets, the passwords): the tokenserver command and the tests then agree
// on it, and so do the generated demo and a key a user copies from the docs. It protects nothing.
//
//nolint:gosec // G101: a published test key, like the documented test secrets
const gitHubAppTestKey = `-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEAz4LByYixXfGkqB+fXSnVT2J4F3K8Ja8n+0s0it1oaVSNTsah
Jvi3J+VI8jJzbMXE7iuAwS/66yOaPX33RqSIVhp/qiuFf9kW2EAfe++RLq8uYur2
gwmr1mPQtlsvLlknc3jGe0/n9iMHVGePVGLGhsfRp/oQjHd8n+oC9Zh15AjZmvZY
S6oQGj3uKoO1Yrz0AnV8jIfxqE/0YF2r7O9gvUpfjqP9NzgTkYmpv5u3j2ieDfjs
a1GY7ckLdMXZQk1BBkQeJ7kOuxEs46Ns939gO8AGaBw7GY7qJc/0qmSkUC8+eGJr
7eWpP12EUiRwb5Jf6BFKVaHwyyF6r4W/5Ji42QIDAQABAoIBAAGggFLLWrymUt4A
lXgeW65KKC/i4JJuZk1ZlcQK9VvHY8OSL3GbR0Wto13xbac/gQpEVreXtTYXwDNV
jqqZSqUGLdRl5Uo50lcytYHRazLRq8xEaay1rDO7nPIjvTcgpXxfHjXu9p4e6y/1
uebK+XcqujxAwSrLcF4z8FRVnthWrSBUnYpXDjEjuSN4+KQDKelEXDFSl2HXrEDv
PiEnuyrjbFpufHMTh2NZdBm+5HzDxVkNS4T3/vChxQ3L2Fky1iRN/yfZ1X2qE0NY
7MdEfrIob5TohMQkoYzU547ukHm0r1gUc3xUls8xLMKaFjEKIGXMkGybqtPoD6Hw
6Ezj7wsCgYEA/m/FIEa/Eqaly8coSe1LT6JPGSnikChDPErrAUXtYYne5qYrjO/O
8rw1aYpmGFLHS9GuqpA37qvinR8v14ca55bh9rt2YrrA7Fc2bpYV1DErH5HpoPdZ
n0SUpTPUhJwD/ba7LU8SvjNSA8gto8EobaJne1Omo9RqFjzxbFAXfg8CgYEA0Mks
Ioj7AAL06b46EN/pFgDbAvj3PEAAYcGAFibeoPp+swXHdw6KsUsnL+qlhYAXweyW
XZ/jUmy5qkDglYN4baAjuw3FSIZiOVzrJU/BatV0uv0CMC6huWtX2LhZcwU3Gi3J
AfJnZmGptaCLCeYjeudFOUqCbqO8WuW6++lqwpcCgYEA/av54WAniDTWAAEjzfDj
sRWlvvTfidJalnYrLy3EqgaHUXZC3VUKA0BaEEuH1qBRSupXNn5rBW4hlX1OeZed
31+zEgd81JpVVkztW/wO72vGDsevImj51azOdpbiPwQ9hmr02wuHKFKKZnLh7e3a
nNPaUD7qWVSiIGHKYa7IfUkCgYBowSblxPi6zsD3LjyQDugx5Af++8+AaVRHuAB+
HM6C0mwTgojL0X4A6oYk4oRd8SD6aawgGYLC7k5Rf++u1KHtzvVeetBLTTGnOlm5
BMU0xxikYSFh72OxVoxi7kvjC/DTr7k0wtziX4n42S4pr1CJ79OppRrATGLK8Iza
rAimzQKBgCVG2GmUQqZdMAQmhk9qi/PBHf6NZrymVAr8dIut9n8vG32ZpAr4rayU
MMFZyq4K9LMTBRK8f8z+sk+SqFc4X5qy8y7+o12kuWESjhHKEmc25MDiVoZWzOab
22EsBGaX7HO61BVIx2k24TJjedoAxxpzMlQS08QFHHTbjbNImpvH
-----END RSA PRIVATE KEY-----
`

// gitHubKeys is the test app's key pair, parsed once per process.
var gitHubKeys struct {
	once            sync.Once
	private, public string
}

func gitHubKeyPair() (private, public string) {
	gitHubKeys.once.Do(func() {
		block, _ := pem.Decode([]byte(gitHubAppTestKey))
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			panic(err) // a constant of this file
		}
		pub, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
		if err != nil {
			panic(err) // an RSA key always marshals
		}
		gitHubKeys.private = gitHubAppTestKey
		gitHubKeys.public = string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))
	})
	return gitHubKeys.private, gitHubKeys.public
}

// GitHubAppKeyPEM returns the test app's private key (RSA 2048, PEM PKCS#1 "RSA PRIVATE KEY", the
// form GitHub hands out), a fixed test key: what a test signs its app JWTs with.
func GitHubAppKeyPEM() string {
	private, _ := gitHubKeyPair()
	return private
}

// GitHubAppPublicKeyPEM returns the test app's public key (PEM PKIX "PUBLIC KEY"), which
// DefaultConfig registers for GitHubAppClientID in Config.Clients.
func GitHubAppPublicKeyPEM() string {
	_, public := gitHubKeyPair()
	return public
}

// gitHubCall is a request to one of GitHub's endpoints being answered.
type gitHubCall struct {
	s   *Server
	w   *response
	r   *http.Request
	doc string // the documentation_url of the endpoint's errors
	// bucket is the rate limit the request counts against: the client's address until it
	// authenticates, then its app or its installation.
	bucket string
}

// newGitHubCall starts answering r at an endpoint whose errors GitHub documents at doc.
func (s *Server) newGitHubCall(w *response, r *http.Request, doc string) *gitHubCall {
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i > 0 {
		host = host[:i]
	}
	return &gitHubCall{s: s, w: w, r: r, doc: doc, bucket: "ip:" + host}
}

// fail answers with GitHub's error shape, which names the status as a string.
func (c *gitHubCall) fail(status int, message, doc string) {
	c.answer(status, GitHubError(status, message, doc))
}

// GitHubError is GitHub's error body, which names the status as a string.
func GitHubError(status int, message, doc string) map[string]string {
	return map[string]string{"message": message, "documentation_url": doc, "status": strconv.Itoa(status)}
}

// answer answers with v as JSON and the rate limit headers.
func (c *gitHubCall) answer(status int, v any) {
	c.s.gitHubRateHeaders(c.w.Header(), c.bucket)
	writeJSON(c.w, status, v)
}

// checkHeaders refuses what GitHub refuses of any request: no User-Agent (403) and an API version
// it does not know (400); and, where needAccept asks, an Accept header without a JSON media type
// (415). GitHub itself serves JSON to any Accept; the strict server holds the app's requests to
// the docs, which send application/vnd.github+json. It reports whether the request may go on.
func (c *gitHubCall) checkHeaders(needAccept bool) bool {
	if c.r.Header.Get("User-Agent") == "" {
		c.s.gitHubRateHeaders(c.w.Header(), c.bucket)
		writeRaw(c.w, http.StatusForbidden, "text/plain; charset=utf-8", gitHubNoUserAgent)
		return false
	}
	if v := strings.Join(c.r.Header.Values("X-GitHub-Api-Version"), ", "); v != "" && !slices.Contains(gitHubAPIVersions, v) {
		c.fail(http.StatusBadRequest, fmt.Sprintf(`The version you specified in the "X-GitHub-Api-Version" request header, %q, `+
			`is not a supported version. The following versions are currently supported: "%s" (most recent), "%s".`,
			clip(v, 40), gitHubAPIVersions[0], strings.Join(gitHubAPIVersions[1:], `", "`)), gitHubDocVersions)
		return false
	}
	if needAccept && !gitHubAcceptsJSON(c.r.Header) {
		got, _ := json.Marshal(c.r.Header.Values("Accept"))
		c.fail(http.StatusUnsupportedMediaType, fmt.Sprintf("Unsupported 'Accept' header: %s. Must accept 'application/json'.", clip(string(got), 200)),
			gitHubDocMediaTypes)
		return false
	}
	return true
}

// gitHubAcceptsJSON reports whether the Accept header names a JSON media type GitHub documents:
// application/vnd.github+json (or a versioned application/vnd.github.<x>+json) or
// application/json. A wildcard is not enough: the docs ask for application/vnd.github+json.
func gitHubAcceptsJSON(h http.Header) bool {
	for _, v := range h.Values("Accept") {
		for part := range strings.SplitSeq(v, ",") {
			mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
			github := strings.HasPrefix(mt, "application/vnd.github") && strings.HasSuffix(mt, "+json")
			if err == nil && (mt == "application/json" || github) {
				return true
			}
		}
	}
	return false
}

// app authenticates the request's app by the JWT of its Authorization: Bearer header and returns
// the app's client ID; it has answered the request when ok is false. GitHub takes a JWT only with
// the Bearer scheme: with "token" it is no installation or user token, so "Bad credentials".
func (c *gitHubCall) app() (clientID string, ok bool) {
	scheme, cred := authorization(c.r.Header)
	switch {
	case strings.EqualFold(scheme, "token"):
		c.fail(http.StatusUnauthorized, gitHubBadToken, gitHubDocREST)
		return "", false
	case !strings.EqualFold(scheme, "Bearer"):
		c.fail(http.StatusUnauthorized, gitHubBadJWT, gitHubDocREST)
		return "", false
	}
	clientID, problem := c.s.checkAppJWT(cred, time.Now())
	if problem != "" {
		c.fail(http.StatusUnauthorized, problem, gitHubDocREST)
		return "", false
	}
	c.bucket = "app:" + clientID
	return clientID, true
}

// installationToken authenticates the request by the installation token of its Authorization
// header (GitHub takes "Bearer" and "token" alike) and returns the token and its grant; it has
// answered the request when ok is false. record makes an accepted call count in Accepted.
func (c *gitHubCall) installationToken(record bool) (token string, g grantRecord, ok bool) {
	scheme, token := authorization(c.r.Header)
	if !strings.EqualFold(scheme, "Bearer") && !strings.EqualFold(scheme, "token") {
		c.fail(http.StatusUnauthorized, gitHubNoAuth, c.doc)
		return "", g, false
	}
	var problem string
	if record {
		g, problem = c.s.acceptToken(GitHubApp, c.r, token)
	} else {
		c.s.mu.Lock()
		g, problem = c.s.checkToken(GitHubApp, c.r, token)
		c.s.mu.Unlock()
	}
	grant, isGitHub := g.detail.(*gitHubGrant)
	if problem != "" || !isGitHub {
		c.fail(http.StatusUnauthorized, gitHubBadToken, gitHubDocREST)
		return "", g, false
	}
	c.bucket = "installation:" + strconv.FormatInt(grant.installation.id, 10)
	return token, g, true
}

// authorization splits the request's one Authorization header into scheme and credentials; both
// are "" when there is none, or more than one.
func authorization(h http.Header) (scheme, cred string) {
	vals := h.Values("Authorization")
	if len(vals) != 1 {
		return "", ""
	}
	scheme, cred, _ = strings.Cut(strings.TrimSpace(vals[0]), " ")
	return scheme, strings.TrimSpace(cred)
}

// checkAppJWT verifies an app JWT as GitHub does and returns the app's client ID, or GitHub's
// message for what is wrong. The iss finds the app and its key before anything is verified (a
// known app with a JWT its key did not sign is "could not be decoded", as on GitHub); then iat
// must be an integer no later than now plus the drift, exp a number after now, and exp - iat at
// most ten minutes.
func (s *Server) checkAppJWT(jwt string, now time.Time) (clientID, problem string) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return "", gitHubBadJWT
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", gitHubBadJWT
	}
	unverified, err := jsonObject(payload)
	if err != nil {
		return "", gitHubBadJWT
	}
	clientID, key, found := s.gitHubApp(unverified["iss"])
	if !found {
		return "", gitHubNoApp
	}
	claims, p := verifiedJWS("JWT", jwt, key, "RS256")
	if p != "" {
		return "", gitHubBadJWT
	}
	iatNum, _ := claims["iat"].(json.Number)
	iat, err := iatNum.Int64()
	if err != nil || iat > now.Unix()+gitHubJWTDrift {
		return "", gitHubBadIat
	}
	exp, ok := numericDate(claims["exp"])
	switch {
	case !ok || exp <= float64(now.Unix()):
		return "", gitHubBadExp
	case exp-float64(iat) > gitHubJWTMaxLife:
		return "", gitHubExpTooFar
	}
	return clientID, ""
}

// gitHubApp finds the app a JWT's iss names among Config.Clients[GitHubApp], which maps an app's
// client ID (or numeric app ID) to its public key: the client ID, and the numeric GitHubAppID,
// as a JSON string or number, for the test app's client ID. It returns the app's key and its
// client ID.
func (s *Server) gitHubApp(iss any) (clientID string, key *rsa.PublicKey, ok bool) {
	switch v := iss.(type) {
	case string:
		clientID = v
	case json.Number:
		clientID = v.String()
	default:
		return "", nil, false
	}
	if clientID == GitHubAppID {
		if _, registered := s.cfg.Clients[GitHubApp][GitHubAppID]; !registered {
			clientID = GitHubAppClientID
		}
	}
	text, registered := s.cfg.Clients[GitHubApp][clientID]
	if !registered {
		return "", nil, false
	}
	pub, alg, err := parsePublicKeyPEM(text)
	key, isRSA := pub.(*rsa.PublicKey)
	if err != nil || alg != "RS256" || !isRSA {
		return "", nil, false // a -config file registered no RSA key: no app can sign for it
	}
	return clientID, key, true
}

// gitHubLookup is an installation lookup at pattern (GET, app JWT): it answers the installation
// find returns for the path's parameters, or 404. doc is the endpoint's documentation_url.
func gitHubLookup(pattern, doc string, find func(params map[string]string) (*gitHubInstallation, bool)) route {
	return route{path: pattern, kind: "lookup", serve: func(s *Server, w *response, r *http.Request, _ apiSpec) {
		c := s.newGitHubCall(w, r, doc)
		if !c.checkHeaders(true) {
			return
		}
		if r.Method != http.MethodGet { // GitHub routes no other method here
			c.fail(http.StatusNotFound, gitHubNotFound, doc)
			return
		}
		clientID, ok := c.app()
		if !ok {
			return
		}
		params, _ := pathParams(pattern, r.URL.Path)
		in, found := find(params)
		if !found {
			c.fail(http.StatusNotFound, gitHubNotFound, doc)
			return
		}
		c.answer(http.StatusOK, in.json(issuer(r), clientID))
	}}
}

// gitHubToken serves the token endpoint: POST with an app JWT, an optional JSON body that narrows
// the token, and 201 with the token. Requests, LastRequest and the Intercept hook have seen the
// request already (the core's token endpoint handling).
func (s *Server) gitHubToken(w *response, r *http.Request, body []byte) {
	c := s.newGitHubCall(w, r, gitHubDocToken)
	if !c.checkHeaders(true) {
		return
	}
	if r.Method != http.MethodPost {
		c.fail(http.StatusNotFound, gitHubNotFound, gitHubDocToken)
		return
	}
	clientID, ok := c.app()
	if !ok {
		return
	}
	params, _ := pathParams(gitHubTokenPath, r.URL.Path)
	in, found := installationByID(params["installation_id"])
	if !found {
		c.fail(http.StatusNotFound, gitHubNotFound, gitHubDocToken)
		return
	}
	req, status, problem := parseGitHubTokenBody(body)
	if problem != "" {
		c.fail(status, problem, gitHubDocToken)
		return
	}
	g, problem := in.narrow(req)
	if problem != "" {
		c.fail(http.StatusUnprocessableEntity, problem, gitHubDocToken)
		return
	}
	s.issueGitHubToken(c, clientID, g)
}

// issueGitHubToken issues an installation token for g and answers 201 with it.
func (s *Server) issueGitHubToken(c *gitHubCall, clientID string, g *gitHubGrant) {
	now := time.Now()
	expires := now.Add(s.cfg.tokenLifetime(GitHubApp))
	token := "ghs_" + randomAlphanumeric(36)
	var scopes []string
	for _, name := range slices.Sorted(maps.Keys(g.permissions)) {
		scopes = append(scopes, name+":"+g.permissions[name])
	}
	s.issue(token, grantRecord{api: GitHubApp, subject: g.installation.login, clientID: clientID, scopes: scopes,
		expiresAt: expires, detail: g})
	answer := struct {
		Token               string            `json:"token"`
		ExpiresAt           string            `json:"expires_at"`
		Permissions         map[string]string `json:"permissions"`
		RepositorySelection string            `json:"repository_selection"`
		Repositories        []map[string]any  `json:"repositories,omitempty"`
	}{token, expires.UTC().Format(time.RFC3339), g.permissions, g.selection, nil}
	if g.named { // GitHub lists repositories only when the request named them
		answer.Repositories = g.installation.reposJSON(issuer(c.r), g.repos)
	}
	c.answer(http.StatusCreated, answer)
}

// gitHubTokenRequest is the token endpoint's body.
type gitHubTokenRequest struct {
	repositories  []string
	repositoryIDs []int64
	permissions   map[string]string
}

// parseGitHubTokenBody reads the token endpoint's optional JSON body: repositories (names),
// repository_ids and permissions (name to level), nothing else. A problem comes with GitHub's
// status: 400 for a body that is not a JSON object, 422 for one its schema refuses. A JSON null
// is no body, as on GitHub: go-github's CreateInstallationToken with nil options sends it, and
// so does ghinstallation's every token refresh without InstallationTokenOptions.
func parseGitHubTokenBody(body []byte) (req gitHubTokenRequest, status int, problem string) {
	if strings.TrimSpace(string(body)) == "" {
		return req, 0, ""
	}
	var fields map[string]json.RawMessage // stays nil for null
	if err := json.Unmarshal(body, &fields); err != nil {
		return req, http.StatusBadRequest, gitHubBadJSON
	}
	invalid := func(key, want string) (gitHubTokenRequest, int, string) {
		return req, http.StatusUnprocessableEntity, fmt.Sprintf("Invalid request.\n\nFor 'properties/%s', %s is not %s.",
			key, clip(string(fields[key]), 60), want)
	}
	for _, key := range slices.Sorted(maps.Keys(fields)) {
		var err error
		switch key {
		case "repositories":
			err = json.Unmarshal(fields[key], &req.repositories)
		case "repository_ids":
			err = json.Unmarshal(fields[key], &req.repositoryIDs)
		case "permissions":
			err = json.Unmarshal(fields[key], &req.permissions)
		default:
			return req, http.StatusUnprocessableEntity, fmt.Sprintf("Invalid request.\n\n%q is not a permitted key.", key)
		}
		if err != nil {
			return invalid(key, map[string]string{"repositories": "an array of strings",
				"repository_ids": "an array of integers", "permissions": "an object of strings"}[key])
		}
	}
	for name, level := range req.permissions {
		if permissionRank(level) == 0 {
			return req, http.StatusUnprocessableEntity, fmt.Sprintf(
				"Invalid request.\n\nFor 'properties/%s', %q is not one of [\"read\", \"write\", \"admin\"].", name, clip(level, 20))
		}
	}
	return req, 0, ""
}

// clip cuts s to n bytes, for echoing a client's value.
func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// permissionRank orders permission levels: read < write < admin; 0 for no level.
func permissionRank(level string) int {
	return slices.Index([]string{"read", "write", "admin"}, level) + 1
}

// narrow is what the installation grants of req, or GitHub's 422 message. Each requested
// permission must be one the installation has, at its level or lower; with none requested the
// token gets all of them. metadata is read whenever the installation has it: GitHub adds it to
// every token, since every other permission needs it. Each repository, by name or ID, must be one
// the installation reaches; with none the token reaches what the installation does.
func (in *gitHubInstallation) narrow(req gitHubTokenRequest) (*gitHubGrant, string) {
	g := &gitHubGrant{installation: in, permissions: maps.Clone(in.permissions), repos: in.repos, selection: in.selection}
	if len(req.permissions) > 0 {
		g.permissions = map[string]string{}
		for name, level := range req.permissions {
			has, ok := in.permissions[name]
			if !ok || permissionRank(level) > permissionRank(has) {
				return nil, gitHubNotGranted
			}
			g.permissions[name] = level
		}
		if level, ok := in.permissions["metadata"]; ok && g.permissions["metadata"] == "" {
			g.permissions["metadata"] = level
		}
	}
	if len(req.repositories) == 0 && len(req.repositoryIDs) == 0 {
		return g, ""
	}
	var repos []gitHubRepo
	for _, name := range req.repositories {
		r, ok := in.repo(name)
		if !ok {
			return nil, gitHubRepoNotInInst
		}
		repos = append(repos, r)
	}
	for _, id := range req.repositoryIDs {
		i := slices.IndexFunc(in.repos, func(r gitHubRepo) bool { return r.id == id })
		if i < 0 {
			return nil, gitHubRepoNotInInst
		}
		repos = append(repos, in.repos[i])
	}
	// In the installation's order, each once.
	g.repos = slices.DeleteFunc(slices.Clone(in.repos), func(r gitHubRepo) bool { return !slices.Contains(repos, r) })
	g.selection, g.named = "selected", true
	return g, ""
}

// gitHubRepositories serves the resource endpoint: GET with an installation token, the
// repositories it may see in GitHub's shape, a page of them at a time (gitHubPage). It counts in
// Accepted as every resource endpoint does.
func (s *Server) gitHubRepositories(w *response, r *http.Request, _ apiSpec) {
	c := s.newGitHubCall(w, r, gitHubDocRepos)
	if !c.checkHeaders(false) {
		return
	}
	if r.Method != http.MethodGet {
		c.fail(http.StatusNotFound, gitHubNotFound, gitHubDocRepos)
		return
	}
	_, rec, ok := c.installationToken(true)
	if !ok {
		return
	}
	g, _ := rec.detail.(*gitHubGrant) // installationToken has checked it
	lo, hi, link := gitHubPage(r, len(g.repos))
	if link != "" {
		w.Header().Set("Link", link)
	}
	c.answer(http.StatusOK, map[string]any{"total_count": len(g.repos), "repository_selection": g.selection,
		"repositories": g.installation.reposJSON(issuer(r), g.repos[lo:hi])})
}

// gitHubPage is the page of a list of n items that r asks for with GitHub's per_page (default
// 30, at most 100) and page (default 1) query parameters, as the items' range [lo, hi), and the
// Link header that points to the other pages, "" when there are none: prev and first after the
// first page, next and last before the last (docs.github.com, "Using pagination in the REST API").
// A page past the last is empty.
func gitHubPage(r *http.Request, n int) (lo, hi int, link string) {
	q := r.URL.Query()
	per, err := strconv.Atoi(q.Get("per_page"))
	if err != nil || per < 1 {
		per = 30
	}
	per = min(per, 100)
	page, err := strconv.Atoi(q.Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	last := max(1, (n+per-1)/per)
	lo = min(n, (min(page, last+1)-1)*per)
	hi = min(n, lo+per)
	var links []string
	add := func(p int, rel string) {
		q.Set("page", strconv.Itoa(p))
		links = append(links, fmt.Sprintf("<%s%s?%s>; rel=%q", issuer(r), r.URL.Path, q.Encode(), rel))
	}
	if page > 1 {
		add(page-1, "prev")
	}
	if page < last {
		add(page+1, "next")
		add(last, "last")
	}
	if page > 1 {
		add(1, "first")
	}
	return lo, hi, strings.Join(links, ", ")
}

// gitHubRevoke serves the revocation endpoint: DELETE with the installation token to revoke as
// its credentials, 204 No Content. It is recorded and counted as every revocation is.
func (s *Server) gitHubRevoke(w *response, r *http.Request, sp apiSpec) {
	if _, ok := s.readBody(w, r, &s.revocations, sp.api); !ok {
		return
	}
	c := s.newGitHubCall(w, r, gitHubDocRevoke)
	if !c.checkHeaders(false) {
		return
	}
	if r.Method != http.MethodDelete {
		c.fail(http.StatusNotFound, gitHubNotFound, gitHubDocRevoke)
		return
	}
	token, rec, ok := c.installationToken(false)
	if !ok {
		return
	}
	s.revoke(GitHubApp, rec.clientID, token)
	s.gitHubRateHeaders(w.Header(), c.bucket)
	w.WriteHeader(http.StatusNoContent)
}

// json is the installation object GitHub answers a lookup with; base is the server's own base
// URL, on which its URLs point.
func (in *gitHubInstallation) json(base, clientID string) map[string]any {
	appID, _ := strconv.ParseInt(GitHubAppID, 10, 64)
	created := "2024-01-15T09:30:00Z"
	return map[string]any{
		"id": in.id, "client_id": clientID, "account": in.account(base),
		"repository_selection": in.selection,
		"access_tokens_url":    base + GitHubAppTokenPath(in.id),
		"repositories_url":     base + GitHubAppResourcePath,
		"html_url":             in.htmlURL,
		"app_id":               appID, "app_slug": "authtoken-test-app",
		"target_id": in.accountID, "target_type": in.accountType,
		"permissions": in.permissions, "events": []string{},
		"created_at": created, "updated_at": created,
		"single_file_name": nil, "has_multiple_single_files": false, "single_file_paths": []string{},
		"suspended_by": nil, "suspended_at": nil,
	}
}

// account is the installation's account, as GitHub's simple user object.
func (in *gitHubInstallation) account(base string) map[string]any {
	return map[string]any{"login": in.login, "id": in.accountID, "node_id": gitHubNodeID("U", in.accountID),
		"type": in.accountType, "site_admin": false, "url": base + "/users/" + in.login}
}

// reposJSON is GitHub's repository objects for repos of the installation's account.
func (in *gitHubInstallation) reposJSON(base string, repos []gitHubRepo) []map[string]any {
	out := []map[string]any{}
	for _, r := range repos {
		full := in.login + "/" + r.name
		out = append(out, map[string]any{"id": r.id, "node_id": gitHubNodeID("R", r.id), "name": r.name,
			"full_name": full, "private": r.private, "owner": in.account(base), "url": base + "/repos/" + full,
			"visibility": map[bool]string{true: "private", false: "public"}[r.private]})
	}
	return out
}

// gitHubNodeID is a stable GraphQL node ID shaped like GitHub's (R_kgDO..., U_kgDO...).
func gitHubNodeID(prefix string, id int64) string {
	return prefix + "_kgDO" + base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(id, 10)))
}

// randomAlphanumeric returns n random letters and digits (crypto/rand, without modulo bias).
func randomAlphanumeric(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	out := make([]byte, 0, n)
	buf := make([]byte, 2*n)
	for len(out) < n {
		_, _ = rand.Read(buf) // crypto/rand.Read never fails (Go 1.24+)
		for _, b := range buf {
			if int(b) < 4*len(alphabet) && len(out) < n { // 248 = 4*62: the bytes that map evenly
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out)
}

// GitHubRateLimit is the primary rate limit of an authenticated bucket per hour (the hostile
// faults report it too); unauthenticated
// requests (by address) get gitHubUnauthenticatedLimit. The strict server reports them and never
// enforces them: the hostile faults rate-limit-exhausted and secondary-rate-limit stand for a
// limit reached.
const (
	GitHubRateLimit            = 5000
	gitHubUnauthenticatedLimit = 60
)

// gitHubRates are the rate limit windows of the server's GitHub buckets (apiState).
type gitHubRates map[string]*rateWindow

type rateWindow struct {
	used  int
	reset time.Time
}

// gitHubRateHeaders counts a request against bucket and sets GitHub's rate limit headers: the
// limit, what is left and used of it, when the hour's window resets (epoch seconds), and the
// resource it is the limit of.
func (s *Server) gitHubRateHeaders(h http.Header, bucket string) {
	limit := GitHubRateLimit
	if strings.HasPrefix(bucket, "ip:") {
		limit = gitHubUnauthenticatedLimit
	}
	now := time.Now()
	s.mu.Lock()
	rates, _ := s.apiState(GitHubApp, func() any { return gitHubRates{} }).(gitHubRates)
	win := rates[bucket]
	if win == nil || !now.Before(win.reset) {
		win = &rateWindow{reset: now.Add(time.Hour).Truncate(time.Second)}
		rates[bucket] = win
	}
	win.used++
	used, reset := win.used, win.reset
	s.mu.Unlock()
	SetGitHubRateHeaders(h, limit, used, reset)
}

// SetGitHubRateHeaders sets GitHub's rate limit headers: used of limit until reset.
func SetGitHubRateHeaders(h http.Header, limit, used int, reset time.Time) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(max(limit-used, 0)))
	h.Set("X-RateLimit-Used", strconv.Itoa(used))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	h.Set("X-RateLimit-Resource", "core")
}
