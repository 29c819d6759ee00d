package grant_test

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver/hostile"
)

// Tests of the client's memory of each host (breaker.go): the circuit breaker, the retry budget
// and the shared Retry-After waits. Each fails when its piece is taken out.

// breakerClient is newClient with a first backoff step of 100 ms: a grant's whole schedule is
// under 0.7 s, and an open circuit turns grants away for 2 s (20 steps), far longer than the few
// milliseconds between two grants of a test.
func breakerClient(t *testing.T, mutate ...func(*grant.Config)) *grant.Client {
	t.Helper()
	return newClient(t, append([]func(*grant.Config){func(c *grant.Config) {
		c.RetryBaseDelay, c.Timeout = 100*time.Millisecond, time.Minute
	}}, mutate...)...)
}

// distinctPartner is the i-th of many different grants (the token server grants any partner
// scope), so that nothing is shared between them but the host.
func distinctPartner(base string, i int) grant.Request {
	r := testsupport.Request(grant.Partner, base)
	r.Scope = fmt.Sprintf("fleet:%d", i)
	return r
}

func asGrantError(t *testing.T, err error) *grant.Error {
	t.Helper()
	var ge *grant.Error
	if !errors.As(err, &ge) {
		t.Fatalf("want a *grant.Error, got %v", err)
	}
	return ge
}

// TestCircuitOpensAfterAGrantsRetries: once a grant has used up its retries on a 502, the next
// grant to the host sends nothing and says why: the last status, an earlier grant, no request.
func TestCircuitOpensAfterAGrantsRetries(t *testing.T) {
	srv, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
	srv.SetFault(tokenserver.Partner, hostile.Fault{FailTimes: hostile.Always, FailWith: hostile.FailHTML502})
	c := breakerClient(t)

	_, err := c.Grant(context.Background(), distinctPartner(ts.URL, 1))
	if ge := asGrantError(t, err); ge.Kind != grant.KindStatus || ge.Status != 502 || ge.Attempts != 1+grant.DefaultMaxRetries {
		t.Fatalf("the first grant: want HTTP 502 after %d attempts, got %v", 1+grant.DefaultMaxRetries, err)
	}
	req := distinctPartner(ts.URL, 2)
	_, err = c.Grant(context.Background(), req)
	ge := asGrantError(t, err)
	if ge.Kind != grant.KindHostFailing || ge.Reason() != grant.ReasonHostFailing || ge.Status != 502 || ge.Attempts != 0 {
		t.Errorf("the second grant: want KindHostFailing with the last status 502 and no attempt, got kind %d status %d attempts %d: %v",
			ge.Kind, ge.Status, ge.Attempts, err)
	}
	for _, want := range []string{"HTTP 502", "failed an earlier grant", "after 4 attempts", "no request was sent for this grant"} {
		if !strings.Contains(ge.Error(), want) {
			t.Errorf("the error does not say %q: %s", want, ge.Error())
		}
	}
	testsupport.AssertNoSecret(t, "the error", ge.Error(), testsupport.SecretForms(req)...)
	if n := srv.Requests(tokenserver.Partner); n != 1+grant.DefaultMaxRetries {
		t.Errorf("the server saw %d requests, want %d: the second grant sent some", n, 1+grant.DefaultMaxRetries)
	}
}

// TestCircuitOpensOnAHostThatDoesNotAnswer: a grant whose time limit ends while the host holds
// its request opens the circuit as a 5xx would: the next grant sends nothing and says why.
func TestCircuitOpensOnAHostThatDoesNotAnswer(t *testing.T) {
	srv, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
	srv.SetFault(tokenserver.Partner, hostile.Fault{Delay: 5 * time.Minute})
	c := breakerClient(t, func(c *grant.Config) { c.Timeout = time.Second })
	if _, err := c.Grant(context.Background(), distinctPartner(ts.URL, 1)); asGrantError(t, err).Kind != grant.KindTimeout {
		t.Fatalf("the first grant: want a timeout, got %v", err)
	}
	_, err := c.Grant(context.Background(), distinctPartner(ts.URL, 2))
	if ge := asGrantError(t, err); ge.Kind != grant.KindHostFailing || !strings.Contains(ge.Error(), "no answer within the time limit of 1s") {
		t.Errorf("the second grant: want KindHostFailing telling the time limit, got %v", err)
	}
	if n := srv.Requests(tokenserver.Partner); n != 1 {
		t.Errorf("the server saw %d requests, want 1", n)
	}
}

