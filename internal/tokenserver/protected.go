package tokenserver

import (
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// The protected resource endpoints: each API has one (its file names the path and what it answers)
// that accepts only a live access token the server issued for that API, sent as
// "Authorization: Bearer <token>" (RFC 6750 2.1). They let tests prove which token a consumer of
// the provider's result actually sent. The core here never asks which API it serves.

// resourceSpec is an API's protected resource endpoint.
type resourceSpec struct {
	path string // GET path, such as IdentityServer's /connect/userinfo
	// who is what the endpoint tells a live token about itself beyond the fields every API
	// answers (api, sub, scopes), which it cannot replace.
	who func(g grantRecord) map[string]any
	// serve, when set, answers the endpoint instead of serveResource, for an API whose resource
	// answers in its own shape rather than RFC 6750's (GitHub's "Bad credentials"); it checks
	// the token with acceptToken, which keeps the records every resource endpoint keeps.
	serve func(s *Server, w *response, r *http.Request, sp apiSpec)
}

// grantRecord is what the server remembers of an access token it issued in a successful grant.
type grantRecord struct {
	api       API
	subject   string // the user for password grants, the client for client credentials
	clientID  string
	scopes    []string
	expiresAt time.Time
	// certThumbprint binds the token to a client certificate (RFC 8705 3): the resource accepts it
	// only from a connection presenting that certificate.
	certThumbprint string
	// detail is what the API's own file remembers of the token beyond these fields (GitHub's
	// installation, repositories and permissions); the core never reads it.
	detail any
}

// issue records the access token of a successful grant (and every other token of the answer, for
// Issued): the resource endpoint of g.api accepts it until g.expiresAt.
func (s *Server) issue(access string, g grantRecord, others ...string) {
	g.scopes = slices.Clone(g.scopes)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.issued = append(s.issued, access)
	s.issued = append(s.issued, others...)
	s.grants[access] = g
	s.granted[g.api] = append(s.granted[g.api], access)
}

// IssuedFor returns the access tokens of the API's successful grants, in the order they were
// issued (Reset does not clear it). Tokens a fault put in an answer are not among them.
func (s *Server) IssuedFor(api API) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.granted[api])
}

// Accepted returns the tokens the API's resource endpoint accepted, one per accepted call, in
// order (Reset clears it).
func (s *Server) Accepted(api API) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.accepted[api])
}

// specForResource returns the spec of the API whose resource path is p, or the zero spec.
func specForResource(p string) apiSpec {
	for _, sp := range specs {
		if sp.resource.path != "" && sp.resource.path == p {
			return *sp
		}
	}
	return apiSpec{}
}

// b64token is RFC 6750 2.1's syntax of a bearer token.
var b64token = regexp.MustCompile(`^[A-Za-z0-9\-._~+/]+=*$`)

// serveResource answers a call to sp's resource endpoint. Its answers never quote the token.
func (s *Server) serveResource(w *response, r *http.Request, sp apiSpec) {
	if sp.resource.serve != nil {
		sp.resource.serve(s, w, r, sp)
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeError(w, http.StatusMethodNotAllowed, "invalid_request",
			fmt.Sprintf("method %s not allowed; the resource endpoint takes GET", r.Method))
		return
	}
	if r.URL.Query().Has("access_token") {
		bearerError(w, http.StatusBadRequest, "invalid_request",
			"send the access token in the Authorization header, not in the URL query")
		return
	}
	vals := r.Header.Values("Authorization")
	if len(vals) > 1 {
		bearerError(w, http.StatusBadRequest, "invalid_request", "more than one Authorization header")
		return
	}
	var scheme, token string
	if len(vals) == 1 {
		scheme, token, _ = strings.Cut(vals[0], " ")
	}
	if !strings.EqualFold(scheme, "Bearer") {
		// RFC 6750 3.1: a request without bearer credentials gets the bare challenge.
		bearerError(w, http.StatusUnauthorized, "", "this resource needs an access token: Authorization: Bearer <token>")
		return
	}
	if !b64token.MatchString(token) {
		bearerError(w, http.StatusBadRequest, "invalid_request", "the Bearer credentials are empty or not a token (RFC 6750 2.1)")
		return
	}

	g, problem := s.acceptToken(sp.api, r, token)
	if problem != "" {
		bearerError(w, http.StatusUnauthorized, "invalid_token", problem)
		return
	}

	answer := map[string]any{}
	if sp.resource.who != nil {
		maps.Copy(answer, sp.resource.who(g))
	}
	scopes := g.scopes
	if scopes == nil {
		scopes = []string{}
	}
	answer["api"], answer["sub"], answer["scopes"] = string(g.api), g.subject, scopes
	writeJSON(w, http.StatusOK, answer)
}

// acceptToken checks token as a resource endpoint of api does (checkToken) and, if it is
// good, records the call as accepted (Accepted).
func (s *Server) acceptToken(api API, r *http.Request, token string) (grantRecord, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, problem := s.checkToken(api, r, token)
	if problem == "" {
		s.accepted[api] = append(s.accepted[api], token)
	}
	return g, problem
}

// checkToken returns the grant of token if it is a live access token the server issued for api,
// presented over r with the client certificate it is bound to, if any; problem says why not, and
// never quotes the token. The caller holds s.mu.
func (s *Server) checkToken(api API, r *http.Request, token string) (g grantRecord, problem string) {
	g, ok := s.grants[token]
	switch {
	case !ok:
		return g, "the access token is unknown"
	case g.api != api:
		return g, "the access token was not issued for this API"
	case s.dead[token]:
		return g, "the access token has been revoked"
	case !time.Now().Before(g.expiresAt):
		return g, "the access token has expired"
	case g.certThumbprint != "" && (r.TLS == nil || len(r.TLS.PeerCertificates) == 0 ||
		certThumbprint(r.TLS.PeerCertificates[0]) != g.certThumbprint):
		return g, "the access token is bound to a client certificate (RFC 8705 3), and this request presented another or none"
	}
	return g, ""
}

// bearerError answers with RFC 6750 3's challenge: WWW-Authenticate: Bearer, with error="code"
// unless code is "" (a request without credentials), and a JSON body. desc must never hold a
// token.
func bearerError(w *response, status int, code, desc string) {
	challenge := "Bearer"
	body := map[string]string{"error_description": desc}
	if code != "" {
		challenge += fmt.Sprintf(" error=%q", code)
		body["error"] = code
		w.errCode = code
	}
	w.Header().Set("WWW-Authenticate", challenge)
	writeJSON(w, status, body)
}
