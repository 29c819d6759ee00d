package provider

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/authtoken/terraform-provider-authtoken/internal/acctest"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
)

// mixedConfig requires this provider (by the README's registry snippet's constraint) and
// hashicorp/aws, the case dev_overrides cannot serve: `terraform init` must install both.
const mixedConfig = `terraform {
  required_providers {
    authtoken = {
      source  = "authtoken/authtoken"
      version = "~> 0.1"
    }
    aws = {
      source = "hashicorp/aws"
    }
  }
}
`

// localAWS returns the machine's local hashicorp/aws release, or skips the test.
func localAWS(t *testing.T) acctest.LocalProvider {
	t.Helper()
	lp, found := acctest.FindLocalProvider("registry.terraform.io/" + awsSource)
	if !found {
		t.Skipf("it uses hashicorp/aws, and no local plugin directory holds a release of it (looked in %s)",
			strings.Join(acctest.PluginDirs(), ", "))
	}
	return lp
}

// initMixed runs terraform init on mixedConfig with the CLI configuration cliConfig (and HOME,
// when set) and checks that both providers were installed and locked.
func initMixed(t *testing.T, cliConfig, home string) []string {
	t.Helper()
	dir := t.TempDir()
	testsupport.WriteFile(t, filepath.Join(dir, "main.tf"), mixedConfig)
	env := map[string]string{}
	if home != "" {
		env["HOME"] = home
	}
	tf := exampleTerraform(t, dir, cliConfig, env)
	if err := tf.Init(context.Background()); err != nil {
		return []string{"terraform init of a configuration with authtoken/authtoken and hashicorp/aws failed: " + err.Error()}
	}
	lock, err := os.ReadFile(filepath.Join(dir, ".terraform.lock.hcl"))
	var problems []string
	for _, source := range []string{"authtoken/authtoken", awsSource} {
		if err != nil || !regexp.MustCompile(`provider "registry\.[a-z.]+/`+source+`"`).Match(lock) {
			problems = append(problems, fmt.Sprintf("terraform init did not lock %s: %v\n%s", source, err, lock))
		}
	}
	return problems
}

// checkMirrorCLIConfigExample checks a CLI configuration that installs this provider from a
// filesystem mirror (README.md's Installing): with its path replaced by a mirror of a fresh build,
// terraform init installs this provider from it together with hashicorp/aws. There is no
// internet, so aws comes from the machine's local release, through a mirror put before direct.
func checkMirrorCLIConfigExample(t *testing.T, text string) exampleResult {
	t.Helper()
	var r exampleResult
	aws := localAWS(t)
	mirror, awsMirror := t.TempDir(), t.TempDir()
	for _, host := range registryHosts { // OpenTofu looks for registry.opentofu.org/hashicorp/aws
		acctest.Mirror(t, mirror, acctest.MirrorPackage{Source: host + "authtoken/authtoken", Version: ownVersion(),
			Binary: filepath.Join(acctest.ProviderDir(t), "terraform-provider-authtoken")})
		acctest.Mirror(t, awsMirror, acctest.MirrorPackage{Source: host + awsSource, Version: aws.Version, Binary: aws.Binary})
	}
	pathRE := regexp.MustCompile(`(filesystem_mirror\s*\{\s*path\s*=\s*)"[^"]*"`)
	if !pathRE.MatchString(text) {
		r.problems = append(r.problems, "a filesystem_mirror CLI configuration without a path first: the check cannot stand "+
			"in for it; extend checkMirrorCLIConfigExample")
		return r
	}
	text = pathRE.ReplaceAllString(text, fmt.Sprintf("${1}%q", mirror))
	// Every source that includes a provider is asked for its versions, so aws leaves direct too.
	directRE := regexp.MustCompile(`direct\s*\{\s*exclude\s*=\s*\[`)
	if !directRE.MatchString(text) {
		r.problems = append(r.problems, "its direct block excludes nothing: this provider would be asked of the registry too")
		return r
	}
	text = directRE.ReplaceAllLiteralString(text, fmt.Sprintf("filesystem_mirror {\n    path    = %q\n    include = [\"hashicorp/aws\"]\n  }\n"+
		"  direct {\n    exclude = [\"hashicorp/aws\", ", awsMirror))
	rc := filepath.Join(t.TempDir(), "terraform.rc")
	testsupport.WriteFile(t, rc, text)
	r.problems = initMixed(t, rc, "")
	r.how = append(r.how, fmt.Sprintf("its filesystem_mirror path replaced by a mirror of a fresh build, and hashicorp/aws "+
		"%s from %s standing in for direct (no internet; aws added to direct's exclude): terraform init installs and locks both", aws.Version, aws.Mirror))
	return r
}

// TestAccInstallMirror: `make install-mirror` installs the provider where Terraform looks without
// any CLI configuration (~/.terraform.d/plugins), so that terraform init takes it from there and
// another provider (hashicorp/aws, here from the same directory, as there is no internet) from
// elsewhere: README.md's install recipe for a configuration that mixes providers.
func TestAccInstallMirror(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run tests that drive the terraform binary")
	}
	t.Parallel()
	aws := localAWS(t)
	home := t.TempDir()
	// Go's own directories stay where they are: a HOME of its own would make Go fetch and build
	// everything anew.
	goEnv, err := exec.Command("go", "env", "GOPATH", "GOMODCACHE", "GOCACHE", "GOENV").Output()
	if err != nil {
		t.Fatal(err)
	}
	dirs := strings.Fields(string(goEnv))
	for _, target := range []string{"install-mirror", "install"} {
		cmd := exec.Command("make", "-C", testsupport.RepoRoot(), target)
		cmd.Env = append(os.Environ(), "HOME="+home, "GOPATH="+dirs[0], "GOMODCACHE="+dirs[1], "GOCACHE="+dirs[2], "GOENV="+dirs[3],
			"GOBIN="+filepath.Join(home, "bin"))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("make %s: %v\n%s", target, err, out)
		}
	}
	plugins := filepath.Join(home, ".terraform.d", "plugins")
	// Both builds are reproducible across machines: no local paths in the binary (-trimpath).
	installed, _ := filepath.Glob(filepath.Join(plugins, "registry.terraform.io", "authtoken", "authtoken", "0.1.0", "*", "terraform-provider-authtoken_v0.1.0"))
	for _, binary := range append(installed, filepath.Join(home, "bin", "terraform-provider-authtoken")) {
		if out, err := exec.Command("go", "version", "-m", binary).Output(); err != nil || !strings.Contains(string(out), "-trimpath=true") {
			t.Errorf("%s: not built with -trimpath (%v):\n%s", binary, err, out)
		}
	}
	if len(installed) != 1 {
		t.Errorf("make install-mirror installed %v under %s", installed, plugins)
	}
	for _, host := range registryHosts {
		acctest.Mirror(t, plugins, acctest.MirrorPackage{Source: host + awsSource, Version: aws.Version, Binary: aws.Binary})
	}
	empty := filepath.Join(t.TempDir(), "terraform.rc") // no provider_installation: the implied mirrors
	testsupport.WriteFile(t, empty, "")
	for _, p := range initMixed(t, empty, home) {
		t.Error(p)
	}
}
