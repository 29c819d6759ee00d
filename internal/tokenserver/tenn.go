package tokenserver

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Tenn is the Tenn / 10npay merchant authentication API: a password grant that sends the client
// twice, client_id in the form body and client_id:client_secret as HTTP Basic credentials.
const Tenn API = "tenn"

// TennPath is Tenn's documented token endpoint path.
const TennPath = "/connect/token"

// Tenn's documented test client and user.
const (
	TennClientID     = "TennTesting"
	TennClientSecret = "43579AF6F9BF4E259BD58F3DA730A717"
	TennUsername     = "testinguser@10npay.com"
	TennPassword     = "Ttest@2S"
)

// TennScopes is the documented scope list of a Tenn token; it is granted when
// the request names no scope, and requested scopes must be a subset of it.
// The two Tenn doc pages disagree: the text version lists TokenserverAPI.read, the page
// version leaves it out. A real IdentityServer client with TokenserverAPI.write is most likely
// to have .read too, so the longer list is used.
const TennScopes = "email IdentityServerApi offline_access openid phone platform profile roles tenant " +
	"Tenn.Administrative Tenn.Audit Tenn.CRM Tenn.Discuss Tenn.Entitlement Tenn.FileStorage Tenn.MS " +
	"Tenn.Payment Tenn.Recipient Tenn.Reporting Tenn.RiskService Tenn.Subscription " +
	"TokenserverAPI.read TokenserverAPI.write two_factor_enabled user_relation"

// TennResourcePath is Tenn's protected resource endpoint: IdentityServer's userinfo endpoint.
const TennResourcePath = "/connect/userinfo"

// TennRevocationPath is Tenn's token revocation endpoint (RFC 7009). The docs name none; it is
// IdentityServer's, which takes the client as the token endpoint does: HTTP Basic credentials.
const TennRevocationPath = "/connect/revocation"

var _ = register(apiSpec{
	api:         Tenn,
	path:        TennPath,
	credentials: Credentials{TennClientID, TennClientSecret, TennUsername, TennPassword},
	serve:       (*Server).tenn,
	resource: resourceSpec{
		path: TennResourcePath,
		// IdentityServer's userinfo claims: the user's id (the token's sub claim) and name.
		who: func(g grantRecord) map[string]any {
			return map[string]any{"user_id": tennUserID(g.subject), "name": g.subject, "client_id": g.clientID}
		},
	},
	revocation: revocationSpec{path: TennRevocationPath, client: basicRevocationClient(Tenn)},
})

// tennUserID is the sub claim of a Tenn token for username.
func tennUserID(username string) string { return derivedUUID("tenn-user:" + username) }

// tenn serves the Tenn password grant: form body client_id, grant_type,
// username, password (scope optional) plus HTTP Basic client authentication.
func (s *Server) tenn(w *response, r *http.Request, body []byte) {
	basicID, ok := s.formClient(w, r, Tenn)
	if !ok {
		return
	}
	form, p := parseForm(body, "client_id", "grant_type", "username", "password", "scope")
	if p == "" {
		// Both must be there before the body's client_id is compared with the header's.
		p = missing(form, "client_id", "grant_type")
	}
	if reject(w, http.StatusBadRequest, "invalid_request", p) {
		return
	}
	if form["client_id"] != basicID {
		writeError(w, http.StatusUnauthorized, "invalid_client",
			"client_id in the body does not match the client_id in the Authorization header")
		return
	}
	if checkGrant(w, form, "password", "username", "password") {
		return
	}
	granted, p := tennScope(form["scope"])
	if reject(w, http.StatusBadRequest, "invalid_scope", p) {
		return
	}
	if !s.checkUser(Tenn, form["username"], form["password"]) {
		// The documented message, word for word.
		writeError(w, http.StatusBadRequest, "invalid_grant", "The user name or password is incorrect.")
		return
	}

	now := time.Now()
	token := makeJWT(`{"alg":"RS256","typ":"JWT"}`, struct {
		Iss      string   `json:"iss"`
		Nbf      int64    `json:"nbf"`
		Iat      int64    `json:"iat"`
		Exp      int64    `json:"exp"`
		Scope    []string `json:"scope"`
		ClientID string   `json:"client_id"`
		Sub      string   `json:"sub"`
		Jti      string   `json:"jti"`
	}{
		Iss:      issuer(r),
		Nbf:      now.Unix(),
		Iat:      now.Unix(),
		Exp:      now.Add(s.cfg.tokenLifetime(Tenn)).Unix(),
		Scope:    granted,
		ClientID: basicID,
		Sub:      tennUserID(form["username"]),
		Jti:      randomHex(16),
	})
	s.issue(token, grantRecord{api: Tenn, subject: form["username"], clientID: basicID, scopes: granted,
		expiresAt: now.Add(s.cfg.tokenLifetime(Tenn))})
	// Exactly the documented fields: no expires_in, no token_type.
	writeJSON(w, http.StatusOK, struct {
		AccessToken string `json:"access_token"`
		Scope       string `json:"scope"`
	}{token, strings.Join(granted, " ")})
}

// tennScope returns the granted scopes: the requested ones, if all are
// documented, or the whole documented list when none is requested.
func tennScope(requested string) ([]string, string) {
	known := strings.Fields(TennScopes)
	if requested == "" {
		return known, ""
	}
	var granted []string
	for _, sc := range strings.Split(requested, " ") {
		if !slices.Contains(known, sc) {
			return nil, fmt.Sprintf("scope %q is not one of the documented Tenn scopes (scopes are separated by single spaces)", sc)
		}
		if !slices.Contains(granted, sc) {
			granted = append(granted, sc)
		}
	}
	return granted, ""
}

// issuer is the iss claim of a Tenn token: the server's own base URL.
func issuer(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}
