package tokenserver

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// OAuth2 is a generic RFC 6749 authorization server, strict to the RFCs: the client credentials
// (4.4), resource owner password (4.3) and refresh token (6) grants, form-encoded, with JSON
// answers; the client authenticated by exactly one of HTTP Basic with form-encoded credentials
// (2.3.1), client_secret in the body, a private_key_jwt assertion (RFC 7523 2.2) or, for a public
// client, not at all; audience and RFC 8707 resource indicators; rotating refresh tokens; an
// id_token for the openid scope. Its token endpoint also answers at Entra ID's path, as Entra
// does (oauth2_entra.go). Its metadata (RFC 8414, OpenID Connect Discovery) is in
// discovery.go, its revocation endpoint (RFC 7009) in revocation.go, its client authentication in
// oauth2_client.go.
const OAuth2 API = "oauth2"

// The oauth2 API's paths. Its issuer is the server's base URL followed by OAuth2IssuerPath.
const (
	OAuth2IssuerPath     = "/oauth2"
	OAuth2Path           = OAuth2IssuerPath + "/token"    // token endpoint
	OAuth2ResourcePath   = OAuth2IssuerPath + "/userinfo" // protected resource endpoint
	OAuth2RevocationPath = OAuth2IssuerPath + "/revoke"   // RFC 7009 revocation endpoint
)

// The oauth2 API's test clients and user, all in DefaultConfig.
const (
	// OAuth2ClientID is a confidential client: client_secret_basic or client_secret_post.
	OAuth2ClientID = "oauth2-client"
	// OAuth2ClientSecret holds ':', '+', '&', '/', '%' and a non-ASCII letter: with HTTP Basic it
	// works only if the client form-encodes it first (RFC 6749 2.3.1).
	OAuth2ClientSecret = "s3cret:+&/%é"
	// OAuth2PublicClientID is a public client: client_id alone, no secret (grant types password
	// and refresh_token; client_credentials is for confidential clients only).
	OAuth2PublicClientID = "oauth2-public"
	// OAuth2RSAClientID authenticates with private_key_jwt, RS256, signed with OAuth2RSAKeyPEM.
	OAuth2RSAClientID = "oauth2-rsa-client"
	// OAuth2ECClientID authenticates with private_key_jwt, ES256, signed with OAuth2ECKeyPEM.
	OAuth2ECClientID = "oauth2-ec-client"
	// OAuth2CertClientID authenticates with private_key_jwt, RS256, signed with OAuth2RSAKeyPEM, and
	// is registered by its certificate (OAuth2RSACertPEM), as Entra ID's certificate credentials
	// are: its assertions must name the certificate by its thumbprint (x5t or x5t#S256). It is the
	// client of the Entra-like token endpoint (oauth2_entra.go).
	OAuth2CertClientID = "oauth2-cert-client"
	// OAuth2SecretJWTClientID is a confidential client whose secret is long enough to be an HS256
	// key (RFC 7518 3.2: 32 bytes or more), for client_secret_jwt; basic and post work too. Its
	// secret holds the same awkward characters as OAuth2ClientSecret: the HMAC key is its raw bytes.
	OAuth2SecretJWTClientID     = "oauth2-jwt-client"
	OAuth2SecretJWTClientSecret = "hs256-test-secret:+&/%é-at-least-32-bytes"
	// OAuth2FederatedClientID authenticates with federated_jwt: a job token of the CI issuer whose
	// sub is CIJobSubject, as its client assertion (ci.go).
	OAuth2FederatedClientID = "oauth2-federated-client"
	// OAuth2Username and OAuth2Password are the password grant's user.
	OAuth2Username = "oauth2-user"
	OAuth2Password = "oauth2-password"
)

// OAuth2Scopes are the scopes the oauth2 API knows; a request may ask for any of them.
const OAuth2Scopes = "openid profile email offline_access api.read api.write"

// OAuth2DefaultScope is granted when a request names no scope.
const OAuth2DefaultScope = "api.read"

