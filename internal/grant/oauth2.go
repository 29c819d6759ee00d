package grant

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // G505: x5t, the certificate thumbprint Entra wants, is SHA-1
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// OAuth2 is any RFC 6749 token endpoint: the client credentials (4.4), resource owner password
// (4.3) and refresh token (6) grants, form-encoded, with the client authenticated by HTTP Basic
// (2.3.1), in the body, by a private_key_jwt assertion (RFC 7523 2.2) or not at all (a public
// client). The token URL comes from the request or from the issuer's metadata (RFC 8414 / OIDC
// discovery, discovery.go).
var OAuth2 = register(&API{
	Name:         "oauth2",
	Title:        "OAuth 2.0",
	basic:        oauth2Basic,
	encode:       oauth2Encode,
	authenticate: oauth2Authenticate,
	check:        oauth2Check,
	// A client assertion (private_key_jwt, client_secret_jwt) is fresh for each request; a job
	// token is obtained inside every grant (jobtoken.go): neither is shared.
	shareable: func(r Request) bool { return !r.signsAssertion() && !r.usesJobToken() },
	quirk: func(e *Error) Reason {
		refused := isCredentialCode(e.Code) || e.Status == http.StatusUnauthorized
		switch {
		// A refresh token rejected as invalid_grant has most likely been used already: many servers
		// rotate refresh tokens, and an ephemeral resource opens once at plan and again at apply.
		case canonicalGrant(e.GrantType) == GrantRefreshToken && strings.EqualFold(e.Code, "invalid_grant"):
			return ReasonRefreshTokenRejected
		// A job token refused: the server's trust (issuer, subject, audience) does not match it.
		case e.JobToken != nil && e.Kind == KindStatus && refused:
			return ReasonJobTokenRefused
		}
		return ReasonUnknown
	},
})

// Grant types and client authentication methods of OAuth2.
const (
	GrantClientCredentials = "client_credentials"
	GrantPassword          = "password"
	GrantRefreshToken      = "refresh_token"
	GrantTokenExchange     = "token_exchange" // RFC 8693
	GrantJWTBearer         = "jwt_bearer"     // RFC 7523 2.1

	ClientAuthBasic         = "client_secret_basic"
	ClientAuthPost          = "client_secret_post"
	ClientAuthPrivateKeyJWT = "private_key_jwt"
	ClientAuthSecretJWT     = "client_secret_jwt"           // RFC 7523 2.2 with HS256 over the client secret
	ClientAuthTLS           = "tls_client_auth"             // RFC 8705 2.1: the client certificate, from a CA
	ClientAuthSelfSignedTLS = "self_signed_tls_client_auth" // RFC 8705 2.2: a self-signed one the server registered
	ClientAuthFederatedJWT  = "federated_jwt"               // the job token as the client assertion (jobtoken.go)
	ClientAuthNone          = "none"
)

// grantTypeURNs are the grant_type values the short names of the extension grants stand for; the
// URNs are accepted too.
var grantTypeURNs = map[string]string{ //nolint:gosec // G101: RFC identifiers, no credential
	GrantTokenExchange: "urn:ietf:params:oauth:grant-type:token-exchange",
	GrantJWTBearer:     "urn:ietf:params:oauth:grant-type:jwt-bearer",
}

// tokenTypeURIs are RFC 8693 3's token type identifiers, by short name; any other URI is sent as it is.
var tokenTypeURIs = map[string]string{ //nolint:gosec // G101: RFC identifiers, no credential
	"jwt":           "urn:ietf:params:oauth:token-type:jwt",
	"id_token":      "urn:ietf:params:oauth:token-type:id_token",
	"access_token":  "urn:ietf:params:oauth:token-type:access_token",
	"refresh_token": "urn:ietf:params:oauth:token-type:refresh_token",
}

// TokenTypes are the short names of token types; a URI is accepted as well.
var TokenTypes = []string{"jwt", "id_token", "access_token", "refresh_token"}

// canonicalGrant is a grant type by its short name: the URN of an extension grant becomes the name.
func canonicalGrant(g string) string {
	for short, urn := range grantTypeURNs {
		if g == urn {
			return short
		}
	}
	return g
}

