package grant

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"golang.org/x/sync/singleflight"
)

// Metadata is what a grant needs of an authorization server's metadata (RFC 8414 2, OpenID
// Connect Discovery 3).
type Metadata struct {
	Issuer             string `json:"issuer"`
	TokenEndpoint      string `json:"token_endpoint"`
	RevocationEndpoint string `json:"revocation_endpoint"`
}

// discovery caches each issuer's metadata for the provider process: it is fetched once.
type discovery struct {
	flights singleflight.Group
	mu      sync.Mutex
	known   map[string]Metadata
}

// Discover returns the issuer's metadata, from RFC 8414's well-known URL, else (when that answers
// 4xx) from OpenID Connect's. The metadata's issuer must be the issuer asked for (RFC 8414 3.3),
// and its endpoints must be https (or http on loopback). It is fetched with the limits, TLS and
// redirect rules of a grant, once per process per issuer.
func (c *Client) Discover(ctx context.Context, api *API, issuer string) (Metadata, error) {
	c.discovered.mu.Lock()
	meta, ok := c.discovered.known[issuer]
	c.discovered.mu.Unlock()
	if ok {
		return meta, nil
	}
	v, err, _ := c.discovered.flights.Do(issuer, func() (any, error) {
		meta, err := c.discover(ctx, api, issuer)
		if err == nil {
			c.discovered.mu.Lock()
			c.discovered.known[issuer] = meta
			c.discovered.mu.Unlock()
		}
		return meta, err
	})
	if err != nil {
		return Metadata{}, err
	}
	return v.(Metadata), nil //nolint:forcetypeassert // the flight returns only Metadata
}

func (c *Client) discover(parent context.Context, api *API, issuer string) (Metadata, error) {
	ctx, cancel := context.WithTimeout(parent, c.cfg.Timeout)
	defer cancel()
	fail := func(e *Error) (Metadata, error) {
		e.API, e.Setting = api, SettingIssuer
		if ctx.Err() != nil && e.Kind == KindTransport {
			e.Kind, e.Limit = KindTimeout, c.cfg.Timeout
			e.Message = fmt.Sprintf("no metadata within the time limit of %s", c.cfg.Timeout)
		}
		return Metadata{}, e
	}
	urls := wellKnownURLs(issuer)
	var body []byte
	var last *Error
	for _, u := range urls {
		body, last = c.fetchMetadata(ctx, u)
		if last == nil || last.Kind != KindStatus || last.Status >= 500 {
			break
		}
	}
	if last != nil {
		return fail(last)
	}
	var meta Metadata
	if err := json.Unmarshal(body, &meta); err != nil {
		return fail(&Error{Kind: KindResponse, Message: "the issuer's metadata is not a JSON object: " + jsonErrorSummary(err, len(body))})
	}
	if meta.Issuer != issuer {
		// Not quoted: it is server text. RFC 8414 3.3: a mismatch means the metadata is not this issuer's.
		return fail(&Error{Kind: KindResponse, Message: "the metadata names another issuer than the one configured; " +
			"the issuer must match the metadata's issuer exactly (RFC 8414 3.3), trailing slash included"})
	}
	if meta.TokenEndpoint == "" {
		return fail(&Error{Kind: KindResponse, Message: "the issuer's metadata has no token_endpoint"})
	}
	for name, endpoint := range map[string]string{"token_endpoint": meta.TokenEndpoint, "revocation_endpoint": meta.RevocationEndpoint} {
		if endpoint == "" {
			continue
		}
		if err := CheckTokenURL(endpoint); err != nil {
			return fail(&Error{Kind: KindResponse, Message: "the metadata's " + name + " is not usable: it must be an https URL " +
				"(http only on loopback) without credentials"})
		}
	}
	return meta, nil
}

// wellKnownURLs are where issuer's metadata may be: RFC 8414 3.1 puts the well-known segment
// between the host and the issuer's path; OpenID Connect Discovery 4 appends it.
func wellKnownURLs(issuer string) []string {
	u, err := url.Parse(issuer)
	if err != nil {
		return nil
	}
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	rfc8414 := *u
	rfc8414.RawPath, rfc8414.Path = "", ""
	oidc := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	return []string{rfc8414.String() + "/.well-known/oauth-authorization-server" + path, oidc}
}

// fetchMetadata GETs one metadata document: no redirects, the response caps, server text redacted.
func (c *Client) fetchMetadata(ctx context.Context, rawURL string) ([]byte, *Error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, &Error{Kind: KindConfig, Message: "the metadata URL cannot be built", Err: err}
	}
	req.Header.Set("Accept", "application/json")
	if c.cfg.UserAgent != "" {
		req.Header.Set("User-Agent", c.cfg.UserAgent)
	}
	red := newRedactor(nil)
	resp, err := c.transport.RoundTrip(req)
	if err != nil {
		return nil, &Error{Kind: KindTransport, Host: req.URL.Host, Message: transportMessage(err, rawURL, red), Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		where := red.host(locationHost(resp))
		return nil, &Error{Kind: KindRedirect, Host: req.URL.Host, Status: resp.StatusCode, Location: where,
			Message: "the issuer's metadata URL redirects to " + orUnknown(where) + "; redirects are not followed"}
	case resp.StatusCode < 200 || resp.StatusCode >= 300:
		e := &Error{Kind: KindStatus, Host: req.URL.Host, Status: resp.StatusCode, Message: "no metadata at " + wellKnownName(rawURL)}
		return nil, e
	case err != nil:
		return nil, &Error{Kind: KindTransport, Host: req.URL.Host, Status: resp.StatusCode,
			Message: "the connection broke while reading the metadata: " + transportMessage(err, rawURL, red), Err: err}
	case len(body) > MaxResponseBytes:
		return nil, &Error{Kind: KindResponse, Host: req.URL.Host, Status: resp.StatusCode,
			Message: fmt.Sprintf("the metadata is larger than %d bytes", MaxResponseBytes)}
	}
	return body, nil
}

func wellKnownName(u string) string {
	if i := strings.Index(u, "/.well-known/"); i >= 0 {
		name := u[i+1:]
		if j := strings.IndexByte(name[len(".well-known/"):], '/'); j >= 0 {
			name = name[:len(".well-known/")+j]
		}
		return name
	}
	return "the metadata URL"
}
