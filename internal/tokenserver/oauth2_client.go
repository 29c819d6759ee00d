package tokenserver

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // G505: x5t, the certificate thumbprint Entra compares, is SHA-1
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Client authentication of the oauth2 API's token and revocation endpoints (RFC 6749 2.3, RFC 7009
// 2.1): exactly one method per request, the one the client is registered for.

// ClientAssertionType is the client_assertion_type of private_key_jwt (RFC 7523 2.2).
const ClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// MaxAssertionLifetime is how far in the future a client assertion's exp may be.
const MaxAssertionLifetime = 5 * time.Minute

// oauth2ClientParams are the body parameters of client authentication.
var oauth2ClientParams = []string{"client_id", "client_secret", "client_assertion_type", "client_assertion"}

// The ways an oauth2 client is registered, from what Config.Clients holds for it.
type clientKind int

const (
	secretClient        clientKind = iota // a secret: client_secret_basic, client_secret_post or client_secret_jwt
	publicClient                          // "": none, client_id only
	keyClient                             // a PEM public key: private_key_jwt
	federatedClient                       // FederatedPrefix + a job token sub: federated_jwt (ci.go's issuer)
	tlsClient                             // TLSClientAuthPrefix + a subject CN: tls_client_auth (RFC 8705 2.1)
	selfSignedTLSClient                   // SelfSignedTLSPrefix + a PEM certificate: self_signed_tls_client_auth (2.2)
)

// The prefixes of what Config.Clients holds for an RFC 8705 client: tls_client_auth names the
// subject CommonName of a certificate that Config.ClientCAs issued; self_signed_tls_client_auth
// registers the certificate itself, as a PEM.
const (
	TLSClientAuthPrefix = "tls_client_auth:"
	SelfSignedTLSPrefix = "self_signed_tls_client_auth:"
)

// FederatedPrefix starts what Config.Clients holds for a federated client: the prefix, then the
// sub its job token must have, exactly, as an Entra federated credential names it.
const FederatedPrefix = "federated:"

// oauth2Registration is a registered oauth2 client.
type oauth2Registration struct {
	kind    clientKind
	secret  string
	subject string            // a federated client's job token sub
	key     crypto.PublicKey  // *rsa.PublicKey, *ecdsa.PublicKey (P-256), or []byte: an HS256 secret
	cert    *x509.Certificate // a key client registered by its certificate, which its assertions name (x5t)
	alg     string            // the JWS algorithm of key: RS256, ES256 or HS256
}

// oauth2Caller is the client a request authenticated as, and how.
type oauth2Caller struct {
	id     string
	method string // client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt, tls_client_auth, self_signed_tls_client_auth or none
}

// oauth2Registered looks a client up; problem says why it cannot log in ("" when it can).
func (s *Server) oauth2Registered(id string) (reg oauth2Registration, problem string) {
	v, ok := s.cfg.Clients[OAuth2][id]
	switch {
	case id == "":
		return reg, "client_id is empty"
	case !ok:
		return reg, "unknown client_id"
	case v == "":
		return oauth2Registration{kind: publicClient}, ""
	case strings.HasPrefix(v, TLSClientAuthPrefix):
		return oauth2Registration{kind: tlsClient, subject: strings.TrimPrefix(v, TLSClientAuthPrefix)}, ""
	case strings.HasPrefix(v, SelfSignedTLSPrefix):
		block, _ := pem.Decode([]byte(strings.TrimPrefix(v, SelfSignedTLSPrefix)))
		if block == nil {
			return reg, "the client's registered certificate is not PEM"
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return reg, "the client's registered certificate cannot be read"
		}
		return oauth2Registration{kind: selfSignedTLSClient, cert: cert}, ""
	case strings.HasPrefix(v, FederatedPrefix):
		return oauth2Registration{kind: federatedClient, subject: strings.TrimPrefix(v, FederatedPrefix)}, ""
	case strings.HasPrefix(v, "-----BEGIN CERTIFICATE-----"):
		block, _ := pem.Decode([]byte(v))
		if block == nil {
			return reg, "the client's registered certificate is not PEM"
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return reg, "the client's registered certificate cannot be read"
		}
		key, alg, err := signingKey(cert.PublicKey)
		if err != nil {
			return reg, "the client's registered certificate cannot be used: " + err.Error()
		}
		return oauth2Registration{kind: keyClient, key: key, alg: alg, cert: cert}, ""
	case strings.HasPrefix(v, "-----BEGIN PUBLIC KEY-----"):
		key, alg, err := parsePublicKeyPEM(v)
		if err != nil {
			return reg, "the client's registered public key cannot be used: " + err.Error()
		}
		return oauth2Registration{kind: keyClient, key: key, alg: alg}, ""
	}
	return oauth2Registration{kind: secretClient, secret: v}, ""
}

