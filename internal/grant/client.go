package grant

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Defaults for the provider's settings.
const (
	DefaultTimeout    = 30 * time.Second
	DefaultMaxRetries = 3
	// MaxResponseBytes bounds what is read of any answer: a token response is a few KiB.
	MaxResponseBytes = 1 << 20
	// maxResponseHeaderBytes bounds an answer's headers; Go's default is 1 MiB.
	maxResponseHeaderBytes = 64 << 10
)

// Config is one provider instance's HTTP behaviour.
type Config struct {
	Timeout     time.Duration // whole grant, retries included; DefaultTimeout when zero
	MaxRetries  int           // retries after the first attempt, for retryable failures only
	CACertPEM   string        // extra trust roots, added to the system pool
	ProxyURL    string        // empty: the standard proxy environment variables
	UserAgent   string
	ReuseTokens bool // coalesce identical grants and reuse unexpired results (see coalesce.go)
	// OnAttempt, when set, hears about every attempt; the provider logs them with tflog.
	OnAttempt func(context.Context, Attempt)
	// RetryBaseDelay is the first backoff step; later ones double. Tests shorten it.
	RetryBaseDelay time.Duration
	// Getenv reads the CI job's environment for job token sources; nil: os.Getenv.
	Getenv func(string) string
	// MaskLog, when set, returns ctx with log masks for every form of a secret the grant learns
	// only while it runs (a job token minted by the CI platform); the provider masks tflog with it.
	MaskLog func(ctx context.Context, masks ...*regexp.Regexp) context.Context
}

// Attempt describes one HTTP attempt for logging. It holds no secret.
type Attempt struct {
	API     *API
	Host    string
	Number  int
	Status  int           // 0 when no answer arrived
	Err     string        // the failure, if any, already secret-free
	Retry   bool          // another attempt follows
	Delay   time.Duration // the wait before it
	Elapsed time.Duration // how long this attempt took
}

// Client runs grants. One Client per provider instance holds the one HTTP transport, so all
// grants to a host share its keep-alive connections.
type Client struct {
	// transport sends each attempt as one round trip: no redirect is followed (it would carry the
	// credentials to another address), and a Location header is never parsed on our behalf.
	transport  http.RoundTripper
	cfg        Config
	coalescing *coalescer     // nil when ReuseTokens is off
	discovered discovery      // issuers' metadata, fetched once each
	holds      holds          // who holds which token, for revocation on close (revoke.go)
	certs      certTransports // the transport's clones that present a client certificate (clientcert.go)
	// installations are the GitHub App installations looked up by owner, each once (github_app.go).
	installations installationLookups

	hosts *hostMemory // each host's circuit, retry budget and Retry-After (breaker.go)
}

// NewClient builds the shared HTTP client. Its errors are configuration errors.
func NewClient(cfg Config) (*Client, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxRetries < 0 {
		return nil, &Error{Kind: KindConfig, Setting: SettingMaxRetries, Message: "the number of retries must be 0 or more"}
	}
	if cfg.RetryBaseDelay <= 0 {
		cfg.RetryBaseDelay = 250 * time.Millisecond
	}
	transport := http.DefaultTransport.(*http.Transport).Clone() //nolint:forcetypeassert // the standard library's type; nothing here replaces it
	transport.ForceAttemptHTTP2 = true                           // a custom TLS config turns HTTP/2 off unless asked for
	transport.MaxIdleConnsPerHost = 64                           // many token blocks often share one auth host
	transport.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	transport.MaxResponseHeaderBytes = maxResponseHeaderBytes
	if cfg.CACertPEM != "" {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM([]byte(cfg.CACertPEM)) {
			return nil, &Error{Kind: KindConfig, Setting: SettingCACerts, Message: "the extra CA certificates hold no PEM-encoded certificate"}
		}
		transport.TLSClientConfig.RootCAs = pool
	}
	if cfg.ProxyURL != "" {
		proxy, err := url.Parse(cfg.ProxyURL)
		if err != nil || proxy.Host == "" {
			// Not quoted: proxy URLs often carry credentials.
			return nil, &Error{Kind: KindConfig, Setting: SettingProxy, Message: "the proxy is not a URL like http://proxy.example.com:3128"}
		}
		switch proxy.Scheme {
		case "http", "https", "socks5", "socks5h":
		default:
			return nil, &Error{Kind: KindConfig, Setting: SettingProxy,
				Message: fmt.Sprintf("the proxy URL must use http, https or socks5, not %q", proxy.Scheme)}
		}
		transport.Proxy = func(req *http.Request) (*url.URL, error) {
			// Loopback never goes through the proxy, as with Go's environment proxies: a token URL
			// on loopback may be plain http, and the proxy would receive the credentials in clear.
			if IsLoopback(req.URL.Hostname()) {
				return nil, nil //nolint:nilnil // no proxy is http.Transport's way to say "direct"
			}
			return proxy, nil
		}
	}
	c := &Client{cfg: cfg, transport: transport, discovered: discovery{known: map[string]Metadata{}},
		holds: newHolds(), hosts: newHostMemory(cfg)}
	if cfg.ReuseTokens {
		c.coalescing = newCoalescer()
	}
	return c, nil
}

