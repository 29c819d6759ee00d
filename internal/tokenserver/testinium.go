package tokenserver

import (
	"net/http"
	"strings"
	"time"
)

// Testinium is Testinium's login API: a password grant with the client as HTTP Basic credentials
// and the user in the form body.
const Testinium API = "testinium"

// TestiniumPath is Testinium's documented token endpoint path.
const TestiniumPath = "/uaa/oauth/token"

// Testinium's test client is the one of the docs' sample Basic header; the docs name no user, so
// the test user is made up.
const (
	TestiniumClientID     = "testiniumSuiteTrustedClient"
	TestiniumClientSecret = "testiniumSuiteSecretKey"
	TestiniumUsername     = "user@example.com"
	TestiniumPassword     = "testinium-pass"
)

// TestiniumDefaultScope is the scope granted when a Testinium request names none.
const TestiniumDefaultScope = "openid"

// TestiniumResourcePath is Testinium's protected resource endpoint: Spring UAA's userinfo endpoint.
const TestiniumResourcePath = "/uaa/userinfo"

var _ = register(apiSpec{
	api:         Testinium,
	path:        TestiniumPath,
	credentials: Credentials{TestiniumClientID, TestiniumClientSecret, TestiniumUsername, TestiniumPassword},
	serve:       (*Server).testinium,
	resource: resourceSpec{
		path: TestiniumResourcePath,
		// UAA's userinfo fields: the user's id and name.
		who: func(g grantRecord) map[string]any {
			return map[string]any{"user_id": derivedUUID("testinium-user:" + g.subject), "user_name": g.subject}
		},
	},
})

// testinium serves the Testinium password grant: form body grant_type,
// username, password (scope optional), client in HTTP Basic only.
func (s *Server) testinium(w *response, r *http.Request, body []byte) {
	// The doc's error table prints codes in upper case (INVALID_REQUEST ...);
	// the real server, Spring UAA, sends the lower-case RFC 6749 codes, and so do we.
	clientID, ok := s.formClient(w, r, Testinium)
	if !ok {
		return
	}
	form, p := parseForm(body, "grant_type", "username", "password", "scope")
	if reject(w, http.StatusBadRequest, "invalid_request", p) ||
		checkGrant(w, form, "password", "username", "password") {
		return
	}
	if !s.checkUser(Testinium, form["username"], form["password"]) {
		writeError(w, http.StatusForbidden, "access_denied", "Authentication failed due to incorrect credentials")
		return
	}

	scope := form["scope"]
	if scope == "" {
		scope = TestiniumDefaultScope
	}
	access, refresh := randomHex(16), randomHex(16)+"-r"
	s.issue(access, grantRecord{api: Testinium, subject: form["username"], clientID: clientID,
		scopes: strings.Fields(scope), expiresAt: time.Now().Add(s.cfg.tokenLifetime(Testinium))}, refresh)
	writeJSON(w, http.StatusOK, struct {
		AccessToken  string `json:"access_token"`
		TokenType    string `json:"token_type"`
		RefreshToken string `json:"refresh_token"`
		ExpiresIn    int64  `json:"expires_in"`
		Scope        string `json:"scope"`
		Jti          string `json:"jti"`
	}{access, "bearer", refresh, int64(s.cfg.tokenLifetime(Testinium) / time.Second), scope, randomHex(16)})
}