// oauth2Authenticate authenticates the client of a token or revocation request whose body is form
// (already checked for unknown and repeated parameters). endpoint is the URL the request reached,
// the audience a client assertion must name. It has answered the request when ok is false: 400
// invalid_request for a malformed attempt or more than one method, else 401 invalid_client.
func (s *Server) oauth2Authenticate(w *response, r *http.Request, form url.Values, endpoint string) (oauth2Caller, bool) {
	var methods []string
	basic := len(r.Header.Values("Authorization")) > 0
	if basic {
		methods = append(methods, "the Authorization header")
	}
	if form.Has("client_secret") {
		methods = append(methods, "client_secret in the body")
	}
	if form.Has("client_assertion") || form.Has("client_assertion_type") {
		methods = append(methods, "a client assertion in the body")
	}
	if len(methods) > 1 {
		writeError(w, http.StatusBadRequest, "invalid_request", fmt.Sprintf(
			"more than one client authentication method: %s; use exactly one (RFC 6749 2.3)", strings.Join(methods, " and ")))
		return oauth2Caller{}, false
	}
	unauthorized := func(p string) (oauth2Caller, bool) {
		writeError(w, http.StatusUnauthorized, "invalid_client", p)
		return oauth2Caller{}, false
	}
	bodyID := form.Get("client_id")
	switch {
	case basic:
		id, secret, p := parseFormBasic(r.Header)
		if p != "" {
			return unauthorized(p)
		}
		if bodyID != "" && bodyID != id {
			return unauthorized("client_id in the body does not match the client_id in the Authorization header")
		}
		return s.checkSecret(w, id, secret, "client_secret_basic")
	case form.Has("client_secret"):
		if bodyID == "" {
			writeError(w, http.StatusBadRequest, "invalid_request", "client_secret is in the body without client_id (RFC 6749 2.3.1)")
			return oauth2Caller{}, false
		}
		return s.checkSecret(w, bodyID, form.Get("client_secret"), "client_secret_post")
	case form.Has("client_assertion") || form.Has("client_assertion_type"):
		if !form.Has("client_assertion") || !form.Has("client_assertion_type") {
			writeError(w, http.StatusBadRequest, "invalid_request",
				"client_assertion and client_assertion_type go together (RFC 7521 4.2)")
			return oauth2Caller{}, false
		}
		if form.Get("client_assertion_type") != ClientAssertionType {
			return unauthorized("unsupported client_assertion_type; private_key_jwt takes " + ClientAssertionType)
		}
		assertion := form.Get("client_assertion")
		id := bodyID
		if id == "" {
			id = assertionIssuer(assertion) // RFC 7523 3: iss and sub name the client
		}
		reg, p := s.oauth2Registered(id)
		if p == "" && reg.kind == federatedClient {
			if p = s.checkFederated(reg, assertion, r); p != "" {
				return unauthorized(p)
			}
			return oauth2Caller{id: id, method: "federated_jwt"}, true
		}
		method := "private_key_jwt"
		if p == "" && reg.kind == secretClient {
			// client_secret_jwt (RFC 7523 2.2, OpenID Connect Core 9): HS256 with the secret as the key.
			method, reg.key, reg.alg = "client_secret_jwt", []byte(reg.secret), "HS256"
			if len(reg.secret) < 32 {
				p = "this client's secret is too short for client_secret_jwt: an HS256 key has at least 32 bytes (RFC 7518 3.2)"
			}
		} else if p == "" && reg.kind != keyClient {
			p = "this client has neither a registered key nor a secret: it cannot send a client assertion"
		}
		if p == "" {
			p = s.checkAssertion(id, reg, assertion, endpoint)
		}
		if p != "" {
			return unauthorized(p)
		}
		return oauth2Caller{id: id, method: method}, true
	case bodyID != "":
		reg, p := s.oauth2Registered(bodyID)
		if p == "" && (reg.kind == tlsClient || reg.kind == selfSignedTLSClient) {
			method, p := s.checkTLSClient(reg, r)
			if p != "" {
				return unauthorized(p)
			}
			return oauth2Caller{id: bodyID, method: method}, true
		}
		if p == "" && reg.kind != publicClient {
			p = "this client is confidential and must authenticate: " + authMethodsOf(reg.kind)
		}
		if p != "" {
			return unauthorized(p)
		}
		return oauth2Caller{id: bodyID, method: "none"}, true
	}
	return unauthorized("no client authentication: send HTTP Basic credentials, client_id and client_secret, " +
		"a client assertion, or (a public client) client_id alone")
}

