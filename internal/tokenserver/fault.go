package tokenserver

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// Fault disturbs the requests that follow to one API, until cleared.
type Fault struct {
	Delay      time.Duration // sleep before answering every request (ends early if the client goes away)
	FailTimes  int           // the next N requests fail with FailWith, then requests succeed; Always (-1) fails every one; 0 none
	FailWith   Failure       // what those failures are
	RetryAfter string        // Retry-After header value sent with 429 and 503 failures, if set
}

// Always as Fault.FailTimes fails every request.
const Always = -1

// Failure is a kind of broken answer.
type Failure int

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
	FailRedirect              // 302 to RedirectBase + the API's path
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
)

var failureNames = [...]string{"none", "503", "reset", "429", "html502", "truncated-json",
	"no-access-token", "error-in-200", "huge-body", "slow-drip", "redirect", "500", "501",
	"echo-credentials", "echo-html", "tokens-in-error", "control-chars", "cut-body-401",
	"bad-gzip-400", "500-invalid-grant", "503-huge-body", "huge-header", "redirect-userinfo",
	"redirect-odd-host"}

func (f Failure) String() string {
	if f >= 0 && int(f) < len(failureNames) {
		return failureNames[f]
	}
	return "Failure(" + strconv.Itoa(int(f)) + ")"
}

// HugeBodySize is the exact length of a FailHugeBody answer (5 MiB).
const HugeBodySize = 5 << 20

// RedirectBase is where FailRedirect points: a host that can never resolve.
const RedirectBase = "https://" + redirectHost

// redirectHost is the host of RedirectBase, where FailRedirectUserinfo points too.
const redirectHost = "elsewhere.example.invalid"

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
	remaining int // failures left; negative: always
}

// SetFault sets the fault for the requests that follow to api; Fault{} clears it.
func (s *Server) SetFault(api API, f Fault) {
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
func (s *Server) takeFault(api API) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.faults[api]
	if st == nil {
		return Fault{}, false
	}
	if st.FailWith == FailNone || st.remaining == 0 {
		return st.Fault, false
	}
	if st.remaining > 0 {
		st.remaining--
	}
	return st.Fault, true
}

// applyFault delays and fails the request as its API's fault says. It
// returns true when the request should go on to the normal handler.
func (s *Server) applyFault(w *response, r *http.Request, api API, body []byte) bool {
	f, fail := s.takeFault(api)
	if f.Delay > 0 && !s.sleep(r.Context(), f.Delay) {
		return false // client gone or server closing: nobody to answer
	}
	if !fail {
		return true
	}
	w.fault = f.FailWith
	s.fail(w, r, api, f, body)
	return false
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

// fail answers with f.FailWith; body is the request body, already read.
func (s *Server) fail(w *response, r *http.Request, api API, f Fault, body []byte) {
	switch f.FailWith {
	case Fail503:
		setRetryAfter(w, f)
		writeError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "the server is temporarily unavailable (injected fault)")
	case Fail429:
		setRetryAfter(w, f)
		writeError(w, http.StatusTooManyRequests, "temporarily_unavailable", "too many requests (injected fault)")
	case Fail500:
		writeError(w, http.StatusInternalServerError, "server_error", "internal server error (injected fault)")
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
		w.Header().Set("Location", RedirectBase+api.Path())
		w.WriteHeader(http.StatusFound)
	case FailHugeBody:
		hugeBody(w, http.StatusOK, `{"access_token":"`, `"}`)
	case FailSlowDrip:
		s.slowDrip(w, r)
	case FailReset:
		reset(w)
	case FailEchoCredentials:
		_, creds := receivedCredentials(r.Header, body)
		w.errCode = "invalid_request" // not writeError: this description holds secrets on purpose
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": echoDescription(creds)})
	case FailEchoHTML:
		_, creds := receivedCredentials(r.Header, body)
		writeRaw(w, http.StatusBadRequest, "text/html; charset=utf-8", fmt.Sprintf(echoPage, echoDescription(creds)))
	case FailTokensInError:
		s.tokensInError(w)
	case FailControlChars:
		writeError(w, http.StatusBadRequest, "invalid_request", controlCharsDescription())
	case FailCutBody401:
		s.cutBody401(w)
	case FailBadGzip400:
		w.errCode = "invalid_grant"
		w.Header().Set("Content-Encoding", "gzip")
		writeRaw(w, http.StatusBadRequest, "application/json", BadGzipBody)
	case Fail500InvalidGrant:
		writeError(w, http.StatusInternalServerError, "invalid_grant", "The user name or password is incorrect.")
	case Fail503HugeBody:
		setRetryAfter(w, f)
		w.errCode = "temporarily_unavailable"
		hugeBody(w, http.StatusServiceUnavailable, `{"error":"temporarily_unavailable","error_description":"`, `"}`)
	case FailHugeHeader:
		s.hugeHeader(w)
	case FailRedirectUserinfo:
		secret, _ := receivedCredentials(r.Header, body)
		w.Header().Set("Location", "https://"+url.QueryEscape(secret)+"@"+redirectHost+"/x")
		w.WriteHeader(http.StatusFound)
	case FailRedirectOddHost:
		w.Header().Set("Location", OddHostLocation)
		w.WriteHeader(http.StatusFound)
	default:
		writeError(w, http.StatusInternalServerError, "server_error", fmt.Sprintf("unknown injected failure %v", f.FailWith))
	}
}

