package provider

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
)

// TestGrantErrorDiagnostics: each kind of grant failure becomes a diagnostic whose summary names
// the API, status and OAuth error, and whose detail says what to check in attribute names.
func TestGrantErrorDiagnostics(t *testing.T) {
	tests := []struct {
		name        string
		tokenType   tokenType
		err         error
		wantSummary string
		wantHint    string
	}{
		{"wrong password", tennToken, &grant.Error{API: grant.Tenn, Kind: grant.KindStatus, Status: 400, Code: "invalid_grant"},
			"Tenn token request failed: HTTP 400 invalid_grant", "Check username and password"},
		{"Testinium's 403 is the password", testiniumToken, &grant.Error{API: grant.Testinium, Kind: grant.KindStatus, Status: 403, Code: "access_denied"},
			"Testinium token request failed: HTTP 403 access_denied", "Check username and password"},
		{"a 403 elsewhere is access", partnerToken, &grant.Error{API: grant.Partner, Kind: grant.KindStatus, Status: 403, Code: "access_denied"},
			"Partner token request failed: HTTP 403 access_denied", "enabled for API access"},
		{"wrong client", partnerToken, &grant.Error{API: grant.Partner, Kind: grant.KindStatus, Status: 401, Code: "invalid_client"},
			"HTTP 401 invalid_client", "Check client_id and client_secret"},
		{"wrong key", oauth2Token, &grant.Error{API: grant.OAuth2, Kind: grant.KindStatus, Status: 401, Code: "invalid_client", ClientAuth: grant.ClientAuthPrivateKeyJWT},
			"HTTP 401 invalid_client", "Check client_id, the private key (private_key_pem) and its kid and alg (private_key_id"},
		{"public client refused", oauth2Token, &grant.Error{API: grant.OAuth2, Kind: grant.KindStatus, Status: 401, Code: "invalid_client", ClientAuth: grant.ClientAuthNone},
			"HTTP 401 invalid_client", "Check client_id, and that the client is registered as a public client"},
		{"wrong secret, post", oauth2Token, &grant.Error{API: grant.OAuth2, Kind: grant.KindStatus, Status: 401, Code: "invalid_client", ClientAuth: grant.ClientAuthPost},
			"HTTP 401 invalid_client", "Check client_id and client_secret"},
		{"refresh token rejected", oauth2Token, &grant.Error{API: grant.OAuth2, Kind: grant.KindStatus, Status: 400, Code: "invalid_grant", GrantType: grant.GrantRefreshToken},
			"HTTP 400 invalid_grant", "it was used already, expired or revoked"},
		{"scope", tennToken, &grant.Error{API: grant.Tenn, Kind: grant.KindStatus, Status: 400, Code: "invalid_scope"},
			"HTTP 400 invalid_scope", "Check scope"},
		{"grant type", tennToken, &grant.Error{API: grant.Tenn, Kind: grant.KindStatus, Status: 400, Code: "unauthorized_client"},
			"HTTP 400 unauthorized_client", "enable it for client_id"},
		{"no endpoint", tennToken, &grant.Error{API: grant.Tenn, Kind: grant.KindStatus, Status: 404},
			"HTTP 404", "no token endpoint at token_url"},
		{"rate limited", tennToken, &grant.Error{API: grant.Tenn, Kind: grant.KindStatus, Status: 429},
			"HTTP 429", "raise the provider's max_retries or request_timeout"},
		{"server error", tennToken, &grant.Error{API: grant.Tenn, Kind: grant.KindStatus, Status: 502},
			"HTTP 502", "up to the provider's max_retries"},
		{"bad request", tennToken, &grant.Error{API: grant.Tenn, Kind: grant.KindStatus, Status: 400, Code: "invalid_request"},
			"HTTP 400 invalid_request", "error description below"},
		{"timeout", tennToken, &grant.Error{API: grant.Tenn, Kind: grant.KindTimeout},
			"Tenn token request failed: timed out", "raise the provider's request_timeout"},
		{"unreachable", tennToken, &grant.Error{API: grant.Tenn, Kind: grant.KindTransport, Host: "auth.example.com", Err: errors.New("connection refused")},
			"no answer from auth.example.com", "Check token_url (host and port)"},
		{"redirect", tennToken, &grant.Error{API: grant.Tenn, Kind: grant.KindRedirect, Status: 302, Location: "login.example.com"},
			"HTTP 302", "token_url redirects to login.example.com"},
		{"not a token response", tennToken, &grant.Error{API: grant.Tenn, Kind: grant.KindResponse, Status: 200},
			"HTTP 200", "not a login page or a proxy"},
		{"canceled", tennToken, &grant.Error{API: grant.Tenn, Kind: grant.KindCanceled},
			"Tenn token request failed", "canceled"},
		{"host failing", tennToken, &grant.Error{API: grant.Tenn, Kind: grant.KindHostFailing, Host: "auth.example.com", Status: 502},
			"Tenn token request not sent: auth.example.com failed for an earlier block (HTTP 502)", "No request was sent for this block"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.tokenType.grantErrorDiagnostic(tt.err)
			if d.Summary() != tt.wantSummary && !strings.Contains(d.Summary(), tt.wantSummary) {
				t.Errorf("summary %q, want it to contain %q", d.Summary(), tt.wantSummary)
			}
			if !strings.Contains(d.Detail(), tt.wantHint) {
				t.Errorf("detail %q, want it to contain %q", d.Detail(), tt.wantHint)
			}
			// The hint comes first, then the error itself.
			if !strings.HasSuffix(d.Detail(), tt.err.Error()) {
				t.Errorf("detail %q does not end with the error %q", d.Detail(), tt.err.Error())
			}
		})
	}
}

