package grant

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
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
	shareable:    func(r Request) bool { return r.ClientAuth != ClientAuthPrivateKeyJWT },
	// A refresh token rejected as invalid_grant has most likely been used already: many servers
	// rotate refresh tokens, and an ephemeral resource opens once at plan and again at apply.
	quirk: func(e *Error) Reason {
		if e.GrantType == GrantRefreshToken && strings.EqualFold(e.Code, "invalid_grant") {
			return ReasonRefreshTokenRejected
		}
		return ReasonUnknown
	},
})

// Grant types and client authentication methods of OAuth2.
const (
	GrantClientCredentials = "client_credentials"
	GrantPassword          = "password"
	GrantRefreshToken      = "refresh_token"

	ClientAuthBasic         = "client_secret_basic"
	ClientAuthPost          = "client_secret_post"
	ClientAuthPrivateKeyJWT = "private_key_jwt"
	ClientAuthNone          = "none"
)

// GrantTypes and ClientAuthMethods list what OAuth2 accepts, defaults first.
var (
	GrantTypes        = []string{GrantClientCredentials, GrantPassword, GrantRefreshToken}
	ClientAuthMethods = []string{ClientAuthBasic, ClientAuthPost, ClientAuthPrivateKeyJWT, ClientAuthNone}
)

// oauth2Reserved are the form parameters OAuth2 sets itself; ExtraParams may not set them.
var oauth2Reserved = []string{"grant_type", "client_id", "client_secret", "client_assertion", "client_assertion_type",
	"username", "password", "refresh_token", "scope", "audience", "resource"}

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
	case r.ClientID == "":
		return fail(SettingClientID, "the client ID is required")
	}
	switch r.clientAuth() {
	case ClientAuthBasic, ClientAuthPost:
		if r.ClientSecret == "" {
			return fail(SettingClientSecret, "the client secret is required for "+r.clientAuth())
		}
	case ClientAuthPrivateKeyJWT:
		if r.ClientSecret != "" {
			return fail(SettingClientSecret, "a client secret must not be set with private_key_jwt: the client authenticates with its key")
		}
		if r.PrivateKeyPEM == "" {
			return fail(SettingPrivateKey, "the private key is required for private_key_jwt")
		}
		if _, _, err := parseSigningKey(r.PrivateKeyPEM); err != nil {
			return fail(SettingPrivateKey, err.Error())
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

func (r Request) grantType() string {
	if r.GrantType == "" {
		return GrantClientCredentials
	}
	return r.GrantType
}

func (r Request) clientAuth() string {
	if r.ClientAuth == "" {
		return ClientAuthBasic
	}
	return r.ClientAuth
}

func oauth2Encode(r Request) ([]byte, http.Header, error) {
	form := url.Values{"grant_type": {r.grantType()}}
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
	case ClientAuthPrivateKeyJWT:
		assertion, err := clientAssertion(r, time.Now())
		if err != nil {
			return err
		}
		form.Set("client_id", r.ClientID)
		form.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
		form.Set("client_assertion", assertion)
	case ClientAuthNone:
		form.Set("client_id", r.ClientID)
	}
	return nil
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

// clientAssertion is an RFC 7523 2.2 client assertion: iss = sub = the client, aud = the token
// endpoint, a short exp and a unique jti, signed RS256 with an RSA key or ES256 with a P-256 key.
func clientAssertion(r Request, now time.Time) (string, error) {
	key, alg, err := parseSigningKey(r.PrivateKeyPEM)
	if err != nil {
		return "", err
	}
	jti := make([]byte, 16)
	_, _ = rand.Read(jti) // crypto/rand.Read never fails (Go 1.24+)
	header := map[string]string{"alg": alg, "typ": "JWT"}
	if r.PrivateKeyID != "" {
		header["kid"] = r.PrivateKeyID
	}
	claims := map[string]any{"iss": r.ClientID, "sub": r.ClientID, "aud": r.TokenURL,
		"iat": now.Unix(), "exp": now.Add(assertionLifetime).Unix(), "jti": hex.EncodeToString(jti)}
	h, _ := json.Marshal(header) // maps of strings and numbers always marshal
	c, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding
	signingInput := enc.EncodeToString(h) + "." + enc.EncodeToString(c)
	digest := sha256.Sum256([]byte(signingInput))
	var sig []byte
	switch k := key.(type) {
	case *rsa.PrivateKey:
		sig, err = rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, digest[:])
	case *ecdsa.PrivateKey:
		var rInt, sInt *big.Int
		rInt, sInt, err = ecdsa.Sign(rand.Reader, k, digest[:])
		if err == nil { // JWS ES256 is r||s, 32 bytes each (RFC 7518 3.4)
			sig = make([]byte, 64)
			rInt.FillBytes(sig[:32])
			sInt.FillBytes(sig[32:])
		}
	}
	if err != nil {
		return "", fmt.Errorf("signing the client assertion: %w", err)
	}
	return signingInput + "." + enc.EncodeToString(sig), nil
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
