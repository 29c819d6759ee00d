package grant_test

import (
	"context"
	"errors"
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
				t.Errorf("the request has %q, Authorization %q; want client_id alone", last.Body, last.Header.Get("Authorization"))
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