// TestOutageCostsOneSchedule: 100 distinct grants starting together against a host that answers
// 502, or whose port is closed, cost one grant's attempts (the target allows twice that), and
// every grant fails.
func TestOutageCostsOneSchedule(t *testing.T) {
	const n = 100
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T) (base string, served func() int)
	}{
		{"502", func(t *testing.T) (string, func() int) {
			srv, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
			srv.SetFault(tokenserver.Partner, hostile.Fault{FailTimes: hostile.Always, FailWith: hostile.FailHTML502})
			return ts.URL, func() int { return srv.Requests(tokenserver.Partner) }
		}},
		{"closed port", func(t *testing.T) (string, func() int) { return "http://" + closedPort(t), nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base, served := tc.setup(t)
			var attempts atomic.Int32
			c := breakerClient(t, func(c *grant.Config) { c.OnAttempt = func(context.Context, grant.Attempt) { attempts.Add(1) } })
			_, errs := grantAll(c, n, func(i int) grant.Request { return distinctPartner(base, i) })
			refused := 0
			for i, err := range errs {
				if err == nil {
					t.Fatalf("grant %d succeeded against a failing host", i)
				}
				if asGrantError(t, err).Kind == grant.KindHostFailing {
					refused++
				}
			}
			limit := 2 * (1 + grant.DefaultMaxRetries)
			if got := int(attempts.Load()); got > limit {
				t.Errorf("%d grants made %d attempts, want at most %d", n, got, limit)
			}
			if served != nil && served() != int(attempts.Load()) {
				t.Errorf("the server saw %d requests, the client reported %d attempts", served(), attempts.Load())
			}
			if refused < n-2 {
				t.Errorf("%d of %d grants were refused without a request, want all but the one or two that tried", refused, n)
			}
		})
	}
}

// closedPort is a loopback address where nothing listens.
func closedPort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestAProbeClosesTheCircuit: after the circuit has turned grants away for a while, one grant
// may try again, and its success lets every grant through.
func TestAProbeClosesTheCircuit(t *testing.T) {
	srv, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
	srv.SetFault(tokenserver.Partner, hostile.Fault{FailTimes: hostile.Always, FailWith: hostile.Fail503})
	c := breakerClient(t)
	if _, err := c.Grant(context.Background(), distinctPartner(ts.URL, 1)); err == nil {
		t.Fatal("want the first grant to fail")
	}
	if _, err := c.Grant(context.Background(), distinctPartner(ts.URL, 2)); asGrantError(t, err).Kind != grant.KindHostFailing {
		t.Fatalf("want the second grant refused, got %v", err)
	}
	srv.SetFault(tokenserver.Partner, hostile.Fault{}) // the host recovers
	time.Sleep(2100 * time.Millisecond)                // 20 backoff steps of 100 ms: probes are let through again
	before := srv.Requests(tokenserver.Partner)
	_, errs := grantAll(c, 10, func(i int) grant.Request { return distinctPartner(ts.URL, 10+i) })
	for i, err := range errs {
		if err != nil {
			t.Errorf("grant %d after the host recovered: %v", i, err)
		}
	}
	if n := srv.Requests(tokenserver.Partner) - before; n != 10 {
		t.Errorf("the 10 grants after recovery sent %d requests, want 10", n)
	}
}