// checkSecret checks a client's id and secret, sent by method (client_secret_basic or _post).
func (s *Server) checkSecret(w *response, id, secret, method string) (oauth2Caller, bool) {
	reg, p := s.oauth2Registered(id)
	if p == "" && reg.kind != secretClient {
		p = "this client has no secret: it authenticates with " + authMethodsOf(reg.kind)
	}
	if p == "" && !equal(secret, reg.secret) {
		p = "client_secret is incorrect for this client_id"
	}
	if reject(w, http.StatusUnauthorized, "invalid_client", p) {
		return oauth2Caller{}, false
	}
	return oauth2Caller{id: id, method: method}, true
}

// checkFederated verifies a federated client's assertion: a job token of the CI issuer whose sub
// is the registered subject, compared exactly and case-sensitively, as Entra compares it.
func (s *Server) checkFederated(reg oauth2Registration, assertion string, r *http.Request) string {
	job, p := s.checkJobToken("client_assertion", assertion, issuer(r))
	if p == "" && job.Sub != reg.subject {
		p = "the client_assertion's sub does not match the federated credential's subject exactly (case-sensitive): " + job.Sub
	}
	return p
}

// checkTLSClient authenticates an RFC 8705 client by the certificate of the TLS connection:
// tls_client_auth wants one that Config.ClientCAs issued for client authentication to the
// registered subject; self_signed_tls_client_auth the registered certificate itself.
func (s *Server) checkTLSClient(reg oauth2Registration, r *http.Request) (method, problem string) {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return "", "this client authenticates with its TLS client certificate (RFC 8705), and the connection presented none"
	}
	leaf := r.TLS.PeerCertificates[0]
	if reg.kind == selfSignedTLSClient {
		if !bytes.Equal(leaf.Raw, reg.cert.Raw) {
			return "", "the TLS client certificate is not the one registered for this client (self_signed_tls_client_auth)"
		}
		return "self_signed_tls_client_auth", ""
	}
	inter := x509.NewCertPool()
	for _, c := range r.TLS.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	_, err := leaf.Verify(x509.VerifyOptions{Roots: s.cfg.ClientCAs, Intermediates: inter,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	switch {
	case s.cfg.ClientCAs == nil || err != nil:
		return "", "the TLS client certificate was not issued by a CA this server trusts for client authentication (tls_client_auth)"
	case leaf.Subject.CommonName != reg.subject:
		return "", "the TLS client certificate's subject is not the one registered for this client (tls_client_auth)"
	}
	return "tls_client_auth", ""
}

func authMethodsOf(k clientKind) string {
	switch k {
	case tlsClient:
		return "tls_client_auth (its TLS client certificate)"
	case selfSignedTLSClient:
		return "self_signed_tls_client_auth (its registered TLS client certificate)"
	case federatedClient:
		return "federated_jwt (a job token as its client assertion)"
	case publicClient:
		return "none (client_id alone)"
	case keyClient:
		return "private_key_jwt"
	}
	return "client_secret_basic, client_secret_post or client_secret_jwt"
}

// parseFormBasic decodes the Basic credentials of RFC 6749 2.3.1: client_id and client_secret are
// each form-encoded (application/x-www-form-urlencoded) before they are joined with ':' and
// Base64-encoded, so they are form-decoded after Base64. Credentials that were not form-encoded
// are refused: a raw ':' in the secret, a raw space, non-ASCII or control character, or a '%' not
// followed by two hex digits cannot appear in form-encoded text (and a raw '+' decodes to a
// space, so such a secret no longer matches). problem never quotes the header.
func parseFormBasic(h http.Header) (id, secret, problem string) {
	id, secret, problem = parseBasic(h)
	if problem != "" {
		return "", "", problem
	}
	if strings.Contains(secret, ":") {
		return "", "", "the Basic credentials hold more than one ':': client_id and client_secret must be " +
			"form-encoded before Base64 (RFC 6749 2.3.1), so a ':' in them travels as %3A"
	}
	for _, part := range []*string{&id, &secret} {
		for i := 0; i < len(*part); i++ {
			if c := (*part)[i]; c <= ' ' || c >= 0x7f {
				return "", "", "the Basic credentials hold a raw space, control or non-ASCII character: client_id and " +
					"client_secret must be form-encoded before Base64 (RFC 6749 2.3.1)"
			}
		}
		v, err := url.QueryUnescape(*part)
		if err != nil {
			return "", "", "the Basic credentials hold a '%' that is not an escape: client_id and client_secret must be " +
				"form-encoded before Base64 (RFC 6749 2.3.1)"
		}
		*part = v
	}
	return id, secret, ""
}

// assertionIssuer returns the iss claim of a JWT without verifying anything, or "".
func assertionIssuer(jwt string) string {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var claims struct {
		Iss string `json:"iss"`
	}
	_ = json.Unmarshal(payload, &claims)
	return claims.Iss
}

// checkAssertion verifies a private_key_jwt client assertion (RFC 7523 2.2 and 3) of client id
// against its registered key, and reports what is wrong with it ("" when nothing is): a JWS of
// three base64url segments, alg the one of the client's key (RS256 or ES256, never none or HMAC),
// no crit header, a valid signature, iss = sub = id, aud the endpoint URL, exp in the future but
// at most MaxAssertionLifetime away, nbf and iat not in the future, and a jti the client has never
// used (a replay is refused).
func (s *Server) checkAssertion(id string, reg oauth2Registration, jwt, endpoint string) string {
	claims, problem := verifiedJWS("client_assertion", jwt, reg.key, reg.alg)
	if problem != "" {
		return problem
	}
	if reg.cert != nil {
		if problem := checkThumbprints(jwt, reg.cert); problem != "" {
			return problem
		}
	}
	now := time.Now()
	nowSec := float64(now.UnixNano()) / 1e9
	iss, _ := claims["iss"].(string)
	sub, _ := claims["sub"].(string)
	jti, _ := claims["jti"].(string)
	exp, hasExp := numericDate(claims["exp"])
	switch {
	case iss != id:
		return "the client_assertion iss must be the client_id (RFC 7523 3)"
	case sub != id:
		return "the client_assertion sub must be the client_id (RFC 7523 3)"
	case !hasAudience(claims["aud"], endpoint):
		return "the client_assertion aud must be the URL of the endpoint it is sent to, " + endpoint
	case !hasExp:
		return "the client_assertion has no numeric exp"
	case exp <= nowSec:
		return "the client_assertion has expired"
	case exp > nowSec+MaxAssertionLifetime.Seconds():
		return fmt.Sprintf("the client_assertion exp is more than %s away", MaxAssertionLifetime)
	case jti == "":
		return "the client_assertion has no jti"
	}
	for _, k := range []string{"nbf", "iat"} {
		if v, present := claims[k]; present {
			t, ok := numericDate(v)
			if !ok {
				return fmt.Sprintf("the client_assertion %s is not a number", k)
			}
			if t > nowSec {
				return fmt.Sprintf("the client_assertion %s is in the future", k)
			}
		}
	}

	// The assertion is good: its jti may never be used again.
	if !s.useOnce(id, jti, exp) {
		return "the client_assertion jti has been used before: an assertion works once"
	}
	return ""
}

// checkThumbprints checks a client assertion of a client registered by certificate, as Entra ID
// does (AADSTS700027 otherwise): its header names the certificate by its SHA-1 thumbprint, x5t, or
// its SHA-256 thumbprint, x5t#S256 (RFC 7515 4.1.7, 4.1.8), and each of them it holds is the
// registered certificate's. Entra's certificate credentials article names x5t#S256 (its earlier
// versions x5t); a report to it (MicrosoftDocs/entra-docs#1301) found x5t#S256 alone refused, so
// clients send both.
func checkThumbprints(jwt string, cert *x509.Certificate) string {
	seg, _, _ := strings.Cut(jwt, ".")
	raw, _ := base64.RawURLEncoding.DecodeString(seg) // verifiedJWS has read it already
	header, _ := jsonObject(raw)
	sha1Sum, sha256Sum := sha1.Sum(cert.Raw), sha256.Sum256(cert.Raw) //nolint:gosec // G401: x5t is SHA-1 by definition
	x5t, hasSHA1 := header["x5t"]
	s256, hasSHA256 := header["x5t#S256"]
	switch {
	case !hasSHA1 && !hasSHA256:
		return "the client_assertion header has neither x5t nor x5t#S256: this client is registered by its " +
			"certificate, which the assertion must name by its SHA-1 (x5t) or SHA-256 (x5t#S256) thumbprint, base64url"
	case hasSHA1 && x5t != any(base64.RawURLEncoding.EncodeToString(sha1Sum[:])):
		return "the client_assertion x5t is not the SHA-1 thumbprint of the client's registered certificate"
	case hasSHA256 && s256 != any(base64.RawURLEncoding.EncodeToString(sha256Sum[:])):
		return "the client_assertion x5t#S256 is not the SHA-256 thumbprint of the client's registered certificate"
	}
	return ""
}

// useOnce records that the JWT with this jti (per issuer or client) has been accepted, until its
// exp, and reports false when it had been already: a replay. Entries whose exp has passed go,
// since such a JWT is refused as expired anyway.
func (s *Server) useOnce(scope, jti string, exp float64) bool {
	now := time.Now()
	key := scope + "\x00" + jti
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, until := range s.jtis {
		if now.After(until) {
			delete(s.jtis, k)
		}
	}
	if _, seen := s.jtis[key]; seen {
		return false
	}
	s.jtis[key] = time.Unix(0, int64(exp*1e9))
	return true
}

// verifiedJWS decodes a compact JWS (what names it in messages) and checks it is signed with alg
// by key: three unpadded base64url segments, a JSON header with that alg (never none) and no crit,
// a valid signature, and a JSON object payload.
func verifiedJWS(what, jwt string, key crypto.PublicKey, wantAlg string) (claims map[string]any, problem string) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return nil, what + " is not a JWS in compact serialization (three base64url segments)"
	}
	var raw [3][]byte
	for i, p := range parts {
		b, err := base64.RawURLEncoding.Strict().DecodeString(p)
		if err != nil || (len(b) == 0 && i < 2) {
			return nil, fmt.Sprintf("segment %d of %s is not unpadded base64url", i+1, what)
		}
		raw[i] = b
	}
	header, err := jsonObject(raw[0])
	if err != nil {
		return nil, "the " + what + " header is not a JSON object"
	}
	alg, _ := header["alg"].(string)
	switch {
	case alg == "" || alg == "none":
		return nil, "the " + what + " is not signed (alg " + quoteOr(alg, "missing") + ")"
	case alg != wantAlg:
		return nil, fmt.Sprintf("%s alg %q is not the algorithm of the signer's key, %s", what, alg, wantAlg)
	case header["crit"] != nil:
		return nil, "the " + what + " header has crit extensions, which this server does not understand (RFC 7515 4.1.11)"
	}
	if !verifySignature(key, parts[0]+"."+parts[1], raw[2]) {
		return nil, "the " + what + " signature does not verify with the signer's key"
	}
	if claims, err = jsonObject(raw[1]); err != nil {
		return nil, "the " + what + " payload is not a JSON object"
	}
	return claims, ""
}

