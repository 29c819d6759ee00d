package tokenserver

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestFaults sets each failure once, checks the faulted answer, and then
// checks that the next request succeeds (FailTimes counted down).
func TestFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		failure Failure
		check   func(t *testing.T, resp *http.Response, body []byte)
	}{
		{Fail503, func(t *testing.T, resp *http.Response, body []byte) {
			wantStatus(t, resp, 503)
			wantError(t, body, "temporarily_unavailable")
			if got := resp.Header.Get("Retry-After"); got != "7" {
				t.Errorf("Retry-After %q, want 7", got)
			}
		}},
		{Fail429, func(t *testing.T, resp *http.Response, body []byte) {
			wantStatus(t, resp, 429)
			if got := resp.Header.Get("Retry-After"); got != "7" {
				t.Errorf("Retry-After %q, want 7", got)
			}
		}},
		{Fail500, func(t *testing.T, resp *http.Response, body []byte) {
			wantStatus(t, resp, 500)
			wantError(t, body, "server_error")
		}},
		{Fail501, func(t *testing.T, resp *http.Response, body []byte) {
			wantStatus(t, resp, 501)
		}},
		{FailHTML502, func(t *testing.T, resp *http.Response, body []byte) {
			wantStatus(t, resp, 502)
			if ct := resp.Header.Get("Content-Type"); ct != "text/html" {
				t.Errorf("Content-Type %q", ct)
			}
			if !strings.Contains(string(body), "<title>502 Bad Gateway</title>") {
				t.Errorf("body %q", body)
			}
		}},
		{FailTruncatedJSON, func(t *testing.T, resp *http.Response, body []byte) {
			wantStatus(t, resp, 200)
			var v any
			if string(body) != TruncatedJSONBody || json.Unmarshal(body, &v) == nil {
				t.Errorf("body %q, want truncated JSON", body)
			}
		}},
		{FailNoAccessToken, func(t *testing.T, resp *http.Response, body []byte) {
			wantStatus(t, resp, 200)
			if m := decodeObject(t, body); m["access_token"] != nil {
				t.Errorf("body %s has access_token", body)
			}
		}},
		{FailErrorIn200, func(t *testing.T, resp *http.Response, body []byte) {
			wantStatus(t, resp, 200)
			wantError(t, body, "invalid_grant")
		}},
		{FailHugeBody, func(t *testing.T, resp *http.Response, body []byte) {
			wantStatus(t, resp, 200)
			if len(body) != HugeBodySize || resp.ContentLength != HugeBodySize {
				t.Errorf("body %d bytes, Content-Length %d, want %d", len(body), resp.ContentLength, HugeBodySize)
			}
			var v any
			if err := json.Unmarshal(body, &v); err != nil {
				t.Errorf("huge body is not JSON: %v", err)
			}
		}},
		{FailRedirect, func(t *testing.T, resp *http.Response, body []byte) {
			wantStatus(t, resp, 302)
			if got := resp.Header.Get("Location"); got != "https://elsewhere.example.invalid/connect/token" {
				t.Errorf("Location %q", got)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.failure.String(), func(t *testing.T) {
			t.Parallel()
			s, ts := Start(t, DefaultConfig())
			c := noRedirects(ts)
			s.SetFault(Tenn, Fault{FailTimes: 1, FailWith: tc.failure, RetryAfter: "7"})

			resp, body := send(t, c, ts, validRequest(Tenn))
			tc.check(t, resp, body)

			resp, body = send(t, c, ts, validRequest(Tenn))
			if resp.StatusCode != 200 || decodeObject(t, body)["access_token"] == nil {
				t.Errorf("after the fault: status %d: %.200s", resp.StatusCode, body)
			}
			if got := s.Requests(Tenn); got != 2 {
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
	s, ts := Start(t, DefaultConfig())
	c := ts.Client()
	s.SetFault(Partner, Fault{FailTimes: 2, FailWith: Fail503})

	var got []int
	for range 4 {
		resp, _ := send(t, c, ts, validRequest(Partner))
		got = append(got, resp.StatusCode)
	}
	if want := []int{503, 503, 200, 200}; !slices.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	// Faults belong to one API.
	if resp, _ := send(t, c, ts, validRequest(Tenn)); resp.StatusCode != 200 {
		t.Errorf("tenn status %d, want 200", resp.StatusCode)
	}
	if s.Requests(Partner) != 4 || s.LastRequest(Partner) == nil {
		t.Errorf("partner requests %d, want 4", s.Requests(Partner))
	}

	s.SetFault(Partner, Fault{FailTimes: Always, FailWith: Fail500})
	for range 3 {
		if resp, _ := send(t, c, ts, validRequest(Partner)); resp.StatusCode != 500 {
			t.Errorf("Always: status %d, want 500", resp.StatusCode)
		}
	}
	s.SetFault(Partner, Fault{})
	if resp, _ := send(t, c, ts, validRequest(Partner)); resp.StatusCode != 200 {
		t.Errorf("after clearing: status %d", resp.StatusCode)
	}
}

// TestFailTimesConcurrent: with N failures and many parallel requests, exactly N fail.
func TestFailTimesConcurrent(t *testing.T) {
	t.Parallel()
	s, ts := Start(t, DefaultConfig())
	c := ts.Client()
	s.SetFault(Testinium, Fault{FailTimes: 5, FailWith: Fail503})

	var mu sync.Mutex
	failed := 0
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			resp, _, err := trySend(c, ts, validRequest(Testinium))
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
	if failed != 5 || s.Requests(Testinium) != 20 {
		t.Errorf("%d of %d requests failed, want 5 of 20", failed, s.Requests(Testinium))
	}
}

func TestFailReset(t *testing.T) {
	t.Parallel()
	for _, start := range []func(testing.TB, Config) (*Server, *http.Client, string){startPlain, startTLS} {
		s, c, base := start(t, DefaultConfig())
		s.SetFault(Tenn, Fault{FailTimes: 1, FailWith: FailReset})
		r := validRequest(Tenn)
		req, _ := http.NewRequest(http.MethodPost, TokenURL(base, Tenn), strings.NewReader(r.body))
		req.Header = r.header
		resp, err := c.Do(req)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("%s: got status %d, want a connection error", base, resp.StatusCode)
		}
		if s.Requests(Tenn) != 1 {
			t.Errorf("Requests %d, want 1", s.Requests(Tenn))
		}
		req, _ = http.NewRequest(http.MethodPost, TokenURL(base, Tenn), strings.NewReader(r.body))
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

func startPlain(tb testing.TB, cfg Config) (*Server, *http.Client, string) {
	s, ts := Start(tb, cfg)
	return s, ts.Client(), ts.URL
}

func startTLS(tb testing.TB, cfg Config) (*Server, *http.Client, string) {
	s, ts := StartTLS(tb, cfg)
	return s, ts.Client(), ts.URL
}

func TestSlowDrip(t *testing.T) {
	t.Parallel()
	s, ts := Start(t, DefaultConfig())
	s.SetFault(Tenn, Fault{FailTimes: 1, FailWith: FailSlowDrip})
	c := *ts.Client()
	c.Timeout = 700 * time.Millisecond

	begin := time.Now()
	resp, body, err := trySend(&c, ts, validRequest(Tenn))
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
	s, ts := Start(t, DefaultConfig())
	c := ts.Client()

	s.SetFault(Partner, Fault{Delay: 300 * time.Millisecond})
	begin := time.Now()
	resp, _ := send(t, c, ts, validRequest(Partner))
	if d := time.Since(begin); resp.StatusCode != 200 || d < 300*time.Millisecond {
		t.Errorf("status %d after %v, want 200 after >= 300ms", resp.StatusCode, d)
	}

	// A client that gives up ends the delay; the request still counts.
	s.SetFault(Partner, Fault{Delay: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	r := validRequest(Partner)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, TokenURL(ts.URL, Partner), strings.NewReader(r.body))
	req.Header = r.header
	if resp, err := c.Do(req); err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		t.Fatal("delayed request answered before the client timeout")
	}
	if s.Requests(Partner) != 2 {
		t.Errorf("Requests %d, want 2", s.Requests(Partner))
	}
	// Server cleanup must not wait the full minute: Close ends the delay.
}
