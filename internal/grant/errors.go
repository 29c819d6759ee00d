package grant

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Kind sorts failures by what the user has to do about them.
type Kind int

const (
	KindConfig    Kind = iota + 1 // an input is unusable; nothing was sent
	KindTransport                 // no HTTP answer: DNS, connect, TLS, connection reset
	KindTimeout                   // request_timeout ran out (retries included)
	KindCanceled                  // Terraform canceled the operation
	KindStatus                    // the server answered with an error status
	KindRedirect                  // the server answered 3xx; redirects are not followed
	KindResponse                  // a 2xx answer that holds no usable token
)

// Error is every failure Grant returns. All its text is safe to show: the request's secrets are
// redacted from anything the server sent back, and bodies are only quoted as short snippets.
type Error struct {
	API  API
	Host string // token URL host
	Kind Kind

	Status      int    // HTTP status, when there was an answer
	Code        string // RFC 6749 "error", when the body had one
	Description string // RFC 6749 "error_description"
	Snippet     string // start of a body that was not an OAuth error object
	Location    string // redirect target host
	Attempts    int    // requests sent, retries included
	Message     string // what went wrong, in words, when the fields above do not say it all
	Err         error  // the underlying cause, for errors.Is/As
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s token request", e.API.Title())
	if e.Host != "" {
		fmt.Fprintf(&b, " to %s", e.Host)
	}
	b.WriteString(" failed")
	if e.Status != 0 {
		fmt.Fprintf(&b, ": HTTP %d %s", e.Status, http.StatusText(e.Status))
	}
	if e.Code != "" {
		fmt.Fprintf(&b, ", OAuth error %q", e.Code)
		if e.Description != "" {
			fmt.Fprintf(&b, " (%s)", e.Description)
		}
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
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Hint says what the user should check, in terms of the provider's attribute names.
func (e *Error) Hint() string {
	code := strings.ToLower(e.Code)
	switch {
	case e.Kind == KindConfig:
		return "Fix the configuration value named above."
	case e.Kind == KindTimeout:
		return "The token endpoint did not answer in time. Check that token_url is reachable from this machine, " +
			"the proxy settings (proxy_url or HTTPS_PROXY), or raise the provider's request_timeout."
	case e.Kind == KindCanceled:
		return "The operation was canceled before the token endpoint answered."
	case e.Kind == KindRedirect:
		return fmt.Sprintf("token_url redirects to %s. Set token_url to the endpoint itself: redirects are not "+
			"followed, so credentials are never sent to another address.", orUnknown(e.Location))
	case e.Kind == KindTransport:
		var verify *tls.CertificateVerificationError
		var unknownAuthority x509.UnknownAuthorityError
		if errors.As(e.Err, &verify) || errors.As(e.Err, &unknownAuthority) {
			return "The server's TLS certificate is not trusted. If it is signed by a private CA, " +
				"add that CA with the provider's ca_cert_pem."
		}
		return "Check token_url (host and port), DNS, the network path and proxy settings (proxy_url or HTTPS_PROXY)."
	case code == "invalid_grant" || (e.API == Testinium && e.Status == http.StatusForbidden):
		return "The server rejected the user's credentials. Check username and password; " +
			"repeated failures may lock the account, so the provider does not retry them."
	case code == "invalid_client" || e.Status == http.StatusUnauthorized:
		return "The server rejected the client. Check client_id and client_secret."
	case code == "invalid_scope":
		return "Check scope: ask only for scopes this client may have, separated by spaces."
	case code == "unauthorized_client" || code == "unsupported_grant_type":
		return "This client may not use this grant type. Ask the API's owner to enable it for client_id."
	case code == "access_denied" || e.Status == http.StatusForbidden:
		return "The server refused access. Check the credentials and that the account is enabled for API access."
	case e.Status == http.StatusNotFound || e.Status == http.StatusMethodNotAllowed:
		return "There is no token endpoint at token_url. Check its host and path."
	case e.Status == http.StatusTooManyRequests:
		return "The server is rate-limiting token requests and retries ran out. Wait and run again, " +
			"or raise max_retries or request_timeout."
	case e.Status >= 500:
		return "The token endpoint failed on its side. Run again later; transient failures are retried " +
			"up to the provider's max_retries."
	case e.Kind == KindResponse:
		return "The server answered with success but no usable token. Check that token_url points at the " +
			"token endpoint itself, not a login page or a proxy."
	case code == "invalid_request" || e.Status == http.StatusBadRequest:
		return "The server rejected the request. Check token_url and the error description above."
	}
	return "Check the inputs and the error above."
}

func orUnknown(s string) string {
	if s == "" {
		return "another address"
	}
	return s
}

// snippet is a short, printable, secret-free start of a body that is not an OAuth error object.
func snippet(body []byte, secrets []string) string {
	const maxRunes = 120
	body = []byte(redact(string(body), secrets)) // before cutting, so no part of a secret survives
	var b strings.Builder
	space := false
	n := 0
	for len(body) > 0 && n < maxRunes {
		r, size := utf8.DecodeRune(body)
		body = body[size:]
		switch {
		case r == utf8.RuneError && size <= 1:
			continue
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case !unicode.IsPrint(r):
			continue
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	s := b.String()
	if len(body) > 0 {
		s += "..."
	}
	return s
}

// redact replaces every secret in s: servers sometimes echo a request back in their errors.
func redact(s string, secrets []string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "***")
		}
	}
	return s
}

func describeWait(d time.Duration) string { return d.Round(time.Millisecond).String() }
