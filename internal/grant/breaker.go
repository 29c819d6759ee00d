package grant

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// The client's memory of each token host, shared by all its grants, so that N token blocks
// against a failing host cost about what one does (DESIGN.md, "Failure memory"):
//
//   - a circuit breaker: while a host has not answered yet, or failed its last request in a way
//     worth retrying, one grant at a time (the probe) may send, with its retries, and the others
//     wait for its outcome. When the probe stops on such a failure the circuit opens: every grant
//     fails at once without a request, until a probe let through after probeAfter succeeds;
//   - a retry budget: a host gets at most MaxRetries retries plus one for every five first attempts;
//   - shared waits: a 429 or 503 with Retry-After holds every grant to that host until then.
//
// Any answer that is not worth retrying (a token, a wrong password, any other 4xx, a refused
// certificate) shows that the host works: it closes the circuit, and stays the grant's own failure.

type circuit int

const (
	halfOpen circuit = iota // new or failing: only the probe sends
	closed                  // answering: every grant sends
	open                    // a grant stopped on a retryable failure: none sends, but a probe after probeAfter
)

// retryShare is the retry budget's ratio: one retry for every five first attempts, on top of one
// grant's own MaxRetries (so a lone grant keeps its whole schedule).
const retryShare = 5

// probeAfterBackoffs is how long an open circuit turns every grant away, in first backoff
// steps: 5 s with the default 250 ms.
const probeAfterBackoffs = 20

// hostMemory is what one Client knows of each host it sent to.
type hostMemory struct {
	mu         sync.Mutex
	hosts      map[string]*hostState
	retryFloor int           // retries the budget always allows
	probeAfter time.Duration // how long an open circuit turns every grant away
	timeout    time.Duration // the client's time limit, for the messages
}

type hostState struct {
	circuit       circuit
	probe         *visit // the grant that alone may send while half-open; nil: the next one to ask
	openedAt      time.Time
	failure       *Error    // the last retryable failure: what an open circuit or a hold tells the grants it stops
	holdUntil     time.Time // Retry-After: no request before then
	firstAttempts int       // the retry budget's account
	retries       int
	changed       chan struct{} // closed and replaced when the probe leaves or the circuit changes
}

func newHostMemory(cfg Config) *hostMemory {
	return &hostMemory{hosts: map[string]*hostState{}, retryFloor: cfg.MaxRetries,
		probeAfter: probeAfterBackoffs * cfg.RetryBaseDelay, timeout: cfg.Timeout}
}

// visit is one exchange's dealings with its host, from the first attempt to the last.
type visit struct {
	m          *hostMemory
	st         *hostState
	host       string
	start      time.Time
	failures   []int         // the status of each failed attempt, 0 where no answer came
	waited     time.Duration // time held by a Retry-After, its own or one another grant heard
	heldSince  time.Time     // when the current Retry-After wait began; zero when none
	lastPassed time.Time
}

func (m *hostMemory) visit(host string) *visit {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.hosts[host]
	if st == nil {
		st = &hostState{changed: make(chan struct{})}
		m.hosts[host] = st
	}
	return &visit{m: m, st: st, host: host, start: time.Now()}
}

// notify wakes the grants waiting for the probe. The caller holds m.mu.
func (st *hostState) notify() {
	close(st.changed)
	st.changed = make(chan struct{})
}

// admit waits until v may send its next attempt; last is v's previous failure, nil before its
// first attempt. It returns why v may not send (the circuit is open, the retry budget is spent,
// or a Retry-After ends past ctx's deadline), or ended when ctx ended while v waited.
func (v *visit) admit(ctx context.Context, r Request, last *Error) (refusal *Error, ended bool) {
	m, st := v.m, v.st
	deadline, _ := ctx.Deadline()
	for {
		m.mu.Lock()
		now := time.Now()
		if st.circuit == open {
			if st.probe != nil || now.Sub(st.openedAt) < m.probeAfter {
				refusal = v.refuse(r, last, "the host failed another grant after its retries, and is not asked again yet")
				m.mu.Unlock()
				return refusal, false
			}
			st.circuit = halfOpen // time for a probe: this grant asked first
		}
		if last != nil && st.retries >= m.retryFloor+st.firstAttempts/retryShare {
			refusal = v.refuse(r, last, fmt.Sprintf("the retries to %s are used up for this run (%d, that is "+
				"one grant's retries and one for every %d first attempts)", v.host, st.retries, retryShare))
			v.openLocked(refusal)
			m.mu.Unlock()
			return refusal, false
		}
		if wait := st.holdUntil.Sub(now); wait > 0 {
			if !deadline.IsZero() && deadline.Sub(now) <= wait {
				refusal = v.refuse(r, last, fmt.Sprintf("the server asked to wait %s (Retry-After), past the time limit of %s",
					describeWait(wait), m.timeout))
				refusal.RetryAfter, refusal.TimeLimit = wait, m.timeout
				if last != nil {
					v.openLocked(refusal)
				}
				m.mu.Unlock()
				return refusal, false
			}
			if v.heldSince.IsZero() {
				v.heldSince = now
			}
			m.mu.Unlock()
			if !sleep(ctx, wait) {
				return nil, true
			}
			continue
		}
		if st.circuit == halfOpen && st.probe != nil && st.probe != v {
			changed := st.changed
			m.mu.Unlock()
			select {
			case <-changed:
				continue
			case <-ctx.Done():
				return nil, true
			}
		}
		if st.circuit == halfOpen {
			st.probe = v
		}
		if last != nil {
			st.retries++
		} else {
			st.firstAttempts++
		}
		if !v.heldSince.IsZero() {
			v.waited += now.Sub(v.heldSince)
			v.heldSince = time.Time{}
		}
		m.mu.Unlock()
		return nil, false
	}
}