// tokenTypeURI is the URI a token type stands for: its short name's, or the URI itself.
func tokenTypeURI(t string) string {
	if uri, ok := tokenTypeURIs[t]; ok {
		return uri
	}
	return t
}

// GrantTypes and ClientAuthMethods list what OAuth2 accepts, defaults first.
var (
	GrantTypes        = []string{GrantClientCredentials, GrantPassword, GrantRefreshToken, GrantTokenExchange, GrantJWTBearer}
	ClientAuthMethods = []string{ClientAuthBasic, ClientAuthPost, ClientAuthPrivateKeyJWT, ClientAuthSecretJWT,
		ClientAuthTLS, ClientAuthSelfSignedTLS, ClientAuthFederatedJWT, ClientAuthNone}
	// GrantTypeValues are what a grant type may be written as: the names, and the URNs of the
	// extension grants.
	GrantTypeValues = append(slices.Clone(GrantTypes), grantTypeURNs[GrantTokenExchange], grantTypeURNs[GrantJWTBearer])
)

// oauth2Reserved are the form parameters OAuth2 sets itself; ExtraParams may not set them.
var oauth2Reserved = []string{"grant_type", "client_id", "client_secret", "client_assertion", "client_assertion_type",
	"username", "password", "refresh_token", "scope", "audience", "resource", "subject_token", "subject_token_type",
	"requested_token_type", "actor_token", "actor_token_type", "assertion"}

// assertionLifetime is how long a private_key_jwt assertion is valid: it is used at once.
const assertionLifetime = time.Minute

func oauth2Check(r Request) *Error {
	fail := func(s Setting, msg string) *Error {
		return &Error{API: r.API, Kind: KindConfig, Setting: s, Message: msg}
	}
	switch {
	case !slices.Contains(GrantTypes, r.grantType()):
		return fail(SettingGrantType, fmt.Sprintf("the grant type must be one of %s, not %q", strings.Join(GrantTypes, ", "), r.GrantType))
	case !slices.Contains(ClientAuthMethods, r.clientAuth()):
		return fail(SettingClientAuth, fmt.Sprintf("the client authentication must be one of %s, not %q",
			strings.Join(ClientAuthMethods, ", "), r.ClientAuth))
	case r.ClientID == "" && r.clientAuth() != ClientAuthNone:
		return fail(SettingClientID, "the client ID is required for "+r.clientAuth())
	case r.ClientID == "" && !r.usesJobToken():
		return fail(SettingClientID, "the client ID is required")
	}
	if e := r.checkJobTokenSource(); e != nil {
		return e
	}
	for _, t := range []struct {
		value   string
		setting Setting
	}{{r.SubjectTokenType, SettingSubjectTokenType}, {r.RequestedTokenType, SettingSubjectTokenType}, {r.ActorTokenType, SettingActorToken}} {
		if t.value != "" && tokenTypeURIs[t.value] == "" && !strings.Contains(t.value, ":") {
			return fail(t.setting, fmt.Sprintf("the token type must be one of %s or a URI, not %q", strings.Join(TokenTypes, ", "), t.value))
		}
	}
	if r.PrivateKeyCertPEM != "" && r.clientAuth() != ClientAuthPrivateKeyJWT {
		return fail(SettingPrivateKeyCert, "a certificate for the private key goes with private_key_jwt only, not with "+r.clientAuth())
	}
	switch r.clientAuth() {
	case ClientAuthBasic, ClientAuthPost, ClientAuthSecretJWT:
		if r.ClientSecret == "" {
			return fail(SettingClientSecret, "the client secret is required for "+r.clientAuth())
		}
		if r.PrivateKeyPEM != "" {
			return fail(SettingPrivateKey, "a private key goes with private_key_jwt only, not with "+r.clientAuth())
		}
	case ClientAuthPrivateKeyJWT:
		if r.ClientSecret != "" {
			return fail(SettingClientSecret, "a client secret must not be set with private_key_jwt: the client authenticates with its key")
		}
		if r.PrivateKeyPEM == "" {
			return fail(SettingPrivateKey, "the private key is required for private_key_jwt")
		}
		key, _, err := parseSigningKey(r.PrivateKeyPEM)
		if err != nil {
			return fail(SettingPrivateKey, err.Error())
		}
		if r.PrivateKeyCertPEM != "" {
			if _, err := signingCertificate(r.PrivateKeyCertPEM, key); err != nil {
				return fail(SettingPrivateKeyCert, err.Error())
			}
		}
	case ClientAuthTLS, ClientAuthSelfSignedTLS:
		if r.ClientSecret != "" || r.PrivateKeyPEM != "" {
			return fail(SettingClientSecret, "neither a client secret nor a private key goes with "+r.clientAuth()+
				": the client's TLS certificate authenticates it")
		}
		if r.ClientCertPEM == "" {
			return fail(SettingClientCert, r.clientAuth()+" authenticates the client by its TLS certificate (RFC 8705): "+
				"set the client certificate and its key")
		}
	case ClientAuthFederatedJWT:
		if r.ClientSecret != "" || r.PrivateKeyPEM != "" {
			return fail(SettingClientSecret, "neither a client secret nor a private key goes with federated_jwt: the job token authenticates the client")
		}
	case ClientAuthNone:
		if r.ClientSecret != "" {
			return fail(SettingClientSecret, "a client secret must not be set for a public client (client authentication none)")
		}
	}
	switch r.grantType() {
	case GrantPassword:
		if r.Username == "" {
			return fail(SettingUsername, "the username is required for the password grant")
		}
		if r.Password == "" {
			return fail(SettingPassword, "the password is required for the password grant")
		}
	case GrantRefreshToken:
		if r.RefreshToken == "" {
			return fail(SettingRefreshToken, "the refresh token is required for the refresh_token grant")
		}
	}
	for _, res := range r.Resource {
		// RFC 8707 2: an absolute URI without a fragment; a space cannot be in one.
		if u, err := url.Parse(res); err != nil || !u.IsAbs() || u.Fragment != "" || strings.ContainsAny(res, " \t\r\n") {
			return fail(SettingResource, fmt.Sprintf("the resource indicator %q is not an absolute URI without a fragment (RFC 8707 2)", res))
		}
	}
	for k := range r.ExtraParams {
		if slices.Contains(oauth2Reserved, k) {
			return fail(SettingExtraParams, fmt.Sprintf("the extra parameter %q collides with a parameter the provider sets; use its own input", k))
		}
	}
	return nil
}