// TestConfigErrorsPointAtTheAttribute: a grant that refuses an input, or a client that refuses a
// setting, gives an error on the attribute the user wrote.
func TestConfigErrorsPointAtTheAttribute(t *testing.T) {
	d := tennToken.grantErrorDiagnostic(&grant.Error{API: grant.Tenn, Kind: grant.KindConfig, Setting: grant.SettingPassword, Message: "the password is required"})
	if got, ok := d.(interface{ Path() path.Path }); !ok || !got.Path().Equal(path.Root("password")) {
		t.Errorf("diagnostic %v is not on the password attribute", d)
	}
	_, err := grant.NewClient(grant.Config{CACertPEM: "not a certificate"})
	d = clientErrorDiagnostic(err)
	if got, ok := d.(interface{ Path() path.Path }); !ok || !got.Path().Equal(path.Root("ca_cert_pem")) ||
		!strings.Contains(d.Detail(), "AUTHTOKEN_CA_CERT_PEM") {
		t.Errorf("diagnostic %q / %q is not on ca_cert_pem naming its variable", d.Summary(), d.Detail())
	}
}

// TestEverySettingHasAnAttribute: grant's settings all map to an attribute, so no config error is
// reported without saying where to fix it.
func TestEverySettingHasAnAttribute(t *testing.T) {
	for s := grant.SettingTokenURL; s < grant.SettingCount; s++ {
		if settingAttributes[s] == "" {
			t.Errorf("grant.Setting %d has no attribute in settingAttributes", s)
		}
	}
}

// TestSlowGrantWarning: the warning of a grant that needed retries or waited on Retry-After says
// how many attempts, how long, what failed, and the host.
func TestSlowGrantWarning(t *testing.T) {
	for _, tt := range []struct {
		slow        grant.Slow
		wantSummary string
	}{
		{grant.Slow{Host: "auth.example.com", Attempts: 3, Elapsed: 6020 * time.Millisecond, Failures: []int{503, 503}},
			"Tenn token after 3 attempts in 6s (HTTP 503 twice)"},
		{grant.Slow{Host: "auth.example.com", Attempts: 4, Elapsed: 1234 * time.Millisecond, Failures: []int{0, 502, 0}},
			"Tenn token after 4 attempts in 1.2s (no answer twice, HTTP 502 once)"},
		{grant.Slow{Host: "auth.example.com", Attempts: 2, Elapsed: 2100 * time.Millisecond, Failures: []int{429}, RetryAfter: 2 * time.Second},
			"Tenn token after 2 attempts in 2.1s (HTTP 429 once, waited 2s on Retry-After)"},
		{grant.Slow{Host: "auth.example.com", Attempts: 1, Elapsed: 1950 * time.Millisecond, RetryAfter: 1900 * time.Millisecond},
			"Tenn token after 2s (waited 1.9s on Retry-After)"},
	} {
		d := tennToken.slowGrantWarning(&tt.slow)
		if d.Severity() != diag.SeverityWarning || d.Summary() != tt.wantSummary {
			t.Errorf("%+v: %v %q, want a warning %q", tt.slow, d.Severity(), d.Summary(), tt.wantSummary)
		}
		if !strings.Contains(d.Detail(), "auth.example.com") || !strings.Contains(d.Detail(), "once per host") {
			t.Errorf("the detail does not name the host and say it is shown once per host: %s", d.Detail())
		}
	}
}

