// Package hostile is the token server gone bad: a Server that wraps the strict one (package
// tokenserver) and, for the APIs a Fault is set on, answers the token endpoint the ways real
// servers and the gateways before them fail (a 503, a reset connection, an HTML gateway page, a
// body that never ends) and the ways a hostile server would (echoing the credentials it received,
// putting tokens in an error, sending terminal escapes). It answers through the strict server's
// Config.Intercept hook, after the request is recorded, so Requests and LastRequest count faulted
// requests too; every request it lets through, and every other endpoint, gets the strict server's
// documented behaviour. Tests use it to exercise the client's failure paths.
package hostile

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// Server is a strict token server (tokenserver.Server, whose methods it has) that fails the
// requests to the APIs SetFault names. It is safe for concurrent use.
type Server struct {
	*tokenserver.Server

	mu     sync.Mutex
	faults map[tokenserver.API]*faultState
	issued []string // tokens the faults put in answers

	done      chan struct{} // closed by Close: stops delays, slow drips and hijacked answers
	closeOnce sync.Once
}

// New returns a strict server for cfg (see tokenserver.New) with no fault set yet. It takes
// cfg.Intercept for itself.
func New(cfg tokenserver.Config) *Server {
	s := &Server{faults: map[tokenserver.API]*faultState{}, done: make(chan struct{})}
	cfg.Intercept = s.intercept
	s.Server = tokenserver.New(cfg)
	return s
}

// Issued returns every token the strict server has handed out and every token a fault put in an
// answer, so that a leak scan sees them all (Reset does not clear them).
func (s *Server) Issued() []string {
	strict := s.Server.Issued()
	s.mu.Lock()
	defer s.mu.Unlock()
	return append(strict, s.issued...)
}

// Reset clears every fault, then does what the strict server's Reset does.
func (s *Server) Reset() {
	s.mu.Lock()
	clear(s.faults)
	s.mu.Unlock()
	s.Server.Reset()
}

// Close ends in-flight delays, slow drips and hijacked answers, so that the HTTP server around s
// can shut down. Requests that arrive afterwards are still answered.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.done) })
}

func (s *Server) addIssued(tokens ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.issued = append(s.issued, tokens...)
}

// Fault disturbs the requests that follow to one API, until cleared.
type Fault struct {
	Delay     time.Duration // sleep before answering every request (ends early if the client goes away)
	FailTimes int           // the next N requests fail with FailWith, then requests succeed; Always (-1) fails every one; 0 none
	FailWith  Failure       // what those failures are
	// RetryAfter is the Retry-After header value sent with 429 and 503 failures, if set. The
	// GitHub rate limit failures take it as seconds (default 60): secondary-rate-limit sends it
	// as Retry-After, rate-limit-exhausted puts x-ratelimit-reset that far ahead.
	RetryAfter string
	// FailFor, when set, ends the failures this long after the first one, as a rate limit or an
	// outage that lasts a while: Always with FailFor fails every request of that time window.
	FailFor time.Duration
}

// Always as Fault.FailTimes fails every request.
const Always = -1

// Failure is a kind of broken answer.
type Failure int

