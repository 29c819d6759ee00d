package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"

	"github.com/authtoken/terraform-provider-authtoken/internal/acctest"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// examples/ holds every block a user can copy: tfplugindocs includes them into the registry
// pages and make docs copies them into README.md (TestDocsCodeBlocksAreExampleFiles holds the
// pages to them). TestAccExamples checks each through the real terraform:
//
//   - every directory that holds .tf files is a complete configuration (the local modules under
//     a modules/ directory are checked with their caller): formatted; `terraform init` installs
//     its modules and its providers offline, from a filesystem mirror of its required_providers
//     (this provider's build; a stand-in with the real provider's schema, internal/acctest/standin;
//     the machine's local hashicorp/aws release), so a provider it does not require, or that has no
//     offline copy, fails it; and `terraform validate` (for one that is applied, its plan, which
//     validates it the same way) reports neither an error nor a warning.
//     A provider block of a stand-in or of aws gets a probe block using it, since validate checks
//     only the provider blocks that some block uses;
//   - one that uses nothing but this provider and Terraform's built-ins is then planned (-out) and
//     applied against a token server on loopback, unless examplesValidatedOnly says why it cannot
//     run. Terraform gets what a pipeline would give it: every type's environment variables
//     pointing at the token server with its test account (exampleEnvironment), the documented
//     hosts (the APIs' default hosts, *.example.com) served by the token server through a proxy
//     the provider trusts, the literal clients and users of its token blocks known to the token
//     server, and a value for each variable named after a type's input (tenn_client_secret,
//     partner_api_url: exampleVariables). Every API it uses must have had a token request;
//   - a .tfrc file is a CLI configuration: with its dev_overrides directory for
//     authtoken/authtoken replaced by a fresh build, terraform takes it and serves the provider
//     from it.
//
// Each subtest logs how its example was checked.

// examplesValidatedOnly are the examples that use only this provider but cannot run against the
// token server, and why.
var examplesValidatedOnly = map[string]string{
	"examples/demo": "make demo applies it, with its own token server and checks (scripts/demo.sh)",
	"examples/ephemeral-resources/oauth2_token": "its Keycloak issuer (https://login.example.com/realms/platform) " +
		"is a path the token server does not serve, and its refresh token has no test value; its entra block runs " +
		"on its own, taken from the file, against the token server's Entra-like endpoint (TestAccEntraExample)",
	"examples/guides/using-tokens/child-module": "its script calls https://partner-api.example.com/api/bookings, " +
		"an API the token server does not have",
	"examples/guides/using-tokens/lifetime": "its Keycloak issuer (https://login.example.com/realms/platform) is a " +
		"path the token server does not serve",
	"examples/guides/using-tokens/mutual-tls": "its gateway and its RFC 8705 issuer ask for a client certificate " +
		"the test CA issued, and its report API is not the token server's; TestAccClientCertificate and " +
		"TestAccTLSClientAuth run the same inputs against the token server over mutual TLS",
	"examples/guides/using-tokens/github-cli": "its provisioner runs gh, which this machine does not have, " +
		"against github.com; TestAccGitHubAppTokenNarrowed and make demo run the same token inputs against the " +
		"token server",
	"examples/guides/using-tokens/local-exec": "it registers a webhook at var.webhook_url, an API the token " +
		"server does not have",
	"examples/guides/testing-configurations": "it is a module under test: its terraform test files run against " +
		"the token server (TestAccTestingGuideModuleTests, through its run-tests.sh)",
	"examples/guides/testing-configurations/tests/token-server": "a setup module that starts the tokenserver " +
		"command: its test file runs it (TestAccTestingGuideModuleTests)",
	"examples/guides/secretless-pipelines/google-sts":    secretlessValidatedOnly,
	"examples/guides/secretless-pipelines/keycloak":      secretlessValidatedOnly,
	"examples/guides/secretless-pipelines/dex":           secretlessValidatedOnly,
	"examples/guides/secretless-pipelines/gitlab":        secretlessValidatedOnly,
	"examples/guides/secretless-pipelines/hcp-terraform": secretlessValidatedOnly,
	"examples/guides/secretless-pipelines/kubernetes":    secretlessValidatedOnly,
}

// secretlessValidatedOnly is why the secretless pipeline guide's examples are validated only.
const secretlessValidatedOnly = "it needs a CI job's environment and a real authorization server; TestAccSecretless* " +
	"and TestAccJobToken* run the same inputs against the token server's CI issuer and trusting endpoint"

