package provider

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
)

// This file turns grant's typed errors into what a Terraform user reads: a summary with the API,
// the HTTP status and the OAuth error; then what to check, in the provider's attribute names;
// then the error itself. Grant errors hold no secret.

// settingAttributes names the attribute behind each grant.Setting.
var settingAttributes = map[grant.Setting]string{
	grant.SettingTokenURL:           "token_url",
	grant.SettingClientID:           "client_id",
	grant.SettingClientSecret:       "client_secret",
	grant.SettingUsername:           "username",
	grant.SettingPassword:           "password",
	grant.SettingCACerts:            "ca_cert_pem",
	grant.SettingProxy:              "proxy_url",
	grant.SettingMaxRetries:         "max_retries",
	grant.SettingIssuer:             "issuer",
	grant.SettingGrantType:          "grant_type",
	grant.SettingClientAuth:         "client_auth",
	grant.SettingPrivateKey:         "private_key_pem",
	grant.SettingPrivateKeyCert:     "private_key_cert_pem",
	grant.SettingRefreshToken:       "current_refresh_token",
	grant.SettingExtraParams:        "extra_params",
	grant.SettingMinValidity:        "min_validity",
	grant.SettingRevocationURL:      "revocation_url",
	grant.SettingResource:           "resource",
	grant.SettingSubjectToken:       "subject_token",
	grant.SettingSubjectTokenFile:   "subject_token_file",
	grant.SettingSubjectTokenSource: "subject_token_source",
	grant.SettingSubjectTokenType:   "subject_token_type",
	grant.SettingActorToken:         "actor_token",
	grant.SettingClientCert:         "client_cert_pem",
	grant.SettingClientKey:          "client_key_pem",
	grant.SettingAPIURL:             "api_url",
	grant.SettingAppID:              "app_id",
	grant.SettingInstallationID:     "installation_id",
	grant.SettingOwner:              "owner",
	grant.SettingRepositories:       "repositories",
	grant.SettingPermissions:        "permissions",
}

// grantErrorDiagnostic is the diagnostic for a failed grant of type t.
func (t tokenType) grantErrorDiagnostic(err error) diag.Diagnostic {
	var ge *grant.Error
	if !errors.As(err, &ge) {
		return diag.NewErrorDiagnostic(t.api.Title+" token request failed", err.Error())
	}
	if attribute, ok := settingAttributes[ge.Setting]; ok && ge.Kind == grant.KindConfig {
		return diag.NewAttributeErrorDiagnostic(path.Root(attribute), "Invalid "+attribute, ge.Error())
	}
	if r := ge.Reason(); r == grant.ReasonClientCertRequired || r == grant.ReasonClientCertRefused || r == grant.ReasonCertificateBinding {
		return diag.NewAttributeErrorDiagnostic(path.Root("client_cert_pem"), summary(ge), t.hintFor(ge)+"\n\n"+ge.Error())
	}
	if ge.Kind == grant.KindLifetime {
		return diag.NewAttributeErrorDiagnostic(path.Root("min_validity"), "Invalid min_validity", lifetimeDetail(ge))
	}
	return diag.NewErrorDiagnostic(summary(ge), t.hintFor(ge)+"\n\n"+ge.Error())
}

// hintFor is the type's own hint for e, else the generic one.
func (t tokenType) hintFor(e *grant.Error) string {
	if t.hint != nil {
		if h := t.hint(e); h != "" {
			return h
		}
	}
	return hint(e, t.urlAttribute())
}

// urlAttribute is the input that names the type's server: token_url, else its first URL input.
func (t tokenType) urlAttribute() string {
	for _, in := range t.inputs {
		if in.isURL && !in.ephemeral {
			return in.name
		}
	}
	return "token_url"
}

// clientErrorDiagnostic is the diagnostic for provider settings grant.NewClient refused.
func clientErrorDiagnostic(err error) diag.Diagnostic {
	var ge *grant.Error
	if errors.As(err, &ge) {
		if attribute, ok := settingAttributes[ge.Setting]; ok {
			return diag.NewAttributeErrorDiagnostic(path.Root(attribute), "Invalid "+attribute,
				attribute+" (or "+settingEnvPrefix+strings.ToUpper(attribute)+"): "+ge.Message+".")
		}
	}
	return diag.NewErrorDiagnostic("Invalid provider configuration", err.Error())
}