func quoteOr(v, alt string) string {
	if v == "" {
		return alt
	}
	return fmt.Sprintf("%q", v)
}

// jsonObject decodes one JSON object, numbers kept as json.Number, and nothing after it.
func jsonObject(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if m == nil || dec.More() {
		return nil, fmt.Errorf("not one JSON object")
	}
	return m, nil
}

// numericDate reads a JWT NumericDate (RFC 7519 2): a JSON number of seconds, maybe fractional.
func numericDate(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

// hasAudience reports whether a JWT aud claim (a string, or an array of strings, RFC 7519 4.1.3)
// names want.
func hasAudience(aud any, want string) bool {
	switch a := aud.(type) {
	case string:
		return a == want
	case []any:
		return slices.Contains(a, any(want))
	}
	return false
}

// verifySignature checks a JWS signature over signingInput: RS256 is RSASSA-PKCS1-v1_5 and ES256
// the 64 bytes r||s of RFC 7518 3.4 (not ASN.1 DER), over its SHA-256 digest; HS256 is its
// HMAC-SHA256 with a []byte key.
func verifySignature(key crypto.PublicKey, signingInput string, sig []byte) bool {
	sum := sha256.Sum256([]byte(signingInput))
	digest := sum[:]
	switch k := key.(type) {
	case []byte:
		mac := hmac.New(sha256.New, k)
		mac.Write([]byte(signingInput))
		return hmac.Equal(mac.Sum(nil), sig)
	case *rsa.PublicKey:
		return rsa.VerifyPKCS1v15(k, crypto.SHA256, digest, sig) == nil
	case *ecdsa.PublicKey:
		if len(sig) != 64 {
			return false
		}
		r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
		return ecdsa.Verify(k, digest, r, s)
	}
	return false
}

// parsePublicKeyPEM reads a PEM "PUBLIC KEY" (PKIX) that is RSA of 2048 bits or more, or P-256,
// and its JWS algorithm.
func parsePublicKeyPEM(text string) (crypto.PublicKey, string, error) {
	block, rest := pem.Decode([]byte(text))
	if block == nil || block.Type != "PUBLIC KEY" || len(bytes.TrimSpace(rest)) != 0 {
		return nil, "", fmt.Errorf("not one PEM PUBLIC KEY block")
	}
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, "", fmt.Errorf("not a PKIX public key")
	}
	return signingKey(key)
}

