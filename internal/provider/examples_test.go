package provider

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/provider"

	"github.com/authtoken/terraform-provider-authtoken/internal/acctest"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
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
	terraform := acctest.TerraformPath(t)
	root := testsupport.RepoRoot()
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
	cliConfig := acctest.DevOverridesConfig(t, t.TempDir())

	for _, dir := range dirs {
		rel, _ := filepath.Rel(root, dir)
		needsOnlyThis := examplesNeedsOnlyThisProvider(t, dir)
		t.Run(filepath.ToSlash(rel), func(t *testing.T) {
			t.Parallel()
			tf, err := tfexec.NewTerraform(dir, terraform)
			if err != nil {
				t.Fatal(err)
			}
			env := acctest.Env()
			env["TF_CLI_CONFIG_FILE"] = cliConfig
			env["TF_DATA_DIR"] = t.TempDir() // nothing is written into examples/
			if err := tf.SetEnv(env); err != nil {
				t.Fatal(err)
			}
			ok, files, err := tf.FormatCheck(context.Background())
			if err != nil || !ok {
				t.Errorf("%s is not formatted (run `terraform fmt -recursive examples` or make docs): %v %v", rel, files, err)
			}
			if !needsOnlyThis {
				t.Logf("%s needs providers other than authtoken/authtoken: checked with terraform fmt only", rel)
				return
			}
			out, err := tf.Validate(context.Background())
			if problems := examplesValidateProblems(out, err); len(problems) > 0 {
				t.Errorf("terraform validate in %s:\n  %s", rel, strings.Join(problems, "\n  "))
			}
		})
	}
}

// TestExamplesAndDocsCoverEveryType checks that every token type has its examples and pages, and
// that the pages name every environment variable; scripts/docs.sh (make docs) regenerates them.
func TestExamplesAndDocsCoverEveryType(t *testing.T) {
	root := testsupport.RepoRoot()
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
		var envVars, dataSourceEnvVars []string
		for _, in := range tt.inputs {
			envVars = append(envVars, tt.envVar(in))
			if !in.ephemeral {
				dataSourceEnvVars = append(dataSourceEnvVars, tt.envVar(in))
			}
		}
		for _, rel := range []string{
			"examples/ephemeral-resources/" + tt.name + "/ephemeral-resource.tf",
			"examples/data-sources/" + tt.name + "/data-source.tf",
		} {
			expect(rel, read(rel), `"`+tt.name+`"`)
		}
		// At least one example per type passes the token on to a consumer, in each form.
		expect("examples/usage/ephemeral-resources/"+tt.name+"/main.tf", read("examples/usage/ephemeral-resources/"+tt.name+"/main.tf"),
			`ephemeral "`+tt.name+`"`, `ephemeral.`+tt.name+`.`, `.access_token`)
		expect("examples/usage/data-sources/"+tt.name+"/main.tf", read("examples/usage/data-sources/"+tt.name+"/main.tf"),
			`data "`+tt.name+`"`, `data.`+tt.name+`.`, `.access_token`)
		env := "examples/environment/" + tt.name + ".sh"
		expect(env, read(env), envVars...)
		expect("docs/index.md", index, envVars...)
		for page, vars := range map[string][]string{"docs/ephemeral-resources/" + tt.name + ".md": envVars,
			"docs/data-sources/" + tt.name + ".md": dataSourceEnvVars} {
			content := read(page)
			expect(page, content, "# "+tt.name+" (", "`access_token` (String, Sensitive)")
			expect(page, content, vars...)
		}
	}
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

// examplesValidateProblems turns `terraform validate -json` output into one line per problem:
// every error and every warning except the dev_overrides one.
func examplesValidateProblems(out *tfjson.ValidateOutput, runErr error) []string {
	if runErr != nil || out == nil {
		return []string{fmt.Sprintf("terraform validate failed: %v", runErr)}
	}
	var problems []string
	if !out.Valid {
		problems = append(problems, "the configuration is not valid")
	}
	for _, d := range out.Diagnostics {
		if d.Severity == tfjson.DiagnosticSeverityWarning && d.Summary == examplesDevOverrideWarning {
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
