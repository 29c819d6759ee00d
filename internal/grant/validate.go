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
		return fmt.Errorf("%q is not an absolute URL like https://auth.example.com/oauth/token", raw)
	}
	if u.User != nil {
		return fmt.Errorf("the URL must not hold credentials (user:password@); use client_id and client_secret")
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

// validate checks what every API needs before anything is sent. The provider has already given
// each missing input an attribute error; this guards direct callers of the package.
func (r Request) validate() error {
	fail := func(msg string) error { return &Error{API: r.API, Kind: KindConfig, Message: msg} }
	switch r.API {
	case Tenn, Testinium, Partner:
	default:
		return fail(fmt.Sprintf("unknown API %q", r.API))
	}
	if err := CheckTokenURL(r.TokenURL); err != nil {
		return fail("token_url: " + err.Error())
	}
	if r.ClientID == "" || r.ClientSecret == "" {
		return fail("client_id and client_secret are required")
	}
	if r.API != Partner && (r.Username == "" || r.Password == "") {
		return fail("username and password are required")
	}
	return nil
}
