package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/provider"
)

// The examples under examples/ are what tfplugindocs puts on the registry pages (scripts/docs.sh).
// TestExamples checks that users can copy them: every directory that needs only this provider
// passes `terraform validate` against a fresh build of it, and every directory is formatted.
// Directories that also need other providers (examples/usage/...) cannot be initialised offline,
// so they get `terraform fmt -check` only.

// examplesDevOverrideWarning is the one diagnostic a clean validate reports with dev_overrides.
const examplesDevOverrideWarning = "Provider development overrides are in effect"

// examplesOwnSources are the provider sources that the built binary serves.
var examplesOwnSources = map[string]bool{
	"authtoken/authtoken":                       true,
	"registry.terraform.io/authtoken/authtoken": true,
	"registry.opentofu.org/authtoken/authtoken": true,
}

var examplesSourceRE = regexp.MustCompile(`(?m)^\s*source\s*=\s*"([^"]*)"`)

func TestExamples(t *testing.T) {
	terraform := examplesTerraform(t)
	root := examplesRepoRoot(t)
	dirs := examplesDirs(t, filepath.Join(root, "examples"))

	var validate []string
	for _, dir := range dirs {
		if examplesNeedsOnlyThisProvider(t, dir) {
			validate = append(validate, dir)
		}
	}
	if len(validate) == 0 {
		t.Fatal("no example directory needs only this provider; expected at least examples/provider")
	}

	// One build for every directory, served through dev_overrides: validate then needs no init.
	binDir := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(binDir, "terraform-provider-authtoken"), ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build of the provider failed: %v\n%s", err, out)
	}
	cliConfig := filepath.Join(t.TempDir(), "terraform.rc")
	examplesWrite(t, cliConfig, fmt.Sprintf(`provider_installation {
  dev_overrides {
    "registry.terraform.io/authtoken/authtoken" = %[1]q
    "registry.opentofu.org/authtoken/authtoken" = %[1]q
  }
  direct {}
}
`, binDir))

	for _, dir := range dirs {
		rel, _ := filepath.Rel(root, dir)
		needsOnlyThis := examplesNeedsOnlyThisProvider(t, dir)
		t.Run(filepath.ToSlash(rel), func(t *testing.T) {
			t.Parallel()
			env := []string{
				"TF_CLI_CONFIG_FILE=" + cliConfig,
				"TF_DATA_DIR=" + t.TempDir(), // nothing is written into examples/
				"CHECKPOINT_DISABLE=1",
				"TF_IN_AUTOMATION=1",
			}
			if out, err := examplesRun(dir, env, terraform, "fmt", "-check", "-diff", "-no-color"); err != nil {
				t.Errorf("%s is not formatted (run `terraform fmt -recursive examples` or make docs): terraform fmt -check: %v\n%s", rel, err, out)
			}
			if !needsOnlyThis {
				t.Logf("%s needs providers other than authtoken/authtoken: checked with terraform fmt only", rel)
				return
			}
			out, err := examplesRun(dir, env, terraform, "validate", "-json", "-no-color")
			if problems := examplesValidateProblems(out, err); len(problems) > 0 {
				// Run it again for the human-readable output.
				text, _ := examplesRun(dir, env, terraform, "validate", "-no-color")
				t.Errorf("terraform validate in %s:\n  %s\n\nterraform's output:\n%s", rel, strings.Join(problems, "\n  "), text)
			}
		})
	}
}

