package grant_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver/hostile"
)

// grantAll runs n grants at once and returns the tokens (nil where one failed) and the errors.
func grantAll(c *grant.Client, n int, request func(i int) grant.Request) ([]*grant.Token, []error) {
	tokens, errs := make([]*grant.Token, n), make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { tokens[i], errs[i] = c.Grant(context.Background(), request(i)) })
	}
	wg.Wait()
	return tokens, errs
}

// grantEach runs the grants one after the other, failing the test at the first error.
func grantEach(t *testing.T, c *grant.Client, requests ...grant.Request) {
	t.Helper()
	for i := range requests {
		if _, err := c.Grant(context.Background(), requests[i]); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCoalescing(t *testing.T) {
	t.Run("100 concurrent identical grants send 1 request", func(t *testing.T) {
		srv, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
		srv.SetFault(tokenserver.Partner, hostile.Fault{Delay: time.Second}) // all 100 overlap, even on a busy machine
		tokens, errs := grantAll(newClient(t, reuse(true)), 100, func(int) grant.Request { return testsupport.Request(grant.Partner, ts.URL) })
		for i, err := range errs {
			if err != nil {
				t.Fatalf("grant %d: %v", i, err)
			}
			if tokens[i].AccessToken != tokens[0].AccessToken {
				t.Fatalf("grant %d got a different token", i)
			}
		}
		if n := srv.Requests(tokenserver.Partner); n != 1 {
			t.Errorf("server saw %d requests, want 1", n)
		}
		// Each caller owns its copy.
		tokens[0].Scopes = append(tokens[0].Scopes, "mutated")
		if len(tokens[1].Scopes) == len(tokens[0].Scopes) {
			t.Error("callers share one Scopes slice")
		}
	})

	t.Run("a later identical grant reuses an unexpired token", func(t *testing.T) {
		srv, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
		r := testsupport.Request(grant.Tenn, ts.URL)
		grantEach(t, newClient(t, reuse(true)), r, r, r)
		if n := srv.Requests(tokenserver.Tenn); n != 1 {
			t.Errorf("server saw %d requests, want 1", n)
		}
	})

	t.Run("a token inside its safety margin is not reused", func(t *testing.T) {
		cfg := tokenserver.DefaultConfig()
		cfg.TokenLifetime = 20 * time.Second // under the 30 s minimum margin
		srv, ts := testsupport.HostileServer(t, cfg)
		r := testsupport.Request(grant.Testinium, ts.URL)
		grantEach(t, newClient(t, reuse(true)), r, r)
		if n := srv.Requests(tokenserver.Testinium); n != 2 {
			t.Errorf("server saw %d requests, want 2", n)
		}
	})

	t.Run("different scopes or users are different grants", func(t *testing.T) {
		srv, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
		a, b := testsupport.Request(grant.Tenn, ts.URL), testsupport.Request(grant.Tenn, ts.URL)
		b.Scope = "openid"
		grantEach(t, newClient(t, reuse(true)), a, b)
		if n := srv.Requests(tokenserver.Tenn); n != 2 {
			t.Errorf("server saw %d requests, want 2", n)
		}
	})

	t.Run("failures are shared with waiters but never cached", func(t *testing.T) {
		srv, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
		srv.SetFault(tokenserver.Tenn, hostile.Fault{Delay: time.Second}) // all 10 overlap
		c := newClient(t, reuse(true))
		bad := testsupport.Request(grant.Tenn, ts.URL)
		bad.Password = "wrong-password-1"
		_, errs := grantAll(c, 10, func(int) grant.Request { return bad })
		for _, err := range errs {
			if err == nil {
				t.Fatal("a waiter got no error")
			}
		}
		if _, err := c.Grant(context.Background(), bad); err == nil {
			t.Fatal("want the error again")
		}
		if n := srv.Requests(tokenserver.Tenn); n != 2 {
			t.Errorf("server saw %d requests, want 2 (one shared, one after it)", n)
		}
	})

	t.Run("reuse off sends every grant", func(t *testing.T) {
		srv, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
		_, errs := grantAll(newClient(t, reuse(false)), 10, func(int) grant.Request { return testsupport.Request(grant.Partner, ts.URL) })
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := srv.Requests(tokenserver.Partner); n != 10 {
			t.Errorf("server saw %d requests, want 10", n)
		}
	})
}

// TestConcurrentDistinctGrants runs 100 different grants at once on one client (run with -race).
func TestConcurrentDistinctGrants(t *testing.T) {
	cfg := tokenserver.DefaultConfig()
	users := map[string]string{}
	for i := range 100 {
		users[fmt.Sprintf("user%d@example.com", i)] = fmt.Sprintf("password-%d", i)
	}
	cfg.Users = map[tokenserver.API]map[string]string{tokenserver.Testinium: users}
	srv, ts := testsupport.TokenServer(t, cfg)
	tokens, errs := grantAll(newClient(t, reuse(true)), 100, func(i int) grant.Request {
		r := testsupport.Request(grant.Testinium, ts.URL)
		r.Username, r.Password = fmt.Sprintf("user%d@example.com", i), fmt.Sprintf("password-%d", i)
		return r
	})
	seen := map[string]bool{}
	for i, err := range errs {
		if err != nil {
			t.Fatalf("grant %d: %v", i, err)
		}
		seen[tokens[i].AccessToken] = true
	}
	if len(seen) != 100 || srv.Requests(tokenserver.Testinium) != 100 {
		t.Errorf("%d distinct tokens from %d requests, want 100 and 100", len(seen), srv.Requests(tokenserver.Testinium))
	}
}

func reuse(on bool) func(*grant.Config) { return func(c *grant.Config) { c.ReuseTokens = on } }

// TestCoalescingSurvivesTheFirstCallerCanceling: a waiter still gets the token when the caller
// whose grant it joined is canceled.
func TestCoalescingSurvivesTheFirstCallerCanceling(t *testing.T) {
	t.Parallel() // most of it is the server's delay
	srv, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
	srv.SetFault(tokenserver.Partner, hostile.Fault{Delay: 5 * time.Second}) // outlasts the sleeps below, far
	c := newClient(t, reuse(true))
	first, cancel := context.WithCancel(context.Background())
	firstErr := make(chan error, 1)
	go func() { _, err := c.Grant(first, testsupport.Request(grant.Partner, ts.URL)); firstErr <- err }()
	time.Sleep(50 * time.Millisecond) // the first grant is in flight
	waiter := make(chan error, 1)
	go func() {
		_, err := c.Grant(context.Background(), testsupport.Request(grant.Partner, ts.URL))
		waiter <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	if err := <-firstErr; err == nil {
		t.Error("the canceled caller got a token")
	}
	if err := <-waiter; err != nil {
		t.Errorf("the waiter failed with its joined grant's caller: %v", err)
	}
	if n := srv.Requests(tokenserver.Partner); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
}
