package grant

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Kind sorts failures by where they happened.
type Kind int

// The kinds of failure.
const (
	KindConfig    Kind = iota + 1 // an input or setting is unusable; nothing was sent
	KindTransport                 // no HTTP answer: DNS, connect, TLS, connection reset
	KindTimeout                   // the time limit ran out (retries included)
	KindCanceled                  // the caller canceled the grant
	KindStatus                    // the server answered with an error status
	KindRedirect                  // the server answered 3xx; redirects are not followed
	KindResponse                  // a 2xx answer that holds no usable token
	KindLifetime                  // a token that cannot stay valid as long as the request asks
	// KindHostFailing: nothing was sent, because the host failed an earlier grant of this client in
	// a way worth retrying and that grant stopped (breaker.go). Status, Code and the texts are the
	// host's last failure; Err is that failure.
	KindHostFailing
)

// Setting names the input or client setting a KindConfig error is about, so that a caller can
// point at the place the user wrote it.
type Setting int

// The settings an error can name; SettingNone names none.
const (
	SettingNone Setting = iota
	SettingTokenURL
	SettingClientID
	SettingClientSecret
	SettingUsername
	SettingPassword
	SettingCACerts
	SettingProxy
	SettingMaxRetries
	SettingIssuer
	SettingGrantType
	SettingClientAuth
	SettingPrivateKey
	SettingPrivateKeyCert
	SettingRefreshToken
	SettingExtraParams
	SettingMinValidity
	SettingRevocationURL
	SettingResource
	SettingSubjectToken
	SettingSubjectTokenFile
	SettingSubjectTokenSource
	SettingSubjectTokenType
	SettingActorToken
	SettingClientCert
	SettingClientKey
	SettingAPIURL
	SettingAppID
	SettingInstallationID
	SettingOwner
	SettingRepositories
	SettingPermissions
	// SettingCount is how many settings there are: the ones above are SettingNone to SettingCount-1.
	SettingCount
)

// Reason says what the user most likely has to fix. The generic rules follow RFC 6749 5.2 and the
// HTTP status; an API's quirk can override them (see API.quirk).
type Reason int

// The reasons; ReasonUnknown when no rule applies.
const (
	ReasonUnknown                 Reason = iota
	ReasonBadInput                       // KindConfig: Error.Setting says which
	ReasonTimeout                        // no answer within the time limit
	ReasonCanceled                       // the caller gave up
	ReasonRedirect                       // the URL points at a redirect, not at the token endpoint
	ReasonUntrustedCertificate           // TLS: the certificate is signed by an unknown CA
	ReasonCertificateHostMismatch        // TLS: the certificate is for another host than the URL's
	ReasonUnreachable                    // DNS, connect, reset: the network path
	ReasonUserCredentials                // the user's username or password
	ReasonClientCredentials              // the client's id or secret
	ReasonScope                          // a scope the client may not have
	ReasonGrantNotAllowed                // the client may not use this grant type
	ReasonAccessDenied                   // the account may not use the API
	ReasonNoEndpoint                     // 404/405: no token endpoint at the URL
	ReasonRateLimited                    // 429 and the retries ran out
	ReasonServerFailure                  // 5xx: the server's side
	ReasonNotATokenResponse              // a success answer that is not a token response
	ReasonBadRequest                     // 400 invalid_request
	ReasonRefreshTokenRejected           // a refresh token grant got invalid_grant: used up, rotated or revoked
	ReasonDiscovery                      // the issuer's metadata could not be had, or does not fit
	ReasonTooShortLived                  // the server's tokens live shorter than the minimum validity
	ReasonExpiryUnknown                  // a minimum validity is asked, but the token's expiry is unknown
	ReasonJobTokenSource                 // the CI platform did not hand out the job token
	ReasonJobTokenRefused                // the server refused the exchange of a job token: its trust does not match
	ReasonHostFailing                    // KindHostFailing: the host failed an earlier grant; nothing was sent
	ReasonClientCertRequired             // the server (its gateway) wants a TLS client certificate and got none
	ReasonClientCertRefused              // the server refused the TLS client certificate in the handshake
	ReasonCertificateBinding             // the token is bound to another certificate than the one presented (RFC 8705 3)
)

// Error is every failure Grant and NewClient return. All its text is safe to show: the request's
// secrets are redacted from anything the server sent back, and bodies are only quoted as short
// snippets.
type Error struct {
	API     *API   // nil for an error of the client's own settings
	Host    string // token URL host
	Kind    Kind
	Setting Setting // KindConfig: what is unusable
	// GrantType is the grant that was sent (OAuth2), for the reason of an error.
	GrantType string
	// ClientAuth is how the client authenticated (OAuth2's method, its default filled in;
	// client_secret_basic for the APIs that always send an ID and secret), for the hint of a
	// refused client: what to check depends on it.
	ClientAuth string
	// Issuer is the configured issuer whose metadata a discovery error (SettingIssuer) is about, so
	// that a hint can name the URLs tried (MetadataURLs). It was checked before anything was sent:
	// it holds no credentials, query or fragment.
	Issuer string

	Status      int           // HTTP status, when there was an answer
	Code        string        // RFC 6749 "error", when the body had one
	Description string        // RFC 6749 "error_description"
	Snippet     string        // start of a body that was not an OAuth error object
	Location    string        // redirect target host
	Attempts    int           // requests sent, retries included
	TimeLimit   time.Duration // KindTimeout, or a Retry-After past it: the time limit of the grant
	RetryAfter  time.Duration // a wait the server asked for that went past TimeLimit
	Lifetime    time.Duration // KindLifetime: how long the token was valid when handed out (0 or less: expired)
	Expiry      time.Time     // KindLifetime: when the token expires; zero when that cannot be known
	MinValidity time.Duration // KindLifetime: how long the request asked them to stay valid
	// JobToken is what may be said of the job token a refused request sent: where it came from, its
	// iss, sub and aud (never the token), the first thing to compare with the server's trust.
	JobToken *JobTokenClaims
	Message  string // what went wrong, in words, when the fields above do not say it all
	Err      error  // the underlying cause, for errors.Is/As
	// sentClientCert: the request presented a TLS client certificate, so a handshake the server
	// ended over a certificate refused that one; without one, it wanted one (a TLS 1.2 server
	// answers a missing certificate with handshake_failure, not TLS 1.3's certificate_required).
	sentClientCert bool
	// rateLimited: the API's own headers said this answer is a rate limit to wait out
	// (API.throttled), whatever its status: GitHub's are 403s.
	rateLimited bool
}