// OAuth2GrantTypes and OAuth2ClientAuthMethods are what the oauth2 token endpoint accepts.
var (
	OAuth2GrantTypes = []string{"client_credentials", "password", "refresh_token", TokenExchangeGrant, JWTBearerGrant}
	// A federated client's job token is a client assertion like private_key_jwt's, and metadata
	// has no other name for it (Entra's lists private_key_jwt).
	OAuth2ClientAuthMethods = []string{"client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt",
		"tls_client_auth", "self_signed_tls_client_auth", "none"}
)

// oauth2GrantParams are each grant type's own parameters (client authentication apart).
var oauth2GrantParams = map[string][]string{
	"client_credentials": {"grant_type", "scope", "audience", "resource"},
	"password":           {"grant_type", "username", "password", "scope", "audience", "resource"},
	"refresh_token":      {"grant_type", "refresh_token", "scope", "audience", "resource"},
	TokenExchangeGrant: {"grant_type", "subject_token", "subject_token_type", "requested_token_type",
		"actor_token", "actor_token_type", "scope", "audience", "resource"},
	JWTBearerGrant: {"grant_type", "assertion", "scope", "audience", "resource"},
}

// oauth2TokenParams are every parameter the token endpoint knows.
var oauth2TokenParams = append([]string{"grant_type", "username", "password", "refresh_token", "scope",
	"audience", "resource", "subject_token", "subject_token_type", "requested_token_type", "actor_token",
	"actor_token_type", "assertion"}, oauth2ClientParams...)

var _ = register(apiSpec{
	api:         OAuth2,
	path:        OAuth2Path,
	credentials: Credentials{OAuth2ClientID, OAuth2ClientSecret, OAuth2Username, OAuth2Password},
	clients:     oauth2Clients,
	serve:       (*Server).oauth2,
	// Entra ID's v2.0 token endpoint, for its certificate credentials (oauth2_entra.go).
	tokenEndpoints: []tokenEndpoint{{path: OAuth2EntraPath, serve: (*Server).oauth2Entra}},
	resource: resourceSpec{
		path: OAuth2ResourcePath,
		who:  func(g grantRecord) map[string]any { return map[string]any{"client_id": g.clientID} },
	},
	revocation: revocationSpec{
		path:   OAuth2RevocationPath,
		params: oauth2ClientParams,
		client: func(s *Server, w *response, r *http.Request, form url.Values, endpoint string) (string, bool) {
			c, ok := s.oauth2Authenticate(w, r, form, endpoint)
			return c.id, ok
		},
	},
	routes: []route{
		{path: OAuth2MetadataPath, kind: "metadata", serve: metadata(false)},
		{path: OAuth2OIDCMetadataPath, kind: "metadata", serve: metadata(true)},
	},
})

// oauth2Clients are the documented clients as Config.Clients holds them: the secret, "" for the
// public client, the public key of each key client.
func oauth2Clients() map[string]string {
	return map[string]string{
		OAuth2ClientID:          OAuth2ClientSecret,
		OAuth2PublicClientID:    "",
		OAuth2RSAClientID:       OAuth2RSAPublicKeyPEM(),
		OAuth2ECClientID:        OAuth2ECPublicKeyPEM(),
		OAuth2SecretJWTClientID: OAuth2SecretJWTClientSecret,
		OAuth2CertClientID:      OAuth2RSACertPEM(),
		OAuth2FederatedClientID: FederatedPrefix + CIJobSubject,
	}
}

// refreshRecord is what the server remembers of a refresh token it issued.
type refreshRecord struct {
	api      API
	clientID string
	subject  string
	scopes   []string // the scopes of the grant; a refresh may narrow the access token's, never widen
	family   string   // the authorization grant: the password grant and every refresh after it
	used     bool     // refresh tokens rotate: each works once
}