// Grant runs one grant, sharing the result with identical grants when ReuseTokens is on, within
// the time limit: discovery included. With r.RevokeOnClose the caller holds the token until it
// passes Token.Lease to Release (revoke.go). The returned Token belongs to the caller.
func (c *Client) Grant(parent context.Context, r Request) (*Token, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(parent, c.cfg.Timeout)
	defer cancel()
	token, err := c.grantWithin(ctx, r)
	var e *Error
	if err != nil && parent.Err() == nil && errors.As(err, &e) && e.Kind == KindCanceled {
		// Not the caller: a time limit ended the grant or a wait (for a shared flight, metadata).
		return nil, c.contextError(parent, r, hostOf(r), e.Attempts, e)
	}
	return token, err
}

func (c *Client) grantWithin(ctx context.Context, r Request) (*Token, error) {
	revokeAt, caveats, err := c.resolveEndpoints(ctx, &r)
	if err != nil {
		return nil, err
	}
	if expiring, _ := r.checkClientCert(time.Now()); expiring != nil { // validate refused a bad pair
		caveats = append(caveats, *expiring)
	}
	// A revoking grant may find its shared token already let go of by its last holder (between
	// the grant and the hold); it then gets a new one, which no one else holds yet.
	for range 3 {
		token, err := c.grantFresh(ctx, r)
		if err != nil {
			return nil, err
		}
		token.Caveats = append(token.Caveats, caveats...)
		if err := checkLifetime(r, token, time.Now()); err != nil {
			return nil, err
		}
		if !r.RevokeOnClose {
			return token, nil
		}
		if lease, ok := c.hold(r, token, revokeAt); ok {
			token.Lease = lease
			return token, nil
		}
	}
	return nil, &Error{API: r.API, Kind: KindResponse, Message: "every token granted was revoked by another holder before it could be held"}
}

// grantFresh is shared, with the job token obtained for it when the request sends one
// (jobtoken.go): checked before anything is sent, masked in the logs, and described in the error
// when the server refuses it. A minted job token that the server refuses as invalid_grant (a jti
// it saw already, a token that expired on the way) is minted once more.
func (c *Client) grantFresh(ctx context.Context, r Request) (*Token, error) {
	if !r.usesJobToken() {
		return c.shared(ctx, r)
	}
	for try := 1; ; try++ {
		job, minted, err := c.jobToken(ctx, r)
		if err != nil {
			return nil, err
		}
		claims, caveats, e := r.checkJobToken(job, time.Now())
		if e != nil {
			return nil, e
		}
		withJob, jobCtx := r, ctx
		withJob.jobToken = job
		if c.cfg.MaskLog != nil {
			jobCtx = c.cfg.MaskLog(ctx, newRedactor([]string{job}).logMask())
		}
		token, err := c.shared(jobCtx, withJob)
		if err == nil {
			token.Caveats = append(token.Caveats, caveats...)
			return token, nil
		}
		var ge *Error
		if errors.As(err, &ge) && ge.Kind == KindStatus && (claims.Iss != "" || claims.Sub != "") {
			ge.JobToken = &claims
		}
		if minted && try == 1 && ge != nil && strings.EqualFold(ge.Code, "invalid_grant") {
			continue
		}
		return nil, err
	}
}

// shared is the grant, coalesced with identical ones unless ReuseTokens is off or the API says
// they may not share.
func (c *Client) shared(ctx context.Context, r Request) (*Token, error) {
	if c.coalescing == nil || (r.API.shareable != nil && !r.API.shareable(r)) {
		return c.grant(ctx, r)
	}
	return c.coalescing.do(ctx, r, c.grant)
}

