package provider

import (
	"context"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// The generic type against the token server's strict RFC 6749 endpoint (tokenserver/oauth2.go):
// its default is client_credentials with client_secret_basic, whose test secret only works when
// the client form-encodes it (RFC 6749 2.3.1).
var oauth2Expectations = expectations{tokenType: knownvalue.StringExact("Bearer")}

func TestAccOAuth2TokenEphemeral(t *testing.T) {
	t.Parallel()
	testEphemeral(t, oauth2Token, oauth2Expectations)
}
func TestAccOAuth2TokenDataSource(t *testing.T) {
	t.Parallel()
	testDataSource(t, oauth2Token, oauth2Expectations)
}

// TestAccOAuth2TokenGrantsAndClientAuth: each grant type and client authentication through
// Terraform, the issuer's discovery among them; the strict server refuses anything off.
func TestAccOAuth2TokenGrantsAndClientAuth(t *testing.T) {
	t.Parallel()
	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	issuer := tokenserver.OAuth2Issuer(ts.URL)
	tokenURL := tokenserver.TokenURL(ts.URL, tokenserver.OAuth2)
	client := map[string]string{"client_id": tokenserver.OAuth2ClientID, "client_secret": tokenserver.OAuth2ClientSecret}
	cases := map[string]map[string]string{
		"basic, discovered": with(client, "issuer", issuer),
		"post, audience and resource": with(with(with(with(client, "token_url", tokenURL), "client_auth", "client_secret_post"),
			"audience", "https://api.example.com"), "resource", `=["https://orders.example.com"]`),
		"private_key_jwt RSA": {"token_url": tokenURL, "client_id": tokenserver.OAuth2RSAClientID, "client_auth": "private_key_jwt",
			"private_key_pem": tokenserver.OAuth2RSAKeyPEM(), "private_key_id": "rsa-1"},
		"private_key_jwt P-256": {"issuer": issuer, "client_id": tokenserver.OAuth2ECClientID, "client_auth": "private_key_jwt",
			"private_key_pem": tokenserver.OAuth2ECKeyPEM()},
		"private_key_jwt with its certificate (Entra)": {"token_url": tokenURL, "client_id": tokenserver.OAuth2CertClientID,
			"client_auth": "private_key_jwt", "private_key_pem": tokenserver.OAuth2RSAKeyPEM(), "private_key_cert_pem": tokenserver.OAuth2RSACertPEM()},
		"client_secret_jwt, discovered": {"issuer": issuer, "client_id": tokenserver.OAuth2SecretJWTClientID,
			"client_secret": tokenserver.OAuth2SecretJWTClientSecret, "client_auth": "client_secret_jwt"},
		"password, public client, openid": {"token_url": tokenURL, "client_id": tokenserver.OAuth2PublicClientID, "client_auth": "none",
			"grant_type": "password", "username": tokenserver.OAuth2Username, "password": tokenserver.OAuth2Password, "scope": "openid api.read"},
	}
	for name, inputs := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			checks := []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.oauth2_token.test", tfjsonpath.New("access_token"), issuedBy{srv}),
				statecheck.ExpectSensitiveValue("data.oauth2_token.test", tfjsonpath.New("id_token")),
			}
			if inputs["grant_type"] == "password" {
				checks = append(checks,
					statecheck.ExpectKnownValue("data.oauth2_token.test", tfjsonpath.New("id_token"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue("data.oauth2_token.test", tfjsonpath.New("refresh_token"), issuedBy{srv}))
			}
			accTest(t, resource.TestCase{
				ProtoV6ProviderFactories: factories(),
				TerraformVersionChecks:   ephemeralOnly,
				Steps: []resource.TestStep{{
					Config:            block("ephemeral", "oauth2_token", "test", inputs) + echoConfig("oauth2_token", "test") + block("data", "oauth2_token", "test", inputs),
					ConfigStateChecks: append(checks, statecheck.ExpectKnownValue("echo.test", echoData("access_token"), issuedBy{srv})),
				}},
			})
		})
	}
}

