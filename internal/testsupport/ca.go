package testsupport

import (
	"crypto/tls"
	"net/http/httptest"
	"testing"

	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// CA is tokenserver's certificate authority with test-shaped methods: a failure fails the test.
type CA struct{ *tokenserver.CA }

// NewCA creates a CA valid from an hour ago for a year.
func NewCA(tb testing.TB) *CA {
	tb.Helper()
	ca, err := tokenserver.NewCA()
	if err != nil {
		tb.Fatal(err)
	}
	return &CA{ca}
}

// CertOptions describe a certificate to issue (tokenserver.CertOptions).
type CertOptions = tokenserver.CertOptions

// KeyFormat is how an issued certificate's private key is encoded (tokenserver.KeyFormat).
type KeyFormat = tokenserver.KeyFormat

// The key encodings: PKCS#8 (an EC key, the default), SEC1 (an EC key) and PKCS#1 (an RSA key).
const (
	KeyPKCS8 = tokenserver.KeyPKCS8
	KeySEC1  = tokenserver.KeySEC1
	KeyPKCS1 = tokenserver.KeyPKCS1
)

// Issue issues a certificate signed by the CA and returns it and its private key, PEM-encoded.
func (ca *CA) Issue(tb testing.TB, o CertOptions) (certPEM, keyPEM string) {
	tb.Helper()
	certPEM, keyPEM, err := ca.CA.Issue(o)
	if err != nil {
		tb.Fatal(err)
	}
	return certPEM, keyPEM
}

// TokenServerMTLS is TokenServerTLS with a certificate ca issued for loopback, asking every client
// for a certificate and verifying one that is sent against ca (tls.VerifyClientCertIfGiven):
// cfg.ClientCertSubject says which APIs' endpoints require one. Clients trust ca.CertPEM.
func TokenServerMTLS(tb testing.TB, cfg tokenserver.Config, ca *CA) (*tokenserver.Server, *httptest.Server) {
	tb.Helper()
	certPEM, keyPEM := ca.Issue(tb, CertOptions{CommonName: "localhost", Server: true})
	pair, err := tls.X509KeyPair([]byte(certPEM), []byte(keyPEM))
	if err != nil {
		tb.Fatal(err)
	}
	pool := ca.Pool()
	s := tokenserver.New(cfg)
	return s, serveWith(tb, s, nil, &tls.Config{ //nolint:gosec // MinVersion: TLS 1.2 is Go's default for servers
		Certificates: []tls.Certificate{pair}, ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: pool,
	})
}

// TokenServerRFC8705 serves a strict token server over TLS with a certificate ca issued, asking
// each client for a certificate without verifying it (tls.RequestClientCert), as an RFC 8705
// server that accepts self-signed certificates must; the server checks them itself: cfg.ClientCAs
// becomes ca, for tls_client_auth clients.
func TokenServerRFC8705(tb testing.TB, cfg tokenserver.Config, ca *CA) (*tokenserver.Server, *httptest.Server) {
	tb.Helper()
	certPEM, keyPEM := ca.Issue(tb, CertOptions{CommonName: "localhost", Server: true})
	pair, err := tls.X509KeyPair([]byte(certPEM), []byte(keyPEM))
	if err != nil {
		tb.Fatal(err)
	}
	cfg.ClientCAs = ca.Pool()
	s := tokenserver.New(cfg)
	return s, serveWith(tb, s, nil, &tls.Config{ //nolint:gosec // MinVersion: TLS 1.2 is Go's default for servers
		Certificates: []tls.Certificate{pair}, ClientAuth: tls.RequestClientCert,
	})
}
