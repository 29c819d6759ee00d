package tokenserver

import (
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"
)

// Partner is the partner authentication API: a client credentials grant with a JSON body.
const Partner API = "partner"

// PartnerPath is the partner API's documented token endpoint path.
const PartnerPath = "/api/oauth/token"

// The partner test client; the docs show placeholders only, so it is made up. A client
// credentials grant has no user.
const (
	PartnerClientID     = "partner-client"
	PartnerClientSecret = "partner-secret"
)

// PartnerDefaultScopes are the scopes put in a partner token when the request names none (the doc's sample).
var PartnerDefaultScopes = []string{"bookings:create", "bookings:delete"}

// PartnerResourcePath is the partner API's protected resource endpoint: who the token's client is.
const PartnerResourcePath = "/api/me"

var _ = register(apiSpec{
	api:         Partner,
	path:        PartnerPath,
	credentials: Credentials{ClientID: PartnerClientID, ClientSecret: PartnerClientSecret},
	serve:       (*Server).partner,
	resource: resourceSpec{
		path: PartnerResourcePath,
		// The ids the token's claims carry.
		who: func(g grantRecord) map[string]any {
			return map[string]any{"partner_id": derivedUUID("partner:" + g.clientID),
				"user_id": derivedUUID("partner-user:" + g.clientID), "is_test": true}
		},
	},
})

// partner serves the partner client_credentials grant: a JSON body and JSON Accept.
func (s *Server) partner(w *response, r *http.Request, body []byte) {
	if reject(w, http.StatusUnsupportedMediaType, "invalid_request", checkContentType(r.Header, "application/json")) {
		return
	}
	if reject(w, http.StatusNotAcceptable, "invalid_request", checkAcceptJSON(r.Header)) {
		return
	}
	req, p := parseJSONObject(body, "grant_type", "client_id", "client_secret", "scope")
	if reject(w, http.StatusBadRequest, "invalid_request", p) ||
		checkGrant(w, req, "client_credentials", "client_id", "client_secret") ||
		reject(w, http.StatusUnauthorized, "invalid_client", s.checkClient(Partner, req["client_id"], req["client_secret"])) {
		return
	}

	scopes := strings.Fields(req["scope"])
	if len(scopes) == 0 {
		scopes = PartnerDefaultScopes
	}
	now := time.Now()
	// The claims follow the doc's sample token, fractional times included.
	token := makeJWT(`{"typ":"JWT","alg":"RS256"}`, struct {
		Aud       string     `json:"aud"`
		Jti       string     `json:"jti"`
		Iat       fractional `json:"iat"`
		Nbf       fractional `json:"nbf"`
		Exp       fractional `json:"exp"`
		Sub       string     `json:"sub"`
		Scopes    []string   `json:"scopes"`
		UserID    string     `json:"user_id"`
		PartnerID string     `json:"partner_id"`
		IsTest    bool       `json:"is_test"`
	}{
		Aud:       derivedUUID("partner-client:" + req["client_id"]),
		Jti:       randomHex(40),
		Iat:       fractional(now),
		Nbf:       fractional(now),
		Exp:       fractional(now.Add(s.cfg.tokenLifetime(Partner))),
		Scopes:    scopes,
		UserID:    derivedUUID("partner-user:" + req["client_id"]),
		PartnerID: derivedUUID("partner:" + req["client_id"]),
		IsTest:    true,
	})
	s.issue(token, grantRecord{api: Partner, subject: req["client_id"], clientID: req["client_id"], scopes: scopes,
		expiresAt: now.Add(s.cfg.tokenLifetime(Partner))})
	writeJSON(w, http.StatusOK, struct {
		TokenType   string `json:"token_type"`
		ExpiresIn   int64  `json:"expires_in"`
		AccessToken string `json:"access_token"`
	}{"Bearer", int64(s.cfg.tokenLifetime(Partner) / time.Second), token})
}

// checkAcceptJSON reports what is wrong with the request's Accept header, or "": it must name
// application/json itself (a wildcard is not enough: the doc asks for application/json).
func checkAcceptJSON(h http.Header) string {
	for _, v := range h.Values("Accept") {
		for part := range strings.SplitSeq(v, ",") {
			mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err == nil && mt == "application/json" {
				return ""
			}
		}
	}
	got := strings.Join(h.Values("Accept"), ", ")
	if got == "" {
		got = "none"
	}
	return "Accept must include application/json, got " + got
}

// fractional is a time encoded as seconds with microseconds, the way the
// partner API writes exp/iat/nbf: 1710223631.577478.
type fractional time.Time

func (f fractional) MarshalJSON() ([]byte, error) {
	t := time.Time(f)
	return fmt.Appendf(nil, "%d.%06d", t.Unix(), t.Nanosecond()/1000), nil
}
