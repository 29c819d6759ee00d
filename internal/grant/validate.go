package grant

import (
	"fmt"
	"net"
	"net/url"
	"strings"
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
	case r.TokenURL != "" && r.Issuer != "":
		return fail(SettingIssuer, "set the token URL or the issuer, not both")
	case r.TokenURL == "" && r.Issuer != "":
		if err := CheckTokenURL(r.Issuer); err != nil {
			return fail(SettingIssuer, "the issuer: "+err.Error())
		}
	default:
		if err := CheckTokenURL(r.TokenURL); err != nil {
			return fail(SettingTokenURL, "the token URL: "+err.Error())
		}
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
