package grant_test

// Benchmarks of a token host's outage at fleet scale (BENCHMARKS.md, "Outages"): N distinct
// grants start together on a fresh client with the provider's defaults (30 s, 3 retries, 250 ms
// first backoff), as N distinct token blocks of one plan, against a host that answers 502, a
// closed port, and a 429 with Retry-After: 2. One operation is the whole batch: sec/op is the time
// until every grant has failed (or succeeded), requests/op what the host received.
//
//	go test -run '^$' -bench 'Outage' -benchtime 3x ./internal/grant

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver/hostile"
)

// outageBatch runs n distinct grants at once on a fresh client with the provider's defaults and
// returns how many attempts they made and how many failed.
func outageBatch(b *testing.B, base string, n int) (attempts, failed int) {
	b.Helper()
	var sent atomic.Int32
	c, err := grant.NewClient(grant.Config{Timeout: grant.DefaultTimeout, MaxRetries: grant.DefaultMaxRetries,
		OnAttempt: func(context.Context, grant.Attempt) { sent.Add(1) }})
	if err != nil {
		b.Fatal(err)
	}
	_, errs := grantAll(c, n, func(i int) grant.Request { return distinctPartner(base, i) })
	for _, err := range errs {
		if err != nil {
			failed++
		}
	}
	return int(sent.Load()), failed
}

func BenchmarkOutage(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("502/N=%d", n), func(b *testing.B) {
			srv, ts := testsupport.HostileServer(b, tokenserver.DefaultConfig())
			srv.SetFault(tokenserver.Partner, hostile.Fault{FailTimes: hostile.Always, FailWith: hostile.FailHTML502})
			total := 0
			for b.Loop() {
				attempts, failed := outageBatch(b, ts.URL, n)
				if failed != n {
					b.Fatalf("%d of %d grants failed against a 502", failed, n)
				}
				total += attempts
			}
			b.ReportMetric(float64(srv.Requests(tokenserver.Partner))/float64(b.N), "requests/op")
			b.ReportMetric(float64(total)/float64(b.N), "attempts/op")
		})
		b.Run(fmt.Sprintf("closed-port/N=%d", n), func(b *testing.B) {
			base := "http://" + closedPort(b)
			total := 0
			for b.Loop() {
				attempts, failed := outageBatch(b, base, n)
				if failed != n {
					b.Fatalf("%d of %d grants failed against a closed port", failed, n)
				}
				total += attempts
			}
			b.ReportMetric(float64(total)/float64(b.N), "attempts/op")
		})
	}
	// The server answers 429 with Retry-After: 2 for 2 s from its first 429, then grants tokens:
	// every request sent within the 2 s gets a 429.
	b.Run("429-retry-after-2/N=100", func(b *testing.B) {
		const n = 100
		srv, ts := testsupport.HostileServer(b, tokenserver.DefaultConfig())
		for b.Loop() {
			b.StopTimer()
			srv.SetFault(tokenserver.Partner, hostile.Fault{FailTimes: hostile.Always, FailWith: hostile.Fail429,
				RetryAfter: "2", FailFor: 2 * time.Second})
			b.StartTimer()
			if _, failed := outageBatch(b, ts.URL, n); failed != 0 {
				b.Fatalf("%d of %d grants failed", failed, n)
			}
		}
		requests := float64(srv.Requests(tokenserver.Partner)) / float64(b.N)
		b.ReportMetric(requests, "requests/op")
		b.ReportMetric(requests-n, "429s/op")
	})
}