// refuse is the error of a grant the host's memory stops: its own last failure with the reason
// when it has sent before, else a KindHostFailing error that tells the host's last failure. The
// caller holds m.mu.
func (v *visit) refuse(r Request, last *Error, why string) *Error {
	if last != nil {
		e := *last
		e.Message = joinMessage(e.Message, "not retried: "+why)
		return &e
	}
	earlier := v.st.failure
	return &Error{API: r.API, Host: v.host, Kind: KindHostFailing, GrantType: r.GrantType, ClientAuth: r.clientAuth(),
		Status: earlier.Status, Code: earlier.Code, Description: earlier.Description, Snippet: earlier.Snippet,
		Message: joinMessage(earlier.Message, why), Err: earlier}
}

// record notes the outcome of one attempt: failure is nil for a success. retryAfter is the
// server's Retry-After with that failure.
func (v *visit) record(failure *Error, retryAfter time.Duration) {
	m, st := v.m, v.st
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	v.lastPassed = now
	if failure != nil {
		v.failures = append(v.failures, failure.Status)
	}
	switch {
	case failure == nil || (!failure.retryable() && failure.Kind != KindTimeout && failure.Kind != KindCanceled):
		// An answer, even a refusal of this grant's own: the host works.
		st.circuit, st.probe = closed, nil
		st.notify()
	case failure.retryable():
		st.failure = failure
		if retryAfter > 0 {
			v.heldSince = now
			// GitHub's rate limits are 403s its API marks (API.throttled): they hold the host too.
			if failure.rateLimited || failure.Status == http.StatusTooManyRequests || failure.Status == http.StatusServiceUnavailable {
				st.holdUntil = later(st.holdUntil, now.Add(retryAfter))
			}
		}
		if st.circuit == closed {
			st.circuit = halfOpen // the next grant to ask probes; the others wait for it
		}
	}
}

// giveUp is the end of a grant that stops on failure: a retryable one, or the time limit running
// out on the host, opens the circuit. It returns failure.
func (v *visit) giveUp(failure *Error) *Error {
	// Grant's time limit ends the exchange's context from outside: it looks canceled here.
	timedOut := failure.Kind == KindTimeout || (failure.Kind == KindCanceled && errors.Is(failure.Err, context.DeadlineExceeded))
	if !failure.retryable() && !timedOut {
		return failure
	}
	remembered := failure
	if timedOut {
		e := *failure
		e.Kind, e.Message = KindTimeout, fmt.Sprintf("no answer within the time limit of %s", v.m.timeout)
		remembered = &e
	}
	v.m.mu.Lock()
	defer v.m.mu.Unlock()
	v.openLocked(remembered)
	return failure
}

// openLocked opens the circuit on failure, the last of a grant that stopped. The caller holds m.mu.
func (v *visit) openLocked(failure *Error) {
	st := v.st
	st.circuit, st.openedAt, st.failure, st.probe = open, time.Now(), failure, nil
	st.notify()
}

// leave ends the visit: a probe that leaves lets the next grant probe.
func (v *visit) leave() {
	m, st := v.m, v.st
	m.mu.Lock()
	defer m.mu.Unlock()
	if st.probe == v {
		st.probe = nil
		st.notify()
	}
}

// Slow says why a grant that succeeded took long: it needed retries, or it waited on a
// Retry-After. It holds no secret.
type Slow struct {
	Host       string
	Attempts   int
	Elapsed    time.Duration // from the grant's first attempt to its token
	Failures   []int         // the HTTP status of each failed attempt, in order; 0 where no answer came
	RetryAfter time.Duration // how long it waited on Retry-After, its own or one another grant to the host heard
}

// slow is the Slow of a grant whose last attempt succeeded; nil when it was not slow.
func (v *visit) slow(attempts int) *Slow {
	v.m.mu.Lock()
	defer v.m.mu.Unlock()
	if attempts <= 1 && v.waited == 0 {
		return nil
	}
	return &Slow{Host: v.host, Attempts: attempts, Elapsed: v.lastPassed.Sub(v.start),
		Failures: append([]int(nil), v.failures...), RetryAfter: v.waited}
}

// sleep waits d; false if ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
