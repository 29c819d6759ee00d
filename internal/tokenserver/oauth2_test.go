package tokenserver_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // G505: x5t, the thumbprint under test, is SHA-1 by definition
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

var oauth2Test = apiTest{
	credentials: tokenserver.Credentials{
		ClientID: tokenserver.OAuth2ClientID, ClientSecret: tokenserver.OAuth2ClientSecret,
		Username: tokenserver.OAuth2Username, Password: tokenserver.OAuth2Password,
	},
	clients: func() map[string]string {
		return map[string]string{
			tokenserver.OAuth2ClientID:          tokenserver.OAuth2ClientSecret,
			tokenserver.OAuth2PublicClientID:    "",
			tokenserver.OAuth2RSAClientID:       tokenserver.OAuth2RSAPublicKeyPEM(),
			tokenserver.OAuth2ECClientID:        tokenserver.OAuth2ECPublicKeyPEM(),
			tokenserver.OAuth2FederatedClientID: tokenserver.FederatedPrefix + tokenserver.CIJobSubject,
			tokenserver.OAuth2SecretJWTClientID: tokenserver.OAuth2SecretJWTClientSecret,
			tokenserver.OAuth2CertClientID:      tokenserver.OAuth2RSACertPEM(),
		}
	},
	request:      oauth2Request,
	success:      oauth2Success,
	strict:       oauth2Strict,
	basicClient:  true,
	resourcePath: "/oauth2/userinfo",
	subject:      tokenserver.OAuth2ClientID, // the documented request is a client credentials grant
	who: func(t *testing.T, m map[string]any) {
		if m["client_id"] != tokenserver.OAuth2ClientID {
			t.Errorf("userinfo client_id %v", m["client_id"])
		}
	},
}

// formBasic is RFC 6749 2.3.1's Basic header: id and secret form-encoded, then joined with ':'
// and Base64-encoded.
func formBasic(id, secret string) string {
	return testsupport.Basic(url.QueryEscape(id), url.QueryEscape(secret))
}

// oauth2Post is a request to the oauth2 token endpoint with the form body kv, the headers every
// request needs, and no client authentication.
func oauth2Post(kv ...string) request {
	r := request{api: tokenserver.OAuth2, method: http.MethodPost, header: http.Header{}, body: form(kv...)}
	r.header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.header.Set("Accept", "application/json")
	return r
}

// oauth2Request is the documented request: a client credentials grant of the confidential client,
// with form-encoded Basic credentials.
func oauth2Request() request {
	r := oauth2Post("grant_type", "client_credentials")
	r.header.Set("Authorization", formBasic(tokenserver.OAuth2ClientID, tokenserver.OAuth2ClientSecret))
	return r
}

// basicPost is oauth2Post with the confidential client's form-encoded Basic credentials.
func basicPost(kv ...string) request {
	r := oauth2Post(kv...)
	r.header.Set("Authorization", formBasic(tokenserver.OAuth2ClientID, tokenserver.OAuth2ClientSecret))
	return r
}

// passwordGrant is the password grant of the confidential client for the documented user.
func passwordGrant(extra ...string) request {
	return basicPost(append([]string{"grant_type", "password", "username", tokenserver.OAuth2Username,
		"password", tokenserver.OAuth2Password}, extra...)...)
}

func oauth2Success(t *testing.T, c *http.Client, ts *httptest.Server) {
	iss := tokenserver.OAuth2Issuer(ts.URL)
	t.Run("oauth2 client_credentials", func(t *testing.T) {
		m := sendOK(t, c, ts, oauth2Request())
		if ks := keys(m); len(ks) != 4 || m["token_type"] != "Bearer" || m["expires_in"] != json.Number("3600") ||
			m["scope"] != tokenserver.OAuth2DefaultScope {
			t.Fatalf("fields %v token_type %v expires_in %v scope %v", ks, m["token_type"], m["expires_in"], m["scope"])
		}
		header, claims := jwtParts(t, m["access_token"].(string))
		if header != `{"alg":"RS256","typ":"at+jwt"}` {
			t.Errorf("header %s", header)
		}
		if claims["iss"] != iss || claims["sub"] != tokenserver.OAuth2ClientID || claims["aud"] != iss ||
			claims["client_id"] != tokenserver.OAuth2ClientID || claims["scope"] != "api.read" || !isSet(claims["jti"]) {
			t.Errorf("claims %v", claims)
		}
		e, _ := claims["exp"].(json.Number).Int64()
		i, _ := claims["iat"].(json.Number).Int64()
		if e-i != 3600 {
			t.Errorf("exp-iat = %d", e-i)
		}
	})

	t.Run("oauth2 client_secret_post", func(t *testing.T) {
		sendOK(t, c, ts, oauth2Post("grant_type", "client_credentials", "client_id", tokenserver.OAuth2ClientID,
			"client_secret", tokenserver.OAuth2ClientSecret))
	})

	t.Run("oauth2 password grant of the public client", func(t *testing.T) {
		m := sendOK(t, c, ts, oauth2Post("grant_type", "password", "client_id", tokenserver.OAuth2PublicClientID,
			"username", tokenserver.OAuth2Username, "password", tokenserver.OAuth2Password, "scope", "api.write"))
		if !isSet(m["refresh_token"]) || m["id_token"] != nil || m["scope"] != "api.write" {
			t.Errorf("body fields %v scope %v", keys(m), m["scope"])
		}
		_, claims := jwtParts(t, m["access_token"].(string))
		if claims["sub"] != tokenserver.OAuth2Username || claims["client_id"] != tokenserver.OAuth2PublicClientID {
			t.Errorf("sub %v client_id %v", claims["sub"], claims["client_id"])
		}
	})

	t.Run("oauth2 openid", func(t *testing.T) {
		m := sendOK(t, c, ts, passwordGrant("scope", "openid api.read"))
		id, _ := m["id_token"].(string)
		if id == "" || !isSet(m["refresh_token"]) {
			t.Fatalf("body fields %v", keys(m))
		}
		header, claims := jwtParts(t, id)
		if header != `{"alg":"RS256","typ":"JWT"}` || claims["iss"] != iss || claims["sub"] != tokenserver.OAuth2Username ||
			claims["aud"] != tokenserver.OAuth2ClientID || claims["exp"] == nil || claims["iat"] == nil {
			t.Errorf("id_token %s %v", header, claims)
		}
	})

	for _, kc := range keyClients() {
		t.Run("oauth2 private_key_jwt "+kc.alg, func(t *testing.T) {
			m := sendOK(t, c, ts, assertionPost(kc.id, assertionFor(t, kc, tokenserver.TokenURL(ts.URL, tokenserver.OAuth2), nil)))
			if _, claims := jwtParts(t, m["access_token"].(string)); claims["sub"] != kc.id {
				t.Errorf("sub %v", claims["sub"])
			}
		})
	}

	t.Run("oauth2 charset and Accept list", func(t *testing.T) {
		r := oauth2Request()
		r.header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
		r.header.Set("Accept", "text/plain, application/json;q=0.9")
		sendOK(t, c, ts, r)
	})
}