// resolveEndpoints fills in the token URL from the issuer's metadata when r has none, and returns
// where a revoking request's token is to be revoked: RevocationURL, else the metadata's
// revocation_endpoint, each checked only when it will be used.
func (c *Client) resolveEndpoints(ctx context.Context, r *Request) (revokeAt string, caveats []Caveat, err error) {
	if r.API.endpoints != nil {
		err := r.API.endpoints(c, ctx, r)
		return r.RevocationURL, nil, err
	}
	needMetadata := r.TokenURL == "" || (r.RevokeOnClose && r.RevocationURL == "")
	if !needMetadata {
		return r.RevocationURL, nil, nil
	}
	meta, err := c.Discover(ctx, r.API, r.Issuer)
	if err != nil {
		return "", nil, err
	}
	if r.TokenURL == "" {
		r.TokenURL = meta.tokenEndpoint(*r)
		caveats = meta.caveats(*r)
	}
	if !r.RevokeOnClose || r.RevocationURL != "" {
		return r.RevocationURL, caveats, nil
	}
	fail := func(msg string) (string, []Caveat, error) {
		return "", nil, &Error{API: r.API, Kind: KindConfig, Setting: SettingRevocationURL, Message: msg}
	}
	revokeAt = meta.revocationEndpoint(*r)
	if revokeAt == "" {
		return fail("revocation on close needs a revocation endpoint, and the issuer's metadata names no revocation_endpoint: set the revocation URL")
	}
	if err := checkEndpoint(r.Issuer, revokeAt); err != nil {
		return fail("the issuer metadata's revocation_endpoint is not usable: " + err.Error() + "; set the revocation URL")
	}
	return revokeAt, caveats, nil
}

// hostOf is the host a grant goes to, for an error that ends it before a request names one.
func hostOf(r Request) string {
	if u, err := url.Parse(r.TokenURL); err == nil && r.TokenURL != "" {
		return u.Host
	}
	if u, err := url.Parse(r.Issuer); err == nil {
		return u.Host
	}
	return ""
}

// grant sends the request until it succeeds, fails for good, or the timeout runs out.
func (c *Client) grant(parent context.Context, r Request) (*Token, error) {
	return c.exchange(parent, r, r.Secrets(), func() (*http.Request, error) { return newHTTPRequest(r, c.cfg.UserAgent) }, parseToken(r))
}

// accepter turns a 2xx answer's body into the exchange's result (a token, or nil when the
// answer is all there is to it, as for a revocation).
type accepter func(body []byte, receivedAt time.Time, red *redactor) (*Token, *Error)

// parseToken accepts a token response to r.
func parseToken(r Request) accepter {
	parse := func(body []byte, receivedAt time.Time) (*Token, error) {
		return ParseTokenResponse(body, receivedAt, r.Scope)
	}
	if r.API.parse != nil {
		parse = func(body []byte, receivedAt time.Time) (*Token, error) { return r.API.parse(r, body, receivedAt) }
	}
	return func(body []byte, receivedAt time.Time, red *redactor) (*Token, *Error) {
		token, err := parse(asUTF8(body), receivedAt)
		if err == nil {
			if e := checkCertBinding(r, token.AccessToken); e != nil {
				return nil, e
			}
			return token, nil
		}
		e := &Error{Kind: KindResponse, Message: err.Error()}
		var oauth *oauthError
		if errors.As(err, &oauth) {
			e.Message = "the success answer carries an OAuth error"
			e.Code, e.Description = red.code(oauth.code), red.text(oauth.description, maxServerText)
		}
		return nil, e
	}
}

