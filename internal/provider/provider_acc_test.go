package provider

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver/hostile"
)

// Acceptance tests of the provider's settings. They count the requests the token server sees through whole Terraform runs. The test
// harness runs several plans and applies per step, so each configuration holds one partner_token
// as a phase counter: it sends exactly one request per provider process (plan or apply), and
// the tenn_token requests are compared with it.

func countingConfig(serverURL string, providerBlock string, tennBlocks string) string {
	return providerBlock + tennBlocks + block("ephemeral", "partner_token", "phase", partnerToken.testInputs(serverURL), "provider = authtoken")
}

func tennBlock(serverURL, label string, extra ...string) string {
	return block("ephemeral", "tenn_token", label, tennToken.testInputs(serverURL), append(extra, "provider = authtoken")...)
}

// runCounted runs one apply step and returns the tenn requests and the phases seen.
func runCounted(t *testing.T, srv *tokenserver.Server, config string) (tenn, phases int) {
	t.Helper()
	accTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		TerraformVersionChecks:   ephemeralOnly,
		Steps:                    []resource.TestStep{{Config: config}},
	})
	tenn, phases = srv.Requests(tokenserver.Tenn), srv.Requests(tokenserver.Partner)
	t.Logf("tenn_token requests: %d; phases (partner_token requests): %d", tenn, phases)
	return tenn, phases
}

// TestAccRetryOn503: two 503s then success; the run succeeds and the first phase cost 3 requests.
func TestAccRetryOn503(t *testing.T) {
	t.Parallel()
	srv, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
	srv.SetFault(tokenserver.Tenn, hostile.Fault{FailTimes: 2, FailWith: hostile.Fail503})
	tenn, phases := runCounted(t, srv.Server, countingConfig(ts.URL, "", tennBlock(ts.URL, "test")))
	if phases == 0 || tenn != phases+2 {
		t.Errorf("tenn requests %d over %d phases, want %d (two 503s retried, then one per phase)", tenn, phases, phases+2)
	}
}

// TestAccRetryAfter429: a 429 with Retry-After: 1 is waited out and retried once.
func TestAccRetryAfter429(t *testing.T) {
	t.Parallel()
	srv, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
	srv.SetFault(tokenserver.Tenn, hostile.Fault{FailTimes: 1, FailWith: hostile.Fail429, RetryAfter: "1"})
	start := time.Now()
	tenn, phases := runCounted(t, srv.Server, countingConfig(ts.URL, "", tennBlock(ts.URL, "test")))
	if phases == 0 || tenn != phases+1 {
		t.Errorf("tenn requests %d over %d phases, want %d", tenn, phases, phases+1)
	}
	if time.Since(start) < time.Second {
		t.Errorf("the run took %v; Retry-After: 1 was not honoured", time.Since(start))
	}
}

// TestAccTimeout: request_timeout bounds the grant, and the diagnostic says what to check. The
// server would answer after 2 minutes; the run must end long before (its Terraform runs take a
// few seconds, more on a busy machine).
func TestAccTimeout(t *testing.T) {
	t.Parallel()
	srv, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
	srv.SetFault(tokenserver.Tenn, hostile.Fault{Delay: 2 * time.Minute})
	start := time.Now()
	accTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		TerraformVersionChecks:   ephemeralOnly,
		Steps: []resource.TestStep{{
			Config:      "provider \"authtoken\" {\n  request_timeout = \"1s\"\n}\n" + tennBlock(ts.URL, "test"),
			ExpectError: regexp.MustCompile(`(?s)Tenn token request failed: timed out.*request_timeout`),
		}},
	})
	if took := time.Since(start); took > time.Minute {
		t.Errorf("the run took %v; request_timeout of 1s was not applied", took)
	}
}

// TestAccCoalescing: identical token blocks send one request per phase.
func TestAccCoalescing(t *testing.T) {
	t.Parallel()
	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	tenn, phases := runCounted(t, srv, countingConfig(ts.URL, "", tennBlock(ts.URL, "same", "count = 10")))
	if phases == 0 || tenn != phases {
		t.Errorf("10 identical tokens sent %d requests over %d phases, want 1 per phase", tenn, phases)
	}
}

// TestAccReuseTokensOff: reuse_tokens = false sends every block's grant.
func TestAccReuseTokensOff(t *testing.T) {
	t.Parallel()
	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	tenn, phases := runCounted(t, srv, countingConfig(ts.URL, "provider \"authtoken\" {\n  reuse_tokens = false\n}\n",
		tennBlock(ts.URL, "same", "count = 10")))
	if phases == 0 || tenn != 10*phases {
		t.Errorf("10 identical tokens sent %d requests over %d phases, want 10 per phase", tenn, phases)
	}
}

