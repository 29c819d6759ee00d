package provider

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/provider"

	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
)

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

// TestDocsCodeBlocksAreExampleFiles: every block of HCL a user can copy from README.md or docs/
// (a fenced code block tagged hcl, terraform or tf) is a copy of a file under examples/, where
// TestAccExamples validates it, and applies it where it can run (a .tftest.hcl file runs in
// TestAccTestingGuideModuleTests). A block written into a page or a
// template by hand fails here: move it into examples/ and include it (tffile in a template, the
// make docs markers in README.md).
func TestDocsCodeBlocksAreExampleFiles(t *testing.T) {
	root := testsupport.RepoRoot()
	examples := map[string]string{} // content -> file
	err := filepath.WalkDir(filepath.Join(root, "examples"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || (!strings.HasSuffix(p, ".tf") && !strings.HasSuffix(p, ".tfrc") && !strings.HasSuffix(p, ".tftest.hcl")) {
			return err
		}
		b, err := os.ReadFile(p) //nolint:gosec // a file of this repository
		rel, _ := filepath.Rel(root, p)
		examples[strings.TrimRight(string(b), "\n")] = filepath.ToSlash(rel)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	pages := []string{"README.md"}
	err = filepath.WalkDir(filepath.Join(root, "docs"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") {
			rel, _ := filepath.Rel(root, p)
			pages = append(pages, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	blocks := 0
	for _, page := range pages {
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(page))) //nolint:gosec // a file of this repository
		if err != nil {
			t.Fatal(err)
		}
		for _, block := range hclBlocks(string(b)) {
			blocks++
			if _, ok := examples[strings.TrimRight(block.text, "\n")]; !ok {
				t.Errorf("%s:%d: this block is no copy of a file under examples/, so no test checks it: move it into "+
					"examples/ and include it (tffile in templates/, the make docs markers in README.md)", page, block.line)
			}
		}
	}
	if blocks == 0 {
		t.Fatal("no HCL blocks in README.md or docs/")
	}
	t.Logf("%d HCL blocks in %d pages", blocks, len(pages))
}

// TestHCLBlocks: which fenced code blocks are HCL, and their text.
func TestHCLBlocks(t *testing.T) {
	page := "# t\n\n```hcl\na = 1\n```\n\n```shell\nexport A=1\n```\n\n- item:\n\n  ```terraform\n  b = 2\n    c = 3\n  ```\n\n" +
		"````tf\nd = <<EOT\n```\nEOT\n````\n\n~~~HCL\ne = 5\n~~~\n\n```text\nf = 6\n```\n"
	var got []string
	for _, b := range hclBlocks(page) {
		got = append(got, fmt.Sprintf("%d %q", b.line, b.text))
	}
	want := []string{`3 "a = 1\n"`, `13 "b = 2\n  c = 3\n"`, `18 "d = <<EOT\n` + "```" + `\nEOT\n"`, `24 "e = 5\n"`}
	if !slices.Equal(got, want) {
		t.Errorf("blocks:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

type codeBlock struct {
	line int // of the opening fence, from 1
	text string
}

var fenceRE = regexp.MustCompile("^( *)(`{3,}|~{3,})[ \t]*([^`\\s]*)")

// hclBlocks returns the fenced code blocks of a CommonMark page tagged hcl, terraform or tf,
// their text dedented by the fence's indentation.
func hclBlocks(page string) []codeBlock {
	lines := strings.Split(page, "\n")
	var blocks []codeBlock
	for i := 0; i < len(lines); i++ {
		m := fenceRE.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		indent, fence, tag := len(m[1]), m[2], strings.ToLower(m[3])
		start := i
		var body []string
		for i++; i < len(lines); i++ {
			trimmed := strings.TrimLeft(lines[i], " ")
			run := len(trimmed) - len(strings.TrimLeft(trimmed, fence[:1]))
			if run >= len(fence) && strings.TrimSpace(trimmed[run:]) == "" {
				break
			}
			l := lines[i]
			n := 0
			for n < indent && n < len(l) && l[n] == ' ' {
				n++
			}
			body = append(body, l[n:])
		}
		if tag == "hcl" || tag == "terraform" || tag == "tf" {
			blocks = append(blocks, codeBlock{line: start + 1, text: strings.TrimRight(strings.Join(body, "\n"), "\n") + "\n"})
		}
	}
	return blocks
}

// TestRegistryPagesLeadWithExamples: a type's registry page opens with its one-paragraph
// description (and, for a data source, a one-line pointer to the ephemeral form), then Example
// Usage; the rest of the prose follows the examples.
func TestRegistryPagesLeadWithExamples(t *testing.T) {
	root := testsupport.RepoRoot()
	pages, _ := filepath.Glob(filepath.Join(root, "docs", "ephemeral-resources", "*.md"))
	more, _ := filepath.Glob(filepath.Join(root, "docs", "data-sources", "*.md"))
	pages = append(pages, more...)
	if len(pages) < 2*len(tokenTypes()) {
		t.Fatalf("found %d registry pages for %d types", len(pages), len(tokenTypes()))
	}
	for _, page := range pages {
		b, err := os.ReadFile(page) //nolint:gosec // a file of this repository
		if err != nil {
			t.Fatal(err)
		}
		_, body, _ := strings.Cut(string(b)[3:], "\n---\n") // past the front matter
		_, afterTitle, ok := strings.Cut("\n"+body, "\n# ")
		lead, _, hasExample := strings.Cut(afterTitle, "\n## Example Usage\n")
		if !ok || !hasExample {
			t.Errorf("%s: no title, or no Example Usage section", page)
			continue
		}
		var prose []string
		for _, line := range strings.Split(lead, "\n")[1:] { // the title's own line first
			if strings.TrimSpace(line) != "" {
				prose = append(prose, line)
			}
		}
		if len(prose) > 2 {
			t.Errorf("%s: %d lines of prose before Example Usage, want the description and at most one note:\n%s",
				filepath.Base(page), len(prose), strings.Join(prose, "\n"))
		}
	}
}