// signingKey is key with its JWS algorithm, if private_key_jwt may use it: RSA of 2048 bits or
// more (RS256), or P-256 (ES256).
func signingKey(key crypto.PublicKey) (crypto.PublicKey, string, error) {
	switch k := key.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return nil, "", fmt.Errorf("an RSA key of %d bits; RS256 needs 2048 or more", k.N.BitLen())
		}
		return k, "RS256", nil
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return nil, "", fmt.Errorf("an EC key on %s; ES256 needs P-256", k.Curve.Params().Name)
		}
		return k, "ES256", nil
	}
	return nil, "", fmt.Errorf("a %T; private_key_jwt takes RSA or P-256 keys", key)
}

// keyPairs are the key clients' key pairs, made once per process.
type keyPairs struct {
	once                  sync.Once
	rsaPrivate, rsaPublic string
	ecPrivate, ecPublic   string
	rsaCert               string // a self-signed certificate of the RSA key, for OAuth2CertClientID
}

var oauth2Keys keyPairs

func oauth2KeyPairs() *keyPairs {
	oauth2Keys.once.Do(func() {
		rk, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err) // crypto/rand does not fail
		}
		ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		oauth2Keys.rsaPrivate, oauth2Keys.rsaPublic = keyPairPEM(rk, &rk.PublicKey)
		oauth2Keys.ecPrivate, oauth2Keys.ecPublic = keyPairPEM(ek, &ek.PublicKey)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: OAuth2CertClientID},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &rk.PublicKey, rk)
		if err != nil {
			panic(err) // a template of constants and a fresh key always sign
		}
		oauth2Keys.rsaCert = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	})
	return &oauth2Keys
}