// grantType is the grant by its short name; client_credentials when unset.
func (r Request) grantType() string {
	if r.GrantType == "" {
		return GrantClientCredentials
	}
	return canonicalGrant(r.GrantType)
}

// clientAuth is the client authentication method: client_secret_basic when unset, but none for a
// token exchange or JWT bearer grant without a client secret, whose client authentication is
// optional (RFC 8693 2.1, RFC 7523 2.1).
func (r Request) clientAuth() string {
	switch {
	case r.ClientAuth != "":
		return r.ClientAuth
	case r.ClientSecret == "" && (r.grantType() == GrantTokenExchange || r.grantType() == GrantJWTBearer):
		return ClientAuthNone
	}
	return ClientAuthBasic
}

func oauth2Encode(r Request) ([]byte, http.Header, error) {
	wire := r.grantType()
	if urn, ok := grantTypeURNs[wire]; ok {
		wire = urn
	}
	form := url.Values{"grant_type": {wire}}
	set := func(k, v string) {
		if v != "" {
			form.Set(k, v)
		}
	}
	switch r.grantType() {
	case GrantPassword:
		set("username", r.Username)
		set("password", r.Password)
	case GrantRefreshToken:
		set("refresh_token", r.RefreshToken)
	case GrantTokenExchange: // RFC 8693 2.1
		set("subject_token", r.jobToken)
		set("subject_token_type", tokenTypeURI(orDefault(r.SubjectTokenType, "jwt")))
		if r.RequestedTokenType != "" {
			set("requested_token_type", tokenTypeURI(r.RequestedTokenType))
		}
		if r.ActorToken != "" {
			set("actor_token", r.ActorToken)
			set("actor_token_type", tokenTypeURI(orDefault(r.ActorTokenType, "jwt")))
		}
	case GrantJWTBearer: // RFC 7523 2.1
		set("assertion", r.jobToken)
	}
	set("scope", r.Scope)
	set("audience", r.Audience)
	for _, res := range r.Resource {
		form.Add("resource", res)
	}
	for k, v := range r.ExtraParams {
		form.Set(k, v)
	}
	h := http.Header{}
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	h.Set("Accept", "application/json")
	if err := oauth2Authenticate(r, form, h); err != nil {
		return nil, nil, err
	}
	return []byte(form.Encode()), h, nil
}

