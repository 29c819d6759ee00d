package tokenserver

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
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
)

var failureNames = [...]string{"none", "503", "reset", "429", "html502", "truncated-json",
	"no-access-token", "error-in-200", "huge-body", "slow-drip", "redirect", "500", "501"}

func (f Failure) String() string {
	if f >= 0 && int(f) < len(failureNames) {
		return failureNames[f]
	}
	return "Failure(" + strconv.Itoa(int(f)) + ")"
}

// HugeBodySize is the exact length of a FailHugeBody answer (5 MiB).
const HugeBodySize = 5 << 20

// RedirectBase is where FailRedirect points: a host that can never resolve.
const RedirectBase = "https://elsewhere.example.invalid"

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
func (s *Server) applyFault(w *response, r *http.Request, api API) bool {
	f, fail := s.takeFault(api)
	if f.Delay > 0 && !s.sleep(r.Context(), f.Delay) {
		return false // client gone or server closing: nobody to answer
	}
	if !fail {
		return true
	}
	w.fault = f.FailWith
	s.fail(w, r, api, f)
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

func (s *Server) fail(w *response, r *http.Request, api API, f Fault) {
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
		hugeBody(w)
	case FailSlowDrip:
		s.slowDrip(w, r)
	case FailReset:
		reset(w)
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

// hugeBody streams a syntactically valid token response of exactly
// HugeBodySize bytes, so only a client that bounds what it reads rejects it.
func hugeBody(w http.ResponseWriter) {
	const prefix, suffix = `{"access_token":"`, `"}`
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(HugeBodySize))
	w.WriteHeader(http.StatusOK)
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
