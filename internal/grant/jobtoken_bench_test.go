package grant_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// BenchmarkTokenExchangeVsBarePOST: one RFC 8693 exchange of a job token through the grant core
// against the same exchange as a bare net/http POST, paired in one loop as BenchmarkGrantVsBarePOST
// pairs the others. The token server accepts each job token once, so every iteration gets fresh
// ones, signed before the timer. "minted" adds the GitHub Actions mint to the grant (two requests
// against one): what a pipeline really pays.
func BenchmarkTokenExchangeVsBarePOST(b *testing.B) {
	_, ts := testsupport.TokenServer(b, tokenserver.DefaultConfig())
	tokenURL := tokenserver.TokenURL(ts.URL, tokenserver.OAuth2)
	job := func() string {
		return tokenserver.MintJobToken(ts.URL, map[string]any{"sub": tokenserver.CIJobSubject, "aud": tokenserver.JobTokenAudience})
	}
	bare := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()} //nolint:forcetypeassert // the standard library's type
	post := func(subject string) {
		form := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:token-exchange"}, "subject_token": {subject},
			"subject_token_type": {"urn:ietf:params:oauth:token-type:jwt"}}
		req, _ := http.NewRequest(http.MethodPost, tokenURL, bytes.NewReader([]byte(form.Encode())))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		resp, err := bare.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var m map[string]any
		if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &m) != nil {
			b.Fatalf("bare exchange: %d", resp.StatusCode)
		}
	}
	for _, minted := range []bool{false, true} {
		name := "literal"
		if minted {
			name = "minted"
		}
		b.Run(name, func(b *testing.B) {
			c := benchClient(b, false)
			if minted {
				env := ciEnv(ts.URL)
				c, _ = grant.NewClient(grant.Config{Getenv: func(k string) string { return env[k] }})
			}
			jobs := make([]string, 2*b.N+2)
			for i := range jobs {
				jobs[i] = job()
			}
			exchange := func(i int) {
				r := grant.Request{API: grant.OAuth2, TokenURL: tokenURL, GrantType: grant.GrantTokenExchange}
				if minted {
					r.SubjectTokenSource = grant.JobTokenSource{Type: "github_actions", Audience: tokenserver.JobTokenAudience}
				} else {
					r.SubjectToken = jobs[i]
				}
				if _, err := c.Grant(b.Context(), r); err != nil {
					b.Fatal(err)
				}
			}
			exchange(0) // warm the connections
			post(jobs[1])
			var grantTime, bareTime time.Duration
			b.ResetTimer()
			for i := range b.N {
				t0 := time.Now()
				exchange(2*i + 2)
				t1 := time.Now()
				post(jobs[2*i+3])
				grantTime, bareTime = grantTime+t1.Sub(t0), bareTime+time.Since(t1)
			}
			b.ReportMetric(float64(grantTime.Nanoseconds())/float64(b.N), "grant-ns/op")
			b.ReportMetric(float64(bareTime.Nanoseconds())/float64(b.N), "bare-ns/op")
			b.ReportMetric(float64(grantTime)/float64(bareTime), "grant/bare")
		})
	}
}