var oauth2Strict = []strictCase{
	{"oauth2 json content type", setHeader("Content-Type", "application/json"), 400, "invalid_request",
		"Content-Type must be application/x-www-form-urlencoded, got application/json"},
	{"oauth2 no Accept", setHeader("Accept", ""), 406, "invalid_request", "Accept must include application/json, got none"},
	{"oauth2 Accept html", setHeader("Accept", "text/html"), 406, "invalid_request", "got text/html"},
	{"oauth2 unknown parameter", setBody(form("grant_type", "client_credentials", "prompt", "none")), 400, "invalid_request",
		`unexpected parameter "prompt"`},
	{"oauth2 repeated scope", setBody(form("grant_type", "client_credentials", "scope", "api.read", "scope", "api.write")),
		400, "invalid_request", `"scope" appears 2 times`},
	{"oauth2 repeated grant_type", setBody(form("grant_type", "client_credentials", "grant_type", "client_credentials")),
		400, "invalid_request", `"grant_type" appears 2 times`},
	{"oauth2 repeated audience", setBody(form("grant_type", "client_credentials", "audience", "a", "audience", "b")),
		400, "invalid_request", "audience may repeat only in a token exchange"},
	{"oauth2 missing grant_type", setBody(form("scope", "api.read")), 400, "invalid_request", "missing required parameter grant_type"},
	{"oauth2 authorization_code", setBody(form("grant_type", "authorization_code")), 400, "unsupported_grant_type", `got "authorization_code"`},
	{"oauth2 jwt-bearer grant without an assertion", setBody(form("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer")), 400,
		"invalid_request", "missing required parameter assertion"},
	{"oauth2 saml2-bearer grant", setBody(form("grant_type", "urn:ietf:params:oauth:grant-type:saml2-bearer")), 400,
		"unsupported_grant_type", "grant_type must be one of client_credentials, password, refresh_token"},
	{"oauth2 upper-case grant type", setBody(form("grant_type", "CLIENT_CREDENTIALS")), 400, "unsupported_grant_type", "CLIENT_CREDENTIALS"},
	{"oauth2 username in client_credentials", setBody(form("grant_type", "client_credentials", "username", tokenserver.OAuth2Username)),
		400, "invalid_request", `parameter "username" is not a parameter of the client_credentials grant`},
	{"oauth2 refresh_token in password grant", setBody(form("grant_type", "password", "username", tokenserver.OAuth2Username,
		"password", tokenserver.OAuth2Password, "refresh_token", "abc")), 400, "invalid_request", `"refresh_token" is not a parameter of the password grant`},
	{"oauth2 password grant without password", setBody(form("grant_type", "password", "username", tokenserver.OAuth2Username)),
		400, "invalid_request", "missing required parameter password"},
	{"oauth2 refresh grant without refresh_token", setBody(form("grant_type", "refresh_token")),
		400, "invalid_request", "missing required parameter refresh_token"},
	{"oauth2 wrong password", setBody(form("grant_type", "password", "username", tokenserver.OAuth2Username, "password", "wrong-pass")),
		400, "invalid_grant", "username or password is incorrect"},
	{"oauth2 unknown scope", setBody(form("grant_type", "client_credentials", "scope", "api.read admin")), 400, "invalid_scope",
		`scope "admin" is unknown`},
	{"oauth2 two spaces in scope", setBody(form("grant_type", "client_credentials", "scope", "api.read  api.write")), 400,
		"invalid_scope", "single spaces"},
	{"oauth2 relative resource", setBody(form("grant_type", "client_credentials", "resource", "/api")), 400, "invalid_target",
		"not an absolute URI"},
	{"oauth2 resource with fragment", setBody(form("grant_type", "client_credentials", "resource", "https://api.example.com/#x")),
		400, "invalid_target", "fragment"},
	{"oauth2 Basic not form-encoded", setHeader("Authorization", testsupport.Basic(tokenserver.OAuth2ClientID, tokenserver.OAuth2ClientSecret)),
		401, "invalid_client", "form-encoded"},
	{"oauth2 wrong secret", setHeader("Authorization", formBasic(tokenserver.OAuth2ClientID, "wrong-secret")), 401, "invalid_client",
		"client_secret is incorrect"},
	{"oauth2 unknown client", setHeader("Authorization", formBasic("someone-else", "wrong-secret")), 401, "invalid_client", "unknown client_id"},
	{"oauth2 bearer scheme", setHeader("Authorization", "Bearer abc"), 401, "invalid_client", "Basic scheme"},
	{"oauth2 no client authentication", setHeader("Authorization", ""), 401, "invalid_client", "no client authentication"},
	{"oauth2 Basic and client_secret", setBody(form("grant_type", "client_credentials", "client_id", tokenserver.OAuth2ClientID,
		"client_secret", tokenserver.OAuth2ClientSecret)), 400, "invalid_request", "more than one client authentication method"},
	{"oauth2 Basic and a client assertion", setBody(form("grant_type", "client_credentials", "client_assertion_type",
		tokenserver.ClientAssertionType, "client_assertion", "a.b.c")), 400, "invalid_request", "more than one client authentication method"},
	{"oauth2 body client_id differs from Basic", setBody(form("grant_type", "client_credentials", "client_id", tokenserver.OAuth2PublicClientID)),
		401, "invalid_client", "does not match"},
	{"oauth2 public client with a secret", setHeader("Authorization", formBasic(tokenserver.OAuth2PublicClientID, "x")), 401,
		"invalid_client", "has no secret"},
	{"oauth2 key client with a secret", setHeader("Authorization", formBasic(tokenserver.OAuth2RSAClientID, "x")), 401,
		"invalid_client", "private_key_jwt"},
	{"oauth2 public client, client_credentials", func(r *request) {
		r.header.Del("Authorization")
		r.body = form("grant_type", "client_credentials", "client_id", tokenserver.OAuth2PublicClientID)
	}, 400, "unauthorized_client", "public client"},
	{"oauth2 confidential client without secret", func(r *request) {
		r.header.Del("Authorization")
		r.body = form("grant_type", "client_credentials", "client_id", tokenserver.OAuth2ClientID)
	}, 401, "invalid_client", "confidential and must authenticate"},
	{"oauth2 client_secret without client_id", func(r *request) {
		r.header.Del("Authorization")
		r.body = form("grant_type", "client_credentials", "client_secret", tokenserver.OAuth2ClientSecret)
	}, 400, "invalid_request", "without client_id"},
}

