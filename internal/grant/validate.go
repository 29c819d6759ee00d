package grant

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// CheckTokenURL accepts an absolute https URL, or http for a loopback host (a local or test
// server): anything else would send credentials in clear text. Its message names no attribute;
// the caller does.
func CheckTokenURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		if strings.Contains(raw, "@") { // it may carry user:password@, so it is never quoted
			return fmt.Errorf("the URL is not an absolute URL like https://auth.example.com/oauth/token, and must not hold credentials (user:password@)")
		}
		return fmt.Errorf("%q is not an absolute URL like https://auth.example.com/oauth/token", raw)
	}
	if u.User != nil {
		return fmt.Errorf("the URL must not hold credentials (user:password@); give the client and user as their own inputs")
	}
	if u.Fragment != "" {
		return fmt.Errorf("the URL must not have a #fragment")
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return nil
	case "http":
		if IsLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("%q uses http: credentials would cross the network in clear text. Use https "+
			"(http is allowed only for loopback hosts: localhost, 127.0.0.0/8, ::1)", raw)
	}
	return fmt.Errorf("%q must use https (or http on a loopback host), not %q", raw, u.Scheme)
}

// IsLoopback reports whether host is localhost or a loopback IP address.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// validate checks what the API needs before anything is sent. The provider has already given
// each missing input an attribute error; this guards direct callers of the package.
func (r Request) validate() error {
	if r.API == nil {
		return &Error{Kind: KindConfig, Message: "the request names no API"}
	}
	fail := func(s Setting, msg string) error {
		return &Error{API: r.API, Kind: KindConfig, Setting: s, Message: msg}
	}
	switch {
	case r.API.endpoints != nil:
		// The API finds its endpoints itself; its check validates its own URL.
	case r.TokenURL == "" && r.Issuer == "" && r.API.DefaultTokenURL == "":
		return fail(SettingTokenURL, "neither a token URL nor an issuer is set")
	case r.TokenURL != "" && r.Issuer != "":
		return fail(SettingIssuer, "set the token URL or the issuer, not both")
	case r.TokenURL == "" && r.Issuer != "":
		if err := CheckTokenURL(r.Issuer); err != nil {
			return fail(SettingIssuer, "the issuer: "+err.Error())
		}
		if strings.Contains(r.Issuer, "?") {
			return fail(SettingIssuer, "the issuer must not have a query string (RFC 8414 2): the well-known URLs are built from its path")
		}
	default:
		if err := CheckTokenURL(r.TokenURL); err != nil {
			return fail(SettingTokenURL, "the token URL: "+err.Error())
		}
	}
	if e := r.checkRevocation(); e != nil {
		return e
	}
	if _, e := r.checkClientCert(time.Now()); e != nil {
		return e
	}
	if r.API.check != nil {
		if e := r.API.check(r); e != nil {
			return e
		}
		return nil
	}
	switch {
	case r.ClientID == "":
		return fail(SettingClientID, "the client ID is required")
	case r.ClientSecret == "":
		return fail(SettingClientSecret, "the client secret is required")
	case r.API.NeedsUser && r.Username == "":
		return fail(SettingUsername, "the username is required for a password grant")
	case r.API.NeedsUser && r.Password == "":
		return fail(SettingPassword, "the password is required for a password grant")
	}
	return nil
}

// checkRevocation checks what revocation on close needs before anything is sent: an API that can
// revoke, and an endpoint (the revocation URL, else an issuer whose metadata may name one).
func (r Request) checkRevocation() *Error {
	fail := func(msg string) *Error {
		return &Error{API: r.API, Kind: KindConfig, Setting: SettingRevocationURL, Message: msg}
	}
	switch {
	case !r.RevokeOnClose:
		return nil
	case !r.CanRevoke():
		return fail(r.API.Title + " tokens cannot be revoked")
	case r.API.endpoints != nil && r.RevocationURL == "":
		return nil // the API's endpoints names it
	case r.RevocationURL != "":
		if err := CheckTokenURL(r.RevocationURL); err != nil {
			return fail("the revocation URL: " + err.Error())
		}
	case r.Issuer == "":
		return fail("revocation on close needs a revocation endpoint: set the revocation URL (IdentityServer-style " +
			"servers serve /connect/revocation), or an issuer whose metadata names one")
	}
	return nil
}
