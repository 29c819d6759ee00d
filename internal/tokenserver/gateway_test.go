package tokenserver_test

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// TestClientCertificateGateway: Tenn's token and revocation endpoints admit only a certificate the
// test CA issued to the configured subject, answering as nginx does; other APIs and Tenn's other
// endpoints ask for none.
func TestClientCertificateGateway(t *testing.T) {
	ca := testsupport.NewCA(t)
	cfg := tokenserver.DefaultConfig()
	cfg.ClientCertSubject = map[tokenserver.API]string{tokenserver.Tenn: "merchant-1"}
	srv, ts := testsupport.TokenServerMTLS(t, cfg, ca)
	client := func(certPEM, keyPEM string) *http.Client {
		pool := x509.NewCertPool()
		pool.AddCert(ca.Cert)
		conf := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		if certPEM != "" {
			pair, err := tls.X509KeyPair([]byte(certPEM), []byte(keyPEM))
			if err != nil {
				t.Fatal(err)
			}
			conf.Certificates = []tls.Certificate{pair}
		}
		return &http.Client{Transport: &http.Transport{TLSClientConfig: conf}}
	}
	post := func(c *http.Client, api tokenserver.API, path string, form url.Values) (int, string) {
		t.Helper()
		c2 := api.Credentials()
		req, _ := http.NewRequest(http.MethodPost, ts.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(c2.ClientID, c2.ClientSecret)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	tennForm := url.Values{"client_id": {tokenserver.TennClientID}, "grant_type": {"password"},
		"username": {tokenserver.TennUsername}, "password": {tokenserver.TennPassword}}
	right := client(ca.Issue(t, testsupport.CertOptions{CommonName: "merchant-1"}))

	status, body := post(client("", ""), tokenserver.Tenn, tokenserver.TennPath, tennForm)
	if status != http.StatusBadRequest || !strings.Contains(body, "No required SSL certificate was sent") {
		t.Errorf("without a certificate: %d %q, want nginx's 400", status, body)
	}
	status, _ = post(client(ca.Issue(t, testsupport.CertOptions{CommonName: "merchant-2"})), tokenserver.Tenn, tokenserver.TennPath, tennForm)
	if status != http.StatusForbidden {
		t.Errorf("another subject: %d, want 403", status)
	}
	if srv.Requests(tokenserver.Tenn) != 0 || srv.GatewayRefusals(tokenserver.Tenn) != 2 {
		t.Errorf("%d requests reached the endpoint and %d were refused; want 0 and 2",
			srv.Requests(tokenserver.Tenn), srv.GatewayRefusals(tokenserver.Tenn))
	}
	if _, err := client(testsupport.NewCA(t).Issue(t, testsupport.CertOptions{CommonName: "merchant-1"})).Get(ts.URL + tokenserver.TennPath); err == nil {
		t.Error("a certificate of another CA passed the handshake")
	}

	status, body = post(right, tokenserver.Tenn, tokenserver.TennPath, tennForm)
	if status != http.StatusOK || !strings.Contains(body, "access_token") {
		t.Fatalf("with the certificate: %d %q", status, body)
	}
	status, _ = post(client("", ""), tokenserver.Tenn, tokenserver.TennRevocationPath, url.Values{"token": {"x"}})
	if status != http.StatusBadRequest || srv.Revocations(tokenserver.Tenn) != 0 {
		t.Errorf("a revocation without a certificate: %d, %d revocations; want 400 and none", status, srv.Revocations(tokenserver.Tenn))
	}
	status, _ = post(right, tokenserver.Tenn, tokenserver.TennRevocationPath, url.Values{"token": {"x"}})
	if status != http.StatusOK || !slices.Equal(srv.ClientCertificates(tokenserver.Tenn), []string{"merchant-1", "merchant-1"}) {
		t.Errorf("a revocation with the certificate: %d, admitted %v", status, srv.ClientCertificates(tokenserver.Tenn))
	}

	post(client("", ""), tokenserver.Testinium, tokenserver.Testinium.Path(), url.Values{"grant_type": {"password"}})
	if srv.GatewayRefusals(tokenserver.Testinium) != 0 || srv.Requests(tokenserver.Testinium) != 1 {
		t.Error("the gateway guards Testinium, which configures no subject")
	}
}