// TestOAuth2BasicFormEncoding: RFC 6749 2.3.1 form-encodes client_id and client_secret before
// Basic; the server form-decodes them, so only a client that encoded them logs in.
func TestOAuth2BasicFormEncoding(t *testing.T) {
	t.Parallel()
	cfg := tokenserver.DefaultConfig()
	cfg.Clients[tokenserver.OAuth2]["space client"] = "a+b c"
	cfg.Clients[tokenserver.OAuth2]["plain-client"] = "plainSecret42"
	_, ts := testsupport.TokenServer(t, cfg)
	c := ts.Client()
	b64 := func(s string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, tc := range []struct {
		name, auth string
		status     int
	}{
		{"form-encoded", formBasic(tokenserver.OAuth2ClientID, tokenserver.OAuth2ClientSecret), 200},
		{"not form-encoded", testsupport.Basic(tokenserver.OAuth2ClientID, tokenserver.OAuth2ClientSecret), 401},
		{"%20 for the space", b64("space+client:a%2Bb%20c"), 200},
		{"+ for the space", formBasic("space client", "a+b c"), 200},
		{"lower-case hex", b64(strings.ToLower(url.QueryEscape(tokenserver.OAuth2ClientID) + ":" + url.QueryEscape(tokenserver.OAuth2ClientSecret))), 200},
		{"raw +", b64("space+client:a+b+c"), 401},
		{"raw space", b64("space+client:a+b c"), 401},
		{"raw non-ASCII", b64(tokenserver.OAuth2ClientID + ":s3cret%3A%2B%26%2F%25é"), 401},
		{"raw colon", b64(tokenserver.OAuth2ClientID + ":s3cret:%2B%26%2F%25%C3%A9"), 401},
		{"raw % sign", b64(tokenserver.OAuth2ClientID + ":s3cret%3A%2B%26%2F%%C3%A9"), 401},
		{"plain secret, encoded", formBasic("plain-client", "plainSecret42"), 200},
		{"plain secret, raw", testsupport.Basic("plain-client", "plainSecret42"), 200},
		{"padding missing", strings.TrimRight(formBasic("plain-client", "plainSecret42"), "="), 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := oauth2Request()
			r.header.Set("Authorization", tc.auth)
			resp, b := send(t, c, ts, r)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, b)
			}
			if tc.status == 401 {
				wantError(t, b, "invalid_client")
				if got := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Basic ") {
					t.Errorf("WWW-Authenticate %q, want the Basic challenge", got)
				}
				testsupport.AssertNoSecret(t, "answer", string(b), tokenserver.OAuth2ClientSecret, "a+b c", "plainSecret42")
			}
		})
	}
}

// keyClient is one of the private_key_jwt test clients.
type keyClient struct{ id, alg, keyPEM string }

// secretJWTClient is the client_secret_jwt client, as a keyClient whose key is its secret.
func secretJWTClient() keyClient {
	return keyClient{tokenserver.OAuth2SecretJWTClientID, "HS256", tokenserver.OAuth2SecretJWTClientSecret}
}