// lifetimeDetail explains a token that cannot stay valid for min_validity.
func lifetimeDetail(e *grant.Error) string {
	if e.Reason() == grant.ReasonExpiryUnknown {
		return fmt.Sprintf("min_validity is %s, but the expiry of %s tokens cannot be known: the server sent no "+
			"expires_in and the token is not a JWT with an exp claim. Leave min_validity unset for this API, in the "+
			"block and in the provider's settings.", e.MinValidity, e.API.Title)
	}
	if e.Lifetime <= 0 {
		return fmt.Sprintf("%s issued a token that had already expired when it arrived, so no min_validity (%s) can "+
			"be met: check this machine's clock and the server's.", e.API.Title, e.MinValidity)
	}
	return fmt.Sprintf("%s issues tokens valid for %s, less than min_validity %s: an apply longer than that would "+
		"fail midway. Lower min_validity to what the server grants, or ask the API's owner for longer-lived tokens.",
		e.API.Title, e.Lifetime, e.MinValidity)
}

func summary(e *grant.Error) string {
	if e.Kind == grant.KindHostFailing {
		s := e.API.Title + " token request not sent: " + e.Host + " failed for an earlier block"
		if e.Status != 0 {
			s += " (HTTP " + strconv.Itoa(e.Status) + ")"
		}
		return s
	}
	s := e.API.Title + " token request failed"
	if e.Setting == grant.SettingIssuer {
		s += " at the issuer metadata"
	}
	switch {
	case e.Reason() == grant.ReasonClientCertRequired:
		s += ": " + e.Host + " wants a TLS client certificate"
	case e.Reason() == grant.ReasonClientCertRefused:
		s += ": TLS client certificate refused by " + e.Host
	case e.Status != 0 && e.Code != "":
		s += ": HTTP " + strconv.Itoa(e.Status) + " " + e.Code
	case e.Status != 0:
		s += ": HTTP " + strconv.Itoa(e.Status)
	case e.Kind == grant.KindTimeout:
		s += ": timed out"
	case e.Reason() == grant.ReasonCertificateHostMismatch || e.Reason() == grant.ReasonUntrustedCertificate:
		s += ": TLS certificate of " + e.Host + " refused"
	case e.Kind == grant.KindTransport:
		s += ": no answer from " + e.Host
	}
	return s
}

// hint says what the user should check, by the reason grant found; urlAttr is the input that
// names the server (token_url, or github_app_token's api_url).
func hint(e *grant.Error, urlAttr string) string {
	switch e.Reason() {
	case grant.ReasonBadInput:
		return "Fix the configuration value named below."
	case grant.ReasonTimeout:
		return "The token endpoint did not answer in time. Check that " + urlAttr + " is reachable from this machine, " +
			"the proxy settings (proxy_url or HTTPS_PROXY), or raise the provider's request_timeout."
	case grant.ReasonCanceled:
		return "The operation was canceled before the token endpoint answered."
	case grant.ReasonRedirect:
		where := e.Location
		if where == "" {
			where = "another address"
		}
		return urlAttr + " redirects to " + where + ". Set " + urlAttr + " to the endpoint itself: redirects are not " +
			"followed, so credentials are never sent to another address."
	case grant.ReasonUntrustedCertificate:
		return "The server's TLS certificate is not trusted. If it is signed by a private CA, " +
			"add that CA with the provider's ca_cert_pem."
	case grant.ReasonCertificateHostMismatch:
		return "The server's TLS certificate is not valid for the host in " + urlAttr + ". Check " + urlAttr + "'s host name: " +
			"use the name the certificate was issued for, not an address or an alias."
	case grant.ReasonUnreachable:
		return "Check " + urlAttr + " (host and port), DNS, the network path and proxy settings (proxy_url or HTTPS_PROXY)."
	case grant.ReasonUserCredentials:
		return "The server rejected the user's credentials. Check username and password; " +
			"repeated failures may lock the account, so the provider does not retry them."
	case grant.ReasonClientCredentials:
		return clientCredentialsHint(e.ClientAuth)
	case grant.ReasonScope:
		return "Check scope: ask only for scopes this client may have, separated by spaces."
	case grant.ReasonGrantNotAllowed:
		return "This client may not use this grant type. Ask the API's owner to enable it for client_id."
	case grant.ReasonAccessDenied:
		return "The server refused access. Check the credentials and that the account is enabled for API access."
	case grant.ReasonNoEndpoint:
		return "There is no token endpoint at " + urlAttr + ". Check its host and path."
	case grant.ReasonRateLimited:
		return "The server is rate-limiting token requests and retries ran out. Wait and run again, " +
			"or raise the provider's max_retries or request_timeout."
	case grant.ReasonServerFailure:
		return "The token endpoint failed on its side. Run again later; transient failures are retried " +
			"up to the provider's max_retries within its request_timeout."
	case grant.ReasonNotATokenResponse:
		return "The server answered with success but no usable token. Check that " + urlAttr + " points at the " +
			"token endpoint itself, not a login page or a proxy."
	case grant.ReasonRefreshTokenRejected:
		return "The server rejected the refresh token: it was used already, expired or revoked. Used already is the " +
			"likeliest: many servers rotate refresh tokens (each one works once), and an ephemeral resource is " +
			"opened at plan and again at apply. Get a new refresh token, or use a grant that needs none " +
			"(client_credentials)."
	case grant.ReasonDiscovery:
		return discoveryHint(e.Issuer)
	case grant.ReasonBadRequest:
		return "The server rejected the request. Check " + urlAttr + " and the server's error description below."
	case grant.ReasonJobTokenSource:
		return "The CI platform did not hand out the job token. Check subject_token_source, and what the platform " +
			"needs (the error below names the setting)."
	case grant.ReasonJobTokenRefused:
		return jobTokenRefusedHint(e.JobToken)
	case grant.ReasonClientCertRequired:
		return "The token endpoint (or the gateway in front of it) asks for a TLS client certificate (mutual TLS), " +
			"and none was sent (a TLS 1.2 server says only \"handshake failure\"). Set client_cert_pem and " +
			"client_key_pem (or their environment variables) to the certificate the server's operators issued for " +
			"this client."
	case grant.ReasonCertificateBinding:
		return "The server bound the access token to another TLS client certificate than client_cert_pem (RFC 8705 " +
			"certificate-bound tokens), so the APIs that check the binding would refuse it. Check that client_cert_pem " +
			"is the certificate registered for this client, and that no proxy on the way presents a certificate of its own."
	case grant.ReasonClientCertRefused:
		return "The token endpoint refused the TLS client certificate in the handshake. Check that client_cert_pem " +
			"was issued by a CA the server trusts, for the subject it admits, that it is not revoked, and that " +
			"it includes any intermediate CA certificate the server needs."
	case grant.ReasonHostFailing:
		return "No request was sent for this block: the token endpoint's host failed an earlier token block of " +
			"this run after its retries (its error is above or below), and asking it again for every block would " +
			"only add load while it is down. The provider tries the host again after a few seconds. Check the " +
			"server, or " + urlAttr + " if every block fails, then run again."
	}
	return "Check the inputs and the error below."
}

