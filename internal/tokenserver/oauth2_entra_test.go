package tokenserver_test

import (
	"crypto/sha1" //nolint:gosec // G505: x5t, the thumbprint under test, is SHA-1 by definition
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

const entraTenant = "00000000-0000-0000-0000-000000000000"

// certThumbprints are x5t and x5t#S256 of the oauth2 API's certificate client.
func certThumbprints(t *testing.T) (x5t, x5t256 string) {
	t.Helper()
	block, _ := pem.Decode([]byte(tokenserver.OAuth2RSACertPEM()))
	sha1Sum, sha256Sum := sha1.Sum(block.Bytes), sha256.Sum256(block.Bytes) //nolint:gosec // G401: as above
	return base64.RawURLEncoding.EncodeToString(sha1Sum[:]), base64.RawURLEncoding.EncodeToString(sha256Sum[:])
}

// entraPost is Entra's client credentials grant with a certificate, as its docs show it, to the
// Entra-like endpoint of tenant: kv replaces or, with an empty value, removes the parameters.
func entraPost(tenant, assertion string, kv ...string) request {
	params := map[string]string{"grant_type": "client_credentials", "client_id": tokenserver.OAuth2CertClientID,
		"scope": "https://graph.microsoft.com/.default", "client_assertion_type": tokenserver.ClientAssertionType,
		"client_assertion": assertion}
	for i := 0; i+1 < len(kv); i += 2 {
		params[kv[i]] = kv[i+1]
	}
	var body []string
	for _, k := range slices.Sorted(maps.Keys(params)) {
		if params[k] != "" {
			body = append(body, k, params[k])
		}
	}
	r := request{api: tokenserver.OAuth2, method: http.MethodPost, header: http.Header{}, body: form(body...),
		path: strings.Replace(tokenserver.OAuth2EntraPath, "{tenant}", tenant, 1)}
	r.header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

// TestOAuth2Entra: the Entra-like token endpoint answers the certificate client's client
// credentials grant as Entra does, counted as an oauth2 token request, with a token the oauth2
// resource endpoint accepts.
func TestOAuth2Entra(t *testing.T) {
	t.Parallel()
	s, ts, logs := loggedServer(t)
	c := ts.Client()
	entraURL := tokenserver.OAuth2EntraTokenURL(ts.URL, entraTenant)
	x5t, x5t256 := certThumbprints(t)
	certClient := keyClient{tokenserver.OAuth2CertClientID, "RS256", tokenserver.OAuth2RSAKeyPEM()}
	assertion := func(aud string, headers ...string) string {
		return assertionFor(t, certClient, aud, func(h, _ map[string]any) {
			for i := 0; i < len(headers); i += 2 {
				h[headers[i]] = headers[i+1]
			}
		})
	}

	m := sendOK(t, c, ts, entraPost(entraTenant, assertion(entraURL, "x5t", x5t, "x5t#S256", x5t256)))
	if ks := keys(m); len(ks) != 4 || m["token_type"] != "Bearer" || m["expires_in"] != json.Number("3600") ||
		m["ext_expires_in"] != json.Number("3600") {
		t.Errorf("Entra answers token_type, expires_in, ext_expires_in and access_token, no scope: got the keys %v", slices.Sorted(maps.Keys(m)))
	}
	tok, _ := m["access_token"].(string)
	_, claims := jwtParts(t, tok)
	if claims["aud"] != "https://graph.microsoft.com" || claims["sub"] != tokenserver.OAuth2CertClientID ||
		claims["scope"] != "https://graph.microsoft.com/.default" {
		t.Errorf("claims %v: want the resource as aud, the client as sub", claims)
	}
	if n := s.Requests(tokenserver.OAuth2); n != 1 {
		t.Errorf("Requests(oauth2) = %d, want 1: the Entra-like endpoint is an oauth2 token endpoint", n)
	}
	if last := s.LastRequest(tokenserver.OAuth2); last == nil || last.Path != "/"+entraTenant+"/oauth2/v2.0/token" {
		t.Errorf("LastRequest(oauth2) is %+v, want the request to the Entra-like endpoint", last)
	}
	if resp, b := callResource(t, c, ts, tokenserver.OAuth2, http.MethodGet, bearer(tok)); resp.StatusCode != http.StatusOK {
		t.Errorf("the oauth2 resource endpoint refuses the token: %d %s", resp.StatusCode, b)
	}
	wantInLog(t, logs.String(), "api=oauth2 method=POST status=200 entra=/"+entraTenant+"/oauth2/v2.0/token")

	for name, r := range map[string]request{
		"x5t alone":              entraPost(entraTenant, assertion(entraURL, "x5t", x5t)),
		"x5t#S256 alone":         entraPost(entraTenant, assertion(entraURL, "x5t#S256", x5t256)),
		"with the OpenID scopes": entraPost(entraTenant, assertion(entraURL, "x5t", x5t), "scope", "openid https://graph.microsoft.com/.default profile offline_access"),
		"a tenant's domain name": entraPost("contoso.onmicrosoft.com", assertion(tokenserver.OAuth2EntraTokenURL(ts.URL, "contoso.onmicrosoft.com"), "x5t", x5t)),
		"an API's own resource":  entraPost(entraTenant, assertion(entraURL, "x5t", x5t), "scope", "api://inventory/.default"),
	} {
		t.Run(name, func(t *testing.T) { sendOK(t, c, ts, r) })
	}
}

// TestOAuth2EntraRefusals: what Entra requires of a certificate credential, one thing wrong at a
// time, refused with Entra's code where its docs or its users quote one.
func TestOAuth2EntraRefusals(t *testing.T) {
	t.Parallel()
	_, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	c := ts.Client()
	entraURL := tokenserver.OAuth2EntraTokenURL(ts.URL, entraTenant)
	x5t, x5t256 := certThumbprints(t)
	certClient := keyClient{tokenserver.OAuth2CertClientID, "RS256", tokenserver.OAuth2RSAKeyPEM()}
	good := func(aud string) string {
		return assertionFor(t, certClient, aud, func(h, _ map[string]any) { h["x5t"], h["x5t#S256"] = x5t, x5t256 })
	}
	rsaClient := keyClients()[0]
	for _, tc := range []struct {
		name     string
		r        request
		status   int
		code     string
		aadsts   int // 0: an RFC 6749 error, without error_codes
		descPart string
	}{
		{"no thumbprint", entraPost(entraTenant, assertionFor(t, certClient, entraURL, nil)), 401, "invalid_client", 0,
			"has neither x5t nor x5t#S256"},
		{"another certificate's x5t", entraPost(entraTenant, assertionFor(t, certClient, entraURL, func(h, _ map[string]any) {
			h["x5t"] = x5t256[:27]
		})), 401, "invalid_client", 0, "x5t is not the SHA-1 thumbprint"},
		{"the oauth2 token endpoint as aud", entraPost(entraTenant, good(tokenserver.TokenURL(ts.URL, tokenserver.OAuth2))),
			401, "invalid_client", 0, "aud must be the URL of the endpoint it is sent to, " + entraURL},
		{"another tenant's endpoint as aud", entraPost(entraTenant, good(tokenserver.OAuth2EntraTokenURL(ts.URL, "contoso.onmicrosoft.com"))),
			401, "invalid_client", 0, "aud must be the URL of the endpoint"},
		{"a key client, not a certificate one", entraPost(entraTenant, assertionFor(t, rsaClient, entraURL, nil), "client_id", rsaClient.id),
			401, "invalid_client", 0, "takes certificate credentials only"},
		{"a client secret", entraPost(entraTenant, "", "client_assertion_type", "", "client_id", tokenserver.OAuth2ClientID,
			"client_secret", tokenserver.OAuth2ClientSecret), 401, "invalid_client", 0, "this client authenticated with client_secret_post"},
		{"a Graph permission as scope", entraPost(entraTenant, good(entraURL), "scope", "https://graph.microsoft.com/User.Read.All"),
			400, "invalid_scope", 1002012, "The provided value for scope https://graph.microsoft.com/User.Read.All is not valid. " +
				"Client credential flows must have a scope value with /.default suffixed"},
		{"a bare scope", entraPost(entraTenant, good(entraURL), "scope", "api.read"), 400, "invalid_scope", 1002012, "scope api.read is not valid"},
		{"OpenID scopes only", entraPost(entraTenant, good(entraURL), "scope", "openid"), 400, "invalid_scope", 1002012, "scope openid is not valid"},
		{"two resources", entraPost(entraTenant, good(entraURL), "scope", "https://graph.microsoft.com/.default https://management.azure.com/.default"),
			400, "invalid_scope", 70011, "The provided value for the input parameter 'scope' is not valid"},
		{"no scope", entraPost(entraTenant, good(entraURL), "scope", ""), 400, "invalid_request", 900144,
			"The request body must contain the following parameter: 'scope'."},
		{"no client_id", entraPost(entraTenant, good(entraURL), "client_id", ""), 400, "invalid_request", 900144, "parameter: 'client_id'."},
		{"another grant", entraPost(entraTenant, good(entraURL), "grant_type", "password"), 400, "unsupported_grant_type", 0,
			"client_credentials grant only"},
		{"the common endpoint", entraPost("common", good(tokenserver.OAuth2EntraTokenURL(ts.URL, "common"))), 400, "invalid_request", 0,
			"/common/ names no tenant"},
		{"a tenant that is no GUID or domain", entraPost("my_tenant", good(tokenserver.OAuth2EntraTokenURL(ts.URL, "my_tenant"))),
			400, "invalid_request", 900023, "Specified tenant identifier 'my_tenant' is neither a valid DNS name"},
		{"a parameter Entra's grant does not have", entraPost(entraTenant, good(entraURL), "resource", "https://graph.microsoft.com"),
			400, "invalid_request", 0, `unexpected parameter "resource"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, b := send(t, c, ts, tc.r)
			wantStatus(t, resp, tc.status)
			wantDescription(t, b, tc.code, tc.descPart)
			m := decodeObject(t, b)
			codes, _ := m["error_codes"].([]any)
			switch {
			case tc.aadsts == 0 && m["error_codes"] != nil:
				t.Errorf("error_codes %v, want none", m["error_codes"])
			case tc.aadsts != 0:
				d, _ := m["error_description"].(string)
				want := "AADSTS" + strconv.Itoa(tc.aadsts) + ": "
				if len(codes) != 1 || codes[0] != json.Number(strconv.Itoa(tc.aadsts)) || !strings.HasPrefix(d, want) ||
					!strings.Contains(d, "\r\nTrace ID: ") || m["trace_id"] == nil || m["correlation_id"] == nil {
					t.Errorf("want Entra's error shape with AADSTS%d: %s", tc.aadsts, b)
				}
			}
		})
	}

	t.Run("GET", func(t *testing.T) {
		r := entraPost(entraTenant, good(entraURL))
		r.method = http.MethodGet
		resp, _ := send(t, c, ts, r)
		wantStatus(t, resp, http.StatusMethodNotAllowed)
	})
}