func keyClients() []keyClient {
	return []keyClient{
		{tokenserver.OAuth2RSAClientID, "RS256", tokenserver.OAuth2RSAKeyPEM()},
		{tokenserver.OAuth2ECClientID, "ES256", tokenserver.OAuth2ECKeyPEM()},
	}
}

// assertionPost is a client credentials grant authenticated by a client assertion, with
// client_id in the body unless id is "".
func assertionPost(id, assertion string, extra ...string) request {
	kv := []string{"grant_type", "client_credentials", "client_assertion_type", tokenserver.ClientAssertionType,
		"client_assertion", assertion}
	if id != "" {
		kv = append(kv, "client_id", id)
	}
	return oauth2Post(append(kv, extra...)...)
}

// assertionFor returns a good client assertion of kc for the endpoint URL aud, signed with kc's
// key; change, if set, edits the header and claims before signing.
func assertionFor(t *testing.T, kc keyClient, aud string, change func(header, claims map[string]any)) string {
	t.Helper()
	now := time.Now()
	header := map[string]any{"alg": kc.alg, "typ": "JWT"}
	claims := map[string]any{"iss": kc.id, "sub": kc.id, "aud": aud, "iat": now.Unix(),
		"exp": now.Add(time.Minute).Unix(), "jti": randomID()}
	if change != nil {
		change(header, claims)
	}
	if kc.alg == "HS256" { // client_secret_jwt: keyPEM is the client secret
		return signJWS(t, header, claims, func(input []byte) []byte {
			mac := hmac.New(sha256.New, []byte(kc.keyPEM))
			mac.Write(input)
			return mac.Sum(nil)
		})
	}
	return signJWS(t, header, claims, keySigner(t, kc.keyPEM))
}

func randomID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// signJWS is the compact JWS of header and claims, signed by sign.
func signJWS(t *testing.T, header, claims map[string]any, sign func(input []byte) []byte) string {
	t.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	c, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(h) + "." + enc.EncodeToString(c)
	return input + "." + enc.EncodeToString(sign([]byte(input)))
}

// keySigner signs RS256 with an RSA key and ES256 (r||s, 64 bytes) with a P-256 key, from PEM
// PKCS#8.
func keySigner(t *testing.T, keyPEM string) func([]byte) []byte {
	t.Helper()
	block, _ := pem.Decode([]byte(keyPEM))
	if block == nil || block.Type != "PRIVATE KEY" {
		t.Fatal("the key is not PEM PKCS#8")
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return signerOf(t, key)
}

func signerOf(t *testing.T, key any) func([]byte) []byte {
	return func(input []byte) []byte {
		digest := sha256.Sum256(input)
		switch k := key.(type) {
		case *rsa.PrivateKey:
			sig, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, digest[:])
			if err != nil {
				t.Fatal(err)
			}
			return sig
		case *ecdsa.PrivateKey:
			r, s, err := ecdsa.Sign(rand.Reader, k, digest[:])
			if err != nil {
				t.Fatal(err)
			}
			sig := make([]byte, 64)
			r.FillBytes(sig[:32])
			s.FillBytes(sig[32:])
			return sig
		}
		t.Fatalf("key %T", key)
		return nil
	}
}

// TestOAuth2PrivateKeyJWT: RFC 7523 client assertions, verified with the client's registered key.
// client_secret_jwt (RFC 7523 2.2, OpenID Connect Core 9): an assertion signed HS256 with the
// client secret, checked like private_key_jwt's, at the token and the revocation endpoint.
func TestOAuth2ClientSecretJWT(t *testing.T) {
	t.Parallel()
	_, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	c := ts.Client()
	tokenURL := tokenserver.TokenURL(ts.URL, tokenserver.OAuth2)
	jwtClient := secretJWTClient()
	resp, b := send(t, c, ts, assertionPost(jwtClient.id, assertionFor(t, jwtClient, tokenURL, nil)))
	wantStatus(t, resp, 200)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(b, &tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("no access token: %s", b)
	}
	revocationURL := tokenserver.RevocationURL(ts.URL, tokenserver.OAuth2) // revocation_test.go revokes with it

	replayed := assertionFor(t, jwtClient, tokenURL, nil)
	sendOK(t, c, ts, assertionPost(jwtClient.id, replayed))
	for _, tc := range []struct {
		name, assertion, descPart string
	}{
		{"replayed", replayed, "jti has been used before"},
		{"another secret", assertionFor(t, keyClient{jwtClient.id, "HS256", tokenserver.OAuth2ClientSecret + "-padding-to-32-bytes"}, tokenURL, nil),
			"signature does not verify"},
		{"alg none", assertionFor(t, jwtClient, tokenURL, func(h, _ map[string]any) { h["alg"] = "none" }), "not signed"},
		{"the token endpoint's audience at another endpoint", assertionFor(t, jwtClient, revocationURL, nil), "aud must be the URL"},
		{"expired", assertionFor(t, jwtClient, tokenURL, func(_, c map[string]any) { c["exp"] = time.Now().Add(-time.Second).Unix() }), "expired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, b := send(t, c, ts, assertionPost(jwtClient.id, tc.assertion))
			wantStatus(t, resp, 401)
			wantDescription(t, b, "invalid_client", tc.descPart)
		})
	}
}

