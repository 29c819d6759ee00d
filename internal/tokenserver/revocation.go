package tokenserver

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Token revocation (RFC 7009). An API with a revocation endpoint names its path and how the
// endpoint authenticates the client (the same way as its token endpoint, RFC 7009 2.1); the core
// here does the rest, and never asks which API it serves.

// revocationSpec is an API's RFC 7009 revocation endpoint.
type revocationSpec struct {
	path string // POST path, such as IdentityServer's /connect/revocation
	// params are the client authentication parameters the body may carry besides token and
	// token_type_hint.
	params []string
	// client authenticates the request's client and returns its client_id; it has answered the
	// request when ok is false. form is the parsed body; endpoint is the URL the request reached
	// (scheme://Host/path), the audience of a client assertion.
	client func(s *Server, w *response, r *http.Request, form url.Values, endpoint string) (clientID string, ok bool)
	// serve, when set, answers the endpoint instead of serveRevocation, for an API whose
	// revocation is not RFC 7009's (GitHub's DELETE authorized by the token itself). It records
	// the request in s.revocations (readBody) and revokes with s.revoke, so that Revocations,
	// LastRevocation and Revoked count it as they count RFC 7009's.
	serve func(s *Server, w *response, r *http.Request, sp apiSpec)
}

// RevocationPath returns the path of the API's revocation endpoint ("" when it has none).
func (a API) RevocationPath() string { return a.spec().revocation.path }

// RevocationURL joins a server base URL and the API's revocation path.
func RevocationURL(base string, api API) string { return base + api.RevocationPath() }

// TokenTypeHints are the token_type_hint values RFC 7009 2.1 defines, the only ones the
// revocation endpoints take.
var TokenTypeHints = []string{"access_token", "refresh_token"}

// basicRevocationClient authenticates a revocation's client as the API's token endpoint does when
// the client travels only as HTTP Basic credentials compared as decoded (parseBasic).
func basicRevocationClient(api API) func(*Server, *response, *http.Request, url.Values, string) (string, bool) {
	return func(s *Server, w *response, r *http.Request, _ url.Values, _ string) (string, bool) {
		return s.basicClient(w, r, api)
	}
}

// serveRevocation answers a request to sp's revocation endpoint (RFC 7009 2): a POST of a form
// with token (required) and token_type_hint (optional), from an authenticated client. It answers
// 200 with an empty body whether or not the token was one the client may revoke (2.2), and
// revokes it only if it was. Its answers never quote the token.
func (s *Server) serveRevocation(w *response, r *http.Request, sp apiSpec) {
	body, ok := s.readBody(w, r, &s.revocations, sp.api)
	if !ok || rejectNotPost(w, r, "revocation") {
		return
	}
	if reject(w, http.StatusBadRequest, "invalid_request", checkContentType(r.Header, formType)) {
		return
	}
	allowed := append([]string{"token", "token_type_hint"}, sp.revocation.params...)
	form, p := parseStrictForm(body, allowed)
	if reject(w, http.StatusBadRequest, "invalid_request", p) {
		return
	}
	clientID, ok := sp.revocation.client(s, w, r, form, issuer(r)+sp.revocation.path)
	if !ok {
		return
	}
	if form.Get("token") == "" {
		writeError(w, http.StatusBadRequest, "invalid_request", "missing required parameter token")
		return
	}
	// RFC 7009 2.1 says a server ignores a hint it does not know; this one is stricter on purpose
	// and refuses it with the code of 2.2.1, so that a client sending anything but the two
	// defined hints is caught.
	if hint := form.Get("token_type_hint"); hint != "" && !slices.Contains(TokenTypeHints, hint) {
		writeError(w, http.StatusBadRequest, "unsupported_token_type", fmt.Sprintf(
			"token_type_hint must be %s, got %q", strings.Join(TokenTypeHints, " or "), hint))
		return
	}
	s.revoke(sp.api, clientID, form.Get("token"))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}

// revoke revokes token if it is a live access or refresh token of api that clientID was issued,
// and records what it revoked. A hint only orders a server's search (RFC 7009 2.1), and token
// values never collide here, so both kinds are searched. Revoking a refresh token also revokes
// every other token of its grant (2.1: "SHOULD also invalidate all access tokens based on the same
// authorization grant"): each access and refresh token of the password grant that began it and of
// the refresh grants after it, in the order they were issued. Revoking an access token revokes it
// alone.
func (s *Server) revoke(api API, clientID, token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	kill := func(tok string) {
		if !s.dead[tok] {
			s.dead[tok] = true
			s.revoked[api] = append(s.revoked[api], tok)
		}
	}
	if g, ok := s.grants[token]; ok && g.api == api && g.clientID == clientID {
		kill(token)
		return
	}
	if rt, ok := s.refresh[token]; ok && rt.api == api && rt.clientID == clientID {
		kill(token)
		for _, tok := range s.families[rt.family] {
			kill(tok)
		}
	}
}

// Revocations returns how many requests reached the API's revocation endpoint, failed ones
// included. Requests does not count them.
func (s *Server) Revocations(api API) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.revocations.count[api]
}

// LastRevocation returns a copy of the last request to the API's revocation endpoint, or nil.
func (s *Server) LastRevocation(api API) *RecordedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.revocations.last[api].clone()
}

// Revoked returns the token values the API's revocations actually revoked, in order: the token a
// request named, if it was its client's and live, then the tokens of its grant a refresh token's
// revocation took with it. Unknown tokens, other clients' tokens and tokens revoked before are not
// in it (Reset clears it; the tokens stay revoked).
func (s *Server) Revoked(api API) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.revoked[api])
}

// parseStrictForm decodes an x-www-form-urlencoded body: only the allowed parameters, each at
// most once except those named repeatable. An empty value counts as absent (RFC 6749 3.2).
func parseStrictForm(body []byte, allowed []string, repeatable ...string) (url.Values, string) {
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, "body is not valid application/x-www-form-urlencoded: " + err.Error()
	}
	out := url.Values{}
	for _, k := range slices.Sorted(maps.Keys(vals)) {
		if !slices.Contains(allowed, k) {
			return nil, fmt.Sprintf("unexpected parameter %q; allowed parameters are %s", k, strings.Join(allowed, ", "))
		}
		if n := len(vals[k]); n > 1 && !slices.Contains(repeatable, k) {
			return nil, fmt.Sprintf("parameter %q appears %d times; send it once", k, n)
		}
		for _, v := range vals[k] {
			if v != "" {
				out.Add(k, v)
			}
		}
	}
	return out, ""
}
