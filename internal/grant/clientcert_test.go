package grant_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// merchant is the subject the Tenn gateway of these tests admits.
const merchant = "merchant-1"

// mtlsTenn serves the token server over TLS with Tenn behind the client certificate gateway, and
// returns a client trusting the test CA.
func mtlsTenn(t *testing.T, ca *testsupport.CA, mutate ...func(*grant.Config)) (*tokenserver.Server, string, *grant.Client) {
	t.Helper()
	cfg := tokenserver.DefaultConfig()
	cfg.ClientCertSubject = map[tokenserver.API]string{tokenserver.Tenn: merchant}
	srv, ts := testsupport.TokenServerMTLS(t, cfg, ca)
	return srv, ts.URL, newClient(t, append(mutate, func(c *grant.Config) { c.CACertPEM = ca.CertPEM })...)
}

// TestClientCertificate: the certificate is presented in the handshake, in each key encoding, and
// a connection made with it never serves a request without it.
func TestClientCertificate(t *testing.T) {
	ca := testsupport.NewCA(t)
	srv, base, c := mtlsTenn(t, ca)
	for _, format := range []testsupport.KeyFormat{testsupport.KeyPKCS8, testsupport.KeySEC1, testsupport.KeyPKCS1} {
		t.Run(string(format), func(t *testing.T) {
			srv.Reset()
			r := testsupport.Request(grant.Tenn, base)
			r.ClientCertPEM, r.ClientKeyPEM = ca.Issue(t, testsupport.CertOptions{CommonName: merchant, Key: format})
			tok, err := c.Grant(context.Background(), r)
			if err != nil {
				t.Fatal(err)
			}
			if tok.AccessToken == "" || !slices.Equal(srv.ClientCertificates(tokenserver.Tenn), []string{merchant}) {
				t.Errorf("the gateway admitted %v, want [%s]", srv.ClientCertificates(tokenserver.Tenn), merchant)
			}
			for _, c := range tok.Caveats {
				if c.Kind == grant.CaveatClientCertExpiring {
					t.Error("a certificate valid for 90 days has an expiry caveat")
				}
			}
		})
	}

	t.Run("without one, the gateway refuses, even on a client whose connections carried one", func(t *testing.T) {
		srv.Reset()
		_, err := c.Grant(context.Background(), testsupport.Request(grant.Tenn, base))
		var ge *grant.Error
		if !errors.As(err, &ge) || ge.Status != http.StatusBadRequest || ge.Reason() != grant.ReasonClientCertRequired {
			t.Fatalf("got %v, want HTTP 400 with ReasonClientCertRequired", err)
		}
		if ge.Attempts != 1 || srv.GatewayRefusals(tokenserver.Tenn) != 1 || srv.Requests(tokenserver.Tenn) != 0 {
			t.Errorf("%d attempts, %d refusals, %d requests at the endpoint; want 1, 1, 0",
				ge.Attempts, srv.GatewayRefusals(tokenserver.Tenn), srv.Requests(tokenserver.Tenn))
		}
	})

	t.Run("a certificate for another subject gets 403", func(t *testing.T) {
		r := testsupport.Request(grant.Tenn, base)
		r.ClientCertPEM, r.ClientKeyPEM = ca.Issue(t, testsupport.CertOptions{CommonName: "someone-else"})
		_, err := c.Grant(context.Background(), r)
		var ge *grant.Error
		if !errors.As(err, &ge) || ge.Status != http.StatusForbidden {
			t.Fatalf("got %v, want HTTP 403", err)
		}
		testsupport.AssertNoSecret(t, "the error", err.Error(), r.ClientCertPEM, r.ClientKeyPEM)
	})

	t.Run("a certificate of a CA the server does not trust fails the handshake, once", func(t *testing.T) {
		r := testsupport.Request(grant.Tenn, base)
		r.ClientCertPEM, r.ClientKeyPEM = testsupport.NewCA(t).Issue(t, testsupport.CertOptions{CommonName: merchant})
		_, err := c.Grant(context.Background(), r)
		var ge *grant.Error
		if !errors.As(err, &ge) || ge.Kind != grant.KindTransport || ge.Reason() != grant.ReasonClientCertRefused {
			t.Fatalf("got %v, want a transport error with ReasonClientCertRefused", err)
		}
		if ge.Attempts != 1 {
			t.Errorf("%d attempts; a refused certificate stays refused, so want 1", ge.Attempts)
		}
	})
}