// A client registered by its certificate (Entra's certificate credentials): its assertions must
// name the certificate by its thumbprint, x5t (SHA-1) or x5t#S256 (SHA-256), and each one sent
// must be the certificate's.
func TestOAuth2CertificateClient(t *testing.T) {
	t.Parallel()
	_, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	c := ts.Client()
	tokenURL := tokenserver.TokenURL(ts.URL, tokenserver.OAuth2)
	block, _ := pem.Decode([]byte(tokenserver.OAuth2RSACertPEM()))
	sha1Sum, sha256Sum := sha1.Sum(block.Bytes), sha256.Sum256(block.Bytes) //nolint:gosec // G401: as above
	x5t, x5t256 := base64.RawURLEncoding.EncodeToString(sha1Sum[:]), base64.RawURLEncoding.EncodeToString(sha256Sum[:])
	certClient := keyClient{tokenserver.OAuth2CertClientID, "RS256", tokenserver.OAuth2RSAKeyPEM()}
	with := func(headers ...string) string {
		return assertionFor(t, certClient, tokenURL, func(h, _ map[string]any) {
			for i := 0; i < len(headers); i += 2 {
				h[headers[i]] = headers[i+1]
			}
		})
	}
	sendOK(t, c, ts, assertionPost(certClient.id, with("x5t", x5t)))
	sendOK(t, c, ts, assertionPost(certClient.id, with("x5t", x5t, "x5t#S256", x5t256)))
	sendOK(t, c, ts, assertionPost(certClient.id, with("x5t#S256", x5t256)))
	for name, tc := range map[string]struct{ assertion, descPart string }{
		"no thumbprint":    {with(), "has neither x5t nor x5t#S256"},
		"another x5t":      {with("x5t", x5t256[:27]), "x5t is not the SHA-1 thumbprint"},
		"another x5t#S256": {with("x5t", x5t, "x5t#S256", x5t), "x5t#S256 is not the SHA-256 thumbprint"},
	} {
		t.Run(name, func(t *testing.T) {
			resp, b := send(t, c, ts, assertionPost(certClient.id, tc.assertion))
			wantStatus(t, resp, 401)
			wantDescription(t, b, "invalid_client", tc.descPart)
		})
	}
}