// TestAccOAuth2TokenErrors: the error paths name the attribute to fix.
func TestAccOAuth2TokenErrors(t *testing.T) {
	t.Parallel()
	_, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	tokenURL := tokenserver.TokenURL(ts.URL, tokenserver.OAuth2)
	client := map[string]string{"token_url": tokenURL, "client_id": tokenserver.OAuth2ClientID, "client_secret": tokenserver.OAuth2ClientSecret}
	for name, tc := range map[string]struct {
		inputs    map[string]string
		discovery tokenserver.DiscoveryFault
		want      string
	}{
		"wrong secret": {with(client, "client_secret", "wrong"), tokenserver.DiscoveryOK, `(?s)HTTP 401 invalid_client.*Check client_id and\s+client_secret`},
		"assertion with another key": {map[string]string{"token_url": tokenURL, "client_id": tokenserver.OAuth2RSAClientID, "client_auth": "private_key_jwt",
			"private_key_pem": tokenserver.OAuth2ECKeyPEM()}, tokenserver.DiscoveryOK, `(?s)HTTP 401 invalid_client.*Check\s+client_id,\s+the\s+private\s+key\s+\(private_key_pem\)\s+and\s+its\s+kid`},
		"confidential client as a public one": {map[string]string{"token_url": tokenURL, "client_id": tokenserver.OAuth2ClientID, "client_auth": "none"},
			tokenserver.DiscoveryOK, `(?s)HTTP 401 invalid_client.*Check\s+client_id,\s+and\s+that\s+the\s+client\s+is\s+registered\s+as\s+a\s+public\s+client`},
		"secret with private_key_jwt": {with(client, "client_auth", "private_key_jwt"), tokenserver.DiscoveryOK, `(?s)Invalid client_secret.*must not be set when\s+client_auth\s+is\s+"private_key_jwt"`},
		"a key that is not RSA or P-256": {map[string]string{"token_url": tokenURL, "client_id": "c", "client_auth": "private_key_jwt",
			"private_key_pem": "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIB1lsDGRGo9xq7nYHtxVqKgHMJ3TiT8JLqEYVAJ6FqxN\n-----END PRIVATE KEY-----\n"},
			tokenserver.DiscoveryOK, `(?s)Invalid private_key_pem.*RSA \(RS256\) or P-256`},
		"token_url and issuer":     {with(client, "issuer", tokenserver.OAuth2Issuer(ts.URL)), tokenserver.DiscoveryOK, `(?s)Invalid Attribute Combination.*"issuer" cannot be specified when\s+"token_url"`},
		"password without user":    {with(client, "grant_type", "password"), tokenserver.DiscoveryOK, `(?s)Invalid username`},
		"extra param collides":     {with(client, "extra_params", `={ scope = "x" }`), tokenserver.DiscoveryOK, `(?s)Invalid extra_params`},
		"mismatched issuer":        {with(without(client, "token_url"), "issuer", tokenserver.OAuth2Issuer(ts.URL)), tokenserver.DiscoveryOtherIssuer, `(?s)issuer\s+metadata.*http://127\.0\.0\.1:\d+/\.well-known/oauth-authorization-server/oauth2\s+\(RFC\s+8414\).*Check\s+issuer.*names\s+another\s+issuer\s+than\s+the\s+one\s+configured,\s+"http://127\.0\.0\.1:\d+/other"`},
		"discovery that redirects": {with(without(client, "token_url"), "issuer", tokenserver.OAuth2Issuer(ts.URL)), tokenserver.DiscoveryRedirect, `(?s)issuer\s+metadata.*Check\s+issuer.*redirects\s+to`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
			srv.SetDiscoveryFault(tc.discovery)
			inputs := map[string]string{}
			for k, v := range tc.inputs {
				inputs[k] = regexp.MustCompile(`http://127\.0\.0\.1:\d+`).ReplaceAllString(v, ts.URL)
			}
			accTest(t, resource.TestCase{
				ProtoV6ProviderFactories: factories(),
				TerraformVersionChecks:   ephemeralOnly,
				Steps: []resource.TestStep{{
					Config:      block("ephemeral", "oauth2_token", "test", inputs),
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// TestAccOAuth2TokenRefreshRotation: the trap the docs warn of. A rotating server accepts each
// refresh token once; the ephemeral resource is opened again at apply (with a consumer), so the
// second exchange fails, and the diagnostic names rotation.
func TestAccOAuth2TokenRefreshRotation(t *testing.T) {
	t.Parallel()
	_, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	c, err := grant.NewClient(grant.Config{})
	if err != nil {
		t.Fatal(err)
	}
	first, err := c.Grant(context.Background(), grant.Request{API: grant.OAuth2, TokenURL: tokenserver.TokenURL(ts.URL, tokenserver.OAuth2),
		GrantType: grant.GrantPassword, ClientID: tokenserver.OAuth2ClientID, ClientSecret: tokenserver.OAuth2ClientSecret,
		Username: tokenserver.OAuth2Username, Password: tokenserver.OAuth2Password})
	if err != nil || first.RefreshToken == "" {
		t.Fatalf("a refresh token to start from: %v", err)
	}
	inputs := map[string]string{"token_url": tokenserver.TokenURL(ts.URL, tokenserver.OAuth2), "grant_type": "refresh_token",
		"client_id": tokenserver.OAuth2ClientID, "client_secret": tokenserver.OAuth2ClientSecret, "current_refresh_token": first.RefreshToken}
	accTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		TerraformVersionChecks:   ephemeralOnly,
		Steps: []resource.TestStep{{
			Config:      block("ephemeral", "oauth2_token", "test", inputs, "provider = authtoken") + echoConfig("oauth2_token", "test"),
			ExpectError: regexp.MustCompile(`(?s)invalid_grant.*used\s+already,\s+expired\s+or\s+revoked.*rotate\s+refresh\s+tokens`),
		}},
	})
}

// TestAccOAuth2TokenRefreshTokenIsAResult: refresh_token written in a block, as the user
// did, is an error that names it and points to current_refresh_token, in both kinds.
func TestAccOAuth2TokenRefreshTokenIsAResult(t *testing.T) {
	t.Parallel()
	inputs := map[string]string{"token_url": "http://127.0.0.1:1/token", "grant_type": "refresh_token",
		"client_id": tokenserver.OAuth2ClientID, "client_secret": tokenserver.OAuth2ClientSecret, "refresh_token": "a-refresh-token"}
	for _, kind := range []string{"ephemeral", "data"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			accTest(t, resource.TestCase{
				ProtoV6ProviderFactories: factories(),
				TerraformVersionChecks:   ephemeralOnly,
				Steps: []resource.TestStep{{
					Config: block(kind, "oauth2_token", "test", inputs),
					ExpectError: regexp.MustCompile(`(?s)Error: refresh_token is a result, not an input.*refresh_token = "a-refresh-token".*` +
						`refresh_token\s+is\s+a\s+result\s+of\s+oauth2_token.*set\s+current_refresh_token\s+instead`),
				}},
			})
		})
	}
}