// oauth2Authenticate adds the client authentication r asks for to a form request: the grant's, and
// its revocation's (RFC 7009 2.1: the same authentication as at the token endpoint).
func oauth2Authenticate(r Request, form url.Values, h http.Header) error {
	switch r.clientAuth() {
	case ClientAuthBasic:
		h.Set("Authorization", "Basic "+oauth2Basic(r))
	case ClientAuthPost:
		form.Set("client_id", r.ClientID)
		form.Set("client_secret", r.ClientSecret)
	case ClientAuthPrivateKeyJWT, ClientAuthSecretJWT:
		assertion, err := clientAssertion(r, time.Now())
		if err != nil {
			return err
		}
		form.Set("client_id", r.ClientID)
		form.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
		form.Set("client_assertion", assertion)
	case ClientAuthFederatedJWT:
		// The job token, as Entra's, Keycloak's and authentik's federated credentials take it.
		form.Set("client_id", r.ClientID)
		form.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
		form.Set("client_assertion", r.jobToken)
	case ClientAuthTLS, ClientAuthSelfSignedTLS:
		// RFC 8705 2: the certificate in the handshake authenticates; the body names the client.
		form.Set("client_id", r.ClientID)
	case ClientAuthNone:
		if r.ClientID != "" { // optional for the token exchange and JWT bearer grants
			form.Set("client_id", r.ClientID)
		}
	}
	return nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// oauth2Basic is client_secret_basic's credentials: RFC 6749 2.3.1 form-encodes id and secret
// before they are joined and Base64-encoded, as golang.org/x/oauth2 does. "" for the other
// methods, which send no Basic header.
func oauth2Basic(r Request) string {
	if r.clientAuth() != ClientAuthBasic {
		return ""
	}
	return base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(r.ClientID) + ":" + url.QueryEscape(r.ClientSecret)))
}

// signsAssertion reports whether r's client authentication is an assertion it signs itself.
func (r Request) signsAssertion() bool {
	return r.ClientAuth == ClientAuthPrivateKeyJWT || r.ClientAuth == ClientAuthSecretJWT
}

// clientAssertion is an RFC 7523 2.2 client assertion: iss = sub = the client, aud = the token
// endpoint, a short exp and a unique jti. private_key_jwt signs it RS256 with an RSA key or ES256
// with a P-256 key; client_secret_jwt signs it HS256 with the client secret's bytes as the key
// (OpenID Connect Core 9).
func clientAssertion(r Request, now time.Time) (string, error) {
	alg, sign := "HS256", func(input string) ([]byte, error) {
		mac := hmac.New(sha256.New, []byte(r.ClientSecret))
		mac.Write([]byte(input))
		return mac.Sum(nil), nil
	}
	header := map[string]string{"typ": "JWT"}
	if r.clientAuth() == ClientAuthPrivateKeyJWT {
		key, keyAlg, err := parseSigningKey(r.PrivateKeyPEM)
		if err != nil {
			return "", err
		}
		alg, sign = keyAlg, func(input string) ([]byte, error) { return signDigest(key, input) }
		if r.PrivateKeyID != "" {
			header["kid"] = r.PrivateKeyID
		}
		if r.PrivateKeyCertPEM != "" {
			// Entra finds a certificate credential by its thumbprint: SHA-1 as x5t, and SHA-256 as
			// x5t#S256 (RFC 7515 4.1.7, 4.1.8), both base64url of the DER certificate's digest.
			cert, err := signingCertificate(r.PrivateKeyCertPEM, key)
			if err != nil {
				return "", err
			}
			sha1Sum, sha256Sum := sha1.Sum(cert.Raw), sha256.Sum256(cert.Raw) //nolint:gosec // G401: x5t is SHA-1 by definition
			header["x5t"] = base64.RawURLEncoding.EncodeToString(sha1Sum[:])
			header["x5t#S256"] = base64.RawURLEncoding.EncodeToString(sha256Sum[:])
		}
	}
	header["alg"] = alg
	jti := make([]byte, 16)
	_, _ = rand.Read(jti) // crypto/rand.Read never fails (Go 1.24+)
	claims := map[string]any{"iss": r.ClientID, "sub": r.ClientID, "aud": r.TokenURL,
		"iat": now.Unix(), "exp": now.Add(assertionLifetime).Unix(), "jti": hex.EncodeToString(jti)}
	jws, err := signJWT(header, claims, sign)
	if err != nil {
		return "", fmt.Errorf("signing the client assertion: %w", err)
	}
	return jws, nil
}

