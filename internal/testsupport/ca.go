package testsupport

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// CA is a test certificate authority: it issues the token server's certificate and clients'
// certificates, for mutual TLS tests. CertPEM is what a client trusts (ca_cert_pem).
type CA struct {
	Cert    *x509.Certificate
	CertPEM string
	key     crypto.Signer
}

// NewCA creates a CA valid from an hour ago for a year.
func NewCA(tb testing.TB) *CA {
	tb.Helper()
	key := ecKey(tb)
	tmpl := &x509.Certificate{
		SerialNumber: serial(tb), Subject: pkix.Name{CommonName: "authtoken test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return &CA{Cert: cert, CertPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), key: key}
}

// KeyFormat is how an issued certificate's private key is encoded.
type KeyFormat string

// The key encodings: PKCS#8 (an EC key, the default), SEC1 (an EC key) and PKCS#1 (an RSA key).
const (
	KeyPKCS8 KeyFormat = "pkcs8"
	KeySEC1  KeyFormat = "sec1"
	KeyPKCS1 KeyFormat = "pkcs1"
)

// CertOptions describe a certificate to issue; zero times mean from an hour ago for 90 days.
type CertOptions struct {
	CommonName          string
	NotBefore, NotAfter time.Time
	Server              bool // a server certificate for localhost and 127.0.0.1, else a client one
	Key                 KeyFormat
}

// Issue issues a certificate signed by the CA and returns it and its private key, PEM-encoded.
func (ca *CA) Issue(tb testing.TB, o CertOptions) (certPEM, keyPEM string) {
	tb.Helper()
	if o.NotBefore.IsZero() {
		o.NotBefore = time.Now().Add(-time.Hour)
	}
	if o.NotAfter.IsZero() {
		o.NotAfter = time.Now().Add(90 * 24 * time.Hour)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(tb), Subject: pkix.Name{CommonName: o.CommonName},
		NotBefore: o.NotBefore, NotAfter: o.NotAfter, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	if o.Server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.DNSNames, tmpl.IPAddresses = []string{"localhost"}, []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	}
	var key crypto.Signer
	var block *pem.Block
	switch o.Key {
	case KeyPKCS1:
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			tb.Fatal(err)
		}
		key, block = k, &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}
	case KeySEC1:
		k := ecKey(tb)
		der, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			tb.Fatal(err)
		}
		key, block = k, &pem.Block{Type: "EC PRIVATE KEY", Bytes: der}
	default:
		k := ecKey(tb)
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			tb.Fatal(err)
		}
		key, block = k, &pem.Block{Type: "PRIVATE KEY", Bytes: der}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, key.Public(), ca.key)
	if err != nil {
		tb.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), string(pem.EncodeToMemory(block))
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
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	s := tokenserver.New(cfg)
	return s, serveWith(tb, s, nil, &tls.Config{ //nolint:gosec // MinVersion: TLS 1.2 is Go's default for servers
		Certificates: []tls.Certificate{pair}, ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: pool,
	})
}

func ecKey(tb testing.TB) *ecdsa.PrivateKey {
	tb.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

func serial(tb testing.TB) *big.Int {
	tb.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		tb.Fatal(err)
	}
	return n
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
	cfg.ClientCAs = x509.NewCertPool()
	cfg.ClientCAs.AddCert(ca.Cert)
	s := tokenserver.New(cfg)
	return s, serveWith(tb, s, nil, &tls.Config{ //nolint:gosec // MinVersion: TLS 1.2 is Go's default for servers
		Certificates: []tls.Certificate{pair}, ClientAuth: tls.RequestClientCert,
	})
}