func TestAccExamples(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run tests that drive the terraform binary")
	}
	t.Parallel()
	root := testsupport.RepoRoot()
	dirs, cliConfigs := listExamples(t, filepath.Join(root, "examples"))
	if len(dirs) == 0 {
		t.Fatal("no example configurations under examples/")
	}
	checkFormatted(t, filepath.Join(root, "examples"))
	for rel, why := range examplesValidatedOnly {
		if !slices.Contains(dirs, filepath.Join(root, filepath.FromSlash(rel))) {
			t.Errorf("examplesValidatedOnly names %s (%s), which is not an example: remove it", rel, why)
		}
	}
	for _, dir := range append(dirs, cliConfigs...) {
		rel, _ := filepath.Rel(root, dir)
		rel = filepath.ToSlash(rel)
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
			var r exampleResult
			if strings.HasSuffix(dir, ".tfrc") {
				r = checkCLIConfigExample(t, dir)
			} else {
				r = checkExample(t, dir, examplesValidatedOnly[rel])
			}
			t.Log(r.String())
			if len(r.problems) > 0 {
				t.Errorf("%s:\n  %s", rel, strings.Join(r.problems, "\n  "))
			}
		})
	}
}

// TestAccExamplesReportProblems: the checks fail an example that terraform refuses or warns
// about, that uses a provider it does not require or that nothing here serves, or whose plan fails
// against the token server, so TestAccExamples cannot pass over one.
func TestAccExamplesReportProblems(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run tests that drive the terraform binary")
	}
	t.Parallel()
	const required = "terraform {\n  required_providers {\n    authtoken = { source = \"authtoken/authtoken\" }\n%s  }\n}\n\n"
	// Terraform says "Invalid use of ephemeral value", OpenTofu "Ephemeral value used in
	// non-ephemeral context"; both name the argument.
	ephemeralRefused := "Invalid use of ephemeral value"
	if acctest.CurrentEngine().OpenTofu {
		ephemeralRefused = "Ephemeral value used in non-ephemeral context"
	}
	for _, c := range []struct {
		name, config string
		want         []string
	}{
		{"unsupported argument", fmt.Sprintf(required, "") + "ephemeral \"tenn_token\" \"x\" {\n  provider = authtoken\n  colour   = \"blue\"\n}\n",
			[]string{"Unsupported argument", `"colour"`, "main.tf line 9"}},
		{"undeclared variable", fmt.Sprintf(required, "") + "ephemeral \"tenn_token\" \"x\" {\n  provider = authtoken\n  password = var.undeclared\n}\n",
			[]string{"Reference to undeclared input variable", "undeclared"}},
		{"provider not required", "ephemeral \"tenn_token\" \"x\" {}\n",
			[]string{"terraform init", "hashicorp/tenn"}},
		{"no offline copy", fmt.Sprintf(required, "    nowhere = { source = \"example/nowhere\" }\n") + "provider \"nowhere\" {}\n",
			[]string{"example/nowhere", "no offline copy and no stand-in"}},
		{"ephemeral value refused, against a stand-in", fmt.Sprintf(required, "    http = { source = \"hashicorp/http\" }\n") +
			"ephemeral \"tenn_token\" \"x\" {\n  provider = authtoken\n}\n\ndata \"http\" \"x\" {\n  url             = \"https://api.example.com\"\n" +
			"  request_headers = { Authorization = ephemeral.tenn_token.x.access_token }\n}\n",
			[]string{ephemeralRefused, "request_headers"}},
		{"a warning", "terraform {\n  required_providers {\n    tenn      = { source = \"authtoken/authtoken\" }\n" +
			"    testinium = { source = \"authtoken/authtoken\" }\n  }\n}\n\nephemeral \"tenn_token\" \"x\" {}\n\nephemeral \"testinium_token\" \"x\" {}\n",
			[]string{"plan warned", "Duplicate required provider"}},
		{"plan fails", fmt.Sprintf(required, "") + "ephemeral \"tenn_token\" \"x\" {\n  provider     = authtoken\n  min_validity = \"2h\"\n}\n",
			[]string{"plan against the token server failed", "Invalid min_validity"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			testsupport.WriteFile(t, filepath.Join(dir, "main.tf"), c.config)
			r := checkExample(t, dir, "")
			text := strings.Join(r.problems, "\n")
			t.Logf("%s:\n%s", r.String(), text)
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("the problems do not mention %q:\n%s", w, text)
				}
			}
		})
	}
}

