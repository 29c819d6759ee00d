// Package release checks the release configuration: the goreleaser file and the Terraform
// Registry manifest. The Registry accepts a provider release only when its artifacts follow a
// fixed naming scheme, carry a manifest and come with a signed SHA256SUMS file; a typo here
// surfaces only when a release is cut, so these tests catch it on every change.
package release

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const (
	manifestFile     = "terraform-registry-manifest.json"
	manifestTemplate = "{{ .ProjectName }}_{{ .Version }}_manifest.json"
)

// goreleaserConfig holds the parts of .goreleaser.yml the Registry depends on.
type goreleaserConfig struct {
	Version     int           `yaml:"version"`
	ProjectName string        `yaml:"project_name"`
	Builds      []buildConfig `yaml:"builds"`
	Archives    []struct {
		Formats      []string `yaml:"formats"`
		Format       string   `yaml:"format"` // deprecated in v2; must not be used
		NameTemplate string   `yaml:"name_template"`
	} `yaml:"archives"`
	Checksum struct {
		NameTemplate string      `yaml:"name_template"`
		Algorithm    string      `yaml:"algorithm"`
		ExtraFiles   []extraFile `yaml:"extra_files"`
	} `yaml:"checksum"`
	Signs []struct {
		Artifacts string   `yaml:"artifacts"`
		Args      []string `yaml:"args"`
	} `yaml:"signs"`
	Release struct {
		Draft      bool        `yaml:"draft"`
		ExtraFiles []extraFile `yaml:"extra_files"`
	} `yaml:"release"`
}

type buildConfig struct {
	Env     []string `yaml:"env"`
	Flags   []string `yaml:"flags"`
	Ldflags []string `yaml:"ldflags"`
	Goos    []string `yaml:"goos"`
	Goarch  []string `yaml:"goarch"`
	Ignore  []struct {
		Goos   string `yaml:"goos"`
		Goarch string `yaml:"goarch"`
	} `yaml:"ignore"`
	Binary string `yaml:"binary"`
}

type extraFile struct {
	Glob         string `yaml:"glob"`
	NameTemplate string `yaml:"name_template"`
}

type registryManifest struct {
	Version  int `json:"version"`
	Metadata struct {
		ProtocolVersions []string `json:"protocol_versions"`
	} `json:"metadata"`
}

// repoRoot is the directory holding go.mod, found from the test's working directory upwards.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), name))
	if err != nil {
		t.Fatalf("reading %s: %v", name, err)
	}
	return b
}

func loadGoreleaser(t *testing.T) goreleaserConfig {
	t.Helper()
	var cfg goreleaserConfig
	if err := yaml.Unmarshal(readFile(t, ".goreleaser.yml"), &cfg); err != nil {
		t.Fatalf("parsing .goreleaser.yml: %v", err)
	}
	return cfg
}

// projectName is the last element of the module path: terraform-provider-authtoken.
func projectName(t *testing.T) string {
	t.Helper()
	for line := range strings.SplitSeq(string(readFile(t, "go.mod")), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return filepath.Base(strings.Trim(strings.TrimSpace(rest), `"`))
		}
	}
	t.Fatal("no module line in go.mod")
	return ""
}

func TestGoreleaserTopLevel(t *testing.T) {
	cfg := loadGoreleaser(t)
	if cfg.Version != 2 {
		t.Errorf("version = %d, want 2 (goreleaser v2 configuration)", cfg.Version)
	}
	// Set explicitly: otherwise goreleaser guesses it from the git remote or the checkout directory,
	// and the Registry rejects artifacts whose names do not start with terraform-provider-<name>.
	if want := projectName(t); cfg.ProjectName != want {
		t.Errorf("project_name = %q, want %q (the module path's last element)", cfg.ProjectName, want)
	}
	if !strings.HasPrefix(cfg.ProjectName, "terraform-provider-") {
		t.Errorf("project_name %q must start with terraform-provider-", cfg.ProjectName)
	}
	if !cfg.Release.Draft {
		t.Error("release.draft = false, want true: releases are examined before they go live")
	}
}