// exchange sends the request build makes until an answer is accepted, fails for good, or the time
// limit runs out: retries only where safe, with backoff and Retry-After. secrets are what its
// request carries, redacted from anything the server sends back.
func (c *Client) exchange(parent context.Context, r Request, secrets []string, build func() (*http.Request, error), accept accepter) (*Token, error) {
	ctx, cancel := context.WithTimeout(parent, c.cfg.Timeout)
	defer cancel()
	deadline, _ := ctx.Deadline()

	red := newRedactor(secrets)
	host := ""
	var stay *visit // this exchange's dealings with the host's memory (breaker.go)
	defer func() {
		if stay != nil {
			stay.leave()
		}
	}()
	var last *Error
	for attempt := 1; ; attempt++ {
		// Built for every attempt: cheap next to the round trip, and what must be fresh (a client
		// assertion's jti) is.
		req, err := build()
		if err != nil {
			return nil, &Error{API: r.API, Kind: KindConfig, Setting: SettingTokenURL, Message: "the request cannot be built", Err: err}
		}
		host = req.URL.Host
		if stay == nil {
			stay = c.hosts.visit(host)
		}
		if refusal, ended := stay.admit(ctx, r, last); ended {
			return nil, c.contextError(parent, r, host, attempt-1, last)
		} else if refusal != nil {
			return nil, refusal
		}
		start := time.Now()
		token, failure, retryAfter := c.attempt(ctx, req, r, red, accept)
		if failure == nil {
			stay.record(nil, 0)
			c.report(ctx, Attempt{API: r.API, Host: host, Number: attempt, Status: http.StatusOK, Elapsed: time.Since(start)})
			if token != nil {
				token.Slow = stay.slow(attempt)
			}
			return token, nil
		}
		failure.API, failure.Host, failure.Attempts, failure.GrantType, failure.ClientAuth = r.API, host, attempt, r.GrantType, r.clientAuth()
		failure.sentClientCert = r.ClientCertPEM != ""
		if ctx.Err() != nil {
			failure = c.contextError(parent, r, host, attempt, failure)
		}
		stay.record(failure, retryAfter)
		last = failure

		retry := failure.retryable() && attempt <= c.cfg.MaxRetries
		delay := retryAfter
		if delay == 0 {
			delay = c.backoff(attempt)
		}
		if retry && time.Until(deadline) <= delay {
			retry = false
			if retryAfter > 0 {
				failure.RetryAfter, failure.TimeLimit = retryAfter, c.cfg.Timeout
				failure.Message = joinMessage(failure.Message, fmt.Sprintf(
					"the server asked to wait %s (Retry-After), past the time limit of %s",
					describeWait(retryAfter), c.cfg.Timeout))
			}
		}
		c.report(ctx, Attempt{API: r.API, Host: host, Number: attempt, Status: failure.Status,
			Err: failure.Error(), Retry: retry, Delay: delayIf(retry, delay), Elapsed: time.Since(start)})
		if !retry {
			return nil, stay.giveUp(failure)
		}
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return nil, stay.giveUp(c.contextError(parent, r, host, attempt, failure))
		}
	}
}

// attempt sends one request. It returns a token, or the failure and the server's Retry-After.
func (c *Client) attempt(ctx context.Context, req *http.Request, r Request, red *redactor, accept accepter) (*Token, *Error, time.Duration) {
	transport, err := c.transportFor(r)
	if err != nil {
		return nil, &Error{Kind: KindConfig, Setting: SettingClientCert, Message: err.Error()}, 0
	}
	resp, err := transport.RoundTrip(req.WithContext(ctx))
	if err != nil {
		msg := transportMessage(err, r.TokenURL, red)
		if strings.Contains(err.Error(), "server response headers exceeded") {
			// An answer, only an unusable one: sending the request again gets the same.
			return nil, &Error{Kind: KindResponse, Message: fmt.Sprintf("the answer's headers are larger than %d bytes", maxResponseHeaderBytes), Err: err}, 0
		}
		return nil, &Error{Kind: KindTransport, Message: msg, Err: err}, 0
	}
	defer resp.Body.Close()
	status := resp.StatusCode
	success := status >= 200 && status < 300

	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	switch {
	case err != nil && success:
		return nil, &Error{Kind: KindTransport, Status: status,
			Message: "the connection broke while reading the answer: " + transportMessage(err, r.TokenURL, red), Err: err}, 0
	case err != nil:
		// The status has arrived: the failure is that status (a wrong password stays final), only
		// without its body.
		return nil, &Error{Kind: KindStatus, Status: status,
				Message: "the body of the answer could not be read: " + transportMessage(err, r.TokenURL, red), Err: err},
			retryAfterDelay(resp.Header.Get("Retry-After"), time.Now())
	case len(body) > MaxResponseBytes && success:
		return nil, &Error{Kind: KindResponse, Status: status,
			Message: fmt.Sprintf("the answer is larger than %d bytes, far more than any token response", MaxResponseBytes)}, 0
	case len(body) > MaxResponseBytes:
		return nil, &Error{Kind: KindStatus, Status: status,
				Message: fmt.Sprintf("the error body is larger than %d bytes and was not read", MaxResponseBytes)},
			retryAfterDelay(resp.Header.Get("Retry-After"), time.Now())
	}
	receivedAt := time.Now()

	switch {
	case status >= 300 && status < 400:
		where := red.host(locationHost(resp))
		return nil, &Error{Kind: KindRedirect, Status: status, Location: where,
			Message: "the token endpoint redirects to " + orUnknown(where)}, 0
	case !success:
		e := &Error{Kind: KindStatus, Status: status}
		describeBody(e, body, red)
		if r.API.throttled != nil {
			if wait, ok := r.API.throttled(status, resp.Header, e.Description, receivedAt); ok {
				e.rateLimited = true
				return nil, e, wait
			}
		}
		return nil, e, retryAfterDelay(resp.Header.Get("Retry-After"), receivedAt)
	}

	token, failure := accept(body, receivedAt, red)
	if failure != nil {
		failure.Status = status
		return nil, failure, 0
	}
	return token, nil, 0
}

