package tokenserver

import (
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"
)

const formType = "application/x-www-form-urlencoded"

// formClient checks what both form APIs require first: a form Content-Type (else 400) and a
// known client in the Basic header (else 401 invalid_client). It has answered the request
// when ok is false.
func (s *Server) formClient(w *response, r *http.Request, api API) (clientID string, ok bool) {
	if p := checkContentType(r.Header, formType); p != "" {
		writeError(w, http.StatusBadRequest, "invalid_request", p)
		return "", false
	}
	id, secret, p := parseBasic(r.Header)
	if p == "" {
		p = s.checkClient(api, id, secret)
	}
	if p != "" {
		writeError(w, http.StatusUnauthorized, "invalid_client", p)
		return "", false
	}
	return id, true
}

// tenn serves the Tenn password grant: form body client_id, grant_type,
// username, password (scope optional) plus HTTP Basic client authentication.
func (s *Server) tenn(w *response, r *http.Request, body []byte) {
	basicID, ok := s.formClient(w, r, Tenn)
	if !ok {
		return
	}
	form, p := parseForm(body, "client_id", "grant_type", "username", "password", "scope")
	if p != "" {
		writeError(w, http.StatusBadRequest, "invalid_request", p)
		return
	}
	if p := missing(form, "client_id", "grant_type"); p != "" {
		writeError(w, http.StatusBadRequest, "invalid_request", p)
		return
	}
	if form["client_id"] != basicID {
		writeError(w, http.StatusUnauthorized, "invalid_client",
			"client_id in the body does not match the client_id in the Authorization header")
		return
	}
	if gt := form["grant_type"]; gt != "password" {
		writeError(w, http.StatusBadRequest, "unsupported_grant_type",
			fmt.Sprintf("grant_type must be \"password\", got %q", gt))
		return
	}
	if p := missing(form, "username", "password"); p != "" {
		writeError(w, http.StatusBadRequest, "invalid_request", p)
		return
	}
	granted, p := tennScope(form["scope"])
	if p != "" {
		writeError(w, http.StatusBadRequest, "invalid_scope", p)
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
		Exp:      now.Add(s.cfg.TokenLifetime).Unix(),
		Scope:    granted,
		ClientID: basicID,
		Sub:      derivedUUID("tenn-user:" + form["username"]),
		Jti:      randomHex(16),
	})
	s.addIssued(token)
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

// testinium serves the Testinium password grant: form body grant_type,
// username, password (scope optional), client in HTTP Basic only.
func (s *Server) testinium(w *response, r *http.Request, body []byte) {
	// The doc's error table prints codes in upper case (INVALID_REQUEST ...);
	// the real server, Spring UAA, sends the lower-case RFC 6749 codes, and so do we.
	_, ok := s.formClient(w, r, Testinium)
	if !ok {
		return
	}
	form, p := parseForm(body, "grant_type", "username", "password", "scope")
	if p != "" {
		writeError(w, http.StatusBadRequest, "invalid_request", p)
		return
	}
	if p := missing(form, "grant_type"); p != "" {
		writeError(w, http.StatusBadRequest, "invalid_request", p)
		return
	}
	if gt := form["grant_type"]; gt != "password" {
		writeError(w, http.StatusBadRequest, "unsupported_grant_type",
			fmt.Sprintf("grant_type must be \"password\", got %q", gt))
		return
	}
	if p := missing(form, "username", "password"); p != "" {
		writeError(w, http.StatusBadRequest, "invalid_request", p)
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
	s.addIssued(access, refresh)
	writeJSON(w, http.StatusOK, struct {
		AccessToken  string `json:"access_token"`
		TokenType    string `json:"token_type"`
		RefreshToken string `json:"refresh_token"`
		ExpiresIn    int64  `json:"expires_in"`
		Scope        string `json:"scope"`
		Jti          string `json:"jti"`
	}{access, "bearer", refresh, int64(s.cfg.TokenLifetime / time.Second), scope, randomHex(16)})
}

// partner serves the partner client_credentials grant: a JSON body and JSON Accept.
func (s *Server) partner(w *response, r *http.Request, body []byte) {
	if p := checkContentType(r.Header, "application/json"); p != "" {
		writeError(w, http.StatusUnsupportedMediaType, "invalid_request", p)
		return
	}
	if !acceptsJSON(r.Header) {
		got := strings.Join(r.Header.Values("Accept"), ", ")
		if got == "" {
			got = "none"
		}
		writeError(w, http.StatusNotAcceptable, "invalid_request", "Accept must include application/json, got "+got)
		return
	}
	req, p := parseJSONObject(body, "grant_type", "client_id", "client_secret", "scope")
	if p == "" {
		p = missing(req, "grant_type")
	}
	if p != "" {
		writeError(w, http.StatusBadRequest, "invalid_request", p)
		return
	}
	if gt := req["grant_type"]; gt != "client_credentials" {
		writeError(w, http.StatusBadRequest, "unsupported_grant_type",
			fmt.Sprintf("grant_type must be \"client_credentials\", got %q", gt))
		return
	}
	if p := missing(req, "client_id", "client_secret"); p != "" {
		writeError(w, http.StatusBadRequest, "invalid_request", p)
		return
	}
	if p := s.checkClient(Partner, req["client_id"], req["client_secret"]); p != "" {
		writeError(w, http.StatusUnauthorized, "invalid_client", p)
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
		Exp:       fractional(now.Add(s.cfg.TokenLifetime)),
		Scopes:    scopes,
		UserID:    derivedUUID("partner-user:" + req["client_id"]),
		PartnerID: derivedUUID("partner:" + req["client_id"]),
		IsTest:    true,
	})
	s.addIssued(token)
	writeJSON(w, http.StatusOK, struct {
		TokenType   string `json:"token_type"`
		ExpiresIn   int64  `json:"expires_in"`
		AccessToken string `json:"access_token"`
	}{"Bearer", int64(s.cfg.TokenLifetime / time.Second), token})
}

// acceptsJSON reports whether an Accept header names application/json itself
// (a wildcard is not enough: the doc asks for application/json).
func acceptsJSON(h http.Header) bool {
	for _, v := range h.Values("Accept") {
		for part := range strings.SplitSeq(v, ",") {
			mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err == nil && mt == "application/json" {
				return true
			}
		}
	}
	return false
}

// missing names the first of the required keys that is absent or empty, or "".
func missing(m map[string]string, keys ...string) string {
	for _, k := range keys {
		if m[k] == "" {
			return fmt.Sprintf("missing required parameter %s", k)
		}
	}
	return ""
}

func issuer(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}