// oauth2 serves the token endpoint: a form POST with Accept: application/json, the client
// authenticated by one method, then the grant.
func (s *Server) oauth2(w *response, r *http.Request, body []byte) {
	if reject(w, http.StatusBadRequest, "invalid_request", checkContentType(r.Header, formType)) {
		return
	}
	if reject(w, http.StatusNotAcceptable, "invalid_request", checkAcceptJSON(r.Header)) {
		return
	}
	// RFC 8707 2 and RFC 8693 2.1: resource and audience may repeat.
	form, p := parseStrictForm(body, oauth2TokenParams, "resource", "audience")
	if reject(w, http.StatusBadRequest, "invalid_request", p) {
		return
	}
	if s.cfg.RefuseAuthorization && len(r.Header.Values("Authorization")) > 0 {
		writeError(w, http.StatusBadRequest, "invalid_request",
			"this token endpoint takes no Authorization header: a token exchange here has no client authentication")
		return
	}
	gt := form.Get("grant_type")
	client, ok := oauth2Caller{method: "none"}, true
	if !exchangeGrants[gt] || hasClientAuthentication(r, form) {
		client, ok = s.oauth2Authenticate(w, r, form, issuer(r)+OAuth2Path)
	}
	if !ok {
		return
	}
	own, known := oauth2GrantParams[gt]
	switch {
	case gt == "":
		p = "missing required parameter grant_type"
	case !known:
		writeError(w, http.StatusBadRequest, "unsupported_grant_type", fmt.Sprintf(
			"grant_type must be one of %s, got %q", strings.Join(OAuth2GrantTypes, ", "), gt))
		return
	}
	for _, k := range slices.Sorted(maps.Keys(form)) {
		if p == "" && !slices.Contains(own, k) && !slices.Contains(oauth2ClientParams, k) {
			p = fmt.Sprintf("parameter %q is not a parameter of the %s grant", k, gt)
		}
	}
	switch gt {
	case TokenExchangeGrant:
		p = firstOf(p, missingParam(form, "subject_token", "subject_token_type"))
	case JWTBearerGrant:
		p = firstOf(p, missingParam(form, "assertion"))
	case "password":
		p = firstOf(p, missingParam(form, "username", "password"))
	case "refresh_token":
		p = firstOf(p, missingParam(form, "refresh_token"))
	}
	if reject(w, http.StatusBadRequest, "invalid_request", p) {
		return
	}
	if len(form["audience"]) > 1 && !exchangeGrants[gt] {
		p = "audience may repeat only in a token exchange (RFC 8693 2.1)"
	}
	if reject(w, http.StatusBadRequest, "invalid_request", p) {
		return
	}
	aud, p := oauth2Audience(form, OAuth2Issuer(issuer(r)))
	if reject(w, http.StatusBadRequest, "invalid_target", p) {
		return
	}
	requested, p := oauth2Scope(form.Get("scope"), s.cfg.oauth2Scopes())
	if reject(w, http.StatusBadRequest, "invalid_scope", p) {
		return
	}
	if len(requested) == 0 && gt != "refresh_token" {
		requested = []string{s.cfg.oauth2DefaultScope()}
	}

	g := oauth2Grant{clientID: client.id, scopes: requested, audience: aud}
	if client.method == "tls_client_auth" || client.method == "self_signed_tls_client_auth" {
		g.certThumbprint = certThumbprint(r.TLS.PeerCertificates[0]) // RFC 8705 3: the token is bound to it
	}
	switch gt {
	case TokenExchangeGrant, JWTBearerGrant:
		if !s.exchange(w, r, form, &g) {
			return
		}
	case "client_credentials":
		if client.method == "none" {
			writeError(w, http.StatusBadRequest, "unauthorized_client",
				"a public client cannot use the client_credentials grant (RFC 6749 4.4)")
			return
		}
		g.subject = client.id
	case "password":
		if !s.checkUser(OAuth2, form.Get("username"), form.Get("password")) {
			writeError(w, http.StatusBadRequest, "invalid_grant", "the username or password is incorrect")
			return
		}
		g.subject, g.family, g.refreshScopes = form.Get("username"), randomHex(16), requested
	case "refresh_token":
		rec, code, p := s.redeemRefresh(form.Get("refresh_token"), client.id, requested)
		if reject(w, http.StatusBadRequest, code, p) {
			return
		}
		g.subject, g.family, g.refreshScopes = rec.subject, rec.family, rec.scopes
		if s.cfg.KeepRefreshTokens {
			g.keepRefresh = form.Get("refresh_token")
		}
		if len(g.scopes) == 0 {
			g.scopes = rec.scopes // RFC 6749 6: omitted, the scope is the one originally granted
		}
	}
	writeJSON(w, http.StatusOK, s.oauth2Issue(r, g))
}