// exampleResult is how an example was checked.
type exampleResult struct {
	how      []string // what was done, in order
	notes    []string // warnings of plan and apply, and the like: not failures
	problems []string
}

func (r exampleResult) String() string {
	how := r.how
	if len(r.problems) > 0 {
		how = append(slices.Clone(how), fmt.Sprintf("FAILED with %d problem(s)", len(r.problems)))
	}
	s := strings.Join(how, "; ")
	for _, n := range r.notes {
		s += "\n    note: " + n
	}
	return s
}

// listExamples returns the example configurations under examples (directories holding .tf files,
// but hidden ones and modules/ of a caller) and the CLI configurations (.tfrc files).
func listExamples(t *testing.T, examples string) (dirs, cliConfigs []string) {
	t.Helper()
	seen := map[string]bool{}
	err := filepath.WalkDir(examples, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && p != examples && (strings.HasPrefix(d.Name(), ".") || d.Name() == "modules"):
			return filepath.SkipDir
		case strings.HasSuffix(p, ".tfrc"):
			cliConfigs = append(cliConfigs, p)
		case strings.HasSuffix(p, ".tf") && !seen[filepath.Dir(p)]:
			seen[filepath.Dir(p)] = true
			dirs = append(dirs, filepath.Dir(p))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("listing examples: %v", err)
	}
	return dirs, cliConfigs
}

// checkFormatted fails the test for every file under dir that terraform fmt would change.
func checkFormatted(t *testing.T, dir string) {
	t.Helper()
	tf := exampleTerraform(t, dir, "", nil)
	ok, files, err := tf.FormatCheck(context.Background(), tfexec.Recursive(true))
	if err != nil || !ok {
		t.Errorf("examples/ is not formatted (run make docs, or terraform fmt -recursive examples): %v %v", files, err)
	}
}

// checkExample checks the configuration in dir; validatedOnly, when set, says why it is not applied.
func checkExample(t *testing.T, dir, validatedOnly string) exampleResult {
	t.Helper()
	var r exampleResult
	cfg, err := readExample(dir)
	if err != nil {
		r.problems = append(r.problems, "not parseable as HCL: "+err.Error())
		return r
	}
	work := t.TempDir() // terraform writes .terraform and a lock file: not into examples/
	copyTree(t, dir, work)
	mirror, ways, cannotApply := exampleMirror(t, cfg, &r)
	if len(r.problems) > 0 {
		return r
	}
	probes, probed := cfg.probes()
	if probes != "" {
		testsupport.WriteFile(t, filepath.Join(work, "zz_probe.tf"), probes)
		r.notes = append(r.notes, "its provider blocks of "+strings.Join(probed, ", ")+
			" were validated through probe blocks that use them")
	}
	cliConfig := cliConfigWithMirror(t, mirror)
	tf := exampleTerraform(t, work, cliConfig, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := tf.Init(ctx, tfexec.Backend(false)); err != nil {
		r.problems = append(r.problems, "terraform init (offline, from the mirror) failed: "+firstLines(err.Error(), 30))
		return r
	}
	if len(cannotApply) == 0 && validatedOnly == "" {
		// The plan validates the configuration as terraform validate does, warnings included.
		r.how = append(r.how, "validated by its plan against "+strings.Join(ways, ", "))
		applyExample(ctx, t, tf, cliConfig, cfg, &r)
		return r
	}
	out, err := tf.Validate(ctx)
	r.problems = append(r.problems, validateProblems(out, err)...)
	r.how = append(r.how, "validated against "+strings.Join(ways, ", "))
	if len(cannotApply) > 0 {
		r.how = append(r.how, "not applied: it uses "+strings.Join(cannotApply, " and "))
	} else {
		r.how = append(r.how, "not applied: "+validatedOnly)
	}
	return r
}

// exampleConfig is what the checks read of an example's files: not what terraform checks, only
// what the token server, the mirror and the probes need.
type exampleConfig struct {
	required  map[string]string // local name -> source, namespace/type in lower case
	providers []string          // the root module's provider blocks: local name, or local.alias
	variables map[string]bool   // the root module's variables: whether each is ephemeral
	tokens    []exampleToken
}

// exampleToken is a block of one of this provider's types.
type exampleToken struct {
	tt      tokenType
	literal map[string]string // argument = "literal"
	setsArg map[string]bool   // every argument the block sets
}

var registryHosts = []string{"registry.terraform.io/", "registry.opentofu.org/"}

// readExample reads every .tf file under dir, modules included.
func readExample(dir string) (*exampleConfig, error) {
	cfg := &exampleConfig{required: map[string]string{}, variables: map[string]bool{}}
	types := map[string]tokenType{}
	for _, tt := range tokenTypes() {
		types[tt.name] = tt
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && p != dir && strings.HasPrefix(d.Name(), "."):
			return filepath.SkipDir // .terraform
		case d.IsDir() || !strings.HasSuffix(p, ".tf"):
			return nil
		}
		src, err := os.ReadFile(p) //nolint:gosec // an example of this repository, or a test's
		if err != nil {
			return err
		}
		file, diags := hclsyntax.ParseConfig(src, p, hcl.InitialPos)
		if diags.HasErrors() {
			return diags
		}
		root := filepath.Dir(p) == dir
		for _, b := range file.Body.(*hclsyntax.Body).Blocks {
			switch {
			case b.Type == "terraform":
				for _, rp := range b.Body.Blocks {
					if rp.Type == "required_providers" {
						for local, a := range rp.Body.Attributes {
							cfg.required[local] = requiredSource(a.Expr, local)
						}
					}
				}
			case b.Type == "provider" && root && len(b.Labels) == 1:
				ref := b.Labels[0]
				if alias := literalString(b.Body.Attributes["alias"]); alias != "" {
					ref += "." + alias
				}
				cfg.providers = append(cfg.providers, ref)
			case b.Type == "variable" && root && len(b.Labels) == 1:
				ephemeral := false
				if a := b.Body.Attributes["ephemeral"]; a != nil {
					v, d := a.Expr.Value(nil)
					ephemeral = !d.HasErrors() && v.Type() == cty.Bool && v.True()
				}
				cfg.variables[b.Labels[0]] = ephemeral
			case (b.Type == "ephemeral" || b.Type == "data") && len(b.Labels) == 2:
				if tt, ok := types[b.Labels[0]]; ok {
					tok := exampleToken{tt: tt, literal: map[string]string{}, setsArg: map[string]bool{}}
					for name, a := range b.Body.Attributes {
						tok.setsArg[name] = true
						if v := literalString(a); v != "" {
							tok.literal[name] = v
						}
					}
					cfg.tokens = append(cfg.tokens, tok)
				}
			}
		}
		return nil
	})
	return cfg, err
}

