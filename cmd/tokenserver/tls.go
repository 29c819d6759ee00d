package main

import (
	"crypto/tls"
	"crypto/x509"
	"path/filepath"

	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// tlsClientSubject is the CommonName of the client certificate -tls-dir writes; the built-in
// oauth2-mtls-client (tls_client_auth) is registered for it.
const tlsClientSubject = "tokenserver-client"

// tlsMaterial is what -tls-dir makes for one run: a CA of its own (tokenserver.CA), a server
// certificate it issued for the loopback names, and a client certificate.
type tlsMaterial struct {
	server tls.Certificate
	pool   *x509.CertPool // the CA, whose client certificates tls_client_auth clients may present
	files  map[string]string
}

// newTLSMaterial makes the CA and both certificates; files are the PEMs to write into dir.
func newTLSMaterial(dir string) (*tlsMaterial, error) {
	ca, err := tokenserver.NewCA()
	if err != nil {
		return nil, err
	}
	serverCert, serverKey, err := ca.Issue(tokenserver.CertOptions{CommonName: "localhost", Server: true})
	if err != nil {
		return nil, err
	}
	clientCert, clientKey, err := ca.Issue(tokenserver.CertOptions{CommonName: tlsClientSubject})
	if err != nil {
		return nil, err
	}
	server, err := tls.X509KeyPair([]byte(serverCert), []byte(serverKey))
	if err != nil {
		return nil, err
	}
	return &tlsMaterial{server: server, pool: ca.Pool(), files: map[string]string{
		filepath.Join(dir, "ca.pem"):         ca.CertPEM,
		filepath.Join(dir, "client.pem"):     clientCert,
		filepath.Join(dir, "client-key.pem"): clientKey,
	}}, nil
}

// config is the listener's TLS configuration: it asks every client for a certificate without
// verifying it, so that the oauth2 API can check tls_client_auth and self-signed ones itself.
func (m *tlsMaterial) config() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{m.server}, ClientAuth: tls.RequestClientCert, MinVersion: tls.VersionTLS12}
}
