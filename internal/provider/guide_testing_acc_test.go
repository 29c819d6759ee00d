package provider

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/authtoken/terraform-provider-authtoken/internal/acctest"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
)

// testingGuide is the example of the guide "Testing configurations that use tokens": a module
// whose terraform test files run against the token server, started by the example's wrapper
// script, run-tests.sh.
const testingGuide = "examples/guides/testing-configurations"

// runTestingGuide copies the guide's example and runs its run-tests.sh as a user would: with the
// tokenserver command, the engine the tests drive, and a CLI configuration that installs this
// provider from a filesystem mirror. It returns the script's output and its error.
func runTestingGuide(t *testing.T, serverFlags string) (string, error) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run tests that drive the terraform binary")
	}
	dir := t.TempDir()
	copyTree(t, filepath.Join(testsupport.RepoRoot(), filepath.FromSlash(testingGuide)), dir)
	cmd := exec.CommandContext(context.Background(), "bash", filepath.Join(dir, "run-tests.sh"))
	for k, v := range exampleEnv(acctest.MirrorConfig(t, t.TempDir(), "0.1.0"), map[string]string{
		"TF":                acctest.TerraformPath(t),
		"TOKENSERVER":       acctest.TokenServerPath(t),
		"TOKENSERVER_FLAGS": serverFlags,
		"TOKEN_SERVER_PORT": strconv.Itoa(freePort(t)), // for the self-contained test file's own server
	}) {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	// The test client's secret is given to terraform as a variable; no output may show it.
	testsupport.AssertNoSecret(t, "run-tests.sh output", out.String(), "inventory-test-secret")
	return out.String(), err
}

// freePort is a loopback port nothing listens on, just now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port //nolint:forcetypeassert // a TCP listener's address
}

// TestAccTestingGuideModuleTests: the guide's module tests pass against the token server, on the
// engine under test (TF_ACC_TERRAFORM_PATH=tofu runs them with `tofu test`): the consumer of the
// ephemeral token is accepted, the data source's scopes reach the output, the check block catches
// a token shorter-lived than asked for, and the mock provider answers the data source.
func TestAccTestingGuideModuleTests(t *testing.T) {
	t.Parallel()
	out, err := runTestingGuide(t, "")
	if err != nil {
		t.Fatalf("run-tests.sh: %v\n%s", err, out)
	}
	for _, want := range []string{
		`run "api_accepts_the_token"... pass`,
		`run "short_lived_tokens_are_caught"... pass`,
		`run "start_token_server"... pass`,
		"Success! 4 passed, 0 failed.", // token_server.tftest.hcl, and self_contained.tftest.hcl with its setup module
		`run "reads_the_token"... pass`,
		"Success! 1 passed, 0 failed.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("run-tests.sh output lacks %q:\n%s", want, out)
		}
	}
}

// TestAccTestingGuideCatchesFailures: the same tests fail when the token endpoint does (a -fault
// of the token server), so they cannot pass without the token reaching its consumer.
func TestAccTestingGuideCatchesFailures(t *testing.T) {
	t.Parallel()
	out, err := runTestingGuide(t, "-fault api=oauth2,status=503")
	if err == nil {
		t.Fatalf("run-tests.sh passed with the token endpoint failing:\n%s", out)
	}
	// The self-contained test file's own server has no fault: its two runs pass.
	for _, want := range []string{`run "api_accepts_the_token"... fail`, "HTTP 503", "Failure! 2 passed, 1 failed, 1 skipped."} {
		if !strings.Contains(out, want) {
			t.Errorf("run-tests.sh output lacks %q:\n%s", want, out)
		}
	}
}

// TestAccMockProviderEphemeral pins what the guide says of mock_provider "authtoken" and the
// ephemeral resources, on the engine under test: Terraform (1.11) refuses to mock them; OpenTofu
// (1.12) mocks them with values nobody chose (expires_in is 0), since mock_resource, mock_data and
// override_resource do not reach an ephemeral resource. When an engine changes this, this test
// fails, and the guide must change with it.
func TestAccMockProviderEphemeral(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run tests that drive the terraform binary")
	}
	t.Parallel()
	dir := t.TempDir()
	testsupport.WriteFile(t, filepath.Join(dir, "main.tf"), `terraform {
  required_providers {
    authtoken = { source = "authtoken/authtoken" }
  }
}

ephemeral "oauth2_token" "t" {
  provider      = authtoken
  token_url     = "https://login.example.com/oauth2/token"
  client_id     = "ci"
  client_secret = "mocked"
}

check "mocked_lifetime" {
  assert {
    condition     = ephemeral.oauth2_token.t.expires_in == 0
    error_message = "The mocked token's expires_in is not 0."
  }
}
`)
	testsupport.WriteFile(t, filepath.Join(dir, "tests", "mock.tftest.hcl"), `mock_provider "authtoken" {
  mock_resource "oauth2_token" {
    defaults = { expires_in = 3600 }
  }
}

run "plan_with_a_mock" {
  command = plan
}
`)
	tf := exampleTerraform(t, dir, acctest.MirrorConfig(t, t.TempDir(), "0.1.0"), nil)
	if err := tf.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	tf.SetStderr(&stderr)
	err := tf.Test(context.Background(), &stdout)
	out := stdout.String() + stderr.String()
	if acctest.CurrentEngine().OpenTofu {
		// The mock stands in, and mock_resource's default does not reach the ephemeral resource:
		// the check that expires_in is 0 passes.
		if err != nil || !strings.Contains(out, "Success! 1 passed, 0 failed.") || strings.Contains(out, "Check block assertion failed") {
			t.Errorf("OpenTofu no longer mocks ephemeral resources with zero values; update the guide:\n%v\n%s", err, out)
		}
		return
	}
	if err == nil || !strings.Contains(out, "No ephemeral resource types in mock providers") {
		t.Errorf("Terraform no longer refuses to mock ephemeral resources; update the guide:\n%v\n%s", err, out)
	}
}
