package tokenserver_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// TestFaults sets each failure once, checks the faulted answer, and then
// checks that the next request succeeds (FailTimes counted down).
func TestFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		failure tokenserver.Failure
		check   func(t *testing.T, resp *http.Response, body []byte)
	}{
		{tokenserver.Fail503, func(t *testing.T, resp *http.Response, body []byte) {
			wantStatus(t, resp, 503)
			wantError(t, body, "temporarily_unavailable")
			if got := resp.Header.Get("Retry-After"); got != "7" {
				t.Errorf("Retry-After %q, want 7", got)
			}
		}},
		{tokenserver.Fail429, func(t *testing.T, resp *http.Response, body []byte) {
			wantStatus(t, resp, 429)
			if got := resp.Header.Get("Retry-After"); got != "7" {
				t.Errorf("Retry-After %q, want 7", got)
			}
		}},
		{tokenserver.Fail500, func(t *testing.T, resp *http.Response, body []byte) {
			wantStatus(t, resp, 500)
			wantError(t, body, "server_error")
		}},
		{tokenserver.Fail501, func(t *testing.T, resp *http.Response, body []byte) {
			wantStatus(t, resp, 501)
		}},
		{tokenserver.FailHTML502, func(t *testing.T, resp *http.Response, body []byte) {
			wantStatus(t, resp, 502)
			if ct := resp.Header.Get("Content-Type"); ct != "text/html" {
				t.Errorf("Content-Type %q", ct)
			}
			if !strings.Contains(string(body), "<title>502 Bad Gateway</title>") {
				t.Errorf("body %q", body)
			}
		}},
		{tokenserver.FailTruncatedJSON, func(t *testing.T, resp *http.Response, body []byte) {
			wantStatus(t, resp, 200)
			var v any
			if string(body) != tokenserver.TruncatedJSONBody || json.Unmarshal(body, &v) == nil {
				t.Errorf("body %q, want truncated JSON", body)
			}
		}},
		{tokenserver.FailNoAccessToken, func(t *testing.T, resp *http.Response, body []byte) {
			wantStatus(t, resp, 200)
			if m := decodeObject(t, body); m["access_token"] != nil {
				t.Errorf("body %s has access_token", body)
			}
		}},
		{tokenserver.FailErrorIn200, func(t *testing.T, resp *http.Response, body []byte) {
			wantStatus(t, resp, 200)
			wantError(t, body, "invalid_grant")
		}},
		{tokenserver.FailHugeBody, func(t *testing.T, resp *http.Response, body []byte) {
			wantStatus(t, resp, 200)
			if len(body) != tokenserver.HugeBodySize || resp.ContentLength != tokenserver.HugeBodySize {
				t.Errorf("body %d bytes, Content-Length %d, want %d", len(body), resp.ContentLength, tokenserver.HugeBodySize)
			}
			var v any
			if err := json.Unmarshal(body, &v); err != nil {
				t.Errorf("huge body is not JSON: %v", err)
			}
		}},
		{tokenserver.FailRedirect, func(t *testing.T, resp *http.Response, body []byte) {
			wantStatus(t, resp, 302)
			if got := resp.Header.Get("Location"); got != "https://elsewhere.example.invalid/connect/token" {
				t.Errorf("Location %q", got)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.failure.String(), func(t *testing.T) {
			t.Parallel()
			s, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
			c := noRedirects(ts)
			s.SetFault(tokenserver.Tenn, tokenserver.Fault{FailTimes: 1, FailWith: tc.failure, RetryAfter: "7"})

			resp, body := send(t, c, ts, validRequest(tokenserver.Tenn))
			tc.check(t, resp, body)

			resp, body = send(t, c, ts, validRequest(tokenserver.Tenn))
			if resp.StatusCode != 200 || decodeObject(t, body)["access_token"] == nil {
				t.Errorf("after the fault: status %d: %.200s", resp.StatusCode, body)
			}
			if got := s.Requests(tokenserver.Tenn); got != 2 {
				t.Errorf("Requests %d, want 2", got)
			}
		})
	}
}

func wantStatus(t *testing.T, resp *http.Response, status int) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d", resp.StatusCode, status)
	}
}

func wantError(t *testing.T, body []byte, code string) {
	t.Helper()
	if got := decodeObject(t, body)["error"]; got != code {
		t.Errorf("error %v, want %s", got, code)
	}
}

