package grant_test

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
)

// requireOraclesEnv, when set (.ci/run sets it), fails the tests whose third-party server is
// missing instead of skipping them.
const requireOraclesEnv = "AUTHTOKEN_REQUIRE_ORACLES"

// startOIDCProvider runs panva's oidc-provider (testdata/oidc-provider, installed by
// `npm ci --prefix internal/grant/testdata/oidc-provider`) with a client_secret_jwt client whose
// secret is secret and a private_key_jwt client with key, and returns its issuer. env adds to its
// environment (SERVER_CERT, SERVER_KEY and CLIENT_CA serve https with RFC 8705).
func startOIDCProvider(t *testing.T, secret string, key *rsa.PrivateKey, env ...string) string {
	t.Helper()
	dir := filepath.Join("testdata", "oidc-provider")
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "node_modules", "oidc-provider"))
	}
	if err != nil {
		msg := "panva's oidc-provider is not installed (needs node, then npm ci --prefix internal/grant/testdata/oidc-provider): " + err.Error()
		if os.Getenv(requireOraclesEnv) != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	jwk, _ := json.Marshal(map[string]string{"kty": "RSA", "use": "sig", "alg": "RS256",
		"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes())})
	cmd := exec.Command(node, "server.mjs")
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "CLIENT_SECRET="+secret, "RSA_JWK="+string(jwk), "NODE_ENV=production"), env...)
	stdin, _ := cmd.StdinPipe() // closing it ends the server
	stdout, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = stdin.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(time.Minute):
			_ = cmd.Process.Kill()
		}
	})
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case issuer := <-line:
		if !strings.HasPrefix(issuer, "http://127.0.0.1:") && !strings.HasPrefix(issuer, "https://127.0.0.1:") {
			t.Fatalf("oidc-provider did not start: %q\n%s", issuer, stderr.String())
		}
		return issuer
	case <-time.After(2 * time.Minute):
		t.Fatalf("oidc-provider printed no issuer in two minutes:\n%s", stderr.String())
	}
	return ""
}

// TestOIDCProvider: client_secret_jwt and private_key_jwt, through discovery, against a server
// nobody here wrote: panva's oidc-provider, which is OpenID Certified. The secret holds ':', '+',
// '&', '/' and '%', which no encoding may touch: both sides use its raw bytes as the HS256 key. (It
// has no non-ASCII letter, unlike the token server's: oidc-provider holds client secrets to
// RFC 6749 A.2's VSCHAR, printable ASCII.)
func TestOIDCProvider(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	secret := "hs256-oracle-secret:+&/%-longer-than-32-bytes"
	issuer := startOIDCProvider(t, secret, key)
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	for name, r := range map[string]grant.Request{
		"client_secret_jwt": {ClientID: "jwt-client", ClientSecret: secret, ClientAuth: grant.ClientAuthSecretJWT},
		"private_key_jwt":   {ClientID: "key-client", ClientAuth: grant.ClientAuthPrivateKeyJWT, PrivateKeyPEM: keyPEM},
	} {
		t.Run(name, func(t *testing.T) {
			r.API, r.Issuer, r.Scope = grant.OAuth2, issuer, "api.read"
			tok, err := newClient(t).Grant(context.Background(), r)
			if err != nil {
				t.Fatalf("oidc-provider refused: %v", err)
			}
			if tok.AccessToken == "" || tok.ExpiresIn <= 0 || !strings.Contains(strings.Join(tok.Scopes, " "), "api.read") {
				t.Errorf("access token set %t, expires_in %d, scopes %v (the tokens withheld)", tok.AccessToken != "", tok.ExpiresIn, tok.Scopes)
			}
		})
	}
	// A wrong secret signs an assertion oidc-provider refuses, as a refused client.
	r := grant.Request{API: grant.OAuth2, Issuer: issuer, ClientID: "jwt-client", ClientSecret: secret + "x",
		ClientAuth: grant.ClientAuthSecretJWT}
	_, err = newClient(t).Grant(context.Background(), r)
	var ge *grant.Error
	if !errors.As(err, &ge) || ge.Reason() != grant.ReasonClientCredentials {
		t.Errorf("a wrong secret: %v, want a refused client", err)
	}
}

