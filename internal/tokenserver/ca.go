package tokenserver

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"time"
)

// CA is a certificate authority for mutual TLS against the token server: it issues the server's
// certificate and clients' certificates. CertPEM is what a client trusts (ca_cert_pem). The
// tokenserver command's -tls-dir makes one per run; tests make their own.
type CA struct {
	Cert    *x509.Certificate
	CertPEM string
	key     crypto.Signer
}

// NewCA creates a CA (P-256) valid from an hour ago for a year.
func NewCA() (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serialNumber(), Subject: pkix.Name{CommonName: "authtoken test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &CA{Cert: cert, CertPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), key: key}, nil
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
func (ca *CA) Issue(o CertOptions) (certPEM, keyPEM string, err error) {
	if o.NotBefore.IsZero() {
		o.NotBefore = time.Now().Add(-time.Hour)
	}
	if o.NotAfter.IsZero() {
		o.NotAfter = time.Now().Add(90 * 24 * time.Hour)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serialNumber(), Subject: pkix.Name{CommonName: o.CommonName},
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
			return "", "", err
		}
		key, block = k, &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}
	case KeySEC1:
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return "", "", err
		}
		der, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			return "", "", err
		}
		key, block = k, &pem.Block{Type: "EC PRIVATE KEY", Bytes: der}
	default:
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return "", "", err
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			return "", "", err
		}
		key, block = k, &pem.Block{Type: "PRIVATE KEY", Bytes: der}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, key.Public(), ca.key)
	if err != nil {
		return "", "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), string(pem.EncodeToMemory(block)), nil
}

// Pool is a certificate pool holding the CA alone.
func (ca *CA) Pool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	return pool
}

// serialNumber is a random 64-bit certificate serial number (crypto/rand never fails).
func serialNumber() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	return n
}
