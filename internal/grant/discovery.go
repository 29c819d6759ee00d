package grant

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
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
	// MTLSEndpointAliases are the endpoints a client presenting a TLS client certificate uses
	// instead (RFC 8705 5): often another host, whose TLS layer asks for the certificate.
	MTLSEndpointAliases struct {
		TokenEndpoint      string `json:"token_endpoint"`
		RevocationEndpoint string `json:"revocation_endpoint"`
	} `json:"mtls_endpoint_aliases"`
	// What the server says it supports; many leave these out, so they only ever warn.
	GrantTypesSupported  []string `json:"grant_types_supported"`
	AuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
}

// tokenEndpoint is where r's grant goes: the mTLS alias when r presents a client certificate
// and the metadata has one (RFC 8705 5), else token_endpoint.
func (m Metadata) tokenEndpoint(r Request) string {
	if r.ClientCertPEM != "" && m.MTLSEndpointAliases.TokenEndpoint != "" {
		return m.MTLSEndpointAliases.TokenEndpoint
	}
	return m.TokenEndpoint
}

// revocationEndpoint is where r's token is revoked, chosen as tokenEndpoint chooses.
func (m Metadata) revocationEndpoint(r Request) string {
	if r.ClientCertPEM != "" && m.MTLSEndpointAliases.RevocationEndpoint != "" {
		return m.MTLSEndpointAliases.RevocationEndpoint
	}
	return m.RevocationEndpoint
}

// caveats are r's grant type and client authentication, where the metadata lists what it supports
// and leaves them out. A federated client's job token is a client assertion like private_key_jwt's,
// which is the name metadata has for it.
func (m Metadata) caveats(r Request) []Caveat {
	var out []Caveat
	grant := r.grantType()
	if urn, ok := grantTypeURNs[grant]; ok {
		grant = urn
	}
	if len(m.GrantTypesSupported) > 0 && !slices.Contains(m.GrantTypesSupported, grant) {
		out = append(out, Caveat{Kind: CaveatGrantTypeNotAdvertised, Want: grant, Have: cleanList(m.GrantTypesSupported)})
	}
	method := r.clientAuth()
	if method == ClientAuthFederatedJWT {
		method = ClientAuthPrivateKeyJWT
	}
	if len(m.AuthMethodsSupported) > 0 && !slices.Contains(m.AuthMethodsSupported, method) {
		out = append(out, Caveat{Kind: CaveatAuthMethodNotAdvertised, Want: method, Have: cleanList(m.AuthMethodsSupported)})
	}
	return out
}

// cleanList is server text made safe to show, at most 20 entries.
func cleanList(values []string) []string {
	red := newRedactor(nil)
	var out []string
	for _, v := range values[:min(len(values), 20)] {
		out = append(out, red.show(v, 100))
	}
	return out
}

// discovery caches each issuer's metadata for the provider process: it is fetched once.
type discovery struct {
	flights singleflight.Group
	mu      sync.Mutex
	known   map[string]Metadata
}

// Discover returns the issuer's metadata, from RFC 8414's well-known URL, else (when that answers
// 4xx) from OpenID Connect's. The metadata's issuer must be the issuer asked for (RFC 8414 3.3),
// and its token endpoint must be usable (checkEndpoint); the revocation endpoint is checked where
// revocation uses it. It is fetched with the limits, TLS and redirect rules of a grant, once per
// process per issuer. Every caller waiting for the same issuer shares one fetch, which a caller
// giving up does not end: each stops waiting when its own ctx ends.
func (c *Client) Discover(ctx context.Context, api *API, issuer string) (Metadata, error) {
	c.discovered.mu.Lock()
	meta, ok := c.discovered.known[issuer]
	c.discovered.mu.Unlock()
	if ok {
		return meta, nil
	}
	if ctx.Err() != nil {
		return Metadata{}, &Error{API: api, Kind: KindCanceled, Setting: SettingIssuer, Issuer: issuer, Message: "canceled before the metadata was read", Err: ctx.Err()}
	}
	flight, cancel := detached(ctx)
	ch := c.discovered.flights.DoChan(issuer, func() (any, error) {
		defer cancel()
		meta, err := c.discover(flight, api, issuer)
		if err == nil {
			c.discovered.mu.Lock()
			c.discovered.known[issuer] = meta
			c.discovered.mu.Unlock()
		}
		return meta, err
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return Metadata{}, res.Err
		}
		return res.Val.(Metadata), nil //nolint:forcetypeassert // the flight returns only Metadata
	case <-ctx.Done():
		return Metadata{}, &Error{API: api, Kind: KindCanceled, Setting: SettingIssuer, Issuer: issuer, Message: "canceled while waiting for the issuer's metadata", Err: ctx.Err()}
	}
}