// keyPairPEM encodes a private key as PEM PKCS#8 ("PRIVATE KEY") and its public key as PEM PKIX
// ("PUBLIC KEY").
func keyPairPEM(private, public any) (string, string) {
	der, err := x509.MarshalPKCS8PrivateKey(private)
	if err != nil {
		panic(err) // RSA and ECDSA keys always marshal
	}
	pub, err := x509.MarshalPKIXPublicKey(public)
	if err != nil {
		panic(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))
}

// OAuth2RSAKeyPEM returns the private key of OAuth2RSAClientID (RSA 2048, PEM PKCS#8), made once
// per process: what a test or the demo signs its RS256 client assertions with.
func OAuth2RSAKeyPEM() string { return oauth2KeyPairs().rsaPrivate }

// OAuth2ECKeyPEM returns the private key of OAuth2ECClientID (P-256, PEM PKCS#8), made once per
// process: what a test or the demo signs its ES256 client assertions with.
func OAuth2ECKeyPEM() string { return oauth2KeyPairs().ecPrivate }

// OAuth2RSAPublicKeyPEM returns the public key registered for OAuth2RSAClientID (PEM PKIX).
func OAuth2RSAPublicKeyPEM() string { return oauth2KeyPairs().rsaPublic }

// OAuth2RSACertPEM returns the self-signed certificate of OAuth2RSAKeyPEM's key, registered for
// OAuth2CertClientID as an Entra certificate credential is.
func OAuth2RSACertPEM() string { return oauth2KeyPairs().rsaCert }

// OAuth2ECPublicKeyPEM returns the public key registered for OAuth2ECClientID (PEM PKIX).
func OAuth2ECPublicKeyPEM() string { return oauth2KeyPairs().ecPublic }
