package grant

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"
)

// TLS client certificates (mutual TLS). A request with ClientCertPEM and ClientKeyPEM presents
// that certificate in the handshake with its token endpoint and its revocation endpoint. The pair
// is checked before anything is sent (checkClientCert); the messages never quote either PEM. Each
// certificate gets its own clone of the client's transport, so connections made with one
// certificate are never reused for a request with another (or with none), and requests with the
// same certificate still share their keep-alive connections.

// ClientCertExpiryWarning is how close to its expiry a client certificate gets a warning.
const ClientCertExpiryWarning = 30 * 24 * time.Hour

// maxCertTransports bounds the transports kept per client certificate: a run uses a handful.
const maxCertTransports = 32

// checkClientCert checks the client certificate and key: both or neither, PEM that parses (the
// key PKCS#1, PKCS#8 or SEC1, unencrypted), a key that belongs to the first certificate, which is
// valid now. It returns a caveat when the certificate expires soon.
func (r Request) checkClientCert(now time.Time) (*Caveat, *Error) {
	if r.ClientCertPEM == "" && r.ClientKeyPEM == "" {
		return nil, nil
	}
	fail := func(s Setting, msg string) (*Caveat, *Error) {
		return nil, &Error{API: r.API, Kind: KindConfig, Setting: s, Message: msg}
	}
	if r.ClientKeyPEM == "" {
		return fail(SettingClientKey, "a client certificate needs its private key: set the client key as well")
	}
	if r.ClientCertPEM == "" {
		return fail(SettingClientCert, "a client key needs its certificate: set the client certificate as well")
	}
	var leaf *x509.Certificate
	for _, der := range certificatesDER(r.ClientCertPEM) {
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return fail(SettingClientCert, "a certificate in the client certificate PEM does not parse as X.509")
		}
		if leaf == nil {
			leaf = cert
		}
	}
	if leaf == nil {
		return fail(SettingClientCert, "the client certificate holds no PEM-encoded certificate (-----BEGIN CERTIFICATE-----)")
	}
	key, e := r.clientKeyBlock()
	if e != nil {
		return nil, e
	}
	if !parsesAsPrivateKey(key.Bytes) {
		return fail(SettingClientKey, "the client key does not parse as a PKCS#1, PKCS#8 or SEC1 (EC) private key")
	}
	if _, err := tls.X509KeyPair([]byte(r.ClientCertPEM), []byte(r.ClientKeyPEM)); err != nil {
		return fail(SettingClientKey, "the client key does not belong to the client certificate (the first certificate "+
			"of the PEM, the one presented): give the key the certificate was issued for")
	}
	switch {
	case now.After(leaf.NotAfter):
		return fail(SettingClientCert, "the client certificate expired on "+leaf.NotAfter.UTC().Format(time.RFC3339)+
			": the server would refuse it; renew it")
	case now.Before(leaf.NotBefore):
		return fail(SettingClientCert, "the client certificate is not valid before "+leaf.NotBefore.UTC().Format(time.RFC3339)+
			": check this machine's clock, or wait until then")
	case leaf.NotAfter.Sub(now) < ClientCertExpiryWarning:
		return &Caveat{Kind: CaveatClientCertExpiring, Expires: leaf.NotAfter}, nil
	}
	return nil, nil
}

// clientKeyBlock is the key's PEM block, refused when it is encrypted: the provider takes no
// passphrase.
func (r Request) clientKeyBlock() (*pem.Block, *Error) {
	fail := func(msg string) (*pem.Block, *Error) {
		return nil, &Error{API: r.API, Kind: KindConfig, Setting: SettingClientKey, Message: msg}
	}
	rest := []byte(r.ClientKeyPEM)
	for {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			return fail("the client key holds no PEM-encoded private key (-----BEGIN PRIVATE KEY-----)")
		}
		if block.Type == "ENCRYPTED PRIVATE KEY" || strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED") {
			return fail("the client key is encrypted, and the provider takes no passphrase: decrypt it first, " +
				"for example with `openssl pkey -in key.pem -out key-plain.pem`, and keep the plain key in a secret store")
		}
		if strings.HasSuffix(block.Type, "PRIVATE KEY") {
			return block, nil
		}
	}
}

func parsesAsPrivateKey(der []byte) bool {
	if _, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return true
	}
	if _, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return true
	}
	_, err := x509.ParseECPrivateKey(der)
	return err == nil
}

// certTransports are the client's transports that present a client certificate, one per
// certificate and key, by their hash.
type certTransports struct {
	mu    sync.Mutex
	byKey map[[sha256.Size]byte]*http.Transport
}