// TestExamplesAndDocsCoverEveryType checks that every token type has its examples and pages, and
// that the pages name every environment variable; scripts/docs.sh (make docs) regenerates them.
func TestExamplesAndDocsCoverEveryType(t *testing.T) {
	root := examplesRepoRoot(t)
	read := func(rel string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			t.Errorf("%v (run make docs, or add the example)", err)
		}
		return string(b)
	}
	expect := func(rel, content string, wants ...string) {
		t.Helper()
		for _, want := range wants {
			if content != "" && !strings.Contains(content, want) {
				t.Errorf("%s does not mention %s (run make docs, or update the example)", rel, want)
			}
		}
	}

	index := read("docs/index.md")
	var resp provider.SchemaResponse
	(&authtokenProvider{}).Schema(context.Background(), provider.SchemaRequest{}, &resp)
	var settings []string
	for name := range resp.Schema.Attributes {
		settings = append(settings, name)
	}
	sort.Strings(settings)
	for _, name := range settings {
		expect("docs/index.md", index, "`"+name+"`", "`AUTHTOKEN_"+strings.ToUpper(name)+"`")
	}

	for _, tt := range tokenTypes() {
		var envVars []string
		for _, in := range tt.inputs {
			envVars = append(envVars, tt.envVar(in))
		}
		for _, rel := range []string{
			"examples/ephemeral-resources/" + tt.name + "/ephemeral-resource.tf",
			"examples/data-sources/" + tt.name + "/data-source.tf",
		} {
			expect(rel, read(rel), `"`+tt.name+`"`)
		}
		// At least one example per API passes the token on as a Bearer header, in each form.
		expect("examples/usage/ephemeral-resources/"+tt.name+"/main.tf", read("examples/usage/ephemeral-resources/"+tt.name+"/main.tf"),
			`ephemeral "`+tt.name+`"`, `"Bearer ${ephemeral.`+tt.name+`.`)
		expect("examples/usage/data-sources/"+tt.name+"/main.tf", read("examples/usage/data-sources/"+tt.name+"/main.tf"),
			`data "`+tt.name+`"`, `"Bearer ${data.`+tt.name+`.`)
		env := "examples/environment/" + tt.name + ".sh"
		expect(env, read(env), envVars...)
		expect("docs/index.md", index, envVars...)
		for _, page := range []string{"docs/ephemeral-resources/" + tt.name + ".md", "docs/data-sources/" + tt.name + ".md"} {
			content := read(page)
			expect(page, content, "# "+tt.name+" (", "`access_token` (String, Sensitive)")
			expect(page, content, envVars...)
		}
	}
}

// examplesTerraform returns the terraform (or tofu) binary the acceptance tests use, or skips.
func examplesTerraform(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("TF_ACC_TERRAFORM_PATH"); bin != "" {
		return bin
	}
	bin, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("skipping the example checks: terraform is not on PATH and TF_ACC_TERRAFORM_PATH is not set")
	}
	return bin
}

func examplesRepoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root not found: %v", err)
	}
	return root
}

// examplesDirs lists every directory under examples/ that holds .tf files, skipping hidden ones
// such as .terraform.
func examplesDirs(t *testing.T, examples string) []string {
	t.Helper()
	seen := map[string]bool{}
	err := filepath.WalkDir(examples, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != examples && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".tf") {
			seen[filepath.Dir(path)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatalf("listing examples: %v", err)
	}
	dirs := make([]string, 0, len(seen))
	for dir := range seen {
		dirs = append(dirs, dir)
	}
	sort.Strings(dirs)
	if len(dirs) == 0 {
		t.Fatalf("no .tf files under %s", examples)
	}
	return dirs
}

// examplesNeedsOnlyThisProvider reports whether no `source = "..."` in the directory names
// another provider or a remote module (local module paths are fine).
func examplesNeedsOnlyThisProvider(t *testing.T, dir string) bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range examplesSourceRE.FindAllSubmatch(b, -1) {
			src := string(m[1])
			if !examplesOwnSources[strings.ToLower(src)] && !strings.HasPrefix(src, "./") && !strings.HasPrefix(src, "../") {
				return false
			}
		}
	}
	return true
}

func examplesRun(dir string, env []string, terraform string, args ...string) (string, error) {
	var out bytes.Buffer
	cmd := exec.Command(terraform, args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, &out, &out
	cmd.Env = append(os.Environ(), env...)
	err := cmd.Run()
	return out.String(), err
}

// examplesValidateProblems turns `terraform validate -json` output into one line per problem:
// every error and every warning except the dev_overrides one.
func examplesValidateProblems(out string, runErr error) []string {
	var result struct {
		Valid       bool `json:"valid"`
		Diagnostics []struct {
			Severity string `json:"severity"`
			Summary  string `json:"summary"`
			Detail   string `json:"detail"`
			Range    *struct {
				Filename string `json:"filename"`
				Start    struct {
					Line int `json:"line"`
				} `json:"start"`
			} `json:"range"`
		} `json:"diagnostics"`
	}
	// Terraform may print other lines (such as CLI config warnings) before the JSON.
	start := strings.Index(out, "{")
	if start < 0 || json.Unmarshal([]byte(out[start:]), &result) != nil {
		return []string{fmt.Sprintf("could not read terraform's JSON output (exit: %v)", runErr)}
	}
	var problems []string
	if !result.Valid || runErr != nil {
		problems = append(problems, fmt.Sprintf("the configuration is not valid (exit: %v)", runErr))
	}
	for _, d := range result.Diagnostics {
		if d.Severity == "warning" && d.Summary == examplesDevOverrideWarning {
			continue
		}
		where := ""
		if d.Range != nil {
			where = fmt.Sprintf(" (%s line %d)", d.Range.Filename, d.Range.Start.Line)
		}
		problems = append(problems, fmt.Sprintf("%s: %s%s: %s", d.Severity, d.Summary, where, d.Detail))
	}
	return problems
}

func examplesWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
