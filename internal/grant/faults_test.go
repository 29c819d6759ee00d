package grant_test

import (
	"cmp"
	"context"
	"encoding/pem"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver/hostile"
)

// TestFaults runs each fault the token server can inject through the grant core and checks the
// outcome and the number of requests the server saw. The time limit is far above what a grant
// needs, but where the limit is the point: there it is 3 s, against a server that would take
// minutes, and the grant must end well before the server would have.
func TestFaults(t *testing.T) {
	const limit = 3 * time.Second // for the cases that test the time limit
	const limitBound = time.Minute
	tests := []struct {
		name         string
		fault        hostile.Fault
		timeout      time.Duration // the grant's time limit; a minute when zero
		wantErr      string        // substring of the error; empty means success
		wantKind     grant.Kind
		wantRequests int
		minWall      time.Duration
		// retryAfterIn sets Retry-After to an HTTP date this far from the subtest's start (parallel
		// subtests may start seconds after the table is built); the grant must not end before it.
		retryAfterIn time.Duration
	}{
		{name: "503 twice then success", fault: hostile.Fault{FailTimes: 2, FailWith: hostile.Fail503},
			wantRequests: 3},
		{name: "connection reset twice then success", fault: hostile.Fault{FailTimes: 2, FailWith: hostile.FailReset},
			wantRequests: 3},
		{name: "429 with Retry-After then success", fault: hostile.Fault{FailTimes: 1, FailWith: hostile.Fail429, RetryAfter: "1"},
			wantRequests: 2, minWall: time.Second},
		{name: "503 with an HTTP-date Retry-After", fault: hostile.Fault{FailTimes: 1, FailWith: hostile.Fail503},
			retryAfterIn: 2 * time.Second, wantRequests: 2},
		{name: "500 always: retries run out", fault: hostile.Fault{FailTimes: -1, FailWith: hostile.Fail500},
			wantErr: "HTTP 500", wantKind: grant.KindStatus, wantRequests: 1 + grant.DefaultMaxRetries},
		{name: "501 is not retried", fault: hostile.Fault{FailTimes: -1, FailWith: hostile.Fail501},
			wantErr: "HTTP 501", wantKind: grant.KindStatus, wantRequests: 1},
		{name: "Retry-After beyond the timeout gives up at once", fault: hostile.Fault{FailTimes: -1, FailWith: hostile.Fail429, RetryAfter: "120"},
			wantErr: "Retry-After", wantKind: grant.KindStatus, wantRequests: 1},
		{name: "HTML 502 from a gateway", fault: hostile.Fault{FailTimes: -1, FailWith: hostile.FailHTML502},
			wantErr: "the body starts with", wantKind: grant.KindStatus, wantRequests: 1 + grant.DefaultMaxRetries},
		{name: "truncated JSON", fault: hostile.Fault{FailTimes: -1, FailWith: hostile.FailTruncatedJSON},
			wantErr: "truncated", wantKind: grant.KindResponse, wantRequests: 1},
		{name: "200 without access_token", fault: hostile.Fault{FailTimes: -1, FailWith: hostile.FailNoAccessToken},
			wantErr: "no access_token", wantKind: grant.KindResponse, wantRequests: 1},
		{name: "200 with an error field", fault: hostile.Fault{FailTimes: -1, FailWith: hostile.FailErrorIn200},
			wantErr: `OAuth error "invalid_grant"`, wantKind: grant.KindResponse, wantRequests: 1},
		{name: "5 MiB body", fault: hostile.Fault{FailTimes: -1, FailWith: hostile.FailHugeBody},
			wantErr: "larger than 1048576 bytes", wantKind: grant.KindResponse, wantRequests: 1},
		{name: "slow-drip body", fault: hostile.Fault{FailTimes: -1, FailWith: hostile.FailSlowDrip}, timeout: limit,
			wantErr: "time limit", wantKind: grant.KindTimeout, wantRequests: 1, minWall: limit},
		{name: "302 redirect", fault: hostile.Fault{FailTimes: -1, FailWith: hostile.FailRedirect},
			wantErr: "elsewhere.example.invalid", wantKind: grant.KindRedirect, wantRequests: 1},
		{name: "delay beyond the timeout", fault: hostile.Fault{Delay: 5 * time.Minute}, timeout: limit,
			wantErr: "time limit of 3s", wantKind: grant.KindTimeout, wantRequests: 1, minWall: limit},
		{name: "delay within the timeout", fault: hostile.Fault{Delay: 300 * time.Millisecond},
			wantRequests: 1, minWall: 300 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
			var retryAt time.Time
			if tt.retryAfterIn > 0 {
				retryAt = time.Now().Add(tt.retryAfterIn).Truncate(time.Second) // as the HTTP date says it
				tt.fault.RetryAfter = retryAt.UTC().Format(http.TimeFormat)
			}
			srv.SetFault(tokenserver.Tenn, tt.fault)
			timeout := cmp.Or(tt.timeout, time.Minute)
			client := newClient(t, func(c *grant.Config) { c.Timeout = timeout })
			req := testsupport.Request(grant.Tenn, ts.URL)

			start := time.Now()
			tok, err := client.Grant(context.Background(), req)
			end := time.Now()
			wall := end.Sub(start)

			if tt.wantErr == "" {
				if err != nil || tok.AccessToken == "" {
					t.Fatalf("want a token, got error %v", err)
				}
			} else {
				var ge *grant.Error
				if !errors.As(err, &ge) {
					t.Fatalf("want *grant.Error containing %q, got %v", tt.wantErr, err)
				}
				if !strings.Contains(ge.Error(), tt.wantErr) || ge.Kind != tt.wantKind {
					t.Errorf("error %q (kind %d), want it to contain %q (kind %d)", ge.Error(), ge.Kind, tt.wantErr, tt.wantKind)
				}
				testsupport.AssertNoSecret(t, "the error", ge.Error(), testsupport.SecretForms(req)...)
			}
			if n := srv.Requests(tokenserver.Tenn); n != tt.wantRequests {
				t.Errorf("server saw %d requests, want %d", n, tt.wantRequests)
			}
			if wall < tt.minWall {
				t.Errorf("took %v, want at least %v", wall, tt.minWall)
			}
			if end.Before(retryAt) {
				t.Errorf("ended at %v, before the Retry-After date %v", end, retryAt)
			}
			if tt.timeout > 0 && wall > limitBound {
				t.Errorf("took %v with a time limit of %v; the limit was not applied", wall, tt.timeout)
			}
		})
	}
}