// signJWT is a JWS in compact form (RFC 7515 7.1) of header and claims, signed by sign over the
// signing input. Maps marshal with sorted keys, so the same inputs give the same bytes.
func signJWT(header map[string]string, claims map[string]any, sign func(input string) ([]byte, error)) (string, error) {
	h, _ := json.Marshal(header) // maps of strings and numbers always marshal
	c, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(h) + "." + enc.EncodeToString(c)
	sig, err := sign(input)
	if err != nil {
		return "", err
	}
	return input + "." + enc.EncodeToString(sig), nil
}

// signDigest signs input's SHA-256 digest: RSASSA-PKCS1-v1_5 (RS256), or ECDSA as JWS ES256 wants
// it, r||s of 32 bytes each (RFC 7518 3.4).
func signDigest(key crypto.Signer, input string) ([]byte, error) {
	digest := sha256.Sum256([]byte(input))
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, digest[:])
	case *ecdsa.PrivateKey:
		rInt, sInt, err := ecdsa.Sign(rand.Reader, k, digest[:])
		if err != nil {
			return nil, err
		}
		sig := make([]byte, 64)
		rInt.FillBytes(sig[:32])
		sInt.FillBytes(sig[32:])
		return sig, nil
	}
	return nil, fmt.Errorf("the private key is a %T", key)
}

// signingCertificate reads the PEM certificate of private_key_jwt's key (the first of a chain)
// and checks that it certifies key. Its errors never quote the PEM.
func signingCertificate(pemText string, key crypto.Signer) (*x509.Certificate, error) {
	block, _ := pem.Decode([]byte(pemText))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("the certificate is not a PEM certificate (-----BEGIN CERTIFICATE-----)")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, errors.New("the certificate cannot be read as X.509")
	}
	if pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(cert.PublicKey) {
		return nil, errors.New("the certificate is not the private key's: its public key is another; the key and the certificate must be a pair")
	}
	return cert, nil
}

// parseSigningKey reads a PEM private key (PKCS#8, PKCS#1 or SEC 1) that is RSA or P-256, and its
// JWS algorithm. Its errors never quote the key.
func parseSigningKey(pemText string) (crypto.Signer, string, error) {
	block, _ := pem.Decode([]byte(pemText))
	if block == nil {
		return nil, "", errors.New("the private key is not PEM-encoded (-----BEGIN PRIVATE KEY-----)")
	}
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	}
	if err != nil {
		return nil, "", fmt.Errorf("the private key (PEM type %s) cannot be read; use an unencrypted PKCS#8, PKCS#1 or SEC 1 key", block.Type)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if k.N.BitLen() < 2048 {
			return nil, "", fmt.Errorf("the RSA private key has %d bits; RS256 needs at least 2048", k.N.BitLen())
		}
		return k, "RS256", nil
	case *ecdsa.PrivateKey:
		if k.Curve == elliptic.P256() {
			return k, "ES256", nil
		}
		return nil, "", fmt.Errorf("the EC private key is on %s; private_key_jwt takes P-256 (ES256) or RSA (RS256)", k.Curve.Params().Name)
	}
	return nil, "", fmt.Errorf("the private key is a %T; private_key_jwt takes RSA (RS256) or P-256 (ES256)", key)
}
