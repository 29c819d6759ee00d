package tokenserver

import (
	"net/http"
	"net/url"
	"slices"
)

// The oauth2 API's secretless grants: RFC 8693 token exchange and the RFC 7523 2.1 JWT bearer
// grant, both taking a job token of the CI issuer (ci.go) whose sub the server trusts
// (Config.TrustedJobSubjects). Client authentication is optional for them, as RFC 8693 2.1 allows;
// a federated client (oauth2_client.go) sends its job token as its client assertion instead.

// The grant types, and RFC 8693 3's token type identifiers.
const (
	TokenExchangeGrant = "urn:ietf:params:oauth:grant-type:token-exchange"
	JWTBearerGrant     = "urn:ietf:params:oauth:grant-type:jwt-bearer"

	TokenTypeJWT         = "urn:ietf:params:oauth:token-type:jwt"
	TokenTypeIDToken     = "urn:ietf:params:oauth:token-type:id_token"
	TokenTypeAccessToken = "urn:ietf:params:oauth:token-type:access_token"
)

// exchangeGrants are the grant types a request may send without client authentication.
var exchangeGrants = map[string]bool{TokenExchangeGrant: true, JWTBearerGrant: true}

// hasClientAuthentication reports whether a request tries any client authentication.
func hasClientAuthentication(r *http.Request, form url.Values) bool {
	return len(r.Header.Values("Authorization")) > 0 || form.Has("client_id") || form.Has("client_secret") ||
		form.Has("client_assertion") || form.Has("client_assertion_type")
}

// exchange checks the job token of a token exchange or JWT bearer grant and fills in g: the
// token's subject, and for a token exchange what it issues. It has answered when it returns false.
func (s *Server) exchange(w *response, r *http.Request, form url.Values, g *oauth2Grant) bool {
	what, token := "assertion", form.Get("assertion")
	if form.Get("grant_type") == TokenExchangeGrant {
		what, token = "subject_token", form.Get("subject_token")
		switch tt := form.Get("subject_token_type"); tt {
		case TokenTypeJWT, TokenTypeIDToken:
		default:
			writeError(w, http.StatusBadRequest, "invalid_request", "subject_token_type must be "+TokenTypeJWT+
				" or "+TokenTypeIDToken+" for a job token, not "+quoteOr(tt, "missing"))
			return false
		}
		switch rt := form.Get("requested_token_type"); rt {
		case "", TokenTypeAccessToken, TokenTypeJWT:
			g.issuedTokenType = TokenTypeAccessToken
		default:
			writeError(w, http.StatusBadRequest, "invalid_request", "this server issues access tokens; requested_token_type "+rt+" is not one")
			return false
		}
		if form.Has("actor_token") != form.Has("actor_token_type") {
			writeError(w, http.StatusBadRequest, "invalid_request", "actor_token and actor_token_type go together (RFC 8693 2.1)")
			return false
		}
		if form.Has("actor_token") {
			actor, p := s.checkJobToken("actor_token", form.Get("actor_token"), issuer(r))
			if reject(w, http.StatusBadRequest, "invalid_grant", p) {
				return false
			}
			g.actor = actor.Sub
		}
	}
	job, p := s.checkJobToken(what, token, issuer(r))
	if p == "" && !slices.Contains(s.trustedJobSubjects(), job.Sub) {
		p = "no trust relationship matches the " + what + "'s sub exactly (case-sensitive): " + job.Sub
	}
	if reject(w, http.StatusBadRequest, "invalid_grant", p) {
		return false
	}
	g.subject = job.Sub
	return true
}

func (s *Server) trustedJobSubjects() []string {
	if s.cfg.TrustedJobSubjects != nil {
		return s.cfg.TrustedJobSubjects
	}
	return []string{CIJobSubject}
}