// TestAccProviderSettingsFromEnvironment: provider settings fall back to AUTHTOKEN_*. The
// environment goes to terraform, and from it to the provider built for the test.
func TestAccProviderSettingsFromEnvironment(t *testing.T) {
	t.Parallel()
	t.Run("reuse_tokens", func(t *testing.T) {
		t.Parallel()
		srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
		r := newLeakRun(t, authtokenTerraform+countingConfig(ts.URL, "", tennBlock(ts.URL, "same", "count = 3")),
			map[string]string{"AUTHTOKEN_REUSE_TOKENS": "false"})
		r.run("apply", true, func(ctx context.Context) error { return r.tf.Apply(ctx) })
		tenn, phases := srv.Requests(tokenserver.Tenn), srv.Requests(tokenserver.Partner)
		if phases == 0 || tenn != 3*phases {
			t.Errorf("with AUTHTOKEN_REUSE_TOKENS=false, 3 identical tokens sent %d requests over %d phases, want 3 per phase", tenn, phases)
		}
	})
	// With no provider block, Terraform would lead a Configure error with "requires explicit
	// configuration. Add a provider block": the token blocks report the variable instead, the
	// first in full. With a provider block, the error stays on the provider.
	t.Run("invalid request_timeout", func(t *testing.T) {
		t.Parallel()
		srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
		r := newLeakRun(t, authtokenTerraform+tennBlock(ts.URL, "a")+tennBlock(ts.URL, "b"), map[string]string{"AUTHTOKEN_REQUEST_TIMEOUT": "-5s"})
		r.run("plan", false, func(ctx context.Context) error {
			_, err := r.tf.Plan(ctx)
			return err
		})
		stderr := string(r.outputs["plan stderr"])
		if n := len(regexp.MustCompile(`request_timeout\s+\(from\s+AUTHTOKEN_REQUEST_TIMEOUT\)\s+must\s+be`).FindAllString(stderr, -1)); n != 1 {
			t.Errorf("the variable's error is shown %d times, want once (the other block refers to it):\n%s", n, stderr)
		}
		if strings.Contains(stderr, "requires explicit") || !regexp.MustCompile(`another\s+token\s+block's\s+error`).MatchString(stderr) {
			t.Errorf("want no \"requires explicit configuration\", and the second block referring to the first:\n%s", stderr)
		}
		if srv.Requests(tokenserver.Tenn) != 0 {
			t.Errorf("%d token requests with unusable settings", srv.Requests(tokenserver.Tenn))
		}
	})
	t.Run("invalid request_timeout with a provider block", func(t *testing.T) {
		t.Parallel()
		_, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
		r := newLeakRun(t, authtokenTerraform+"provider \"authtoken\" {\n  max_retries = 1\n}\n"+tennBlock(ts.URL, "a"),
			map[string]string{"AUTHTOKEN_REQUEST_TIMEOUT": "-5s"})
		r.run("plan", false, func(ctx context.Context) error {
			_, err := r.tf.Plan(ctx)
			return err
		})
		if stderr := r.outputs["plan stderr"]; !regexp.MustCompile(`(?s)Invalid request_timeout.*AUTHTOKEN_REQUEST_TIMEOUT.*positive duration`).Match(stderr) {
			t.Errorf("the plan did not fail on the provider naming AUTHTOKEN_REQUEST_TIMEOUT:\n%s", stderr)
		}
	})
}

// authtokenTerraform requires the provider under the name authtoken, for the terraform-exec runs.
const authtokenTerraform = "terraform {\n  required_providers {\n    authtoken = { source = \"authtoken/authtoken\" }\n  }\n}\n"

// TestAccInvalidProviderSettings: bad settings are attribute errors at plan.
func TestAccInvalidProviderSettings(t *testing.T) {
	t.Parallel()
	_, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	for name, tc := range map[string]struct{ provider, want string }{
		"timeout": {`request_timeout = "soon"`, `(?s)Invalid request_timeout.*positive duration`},
		"retries": {`max_retries = 99`, `(?s)max_retries.*between 0 and 10`},
		"CA":      {`ca_cert_pem = "not a certificate"`, `(?s)Invalid ca_cert_pem.*no\s+PEM-encoded\s+certificate`},
		"proxy":   {`proxy_url = "ftp://proxy.example.com"`, `(?s)Invalid proxy_url.*must\s+use\s+http`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			accTest(t, resource.TestCase{
				ProtoV6ProviderFactories: factories(),
				TerraformVersionChecks:   ephemeralOnly,
				Steps: []resource.TestStep{{
					Config:      "provider \"authtoken\" {\n  " + tc.provider + "\n}\n" + tennBlock(ts.URL, "test"),
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}