// describeBody fills in the OAuth error fields, or a snippet when the body is not an error object.
func describeBody(e *Error, body []byte, red *redactor) {
	var oauth struct {
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
		Message          string `json:"message"` // REST APIs' errors, GitHub's among them
	}
	parsed := len(body) > 0 && json.Unmarshal(asUTF8(body), &oauth) == nil
	if parsed && oauth.Error != "" {
		e.Code = red.code(oauth.Error)
		e.Description = red.text(oauth.ErrorDescription, maxServerText)
		return
	}
	if parsed && oauth.Message != "" {
		e.Description = red.text(oauth.Message, maxServerText)
		return
	}
	if len(body) == 0 {
		e.Message = "the answer has an empty body"
		return
	}
	e.Snippet = red.text(string(body), 120)
}

// retryable: only failures that a second identical request can fix, and that cannot count as a
// failed login. Any 4xx but 429 means the request itself is wrong (or the password is: retrying
// that locks accounts).
func (e *Error) retryable() bool {
	switch e.Kind {
	case KindTransport:
		// A refused certificate stays refused, the server's or ours: retrying only delays the diagnostic.
		required, refused := clientCertAlert(e.Err)
		return !certificateError(e.Err) && !required && !refused
	case KindStatus:
		if e.rateLimited {
			return true
		}
		if isCredentialCode(e.Code) {
			return false
		}
		return e.Status == http.StatusTooManyRequests ||
			(e.Status >= 500 && e.Status != http.StatusNotImplemented)
	}
	return false
}

// backoff is exponential with jitter: 0.5 to 1 times base*2^(attempt-1), capped at 10 s.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.cfg.RetryBaseDelay << min(attempt-1, 10)
	d = min(d, 10*time.Second)
	return d/2 + rand.N(d/2+1) //nolint:gosec // jitter spreads retries; it needs no cryptographic randomness
}

// contextError turns a context ending into a timeout or a cancellation, keeping what the last
// attempt saw.
func (c *Client) contextError(parent context.Context, r Request, host string, attempts int, last *Error) *Error {
	e := &Error{API: r.API, Host: host, Attempts: attempts}
	if last != nil {
		e.Status, e.Code = last.Status, last.Code
	}
	if parent.Err() != nil {
		e.Kind, e.Message, e.Err = KindCanceled, "canceled", parent.Err()
		return e
	}
	e.Kind, e.Err, e.TimeLimit = KindTimeout, context.DeadlineExceeded, c.cfg.Timeout
	e.Message = fmt.Sprintf("no token within the time limit of %s", c.cfg.Timeout)
	return e
}

func (c *Client) report(ctx context.Context, a Attempt) {
	if c.cfg.OnAttempt != nil {
		c.cfg.OnAttempt(ctx, a)
	}
}

// retryAfterDelay reads Retry-After as seconds or as an HTTP date (RFC 9110 10.2.3).
func retryAfterDelay(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0
		}
		return time.Duration(min(secs, 24*3600)) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil && at.After(now) {
		return at.Sub(now)
	}
	return 0
}

// transportMessage describes a transport error without the URL the http package puts in front.
// TLS errors quote names from the server's certificate, so it is cleaned like server text.
func transportMessage(err error, tokenURL string, red *redactor) string {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	msg := strings.ReplaceAll(err.Error(), tokenURL, "the token URL")
	return red.show(msg, maxServerText)
}

func locationHost(resp *http.Response) string {
	loc, err := resp.Location()
	if err != nil {
		return ""
	}
	return loc.Host
}

func joinMessage(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

func delayIf(ok bool, d time.Duration) time.Duration {
	if ok {
		return d
	}
	return 0
}