// requiredSource is the source of an entry of required_providers, as namespace/type in lower
// case; without a source Terraform takes hashicorp/<local name>.
func requiredSource(expr hcl.Expression, local string) string {
	source := "hashicorp/" + local
	if v, d := expr.Value(nil); !d.HasErrors() && v.Type().IsObjectType() && v.Type().HasAttribute("source") &&
		v.GetAttr("source").Type() == cty.String {
		source = strings.ToLower(v.GetAttr("source").AsString())
		for _, host := range registryHosts {
			source = strings.TrimPrefix(source, host)
		}
	}
	return source
}

func literalString(a *hclsyntax.Attribute) string {
	if a == nil || len(a.Expr.Variables()) > 0 {
		return ""
	}
	if v, d := a.Expr.Value(nil); !d.HasErrors() && v.IsKnown() && !v.IsNull() && v.Type() == cty.String {
		return v.AsString()
	}
	return ""
}

// sourceOf is the source of a provider reference of the root module.
func (c *exampleConfig) sourceOf(ref string) string {
	local, _, _ := strings.Cut(ref, ".")
	if s, ok := c.required[local]; ok {
		return s
	}
	return "hashicorp/" + local
}

// probes are blocks that use each provider block of a stand-in or of aws (validate checks only
// the provider blocks some block uses), and the sources they probe.
func (c *exampleConfig) probes() (string, []string) {
	var b strings.Builder
	var sources []string
	for _, ref := range c.providers {
		if probe := probeFor(c.sourceOf(ref)); probe != "" {
			b.WriteString(fmt.Sprintf(probe, ref) + "\n")
			sources = append(sources, c.sourceOf(ref))
		}
	}
	return b.String(), slices.Compact(slices.Sorted(slices.Values(sources)))
}

// awsSource is the third-party provider the machine image carries a release of, in a local plugin
// directory (/opt/tf-plugins), for offline validation.
const awsSource = "hashicorp/aws"