func TestOAuth2PrivateKeyJWT(t *testing.T) {
	t.Parallel()
	s, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	c := ts.Client()
	tokenURL := tokenserver.TokenURL(ts.URL, tokenserver.OAuth2)
	rsaClient, ecClient := keyClients()[0], keyClients()[1]

	for _, kc := range keyClients() {
		t.Run(kc.alg+" accepted", func(t *testing.T) {
			sendOK(t, c, ts, assertionPost(kc.id, assertionFor(t, kc, tokenURL, nil)))
			// RFC 7523 3: iss and sub name the client, so client_id may stay out of the body.
			sendOK(t, c, ts, assertionPost("", assertionFor(t, kc, tokenURL, nil)))
			// aud may be an array holding the endpoint (RFC 7519 4.1.3); exp may be fractional.
			sendOK(t, c, ts, assertionPost(kc.id, assertionFor(t, kc, tokenURL, func(_, c map[string]any) {
				c["aud"] = []string{"https://other.example.com", tokenURL}
				c["exp"] = float64(time.Now().Add(2*time.Minute).UnixMilli()) / 1000
			})))
		})
	}

	t.Run("replayed jti", func(t *testing.T) {
		a := assertionFor(t, ecClient, tokenURL, nil)
		sendOK(t, c, ts, assertionPost(ecClient.id, a))
		resp, b := send(t, c, ts, assertionPost(ecClient.id, a))
		wantStatus(t, resp, 401)
		wantDescription(t, b, "invalid_client", "jti has been used before")
		// The same jti from another client is that client's own.
		jti := randomID()
		for _, kc := range keyClients() {
			sendOK(t, c, ts, assertionPost(kc.id, assertionFor(t, kc, tokenURL, func(_, c map[string]any) { c["jti"] = jti })))
		}
	})

	otherEC, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	claimsOf := func(kc keyClient, change func(c map[string]any)) map[string]any {
		c := map[string]any{"iss": kc.id, "sub": kc.id, "aud": tokenURL, "iat": now.Unix(),
			"exp": now.Add(time.Minute).Unix(), "jti": randomID()}
		if change != nil {
			change(c)
		}
		return c
	}
	rsaPublic := []byte(tokenserver.OAuth2RSAPublicKeyPEM())
	tampered := func() string {
		a := assertionFor(t, rsaClient, tokenURL, nil)
		parts := strings.Split(a, ".")
		other := strings.Split(assertionFor(t, rsaClient, tokenURL, func(_, c map[string]any) { c["sub"] = "x" }), ".")
		return parts[0] + "." + other[1] + "." + parts[2]
	}
	cases := []struct {
		name      string
		clientID  string // in the body; "" for none
		assertion string
		extra     []string
		status    int
		code      string
		descPart  string
	}{
		{"signed with another key", ecClient.id, signJWS(t, map[string]any{"alg": "ES256"}, claimsOf(ecClient, nil), signerOf(t, otherEC)),
			nil, 401, "invalid_client", "signature does not verify"},
		{"payload swapped after signing", rsaClient.id, tampered(), nil, 401, "invalid_client", "signature does not verify"},
		{"ES256 signature in ASN.1 DER", ecClient.id, signJWS(t, map[string]any{"alg": "ES256"}, claimsOf(ecClient, nil),
			func(in []byte) []byte {
				d := sha256.Sum256(in)
				der, err := ecdsa.SignASN1(rand.Reader, mustECKey(t, ecClient.keyPEM), d[:])
				if err != nil {
					t.Fatal(err)
				}
				return der
			}), nil, 401, "invalid_client", "signature does not verify"},
		{"alg none", rsaClient.id, signJWS(t, map[string]any{"alg": "none"}, claimsOf(rsaClient, nil), func([]byte) []byte { return nil }),
			nil, 401, "invalid_client", `alg "none"`},
		{"alg HS256 keyed with the public key", rsaClient.id, signJWS(t, map[string]any{"alg": "HS256"}, claimsOf(rsaClient, nil),
			func(in []byte) []byte { m := hmac.New(sha256.New, rsaPublic); m.Write(in); return m.Sum(nil) }),
			nil, 401, "invalid_client", `alg "HS256" is not the algorithm of the signer's key, RS256`},
		{"alg ES256 for the RSA client", rsaClient.id, signJWS(t, map[string]any{"alg": "ES256"}, claimsOf(rsaClient, nil),
			keySigner(t, ecClient.keyPEM)), nil, 401, "invalid_client", "not the algorithm"},
		{"alg RS256 for the EC client", ecClient.id, signJWS(t, map[string]any{"alg": "RS256"}, claimsOf(ecClient, nil),
			keySigner(t, rsaClient.keyPEM)), nil, 401, "invalid_client", "not the algorithm"},
		{"crit header", rsaClient.id, assertionFor(t, rsaClient, tokenURL, func(h, _ map[string]any) { h["crit"] = []string{"exp"} }),
			nil, 401, "invalid_client", "crit"},
		{"aud is the issuer", rsaClient.id, assertionFor(t, rsaClient, tokenserver.OAuth2Issuer(ts.URL), nil), nil, 401, "invalid_client", "aud"},
		{"aud names another host", rsaClient.id, assertionFor(t, rsaClient, strings.Replace(tokenURL, "127.0.0.1", "localhost", 1), nil),
			nil, 401, "invalid_client", "aud"},
		{"aud is the revocation endpoint", rsaClient.id, assertionFor(t, rsaClient, tokenserver.RevocationURL(ts.URL, tokenserver.OAuth2), nil),
			nil, 401, "invalid_client", "aud"},
		{"aud with a trailing slash", rsaClient.id, assertionFor(t, rsaClient, tokenURL+"/", nil), nil, 401, "invalid_client", "aud"},
		{"expired", ecClient.id, assertionFor(t, ecClient, tokenURL, func(_, c map[string]any) { c["exp"] = now.Add(-time.Second).Unix() }),
			nil, 401, "invalid_client", "expired"},
		{"exp too far away", ecClient.id, assertionFor(t, ecClient, tokenURL, func(_, c map[string]any) { c["exp"] = now.Add(10 * time.Minute).Unix() }),
			nil, 401, "invalid_client", "more than 5m0s away"},
		{"no exp", ecClient.id, assertionFor(t, ecClient, tokenURL, func(_, c map[string]any) { delete(c, "exp") }),
			nil, 401, "invalid_client", "no numeric exp"},
		{"exp as a string", ecClient.id, assertionFor(t, ecClient, tokenURL, func(_, c map[string]any) { c["exp"] = "4102444800" }),
			nil, 401, "invalid_client", "no numeric exp"},
		{"nbf in the future", ecClient.id, assertionFor(t, ecClient, tokenURL, func(_, c map[string]any) { c["nbf"] = now.Add(time.Minute).Unix() }),
			nil, 401, "invalid_client", "nbf is in the future"},
		{"iat in the future", ecClient.id, assertionFor(t, ecClient, tokenURL, func(_, c map[string]any) { c["iat"] = now.Add(time.Minute).Unix() }),
			nil, 401, "invalid_client", "iat is in the future"},
		{"no jti", rsaClient.id, assertionFor(t, rsaClient, tokenURL, func(_, c map[string]any) { delete(c, "jti") }),
			nil, 401, "invalid_client", "no jti"},
		{"iss is not the client", rsaClient.id, assertionFor(t, rsaClient, tokenURL, func(_, c map[string]any) { c["iss"] = "someone" }),
			nil, 401, "invalid_client", "iss must be the client_id"},
		{"sub is not the client", rsaClient.id, assertionFor(t, rsaClient, tokenURL, func(_, c map[string]any) { c["sub"] = "someone" }),
			nil, 401, "invalid_client", "sub must be the client_id"},
		{"body client_id is another client", ecClient.id, assertionFor(t, keyClient{rsaClient.id, "ES256", ecClient.keyPEM}, tokenURL, nil),
			nil, 401, "invalid_client", "iss must be the client_id"},
		{"client with a short secret", tokenserver.OAuth2ClientID, assertionFor(t, rsaClient, tokenURL, nil), nil, 401, "invalid_client", "too short for client_secret_jwt"},
		{"secret client, RS256", tokenserver.OAuth2SecretJWTClientID, assertionFor(t, rsaClient, tokenURL, nil), nil, 401, "invalid_client", `alg "RS256" is not the algorithm of the signer's key, HS256`},
		{"unknown client", "", assertionFor(t, keyClient{"nobody", "RS256", rsaClient.keyPEM}, tokenURL, nil), nil, 401, "invalid_client", "unknown client_id"},
		{"two segments", rsaClient.id, "eyJhbGciOiJSUzI1NiJ9.e30", nil, 401, "invalid_client", "compact serialization"},
		{"padded base64", rsaClient.id, strings.Replace(assertionFor(t, rsaClient, tokenURL, nil), ".", "=.", 1), nil, 401, "invalid_client", "base64url"},
		{"client_assertion_type of SAML", rsaClient.id, "", []string{"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer",
			"client_assertion", assertionFor(t, rsaClient, tokenURL, nil)}, 401, "invalid_client", "unsupported client_assertion_type"},
		{"client_assertion without its type", rsaClient.id, "", []string{"client_assertion", assertionFor(t, rsaClient, tokenURL, nil)},
			400, "invalid_request", "go together"},
		{"client_assertion and client_secret", rsaClient.id, assertionFor(t, rsaClient, tokenURL, nil), []string{"client_secret", "x"},
			400, "invalid_request", "more than one client authentication method"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := oauth2Post(append([]string{"grant_type", "client_credentials"}, tc.extra...)...)
			if tc.assertion != "" {
				r = assertionPost(tc.clientID, tc.assertion, tc.extra...)
			} else if tc.clientID != "" {
				r.body += "&client_id=" + url.QueryEscape(tc.clientID)
			}
			resp, b := send(t, c, ts, r)
			wantStatus(t, resp, tc.status)
			wantDescription(t, b, tc.code, tc.descPart)
		})
	}
	if n := len(s.IssuedFor(tokenserver.OAuth2)); n != 2*3+1+2 {
		t.Errorf("%d tokens issued, want 9: a bad assertion was accepted", n)
	}
}

