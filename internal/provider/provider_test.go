package provider_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"

	"github.com/authtoken/terraform-provider-authtoken/internal/provider"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// TestMain gives every test its own Terraform CLI config (the machine's TF_CLI_CONFIG_FILE may
// point at a missing file) and uses the terraform on PATH unless TF_ACC_TERRAFORM_PATH names one,
// for example OpenTofu.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "authtoken-test-cli")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cliConfig := filepath.Join(dir, "terraform.rc")
	if err := os.WriteFile(cliConfig, nil, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("TF_CLI_CONFIG_FILE", cliConfig)
	os.Setenv("CHECKPOINT_DISABLE", "1")
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		if path, err := exec.LookPath("terraform"); err == nil {
			os.Setenv("TF_ACC_TERRAFORM_PATH", path)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// factories serves this provider under every local name the test configurations use: the
// name after each type's prefix, and authtoken for `provider = authtoken`. echo exposes
// ephemeral values to state checks.
func factories() map[string]func() (tfprotov6.ProviderServer, error) {
	server := providerserver.NewProtocol6WithError(provider.New("test")())
	return map[string]func() (tfprotov6.ProviderServer, error){
		"authtoken": server,
		"tenn":      server,
		"testinium": server,
		"partner":   server,
		"echo":      echoprovider.NewProviderServer(),
	}
}

// apiCase is one token type with the documented credentials of the test server.
type apiCase struct {
	typeName string
	api      tokenserver.API
	env      string // environment prefix
	inputs   map[string]string
	jti      bool
	refresh  bool
}

func apiCases(serverURL string) map[string]apiCase {
	return map[string]apiCase{
		"tenn_token": {typeName: "tenn_token", api: tokenserver.Tenn, env: "TENN", inputs: map[string]string{
			"token_url": tokenserver.TokenURL(serverURL, tokenserver.Tenn),
			"client_id": tokenserver.TennClientID, "client_secret": tokenserver.TennClientSecret,
			"username": tokenserver.TennUsername, "password": tokenserver.TennPassword,
		}},
		"testinium_token": {typeName: "testinium_token", api: tokenserver.Testinium, env: "TESTINIUM", jti: true, refresh: true,
			inputs: map[string]string{
				"token_url": tokenserver.TokenURL(serverURL, tokenserver.Testinium),
				"client_id": tokenserver.TestiniumClientID, "client_secret": tokenserver.TestiniumClientSecret,
				"username": tokenserver.TestiniumUsername, "password": tokenserver.TestiniumPassword,
			}},
		"partner_token": {typeName: "partner_token", api: tokenserver.Partner, env: "PARTNER", inputs: map[string]string{
			"token_url": tokenserver.TokenURL(serverURL, tokenserver.Partner),
			"client_id": tokenserver.PartnerClientID, "client_secret": tokenserver.PartnerClientSecret,
		}},
	}
}

// block renders `<kind> "<type>" "<label>" { ... }` with the given inputs (HCL expressions
// for values that start with '=' , quoted strings otherwise) and extra raw lines.
func block(kind, typeName, label string, inputs map[string]string, extra ...string) string {
	keys := make([]string, 0, len(inputs))
	for k := range inputs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "%s %q %q {\n", kind, typeName, label)
	for _, k := range keys {
		if expr, ok := strings.CutPrefix(inputs[k], "="); ok {
			fmt.Fprintf(&b, "  %s = %s\n", k, expr)
		} else {
			fmt.Fprintf(&b, "  %s = %q\n", k, inputs[k])
		}
	}
	for _, line := range extra {
		fmt.Fprintf(&b, "  %s\n", line)
	}
	b.WriteString("}\n")
	return b.String()
}

// without returns a copy of m without the given keys.
func without(m map[string]string, keys ...string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

// echoConfig exposes an ephemeral token to state checks through the echo provider.
func echoConfig(typeName, label string) string {
	return fmt.Sprintf(`
provider "echo" {
  data = ephemeral.%s.%s
}
resource "echo" "test" {}
`, typeName, label)
}