func TestFailTimesCountdown(t *testing.T) {
	t.Parallel()
	s, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	c := ts.Client()
	s.SetFault(tokenserver.Partner, tokenserver.Fault{FailTimes: 2, FailWith: tokenserver.Fail503})

	var got []int
	for range 4 {
		resp, _ := send(t, c, ts, validRequest(tokenserver.Partner))
		got = append(got, resp.StatusCode)
	}
	if want := []int{503, 503, 200, 200}; !slices.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	// Faults belong to one API.
	if resp, _ := send(t, c, ts, validRequest(tokenserver.Tenn)); resp.StatusCode != 200 {
		t.Errorf("tenn status %d, want 200", resp.StatusCode)
	}
	if s.Requests(tokenserver.Partner) != 4 || s.LastRequest(tokenserver.Partner) == nil {
		t.Errorf("partner requests %d, want 4", s.Requests(tokenserver.Partner))
	}

	s.SetFault(tokenserver.Partner, tokenserver.Fault{FailTimes: tokenserver.Always, FailWith: tokenserver.Fail500})
	for range 3 {
		if resp, _ := send(t, c, ts, validRequest(tokenserver.Partner)); resp.StatusCode != 500 {
			t.Errorf("Always: status %d, want 500", resp.StatusCode)
		}
	}
	s.SetFault(tokenserver.Partner, tokenserver.Fault{})
	if resp, _ := send(t, c, ts, validRequest(tokenserver.Partner)); resp.StatusCode != 200 {
		t.Errorf("after clearing: status %d", resp.StatusCode)
	}
}

// TestFailTimesConcurrent: with N failures and many parallel requests, exactly N fail.
func TestFailTimesConcurrent(t *testing.T) {
	t.Parallel()
	s, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	c := ts.Client()
	s.SetFault(tokenserver.Testinium, tokenserver.Fault{FailTimes: 5, FailWith: tokenserver.Fail503})

	var mu sync.Mutex
	failed := 0
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			resp, _, err := trySend(c, ts, validRequest(tokenserver.Testinium))
			if err != nil {
				t.Error(err)
				return
			}
			if resp.StatusCode == 503 {
				mu.Lock()
				failed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if failed != 5 || s.Requests(tokenserver.Testinium) != 20 {
		t.Errorf("%d of %d requests failed, want 5 of 20", failed, s.Requests(tokenserver.Testinium))
	}
}

func TestFailReset(t *testing.T) {
	t.Parallel()
	for _, start := range []func(testing.TB, tokenserver.Config) (*tokenserver.Server, *httptest.Server){
		testsupport.TokenServer, testsupport.TokenServerTLS,
	} {
		s, ts := start(t, tokenserver.DefaultConfig())
		c, base := ts.Client(), ts.URL
		s.SetFault(tokenserver.Tenn, tokenserver.Fault{FailTimes: 1, FailWith: tokenserver.FailReset})
		r := validRequest(tokenserver.Tenn)
		req, _ := http.NewRequest(http.MethodPost, tokenserver.TokenURL(base, tokenserver.Tenn), strings.NewReader(r.body))
		req.Header = r.header
		resp, err := c.Do(req)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("%s: got status %d, want a connection error", base, resp.StatusCode)
		}
		if s.Requests(tokenserver.Tenn) != 1 {
			t.Errorf("Requests %d, want 1", s.Requests(tokenserver.Tenn))
		}
		req, _ = http.NewRequest(http.MethodPost, tokenserver.TokenURL(base, tokenserver.Tenn), strings.NewReader(r.body))
		req.Header = r.header
		resp, err = c.Do(req)
		if err != nil {
			t.Fatalf("after reset: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("after reset: status %d", resp.StatusCode)
		}
	}
}

func TestSlowDrip(t *testing.T) {
	t.Parallel()
	s, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	s.SetFault(tokenserver.Tenn, tokenserver.Fault{FailTimes: 1, FailWith: tokenserver.FailSlowDrip})
	c := *ts.Client()
	c.Timeout = 700 * time.Millisecond

	begin := time.Now()
	resp, body, err := trySend(&c, ts, validRequest(tokenserver.Tenn))
	if err == nil {
		t.Fatalf("slow drip finished: status %d, %d bytes", resp.StatusCode, len(body))
	}
	if resp == nil || resp.StatusCode != 200 {
		t.Fatalf("want a 200 whose body times out, got resp %v err %v", resp, err)
	}
	if !strings.HasPrefix(string(body), `{"access_token":"drip`) {
		t.Errorf("dripped %q", body)
	}
	if d := time.Since(begin); d > 3*time.Second {
		t.Errorf("client timeout took %v", d)
	}
}

func TestDelay(t *testing.T) {
	t.Parallel()
	s, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	c := ts.Client()

	s.SetFault(tokenserver.Partner, tokenserver.Fault{Delay: 300 * time.Millisecond})
	begin := time.Now()
	resp, _ := send(t, c, ts, validRequest(tokenserver.Partner))
	if d := time.Since(begin); resp.StatusCode != 200 || d < 300*time.Millisecond {
		t.Errorf("status %d after %v, want 200 after >= 300ms", resp.StatusCode, d)
	}

	// A client that gives up ends the delay; the request still counts.
	s.SetFault(tokenserver.Partner, tokenserver.Fault{Delay: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	r := validRequest(tokenserver.Partner)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, tokenserver.TokenURL(ts.URL, tokenserver.Partner), strings.NewReader(r.body))
	req.Header = r.header
	if resp, err := c.Do(req); err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		t.Fatal("delayed request answered before the client timeout")
	}
	if s.Requests(tokenserver.Partner) != 2 {
		t.Errorf("Requests %d, want 2", s.Requests(tokenserver.Partner))
	}
	// Server cleanup must not wait the full minute: Close ends the delay.
}