// TestPerGrantFailuresKeepTheCircuitClosed: a wrong password, another 4xx or a refused
// certificate is the grant's own failure: the grants after it are sent as usual.
func TestPerGrantFailuresKeepTheCircuitClosed(t *testing.T) {
	t.Run("wrong password and other 4xx", func(t *testing.T) {
		srv, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
		c := breakerClient(t)
		for i := range 5 {
			bad := testsupport.Request(grant.Tenn, ts.URL)
			bad.Password = fmt.Sprintf("wrong-password-%d", i)
			if _, err := c.Grant(context.Background(), bad); asGrantError(t, err).Reason() != grant.ReasonUserCredentials {
				t.Fatalf("want the wrong password refused, got %v", err)
			}
		}
		srv.SetFault(tokenserver.Tenn, hostile.Fault{FailTimes: 3, FailWith: hostile.FailTokensInError})
		for range 3 {
			if _, err := c.Grant(context.Background(), testsupport.Request(grant.Tenn, ts.URL)); asGrantError(t, err).Status != 400 {
				t.Fatalf("want a 400, got %v", err)
			}
		}
		if _, err := c.Grant(context.Background(), testsupport.Request(grant.Tenn, ts.URL)); err != nil {
			t.Errorf("a good grant after 8 failures of other grants: %v", err)
		}
		if n := srv.Requests(tokenserver.Tenn); n != 9 {
			t.Errorf("%d requests, want 9: one for each grant", n)
		}
	})
	t.Run("refused certificate", func(t *testing.T) {
		_, ts := testsupport.HostileServerTLS(t, tokenserver.DefaultConfig())
		var attempts atomic.Int32
		c := breakerClient(t, func(c *grant.Config) { c.OnAttempt = func(context.Context, grant.Attempt) { attempts.Add(1) } })
		for i := range 5 {
			_, err := c.Grant(context.Background(), distinctPartner(ts.URL, i))
			if ge := asGrantError(t, err); ge.Reason() != grant.ReasonUntrustedCertificate {
				t.Fatalf("grant %d: want the certificate refused, got %v", i, err)
			}
		}
		if n := attempts.Load(); n != 5 {
			t.Errorf("%d attempts, want 5: every grant tries the handshake itself", n)
		}
		// With the CA trusted, the same host works; the failures above were the settings', not the host's.
		caPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}))
		trusting := breakerClient(t, func(c *grant.Config) { c.CACertPEM = caPEM })
		if _, err := trusting.Grant(context.Background(), distinctPartner(ts.URL, 9)); err != nil {
			t.Errorf("with the CA trusted: %v", err)
		}
	})
}

// TestRetryBudget: with every grant's first attempt failing, the retries to the host stay within
// max_retries plus one for every five first attempts, whatever the number of grants; the grant
// the budget stops says so.
func TestRetryBudget(t *testing.T) {
	srv, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
	c := breakerClient(t)
	firsts, stopped := 0, 0
	for i := range 30 {
		before := srv.Requests(tokenserver.Partner)
		srv.SetFault(tokenserver.Partner, hostile.Fault{FailTimes: 1, FailWith: hostile.Fail503})
		_, err := c.Grant(context.Background(), distinctPartner(ts.URL, i))
		if srv.Requests(tokenserver.Partner) > before {
			firsts++
		}
		if err != nil {
			ge := asGrantError(t, err)
			if strings.Contains(ge.Error(), "retries to "+strings.TrimPrefix(ts.URL, "http://")+" are used up") {
				stopped++
			}
		}
	}
	retries := srv.Requests(tokenserver.Partner) - firsts
	if allowed := grant.DefaultMaxRetries + firsts/5; retries > allowed {
		t.Errorf("%d grants that sent retried %d times, want at most %d (max_retries + a fifth of them)", firsts, retries, allowed)
	}
	if stopped == 0 {
		t.Error("no grant was stopped by the retry budget")
	}
}