// TestDiscoveryHintNamesTheURLsTried: for an issuer with a path, RFC 8414's metadata URL is not the
// issuer with a suffix; the hint names the exact URLs grant tried.
func TestDiscoveryHintNamesTheURLsTried(t *testing.T) {
	const issuer = "https://id.example.com/tenant1"
	d := oauth2Token.grantErrorDiagnostic(&grant.Error{API: grant.OAuth2, Kind: grant.KindStatus, Status: 404,
		Setting: grant.SettingIssuer, Issuer: issuer, Message: "no metadata at .well-known/openid-configuration"})
	for _, want := range []string{
		"https://id.example.com/.well-known/oauth-authorization-server/tenant1 (RFC 8414)",
		"https://id.example.com/tenant1/.well-known/openid-configuration (OpenID Connect Discovery)",
	} {
		if !strings.Contains(d.Detail(), want) {
			t.Errorf("the hint does not name %q:\n%s", want, d.Detail())
		}
	}
	if strings.Contains(d.Detail(), "tenant1/.well-known/oauth-authorization-server") {
		t.Errorf("the hint puts RFC 8414's segment after the issuer's path:\n%s", d.Detail())
	}
	// Without an issuer (an error built elsewhere), the hint still says where each URL goes.
	d = oauth2Token.grantErrorDiagnostic(&grant.Error{API: grant.OAuth2, Kind: grant.KindResponse, Setting: grant.SettingIssuer})
	if !strings.Contains(d.Detail(), "between the issuer's host and its path") || strings.Contains(d.Detail(), "<issuer>/.well-known/oauth") {
		t.Errorf("the hint without an issuer misplaces RFC 8414's segment:\n%s", d.Detail())
	}
}

// TestIssuerDescriptionNamesTheMetadataURLs: the issuer attribute's description gives the URLs
// that grant.MetadataURLs builds for its example issuer, RFC 8414's with the segment before the path.
func TestIssuerDescriptionNamesTheMetadataURLs(t *testing.T) {
	const example = "https://id.example.com/tenant1"
	description := oauth2Token.ephemeralSchema().Attributes["issuer"].GetMarkdownDescription()
	for _, want := range append(grant.MetadataURLs(example), example) {
		if !strings.Contains(description, "`"+want+"`") {
			t.Errorf("the issuer description does not name `%s`:\n%s", want, description)
		}
	}
	if strings.Contains(description, "<issuer>/.well-known/oauth-authorization-server") {
		t.Errorf("the issuer description appends RFC 8414's segment to the issuer:\n%s", description)
	}
}

// TestClientHintFollowsClientAuth: a client that sends no secret is not told to check one.
func TestClientHintFollowsClientAuth(t *testing.T) {
	for _, method := range []string{grant.ClientAuthPrivateKeyJWT, grant.ClientAuthFederatedJWT, grant.ClientAuthNone,
		grant.ClientAuthTLS, grant.ClientAuthSelfSignedTLS} {
		d := oauth2Token.grantErrorDiagnostic(&grant.Error{API: grant.OAuth2, Kind: grant.KindStatus, Status: 401, Code: "invalid_client", ClientAuth: method})
		if hint, _, _ := strings.Cut(d.Detail(), "\n\n"); strings.Contains(hint, "client_secret") || !strings.Contains(hint, method) {
			t.Errorf("%s: the hint names client_secret, or not the method:\n%s", method, hint)
		}
	}
	// client_secret_jwt signs with the secret: its hint names both.
	d := oauth2Token.grantErrorDiagnostic(&grant.Error{API: grant.OAuth2, Kind: grant.KindStatus, Status: 401, Code: "invalid_client",
		ClientAuth: grant.ClientAuthSecretJWT})
	if hint, _, _ := strings.Cut(d.Detail(), "\n\n"); !strings.Contains(hint, "client_secret_jwt") || !strings.Contains(hint, "Check client_id and client_secret,") {
		t.Errorf("client_secret_jwt: the hint does not name the method and the secret:\n%s", hint)
	}
}

// TestCertificateBindingDiagnostic: a token bound to another certificate is an error on
// client_cert_pem whose hint says what the binding means, not that the answer held no token.
func TestCertificateBindingDiagnostic(t *testing.T) {
	d := oauth2Token.grantErrorDiagnostic(&grant.Error{API: grant.OAuth2, Kind: grant.KindResponse, Setting: grant.SettingClientCert,
		Message: "the server bound the access token to another certificate"})
	withPath, ok := d.(diag.DiagnosticWithPath)
	if !ok || !withPath.Path().Equal(path.Root("client_cert_pem")) || !strings.Contains(d.Detail(), "RFC 8705") ||
		strings.Contains(d.Detail(), "no usable token") {
		t.Errorf("diagnostic %q: %s", d.Summary(), d.Detail())
	}
}