// transportFor is the transport r's requests go through: the client's own, or the clone of it
// that presents r's client certificate.
func (c *Client) transportFor(r Request) (http.RoundTripper, error) {
	if r.ClientCertPEM == "" {
		return c.transport, nil
	}
	key := sha256.Sum256([]byte(r.ClientCertPEM + "\x00" + r.ClientKeyPEM))
	c.certs.mu.Lock()
	defer c.certs.mu.Unlock()
	if t, ok := c.certs.byKey[key]; ok {
		return t, nil
	}
	pair, err := tls.X509KeyPair([]byte(r.ClientCertPEM), []byte(r.ClientKeyPEM))
	if err != nil { // checkClientCert refused it already; this guards other callers
		return nil, errors.New("the client certificate and key are not a usable pair")
	}
	base, ok := c.transport.(*http.Transport)
	if !ok {
		return nil, errors.New("the client's transport cannot present a client certificate")
	}
	t := base.Clone()
	// The configured certificate is sent whatever certificate authorities the server's request
	// names: Go's default (Certificates) sends none unless one matches, which drops a
	// self_signed_tls_client_auth certificate at a server that also lists tls_client_auth's CAs.
	t.TLSClientConfig.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &pair, nil }
	if c.certs.byKey == nil {
		c.certs.byKey = map[[sha256.Size]byte]*http.Transport{}
	}
	if len(c.certs.byKey) >= maxCertTransports {
		for k, old := range c.certs.byKey { // any one: a run with this many certificates is rare
			old.CloseIdleConnections()
			delete(c.certs.byKey, k)
			break
		}
	}
	c.certs.byKey[key] = t
	return t, nil
}

// clientCertAlert reports a handshake the server ended over the client certificate: none was
// sent where one is required (certificate_required), or a certificate was refused (unknown CA,
// expired, revoked); which of the two a refusal is depends on whether one was sent
// (Error.clientCertReason).
// Remote alerts have no exported type, so their text is matched.
func clientCertAlert(err error) (required, refused bool) {
	if err == nil {
		return false, false
	}
	msg := err.Error()
	if strings.Contains(msg, "remote error: tls: certificate required") {
		return true, false
	}
	// A TLS 1.2 server that requires a certificate and got none says only handshake_failure
	// (Go's does); with the rare other causes of that alert (no common cipher suite) retrying
	// cannot help either.
	for _, alert := range []string{"bad certificate", "unknown certificate authority", "certificate expired",
		"certificate revoked", "unsupported certificate", "certificate unknown", "access denied", "handshake failure"} {
		if strings.Contains(msg, "remote error: tls: "+alert) {
			return false, true
		}
	}
	return false, false
}

// clientCertReason is ReasonClientCertRequired or ReasonClientCertRefused for a handshake or a
// gateway's answer that refused the client certificate (or its absence); ReasonUnknown otherwise.
func (e *Error) clientCertReason() Reason {
	var required, refused bool
	switch e.Kind {
	case KindTransport:
		required, refused = clientCertAlert(e.Err)
	case KindStatus:
		required, refused = e.gatewayWantsCert()
	}
	switch {
	case required, refused && !e.sentClientCert:
		return ReasonClientCertRequired
	case refused:
		return ReasonClientCertRefused
	}
	return ReasonUnknown
}

// gatewayWantsCert reports an HTTP answer of a TLS-terminating gateway that asked for a client
// certificate and got none (nginx: 400 "No required SSL certificate was sent") or could not verify
// it (nginx: 400 "The SSL certificate error").
func (e *Error) gatewayWantsCert() (required, refused bool) {
	if e.Kind != KindStatus || e.Status != http.StatusBadRequest {
		return false, false
	}
	return strings.Contains(e.Snippet, "No required SSL certificate was sent"),
		strings.Contains(e.Snippet, "The SSL certificate error")
}

// checkCertBinding checks the binding of a certificate-bound access token (RFC 8705 3): a JWT
// whose cnf claim holds x5t#S256 must name the certificate r presented, since its consumers will
// accept it only together with that certificate. Other tokens, or a request without a
// certificate, pass: a token that is not a JWT cannot be checked here.
func checkCertBinding(r Request, accessToken string) *Error {
	if r.ClientCertPEM == "" {
		return nil
	}
	var claims struct {
		Cnf struct {
			X5tS256 string `json:"x5t#S256"`
		} `json:"cnf"`
	}
	if !jwtClaims(accessToken, &claims) || claims.Cnf.X5tS256 == "" {
		return nil
	}
	certs := certificatesDER(r.ClientCertPEM)
	if len(certs) == 0 {
		return nil // checkClientCert has refused such a PEM before any request
	}
	sum := sha256.Sum256(certs[0]) // the leaf, the certificate presented
	if claims.Cnf.X5tS256 != base64.RawURLEncoding.EncodeToString(sum[:]) {
		return &Error{API: r.API, Kind: KindResponse, Setting: SettingClientCert, Message: "the server bound the access " +
			"token to another certificate than the one presented (its cnf x5t#S256, RFC 8705 3): consumers that check " +
			"the binding would refuse it"}
	}
	return nil
}

// certificatesDER are the DER bytes of the CERTIFICATE blocks of a PEM text, leaf first.
func certificatesDER(pemText string) [][]byte {
	var out [][]byte
	rest := []byte(pemText)
	for {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			return out
		}
		if block.Type == "CERTIFICATE" {
			out = append(out, block.Bytes)
		}
	}
}