// firstOf returns the first of a and b that is not "".
func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// missingParam names the first of keys absent from form, or "".
func missingParam(form url.Values, keys ...string) string {
	for _, k := range keys {
		if form.Get(k) == "" {
			return "missing required parameter " + k
		}
	}
	return ""
}

// oauth2Audience is the access token's aud: audience, then each RFC 8707 resource, or def when
// there are none. A resource must be an absolute URI without a fragment (RFC 8707 2).
func oauth2Audience(form url.Values, def string) ([]string, string) {
	var aud []string
	for _, a := range form["audience"] {
		if a != "" && !slices.Contains(aud, a) {
			aud = append(aud, a)
		}
	}
	for _, res := range form["resource"] {
		u, err := url.Parse(res)
		switch {
		case err != nil || !u.IsAbs():
			return nil, fmt.Sprintf("resource %q is not an absolute URI (RFC 8707 2)", res)
		case strings.Contains(res, "#"):
			return nil, fmt.Sprintf("resource %q has a fragment, which RFC 8707 2 forbids", res)
		}
		if !slices.Contains(aud, res) {
			aud = append(aud, res)
		}
	}
	if len(aud) == 0 {
		aud = []string{def}
	}
	return aud, ""
}

// oauth2Scopes are the scopes the oauth2 API knows.
func (c Config) oauth2Scopes() []string {
	if c.OAuth2Scopes != nil {
		return c.OAuth2Scopes
	}
	return strings.Fields(OAuth2Scopes)
}

// oauth2DefaultScope is the scope granted to an oauth2 request that names none.
func (c Config) oauth2DefaultScope() string {
	if c.OAuth2DefaultScope != "" {
		return c.OAuth2DefaultScope
	}
	return OAuth2DefaultScope
}

// oauth2Scope splits a scope parameter (RFC 6749 3.3: tokens separated by single spaces) and
// checks each is known; duplicates collapse.
func oauth2Scope(scope string, known []string) ([]string, string) {
	if scope == "" {
		return nil, ""
	}
	var out []string
	for sc := range strings.SplitSeq(scope, " ") {
		switch {
		case sc == "":
			return nil, "scope tokens must be separated by single spaces (RFC 6749 3.3)"
		case !slices.Contains(known, sc):
			return nil, fmt.Sprintf("scope %q is unknown; scopes are %s", sc, strings.Join(known, " "))
		case !slices.Contains(out, sc):
			out = append(out, sc)
		}
	}
	return out, ""
}

// redeemRefresh uses a refresh token for clientID, once: it must be one the server issued to
// that client, not used and not revoked, and requested (when not empty) within its scopes. code
// and problem are the error when it cannot be used.
func (s *Server) redeemRefresh(token, clientID string, requested []string) (rec refreshRecord, code, problem string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.refresh[token]
	switch {
	case !ok || r.api != OAuth2:
		return rec, "invalid_grant", "the refresh token is unknown"
	case r.clientID != clientID:
		return rec, "invalid_grant", "the refresh token was issued to another client"
	case s.dead[token]:
		return rec, "invalid_grant", "the refresh token has been revoked"
	case r.used:
		return rec, "invalid_grant", "the refresh token has been used already: refresh tokens rotate, each works once"
	}
	for _, sc := range requested {
		if !slices.Contains(r.scopes, sc) {
			return rec, "invalid_scope", fmt.Sprintf("scope %q was not granted with the refresh token (RFC 6749 6)", sc)
		}
	}
	r.used = !s.cfg.KeepRefreshTokens
	return *r, "", ""
}

// oauth2Grant is a grant about to be issued.
type oauth2Grant struct {
	clientID, subject string
	scopes            []string // of the access token
	audience          []string
	family            string   // "" for a grant without a refresh token
	refreshScopes     []string // of the refresh token, when one is issued
	keepRefresh       string   // the refresh token to answer with again (KeepRefreshTokens), "" for a new one
	issuedTokenType   string   // RFC 8693: the issued_token_type of a token exchange
	actor             string   // RFC 8693 4.1: the sub of the actor token, for the act claim
	certThumbprint    string   // RFC 8705 3: the x5t#S256 of the client certificate the token is bound to
}