func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.API == nil:
		b.WriteString("invalid token client settings")
	case e.Kind == KindConfig:
		fmt.Fprintf(&b, "%s token request not sent", e.API.Title)
	case e.Kind == KindHostFailing:
		fmt.Fprintf(&b, "%s token request to %s not sent: the host failed an earlier grant in this run", e.API.Title, e.Host)
		var earlier *Error
		if errors.As(e.Err, &earlier) && earlier.Attempts > 1 {
			fmt.Fprintf(&b, " after %d attempts", earlier.Attempts)
		}
	default:
		fmt.Fprintf(&b, "%s token request", e.API.Title)
		if e.Host != "" {
			fmt.Fprintf(&b, " to %s", e.Host)
		}
		b.WriteString(" failed")
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, ": HTTP %d %s", e.Status, http.StatusText(e.Status))
	}
	switch {
	case e.Code != "":
		fmt.Fprintf(&b, ", OAuth error %q", e.Code)
		if e.Description != "" {
			fmt.Fprintf(&b, " (%s)", e.Description)
		}
	case e.Description != "": // a REST API's own error message, such as GitHub's
		fmt.Fprintf(&b, ", the server says %q", e.Description)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.Snippet != "" {
		fmt.Fprintf(&b, "; the body starts with: %q", e.Snippet)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	if e.Kind == KindHostFailing {
		b.WriteString("; no request was sent for this grant")
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Reason classifies the failure by what the user has to fix.
func (e *Error) Reason() Reason {
	if e.API != nil && e.API.quirk != nil {
		if r := e.API.quirk(e); r != ReasonUnknown {
			return r
		}
	}
	code := strings.ToLower(e.Code)
	switch {
	case e.Kind == KindConfig:
		return ReasonBadInput
	case e.Kind == KindHostFailing:
		return ReasonHostFailing
	case e.Kind == KindLifetime && e.Expiry.IsZero():
		return ReasonExpiryUnknown
	case e.Kind == KindLifetime:
		return ReasonTooShortLived
	case e.Setting == SettingIssuer:
		return ReasonDiscovery
	case e.Kind == KindTimeout:
		return ReasonTimeout
	case e.Kind == KindCanceled:
		return ReasonCanceled
	case e.Kind == KindRedirect:
		return ReasonRedirect
	case e.Kind == KindResponse && e.Setting == SettingClientCert:
		return ReasonCertificateBinding
	case e.clientCertReason() != ReasonUnknown:
		return e.clientCertReason()
	case e.Kind == KindTransport:
		var hostMismatch x509.HostnameError
		switch {
		case errors.As(e.Err, &hostMismatch):
			return ReasonCertificateHostMismatch
		case certificateError(e.Err):
			return ReasonUntrustedCertificate
		}
		return ReasonUnreachable
	case code == "invalid_grant":
		return ReasonUserCredentials
	case code == "invalid_client" || e.Status == http.StatusUnauthorized:
		return ReasonClientCredentials
	case code == "invalid_scope":
		return ReasonScope
	case code == "unauthorized_client" || code == "unsupported_grant_type":
		return ReasonGrantNotAllowed
	case e.rateLimited:
		return ReasonRateLimited
	case code == "access_denied" || e.Status == http.StatusForbidden:
		return ReasonAccessDenied
	case e.Status == http.StatusNotFound || e.Status == http.StatusMethodNotAllowed:
		return ReasonNoEndpoint
	case e.Status == http.StatusTooManyRequests:
		return ReasonRateLimited
	case e.Status >= 500:
		return ReasonServerFailure
	case e.Kind == KindResponse:
		return ReasonNotATokenResponse
	case code == "invalid_request" || e.Status == http.StatusBadRequest:
		return ReasonBadRequest
	}
	return ReasonUnknown
}

// certificateError reports a certificate the client refused; retrying cannot change it.
func certificateError(err error) bool {
	var verify *tls.CertificateVerificationError
	var unknownAuthority x509.UnknownAuthorityError
	var hostMismatch x509.HostnameError
	return errors.As(err, &verify) || errors.As(err, &unknownAuthority) || errors.As(err, &hostMismatch)
}

// credentialCodes are OAuth errors about the credentials or the client: a retry sends the same
// credentials again, so they are final whatever the status (gateways answer 500 invalid_grant).
var credentialCodes = []string{"invalid_grant", "invalid_client", "unauthorized_client", "access_denied"}

func isCredentialCode(code string) bool {
	for _, c := range credentialCodes {
		if strings.EqualFold(code, c) {
			return true
		}
	}
	return false
}

func orUnknown(s string) string {
	if s == "" {
		return "another address"
	}
	return s
}

func describeWait(d time.Duration) string { return d.Round(time.Millisecond).String() }