// The failures; FailNone fails nothing (a Fault with only a Delay).
const (
	FailNone          Failure = iota
	Fail503                   // 503 + JSON {"error":"temporarily_unavailable"}
	FailReset                 // the connection is closed (reset) without an answer
	Fail429                   // 429 + JSON error, Retry-After if set
	FailHTML502               // 502 with nginx's HTML gateway page
	FailTruncatedJSON         // 200 application/json whose body stops mid-string: {"access_token":"abc
	FailNoAccessToken         // 200 with valid JSON lacking access_token
	FailErrorIn200            // 200 with {"error":"invalid_grant",...}
	FailHugeBody              // 200 application/json of HugeBodySize bytes
	FailSlowDrip              // 200 that drips a few bytes every 200ms for minutes
	FailRedirect              // 302 to tokenserver.RedirectBase + the request's path
	Fail500                   // 500 + JSON {"error":"server_error"}
	Fail501                   // 501 Not Implemented, plain text

	// Hostile or broken servers. Some answers quote secrets or hold tokens on purpose, so the
	// client's tests can prove it never passes them on.

	FailEchoCredentials  // 400 JSON invalid_request whose error_description quotes every received credential in EchoedForms
	FailEchoHTML         // 400 text/html error page quoting every received credential in EchoedForms
	FailTokensInError    // 400 JSON invalid_request with access_token=<hex> and a JWT in error_description, and top-level access_token, refresh_token, id_token (all in Issued)
	FailControlChars     // 400 JSON invalid_request whose error_description is ControlCharsPrefix (ANSI, CR, NUL, U+202E) then ControlCharsPadding bytes of plain text
	FailCutBody401       // 401 promising CutBodyLength bytes of application/json; sends CutBodyPrefix, then closes the connection
	FailBadGzip400       // 400 application/json with Content-Encoding: gzip, but the body BadGzipBody is not gzip
	Fail500InvalidGrant  // 500 + JSON {"error":"invalid_grant","error_description":"The user name or password is incorrect."}
	Fail503HugeBody      // 503 + JSON error of HugeBodySize bytes, Retry-After if set
	FailHugeHeader       // 200 with an X-Padding header of HugeHeaderSize bytes, then a token response (its token in Issued)
	FailRedirectUserinfo // 302 to https://<received client secret, form-encoded>@elsewhere.example.invalid/x
	FailRedirectOddHost  // 302 to OddHostLocation, whose percent-encoded host net/url refuses

	// GitHub's rate limits (github_app.go), which any API's token endpoint can be given.

	FailSecondaryRateLimit // 403 + SecondaryRateLimitMessage and Retry-After (RetryAfter, else 60 s): the limits on bursts
	FailRateLimitExhausted // 403 + "API rate limit exceeded for installation ID N." with x-ratelimit-remaining 0 and x-ratelimit-reset RetryAfter (else 60) seconds ahead: the hourly quota spent
)

var failureNames = [...]string{"none", "503", "reset", "429", "html502", "truncated-json",
	"no-access-token", "error-in-200", "huge-body", "slow-drip", "redirect", "500", "501",
	"echo-credentials", "echo-html", "tokens-in-error", "control-chars", "cut-body-401",
	"bad-gzip-400", "500-invalid-grant", "503-huge-body", "huge-header", "redirect-userinfo",
	"redirect-odd-host", "secondary-rate-limit", "rate-limit-exhausted"}

func (f Failure) String() string {
	if f >= 0 && int(f) < len(failureNames) {
		return failureNames[f]
	}
	return "Failure(" + strconv.Itoa(int(f)) + ")"
}

// HugeBodySize is the exact length of a FailHugeBody answer (5 MiB).
const HugeBodySize = 5 << 20

// redirectHost is the host of tokenserver.RedirectBase, where FailRedirect and
// FailRedirectUserinfo point.
var redirectHost = strings.TrimPrefix(tokenserver.RedirectBase, "https://")

// OddHostLocation is the Location of a FailRedirectOddHost answer: its host is percent-encoded
// ("%65" is "e"), which RFC 3986 allows only for non-ASCII bytes, so net/url refuses to parse it.
const OddHostLocation = "https://%65vil.example.invalid/x"

// HugeHeaderSize is the length of the X-Padding header value of a FailHugeHeader answer
// (12 MiB): more than Go's default Transport.MaxResponseHeaderBytes (10 MiB) accepts.
const HugeHeaderSize = 12 << 20

// CutBodyLength is the Content-Length a FailCutBody401 answer promises; it sends only
// CutBodyPrefix, far fewer bytes, before closing the connection.
const CutBodyLength = 500

// CutBodyPrefix is all of the body a FailCutBody401 answer sends.
const CutBodyPrefix = `{"error":"invalid_client","error_description":"Client authentication failed: the client`

// BadGzipBody is the body of a FailBadGzip400 answer: plain JSON, though the headers say gzip.
const BadGzipBody = `{"error":"invalid_grant"}`

// ControlCharsPrefix starts the error_description of a FailControlChars answer: ANSI colour and
// window-title escapes, a carriage return, a NUL byte and a right-to-left override (U+202E).
const ControlCharsPrefix = "\x1b[32mApply complete!\x1b[0m Resources: 0 added.\x1b]0;title\x07\r" +
	"overwritten\x00 \u202etxt.exe "

