// Package acctest is the acceptance-test harness, as google-beta keeps acctest/: the terraform
// (or tofu) binary the tests drive, with a Terraform CLI configuration of their own, this
// provider built once per test process and served through dev_overrides, filesystem mirrors for
// `terraform init`, a proxy that stands in for documented HTTPS hosts, the test-only consumer
// provider (package consumer) and the stand-ins of third-party providers (package standin). Only
// _test.go files import it, so no production binary links it (or the testing package it needs).
package acctest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
)

// Main runs a package's tests with a Terraform CLI configuration of their own (the machine's
// TF_CLI_CONFIG_FILE may name a missing file), checkpoint calls off, and the terraform on PATH
// unless TF_ACC_TERRAFORM_PATH names another binary (OpenTofu, say). It removes everything it
// and ProviderDir made before the process exits.
func Main(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "authtoken-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	workDir = dir
	cliConfig := filepath.Join(dir, "terraform.rc")
	if err := os.WriteFile(cliConfig, nil, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	os.Setenv("TF_CLI_CONFIG_FILE", cliConfig)
	os.Setenv("CHECKPOINT_DISABLE", "1")
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		if path, err := exec.LookPath("terraform"); err == nil {
			os.Setenv("TF_ACC_TERRAFORM_PATH", path)
		}
	}
	if engine := detectEngine(); engine.OpenTofu && os.Getenv("TF_ACC_PROVIDER_HOST") == "" {
		// terraform-plugin-testing names in-process providers registry.terraform.io/-/<name>,
		// which OpenTofu refuses; its docs give these two settings for provider tests.
		os.Setenv("TF_ACC_PROVIDER_NAMESPACE", "hashicorp")
		os.Setenv("TF_ACC_PROVIDER_HOST", "registry.opentofu.org")
	}
	return m.Run()
}

// Engine is the binary the tests drive: Terraform or OpenTofu, and its version.
type Engine struct {
	OpenTofu bool
	Version  *version.Version // nil when it could not be read
}

var (
	engineOnce sync.Once
	engine     Engine
)

// detectEngine reads the first line of `<binary> version`: "Terraform v1.11.4" or "OpenTofu v1.12.6".
func detectEngine() Engine {
	engineOnce.Do(func() {
		bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
		if bin == "" {
			return
		}
		out, err := exec.Command(bin, "version").Output() //nolint:gosec // the binary the tester chose to run
		if err != nil {
			return
		}
		first, _, _ := strings.Cut(string(out), "\n")
		name, v, _ := strings.Cut(strings.TrimSpace(first), " ")
		engine.OpenTofu = name == "OpenTofu"
		engine.Version, _ = version.NewVersion(strings.TrimPrefix(v, "v"))
	})
	return engine
}

// ListsEphemeralResourcesInPlan reports an engine whose JSON plan lists every ephemeral resource
// with the action "open" (OpenTofu before 1.12, which stopped storing them in the plan):
// terraform-plugin-testing then reads the plan after apply as not empty.
func ListsEphemeralResourcesInPlan() bool {
	e := detectEngine()
	return e.OpenTofu && e.Version != nil && e.Version.LessThan(version.Must(version.NewVersion("1.12.0-a")))
}

// workDir is Main's temporary directory; the provider binary is built into it.
var workDir string

// TerraformPath is the terraform (or tofu) binary the tests drive; it skips the test when there is none.
func TerraformPath(tb testing.TB) string {
	tb.Helper()
	if bin := os.Getenv("TF_ACC_TERRAFORM_PATH"); bin != "" {
		return bin
	}
	bin, err := exec.LookPath("terraform")
	if err != nil {
		tb.Skip("terraform is not on PATH and TF_ACC_TERRAFORM_PATH is not set")
	}
	return bin
}

// built holds the binaries built for this test process, by package.
var built = struct {
	sync.Mutex
	dirs map[string]*buildResult
}{dirs: map[string]*buildResult{}}

type buildResult struct {
	once sync.Once
	dir  string
	err  error
}

// buildOnce builds the main package pkg as binary into its own directory under Main's temporary
// directory, once per test process, and returns the directory.
func buildOnce(tb testing.TB, pkg, binary string) string {
	tb.Helper()
	built.Lock()
	b := built.dirs[pkg]
	if b == nil {
		b = &buildResult{}
		built.dirs[pkg] = b
	}
	built.Unlock()
	b.once.Do(func() {
		if workDir == "" {
			b.err = fmt.Errorf("building %s needs the package's TestMain to call acctest.Main", binary)
			return
		}
		b.dir = filepath.Join(workDir, binary)
		out, err := exec.Command("go", "build", "-o", filepath.Join(b.dir, binary), pkg).CombinedOutput() //nolint:gosec // this module's own packages
		if err != nil {
			b.err = fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
		}
	})
	if b.err != nil {
		tb.Fatal(b.err)
	}
	return b.dir
}

