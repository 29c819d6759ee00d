package provider

import (
	"bytes"
	"context"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-exec/tfexec"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver/hostile"
)

// Acceptance tests of what hostile or broken token servers show through Terraform.

// TestAccEphemeralNeverSharesDataSourceToken: with the default settings (reuse on), an ephemeral
// block and a data source with identical inputs get different tokens: the data source's is
// stored in state, so it must never be the one an ephemeral resource hands out.
func TestAccEphemeralNeverSharesDataSourceToken(t *testing.T) {
	t.Parallel()
	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	inputs := partnerToken.testInputs(ts.URL)
	accTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		TerraformVersionChecks:   ephemeralOnly,
		Steps: []resource.TestStep{{
			Config: block("ephemeral", "partner_token", "test", inputs) + block("data", "partner_token", "test", inputs) +
				echoConfig("partner_token", "test"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.test", echoData("access_token"), issuedBy{srv}),
				statecheck.ExpectKnownValue("data.partner_token.test", tfjsonpath.New("access_token"), issuedBy{srv}),
				statecheck.CompareValuePairs("echo.test", echoData("access_token"),
					"data.partner_token.test", tfjsonpath.New("access_token"), withheld{differ: true}),
			},
		}},
	})
}

// TestAccCutErrorBodyCostsOneRequest: a 401 whose body breaks off is still a rejected client:
// one request and the client hint, not retries and a network hint.
func TestAccCutErrorBodyCostsOneRequest(t *testing.T) {
	t.Parallel()
	srv, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
	srv.SetFault(tokenserver.Tenn, hostile.Fault{FailTimes: hostile.Always, FailWith: hostile.FailCutBody401})
	accTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		TerraformVersionChecks:   ephemeralOnly,
		Steps: []resource.TestStep{{
			Config:      block("ephemeral", "tenn_token", "test", tennToken.testInputs(ts.URL)),
			ExpectError: regexp.MustCompile(`(?s)HTTP 401.*Check client_id and\s+client_secret`),
		}},
	})
	if n := srv.Requests(tokenserver.Tenn); n != 1 {
		t.Errorf("a 401 with a cut body cost %d requests, want 1", n)
	}
}

// TestAccServerTextReachesTheTerminalSafely: terminal escapes and control characters from a
// server never reach terraform's output, and a 200 KB error_description is cut, saying so.
func TestAccServerTextReachesTheTerminalSafely(t *testing.T) {
	t.Parallel()
	srv, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
	srv.SetFault(tokenserver.Tenn, hostile.Fault{FailTimes: hostile.Always, FailWith: hostile.FailControlChars})
	r := newLeakRun(t, "terraform {\n  required_providers {\n    tenn = { source = \"authtoken/authtoken\" }\n  }\n}\n"+
		block("ephemeral", "tenn_token", "test", nil), tennToken.testEnv(ts.URL))
	r.run("plan", false, func(ctx context.Context) error {
		_, err := r.tf.Plan(ctx)
		return err
	})
	stderr := r.outputs["plan stderr"]
	if i := bytes.IndexAny(stderr, "\x1b\x00\r\x07"); i >= 0 {
		t.Errorf("terraform's output holds control byte %q at %d", stderr[i], i)
	}
	if bytes.Contains(stderr, []byte("\u202e")) {
		t.Error("terraform's output holds a bidi override")
	}
	if !bytes.Contains(stderr, []byte("[cut: the server sent")) || len(stderr) > 8000 {
		t.Errorf("the %d-byte output does not say the server text was cut", len(stderr))
	}
}

// TestAccShortPasswordKeepsLogsReadable: a one-character password cannot be masked inside text
// without garbling every log line and the OAuth code. The code and hint stay whole, and the
// trace log's lines stay readable; the server's free text is withheld instead.
func TestAccShortPasswordKeepsLogsReadable(t *testing.T) {
	t.Parallel()
	_, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	env := tennToken.testEnv(ts.URL)
	env["TENN_PASSWORD"] = "e"
	r := newLeakRun(t, "terraform {\n  required_providers {\n    tenn = { source = \"authtoken/authtoken\" }\n  }\n}\n"+
		block("ephemeral", "tenn_token", "test", nil), env)
	r.run("plan", false, func(ctx context.Context) error {
		_, err := r.tf.Plan(ctx, tfexec.Refresh(false))
		return err
	})
	stderr := r.outputs["plan stderr"]
	for _, want := range []string{"HTTP 400 invalid_grant", "Check username and password", "withheld"} {
		if !bytes.Contains(bytes.Join(bytes.Fields(stderr), []byte(" ")), []byte(want)) {
			t.Errorf("the diagnostic does not show %q:\n%s", want, stderr)
		}
	}
	if log := r.outputs["plan log"]; !bytes.Contains(log, []byte("Token request failed")) {
		t.Error(`the trace log has no readable "Token request failed" line: was it masked inside its words?`)
	}
}