func setRetryAfter(w http.ResponseWriter, f Fault) {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
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
func (s *Server) tokensInError(w *response) {
	jwt := func() string {
		now := time.Now()
		return makeJWT(`{"alg":"RS256","typ":"JWT"}`, struct {
			Sub string `json:"sub"`
			Iat int64  `json:"iat"`
			Exp int64  `json:"exp"`
			Jti string `json:"jti"`
		}{derivedUUID("leaked"), now.Unix(), now.Add(time.Hour).Unix(), randomHex(16)})
	}
	descAccess, descJWT := randomHex(16), jwt()
	access, refresh, id := randomHex(16), randomHex(16)+"-r", jwt()
	s.addIssued(descAccess, descJWT, access, refresh, id)
	w.errCode = "invalid_request" // not writeError: this answer holds tokens on purpose
	writeJSON(w, http.StatusBadRequest, map[string]string{
		"error": "invalid_request",
		"error_description": "The token request was rejected: access_token=" + descAccess +
			" is still active for this client; revoke it first. Current id_token: " + descJWT,
		"access_token":  access,
		"refresh_token": refresh,
		"id_token":      id,
	})
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
func (s *Server) cutBody401(w *response) {
	w.status, w.errCode = http.StatusUnauthorized, "invalid_client"
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
}

// hugeHeader answers 200 with an X-Padding header of HugeHeaderSize bytes and then a token
// response. On HTTP/1 it streams the header from one small chunk over the hijacked connection, so
// a request holds no 12 MiB string; HTTP/2 cannot be hijacked and builds the header whole.
func (s *Server) hugeHeader(w *response) {
	token := randomHex(16)
	s.addIssued(token)
	body, _ := json.Marshal(map[string]any{"access_token": token, "token_type": "bearer", "expires_in": 3600})
	bw, done, ok := s.hijack(w)
	if !ok {
		w.Header().Set("X-Padding", strings.Repeat("a", HugeHeaderSize))
		writeJSON(w, http.StatusOK, json.RawMessage(body))
		return
	}
	defer done()
	w.status = http.StatusOK
	_, _ = bw.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n" +
		"Cache-Control: no-store\r\nPragma: no-cache\r\nConnection: close\r\nX-Padding: ")
	chunk := strings.Repeat("a", 32<<10)
	for left := HugeHeaderSize; left > 0; left -= len(chunk) {
		if _, err := bw.WriteString(chunk[:min(left, len(chunk))]); err != nil {
			return // client gave up on the header
		}
	}
	_, _ = fmt.Fprintf(bw, "\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	_ = bw.Flush()
}