// probeFor is a valid block of one of the provider's types, with %s for the provider reference,
// or "" for this provider and the built-ins.
func probeFor(source string) string {
	if source == awsSource {
		return "data \"aws_partition\" \"example_probe\" {\n  provider = %s\n}\n"
	}
	if s, ok := acctest.StandInFor(source); ok {
		return s.Probe
	}
	return ""
}

// exampleMirror is a filesystem mirror of every provider cfg requires, under both registries'
// hosts, and how each is served; cannotApply lists those that no apply against the token server
// can use. A provider nothing here serves is a problem.
func exampleMirror(t *testing.T, cfg *exampleConfig, r *exampleResult) (dir string, ways, cannotApply []string) {
	t.Helper()
	dir = t.TempDir()
	var pkgs []acctest.MirrorPackage
	add := func(source, version, binary string) {
		for _, host := range registryHosts {
			pkgs = append(pkgs, acctest.MirrorPackage{Source: host + source, Version: version, Binary: binary})
		}
	}
	for _, source := range slices.Compact(slices.Sorted(maps.Values(cfg.required))) {
		typ := source[strings.LastIndex(source, "/")+1:]
		switch source {
		case "authtoken/authtoken":
			add(source, ownVersion(), filepath.Join(acctest.ProviderDir(t), "terraform-provider-authtoken"))
			ways = append(ways, "this provider")
		case awsSource:
			lp := localAWS(t)
			add(source, lp.Version, lp.Binary)
			ways = append(ways, fmt.Sprintf("hashicorp/aws %s from %s", lp.Version, lp.Mirror))
			cannotApply = append(cannotApply, "hashicorp/aws (the real release: applying would call AWS)")
		default:
			s, ok := acctest.StandInFor(source)
			if !ok {
				r.problems = append(r.problems, fmt.Sprintf("it requires %s, which has no offline copy and no stand-in "+
					"in internal/acctest/standin: show a provider that has one, or add a stand-in with its documented schema", source))
				continue
			}
			add(source, s.Version, filepath.Join(s.Dir(t), "terraform-provider-"+typ))
			ways = append(ways, fmt.Sprintf("a stand-in of %s %s", s.Source, s.Version))
			cannotApply = append(cannotApply, s.Source+" (a stand-in: its schema, no API behind it)")
		}
	}
	acctest.Mirror(t, dir, pkgs...)
	if len(ways) == 0 {
		ways = []string{"Terraform built-ins"}
	}
	return dir, ways, cannotApply
}

// ownVersion is the version of this provider the docs describe: CHANGELOG.md's first heading.
var ownVersion = sync.OnceValue(func() string {
	b, _ := os.ReadFile(filepath.Join(testsupport.RepoRoot(), "CHANGELOG.md"))
	if m := regexp.MustCompile(`(?m)^## (\d+\.\d+\.\d+)`).FindSubmatch(b); m != nil {
		return string(m[1])
	}
	return "0.1.0"
})

// cliConfigWithMirror is a CLI configuration that installs providers from mirror only.
func cliConfigWithMirror(t *testing.T, mirror string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "terraform.rc")
	testsupport.WriteFile(t, p, fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path = %q\n  }\n}\n", mirror))
	return p
}