// clientCredentialsHint says what to check when the server rejects the client: what its client
// authentication sends, so a client without a secret is not told to check one.
func clientCredentialsHint(clientAuth string) string {
	switch clientAuth {
	case grant.ClientAuthPrivateKeyJWT:
		return "The server rejected the client's assertion (private_key_jwt). Check client_id, the private key " +
			"(private_key_pem) and its kid and alg (private_key_id; RS256 for an RSA key, ES256 for P-256), and " +
			"that the server has the public key registered for this client; a server that knows the key by its " +
			"certificate (Entra ID) also needs private_key_cert_pem, that certificate."
	case grant.ClientAuthTLS, grant.ClientAuthSelfSignedTLS:
		return "The server rejected the client's TLS certificate (" + clientAuth + ", RFC 8705). Check client_id, and " +
			"client_cert_pem: for tls_client_auth, a certificate the server's CA issued to the subject registered for the " +
			"client; for self_signed_tls_client_auth, the very certificate registered."
	case grant.ClientAuthSecretJWT:
		return "The server rejected the client's assertion (client_secret_jwt, signed HS256 with the client " +
			"secret). Check client_id and client_secret, and that the server expects client_secret_jwt for this client."
	case grant.ClientAuthFederatedJWT:
		return "The server rejected the client's assertion (federated_jwt, the CI job's own token). Check client_id, " +
			"and that the client's federated credential trusts the job token (subject_token, subject_token_file or " +
			"subject_token_source)."
	case grant.ClientAuthNone:
		return "The server rejected the client, which sent no client authentication (client_auth none). Check " +
			"client_id, and that the client is registered as a public client on the server."
	}
	return "The server rejected the client. Check client_id and client_secret."
}

// discoveryHint says where the issuer's metadata was looked for: the exact URLs for the issuer,
// since RFC 8414's is not the issuer with a suffix when the issuer has a path.
func discoveryHint(issuer string) string {
	where := "RFC 8414's URL (/.well-known/oauth-authorization-server between the issuer's host and its path), " +
		"then OpenID Connect Discovery's (the issuer followed by /.well-known/openid-configuration)"
	if urls := grant.MetadataURLs(issuer); issuer != "" && len(urls) == 2 {
		where = urls[0] + " (RFC 8414), then " + urls[1] + " (OpenID Connect Discovery)"
	}
	return "The provider reads the token endpoint from issuer's metadata: " + where + ". Check issuer: it must " +
		"equal the metadata's issuer exactly, trailing slash included, and its metadata must not redirect. Or set " +
		"token_url instead."
}