func TestGoreleaserBuild(t *testing.T) {
	cfg := loadGoreleaser(t)
	if len(cfg.Builds) != 1 {
		t.Fatalf("len(builds) = %d, want 1", len(cfg.Builds))
	}
	b := cfg.Builds[0]
	if !slices.Contains(b.Env, "CGO_ENABLED=0") {
		t.Errorf("builds[0].env = %q, want it to contain CGO_ENABLED=0", b.Env)
	}
	if !slices.Contains(b.Flags, "-trimpath") {
		t.Errorf("builds[0].flags = %q, want it to contain -trimpath", b.Flags)
	}
	if want := "{{ .ProjectName }}_v{{ .Version }}"; b.Binary != want {
		t.Errorf("builds[0].binary = %q, want %q (the Registry's binary name)", b.Binary, want)
	}

	ldflags := strings.Join(b.Ldflags, " ")
	for _, want := range []string{"-s", "-w", "-X main.version={{.Version}}"} {
		if !slices.Contains(strings.Fields(ldflags), strings.Fields(want)[0]) || !strings.Contains(ldflags, want) {
			t.Errorf("builds[0].ldflags = %q, want it to contain %q", ldflags, want)
		}
	}
	// Every -X main.<name> must name a string variable in main.go, or the linker ignores it silently.
	vars := mainStringVars(t)
	for _, m := range regexp.MustCompile(`-X main\.(\w+)=`).FindAllStringSubmatch(ldflags, -1) {
		if !vars[m[1]] {
			if m[1] == "version" {
				t.Errorf("ldflags set main.version, but main.go declares no string variable version")
			} else {
				t.Logf("ldflags set main.%s, which main.go does not declare; the linker ignores it", m[1])
			}
		}
	}

	got := targets(b)
	want := []string{
		"darwin/amd64", "darwin/arm64",
		"freebsd/386", "freebsd/amd64", "freebsd/arm", "freebsd/arm64",
		"linux/386", "linux/amd64", "linux/arm", "linux/arm64",
		"windows/386", "windows/amd64", "windows/arm64",
	}
	if !slices.Equal(got, want) {
		t.Errorf("build targets = %q, want %q", got, want)
	}
}

// unsupportedPorts are pairs of the matrix that Go has no port for (see `go tool dist list`):
// goreleaser skips them, so they are not release targets.
var unsupportedPorts = []string{"darwin/386", "darwin/arm", "windows/arm"}

// targets expands goos x goarch minus the ignore list and the ports Go lacks, sorted.
func targets(b buildConfig) []string {
	var out []string
	for _, goos := range b.Goos {
		for _, goarch := range b.Goarch {
			if slices.Contains(unsupportedPorts, goos+"/"+goarch) {
				continue
			}
			ignored := slices.ContainsFunc(b.Ignore, func(i struct {
				Goos   string `yaml:"goos"`
				Goarch string `yaml:"goarch"`
			}) bool {
				return (i.Goos == "" || i.Goos == goos) && (i.Goarch == "" || i.Goarch == goarch)
			})
			if !ignored {
				out = append(out, goos+"/"+goarch)
			}
		}
	}
	sort.Strings(out)
	return out
}

// mainStringVars lists main.go's package-level variables that -X can set: declared as string,
// or initialised with a string literal.
func mainStringVars(t *testing.T) map[string]bool {
	t.Helper()
	f := parseMain(t)
	vars := map[string]bool{}
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR {
			continue
		}
		for _, spec := range gd.Specs {
			vs, ok := spec.(*ast.ValueSpec)
			if !ok {
				continue
			}
			for i, name := range vs.Names {
				isString := false
				if id, ok := vs.Type.(*ast.Ident); ok && id.Name == "string" {
					isString = true
				}
				if i < len(vs.Values) {
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						isString = true
					}
				}
				if isString {
					vars[name.Name] = true
				}
			}
		}
	}
	return vars
}

func parseMain(t *testing.T) *ast.File {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "main.go", readFile(t, "main.go"), 0)
	if err != nil {
		t.Fatalf("parsing main.go: %v", err)
	}
	return f
}

func TestGoreleaserArchives(t *testing.T) {
	cfg := loadGoreleaser(t)
	if len(cfg.Archives) != 1 {
		t.Fatalf("len(archives) = %d, want 1", len(cfg.Archives))
	}
	a := cfg.Archives[0]
	if a.Format != "" {
		t.Errorf("archives[0].format is deprecated in goreleaser v2; use formats: [zip]")
	}
	if !slices.Equal(a.Formats, []string{"zip"}) {
		t.Errorf("archives[0].formats = %q, want [zip] (the Registry takes zip archives only)", a.Formats)
	}
	if want := "{{ .ProjectName }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}"; a.NameTemplate != want {
		t.Errorf("archives[0].name_template = %q, want %q", a.NameTemplate, want)
	}
}