// TestClientCertificateAtRevocation: revocation on close presents the grant's certificate too.
func TestClientCertificateAtRevocation(t *testing.T) {
	ca := testsupport.NewCA(t)
	srv, base, c := mtlsTenn(t, ca, reuse(true))
	r := testsupport.Request(grant.Tenn, base)
	r.ClientCertPEM, r.ClientKeyPEM = ca.Issue(t, testsupport.CertOptions{CommonName: merchant})
	r.RevokeOnClose, r.RevocationURL = true, tokenserver.RevocationURL(base, tokenserver.Tenn)
	tok, err := c.Grant(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if revoked, err := c.Release(context.Background(), tok.Lease); !revoked || err != nil {
		t.Fatalf("release: revoked %v, error %v", revoked, err)
	}
	if got := srv.Revoked(tokenserver.Tenn); len(got) != 1 || got[0] != tok.AccessToken {
		t.Errorf("revoked %d tokens, want the access token", len(got))
	}
	if got := srv.ClientCertificates(tokenserver.Tenn); len(got) != 2 || srv.GatewayRefusals(tokenserver.Tenn) != 0 {
		t.Errorf("the gateway admitted %v and refused %d; want the certificate at the grant and at the revocation",
			got, srv.GatewayRefusals(tokenserver.Tenn))
	}
}

// TestClientCertificateBadInput: every unusable certificate or key is a configuration error that
// names it, before anything is sent, and quotes neither PEM.
func TestClientCertificateBadInput(t *testing.T) {
	ca := testsupport.NewCA(t)
	srv, base, c := mtlsTenn(t, ca)
	cert, key := ca.Issue(t, testsupport.CertOptions{CommonName: merchant})
	_, otherKey := ca.Issue(t, testsupport.CertOptions{CommonName: merchant})
	expired, expiredKey := ca.Issue(t, testsupport.CertOptions{CommonName: merchant,
		NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)})
	future, futureKey := ca.Issue(t, testsupport.CertOptions{CommonName: merchant, NotBefore: time.Now().Add(24 * time.Hour)})
	keyDER, _ := pem.Decode([]byte(key))
	pkcs8Encrypted := string(pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: keyDER.Bytes}))
	legacyEncrypted := string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER.Bytes,
		Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-256-CBC,00112233445566778899AABBCCDDEEFF"}}))
	tests := []struct {
		name, cert, key string
		setting         grant.Setting
		want            string
	}{
		{"a key that is not the certificate's", cert, otherKey, grant.SettingClientKey, "does not belong"},
		{"an expired certificate", expired, expiredKey, grant.SettingClientCert, "expired on"},
		{"a certificate not valid yet", future, futureKey, grant.SettingClientCert, "not valid before"},
		{"an encrypted PKCS#8 key", cert, pkcs8Encrypted, grant.SettingClientKey, "openssl pkey -in key.pem -out key-plain.pem"},
		{"an encrypted legacy PEM key", cert, legacyEncrypted, grant.SettingClientKey, "openssl pkey"},
		{"a certificate without its key", cert, "", grant.SettingClientKey, "needs its private key"},
		{"a key without its certificate", "", key, grant.SettingClientCert, "needs its certificate"},
		{"a certificate that is not PEM", "MIIB" + strings.Repeat("A", 40), key, grant.SettingClientCert, "no PEM-encoded certificate"},
		{"a key given as the certificate", key, key, grant.SettingClientCert, "no PEM-encoded certificate"},
		{"a certificate given as the key", cert, cert, grant.SettingClientKey, "no PEM-encoded private key"},
		{"a key that does not parse", cert, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
			grant.SettingClientKey, "PKCS#1, PKCS#8 or SEC1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := testsupport.Request(grant.Tenn, base)
			r.ClientCertPEM, r.ClientKeyPEM = tc.cert, tc.key
			_, err := c.Grant(context.Background(), r)
			var ge *grant.Error
			if !errors.As(err, &ge) || ge.Kind != grant.KindConfig || ge.Setting != tc.setting || !strings.Contains(ge.Message, tc.want) {
				t.Fatalf("got %v, want a configuration error of setting %d saying %q", err, tc.setting, tc.want)
			}
			testsupport.AssertNoSecret(t, "the error", err.Error(), pemLines(tc.cert, tc.key)...)
			if n := srv.Requests(tokenserver.Tenn) + srv.GatewayRefusals(tokenserver.Tenn); n != 0 {
				t.Errorf("%d requests sent", n)
			}
		})
	}
}