// oauth2TokenResponse is RFC 6749 5.1's answer, with OpenID Connect's id_token.
type oauth2TokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	Scope        string `json:"scope"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
	// IssuedTokenType is RFC 8693 2.2.1's answer to a token exchange.
	IssuedTokenType string `json:"issued_token_type,omitempty"`
}

// oauth2Issue makes and records the tokens of g: a JWT access token (RFC 9068's claims), a
// refresh token when g has a family, an id_token when the scopes hold openid.
func (s *Server) oauth2Issue(r *http.Request, g oauth2Grant) oauth2TokenResponse {
	now := time.Now()
	exp := now.Add(s.cfg.tokenLifetime(OAuth2))
	iss := OAuth2Issuer(issuer(r))
	var aud any = g.audience
	if len(g.audience) == 1 {
		aud = g.audience[0]
	}
	access := makeJWT(`{"alg":"RS256","typ":"at+jwt"}`, struct {
		Iss      string `json:"iss"`
		Sub      string `json:"sub"`
		Aud      any    `json:"aud"`
		ClientID string `json:"client_id"`
		Scope    string `json:"scope"`
		Iat      int64  `json:"iat"`
		Exp      int64  `json:"exp"`
		Jti      string `json:"jti"`
		Act      any    `json:"act,omitempty"` // RFC 8693 4.1
		Cnf      any    `json:"cnf,omitempty"` // RFC 8705 3
	}{iss, g.subject, aud, g.clientID, strings.Join(g.scopes, " "), now.Unix(), exp.Unix(), randomHex(16), actClaim(g.actor),
		cnfClaim(g.certThumbprint)})
	resp := oauth2TokenResponse{AccessToken: access, TokenType: "Bearer",
		ExpiresIn: int64(s.cfg.tokenLifetime(OAuth2) / time.Second), Scope: strings.Join(g.scopes, " "), IssuedTokenType: g.issuedTokenType}
	var others []string
	if g.family != "" && g.keepRefresh != "" {
		resp.RefreshToken = g.keepRefresh
	} else if g.family != "" {
		resp.RefreshToken = randomHex(32)
		others = append(others, resp.RefreshToken)
	}
	if slices.Contains(g.scopes, "openid") {
		resp.IDToken = makeJWT(`{"alg":"RS256","typ":"JWT"}`, struct {
			Iss string `json:"iss"`
			Sub string `json:"sub"`
			Aud string `json:"aud"`
			Iat int64  `json:"iat"`
			Exp int64  `json:"exp"`
			Jti string `json:"jti"`
		}{iss, g.subject, g.clientID, now.Unix(), exp.Unix(), randomHex(16)})
		others = append(others, resp.IDToken)
	}
	s.issue(access, grantRecord{api: OAuth2, subject: g.subject, clientID: g.clientID, scopes: g.scopes,
		expiresAt: exp, certThumbprint: g.certThumbprint}, others...)
	if g.family != "" {
		s.mu.Lock()
		s.families[g.family] = append(s.families[g.family], access)
		if g.keepRefresh == "" {
			s.refresh[resp.RefreshToken] = &refreshRecord{api: OAuth2, clientID: g.clientID, subject: g.subject,
				scopes: slices.Clone(g.refreshScopes), family: g.family}
			s.families[g.family] = append(s.families[g.family], resp.RefreshToken)
		}
		s.mu.Unlock()
	}
	return resp
}

// actClaim is RFC 8693 4.1's act claim for an actor's sub; nil for none.
func actClaim(actor string) any {
	if actor == "" {
		return nil
	}
	return map[string]string{"sub": actor}
}

// cnfClaim is the cnf claim of a token bound to the certificate with thumbprint (RFC 8705 3.1);
// nil for an unbound token.
func cnfClaim(thumbprint string) any {
	if thumbprint == "" {
		return nil
	}
	return map[string]string{"x5t#S256": thumbprint}
}

// certThumbprint is a certificate's x5t#S256: base64url of its DER's SHA-256.
func certThumbprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
