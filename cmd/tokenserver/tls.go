package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"path/filepath"
	"time"
)

// tlsClientSubject is the CommonName of the client certificate -tls-dir writes; the built-in
// oauth2-mtls-client (tls_client_auth) is registered for it.
const tlsClientSubject = "tokenserver-client"

// tlsMaterial is what -tls-dir makes for one run: a CA of its own, a server certificate it issued
// for the loopback names, and a client certificate, all valid for a day.
type tlsMaterial struct {
	server tls.Certificate
	pool   *x509.CertPool // the CA, whose client certificates tls_client_auth clients may present
	files  map[string]string
}

// newTLSMaterial makes the CA and both certificates; files are the PEMs to write into dir.
func newTLSMaterial(dir string) (*tlsMaterial, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tokenserver test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	issue := func(serial int64, cn string, usage x509.ExtKeyUsage) (certPEM, keyPEM string, err error) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return "", "", err
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{usage}}
		if usage == x509.ExtKeyUsageServerAuth {
			tmpl.DNSNames, tmpl.IPAddresses = []string{"localhost"}, []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			return "", "", err
		}
		keyDER, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return "", "", err
		}
		return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
			string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})), nil
	}
	serverCert, serverKey, err := issue(2, "localhost", x509.ExtKeyUsageServerAuth)
	if err != nil {
		return nil, err
	}
	clientCert, clientKey, err := issue(3, tlsClientSubject, x509.ExtKeyUsageClientAuth)
	if err != nil {
		return nil, err
	}
	server, err := tls.X509KeyPair([]byte(serverCert), []byte(serverKey))
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return &tlsMaterial{server: server, pool: pool, files: map[string]string{
		filepath.Join(dir, "ca.pem"):         string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})),
		filepath.Join(dir, "client.pem"):     clientCert,
		filepath.Join(dir, "client-key.pem"): clientKey,
	}}, nil
}

// config is the listener's TLS configuration: it asks every client for a certificate without
// verifying it, so that the oauth2 API can check tls_client_auth and self-signed ones itself.
func (m *tlsMaterial) config() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{m.server}, ClientAuth: tls.RequestClientCert, MinVersion: tls.VersionTLS12}
}