// ControlCharsPadding is how many bytes of plain printable ASCII follow ControlCharsPrefix in a
// FailControlChars error_description (200 KiB).
const ControlCharsPadding = 200 * 1024

// hijackedWriteTimeout bounds how long a hijacked answer waits on a client that stops reading.
const hijackedWriteTimeout = 30 * time.Second

// TruncatedJSONBody is the whole body of a FailTruncatedJSON answer.
const TruncatedJSONBody = `{"access_token":"abc`

// Slow drip pacing: a few bytes per tick, for at most slowDripFor.
const (
	slowDripTick = 200 * time.Millisecond
	slowDripFor  = 5 * time.Minute
)

type faultState struct {
	Fault
	remaining int       // failures left; negative: always
	firstFail time.Time // when the first failure was answered, for FailFor
}

// SetFault sets the fault for the requests that follow to api's token endpoint; Fault{} clears
// it. The API's other endpoints never fail: a fault stands for a broken token endpoint.
func (s *Server) SetFault(api tokenserver.API, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f == (Fault{}) {
		delete(s.faults, api)
		return
	}
	s.faults[api] = &faultState{Fault: f, remaining: f.FailTimes}
}

// takeFault returns the API's fault and whether this request is one that fails,
// counting the failure down under the lock so concurrent requests share it.
func (s *Server) takeFault(api tokenserver.API) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.faults[api]
	if st == nil {
		return Fault{}, false
	}
	if st.FailWith == FailNone || st.remaining == 0 {
		return st.Fault, false
	}
	if st.FailFor > 0 {
		if st.firstFail.IsZero() {
			st.firstFail = time.Now()
		} else if time.Since(st.firstFail) >= st.FailFor {
			st.remaining = 0
			return st.Fault, false
		}
	}
	if st.remaining > 0 {
		st.remaining--
	}
	return st.Fault, true
}

// intercept is the strict server's Config.Intercept: it delays and fails the request as its
// API's fault says. Faults come before the strict checks: they stand for a gateway or an
// overloaded server, which fail whatever the request looks like.
func (s *Server) intercept(w http.ResponseWriter, r *http.Request, api tokenserver.API, body []byte) tokenserver.Interception {
	f, fail := s.takeFault(api)
	if f.Delay > 0 && !s.sleep(r.Context(), f.Delay) {
		return tokenserver.Interception{Answered: true} // client gone or server closing: nobody to answer
	}
	if !fail {
		return tokenserver.Interception{}
	}
	answer := s.fail(w, r, f, body)
	answer.Answered, answer.Fault = true, f.FailWith.String()
	return answer
}

// sleep waits d; false if the request or the server ended first.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
	case <-s.done:
	}
	return false
}