// slowGrantWarning tells a CI log, without TF_LOG, that the token endpoint made a grant slow: it
// needed retries, or waited on a Retry-After. fetch shows it once per host per provider instance.
func (t tokenType) slowGrantWarning(s *grant.Slow) diag.Diagnostic {
	var what []string
	if failures := describeFailures(s.Failures); failures != "" {
		what = append(what, failures)
	}
	if s.RetryAfter > 0 {
		what = append(what, "waited "+roundForPeople(s.RetryAfter)+" on Retry-After")
	}
	summary := fmt.Sprintf("%s token after %d attempts in %s", t.api.Title, s.Attempts, roundForPeople(s.Elapsed))
	if s.Attempts == 1 {
		summary = fmt.Sprintf("%s token after %s", t.api.Title, roundForPeople(s.Elapsed))
	}
	summary += " (" + strings.Join(what, ", ") + ")"
	return diag.NewWarningDiagnostic(summary, fmt.Sprintf("The token endpoint at %s was slow to grant this %s "+
		"token: %s. The retries got the token this time, but a token endpoint that fails or rate-limits under "+
		"this run's load may soon fail runs. Other blocks to %s may have been slow too: this warning is shown "+
		"once per host. TF_LOG=DEBUG logs each attempt.", s.Host, t.name, strings.Join(what, ", "), s.Host))
}

// describeFailures counts the failed attempts by status, in order of appearance: "HTTP 503
// twice, no answer once".
func describeFailures(statuses []int) string {
	var order []int
	count := map[int]int{}
	for _, s := range statuses {
		if count[s] == 0 {
			order = append(order, s)
		}
		count[s]++
	}
	var parts []string
	for _, s := range order {
		what := "no answer"
		if s != 0 {
			what = "HTTP " + strconv.Itoa(s)
		}
		switch n := count[s]; n {
		case 1:
			parts = append(parts, what+" once")
		case 2:
			parts = append(parts, what+" twice")
		default:
			parts = append(parts, fmt.Sprintf("%s %d times", what, n))
		}
	}
	return strings.Join(parts, ", ")
}

// roundForPeople rounds a duration to what a log reader needs: 6s, 2.1s, 340ms.
func roundForPeople(d time.Duration) string {
	if d < time.Second {
		return d.Round(10 * time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}

// jobTokenRefusedHint says what to compare when a server refuses a job token: its trust (a
// federated credential, a trust policy) must name the token's issuer, subject and audience exactly.
func jobTokenRefusedHint(c *grant.JobTokenClaims) string {
	return fmt.Sprintf("The server refused the CI job's token. Its trust relationship (a federated credential, a "+
		"trust policy) must match the token's issuer and subject exactly, letter case included, and accept its "+
		"audience. The job token from %s has iss %q, sub %q and aud [%s]; compare them with the trust "+
		"(the token itself is not shown).", c.Source, c.Iss, c.Sub, quoteList(c.Aud))
}

func quoteList(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, ", ")
}

// caveatWarning is the warning for something a grant went through that the user should hear of.
func (t tokenType) caveatWarning(c grant.Caveat) diag.Diagnostic {
	switch c.Kind {
	case grant.CaveatJobTokenAudience:
		return diag.NewAttributeWarningDiagnostic(path.Root("subject_token_source").AtName("audience"),
			"The job token lacks the audience asked for",
			fmt.Sprintf("subject_token_source asks for the audience %q, but the job token from %s has aud [%s]. "+
				"The authorization server checks the job token's aud: configure the platform to mint it for the "+
				"audience the server's trust expects (the exchange went ahead).", c.Want, c.Source, quoteList(c.Have)))
	case grant.CaveatClientCertExpiring:
		days := int(time.Until(c.Expires).Hours() / 24)
		return diag.NewAttributeWarningDiagnostic(path.Root("client_cert_pem"), "The TLS client certificate expires soon",
			fmt.Sprintf("client_cert_pem expires on %s (in %d days). Renew it before then: once it has expired, the "+
				"provider refuses it at plan, and servers refuse it in the handshake.", c.Expires.UTC().Format(time.RFC3339), days))
	case grant.CaveatGrantTypeNotAdvertised:
		return diag.NewAttributeWarningDiagnostic(path.Root("grant_type"), "The issuer does not list this grant type",
			fmt.Sprintf("The issuer's metadata lists grant_types_supported [%s], without %q. The grant went ahead; "+
				"if the server refuses it later, this is why.", quoteList(c.Have), c.Want))
	}
	return diag.NewAttributeWarningDiagnostic(path.Root("client_auth"), "The issuer does not list this client authentication",
		fmt.Sprintf("The issuer's metadata lists token_endpoint_auth_methods_supported [%s], without %q. The grant went "+
			"ahead; if the server refuses it later, this is why.", quoteList(c.Have), c.Want))
}
