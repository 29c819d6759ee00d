package grant_test

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// TestTLSClientAuth: RFC 8705's two methods against the strict server. tls_client_auth is a
// certificate the server's CA issued to the registered subject; self_signed_tls_client_auth is the
// very certificate registered, whoever issued it. The body carries client_id alone, no secret and
// no Authorization header; revocation authenticates the same way. A wrong certificate is a refused
// client, and a method without a certificate an error on client_cert_pem before any request.
func TestTLSClientAuth(t *testing.T) {
	ca, other := testsupport.NewCA(t), testsupport.NewCA(t)
	caCert, caKey := ca.Issue(t, testsupport.CertOptions{CommonName: "inventory-mtls"})
	wrongCN, wrongCNKey := ca.Issue(t, testsupport.CertOptions{CommonName: "someone-else"})
	selfCert, selfKey := other.Issue(t, testsupport.CertOptions{CommonName: "inventory-self-signed"})
	otherCert, otherKey := other.Issue(t, testsupport.CertOptions{CommonName: "inventory-self-signed"})
	cfg := tokenserver.DefaultConfig()
	cfg.Clients[tokenserver.OAuth2]["mtls-client"] = tokenserver.TLSClientAuthPrefix + "inventory-mtls"
	cfg.Clients[tokenserver.OAuth2]["self-signed-client"] = tokenserver.SelfSignedTLSPrefix + selfCert
	srv, ts := testsupport.TokenServerRFC8705(t, cfg, ca)
	c := newClient(t, func(c *grant.Config) { c.CACertPEM = ca.CertPEM })
	tokenURL := tokenserver.TokenURL(ts.URL, tokenserver.OAuth2)
	request := func(id, method, cert, key string) grant.Request {
		return grant.Request{API: grant.OAuth2, TokenURL: tokenURL, ClientID: id, ClientAuth: method,
			ClientCertPEM: cert, ClientKeyPEM: key}
	}
	for name, r := range map[string]grant.Request{
		"tls_client_auth":             request("mtls-client", grant.ClientAuthTLS, caCert, caKey),
		"self_signed_tls_client_auth": request("self-signed-client", grant.ClientAuthSelfSignedTLS, selfCert, selfKey),
	} {
		t.Run(name, func(t *testing.T) {
			tok, err := c.Grant(context.Background(), r)
			if err != nil {
				t.Fatal(err)
			}
			last := srv.LastRequest(tokenserver.OAuth2)
			if last.Header.Get("Authorization") != "" || string(last.Body) != "client_id="+r.ClientID+"&grant_type=client_credentials" {
				t.Errorf("the request has %q, an Authorization header %t; want client_id alone", last.Body, last.Header.Get("Authorization") != "")
			}
			if err := c.Revoke(context.Background(), r, tokenserver.RevocationURL(ts.URL, tokenserver.OAuth2), tok); err != nil {
				t.Errorf("revocation: %v", err)
			}
			if !slices.Contains(srv.Revoked(tokenserver.OAuth2), tok.AccessToken) {
				t.Error("the token was not revoked")
			}
		})
	}
	for name, r := range map[string]grant.Request{
		"another subject":           request("mtls-client", grant.ClientAuthTLS, wrongCN, wrongCNKey),
		"a CA the server distrusts": request("mtls-client", grant.ClientAuthTLS, selfCert, selfKey),
		"another self-signed":       request("self-signed-client", grant.ClientAuthSelfSignedTLS, otherCert, otherKey),
	} {
		_, err := c.Grant(context.Background(), r)
		var ge *grant.Error
		if !errors.As(err, &ge) || ge.Reason() != grant.ReasonClientCredentials || ge.ClientAuth != r.ClientAuth {
			t.Errorf("%s: %v, want a refused %s client", name, err, r.ClientAuth)
		}
	}
	sent := srv.Requests(tokenserver.OAuth2)
	_, err := c.Grant(context.Background(), request("mtls-client", grant.ClientAuthTLS, "", ""))
	var ge *grant.Error
	if !errors.As(err, &ge) || ge.Kind != grant.KindConfig || ge.Setting != grant.SettingClientCert {
		t.Errorf("tls_client_auth without a certificate: %v, want an error on the client certificate", err)
	}
	if srv.Requests(tokenserver.OAuth2) != sent {
		t.Error("a request was sent without the certificate")
	}
}