func mustECKey(t *testing.T, keyPEM string) *ecdsa.PrivateKey {
	t.Helper()
	block, _ := pem.Decode([]byte(keyPEM))
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(*ecdsa.PrivateKey)
}

// wantDescription checks an error body: the code, and a description holding part.
func wantDescription(t *testing.T, body []byte, code, part string) {
	t.Helper()
	m := decodeObject(t, body)
	if m["error"] != code {
		t.Errorf("error %v, want %s: %s", m["error"], code, body)
	}
	if d, _ := m["error_description"].(string); !strings.Contains(d, part) {
		t.Errorf("error_description %q, want it to contain %q", d, part)
	}
}

// TestOAuth2PublicClient: a public client sends client_id alone, for the password and refresh
// grants; it cannot use client credentials, and must not send a secret.
func TestOAuth2PublicClient(t *testing.T) {
	t.Parallel()
	_, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	c := ts.Client()
	m := sendOK(t, c, ts, oauth2Post("grant_type", "password", "client_id", tokenserver.OAuth2PublicClientID,
		"username", tokenserver.OAuth2Username, "password", tokenserver.OAuth2Password))
	m = sendOK(t, c, ts, oauth2Post("grant_type", "refresh_token", "client_id", tokenserver.OAuth2PublicClientID,
		"refresh_token", m["refresh_token"].(string)))
	if !isSet(m["refresh_token"]) {
		t.Error("the refresh grant answered no new refresh token")
	}
	resp, b := send(t, c, ts, oauth2Post("grant_type", "password", "client_id", tokenserver.OAuth2PublicClientID,
		"client_secret", "", "username", tokenserver.OAuth2Username, "password", tokenserver.OAuth2Password))
	if resp.StatusCode != 200 { // an empty parameter counts as absent (RFC 6749 3.2)
		t.Errorf("empty client_secret: status %d: %s", resp.StatusCode, b)
	}
	resp, b = send(t, c, ts, oauth2Post("grant_type", "password", "client_id", tokenserver.OAuth2PublicClientID,
		"client_secret", "x", "username", tokenserver.OAuth2Username, "password", tokenserver.OAuth2Password))
	wantStatus(t, resp, 401)
	wantDescription(t, b, "invalid_client", "has no secret")
}

// TestOAuth2Refresh: refresh tokens rotate, each works once, for the client it was issued to, for
// at most the scopes first granted.
func TestOAuth2Refresh(t *testing.T) {
	t.Parallel()
	s, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	c := ts.Client()
	refresh := func(token string, extra ...string) request {
		return basicPost(append([]string{"grant_type", "refresh_token", "refresh_token", token}, extra...)...)
	}

	m := sendOK(t, c, ts, passwordGrant("scope", "openid api.read api.write"))
	r1 := m["refresh_token"].(string)
	m2 := sendOK(t, c, ts, refresh(r1))
	r2, _ := m2["refresh_token"].(string)
	if r2 == "" || r2 == r1 || m2["scope"] != "openid api.read api.write" || !isSet(m2["id_token"]) || m2["access_token"] == m["access_token"] {
		t.Fatalf("refresh answer fields %v scope %v", keys(m2), m2["scope"])
	}
	_, claims := jwtParts(t, m2["access_token"].(string))
	if claims["sub"] != tokenserver.OAuth2Username {
		t.Errorf("refreshed token sub %v", claims["sub"])
	}
	_, b := callResource(t, c, ts, tokenserver.OAuth2, http.MethodGet, bearer(m2["access_token"].(string)))
	if sub := decodeObject(t, b)["sub"]; sub != tokenserver.OAuth2Username {
		t.Errorf("userinfo sub %v", sub)
	}

	resp, b := send(t, c, ts, refresh(r1))
	wantStatus(t, resp, 400)
	wantDescription(t, b, "invalid_grant", "used already")

	// Narrower scope: the access token gets it; the new refresh token keeps the grant's.
	m3 := sendOK(t, c, ts, refresh(r2, "scope", "api.read"))
	if m3["scope"] != "api.read" || m3["id_token"] != nil {
		t.Errorf("narrowed: scope %v, fields %v", m3["scope"], keys(m3))
	}
	r3 := m3["refresh_token"].(string)
	resp, b = send(t, c, ts, refresh(r3, "scope", "api.read email"))
	wantStatus(t, resp, 400)
	wantDescription(t, b, "invalid_scope", `"email" was not granted`)
	m4 := sendOK(t, c, ts, refresh(r3)) // the refused request did not use r3
	if m4["scope"] != "openid api.read api.write" {
		t.Errorf("scope after narrowing %v, want the grant's", m4["scope"])
	}
	r4 := m4["refresh_token"].(string)

	for _, tc := range []struct {
		name string
		r    request
		code string
		part string
	}{
		{"another client", oauth2Post("grant_type", "refresh_token", "client_id", tokenserver.OAuth2PublicClientID, "refresh_token", r4),
			"invalid_grant", "another client"},
		{"unknown", refresh("0123456789abcdef"), "invalid_grant", "unknown"},
		{"an access token", refresh(m4["access_token"].(string)), "invalid_grant", "unknown"},
		{"unknown scope", refresh(r4, "scope", "admin"), "invalid_scope", "unknown"},
		{"username with it", refresh(r4, "username", tokenserver.OAuth2Username), "invalid_request", "not a parameter of the refresh_token grant"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, b := send(t, c, ts, tc.r)
			wantStatus(t, resp, 400)
			wantDescription(t, b, tc.code, tc.part)
		})
	}
	sendOK(t, c, ts, refresh(r4)) // none of those used it

	// Client credentials answer no refresh token (RFC 6749 4.4.3).
	if m := sendOK(t, c, ts, oauth2Request()); m["refresh_token"] != nil {
		t.Error("client credentials answered a refresh token")
	}
	for _, tok := range []string{r1, r2, r3, r4} {
		if !slices.Contains(s.Issued(), tok) {
			t.Error("a refresh token is not in Issued")
		}
	}
}