const nginx502 = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
`

// fail answers with f.FailWith; body is the request body, already read. It returns what the
// request log should say of the answer beyond what w saw.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, f Fault, body []byte) tokenserver.Interception {
	switch f.FailWith {
	case Fail503:
		setRetryAfter(w, f)
		return writeError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "the server is temporarily unavailable (injected fault)")
	case Fail429:
		setRetryAfter(w, f)
		return writeError(w, http.StatusTooManyRequests, "temporarily_unavailable", "too many requests (injected fault)")
	case Fail500:
		return writeError(w, http.StatusInternalServerError, "server_error", "internal server error (injected fault)")
	case Fail501:
		writeRaw(w, http.StatusNotImplemented, "text/plain; charset=utf-8", "501 Not Implemented\n")
	case FailHTML502:
		writeRaw(w, http.StatusBadGateway, "text/html", nginx502)
	case FailTruncatedJSON:
		// Content-Length matches the bytes sent: the HTTP message is whole, the JSON is not.
		writeRaw(w, http.StatusOK, "application/json", TruncatedJSONBody)
	case FailNoAccessToken:
		writeJSON(w, http.StatusOK, map[string]any{"token_type": "bearer", "expires_in": 3600, "scope": "openid"})
	case FailErrorIn200:
		writeJSON(w, http.StatusOK, map[string]string{"error": "invalid_grant", "error_description": "The user name or password is incorrect."})
	case FailRedirect:
		// The request's path: an API's token path may be a pattern (GitHub's names the installation).
		w.Header().Set("Location", tokenserver.RedirectBase+r.URL.Path)
		w.WriteHeader(http.StatusFound)
	case FailHugeBody:
		hugeBody(w, http.StatusOK, `{"access_token":"`, `"}`)
	case FailSlowDrip:
		s.slowDrip(w, r)
	case FailReset:
		reset(w)
	case FailEchoCredentials:
		_, creds := receivedCredentials(r.Header, body)
		return writeError(w, http.StatusBadRequest, "invalid_request", echoDescription(creds))
	case FailEchoHTML:
		_, creds := receivedCredentials(r.Header, body)
		writeRaw(w, http.StatusBadRequest, "text/html; charset=utf-8", fmt.Sprintf(echoPage, echoDescription(creds)))
	case FailTokensInError:
		return s.tokensInError(w)
	case FailControlChars:
		return writeError(w, http.StatusBadRequest, "invalid_request", controlCharsDescription())
	case FailCutBody401:
		return s.cutBody401(w)
	case FailBadGzip400:
		w.Header().Set("Content-Encoding", "gzip")
		writeRaw(w, http.StatusBadRequest, "application/json", BadGzipBody)
		return tokenserver.Interception{ErrorCode: "invalid_grant"}
	case Fail500InvalidGrant:
		return writeError(w, http.StatusInternalServerError, "invalid_grant", "The user name or password is incorrect.")
	case Fail503HugeBody:
		setRetryAfter(w, f)
		hugeBody(w, http.StatusServiceUnavailable, `{"error":"temporarily_unavailable","error_description":"`, `"}`)
		return tokenserver.Interception{ErrorCode: "temporarily_unavailable"}
	case FailHugeHeader:
		return s.hugeHeader(w)
	case FailRedirectUserinfo:
		secret, _ := receivedCredentials(r.Header, body)
		w.Header().Set("Location", "https://"+url.QueryEscape(secret)+"@"+redirectHost+"/x")
		w.WriteHeader(http.StatusFound)
	case FailRedirectOddHost:
		w.Header().Set("Location", OddHostLocation)
		w.WriteHeader(http.StatusFound)
	case FailSecondaryRateLimit:
		secondaryRateLimit(w, f)
	case FailRateLimitExhausted:
		rateLimitExhausted(w, r, f)
	default:
		return writeError(w, http.StatusInternalServerError, "server_error", fmt.Sprintf("unknown injected failure %v", f.FailWith))
	}
	return tokenserver.Interception{}
}

func setRetryAfter(w http.ResponseWriter, f Fault) {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
}

// writeError answers in the RFC 6749 5.2 shape. Unlike the strict server's, desc may quote
// secrets: the echo faults do so on purpose.
func writeError(w http.ResponseWriter, status int, code, desc string) tokenserver.Interception {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
	return tokenserver.Interception{ErrorCode: code}
}

// writeJSON answers with v as JSON, uncached as a token endpoint's answers are.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v) // only maps of strings and numbers, and raw token JSON
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	writeRaw(w, status, "application/json; charset=utf-8", string(b))
}

func writeRaw(w http.ResponseWriter, status int, contentType, body string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// hugeBody streams a syntactically valid JSON answer of exactly HugeBodySize
// bytes, prefix + "AAAA..." + suffix, so only a client that bounds what it reads rejects it.
func hugeBody(w http.ResponseWriter, status int, prefix, suffix string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(HugeBodySize))
	w.WriteHeader(status)
	if _, err := io.WriteString(w, prefix); err != nil {
		return
	}
	chunk := strings.Repeat("A", 32<<10)
	for left := HugeBodySize - len(prefix) - len(suffix); left > 0; left -= len(chunk) {
		if _, err := io.WriteString(w, chunk[:min(left, len(chunk))]); err != nil {
			return // client stopped reading
		}
	}
	_, _ = io.WriteString(w, suffix)
}

// slowDrip answers 200 and then a few bytes at a time, flushed, until the
// client leaves, the server closes, or slowDripFor passes.
func (s *Server) slowDrip(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	tick := time.NewTicker(slowDripTick)
	defer tick.Stop()
	stop := time.After(slowDripFor)
	chunk := `{"access_token":"`
	for {
		if _, err := io.WriteString(w, chunk); err != nil {
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
		chunk = "drip"
		select {
		case <-tick.C:
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		case <-stop:
			return
		}
	}
}

// reset hijacks the connection and closes it with SO_LINGER 0, so the client
// sees a TCP reset (or EOF) and no answer at all.
func reset(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Cannot hijack (HTTP/2): aborting the handler also drops the answer.
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*tls.Conn); ok {
		conn = tc.NetConn() // skip the TLS close_notify: drop the raw connection
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

// EchoedForms returns v the ways FailEchoCredentials and FailEchoHTML quote it: raw;
// form-encoded with "+" and with "%20" for a space; JSON-escaped as Go's encoding/json does
// (\u0026 \u003c \u003e); JSON-escaped as .NET's System.Text.Json does (upper-case hex, and
// + ' " ` escaped too); HTML-escaped (&amp; &#39; &#34; &lt; &gt;); and upper-cased. A leak
// scan can look for each.
func EchoedForms(v string) []string {
	form := url.QueryEscape(v)
	return []string{v, form, strings.ReplaceAll(form, "+", "%20"), goJSONEscape(v),
		dotnetJSONEscape(v), html.EscapeString(v), strings.ToUpper(v)}
}

// echoDescription is the error description of the echo failures: every credential in every form
// of EchoedForms.
func echoDescription(creds []string) string {
	if len(creds) == 0 {
		return "Invalid client or user credentials; the request carried none."
	}
	var b strings.Builder
	b.WriteString("Invalid client or user credentials.")
	labels := []string{"raw", "form", "form20", "json", "dotnet", "html", "upper"}
	for i, c := range creds {
		fmt.Fprintf(&b, " Credential %d:", i+1)
		for j, e := range EchoedForms(c) {
			fmt.Fprintf(&b, " %s=%s", labels[j], e)
		}
		b.WriteString(";")
	}
	return b.String()
}

const echoPage = `<!DOCTYPE html>
<html>
<head><title>400 Bad Request</title></head>
<body>
<h1>Bad Request</h1>
<p>%s</p>
</body>
</html>
`

// goJSONEscape is v as encoding/json writes it inside a string, HTML escaping included.
func goJSONEscape(v string) string {
	b, _ := json.Marshal(v) // a string always marshals
	return string(b[1 : len(b)-1])
}

// dotnetJSONEscape is v as System.Text.Json's default encoder writes it inside a string: the
// short escapes for \ \n \r \t \b \f, and \uXXXX in upper-case hex for other control
// characters, for everything outside ASCII (UTF-16, surrogate pairs beyond U+FFFF) and for the
// HTML-sensitive " & ' + < > `.
func dotnetJSONEscape(v string) string {
	var b strings.Builder
	for _, r := range v {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			switch {
			case r > 0xFFFF:
				r1, r2 := utf16.EncodeRune(r)
				fmt.Fprintf(&b, `\u%04X\u%04X`, r1, r2)
			case r < 0x20 || r >= 0x7f || strings.ContainsRune("\"&'+<>`", r):
				fmt.Fprintf(&b, `\u%04X`, r)
			default:
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// tokensInError answers 400 with fresh tokens where no token belongs: in the error description
// and next to the error code. Every one is recorded as issued, so a leak scan knows them.
func (s *Server) tokensInError(w http.ResponseWriter) tokenserver.Interception {
	descAccess, descJWT := randomHex(16), fakeJWT()
	access, refresh, id := randomHex(16), randomHex(16)+"-r", fakeJWT()
	s.addIssued(descAccess, descJWT, access, refresh, id)
	writeJSON(w, http.StatusBadRequest, map[string]string{
		"error": "invalid_request",
		"error_description": "The token request was rejected: access_token=" + descAccess +
			" is still active for this client; revoke it first. Current id_token: " + descJWT,
		"access_token":  access,
		"refresh_token": refresh,
		"id_token":      id,
	})
	return tokenserver.Interception{ErrorCode: "invalid_request"}
}

// randomHex returns n random bytes as hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

// fakeJWT is a fresh token shaped like an RS256 JWT, whose signature is random bytes of an
// RSA-2048 signature's length.
func fakeJWT() string {
	now := time.Now()
	claims, _ := json.Marshal(map[string]any{"sub": randomHex(16), "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "jti": randomHex(16)})
	sig := make([]byte, 256)
	_, _ = rand.Read(sig)
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc.EncodeToString(claims) + "." + enc.EncodeToString(sig)
}

// controlCharsDescription is ControlCharsPrefix and ControlCharsPadding bytes of plain text.
func controlCharsDescription() string {
	const sentence = "The request could not be processed. "
	pad := strings.Repeat(sentence, ControlCharsPadding/len(sentence)+1)[:ControlCharsPadding]
	return ControlCharsPrefix + pad
}

// hijack takes over an HTTP/1 connection for an answer net/http would not write, closing it when
// the server closes or a write waits more than hijackedWriteTimeout. Call the returned func when
// done: it closes the connection. ok is false on HTTP/2, which cannot be hijacked.
func (s *Server) hijack(w http.ResponseWriter) (bw *bufio.Writer, done func(), ok bool) {
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return nil, nil, false
	}
	_ = conn.SetWriteDeadline(time.Now().Add(hijackedWriteTimeout))
	stop := make(chan struct{})
	go func() {
		select {
		case <-s.done:
			_ = conn.Close() // unblocks a write to a client that stopped reading
		case <-stop:
		}
	}()
	return brw.Writer, func() {
		close(stop)
		_ = conn.Close()
	}, true
}

// cutBody401 sends a 401 whose headers promise CutBodyLength bytes of JSON, then CutBodyPrefix
// only, and closes the connection: the client's body read fails mid-body.
func (s *Server) cutBody401(w http.ResponseWriter) tokenserver.Interception {
	answer := tokenserver.Interception{ErrorCode: "invalid_client", Status: http.StatusUnauthorized}
	bw, done, ok := s.hijack(w)
	if !ok {
		// HTTP/2: send the promise and the prefix, then reset the stream.
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", strconv.Itoa(CutBodyLength))
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, CutBodyPrefix)
		_ = http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler)
	}
	defer done()
	_, _ = fmt.Fprintf(bw, "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"+
		"WWW-Authenticate: Basic realm=\"tokenserver\"\r\nCache-Control: no-store\r\n\r\n%s", CutBodyLength, CutBodyPrefix)
	_ = bw.Flush()
	return answer
}

// hugeHeader answers 200 with an X-Padding header of HugeHeaderSize bytes and then a token
// response. On HTTP/1 it streams the header from one small chunk over the hijacked connection, so
// a request holds no 12 MiB string; HTTP/2 cannot be hijacked and builds the header whole.
func (s *Server) hugeHeader(w http.ResponseWriter) tokenserver.Interception {
	token := randomHex(16)
	s.addIssued(token)
	body, _ := json.Marshal(map[string]any{"access_token": token, "token_type": "bearer", "expires_in": 3600})
	bw, done, ok := s.hijack(w)
	if !ok {
		w.Header().Set("X-Padding", strings.Repeat("a", HugeHeaderSize))
		writeJSON(w, http.StatusOK, json.RawMessage(body))
		return tokenserver.Interception{}
	}
	defer done()
	_, _ = bw.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n" +
		"Cache-Control: no-store\r\nPragma: no-cache\r\nConnection: close\r\nX-Padding: ")
	chunk := strings.Repeat("a", 32<<10)
	for left := HugeHeaderSize; left > 0; left -= len(chunk) {
		if _, err := bw.WriteString(chunk[:min(left, len(chunk))]); err != nil {
			return tokenserver.Interception{Status: http.StatusOK} // client gave up on the header
		}
	}
	_, _ = fmt.Fprintf(bw, "\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	_ = bw.Flush()
	return tokenserver.Interception{Status: http.StatusOK}
}

// receivedCredentials finds the secrets a request carries, whatever shape it has: the HTTP Basic
// credentials (the base64 string as sent, and the secret it decodes to), and client_secret and
// password in a JSON or form body. all lists each once, in that order; clientSecret is the Basic
// secret, else the body's client_secret. The faults that model hostile servers use it, so it
// parses leniently: a malformed request still has its secrets found.
func receivedCredentials(h http.Header, body []byte) (clientSecret string, all []string) {
	add := func(v string) {
		if v != "" && !slices.Contains(all, v) {
			all = append(all, v)
		}
	}
	for _, v := range h.Values("Authorization") {
		scheme, cred, ok := strings.Cut(strings.TrimSpace(v), " ")
		if !ok || !strings.EqualFold(scheme, "Basic") {
			continue
		}
		cred = strings.TrimSpace(cred)
		add(cred)
		if raw, err := base64.StdEncoding.DecodeString(cred); err == nil {
			if _, secret, ok := strings.Cut(string(raw), ":"); ok {
				add(secret)
				if clientSecret == "" {
					clientSecret = secret
				}
			}
		}
	}
	fields := map[string][]string{}
	var obj map[string]any
	if json.Unmarshal(body, &obj) == nil {
		for k, v := range obj {
			if s, ok := v.(string); ok {
				fields[k] = []string{s}
			}
		}
	} else {
		fields, _ = url.ParseQuery(string(body)) // keeps the pairs that parse
	}
	for _, k := range []string{"client_secret", "password"} {
		for _, v := range fields[k] {
			add(v)
			if k == "client_secret" && clientSecret == "" {
				clientSecret = v
			}
		}
	}
	return clientSecret, all
}

// SecondaryRateLimitMessage starts the message of a FailSecondaryRateLimit answer, GitHub's; the
// request ID follows it.
const SecondaryRateLimitMessage = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. " +
	"If you reach out to GitHub Support for help, please include the request ID "

// gitHubRateLimitDoc is the documentation GitHub's rate limit errors link.
const gitHubRateLimitDoc = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api"

// rateLimitSeconds is the fault's RetryAfter as seconds, or 60 (ParseFault checks the value).
func rateLimitSeconds(f Fault) int {
	if !isSeconds(f.RetryAfter) {
		return 60
	}
	n, _ := strconv.Atoi(f.RetryAfter)
	return n
}

// secondaryRateLimit answers as GitHub does when a client trips a secondary rate limit (too many
// requests at once or per minute): 403 with Retry-After, while the hourly quota still has room.
func secondaryRateLimit(w http.ResponseWriter, f Fault) {
	w.Header().Set("Retry-After", strconv.Itoa(rateLimitSeconds(f)))
	tokenserver.SetGitHubRateHeaders(w.Header(), tokenserver.GitHubRateLimit, 10, time.Now().Add(time.Hour))
	gitHubError(w, http.StatusForbidden, SecondaryRateLimitMessage+gitHubRequestID()+".",
		gitHubRateLimitDoc+"#about-secondary-rate-limits")
}

// rateLimitExhausted answers as GitHub does when the hourly quota is spent: 403, no requests
// remaining until x-ratelimit-reset, and a message naming the installation of the request's path
// (its first segment of digits).
func rateLimitExhausted(w http.ResponseWriter, r *http.Request, f Fault) {
	tokenserver.SetGitHubRateHeaders(w.Header(), tokenserver.GitHubRateLimit, tokenserver.GitHubRateLimit,
		time.Now().Add(time.Duration(rateLimitSeconds(f))*time.Second))
	message := "API rate limit exceeded."
	for seg := range strings.SplitSeq(r.URL.Path, "/") {
		if _, err := strconv.ParseUint(seg, 10, 64); err == nil {
			message = "API rate limit exceeded for installation ID " + seg + "."
			break
		}
	}
	gitHubError(w, http.StatusForbidden, message, gitHubRateLimitDoc+"#about-primary-rate-limits")
}

// gitHubError answers in GitHub's error shape.
func gitHubError(w http.ResponseWriter, status int, message, doc string) {
	writeJSON(w, status, tokenserver.GitHubError(status, message, doc))
}

// gitHubRequestID is shaped like GitHub's X-GitHub-Request-Id: five hex groups separated by ':'.
func gitHubRequestID() string {
	id := strings.ToUpper(randomHex(10))
	return id[0:4] + ":" + id[4:8] + ":" + id[8:12] + ":" + id[12:16] + ":" + id[16:20]
}