// exampleTerraform is terraform in dir with the environment exampleEnv makes.
func exampleTerraform(t *testing.T, dir, cliConfig string, env map[string]string) *tfexec.Terraform {
	t.Helper()
	tf, err := tfexec.NewTerraform(dir, acctest.TerraformPath(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := tf.SetEnv(exampleEnv(cliConfig, env)); err != nil {
		t.Fatal(err)
	}
	return tf
}

// exampleEnv is the test process's environment without what would change what an example does
// (TF_VAR_*, TF_CLI_ARGS*, the provider's variables), with env and the CLI configuration.
func exampleEnv(cliConfig string, env map[string]string) map[string]string {
	full := acctest.Env()
	for k := range full {
		drop := strings.HasPrefix(k, "TF_VAR_") || strings.HasPrefix(k, "AUTHTOKEN_") || strings.HasPrefix(k, "TF_CLI_ARGS")
		for _, tt := range tokenTypes() {
			drop = drop || strings.HasPrefix(k, tt.envPrefix+"_")
		}
		if drop {
			delete(full, k)
		}
	}
	maps.Copy(full, env)
	if cliConfig != "" {
		full["TF_CLI_CONFIG_FILE"] = cliConfig
	}
	full["CHECKPOINT_DISABLE"] = "1"
	return full
}

// applyExample plans (to a file) and applies the example in tf's directory against a token server
// of its own.
func applyExample(ctx context.Context, t *testing.T, tf *tfexec.Terraform, cliConfig string, cfg *exampleConfig, r *exampleResult) {
	t.Helper()
	srv, ts := testsupport.TokenServer(t, exampleAccounts(cfg))
	proxy := acctest.NewHostProxy(t, srv, documentedHost)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	testsupport.WriteFile(t, caFile, proxy.CAPEM)
	env := exampleEnvironment(cfg, ts.URL)
	// A variable without a value fails the plan ("No value for required variable"), as it should.
	planVars, applyVars, _ := splitVariables(cfg.variables, exampleVariables(ts.URL))
	planVarFile, applyVarFile := writeVarFile(t, planVars), writeVarFile(t, applyVars)
	env["AUTHTOKEN_PROXY_URL"], env["AUTHTOKEN_CA_CERT_PEM"] = proxy.URL, proxy.CAPEM
	// The same for the provisioners' curl.
	env["HTTPS_PROXY"], env["https_proxy"], env["CURL_CA_BUNDLE"] = proxy.URL, proxy.URL, caFile
	env["NO_PROXY"], env["no_proxy"] = "127.0.0.1,localhost", "127.0.0.1,localhost"
	if err := tf.SetEnv(exampleEnv(cliConfig, env)); err != nil {
		t.Fatal(err)
	}
	// The plan's warnings are problems, as validate's are; the apply's are worth a note.
	run := func(step string, command func(w *bytes.Buffer) error) bool {
		errs, warnings, ok := jsonStep(tf, func(s string) string { return redactValues(s, env, planVars) }, command)
		for _, w := range warnings {
			if step == "plan" {
				r.problems = append(r.problems, "plan warned: "+w)
			} else {
				r.notes = append(r.notes, step+" "+w)
			}
		}
		for _, p := range errs {
			r.problems = append(r.problems, step+" against the token server failed: "+p)
		}
		return ok
	}
	if !run("plan", func(w *bytes.Buffer) error {
		_, err := tf.PlanJSON(ctx, w, tfexec.Out("example.tfplan"), tfexec.VarFile(planVarFile))
		return err
	}) || len(r.problems) > 0 {
		return
	}
	// Only the plan's requests are certain: whether an engine opens an ephemeral resource again at
	// apply depends on the engine (OpenTofu 1.12 does not when nothing uses it).
	apis := map[tokenserver.API]int{}
	for _, tok := range cfg.tokens {
		apis[tok.tt.server()] = srv.Requests(tok.tt.server())
	}
	if !run("apply", func(w *bytes.Buffer) error {
		return tf.ApplyJSON(ctx, w, tfexec.DirOrPlan("example.tfplan"), tfexec.VarFile(applyVarFile))
	}) {
		return
	}
	var requests []string
	for _, api := range slices.Sorted(maps.Keys(apis)) {
		if apis[api] == 0 {
			r.problems = append(r.problems, fmt.Sprintf("the token server saw no %s token request during the plan", api))
		}
		requests = append(requests, fmt.Sprintf("%s %d", api, srv.Requests(api)))
	}
	if refused := proxy.Refused(); len(refused) > 0 {
		r.problems = append(r.problems, "the proxy for documented hosts refused "+strings.Join(refused, ", "))
	}
	how := "planned and applied against the token server"
	if len(requests) > 0 {
		how += "; token requests: " + strings.Join(requests, ", ")
	}
	r.how = append(r.how, how)
}

// exampleAccounts are the token server's test accounts, and each literal client and user of the
// example's blocks with the test account's secret, which the environment and variables give them.
func exampleAccounts(cfg *exampleConfig) tokenserver.Config {
	accounts := tokenserver.DefaultConfig()
	for _, tok := range cfg.tokens {
		api := tok.tt.server()
		creds := api.Credentials()
		if id, ok := tok.literal["client_id"]; ok {
			accounts.Clients[api][id] = cmpOr(tok.literal["client_secret"], creds.ClientSecret)
		}
		if user, ok := tok.literal["username"]; ok {
			accounts.Users[api][user] = cmpOr(tok.literal["password"], creds.Password)
		}
	}
	return accounts
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// exampleEnvironment is every type's environment variables for the token server at base, as a
// pipeline would export them; a type's token URL is left out when one of its blocks sets issuer,
// which excludes it.
func exampleEnvironment(cfg *exampleConfig, base string) map[string]string {
	env := map[string]string{}
	for _, tt := range tokenTypes() {
		usesIssuer := slices.ContainsFunc(cfg.tokens, func(tok exampleToken) bool { return tok.tt.name == tt.name && tok.setsArg["issuer"] })
		for k, v := range tt.testEnv(base) {
			if !usesIssuer || k != tt.envPrefix+"_TOKEN_URL" {
				env[k] = v
			}
		}
	}
	return env
}

// exampleVariables are the values the examples' variables get, by name: <prefix>_<input> (such
// as tenn_client_secret) the type's test value of that input, <prefix>_api_url the token server.
// A variable an example declares without a default and without a value here fails its plan ("No
// value for required variable").
func exampleVariables(base string) map[string]string {
	env := map[string]string{}
	for _, tt := range tokenTypes() {
		prefix := strings.ToLower(tt.envPrefix) + "_"
		for input, v := range tt.testInputs(base) {
			env[prefix+input] = v
		}
		env[prefix+"api_url"] = base
	}
	return env
}

func writeVarFile(t *testing.T, vars map[string]string) string {
	t.Helper()
	b, err := json.Marshal(vars)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "example.tfvars.json")
	testsupport.WriteFile(t, p, string(b))
	return p
}

// documentedHost reports a host the token server may stand in for: an API's documented host, or
// one of RFC 2606's example domains.
func documentedHost(host string) bool {
	host = strings.ToLower(host)
	for _, d := range []string{"example.com", "example.org", "example.net"} {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	for _, tt := range tokenTypes() {
		if u, err := url.Parse(tt.api.DefaultTokenURL); err == nil && tt.api.DefaultTokenURL != "" && u.Hostname() == host {
			return true
		}
	}
	return false
}

// checkCLIConfigExample checks a CLI configuration: with its dev_overrides directory for this
// provider replaced by a fresh build, terraform takes it without complaint and serves the provider
// from it to terraform validate.
func checkCLIConfigExample(t *testing.T, file string) exampleResult {
	t.Helper()
	var r exampleResult
	text, err := os.ReadFile(file) //nolint:gosec // an example of this repository
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(text, []byte("filesystem_mirror")) {
		return checkMirrorCLIConfigExample(t, string(text))
	}
	overrideRE := regexp.MustCompile(`("(?:registry\.terraform\.io/|registry\.opentofu\.org/)?authtoken/authtoken"\s*=\s*)"([^"]*)"`)
	m := overrideRE.FindSubmatch(text)
	if m == nil {
		r.problems = append(r.problems, "a CLI configuration that neither overrides authtoken/authtoken nor names a "+
			"filesystem_mirror: the check knows only those; extend checkCLIConfigExample")
		return r
	}
	rc := filepath.Join(t.TempDir(), "terraform.rc")
	testsupport.WriteFile(t, rc, overrideRE.ReplaceAllString(string(text), fmt.Sprintf("${1}%q", acctest.ProviderDir(t))))
	dir := t.TempDir()
	testsupport.WriteFile(t, filepath.Join(dir, "main.tf"), "terraform {\n  required_providers {\n    authtoken = { source = "+
		"\"authtoken/authtoken\" }\n  }\n}\n\nephemeral \"tenn_token\" \"x\" {\n  provider = authtoken\n}\n")
	tf := exampleTerraform(t, dir, rc, nil)
	var stderr bytes.Buffer
	tf.SetStderr(&stderr)
	out, err := tf.Validate(context.Background())
	if strings.Contains(stderr.String(), "problems with the CLI configuration") {
		r.problems = append(r.problems, "terraform does not take it as a CLI configuration:\n"+stderr.String())
	}
	served := false
	if out != nil {
		served = slices.ContainsFunc(out.Diagnostics, func(d tfjson.Diagnostic) bool {
			return d.Summary == devOverridesWarning && strings.Contains(d.Detail, "authtoken/authtoken")
		})
	}
	if !served {
		r.problems = append(r.problems, "its dev_overrides did not serve authtoken/authtoken")
	}
	r.problems = append(r.problems, validateProblems(out, err)...)
	r.how = append(r.how, fmt.Sprintf("validated as a CLI configuration (its dev_overrides directory %s replaced by a "+
		"fresh build): terraform takes it and serves authtoken/authtoken from it to terraform validate", m[2]))
	return r
}

// devOverridesWarning is the one diagnostic a clean validate reports with dev_overrides.
const devOverridesWarning = "Provider development overrides are in effect"

// validateProblems turns `terraform validate -json` output into one line per error and warning
// (but the dev_overrides one).
func validateProblems(out *tfjson.ValidateOutput, runErr error) []string {
	if runErr != nil || out == nil {
		return []string{fmt.Sprintf("terraform validate failed: %v", runErr)}
	}
	var problems []string
	for _, d := range out.Diagnostics {
		if d.Summary != devOverridesWarning {
			problems = append(problems, diagnosticLine(string(d.Severity), d.Summary, d.Detail, d.Range))
		}
	}
	if !out.Valid && len(problems) == 0 {
		problems = append(problems, "terraform validate: the configuration is not valid")
	}
	return problems
}

func diagnosticLine(severity, summary, detail string, rng *tfjson.Range) string {
	where := ""
	if rng != nil && rng.Filename != "" {
		where = fmt.Sprintf(" at %s line %d", rng.Filename, rng.Start.Line)
	}
	return fmt.Sprintf("terraform %s: %s%s: %s", severity, summary, where, strings.Join(strings.Fields(detail), " "))
}

// jsonDiagnostics reads the diagnostics of terraform's -json output: errors, and warnings.
// splitVariables are the var files' values of a configuration's declared variables (name to
// whether it is ephemeral): at plan all, at the apply of the saved plan the ephemeral ones, which
// Terraform asks for again. missing are the declared ones without a value.
func splitVariables(declared map[string]bool, values map[string]string) (planVars, applyVars map[string]string, missing []string) {
	planVars, applyVars = map[string]string{}, map[string]string{}
	for name, ephemeral := range declared {
		v, ok := values[name]
		if !ok {
			missing = append(missing, name)
			continue
		}
		planVars[name] = v
		if ephemeral {
			applyVars[name] = v
		}
	}
	return planVars, applyVars, missing
}

// jsonStep runs one terraform command that writes -json output to w, and returns its error and
// warning diagnostics (its stderr when it failed without any), each through redact; ok when the
// command succeeded.
func jsonStep(tf *tfexec.Terraform, redact func(string) string, command func(w *bytes.Buffer) error) (errs, warnings []string, ok bool) {
	var stdout, stderr bytes.Buffer
	tf.SetStderr(&stderr)
	err := command(&stdout)
	errs, warnings = jsonDiagnostics(stdout.Bytes())
	for i := range warnings {
		warnings[i] = redact(warnings[i])
	}
	if err == nil {
		return nil, warnings, true
	}
	if len(errs) == 0 {
		errs = []string{firstLines(stderr.String()+err.Error(), 30)}
	}
	for i := range errs {
		errs[i] = redact(errs[i])
	}
	return errs, warnings, false
}

// redactValues hides in text the values, in any of values, whose names say they are credentials.
func redactValues(text string, values ...map[string]string) string {
	for _, m := range values {
		for k, v := range m {
			name := strings.ToLower(k)
			if v != "" && (strings.Contains(name, "secret") || strings.Contains(name, "password") || strings.Contains(name, "_pem")) {
				text = strings.ReplaceAll(text, v, "<"+k+">")
			}
		}
	}
	return text
}

func jsonDiagnostics(out []byte) (errs, warnings []string) {
	for _, line := range bytes.Split(out, []byte("\n")) {
		var msg struct {
			Type       string `json:"type"`
			Diagnostic *struct {
				Severity string        `json:"severity"`
				Summary  string        `json:"summary"`
				Detail   string        `json:"detail"`
				Range    *tfjson.Range `json:"range"`
			} `json:"diagnostic"`
		}
		if json.Unmarshal(line, &msg) != nil || msg.Type != "diagnostic" || msg.Diagnostic == nil {
			continue
		}
		d := msg.Diagnostic
		text := diagnosticLine(d.Severity, d.Summary, d.Detail, d.Range)
		if d.Severity == "error" {
			errs = append(errs, text)
		} else {
			warnings = append(warnings, text)
		}
	}
	return errs, warnings
}

func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = append(lines[:n], "...")
	}
	return strings.Join(lines, "\n")
}

// copyTree copies the files under src into dst, but hidden directories such as .terraform.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			if rel != "." && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		b, err := os.ReadFile(p) //nolint:gosec // an example of this repository
		if err != nil {
			return err
		}
		testsupport.WriteFile(t, filepath.Join(dst, rel), string(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