// TestSelfSignedTLS: verification is always on; the server's CA through CACertPEM makes it work.
func TestSelfSignedTLS(t *testing.T) {
	srv, ts := testsupport.TokenServerTLS(t, tokenserver.DefaultConfig())
	req := testsupport.Request(grant.Tenn, ts.URL)

	_, err := newClient(t).Grant(context.Background(), req)
	var ge *grant.Error
	if !errors.As(err, &ge) || ge.Kind != grant.KindTransport || ge.Reason() != grant.ReasonUntrustedCertificate {
		t.Fatalf("want a transport error for an untrusted certificate, got %v", err)
	}

	caPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}))
	tok, err := newClient(t, func(c *grant.Config) { c.CACertPEM = caPEM }).Grant(context.Background(), req)
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("with the CA trusted: %v", err)
	}
	// The failed handshake never reached the handler, and was not retried (it would fail again).
	if n := srv.Requests(tokenserver.Tenn); n != 1 {
		t.Errorf("server saw %d requests, want 1 (the one with the CA trusted)", n)
	}
}

func TestNewClientRejectsBadSettings(t *testing.T) {
	for name, cfg := range map[string]grant.Config{
		"CA without PEM":     {CACertPEM: "not a certificate"},
		"proxy without host": {ProxyURL: "proxy"},
		"proxy scheme":       {ProxyURL: "ftp://proxy.example.com"},
		"negative retries":   {MaxRetries: -1},
		"proxy credentials":  {ProxyURL: "user:s3cret@proxy"},
	} {
		_, err := grant.NewClient(cfg)
		var ge *grant.Error
		if !errors.As(err, &ge) || ge.Kind != grant.KindConfig || ge.Setting == grant.SettingNone {
			t.Errorf("%s: want a KindConfig error naming its setting, got %v", name, err)
		} else if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: the error quotes the proxy URL, which is sensitive", name)
		}
	}
}

// TestCanceled: Terraform's cancellation ends a grant at once, as a cancellation, not a timeout.
func TestCanceled(t *testing.T) {
	srv, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
	srv.SetFault(tokenserver.Tenn, hostile.Fault{Delay: 5 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := newClient(t).Grant(ctx, testsupport.Request(grant.Tenn, ts.URL))
	var ge *grant.Error
	if !errors.As(err, &ge) || ge.Kind != grant.KindCanceled {
		t.Fatalf("want KindCanceled, got %v", err)
	}
}