// TestOAuth2IDToken: an id_token exactly when the granted scopes hold openid.
func TestOAuth2IDToken(t *testing.T) {
	t.Parallel()
	_, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	c := ts.Client()
	if m := sendOK(t, c, ts, passwordGrant("scope", "api.read")); m["id_token"] != nil {
		t.Error("id_token without openid")
	}
	m := sendOK(t, c, ts, basicPost("grant_type", "client_credentials", "scope", "openid"))
	id, _ := m["id_token"].(string)
	if id == "" {
		t.Fatal("no id_token for openid")
	}
	if _, claims := jwtParts(t, id); claims["sub"] != tokenserver.OAuth2ClientID || claims["aud"] != tokenserver.OAuth2ClientID {
		t.Errorf("id_token claims %v", claims)
	}
}

// TestOAuth2Audience: audience and every RFC 8707 resource go into aud, in order, once each.
func TestOAuth2Audience(t *testing.T) {
	t.Parallel()
	_, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	c := ts.Client()
	aud := func(m map[string]any) any {
		_, claims := jwtParts(t, m["access_token"].(string))
		return claims["aud"]
	}
	m := sendOK(t, c, ts, basicPost("grant_type", "client_credentials", "audience", "https://api.example.com",
		"resource", "https://a.example.com/x?y=1", "resource", "urn:example:b", "resource", "https://a.example.com/x?y=1"))
	want := []any{"https://api.example.com", "https://a.example.com/x?y=1", "urn:example:b"}
	if got, _ := aud(m).([]any); !slices.Equal(got, want) {
		t.Errorf("aud %v, want %v", aud(m), want)
	}
	if got := aud(sendOK(t, c, ts, basicPost("grant_type", "client_credentials", "resource", "https://a.example.com"))); got != "https://a.example.com" {
		t.Errorf("one resource: aud %v", got)
	}
	if got := aud(sendOK(t, c, ts, passwordGrant("audience", "inventory"))); got != "inventory" {
		t.Errorf("audience: aud %v", got)
	}
	if got := aud(sendOK(t, c, ts, oauth2Request())); got != tokenserver.OAuth2Issuer(ts.URL) {
		t.Errorf("default aud %v, want the issuer", got)
	}
	// In a refresh, too.
	r := sendOK(t, c, ts, passwordGrant())["refresh_token"].(string)
	m = sendOK(t, c, ts, basicPost("grant_type", "refresh_token", "refresh_token", r, "resource", "https://a.example.com", "resource", "https://b.example.com"))
	if got, _ := aud(m).([]any); len(got) != 2 {
		t.Errorf("refresh aud %v", aud(m))
	}
}

// TestOAuth2Log: oauth2 calls are logged like the others, with no secret, key or token.
func TestOAuth2Log(t *testing.T) {
	t.Parallel()
	s, ts, logs := loggedServer(t)
	c := ts.Client()
	sendOK(t, c, ts, passwordGrant("scope", "openid"))
	sendOK(t, c, ts, assertionPost(tokenserver.OAuth2RSAClientID, assertionFor(t, keyClients()[0], tokenserver.TokenURL(ts.URL, tokenserver.OAuth2), nil)))
	r := oauth2Request()
	r.header.Set("Authorization", testsupport.Basic(tokenserver.OAuth2ClientID, tokenserver.OAuth2ClientSecret))
	send(t, c, ts, r)
	out := logs.String()
	wantInLog(t, out, "api=oauth2 method=POST status=200", "api=oauth2 method=POST status=401 error=invalid_client")
	testsupport.AssertNoSecret(t, "log", out, append(s.Issued(), tokenserver.OAuth2ClientSecret, url.QueryEscape(tokenserver.OAuth2ClientSecret),
		tokenserver.OAuth2Password, "PRIVATE KEY", "eyJ")...)
}
