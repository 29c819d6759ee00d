package grant

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// API is everything the grant core knows about one token API. Each API is one value in its own
// file (tenn.go, oauth2.go, ...); the core reads these fields and never asks which
// API it is talking to.
type API struct {
	Name  string // lower case, for logs and the coalescing key: "tenn"
	Title string // as users know it, for error messages: "Tenn"

	// DefaultTokenURL is the documented endpoint; empty when every user runs their own host.
	DefaultTokenURL string
	// DefaultClientID and DefaultClientSecret are a documented public client, if the API has one.
	DefaultClientID, DefaultClientSecret string
	// NeedsUser is true for password grants: Username and Password are required.
	NeedsUser bool

	// basic is the HTTP Basic credentials the API sends for a request, base64-encoded exactly as
	// they go on the wire; "" (or nil) when it sends none. Secrets lists them, so the log masks and
	// the redaction cover what a server really received and may echo.
	basic func(Request) string
	// encode builds the request body and the headers that carry it, exactly as the API documents.
	// It runs for every attempt, so what must be fresh each time (an assertion's jti) is.
	encode func(Request) (body []byte, header http.Header, err error)
	// authenticate adds the client authentication to a token revocation (RFC 7009); nil when the
	// API has no revocation.
	authenticate func(r Request, form url.Values, h http.Header) error
	// check validates what this API needs of a request beyond a usable URL; nil: a client ID and
	// secret, and a user when NeedsUser.
	check func(Request) *Error
	// shareable reports whether identical requests may share one token; nil: always.
	shareable func(Request) bool
	// endpoints finds the request's token and revocation endpoints itself, for an API that is not
	// configured with a token URL (GitHub's: the installation is looked up first); nil: the token
	// URL, or the issuer's metadata. check then validates the API's own URL inputs.
	endpoints func(c *Client, ctx context.Context, r *Request) error
	// parse reads a success answer that is not an RFC 6749 token response; nil: ParseTokenResponse.
	// Its errors must not quote the body.
	parse func(r Request, body []byte, receivedAt time.Time) (*Token, error)
	// revoke builds the request that revokes token at endpoint, for an API whose revocation is not
	// RFC 7009's; nil: RFC 7009 with authenticate.
	revoke func(endpoint, token string) (*http.Request, error)
	// throttled reads an API's own rate-limit signs on a failed answer (its headers, and the
	// server's message, already redacted): ok when it is a rate limit to wait out for wait, and
	// retry; nil: only 429 and 5xx are retried, after Retry-After.
	throttled func(status int, h http.Header, message string, now time.Time) (wait time.Duration, ok bool)
	// quirk explains an answer the generic rules would misread, or returns ReasonUnknown to leave
	// it to them. nil when the API has no quirk.
	quirk func(*Error) Reason
}

// apis holds every API by name; each API's file registers its value.
var apis = map[string]*API{}

func register(a *API) *API {
	apis[a.Name] = a
	return a
}

// Lookup returns the API of that name, or nil.
func Lookup(name string) *API { return apis[name] }

// String is the API's name, so an *API prints well in logs and test failures.
func (a *API) String() string { return a.Name }

// formEncoded is the request of the two form APIs: an x-www-form-urlencoded body and the client
// as HTTP Basic credentials. The credentials are sent as the docs' samples show them,
// base64(client_id:client_secret) without the form-encoding RFC 6749 2.3.1 adds: the documented
// samples and the servers behind them do not use it. They are always computed, never taken
// ready-made (Tenn's sample header decodes to "TennEsting", not the documented "TennTesting").
func formEncoded(r Request, body []byte) ([]byte, http.Header, error) {
	h := http.Header{}
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	return body, h, basicAuthentication(r, nil, h)
}

// basicAuthentication sends the API's Basic credentials: the form APIs' client authentication,
// as their docs show it, and their revocations'.
func basicAuthentication(r Request, _ url.Values, h http.Header) error {
	h.Set("Authorization", "Basic "+r.API.basic(r))
	return nil
}

// docsBasic is the form APIs' Basic credentials: base64(client_id:client_secret), unencoded.
func docsBasic(r Request) string { return basicCredentials(r.ClientID, r.ClientSecret) }

// formBody encodes key/value pairs in the given order, leaving out empty values.
func formBody(kv ...string) []byte {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(kv[i]))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(kv[i+1]))
	}
	return []byte(b.String())
}

func basicCredentials(id, secret string) string {
	if id == "" && secret == "" {
		return ""
	}
	return base64.StdEncoding.EncodeToString([]byte(id + ":" + secret))
}
