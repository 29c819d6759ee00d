package grant_test

// Benchmarks of the grant core against the in-process token server over loopback. They measure;
// they never fail on time. Compare each BenchmarkGrant/<api> with BenchmarkBarePOST/<api>: the
// bare POST replays the very request the grant core sends (same headers, same body bytes) with a
// plain net/http client, reads and closes the body and decodes it into a map: the least any
// client must do. The difference is the grant core's overhead. See BENCHMARKS.md.
//
//	go test -run '^$' -bench . -benchmem -count 6 ./internal/grant

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver/hostile"
)

// benchAPI is one API's documented request against a server at base.
type benchAPI struct {
	api     tokenserver.API
	request func(base string) grant.Request
}

// benchAPIs are every API the token server speaks, with its documented test account.
var benchAPIs = func() []benchAPI {
	var out []benchAPI
	for _, s := range tokenserver.APIs {
		api := grant.Lookup(string(s))
		out = append(out, benchAPI{s, func(base string) grant.Request { return testsupport.Request(api, base) }})
	}
	return out
}()

// benchClient is a grant client with the provider's defaults (timeout, retries) and the given
// token reuse.
func benchClient(b *testing.B, reuse bool) *grant.Client {
	b.Helper()
	c, err := grant.NewClient(grant.Config{
		Timeout: grant.DefaultTimeout, MaxRetries: grant.DefaultMaxRetries,
		UserAgent: "terraform-provider-authtoken/bench", ReuseTokens: reuse,
	})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// reportRequests adds the server's request count per operation to the benchmark's output:
// 1 for every uncoalesced grant, about 0 for reused tokens.
func reportRequests(b *testing.B, srv *tokenserver.Server, api tokenserver.API, before int) {
	b.ReportMetric(float64(srv.Requests(api)-before)/float64(b.N), "requests/op")
}

// runPerAPI runs bench as one sub-benchmark per API, named after it, each against a token server of
// its own.
func runPerAPI(b *testing.B, bench func(b *testing.B, a benchAPI, srv *tokenserver.Server, ts *httptest.Server)) {
	for _, a := range benchAPIs {
		b.Run(string(a.api), func(b *testing.B) {
			srv, ts := testsupport.TokenServer(b, tokenserver.DefaultConfig())
			bench(b, a, srv, ts)
		})
	}
}

// BenchmarkGrant: one full grant per operation (ReuseTokens off, so each one is a request).
func BenchmarkGrant(b *testing.B) {
	runPerAPI(b, func(b *testing.B, a benchAPI, srv *tokenserver.Server, ts *httptest.Server) {
		c := benchClient(b, false)
		r := a.request(ts.URL)
		ctx := b.Context()
		if _, err := c.Grant(ctx, r); err != nil { // warm the connection
			b.Fatal(err)
		}
		before := srv.Requests(a.api)
		b.ReportAllocs()
		for b.Loop() {
			tok, err := c.Grant(ctx, r)
			if err != nil {
				b.Fatal(err)
			}
			if tok.AccessToken == "" {
				b.Fatal("empty access token")
			}
		}
		reportRequests(b, srv, a.api, before)
	})
}

// BenchmarkBarePOST is the baseline: the request the grant core sends, replayed byte for byte by a
// plain http.Client over a keep-alive transport, the body read, closed and decoded into a map.
func BenchmarkBarePOST(b *testing.B) {
	runPerAPI(b, func(b *testing.B, a benchAPI, srv *tokenserver.Server, ts *httptest.Server) {
		post := newBarePOST(b, srv, ts.URL, a)
		post() // warm the connection
		before := srv.Requests(a.api)
		b.ReportAllocs()
		for b.Loop() {
			post()
		}
		reportRequests(b, srv, a.api, before)
	})
}

// BenchmarkGrantVsBarePOST runs a grant and a bare POST alternately in one loop against one server
// and reports each one's mean time and their ratio. On a busy machine the two separate benchmarks
// above run minutes apart and see different load; paired, both halves see the same.
func BenchmarkGrantVsBarePOST(b *testing.B) {
	runPerAPI(b, func(b *testing.B, a benchAPI, srv *tokenserver.Server, ts *httptest.Server) {
		post := newBarePOST(b, srv, ts.URL, a)
		c := benchClient(b, false)
		r := a.request(ts.URL)
		ctx := b.Context()
		grantOnce := func() {
			if _, err := c.Grant(ctx, r); err != nil {
				b.Fatal(err)
			}
		}
		grantOnce()
		post()
		var grantTime, bareTime time.Duration
		i := 0
		for b.Loop() {
			// Alternate which goes first, so neither always runs on a just-used core.
			if i%2 == 0 {
				t0 := time.Now()
				grantOnce()
				t1 := time.Now()
				post()
				grantTime, bareTime = grantTime+t1.Sub(t0), bareTime+time.Since(t1)
			} else {
				t0 := time.Now()
				post()
				t1 := time.Now()
				grantOnce()
				bareTime, grantTime = bareTime+t1.Sub(t0), grantTime+time.Since(t1)
			}
			i++
		}
		b.ReportMetric(float64(grantTime.Nanoseconds())/float64(b.N), "grant-ns/op")
		b.ReportMetric(float64(bareTime.Nanoseconds())/float64(b.N), "bare-ns/op")
		b.ReportMetric(float64(grantTime)/float64(bareTime), "grant/bare")
	})
}

// newBarePOST records the request the grant core sends for a and returns a function that sends
// the same bytes with a plain http.Client: same URL, headers and body; the answer read, closed,
// and decoded into a map. The function returns the raw answer.
func newBarePOST(b *testing.B, srv *tokenserver.Server, base string, a benchAPI) func() []byte {
	b.Helper()
	if _, err := benchClient(b, false).Grant(b.Context(), a.request(base)); err != nil {
		b.Fatal(err)
	}
	sent := srv.LastRequest(a.api)
	header := sent.Header.Clone()
	// Set by the transport itself, for both clients alike.
	header.Del("Accept-Encoding")
	header.Del("Content-Length")
	url, body := base+sent.Path, sent.Body

	transport := http.DefaultTransport.(*http.Transport).Clone()
	client := &http.Client{Transport: transport}
	b.Cleanup(transport.CloseIdleConnections)
	return func() []byte {
		req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		req.Header = header.Clone()
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		raw, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			b.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK || m["access_token"] == nil {
			b.Fatalf("HTTP %d, error %v", resp.StatusCode, m["error"])
		}
		return raw
	}
}

// BenchmarkParse isolates the answer's decoding, the grant core's main work after the round trip:
// ParseTokenResponse (which reads the JWT's exp for Tenn and its scopes for partner) next to the
// bare baseline's json.Unmarshal into a map, on a real answer of each API.
func BenchmarkParse(b *testing.B) {
	for _, a := range benchAPIs {
		srv, ts := testsupport.TokenServer(b, tokenserver.DefaultConfig())
		body := newBarePOST(b, srv, ts.URL, a)()
		b.Run(string(a.api)+"/grant", func(b *testing.B) {
			b.ReportAllocs()
			now := time.Now()
			for b.Loop() {
				if _, err := grant.ParseTokenResponse(body, now, ""); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(string(a.api)+"/map", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var m map[string]any
				if err := json.Unmarshal(body, &m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGrantCoalesced: identical grants with ReuseTokens on, as in a plan with many identical
// token blocks. After the first, every grant is served from the reuse cache without a request.
// The parallel variant has every core asking at once.
func BenchmarkGrantCoalesced(b *testing.B) {
	for _, a := range benchAPIs {
		setup := func(b *testing.B) (*tokenserver.Server, *grant.Client, grant.Request) {
			srv, ts := testsupport.TokenServer(b, tokenserver.DefaultConfig())
			c := benchClient(b, true)
			r := a.request(ts.URL)
			if _, err := c.Grant(b.Context(), r); err != nil { // fills the cache
				b.Fatal(err)
			}
			return srv, c, r
		}
		b.Run(string(a.api), func(b *testing.B) {
			srv, c, r := setup(b)
			ctx := b.Context()
			before := srv.Requests(a.api)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Grant(ctx, r); err != nil {
					b.Fatal(err)
				}
			}
			reportRequests(b, srv, a.api, before)
		})
		b.Run(string(a.api)+"/parallel", func(b *testing.B) {
			srv, c, r := setup(b)
			before := srv.Requests(a.api)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				ctx := b.Context()
				for pb.Next() {
					if _, err := c.Grant(ctx, r); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			reportRequests(b, srv, a.api, before)
		})
	}
}

// BenchmarkGrantCoalescedCold: 100 identical grants starting together with an empty cache, the
// shape of a plan with 100 identical token blocks. One operation is the whole batch; the server
// holds each answer 5 ms so all 100 overlap, and requests/op shows they share one request.
func BenchmarkGrantCoalescedCold(b *testing.B) {
	const n = 100
	for _, a := range benchAPIs {
		b.Run(string(a.api), func(b *testing.B) { benchCoalescedCold(b, a, n) })
	}
}

func benchCoalescedCold(b *testing.B, a benchAPI, n int) {
	srv, ts := testsupport.HostileServer(b, tokenserver.DefaultConfig())
	srv.SetFault(a.api, hostile.Fault{Delay: 5 * time.Millisecond})
	r := a.request(ts.URL)
	before := srv.Requests(a.api)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		c := benchClient(b, true) // a fresh provider process: empty cache
		start := make(chan struct{})
		errs := make(chan error, n)
		for range n {
			go func() {
				<-start
				_, err := c.Grant(b.Context(), r)
				errs <- err
			}()
		}
		b.StartTimer()
		close(start)
		for range n {
			if err := <-errs; err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		ts.CloseClientConnections() // the next iteration's client starts cold, and none pile up
		b.StartTimer()
	}
	reportRequests(b, srv.Server, a.api, before)
}
