package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/authtoken/terraform-provider-authtoken/internal/acctest"
	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver/hostile"
)

// Acceptance tests of the grant core's failure memory through terraform: a failing token host
// costs one block's retries and the other blocks say why they sent nothing, and a slow host gives
// one warning per run, not one per block.

// planDiagnostic is a diagnostic of `terraform plan -json`.
type planDiagnostic struct {
	Severity, Summary, Detail string
}

// planDiagnostics runs terraform plan -json on config and returns its diagnostics, but the
// dev_overrides warning, and whether the plan succeeded.
func planDiagnostics(t *testing.T, config string) ([]planDiagnostic, bool) {
	t.Helper()
	return planDiagnosticsEnv(t, config, nil)
}

// planDiagnosticsEnv is planDiagnostics with env added to terraform's environment.
func planDiagnosticsEnv(t *testing.T, config string, env map[string]string) ([]planDiagnostic, bool) {
	t.Helper()
	tf := acctest.Terraform(t, config, env)
	var out bytes.Buffer
	_, err := tf.PlanJSON(context.Background(), &out)
	var diags []planDiagnostic
	for _, line := range bytes.Split(out.Bytes(), []byte("\n")) {
		var msg struct {
			Type       string          `json:"type"`
			Diagnostic *planDiagnostic `json:"diagnostic"`
		}
		if json.Unmarshal(line, &msg) == nil && msg.Type == "diagnostic" && msg.Diagnostic != nil &&
			msg.Diagnostic.Summary != devOverridesWarning {
			diags = append(diags, *msg.Diagnostic)
		}
	}
	return diags, err == nil
}

// partnerOnly is the terraform block of a configuration of partner_token blocks.
const partnerOnly = "terraform {\n  required_providers {\n    partner = { source = \"authtoken/authtoken\" }\n  }\n}\n"

// TestAccSlowGrantWarnsOnce: two token blocks that got their token after two 503s show one
// warning in the plan, saying how many attempts and what failed. The blocks are identical, so both
// hold the one token whose grant was slow: one warning per host, not per block.
func TestAccSlowGrantWarnsOnce(t *testing.T) {
	t.Parallel()
	srv, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
	srv.SetFault(tokenserver.Partner, hostile.Fault{FailTimes: 2, FailWith: hostile.Fail503})
	inputs := partnerToken.testInputs(ts.URL)
	diags, ok := planDiagnostics(t, partnerOnly+block("ephemeral", "partner_token", "a", inputs)+block("ephemeral", "partner_token", "b", inputs))
	if !ok {
		t.Fatalf("the plan failed: %+v", diags)
	}
	var warnings []string
	for _, d := range diags {
		if d.Severity == "warning" {
			warnings = append(warnings, d.Summary)
		}
	}
	if len(warnings) != 1 || !strings.HasPrefix(warnings[0], "Partner token after 3 attempts in ") ||
		!strings.HasSuffix(warnings[0], "(HTTP 503 twice)") {
		t.Errorf("warnings %q, want one: Partner token after 3 attempts in ... (HTTP 503 twice)", warnings)
	}
}

// TestAccOutageCostsOneBlocksRetries: five distinct token blocks against a token endpoint that
// answers 502 cost about one block's attempts; every block fails, and the blocks that sent
// nothing say that an earlier block failed, with its status.
func TestAccOutageCostsOneBlocksRetries(t *testing.T) {
	t.Parallel()
	srv, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
	srv.SetFault(tokenserver.Tenn, hostile.Fault{FailTimes: hostile.Always, FailWith: hostile.FailHTML502})
	config := "terraform {\n  required_providers {\n    tenn = { source = \"authtoken/authtoken\" }\n  }\n}\n"
	for i := range 5 {
		config += block("ephemeral", "tenn_token", fmt.Sprintf("user%d", i), with(tennToken.testInputs(ts.URL), "username", fmt.Sprintf("user%d@example.com", i)))
	}
	diags, ok := planDiagnostics(t, config)
	if ok {
		t.Fatal("the plan succeeded against a token endpoint that answers 502")
	}
	failed, notSent := 0, 0
	for _, d := range diags {
		if d.Severity != "error" {
			continue
		}
		switch {
		case strings.Contains(d.Summary, "not sent") && strings.Contains(d.Summary, "failed for an earlier block (HTTP 502)") &&
			strings.Contains(d.Detail, "No request was sent for this block"):
			notSent++
		case strings.Contains(d.Summary, "HTTP 502"):
			failed++
		default:
			t.Errorf("unexpected error %q", d.Summary)
		}
	}
	if failed+notSent != 5 || notSent < 3 {
		t.Errorf("%d blocks failed on a 502 and %d sent nothing, want 5 errors, most of them not sent", failed, notSent)
	}
	if n, limit := srv.Requests(tokenserver.Tenn), 2*(1+grant.DefaultMaxRetries); n > limit {
		t.Errorf("5 blocks sent %d requests, want at most %d", n, limit)
	}
}
