package grant_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// TestPrivateKeyJWT: the client assertion verifies with the client's public key (RS256 for RSA,
// ES256 for P-256), names the client as iss and sub and the token endpoint as aud, expires soon,
// has a jti of its own on every attempt (a retry included), and is never coalesced.
func TestPrivateKeyJWT(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for _, tc := range []struct {
		alg string
		key crypto.Signer
	}{{"RS256", rsaKey}, {"ES256", ecKey}} {
		t.Run(tc.alg, func(t *testing.T) {
			der, err := x509.MarshalPKCS8PrivateKey(tc.key)
			if err != nil {
				t.Fatal(err)
			}
			keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
			var mu sync.Mutex
			var jtis []string
			var failOnce sync.Once
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_ = r.ParseForm()
				if r.Form.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" ||
					r.Form.Get("client_id") != "kid-client" || r.Header.Get("Authorization") != "" {
					http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
					return
				}
				claims, err := verifyJWT(r.Form.Get("client_assertion"), tc.alg, tc.key.Public())
				if err != nil {
					t.Errorf("assertion: %v", err)
				}
				mu.Lock()
				jtis = append(jtis, claims.JTI)
				mu.Unlock()
				aud := "http://" + r.Host + r.URL.Path
				if claims.Iss != "kid-client" || claims.Sub != "kid-client" || claims.Aud != aud ||
					claims.Exp-time.Now().Unix() > 120 || claims.Exp < time.Now().Unix() {
					t.Errorf("claims %+v, want iss = sub = kid-client, aud %s, exp within 2 minutes", claims, aud)
				}
				retry := false
				failOnce.Do(func() { retry = true })
				if retry {
					w.WriteHeader(http.StatusServiceUnavailable)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"access_token":"at","token_type":"Bearer","expires_in":300}`))
			}))
			defer ts.Close()
			r := grant.Request{API: grant.OAuth2, TokenURL: ts.URL + "/oauth2/token", ClientID: "kid-client",
				ClientAuth: grant.ClientAuthPrivateKeyJWT, PrivateKeyPEM: keyPEM, PrivateKeyID: "key-1"}
			c := newClient(t, reuse(true))
			for range 2 {
				if _, err := c.Grant(context.Background(), r); err != nil {
					t.Fatal(err)
				}
			}
			// One 503 and its retry, then a second grant that is not served from the cache.
			if len(jtis) != 3 || jtis[0] == jtis[1] || jtis[1] == jtis[2] || jtis[0] == jtis[2] {
				t.Errorf("jtis %v: want 3 requests, each with its own jti", jtis)
			}
		})
	}
}

type assertionClaims struct {
	Iss, Sub, Aud, JTI string
	Exp                int64
}

func verifyJWT(token, alg string, pub crypto.PublicKey) (assertionClaims, error) {
	var c assertionClaims
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return c, errors.New("not a JWT")
	}
	var header struct{ Alg, Kid string }
	h, _ := base64.RawURLEncoding.DecodeString(parts[0])
	if json.Unmarshal(h, &header) != nil || header.Alg != alg || header.Kid != "key-1" {
		return c, errors.New("header " + string(h))
	}
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if rsa.VerifyPKCS1v15(k, crypto.SHA256, digest[:], sig) != nil {
			return c, errors.New("bad RS256 signature")
		}
	case *ecdsa.PublicKey:
		if len(sig) != 64 || !ecdsa.Verify(k, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
			return c, errors.New("bad ES256 signature")
		}
	}
	var raw struct {
		Iss string `json:"iss"`
		Sub string `json:"sub"`
		Aud string `json:"aud"`
		JTI string `json:"jti"`
		Exp int64  `json:"exp"`
	}
	p, _ := base64.RawURLEncoding.DecodeString(parts[1])
	if err := json.Unmarshal(p, &raw); err != nil {
		return c, err
	}
	return assertionClaims{raw.Iss, raw.Sub, raw.Aud, raw.JTI, raw.Exp}, nil
}

// TestClientSecretJWT: client_secret_jwt against the strict token server. The assertion is
// signed HS256 with the secret's raw bytes (the test client's holds ':', '%' and a non-ASCII
// letter, which no encoding may touch), the secret itself never travels, each grant has an
// assertion of its own (no coalescing), and revocation authenticates the same way, with the
// revocation endpoint as the audience.
func TestClientSecretJWT(t *testing.T) {
	s, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	r := grant.Request{API: grant.OAuth2, TokenURL: tokenserver.TokenURL(ts.URL, tokenserver.OAuth2),
		ClientID: tokenserver.OAuth2SecretJWTClientID, ClientSecret: tokenserver.OAuth2SecretJWTClientSecret,
		ClientAuth: grant.ClientAuthSecretJWT}
	c := newClient(t, reuse(true))
	var tok *grant.Token
	for range 2 {
		var err error
		if tok, err = c.Grant(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.Requests(tokenserver.OAuth2); n != 2 {
		t.Errorf("%d token requests for two grants, want 2: a client assertion is never shared", n)
	}
	last := s.LastRequest(tokenserver.OAuth2)
	if last.Header.Get("Authorization") != "" {
		t.Error("client_secret_jwt sent an Authorization header")
	}
	testsupport.AssertNoSecret(t, "the token request", string(last.Body), r.Secrets()...)
	if err := c.Revoke(context.Background(), r, tokenserver.RevocationURL(ts.URL, tokenserver.OAuth2), tok); err != nil {
		t.Errorf("revocation with client_secret_jwt: %v", err)
	}
	if !slices.Contains(s.Revoked(tokenserver.OAuth2), tok.AccessToken) {
		t.Error("the token was not revoked")
	}
	// Another secret signs an assertion the server refuses, as a refused client.
	r.ClientSecret = strings.ToUpper(r.ClientSecret)
	_, err := newClient(t).Grant(context.Background(), r)
	var ge *grant.Error
	if !errors.As(err, &ge) || ge.Reason() != grant.ReasonClientCredentials || ge.ClientAuth != grant.ClientAuthSecretJWT {
		t.Errorf("a wrong secret: %v, want a refused client_secret_jwt client", err)
	}
}

// TestPrivateKeyJWTCertificate: with the key's certificate, the assertion names it by its
// thumbprints (x5t, x5t#S256), which a server that registers clients by certificate (Entra, the
// token server's oauth2-cert-client) requires. A certificate of another key, or no certificate,
// is an error at the certificate input before any request.
func TestPrivateKeyJWTCertificate(t *testing.T) {
	s, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	r := grant.Request{API: grant.OAuth2, TokenURL: tokenserver.TokenURL(ts.URL, tokenserver.OAuth2),
		ClientID: tokenserver.OAuth2CertClientID, ClientAuth: grant.ClientAuthPrivateKeyJWT,
		PrivateKeyPEM: tokenserver.OAuth2RSAKeyPEM(), PrivateKeyCertPEM: tokenserver.OAuth2RSACertPEM()}
	if _, err := newClient(t).Grant(context.Background(), r); err != nil {
		t.Fatalf("with the certificate: %v", err)
	}
	noCert := r
	noCert.PrivateKeyCertPEM = ""
	_, err := newClient(t).Grant(context.Background(), noCert)
	var ge *grant.Error
	if !errors.As(err, &ge) || ge.Reason() != grant.ReasonClientCredentials {
		t.Errorf("without the certificate: %v, want the server to refuse the client", err)
	}
	sent := s.Requests(tokenserver.OAuth2)
	for name, mutate := range map[string]func(*grant.Request){
		"another key's certificate": func(r *grant.Request) { r.PrivateKeyPEM = tokenserver.OAuth2ECKeyPEM() },
		"not a certificate":         func(r *grant.Request) { r.PrivateKeyCertPEM = tokenserver.OAuth2RSAPublicKeyPEM() },
		"with client_secret_basic": func(r *grant.Request) {
			r.ClientAuth, r.ClientSecret, r.PrivateKeyPEM = grant.ClientAuthBasic, "secret", ""
		},
	} {
		bad := r
		mutate(&bad)
		_, err := newClient(t).Grant(context.Background(), bad)
		pemLine := strings.Split(bad.PrivateKeyCertPEM, "\n")[1] // the first line of base64
		if !errors.As(err, &ge) || ge.Kind != grant.KindConfig || ge.Setting != grant.SettingPrivateKeyCert ||
			strings.Contains(err.Error(), pemLine) {
			t.Errorf("%s: %v, want a configuration error on the certificate that quotes no PEM", name, err)
		}
	}
	if n := s.Requests(tokenserver.OAuth2); n != sent {
		t.Errorf("%d requests sent for configuration errors", n-sent)
	}
}