// TestMTLSEndpointAliases: through discovery, a client that presents a certificate sends its grant
// and its revocation to the metadata's mtls_endpoint_aliases (RFC 8705 5), here the token server's
// listener under the name localhost; a client without one keeps to token_endpoint.
func TestMTLSEndpointAliases(t *testing.T) {
	ca := testsupport.NewCA(t)
	cert, key := ca.Issue(t, testsupport.CertOptions{CommonName: "inventory-mtls"})
	cfg := tokenserver.DefaultConfig()
	cfg.Clients[tokenserver.OAuth2]["mtls-client"] = tokenserver.TLSClientAuthPrefix + "inventory-mtls"
	srv, ts := testsupport.TokenServerRFC8705(t, cfg, ca)
	c := newClient(t, func(c *grant.Config) { c.CACertPEM = ca.CertPEM })
	issuer := tokenserver.OAuth2Issuer(ts.URL)
	aliasHost := strings.TrimPrefix(tokenserver.MTLSAliasBase(ts.URL), "https://")
	if aliasHost == "" {
		t.Fatalf("no mTLS alias for %s", ts.URL)
	}
	r := grant.Request{API: grant.OAuth2, Issuer: issuer, ClientID: "mtls-client", ClientAuth: grant.ClientAuthTLS,
		ClientCertPEM: cert, ClientKeyPEM: key, RevokeOnClose: true}
	tok, err := c.Grant(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if host := srv.LastRequest(tokenserver.OAuth2).Host; host != aliasHost {
		t.Errorf("the grant went to %s, want the mTLS alias %s", host, aliasHost)
	}
	if revoked, err := c.Release(context.Background(), tok.Lease); err != nil || !revoked {
		t.Errorf("release: revoked %v, %v", revoked, err)
	}
	if !slices.Contains(srv.Revoked(tokenserver.OAuth2), tok.AccessToken) {
		t.Error("the token was not revoked at the alias")
	}
	plain := grant.Request{API: grant.OAuth2, Issuer: issuer, ClientID: tokenserver.OAuth2ClientID,
		ClientSecret: tokenserver.OAuth2ClientSecret}
	if _, err := c.Grant(context.Background(), plain); err != nil {
		t.Fatal(err)
	}
	if host := srv.LastRequest(tokenserver.OAuth2).Host; host != strings.TrimPrefix(ts.URL, "https://") {
		t.Errorf("a client without a certificate went to %s, want token_endpoint's host", host)
	}
}

// TestCertificateBoundTokens: a token the server binds to the client certificate (cnf x5t#S256,
// RFC 8705 3) names the certificate presented, and the token server's resource accepts it only
// from a connection with that certificate. A server binding the token to another certificate is
// an error on the client certificate, not a token.
func TestCertificateBoundTokens(t *testing.T) {
	ca := testsupport.NewCA(t)
	cert, key := ca.Issue(t, testsupport.CertOptions{CommonName: "inventory-mtls"})
	cfg := tokenserver.DefaultConfig()
	cfg.Clients[tokenserver.OAuth2]["mtls-client"] = tokenserver.TLSClientAuthPrefix + "inventory-mtls"
	_, ts := testsupport.TokenServerRFC8705(t, cfg, ca)
	c := newClient(t, func(c *grant.Config) { c.CACertPEM = ca.CertPEM })
	tok, err := c.Grant(context.Background(), grant.Request{API: grant.OAuth2, TokenURL: tokenserver.TokenURL(ts.URL, tokenserver.OAuth2),
		ClientID: "mtls-client", ClientAuth: grant.ClientAuthTLS, ClientCertPEM: cert, ClientKeyPEM: key})
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode([]byte(cert))
	sum := sha256.Sum256(block.Bytes)
	var claims struct {
		Cnf map[string]string `json:"cnf"`
	}
	payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok.AccessToken, ".")[1])
	if json.Unmarshal(payload, &claims) != nil || claims.Cnf["x5t#S256"] != base64.RawURLEncoding.EncodeToString(sum[:]) {
		t.Fatalf("the token's cnf is %v, want the certificate's x5t#S256", claims.Cnf)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	pair, err := tls.X509KeyPair([]byte(cert), []byte(key))
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		certs []tls.Certificate
		want  int
	}{"with the certificate": {[]tls.Certificate{pair}, 200}, "without it": {nil, 401}} {
		hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, Certificates: tc.certs}}} //nolint:gosec // TLS 1.2+ by Go's default
		req, _ := http.NewRequest(http.MethodGet, tokenserver.ResourceURL(ts.URL, tokenserver.OAuth2), nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("the bound token %s: status %d, want %d", name, resp.StatusCode, tc.want)
		}
	}

	// A server that binds the token to another certificate.
	other := base64.RawURLEncoding.EncodeToString([]byte(`{"cnf":{"x5t#S256":"` + strings.Repeat("A", 43) + `"},"exp":4102444800}`))
	bound := "eyJhbGciOiJSUzI1NiJ9." + other + ".c2ln"
	misbinding := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"` + bound + `","token_type":"Bearer","expires_in":300}`))
	}))
	defer misbinding.Close()
	_, err = newClient(t).Grant(context.Background(), grant.Request{API: grant.OAuth2, TokenURL: misbinding.URL,
		ClientID: "mtls-client", ClientAuth: grant.ClientAuthTLS, ClientCertPEM: cert, ClientKeyPEM: key})
	var ge *grant.Error
	if !errors.As(err, &ge) || ge.Setting != grant.SettingClientCert || !strings.Contains(err.Error(), "bound the access token to another certificate") {
		t.Errorf("a token bound to another certificate: %v", err)
	}
}