// TestOIDCProviderTLSClientAuth: RFC 8705 tls_client_auth against oidc-provider over https, whose
// mTLS feature matches the certificate's subject DN to the client's registered one: the
// certificate in the handshake authenticates the client, and a certificate of another subject is
// refused.
func TestOIDCProviderTLSClientAuth(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ca := testsupport.NewCA(t)
	serverCert, serverKey := ca.Issue(t, testsupport.CertOptions{CommonName: "localhost", Server: true})
	issuer := startOIDCProvider(t, "unused-secret-unused-secret-unused-secret", key,
		"SERVER_CERT="+serverCert, "SERVER_KEY="+serverKey, "CLIENT_CA="+ca.CertPEM)
	c := newClient(t, func(c *grant.Config) { c.CACertPEM = ca.CertPEM })
	cert, certKey := ca.Issue(t, testsupport.CertOptions{CommonName: "inventory-mtls"})
	r := grant.Request{API: grant.OAuth2, Issuer: issuer, ClientID: "mtls-client", ClientAuth: grant.ClientAuthTLS,
		ClientCertPEM: cert, ClientKeyPEM: certKey, Scope: "api.read"}
	tok, err := c.Grant(context.Background(), r)
	if err != nil {
		t.Fatalf("oidc-provider refused tls_client_auth: %v", err)
	}
	// oidc-provider bound the token to the certificate (cnf x5t#S256), and the grant, which checks
	// the binding against the certificate it presented, accepted it: both compute the thumbprint alike.
	var claims struct {
		Cnf struct {
			X5tS256 string `json:"x5t#S256"`
		} `json:"cnf"`
	}
	payload, _ := grant.JWTPayload(tok.AccessToken)
	block, _ := pem.Decode([]byte(cert))
	sum := sha256.Sum256(block.Bytes)
	if json.Unmarshal(payload, &claims) != nil || claims.Cnf.X5tS256 != base64.RawURLEncoding.EncodeToString(sum[:]) {
		t.Errorf("oidc-provider's token is not bound to the certificate presented (cnf %q)", claims.Cnf.X5tS256)
	}
	if tok.AccessToken == "" {
		t.Errorf("access token set %t, expires_in %d, scopes %v (the tokens withheld)", tok.AccessToken != "", tok.ExpiresIn, tok.Scopes)
	}
	r.ClientCertPEM, r.ClientKeyPEM = ca.Issue(t, testsupport.CertOptions{CommonName: "someone-else"})
	_, err = c.Grant(context.Background(), r)
	var ge *grant.Error
	if !errors.As(err, &ge) || ge.Reason() != grant.ReasonClientCredentials {
		t.Errorf("another subject: %v, want a refused client", err)
	}
}

// TestOIDCProviderSelfSignedTLSClientAuth: RFC 8705 self_signed_tls_client_auth against
// oidc-provider over https, which knows the client by the certificate in its registered JWK
// (x5c, x5t#S256). Its TLS server names the CA of tls_client_auth in its certificate request, as a
// server that offers both methods does: the self-signed certificate must be sent all the same.
func TestOIDCProviderSelfSignedTLSClientAuth(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ca := testsupport.NewCA(t)
	serverCert, serverKey := ca.Issue(t, testsupport.CertOptions{CommonName: "localhost", Server: true})
	selfSigned, selfSignedKey, der := selfSignedCertificate(t)
	sum := sha256.Sum256(der)
	certKey, _ := selfSignedKey.Public().(*ecdsa.PublicKey)
	point, err := certKey.Bytes() // 0x04, then X and Y of 32 bytes each
	if err != nil {
		t.Fatal(err)
	}
	jwk, _ := json.Marshal(map[string]any{"kty": "EC", "crv": "P-256", "use": "sig",
		"x":   base64.RawURLEncoding.EncodeToString(point[1:33]),
		"y":   base64.RawURLEncoding.EncodeToString(point[33:65]),
		"x5c": []string{base64.StdEncoding.EncodeToString(der)}, "x5t#S256": base64.RawURLEncoding.EncodeToString(sum[:])})
	issuer := startOIDCProvider(t, "unused-secret-unused-secret-unused-secret", key,
		"SERVER_CERT="+serverCert, "SERVER_KEY="+serverKey, "CLIENT_CA="+ca.CertPEM, "SELF_SIGNED_JWK="+string(jwk))
	c := newClient(t, func(c *grant.Config) { c.CACertPEM = ca.CertPEM })
	r := grant.Request{API: grant.OAuth2, Issuer: issuer, ClientID: "self-signed-client",
		ClientAuth: grant.ClientAuthSelfSignedTLS, ClientCertPEM: selfSigned, ClientKeyPEM: selfSignedKeyPEM(t, selfSignedKey),
		Scope: "api.read"}
	if _, err := c.Grant(context.Background(), r); err != nil {
		t.Fatalf("oidc-provider refused self_signed_tls_client_auth: %v", err)
	}
	// Another self-signed certificate is not the registered one.
	other, otherKey, _ := selfSignedCertificate(t)
	r.ClientCertPEM, r.ClientKeyPEM = other, selfSignedKeyPEM(t, otherKey)
	_, err = c.Grant(context.Background(), r)
	var ge *grant.Error
	if !errors.As(err, &ge) || ge.Reason() != grant.ReasonClientCredentials {
		t.Errorf("an unregistered certificate: %v, want a refused client", err)
	}
}

// selfSignedCertificate is a P-256 certificate that signs itself, as a client registers for
// self_signed_tls_client_auth, with its key and DER.
func selfSignedCertificate(t *testing.T) (certPEM string, key *ecdsa.PrivateKey, der []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "self-signed-client"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err = x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), key, der
}

func selfSignedKeyPEM(t *testing.T, key *ecdsa.PrivateKey) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}