func TestGoreleaserChecksumAndSigning(t *testing.T) {
	cfg := loadGoreleaser(t)
	if want := "{{ .ProjectName }}_{{ .Version }}_SHA256SUMS"; cfg.Checksum.NameTemplate != want {
		t.Errorf("checksum.name_template = %q, want %q", cfg.Checksum.NameTemplate, want)
	}
	if cfg.Checksum.Algorithm != "sha256" {
		t.Errorf("checksum.algorithm = %q, want sha256", cfg.Checksum.Algorithm)
	}
	checkManifestExtra(t, "checksum.extra_files", cfg.Checksum.ExtraFiles)
	checkManifestExtra(t, "release.extra_files", cfg.Release.ExtraFiles)

	if len(cfg.Signs) != 1 {
		t.Fatalf("len(signs) = %d, want 1", len(cfg.Signs))
	}
	s := cfg.Signs[0]
	if s.Artifacts != "checksum" {
		t.Errorf("signs[0].artifacts = %q, want checksum (the Registry verifies the signed SHA256SUMS)", s.Artifacts)
	}
	wantArgs := []string{
		"--batch", "--local-user", "{{ .Env.GPG_FINGERPRINT }}",
		"--output", "${signature}", "--detach-sign", "${artifact}",
	}
	if !slices.Equal(s.Args, wantArgs) {
		t.Errorf("signs[0].args = %q, want %q", s.Args, wantArgs)
	}
}

func checkManifestExtra(t *testing.T, field string, files []extraFile) {
	t.Helper()
	want := extraFile{Glob: manifestFile, NameTemplate: manifestTemplate}
	if !slices.Contains(files, want) {
		t.Errorf("%s = %+v, want it to contain %+v", field, files, want)
	}
	for _, f := range files {
		matches, err := filepath.Glob(filepath.Join(repoRoot(t), f.Glob))
		if err != nil || len(matches) == 0 {
			t.Errorf("%s: glob %q matches no file in the repository root", field, f.Glob)
		}
	}
}

func TestRegistryManifest(t *testing.T) {
	dec := json.NewDecoder(bytes.NewReader(readFile(t, manifestFile)))
	dec.DisallowUnknownFields()
	var m registryManifest
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("parsing %s: %v", manifestFile, err)
	}
	if m.Version != 1 {
		t.Errorf("version = %d, want 1", m.Version)
	}
	if !slices.Equal(m.Metadata.ProtocolVersions, []string{"6.0"}) {
		t.Errorf("metadata.protocol_versions = %q, want [6.0]", m.Metadata.ProtocolVersions)
	}

	// The manifest must agree with the protocol main.go serves.
	served := ""
	ast.Inspect(parseMain(t), func(n ast.Node) bool {
		kv, ok := n.(*ast.KeyValueExpr)
		if !ok {
			return true
		}
		if key, ok := kv.Key.(*ast.Ident); ok && key.Name == "ProtocolVersion" {
			if lit, ok := kv.Value.(*ast.BasicLit); ok && lit.Kind == token.INT {
				served = lit.Value
			}
		}
		return true
	})
	if served == "" {
		t.Fatal("main.go sets no literal ProtocolVersion in providerserver.ServeOpts")
	}
	if want := served + ".0"; !slices.Contains(m.Metadata.ProtocolVersions, want) {
		t.Errorf("main.go serves protocol %s, but the manifest lists %q", served, m.Metadata.ProtocolVersions)
	}
}

func TestChangelogHeading(t *testing.T) {
	// The first release heading follows the Terraform-provider convention, e.g.
	// "## 0.1.0 (Unreleased)" or "## 0.1.0 (May 4, 2026)".
	re := regexp.MustCompile(`^## (\d+)\.(\d+)\.(\d+) \((Unreleased|[A-Z][a-z]+ \d{1,2}, \d{4})\)$`)
	for line := range strings.SplitSeq(string(readFile(t, "CHANGELOG.md")), "\n") {
		if !strings.HasPrefix(line, "## ") {
			continue
		}
		m := re.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			t.Fatalf("first CHANGELOG.md heading %q is not like \"## 0.1.0 (Unreleased)\"", line)
		}
		for _, n := range m[1:4] {
			if _, err := strconv.Atoi(n); err != nil {
				t.Fatalf("CHANGELOG.md heading %q: bad version number %q", line, n)
			}
		}
		return
	}
	t.Fatal("CHANGELOG.md has no \"## <version> (...)\" heading")
}