// detached is ctx for work that several callers share: it keeps ctx's values (log masks) and its
// deadline (the time limit), but not its cancellation, which belongs to one caller.
func detached(ctx context.Context) (context.Context, context.CancelFunc) {
	flight := context.WithoutCancel(ctx)
	if deadline, ok := ctx.Deadline(); ok {
		return context.WithDeadline(flight, deadline)
	}
	return flight, func() {}
}

func (c *Client) discover(parent context.Context, api *API, issuer string) (Metadata, error) {
	ctx, cancel := context.WithTimeout(parent, c.cfg.Timeout)
	defer cancel()
	fail := func(e *Error) (Metadata, error) {
		e.API, e.Setting, e.Issuer = api, SettingIssuer, issuer
		if ctx.Err() != nil && e.Kind == KindTransport {
			e.Kind, e.TimeLimit = KindTimeout, c.cfg.Timeout
			e.Message = fmt.Sprintf("no metadata within the time limit of %s", c.cfg.Timeout)
		}
		return Metadata{}, e
	}
	urls := MetadataURLs(issuer)
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
		// RFC 8414 3.3: a mismatch means the metadata is not this issuer's. The metadata's issuer is
		// quoted only when it can be nothing but a public identifier (quotableIssuer).
		names := "another issuer than the one configured"
		if q := quotableIssuer(meta.Issuer); q != "" {
			names += fmt.Sprintf(", %q", q)
		}
		return fail(&Error{Kind: KindResponse, Message: "the metadata names " + names + "; " +
			"the issuer must match the metadata's issuer exactly (RFC 8414 3.3), trailing slash included"})
	}
	if meta.TokenEndpoint == "" {
		return fail(&Error{Kind: KindResponse, Message: "the issuer's metadata has no token_endpoint"})
	}
	if err := checkEndpoint(issuer, meta.TokenEndpoint); err != nil {
		return fail(&Error{Kind: KindResponse, Message: "the metadata's token_endpoint is not usable: " + err.Error()})
	}
	for name, alias := range map[string]string{"token_endpoint": meta.MTLSEndpointAliases.TokenEndpoint,
		"revocation_endpoint": meta.MTLSEndpointAliases.RevocationEndpoint} {
		if alias != "" {
			if err := checkEndpoint(issuer, alias); err != nil {
				return fail(&Error{Kind: KindResponse, Message: "the metadata's mtls_endpoint_aliases " + name + " is not usable: " + err.Error()})
			}
		}
	}
	return meta, nil
}

// maxQuotedIssuer is the longest metadata issuer an error quotes: a real one is far shorter.
const maxQuotedIssuer = 200

// quotableIssuer is the metadata's issuer when a mismatch error may quote it, else "". An issuer is
// a public identifier, and the value the user needs to fix a mismatch; but it is server text, so it
// is quoted only when it can hold nothing else: a plain https URL, or http on loopback, with no
// userinfo, query or fragment (no "@", "?" or "#" at all), a plain host, at most maxQuotedIssuer
// bytes, and unchanged by the redactor (cleaned, then redacted), so that neither a secret nor a
// token nor an invisible character rides in it.
func quotableIssuer(iss string) string {
	if len(iss) > maxQuotedIssuer || strings.ContainsAny(iss, "?#@") || CheckTokenURL(iss) != nil {
		return ""
	}
	u, err := url.Parse(iss)
	if err != nil || !plainHost.MatchString(u.Host) || newRedactor(nil).show(iss, maxQuotedIssuer) != iss {
		return ""
	}
	return iss
}

// checkEndpoint accepts an endpoint from issuer's metadata: an https URL without credentials, or
// plain http on loopback only when the issuer itself is (a local test server). An https issuer's
// metadata must not send the client's credentials in clear to a local port. Its message does not
// quote the endpoint: it is server text.
func checkEndpoint(issuer, endpoint string) error {
	if CheckTokenURL(endpoint) != nil {
		return errors.New("it must be an https URL (http only on loopback) without credentials")
	}
	u, _ := url.Parse(endpoint)
	iss, err := url.Parse(issuer)
	if strings.EqualFold(u.Scheme, "http") && (err != nil || !strings.EqualFold(iss.Scheme, "http")) {
		return errors.New("the issuer uses https, so its endpoints must too, not plain http")
	}
	return nil
}

// MetadataURLs are where issuer's metadata is read, in the order tried: RFC 8414 3.1 puts the
// well-known segment between the host and the issuer's path
// (https://id.example.com/.well-known/oauth-authorization-server/tenant1 for the issuer
// https://id.example.com/tenant1); OpenID Connect Discovery 4 appends it to the issuer
// (https://id.example.com/tenant1/.well-known/openid-configuration). Exported so that a hint can
// name the exact URLs.
func MetadataURLs(issuer string) []string {
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