// TestClientCertificateExpiringSoon: a certificate that expires within 30 days is used, with a caveat.
func TestClientCertificateExpiringSoon(t *testing.T) {
	ca := testsupport.NewCA(t)
	_, base, c := mtlsTenn(t, ca)
	r := testsupport.Request(grant.Tenn, base)
	notAfter := time.Now().Add(10 * 24 * time.Hour).Truncate(time.Second)
	r.ClientCertPEM, r.ClientKeyPEM = ca.Issue(t, testsupport.CertOptions{CommonName: merchant, NotAfter: notAfter})
	tok, err := c.Grant(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if len(tok.Caveats) != 1 || tok.Caveats[0].Kind != grant.CaveatClientCertExpiring || !tok.Caveats[0].Expires.Equal(notAfter) {
		t.Errorf("caveats %+v, want one CaveatClientCertExpiring at %v", tok.Caveats, notAfter)
	}
}

// TestClientKeyIsASecret: the key is masked like every secret; the certificate changes the sharing
// key (TestRequestKeyCoversEveryField), so two certificates never share a token.
func TestClientKeyIsASecret(t *testing.T) {
	ca := testsupport.NewCA(t)
	srv, base, c := mtlsTenn(t, ca, reuse(true))
	r := testsupport.Request(grant.Tenn, base)
	r.ClientCertPEM, r.ClientKeyPEM = ca.Issue(t, testsupport.CertOptions{CommonName: merchant})
	if !slices.Contains(r.Secrets(), r.ClientKeyPEM) {
		t.Error("Secrets lacks the client key")
	}
	other := r
	other.ClientCertPEM, other.ClientKeyPEM = ca.Issue(t, testsupport.CertOptions{CommonName: merchant})
	grantEach(t, c, r, other, r)
	if n := srv.Requests(tokenserver.Tenn); n != 2 {
		t.Errorf("%d requests, want 2: one per certificate", n)
	}
}

// pemLines are the base64 lines of the PEMs, each of which no message may quote.
func pemLines(pems ...string) []string {
	var out []string
	for _, p := range pems {
		for line := range strings.SplitSeq(p, "\n") {
			if len(line) >= 16 && !strings.HasPrefix(line, "-----") {
				out = append(out, line)
			}
		}
	}
	return out
}

// TestClientCertificateRefusedInTheHandshake: a server that requires a certificate at the TLS
// layer ends the handshake: in TLS 1.2 with handshake_failure for none and bad_certificate for an
// untrusted one, in TLS 1.3 with certificate_required for none. Either way the reason says which,
// and nothing is retried.
func TestClientCertificateRefusedInTheHandshake(t *testing.T) {
	ca := testsupport.NewCA(t)
	serverCert, serverKey := ca.Issue(t, testsupport.CertOptions{CommonName: "localhost", Server: true})
	pair, err := tls.X509KeyPair([]byte(serverCert), []byte(serverKey))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	untrustedCert, untrustedKey := testsupport.NewCA(t).Issue(t, testsupport.CertOptions{CommonName: merchant})
	for _, version := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		ts := httptest.NewUnstartedServer(tokenserver.New(tokenserver.DefaultConfig()))
		ts.Config.ErrorLog = log.New(io.Discard, "", 0)
		ts.TLS = &tls.Config{Certificates: []tls.Certificate{pair}, ClientAuth: tls.RequireAndVerifyClientCert,
			ClientCAs: pool, MinVersion: version, MaxVersion: version}
		ts.StartTLS()
		t.Cleanup(ts.Close)
		for _, tc := range []struct {
			name, cert, key string
			want            grant.Reason
		}{
			{"none", "", "", grant.ReasonClientCertRequired},
			{"untrusted", untrustedCert, untrustedKey, grant.ReasonClientCertRefused},
		} {
			t.Run(tls.VersionName(version)+" "+tc.name, func(t *testing.T) {
				c := newClient(t, func(c *grant.Config) { c.CACertPEM = ca.CertPEM })
				r := testsupport.Request(grant.Tenn, ts.URL)
				r.ClientCertPEM, r.ClientKeyPEM = tc.cert, tc.key
				_, err := c.Grant(context.Background(), r)
				var ge *grant.Error
				if !errors.As(err, &ge) || ge.Reason() != tc.want || ge.Attempts != 1 {
					t.Fatalf("got %v (reason %v), want reason %v after 1 attempt", err, reasonOf(ge), tc.want)
				}
			})
		}
	}
}

func reasonOf(e *grant.Error) grant.Reason {
	if e == nil {
		return grant.ReasonUnknown
	}
	return e.Reason()
}