// TestRetryAfterHoldsEveryGrant: a 429 with Retry-After: 2 to one grant holds every grant to the
// host for 2 s. The server answers 429 for 2 s from its first 429, so any request sent within the
// hold would get a second one.
func TestRetryAfterHoldsEveryGrant(t *testing.T) {
	rateLimit := hostile.Fault{FailTimes: hostile.Always, FailWith: hostile.Fail429, RetryAfter: "2", FailFor: 2 * time.Second}

	t.Run("100 grants starting together", func(t *testing.T) {
		srv, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
		srv.SetFault(tokenserver.Partner, rateLimit)
		tokens, errs := grantAll(breakerClient(t), 100, func(i int) grant.Request { return distinctPartner(ts.URL, i) })
		for i, err := range errs {
			if err != nil {
				t.Fatalf("grant %d: %v", i, err)
			}
		}
		if n := srv.Requests(tokenserver.Partner); n != 101 {
			t.Errorf("%d requests, want 101: one 429, then one token each", n)
		}
		retried := 0
		for _, tok := range tokens {
			if s := tok.Slow; s != nil && s.Attempts == 2 && s.RetryAfter >= time.Second && fmt.Sprint(s.Failures) == "[429]" {
				retried++
			}
		}
		if retried != 1 {
			t.Errorf("%d grants report a 429 and a wait of Retry-After, want 1", retried)
		}
	})

	t.Run("grants arriving during the wait of another", func(t *testing.T) {
		srv, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
		limited := make(chan struct{})
		var once sync.Once
		c := breakerClient(t, func(c *grant.Config) {
			c.OnAttempt = func(_ context.Context, a grant.Attempt) {
				if a.Status == 429 && a.Retry {
					once.Do(func() { close(limited) })
				}
			}
		})
		if _, err := c.Grant(context.Background(), distinctPartner(ts.URL, 0)); err != nil {
			t.Fatal(err) // the host has answered: its circuit is closed, every grant may send
		}
		srv.SetFault(tokenserver.Partner, rateLimit)
		first := make(chan error, 1)
		go func() { _, err := c.Grant(context.Background(), distinctPartner(ts.URL, 1)); first <- err }()
		<-limited // the 429 has been heard

		// A grant whose time limit ends before the wait does fails at once, sending nothing.
		short, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := c.Grant(short, distinctPartner(ts.URL, 2))
		cancel()
		if ge := asGrantError(t, err); ge.Kind != grant.KindHostFailing || ge.RetryAfter == 0 || ge.Status != 429 {
			t.Errorf("a grant with 1 s left during a 2 s wait: want KindHostFailing with the Retry-After, got %v", err)
		}

		tokens, errs := grantAll(c, 20, func(i int) grant.Request { return distinctPartner(ts.URL, 10+i) })
		for i, err := range errs {
			if err != nil {
				t.Errorf("grant %d: %v", i, err)
			} else if s := tokens[i].Slow; s == nil || s.Attempts != 1 || s.RetryAfter <= 0 {
				t.Errorf("grant %d held by the Retry-After another grant heard reports %+v, want 1 attempt and the wait", i, s)
			}
		}
		if err := <-first; err != nil {
			t.Errorf("the grant that got the 429: %v", err)
		}
		if n := srv.Requests(tokenserver.Partner); n != 1+1+1+20 {
			t.Errorf("%d requests, want 23: the first grant, its 429 and its retry, then one for each of 20", n)
		}
	})
}

// TestSlowGrantsReportWhy: a grant that needed retries says how many and what failed; a grant
// that did not reports nothing.
func TestSlowGrantsReportWhy(t *testing.T) {
	srv, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
	c := breakerClient(t)
	tok, err := c.Grant(context.Background(), distinctPartner(ts.URL, 0))
	if err != nil || tok.Slow != nil {
		t.Fatalf("a grant at the first attempt: err %v, slow %+v; want a token and nothing slow", err, tok.Slow)
	}
	srv.SetFault(tokenserver.Partner, hostile.Fault{FailTimes: 2, FailWith: hostile.Fail503})
	tok, err = c.Grant(context.Background(), distinctPartner(ts.URL, 1))
	if err != nil {
		t.Fatal(err)
	}
	s := tok.Slow
	if s == nil || s.Attempts != 3 || fmt.Sprint(s.Failures) != "[503 503]" || s.Host != strings.TrimPrefix(ts.URL, "http://") || s.Elapsed <= 0 {
		t.Errorf("after two 503s: slow %+v, want 3 attempts, failures [503 503], the host and the time", s)
	}
}