// ProviderDir builds the provider binary once per test process and returns its directory, for
// dev_overrides. Tests that use it must run under Main, which removes it at the end.
func ProviderDir(tb testing.TB) string {
	tb.Helper()
	return buildOnce(tb, "github.com/authtoken/terraform-provider-authtoken", "terraform-provider-authtoken")
}

// TokenServerPath builds cmd/tokenserver once per test process and returns the binary's path,
// for tests that drive it as users do (scripts, terraform test). Tests that use it must run
// under Main.
func TokenServerPath(tb testing.TB) string {
	tb.Helper()
	return filepath.Join(buildOnce(tb, "github.com/authtoken/terraform-provider-authtoken/cmd/tokenserver", "tokenserver"), "tokenserver")
}

// MirrorConfig writes a CLI configuration into dir that installs authtoken/authtoken (both
// registry hosts) from a filesystem mirror of the provider built by ProviderDir, as version, and
// every provider of localMirrors from those mirrors, and returns its path. It is the
// filesystem_mirror install README.md documents, with a mirror standing in for the registry
// (there is no internet): unlike dev_overrides, `terraform init` works with it.
func MirrorConfig(tb testing.TB, dir, version string, localMirrors ...FilesystemMirror) string {
	tb.Helper()
	mirror := filepath.Join(dir, "mirror")
	binary := filepath.Join(ProviderDir(tb), "terraform-provider-authtoken")
	sources := []string{"registry.terraform.io/authtoken/authtoken", "registry.opentofu.org/authtoken/authtoken"}
	for _, source := range sources {
		Mirror(tb, mirror, MirrorPackage{Source: source, Version: version, Binary: binary})
	}
	var b strings.Builder
	b.WriteString("provider_installation {\n")
	for _, m := range append([]FilesystemMirror{{Path: mirror, Include: sources}}, localMirrors...) {
		fmt.Fprintf(&b, "  filesystem_mirror {\n    path    = %q\n    include = [%s]\n  }\n", m.Path, quoteAll(m.Include))
	}
	fmt.Fprintf(&b, "  direct {\n    exclude = [%s]\n  }\n}\n", quoteAll(sources))
	path := filepath.Join(dir, ".terraformrc")
	testsupport.WriteFile(tb, path, b.String())
	return path
}

func quoteAll(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// DevOverridesConfig writes a CLI configuration into dir that serves authtoken/authtoken from the
// provider built by ProviderDir, and each source in extra from its directory, and returns its path.
func DevOverridesConfig(tb testing.TB, dir string, extra ...Override) string {
	tb.Helper()
	path := filepath.Join(dir, ".terraformrc")
	var b strings.Builder
	b.WriteString("provider_installation {\n  dev_overrides {\n")
	overrides := append([]Override{
		{"registry.terraform.io/authtoken/authtoken", ProviderDir(tb)},
		{"registry.opentofu.org/authtoken/authtoken", ProviderDir(tb)},
	}, extra...)
	for _, o := range overrides {
		fmt.Fprintf(&b, "    %q = %q\n", o.Source, o.Dir)
	}
	b.WriteString("  }\n  direct {}\n}\n")
	testsupport.WriteFile(tb, path, b.String())
	return path
}

// Override serves the provider of a source address from a directory (dev_overrides).
type Override struct{ Source, Dir string }

// Env is the test process's environment as terraform-exec takes it: a map, without the variables
// terraform-exec sets itself (TF_LOG, TF_IN_AUTOMATION and the like), which it refuses.
func Env() map[string]string {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return tfexec.CleanEnv(env)
}

// Terraform is a working directory holding config, whose terraform serves this provider from a
// fresh build through dev_overrides (plan, apply and validate need no init). env is added to the
// test process's environment. It skips the test when TF_ACC is not set.
func Terraform(tb testing.TB, config string, env map[string]string, extra ...Override) *tfexec.Terraform {
	tb.Helper()
	if os.Getenv("TF_ACC") == "" {
		tb.Skip("set TF_ACC=1 to run tests that drive the terraform binary")
	}
	dir := tb.TempDir()
	testsupport.WriteFile(tb, filepath.Join(dir, "main.tf"), config)
	tf, err := tfexec.NewTerraform(dir, TerraformPath(tb))
	if err != nil {
		tb.Fatal(err)
	}
	SetEnv(tb, tf, env, extra...)
	return tf
}

// SetEnv gives tf, a working directory of Terraform's, the test process's environment plus env,
// with the CLI configuration that serves this provider (and extra): for a test whose next command
// runs in another environment, as a CI pipeline's apply job does after its plan job.
func SetEnv(tb testing.TB, tf *tfexec.Terraform, env map[string]string, extra ...Override) {
	tb.Helper()
	full := Env()
	for k, v := range env {
		full[k] = v
	}
	full["TF_CLI_CONFIG_FILE"] = DevOverridesConfig(tb, tf.WorkingDir(), extra...)
	full["CHECKPOINT_DISABLE"] = "1"
	if err := tf.SetEnv(full); err != nil {
		tb.Fatal(err)
	}
}
