package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"

	"github.com/authtoken/terraform-provider-authtoken/internal/acctest"
	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// TestSnippets checks every HCL snippet of README.md and docs/ (fenced code blocks tagged hcl,
// terraform or tf), so that users can copy them:
//
//   - each distinct snippet is written alone into a directory of its own as main.tf and passes
//     `terraform validate`, with this provider, the test consumer and the stand-ins served by
//     dev_overrides; a snippet that calls a local module gets the page's snippet introduced as
//     that module's directory;
//   - a snippet that uses a provider other than this one and Terraform's built-ins must require
//     it (terraform { required_providers }); a variable it uses must be declared in it;
//   - third-party providers: validated against the real release when the machine has an offline
//     copy (hashicorp/aws, from the image's local plugin directory, through filesystem_mirror and
//     an offline `terraform init`; when that directory is absent the snippet is skipped, saying
//     so), else against a stand-in with the real provider's documented schema
//     (internal/acctest/standin); a provider with neither fails the snippet;
//   - a snippet that needs nothing but this provider, Terraform's built-ins and the test consumer
//     is also planned (-out) and applied against a token server on loopback: the types'
//     environment variables point the blocks at it, declared variables get the documented test
//     credentials (var files), documented hosts named in the snippet (the APIs' default hosts and
//     *.example.com) reach it through a proxy the provider trusts (AUTHTOKEN_PROXY_URL,
//     AUTHTOKEN_CA_CERT_PEM), and the server must have issued tokens for every API the snippet uses.
//     A snippet that names a host the token server cannot stand in for, or a variable without a
//     test value, is validated only, saying why;
//   - a CLI configuration snippet (provider_installation) is used as terraform's CLI
//     configuration, with its dev_overrides directory replaced by a fresh build, and must serve
//     this provider to `terraform validate` without complaint.
//
// It prints one line per snippet saying how it was checked. AUTHTOKEN_SNIPPETS_DIR names another
// directory holding README.md and docs/ to check instead of the repository's (a copy, say).
func TestSnippets(t *testing.T) {
	acctest.TerraformPath(t)
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run tests that drive the terraform binary")
	}
	root := os.Getenv(snippetsDirEnv)
	if root == "" {
		root = testsupport.RepoRoot()
	}
	snippets, pages, err := collectSnippets(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(snippets) == 0 {
		t.Fatalf("no hcl, terraform or tf code blocks in %s/README.md or %s/docs", root, root)
	}
	start := time.Now()
	c := newSnippetChecker(snippets, pages)
	results := make([]snippetResult, len(snippets))
	t.Run("each", func(t *testing.T) {
		for i, s := range snippets {
			t.Run(s.locations[0], func(t *testing.T) {
				t.Parallel()
				results[i] = snippetResult{problems: []string{"the check itself stopped: see TestSnippets/each/" + s.locations[0]}}
				r := c.check(t, s)
				results[i] = r
				t.Log(r.line(s))
				switch {
				case r.skip != "":
					t.Skip(r.skip)
				case len(r.problems) > 0:
					t.Errorf("%s: %d problem(s); fix the snippet in the docs (templates/ and examples/ for generated pages):\n  %s",
						strings.Join(s.locations, ", "), len(r.problems), strings.Join(r.problems, "\n  "))
				}
			})
		}
	})
	var b strings.Builder
	failed := 0
	for i, s := range snippets {
		if len(results[i].problems) > 0 {
			failed++
		}
		b.WriteString(results[i].line(s) + "\n")
	}
	t.Logf("%d distinct snippets in %d code blocks, %d failing, checked in %s:\n%s", len(snippets), countBlocks(snippets),
		failed, time.Since(start).Round(100*time.Millisecond), b.String())
}

// TestSnippetsFailOnInvalidSnippet: the checker reports what terraform validate says of a snippet
// that is not valid, against this provider or a stand-in, a snippet that uses an undeclared
// variable or another provider without requiring it, and a valid snippet whose plan fails against
// the token server, so TestSnippets cannot pass over one.
func TestSnippetsFailOnInvalidSnippet(t *testing.T) {
	acctest.TerraformPath(t)
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run tests that drive the terraform binary")
	}
	dir := t.TempDir()
	testsupport.WriteFile(t, filepath.Join(dir, "README.md"), "# x\n\n```hcl\n"+
		"terraform {\n  required_providers {\n    authtoken = { source = \"authtoken/authtoken\" }\n  }\n}\n\n"+
		"ephemeral \"tenn_token\" \"x\" {\n  provider  = authtoken\n  client_id = \"TennTesting\"\n  colour    = \"blue\"\n}\n"+
		"```\n\n```terraform\nephemeral \"tenn_token\" \"y\" {\n  provider = authtoken\n  password = var.undeclared\n}\n```\n\n"+
		"```tf\nterraform {\n  required_providers {\n    authtoken = { source = \"authtoken/authtoken\" }\n"+
		"    http      = { source = \"hashicorp/http\" }\n  }\n}\n\nephemeral \"tenn_token\" \"z\" {\n  provider = authtoken\n}\n\n"+
		"data \"http\" \"z\" {\n  url             = \"https://api.example.com\"\n"+
		"  request_headers = { Authorization = ephemeral.tenn_token.z.access_token }\n}\n```\n\n"+
		"```hcl\nterraform {\n  required_providers {\n    authtoken = { source = \"authtoken/authtoken\" }\n  }\n}\n\n"+
		"ephemeral \"tenn_token\" \"long\" {\n  provider     = authtoken\n  min_validity = \"2h\"\n}\n```\n")
	snippets, pages, err := collectSnippets(dir)
	if err != nil || len(snippets) != 4 {
		t.Fatalf("want 4 snippets, got %d (%v)", len(snippets), err)
	}
	c := newSnippetChecker(snippets, pages)
	// Terraform says "Invalid use of ephemeral value", OpenTofu "Ephemeral value used in
	// non-ephemeral context"; both name the argument.
	ephemeralRefused, argument := `Invalid use of ephemeral value`, `"request_headers"`
	if acctest.CurrentEngine().OpenTofu {
		ephemeralRefused, argument = `Ephemeral value used in non-ephemeral context`, `request_headers`
	}
	for i, want := range [][]string{
		{`Unsupported argument`, `"colour"`, `README.md:13`},
		{`no terraform { required_providers }`, `hashicorp/authtoken`, `undeclared`},
		{ephemeralRefused, argument},
		{`plan against the token server failed`, `Invalid min_validity`},
	} {
		r := c.check(t, snippets[i])
		t.Log(r.line(snippets[i]))
		text := strings.Join(r.problems, "\n")
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: the problems do not mention %q:\n%s", snippets[i].locations[0], w, text)
			}
		}
	}
}

// TestSnippetExtraction: which code blocks are snippets, their text and places, and duplicates
// reported once with every place.
func TestSnippetExtraction(t *testing.T) {
	dir := t.TempDir()
	testsupport.WriteFile(t, filepath.Join(dir, "README.md"), "# t\n\n```hcl\na = 1\n```\n\n```shell\nexport A=1\n```\n\n"+
		"- a list item:\n\n  ```terraform\n  b = 2\n    c = 3\n  ```\n\n"+
		"````tf\nd = <<EOT\n```\nEOT\n````\n\n~~~HCL\ne = 5   \n~~~\n\n```text\nf = 6\n```\n")
	testsupport.WriteFile(t, filepath.Join(dir, "docs", "guides", "g.md"), "intro naming `mod/`:\n\n```terraform\na = 1\n```\n")
	testsupport.WriteFile(t, filepath.Join(dir, "docs", "index.md"), "```hcl\nb = 2\n  c = 3\n```\n")
	snippets, pages, err := collectSnippets(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range snippets {
		got = append(got, fmt.Sprintf("%s %q", strings.Join(s.locations, ","), s.text))
	}
	want := []string{
		`README.md:3,docs/guides/g.md:3 "a = 1\n"`,
		`README.md:13,docs/index.md:1 "b = 2\n  c = 3\n"`,
		`README.md:18 "d = <<EOT\n` + "```" + `\nEOT\n"`,
		`README.md:24 "e = 5\n"`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("snippets:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	if b := pages["docs/guides/g.md"]; len(b) != 1 || !strings.Contains(b[0].lead, "`mod/`") {
		t.Errorf("the page's block does not keep the text before it: %+v", b)
	}
}

const snippetsDirEnv = "AUTHTOKEN_SNIPPETS_DIR"

// docSnippet is one distinct snippet and every place it appears.
type docSnippet struct {
	text      string
	locations []string // "README.md:40": the line of the opening fence
	files     []string // per location, the page
	lines     []int    // per location, the line of the opening fence
	leads     []string // per location, the page's text between the previous code block and this one
}

// pageBlock is a code block of a page, for finding a module's snippet.
type pageBlock struct {
	lead, text, location string
	line                 int
}

var (
	fenceRE     = regexp.MustCompile("^( *)(`{3,}|~{3,})[ \t]*([^`\\s]*)")
	snippetTags = map[string]bool{"hcl": true, "terraform": true, "tf": true}
)

// collectSnippets reads README.md and docs/**/*.md under root and returns the distinct snippets
// in order of first appearance, and every page's HCL code blocks.
func collectSnippets(root string) ([]*docSnippet, map[string][]pageBlock, error) {
	files := []string{"README.md"}
	err := filepath.WalkDir(filepath.Join(root, "docs"), func(p string, d fs.DirEntry, err error) error { //nolint:gosec // the tester's directory
		if err != nil {
			if os.IsNotExist(err) {
				return filepath.SkipDir
			}
			return err
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".md") {
			rel, _ := filepath.Rel(root, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	sort.Strings(files[1:])
	byText := map[string]*docSnippet{}
	var out []*docSnippet
	pages := map[string][]pageBlock{}
	for _, file := range files {
		content, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(file))) //nolint:gosec // the tester's directory
		if err != nil {
			return nil, nil, err
		}
		for _, b := range markdownBlocks(string(content)) {
			if !snippetTags[b.tag] {
				continue
			}
			loc := fmt.Sprintf("%s:%d", file, b.line)
			pages[file] = append(pages[file], pageBlock{lead: b.lead, text: b.text, location: loc, line: b.line})
			s := byText[b.text]
			if s == nil {
				s = &docSnippet{text: b.text}
				byText[b.text] = s
				out = append(out, s)
			}
			s.locations = append(s.locations, loc)
			s.files = append(s.files, file)
			s.lines = append(s.lines, b.line)
			s.leads = append(s.leads, b.lead)
		}
	}
	return out, pages, nil
}

type markdownBlock struct {
	line      int // of the opening fence, from 1
	tag, text string
	lead      string
}

// markdownBlocks returns the fenced code blocks of a CommonMark page, their text dedented by the
// fence's indentation and normalised (no trailing blanks), with the text before each.
func markdownBlocks(content string) []markdownBlock {
	lines := strings.Split(content, "\n")
	var blocks []markdownBlock
	var lead strings.Builder
	for i := 0; i < len(lines); i++ {
		m := fenceRE.FindStringSubmatch(lines[i])
		if m == nil {
			lead.WriteString(lines[i] + "\n")
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
			body = append(body, strings.TrimRight(l[n:], " \t\r"))
		}
		text := strings.TrimRight(strings.Join(body, "\n"), "\n") + "\n"
		blocks = append(blocks, markdownBlock{line: start + 1, tag: tag, text: text, lead: lead.String()})
		lead.Reset()
	}
	return blocks
}

func countBlocks(snippets []*docSnippet) int {
	n := 0
	for _, s := range snippets {
		n += len(s.locations)
	}
	return n
}

// snippetResult is how a snippet was checked.
type snippetResult struct {
	how      string   // "validated against ...", or what was done
	applied  string   // "planned and applied against the token server", or why not
	notes    []string // things worth knowing that are not failures
	problems []string // failures
	skip     string   // why the snippet could not be checked here
}

func (r snippetResult) line(s *docSnippet) string {
	var b strings.Builder
	b.WriteString(strings.Join(s.locations, ", ") + ": ")
	switch {
	case r.skip != "":
		b.WriteString("SKIPPED: " + r.skip)
	case len(r.problems) > 0:
		b.WriteString("FAILED")
		if r.how != "" {
			b.WriteString(" (" + r.how + ")")
		}
		b.WriteString(":\n      " + strings.Join(r.problems, "\n      "))
	default:
		b.WriteString(r.how)
		if r.applied != "" {
			b.WriteString(" + " + r.applied)
		}
	}
	if len(r.notes) > 0 {
		b.WriteString("\n      note: " + strings.Join(r.notes, "\n      note: "))
	}
	return b.String()
}

// providerWay is how the checker gets a provider a snippet uses.
type providerWay int

const (
	wayOwn      providerWay = iota // this provider, built
	wayBuiltin                     // Terraform's built-in provider
	wayConsumer                    // the test-only consumer, built
	wayMirror                      // a real release from a local plugin directory
	wayStandIn                     // a stand-in with the real schema
	wayMissing                     // nothing here serves it
)

// usedProvider is a provider a snippet (or a module it calls) uses, by local name.
type usedProvider struct {
	local, source string
	constraint    string // the version constraint of required_providers
	implied       bool   // not in required_providers: Terraform takes hashicorp/<local name>
	incomplete    bool   // its module has no required_providers
	where         string // the first block that uses it
	way           providerWay
	standIn       acctest.StandIn
	mirror        acctest.LocalProvider
}

// snippetModule is a parsed snippet: what it requires, uses, declares and contacts.
type snippetModule struct {
	path         string // "" for the root, else the module's directory
	location     string // where its snippet is
	text         string
	required     map[string]requirement
	hasTerraform bool
	hasRequired  bool
	uses         map[string]string // local name -> the first block that uses it
	usedByBlocks map[string]bool   // local names a resource, data or ephemeral block uses
	providerRefs []string          // the provider blocks: local name, or local.alias
	variables    map[string]variableDecl
	varRefs      map[string]bool
	modules      []moduleCall
	tokens       []*tokenBlock
	urls         []contactedURL
	children     []*snippetModule
}

type requirement struct{ source, constraint string }

type variableDecl struct{ hasDefault, ephemeral bool }

type moduleCall struct{ name, source string }

// tokenBlock is a block of one of this provider's token types, with the arguments the checker
// can read statically.
type tokenBlock struct {
	kind, label string
	tt          tokenType
	literal     map[string]string // argument = "literal"
	vars        map[string]string // argument = var.X
	prefixed    map[string]prefixedVar
}

// prefixedVar is an argument "${var.X}<suffix>", such as token_url = "${var.api}/oauth/token".
type prefixedVar struct{ name, suffix string }

// contactedURL is a literal URL that plan or apply would call.
type contactedURL struct {
	url, what string // what: token_url, issuer, revocation_url, or call (a provisioner's)
	api       tokenserver.API
}

var cliConfigRE = regexp.MustCompile(`(?m)\A(\s*(#|//)[^\n]*\n)*\s*(provider_installation|credentials|credentials_helper|host|plugin_cache_dir|disable_checkpoint\w*)\b`)

// parseModule parses a snippet as a Terraform module.
func parseModule(text, location, modPath string) (*snippetModule, hcl.Diagnostics) {
	file, diags := hclsyntax.ParseConfig([]byte(text), "main.tf", hcl.InitialPos)
	m := &snippetModule{path: modPath, location: location, text: text, required: map[string]requirement{},
		uses: map[string]string{}, usedByBlocks: map[string]bool{}, variables: map[string]variableDecl{},
		varRefs: map[string]bool{}}
	if diags.HasErrors() {
		return m, diags
	}
	body := file.Body.(*hclsyntax.Body)
	use := func(local, where string) {
		if _, ok := m.uses[local]; !ok {
			m.uses[local] = where
		}
	}
	ownTypes := map[string]tokenType{}
	for _, tt := range tokenTypes() {
		ownTypes[tt.name] = tt
	}
	for _, b := range body.Blocks {
		switch b.Type {
		case "terraform":
			m.hasTerraform = true
			for _, rp := range b.Body.Blocks {
				if rp.Type != "required_providers" {
					continue
				}
				m.hasRequired = true
				for name, attr := range rp.Body.Attributes {
					m.required[name] = requirementOf(attr.Expr)
				}
			}
		case "provider":
			if len(b.Labels) == 1 {
				use(b.Labels[0], "provider \""+b.Labels[0]+"\"")
				ref := b.Labels[0]
				if a, ok := b.Body.Attributes["alias"]; ok {
					if v, d := a.Expr.Value(nil); !d.HasErrors() && v.Type() == cty.String {
						ref += "." + v.AsString()
					}
				}
				m.providerRefs = append(m.providerRefs, ref)
			}
		case "resource", "data", "ephemeral":
			if len(b.Labels) != 2 {
				continue
			}
			local, _, _ := strings.Cut(b.Labels[0], "_")
			if a, ok := b.Body.Attributes["provider"]; ok {
				if tr, d := hcl.AbsTraversalForExpr(a.Expr); !d.HasErrors() {
					local = tr.RootName()
				}
			}
			where := fmt.Sprintf("%s %q %q", b.Type, b.Labels[0], b.Labels[1])
			use(local, where)
			m.usedByBlocks[local] = true
			if tt, ok := ownTypes[b.Labels[0]]; ok && b.Type != "resource" {
				m.tokens = append(m.tokens, readTokenBlock(b, tt))
			}
			for _, nested := range b.Body.Blocks {
				if nested.Type == "provisioner" || nested.Type == "connection" {
					for _, u := range literalURLs(nested.Body) {
						m.urls = append(m.urls, contactedURL{url: u, what: "call"})
					}
				}
			}
		case "variable":
			if len(b.Labels) == 1 {
				_, has := b.Body.Attributes["default"]
				d := variableDecl{hasDefault: has}
				if a, ok := b.Body.Attributes["ephemeral"]; ok {
					if v, diags := a.Expr.Value(nil); !diags.HasErrors() && v.Type() == cty.Bool && v.True() {
						d.ephemeral = true
					}
				}
				m.variables[b.Labels[0]] = d
			}
		case "module":
			if a, ok := b.Body.Attributes["source"]; ok && len(b.Labels) == 1 {
				if v, d := a.Expr.Value(nil); !d.HasErrors() && v.Type() == cty.String {
					m.modules = append(m.modules, moduleCall{name: b.Labels[0], source: v.AsString()})
				}
			}
		}
	}
	for _, tb := range m.tokens {
		for what, u := range tb.literal {
			if what == "token_url" || what == "issuer" || what == "revocation_url" {
				m.urls = append(m.urls, contactedURL{url: u, what: what, api: tb.tt.server()})
			}
		}
	}
	_ = hclsyntax.VisitAll(body, func(n hclsyntax.Node) hcl.Diagnostics {
		switch e := n.(type) {
		case *hclsyntax.FunctionCallExpr:
			if parts := strings.Split(e.Name, "::"); len(parts) == 3 && parts[0] == "provider" {
				use(parts[1], "provider::"+parts[1]+"::"+parts[2]+"()")
			}
		case *hclsyntax.ScopeTraversalExpr:
			if e.Traversal.RootName() == "var" && len(e.Traversal) > 1 {
				if a, ok := e.Traversal[1].(hcl.TraverseAttr); ok {
					m.varRefs[a.Name] = true
				}
			}
		}
		return nil
	})
	return m, nil
}

// requirementOf reads an entry of required_providers: { source = "...", version = "..." }, or a
// bare version string (the old form).
func requirementOf(expr hcl.Expression) requirement {
	v, d := expr.Value(nil)
	if d.HasErrors() {
		return requirement{}
	}
	var r requirement
	switch {
	case v.Type() == cty.String:
		r.constraint = v.AsString()
	case v.Type().IsObjectType():
		if v.Type().HasAttribute("source") && v.GetAttr("source").Type() == cty.String {
			r.source = v.GetAttr("source").AsString()
		}
		if v.Type().HasAttribute("version") && v.GetAttr("version").Type() == cty.String {
			r.constraint = v.GetAttr("version").AsString()
		}
	}
	return r
}

func readTokenBlock(b *hclsyntax.Block, tt tokenType) *tokenBlock {
	tb := &tokenBlock{kind: b.Type, label: b.Labels[1], tt: tt, literal: map[string]string{}, vars: map[string]string{},
		prefixed: map[string]prefixedVar{}}
	for name, a := range b.Body.Attributes {
		switch e := a.Expr.(type) {
		case *hclsyntax.ScopeTraversalExpr:
			if v := varName(e); v != "" {
				tb.vars[name] = v
			}
		case *hclsyntax.TemplateExpr:
			if len(e.Parts) == 2 {
				st, ok1 := e.Parts[0].(*hclsyntax.ScopeTraversalExpr)
				lit, ok2 := e.Parts[1].(*hclsyntax.LiteralValueExpr)
				if ok1 && ok2 && varName(st) != "" && lit.Val.Type() == cty.String {
					tb.prefixed[name] = prefixedVar{varName(st), lit.Val.AsString()}
				}
			}
		}
		if len(a.Expr.Variables()) == 0 {
			if v, d := a.Expr.Value(nil); !d.HasErrors() && v.IsKnown() && !v.IsNull() && v.Type() == cty.String {
				tb.literal[name] = v.AsString()
			}
		}
	}
	return tb
}

func varName(e *hclsyntax.ScopeTraversalExpr) string {
	if e.Traversal.RootName() != "var" || len(e.Traversal) != 2 {
		return ""
	}
	if a, ok := e.Traversal[1].(hcl.TraverseAttr); ok {
		return a.Name
	}
	return ""
}

var urlRE = regexp.MustCompile(`https?://[^\s"'\\$]+`)

// literalURLs are the URLs in the string literals of a body.
func literalURLs(body *hclsyntax.Body) []string {
	var out []string
	_ = hclsyntax.VisitAll(body, func(n hclsyntax.Node) hcl.Diagnostics {
		if lit, ok := n.(*hclsyntax.LiteralValueExpr); ok && lit.Val.Type() == cty.String && lit.Val.IsKnown() {
			out = append(out, urlRE.FindAllString(lit.Val.AsString(), -1)...)
		}
		return nil
	})
	return out
}

// snippetChecker checks snippets; it is shared by the parallel subtests.
type snippetChecker struct {
	pages map[string][]pageBlock
	// calledAs says, for the text of a snippet that another snippet of its page calls as a local
	// module, how: such a snippet is a child module, checked as part of its caller.
	calledAs map[string][]string
}

func newSnippetChecker(snippets []*docSnippet, pages map[string][]pageBlock) *snippetChecker {
	c := &snippetChecker{pages: pages, calledAs: map[string][]string{}}
	for _, s := range snippets {
		m, diags := parseModule(s.text, s.locations[0], "")
		if diags.HasErrors() {
			continue
		}
		for _, mc := range m.modules {
			if b, ok := c.moduleFor(s, mc.source); ok {
				c.calledAs[b.text] = append(c.calledAs[b.text], fmt.Sprintf("module %q (source %q) of %s", mc.name, mc.source,
					s.locations[0]))
			}
		}
	}
	return c
}

// awsSource is the third-party provider the machine image carries a release of, in a local plugin
// directory, for offline tests. A snippet that needs it is skipped, saying so, where it is absent.
const awsSource = "hashicorp/aws"

// defaultHost is the registry the engine resolves namespace/type addresses on.
func defaultHost() string {
	if acctest.CurrentEngine().OpenTofu {
		return "registry.opentofu.org"
	}
	return "registry.terraform.io"
}

// normalizeSource returns a provider source address as host/namespace/type, in lower case.
func normalizeSource(source string) string {
	source = strings.ToLower(source)
	if strings.Count(source, "/") == 1 {
		return defaultHost() + "/" + source
	}
	return source
}

// resolve says how the checker gets each provider m and its modules use.
func (m *snippetModule) resolve() []*usedProvider {
	var out []*usedProvider
	locals := maps.Clone(m.uses)
	for local := range m.required {
		if _, used := locals[local]; !used {
			locals[local] = "required_providers (not used)"
		}
	}
	for _, local := range slices.Sorted(maps.Keys(locals)) {
		u := &usedProvider{local: local, where: locals[local]}
		req, ok := m.required[local]
		switch {
		case ok && req.source != "":
			u.source, u.constraint = normalizeSource(req.source), req.constraint
		case local == "terraform":
			u.source = "terraform.io/builtin/terraform"
		default:
			u.source, u.constraint, u.implied = defaultHost()+"/hashicorp/"+local, req.constraint, true
		}
		short := u.source[strings.Index(u.source, "/")+1:]
		switch {
		case short == "authtoken/authtoken":
			u.way = wayOwn
		case u.source == "terraform.io/builtin/terraform":
			u.way = wayBuiltin
		case strings.EqualFold(u.source, acctest.ConsumerSource):
			u.way = wayConsumer
		default:
			if lp, found := findLocalProvider(u.source); found {
				u.way, u.mirror = wayMirror, lp
			} else if s, found := acctest.StandInFor(u.source); found {
				u.way, u.standIn = wayStandIn, s
			} else {
				u.way = wayMissing
			}
		}
		out = append(out, u)
	}
	return out
}

// findLocalProvider finds a release of source in the local plugin directories; for OpenTofu, whose
// registry.opentofu.org/hashicorp/... are the same releases, also one kept for Terraform.
func findLocalProvider(source string) (acctest.LocalProvider, bool) {
	if lp, found := acctest.FindLocalProvider(source); found {
		return lp, true
	}
	if short, ok := strings.CutPrefix(source, "registry.opentofu.org/"); ok {
		return acctest.FindLocalProvider("registry.terraform.io/" + short)
	}
	return acctest.LocalProvider{}, false
}

// ownVersion is the version of this provider the docs describe: CHANGELOG.md's first heading.
var ownVersion = sync.OnceValue(func() string {
	b, _ := os.ReadFile(filepath.Join(testsupport.RepoRoot(), "CHANGELOG.md"))
	if m := regexp.MustCompile(`(?m)^## (\d+\.\d+\.\d+)`).FindSubmatch(b); m != nil {
		return string(m[1])
	}
	return "0.1.0"
})

// moduleFor finds the snippet of a local module: a code block on one of the snippet's pages
// introduced by text that names the module's directory ("in `modules/partner-token/`").
func (c *snippetChecker) moduleFor(s *docSnippet, source string) (pageBlock, bool) {
	dir := strings.TrimSuffix(strings.TrimPrefix(path.Clean(source), "./"), "/")
	for _, file := range s.files {
		for _, b := range c.pages[file] {
			if b.text != s.text && (strings.Contains(b.lead, dir+"/") || strings.Contains(b.lead, "`"+dir+"`")) {
				return b, true
			}
		}
	}
	return pageBlock{}, false
}

// check checks one snippet. Problems with the snippet are in the result; the test's own failures
// end the test.
func (c *snippetChecker) check(t *testing.T, s *docSnippet) snippetResult {
	t.Helper()
	if cliConfigRE.MatchString(s.text) {
		return c.checkCLIConfig(t, s)
	}
	if callers := c.calledAs[s.text]; len(callers) > 0 {
		// A child module: a root module refuses what only child modules may have (ephemeral outputs).
		return snippetResult{how: "checked as " + strings.Join(callers, " and as ") + ", with it (see there)"}
	}
	var r snippetResult
	root, diags := parseModule(s.text, s.locations[0], "")
	if diags.HasErrors() {
		// terraform validate words it too; go on for its message
		r.notes = append(r.notes, "not parseable as HCL: "+diags.Error())
	}
	modulesFound := c.loadModules(s, root, &r, 0)
	all := root.withModules()
	used, undeclared := requirements(all, &r, diags.HasErrors())
	sv := serveProviders(t, used, &r)
	if r.skip != "" {
		return r
	}

	// The working directory: the snippet and its modules, and a probe of each provider that only
	// a provider block uses.
	dir := t.TempDir()
	for _, m := range all {
		testsupport.WriteFile(t, filepath.Join(dir, filepath.FromSlash(m.path), "main.tf"), m.text)
	}
	probeFile := filepath.Join(dir, "snippet_probe.tf")
	probes := probeBlocks(root, used, &r)
	if probes != "" {
		testsupport.WriteFile(t, probeFile, probes)
	}
	var mirrors []acctest.FilesystemMirror
	if sv.needsInit {
		mirrors = installableCopies(t, filepath.Join(dir, ".mirror"), used)
	}
	cliConfig := acctest.CLIConfig(t, t.TempDir(), sv.overrides, mirrors...)
	tf := newSnippetTerraform(t, dir, cliConfig, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	locate := snippetLocator(s, all)

	if formatted, err := tf.FormatString(ctx, s.text); err == nil && formatted != s.text {
		r.problems = append(r.problems, "not formatted as terraform fmt formats it:\n"+indent(lineDiff(s.text, formatted)))
	}
	switch {
	case !modulesFound:
		return r // validate would only say the module is not installed
	case sv.needsInit:
		if err := tf.Init(ctx, tfexec.Backend(false)); err != nil {
			r.problems = append(r.problems, "terraform init (offline, from the local plugin directories) failed: "+
				firstLines(err.Error(), 30))
			return r
		}
	case len(root.modules) > 0:
		if err := tf.Get(ctx); err != nil {
			r.problems = append(r.problems, "terraform get failed: "+firstLines(err.Error(), 30))
			return r
		}
	}
	out, err := tf.Validate(ctx)
	validated := validateProblems(out, err, locate)
	sort.Strings(validated)
	for _, p := range validated {
		if undeclared && strings.HasPrefix(p, "terraform error: Reference to undeclared input variable") {
			continue // said above, for every variable, also where terraform stops before
		}
		r.problems = append(r.problems, p)
	}
	if len(r.problems) > 0 || !sv.applyable {
		return r
	}
	if probes != "" {
		if err := os.Remove(probeFile); err != nil {
			t.Fatal(err)
		}
	}
	c.apply(t, s, dir, cliConfig, all, &r, locate)
	return r
}

// loadModules reads the local modules m calls, and theirs: each is the snippet of m's page that
// the page introduces as the module's directory. It reports whether all were found.
func (c *snippetChecker) loadModules(s *docSnippet, m *snippetModule, r *snippetResult, depth int) bool {
	ok := true
	for _, mc := range m.modules {
		if !strings.HasPrefix(mc.source, "./") && !strings.HasPrefix(mc.source, "../") {
			r.problems = append(r.problems, fmt.Sprintf("module %q: source %q is not a local path: it cannot be "+
				"installed offline", mc.name, mc.source))
			ok = false
			continue
		}
		b, found := c.moduleFor(s, mc.source)
		if !found || depth > 3 {
			r.problems = append(r.problems, fmt.Sprintf("module %q: no code block on the page is introduced as the "+
				"module's directory %s/, so the snippet cannot be copied as it is", mc.name, mc.source))
			ok = false
			continue
		}
		child, d := parseModule(b.text, b.location, path.Join(m.path, mc.source))
		if d.HasErrors() {
			r.problems = append(r.problems, fmt.Sprintf("module %q (%s) is not valid HCL: %s", mc.name, b.location, d.Error()))
			ok = false
			continue
		}
		m.children = append(m.children, child)
		ok = c.loadModules(s, child, r, depth+1) && ok
	}
	return ok
}

// withModules is m and every module it calls, m first.
func (m *snippetModule) withModules() []*snippetModule {
	out := []*snippetModule{m}
	for _, ch := range m.children {
		out = append(out, ch.withModules()...)
	}
	return out
}

// requirements are the providers the modules use, each module's own; a module that uses a
// provider but Terraform's built-in without required_providers, or a variable it does not
// declare, is incomplete.
func requirements(modules []*snippetModule, r *snippetResult, unparsed bool) (used []*usedProvider, undeclared bool) {
	for _, m := range modules {
		for _, u := range m.resolve() {
			if m.path != "" {
				u.where += " in module " + m.path
			}
			u.incomplete = !m.hasRequired && u.way != wayBuiltin
			used = append(used, u)
			switch {
			case u.incomplete:
				r.problems = append(r.problems, fmt.Sprintf("incomplete: no terraform { required_providers } block, but %s "+
					"uses provider %q, which Terraform then takes for %s: require it", u.where, u.local, u.source))
			case u.implied && u.way != wayBuiltin:
				r.notes = append(r.notes, fmt.Sprintf("%s uses provider %q without requiring it: Terraform takes %s", u.where,
					u.local, u.source))
			}
		}
		for name := range m.varRefs {
			if _, ok := m.variables[name]; !ok && !unparsed {
				undeclared = true
				r.problems = append(r.problems, fmt.Sprintf("incomplete: var.%s is used but not declared%s: declare it "+
					"(variable %q { ... })", name, inModule(m), name))
			}
		}
	}
	sort.Strings(r.problems)
	r.problems = slices.Compact(r.problems)
	return used, undeclared
}

// serving is how the checker serves a snippet's providers.
type serving struct {
	overrides []acctest.Override // dev_overrides beyond this provider's
	needsInit bool               // a real release from a local plugin directory: terraform init
	applyable bool               // nothing but this provider, built-ins and the consumer
}

// serveProviders works out how the checker serves the providers, says so in r.how, and reports a version
// constraint that does not admit what is served and a provider nothing here serves.
func serveProviders(t *testing.T, used []*usedProvider, r *snippetResult) serving {
	t.Helper()
	sv := serving{applyable: true}
	var ways []string
	overrides := map[string][]acctest.Override{}
	for _, u := range used {
		switch u.way {
		case wayOwn:
			ways = append(ways, "this provider")
			if p := constraintProblem(u, ownVersion()); p != "" {
				r.problems = append(r.problems, p+" (CHANGELOG.md)")
			}
		case wayBuiltin:
			ways = append(ways, "Terraform built-ins")
		case wayConsumer:
			ways = append(ways, "the test consumer")
			overrides["consumer"] = []acctest.Override{{Source: acctest.ConsumerSource, Dir: acctest.ConsumerDir(t)}}
		case wayStandIn:
			sv.applyable = false
			ways = append(ways, fmt.Sprintf("a stand-in of %s %s", u.standIn.Source, u.standIn.Version))
			overrides[u.standIn.Source] = u.standIn.Overrides(t)
			if p := constraintProblem(u, u.standIn.Version); p != "" {
				r.problems = append(r.problems, p+": the stand-in copies "+u.standIn.Version+" ("+u.standIn.Docs+
					"); update it to the release the constraint picks, or fix the constraint")
			}
		case wayMirror:
			sv.applyable, sv.needsInit = false, true
			ways = append(ways, fmt.Sprintf("%s %s from %s", strings.TrimPrefix(u.source, "registry.terraform.io/"),
				u.mirror.Version, u.mirror.Mirror))
		case wayMissing:
			sv.applyable = false
			if strings.HasSuffix(u.source, "/"+awsSource) {
				r.skip = fmt.Sprintf("%s uses hashicorp/aws, and no local plugin directory holds a release of it (looked in %s; "+
					"the machine image has one in /opt/tf-plugins): its validation against hashicorp/aws is skipped",
					u.where, strings.Join(acctest.PluginDirs(), ", "))
				return sv
			}
			ways = append(ways, "missing provider "+u.source)
			if u.implied && u.incomplete {
				continue // reported as incomplete
			}
			r.problems = append(r.problems, fmt.Sprintf("%s uses provider %q (%s), which has no offline copy here and no "+
				"stand-in in internal/acctest/standin: it cannot be validated; show a provider that can be, or add a "+
				"stand-in with its documented schema", u.where, u.local, u.source))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(overrides)) {
		sv.overrides = append(sv.overrides, overrides[k]...)
	}
	slices.Sort(ways)
	ways = slices.Compact(ways)
	if len(ways) == 0 {
		ways = []string{"Terraform built-ins"}
	}
	r.how = "validated against " + strings.Join(ways, ", ")
	return sv
}

// installableCopies are the filesystem mirrors terraform init installs from: the local plugin
// directories of the real releases, and in dir an installable copy of every provider that
// dev_overrides serve (init needs one, and then leaves them to dev_overrides).
func installableCopies(t *testing.T, dir string, used []*usedProvider) []acctest.FilesystemMirror {
	t.Helper()
	var pkgs []acctest.MirrorPackage
	var own, mirrors []acctest.FilesystemMirror
	for _, u := range uniqueSources(used) {
		var bin, v string
		switch u.way {
		case wayOwn:
			bin, v = filepath.Join(acctest.ProviderDir(t), "terraform-provider-authtoken"), ownVersion()
		case wayConsumer:
			bin, v = filepath.Join(acctest.ConsumerDir(t), "terraform-provider-consumer"), "0.0.1"
		case wayStandIn:
			bin, v = filepath.Join(u.standIn.Dir(t), "terraform-provider-"+u.source[strings.LastIndex(u.source, "/")+1:]), u.standIn.Version
		case wayMirror:
			if u.mirror.Source == u.source {
				mirrors = append(mirrors, acctest.FilesystemMirror{Path: u.mirror.Mirror, Include: []string{u.source}})
				continue
			}
			bin, v = u.mirror.Binary, u.mirror.Version // kept under the other registry's host: linked under this one's
		default:
			continue
		}
		pkgs = append(pkgs, acctest.MirrorPackage{Source: u.source, Version: v, Binary: bin})
	}
	if len(pkgs) > 0 {
		acctest.Mirror(t, dir, pkgs...)
		m := acctest.FilesystemMirror{Path: dir}
		for _, p := range pkgs {
			m.Include = append(m.Include, p.Source)
		}
		own = append(own, m)
	}
	return append(own, mirrors...)
}

// probeBlocks are blocks that make terraform validate check the provider blocks of the root
// module that no resource, data source or ephemeral resource uses: validate checks a provider's
// block only for a provider that one of them uses.
func probeBlocks(root *snippetModule, used []*usedProvider, r *snippetResult) string {
	probes := ""
	for _, ref := range root.providerRefs {
		local, _, _ := strings.Cut(ref, ".")
		if root.usedByBlocks[local] {
			continue
		}
		for _, u := range used {
			if u.local != local || strings.Contains(u.where, " in module ") {
				continue
			}
			if probe := probeFor(u); probe != "" {
				probes += fmt.Sprintf(probe, ref) + "\n"
				r.notes = append(r.notes, fmt.Sprintf("provider %q has no resource, data source or ephemeral resource here: "+
					"its block was validated through a probe block of it", ref))
			} else {
				r.notes = append(r.notes, fmt.Sprintf("provider %q has no resource, data source or ephemeral resource here, "+
					"and the checker has no probe for %s: terraform validate did not check its block", ref, u.source))
			}
			break
		}
	}
	return probes
}

// probeFor returns a valid block of one of the provider's types, with %s for the provider
// reference, or "" when the checker has none.
func probeFor(u *usedProvider) string {
	switch u.way {
	case wayOwn:
		return "data \"tenn_token\" \"snippet_probe\" {\n  provider = %s\n}\n"
	case wayConsumer:
		return "data \"consumer_whoami\" \"snippet_probe\" {\n  provider = %s\n}\n"
	case wayStandIn:
		return u.standIn.Probe
	case wayMirror:
		if strings.HasSuffix(u.source, "/"+awsSource) {
			return "data \"aws_partition\" \"snippet_probe\" {\n  provider = %s\n}\n"
		}
	}
	return ""
}

// uniqueSources is used with each source once.
func uniqueSources(used []*usedProvider) []*usedProvider {
	var out []*usedProvider
	seen := map[string]bool{}
	for _, u := range used {
		if !seen[u.source] {
			seen[u.source] = true
			out = append(out, u)
		}
	}
	return out
}

func inModule(m *snippetModule) string {
	if m.path == "" {
		return ""
	}
	return " in module " + m.path + " (" + m.location + ")"
}

// constraintProblem says when a required_providers version constraint does not admit version.
func constraintProblem(u *usedProvider, v string) string {
	if u.constraint == "" {
		return ""
	}
	cs, err := version.NewConstraint(u.constraint)
	if err != nil {
		return fmt.Sprintf("%s: version constraint %q of %s is not valid: %v", u.where, u.constraint, u.local, err)
	}
	if !cs.Check(version.Must(version.NewVersion(v))) {
		return fmt.Sprintf("%s: version constraint %q of %s (%s) does not admit %s", u.where, u.constraint, u.local, u.source, v)
	}
	return ""
}

// newSnippetTerraform is terraform in dir with a CLI configuration and extra environment.
func newSnippetTerraform(t *testing.T, dir, cliConfig string, env map[string]string) *tfexec.Terraform {
	t.Helper()
	tf, err := tfexec.NewTerraform(dir, acctest.TerraformPath(t))
	if err != nil {
		t.Fatal(err)
	}
	full := acctest.Env()
	for _, k := range slices.Collect(maps.Keys(full)) {
		if strings.HasPrefix(k, "TF_VAR_") || strings.HasPrefix(k, "AUTHTOKEN_") {
			delete(full, k) // the test decides these
		}
		for _, tt := range tokenTypes() {
			if strings.HasPrefix(k, tt.envPrefix+"_") {
				delete(full, k)
			}
		}
	}
	maps.Copy(full, env)
	full["TF_CLI_CONFIG_FILE"] = cliConfig
	full["CHECKPOINT_DISABLE"] = "1"
	if err := tf.SetEnv(full); err != nil {
		t.Fatal(err)
	}
	return tf
}

// snippetLocator turns terraform's file and line into the docs page's.
func snippetLocator(s *docSnippet, modules []*snippetModule) func(file string, line int) string {
	return func(file string, line int) string {
		for _, m := range modules {
			if path.Join(m.path, "main.tf") == path.Clean(filepath.ToSlash(file)) {
				page, fence, _ := strings.Cut(m.location, ":")
				n, _ := strconv.Atoi(fence)
				return fmt.Sprintf("%s:%d", page, n+line)
			}
		}
		return fmt.Sprintf("%s line %d", file, line)
	}
}

// validateProblems turns `terraform validate -json` output into one line per error and warning
// (but the dev_overrides one), located on the docs page.
func validateProblems(out *tfjson.ValidateOutput, runErr error, locate func(string, int) string) []string {
	if runErr != nil || out == nil {
		return []string{fmt.Sprintf("terraform validate failed: %v", runErr)}
	}
	var problems []string
	for _, d := range out.Diagnostics {
		if d.Severity == tfjson.DiagnosticSeverityWarning && d.Summary == examplesDevOverrideWarning {
			continue
		}
		problems = append(problems, diagnosticLine(string(d.Severity), d.Summary, d.Detail, d.Range, locate))
	}
	if !out.Valid && len(problems) == 0 {
		problems = append(problems, "terraform validate: the configuration is not valid")
	}
	return problems
}

func diagnosticLine(severity, summary, detail string, rng *tfjson.Range, locate func(string, int) string) string {
	where := ""
	if rng != nil && rng.Filename != "" {
		where = " at " + locate(rng.Filename, rng.Start.Line)
	}
	detail = strings.Join(strings.Fields(detail), " ")
	return fmt.Sprintf("terraform %s: %s%s: %s", severity, summary, where, detail)
}

// checkCLIConfig checks a CLI configuration snippet: with its dev_overrides directories for this
// provider replaced by a fresh build, terraform takes it without complaint and serves this
// provider from it to terraform validate.
func (c *snippetChecker) checkCLIConfig(t *testing.T, s *docSnippet) snippetResult {
	t.Helper()
	r := snippetResult{how: "validated as a CLI configuration"}
	overrideRE := regexp.MustCompile(`("(?:registry\.terraform\.io/|registry\.opentofu\.org/)?authtoken/authtoken"\s*=\s*)"([^"]*)"`)
	m := overrideRE.FindStringSubmatch(s.text)
	if m == nil {
		r.problems = append(r.problems, "a CLI configuration snippet that does not override authtoken/authtoken: "+
			"the checker knows only dev_overrides snippets; extend checkCLIConfig")
		return r
	}
	rc := overrideRE.ReplaceAllString(s.text, fmt.Sprintf("${1}%q", acctest.ProviderDir(t)))
	cfgDir := t.TempDir()
	testsupport.WriteFile(t, filepath.Join(cfgDir, "terraform.rc"), rc)
	dir := t.TempDir()
	testsupport.WriteFile(t, filepath.Join(dir, "main.tf"), "terraform {\n  required_providers {\n    authtoken = { source = "+
		"\"authtoken/authtoken\" }\n  }\n}\n\nephemeral \"tenn_token\" \"x\" {\n  provider = authtoken\n}\n")
	tf := newSnippetTerraform(t, dir, filepath.Join(cfgDir, "terraform.rc"), nil)
	var stderr bytes.Buffer
	tf.SetStderr(&stderr)
	out, err := tf.Validate(context.Background())
	if strings.Contains(stderr.String(), "problems with the CLI configuration") {
		r.problems = append(r.problems, "terraform does not take it as a CLI configuration:\n"+indent(stderr.String()))
	}
	served := false
	if out != nil {
		for _, d := range out.Diagnostics {
			if d.Summary == examplesDevOverrideWarning && strings.Contains(d.Detail, "authtoken/authtoken") {
				served = true
			}
		}
	}
	if !served {
		r.problems = append(r.problems, "its dev_overrides did not serve authtoken/authtoken")
	}
	r.problems = append(r.problems, validateProblems(out, err, func(f string, l int) string { return fmt.Sprintf("%s line %d", f, l) })...)
	r.how += fmt.Sprintf(" (its dev_overrides directory %s replaced by a fresh build): terraform takes it and serves "+
		"authtoken/authtoken from it to terraform validate", m[2])
	return r
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

// servable says whether the token server answers what a snippet's literal URL asks for.
func servable(u contactedURL) (ok bool, why string) {
	p, err := url.Parse(u.url)
	if err != nil || p.Host == "" {
		return false, "names " + u.url + ", which is not a URL"
	}
	if ip := net.ParseIP(p.Hostname()); (ip != nil && ip.IsLoopback()) || p.Hostname() == "localhost" {
		return false, "names " + u.url + " on loopback, at a port the test cannot serve"
	}
	if !documentedHost(p.Hostname()) {
		return false, "names a real host (" + u.url + ")"
	}
	if p.Scheme != "https" || (p.Port() != "" && p.Port() != "443") || p.RawQuery != "" {
		return false, "names " + u.url + ", which the token server cannot stand in for (not https on port 443)"
	}
	var paths []string
	switch u.what {
	case "token_url":
		paths = []string{u.api.Path()}
	case "issuer":
		if u.api == tokenserver.OAuth2 {
			paths = []string{tokenserver.OAuth2IssuerPath}
		}
	case "revocation_url":
		paths = []string{u.api.RevocationPath()}
	case "call":
		for _, api := range tokenserver.APIs {
			paths = append(paths, api.ResourcePath())
		}
	}
	if !slices.Contains(paths, p.Path) {
		return false, fmt.Sprintf("names %s, which the token server cannot stand in for (it serves %s there)", u.url,
			strings.Join(paths, " or "))
	}
	return true, ""
}

// apply plans (to a file) and applies a snippet that needs nothing but this provider, built-ins and
// the consumer, against a token server of its own, in its validated working directory.
func (c *snippetChecker) apply(t *testing.T, s *docSnippet, dir, cliConfig string, modules []*snippetModule, r *snippetResult,
	locate func(string, int) string) {
	t.Helper()
	// Hosts: documented hosts reach the token server through the proxy; any other is not applied.
	needsProxy := false
	var notApplied []string
	for _, m := range modules {
		for _, u := range m.urls {
			if ok, why := servable(u); !ok {
				notApplied = append(notApplied, why)
			}
			needsProxy = true
		}
	}
	// Accounts: the test accounts, and each literal client or user the snippet names with the test
	// account's secret (which the variables and environment give it).
	cfg := tokenserver.DefaultConfig()
	apis := map[tokenserver.API]bool{}
	usesIssuer := false
	for _, m := range modules {
		for _, tb := range m.tokens {
			api := tb.tt.server()
			apis[api] = true
			if _, ok := tb.literal["issuer"]; ok {
				usesIssuer = true
			}
			creds := api.Credentials()
			if id, ok := tb.literal["client_id"]; ok && id != creds.ClientID {
				secret, ok := tb.literal["client_secret"]
				if !ok {
					secret = creds.ClientSecret
				}
				cfg.Clients[api][id] = secret
			}
			if user, ok := tb.literal["username"]; ok && user != creds.Username {
				password, ok := tb.literal["password"]
				if !ok {
					password = creds.Password
				}
				cfg.Users[api][user] = password
			}
		}
	}
	srv, ts := testsupport.TokenServer(t, cfg)
	env := map[string]string{}
	for _, tt := range tokenTypes() {
		for k, v := range tt.testEnv(ts.URL) {
			if tt.api == grant.OAuth2 && usesIssuer && k == tt.envPrefix+"_TOKEN_URL" {
				continue // token_url and issuer exclude each other
			}
			env[k] = v
		}
	}
	// Variables: the test value of the argument a variable is given to, else by name
	// (<type prefix>_<argument>, <type prefix>_api_url).
	values := map[string]string{}
	for _, m := range modules {
		for _, tb := range m.tokens {
			inputs := tb.tt.testInputs(ts.URL)
			for arg, v := range tb.vars {
				if val, ok := inputs[arg]; ok {
					values[v] = val
				}
			}
			if p, ok := tb.prefixed["token_url"]; ok && ts.URL+p.suffix == tokenserver.TokenURL(ts.URL, tb.tt.server()) {
				values[p.name] = ts.URL
			}
		}
	}
	root := modules[0]
	for _, name := range slices.Sorted(maps.Keys(root.variables)) {
		if _, ok := values[name]; ok {
			continue
		}
		for _, tt := range tokenTypes() {
			if rest, ok := strings.CutPrefix(name, strings.ToLower(tt.envPrefix)+"_"); ok {
				if rest == "api_url" {
					values[name] = ts.URL
				} else if v, ok := tt.testInputs(ts.URL)[rest]; ok {
					values[name] = v
				}
			}
		}
		if _, ok := values[name]; !ok && !root.variables[name].hasDefault {
			notApplied = append(notApplied, fmt.Sprintf("variable %q has no default and no test value", name))
		}
	}
	if len(notApplied) > 0 {
		r.applied = "not applied: " + strings.Join(slices.Compact(notApplied), "; ")
		return
	}
	// Given in var files, at plan all of them, at apply of the saved plan the ephemeral ones,
	// which Terraform asks for again.
	planVars, applyVars := map[string]string{}, map[string]string{}
	for name, v := range values {
		if decl, declared := root.variables[name]; declared {
			planVars[name] = v
			if decl.ephemeral {
				applyVars[name] = v
			}
		}
	}
	varsDir := t.TempDir()
	planVarFile, applyVarFile := filepath.Join(varsDir, "plan.tfvars.json"), filepath.Join(varsDir, "apply.tfvars.json")
	for file, vars := range map[string]map[string]string{planVarFile: planVars, applyVarFile: applyVars} {
		b, err := json.Marshal(vars)
		if err != nil {
			t.Fatal(err)
		}
		testsupport.WriteFile(t, file, string(b))
	}
	var proxy *acctest.HostProxy
	if needsProxy {
		proxy = acctest.NewHostProxy(t, srv, documentedHost)
		caFile := filepath.Join(t.TempDir(), "ca.pem")
		testsupport.WriteFile(t, caFile, proxy.CAPEM)
		env["AUTHTOKEN_PROXY_URL"] = proxy.URL
		env["AUTHTOKEN_CA_CERT_PEM"] = proxy.CAPEM
		env["HTTPS_PROXY"], env["https_proxy"], env["CURL_CA_BUNDLE"] = proxy.URL, proxy.URL, caFile
		env["NO_PROXY"], env["no_proxy"] = "127.0.0.1,localhost", "127.0.0.1,localhost"
	}

	tf := newSnippetTerraform(t, dir, cliConfig, env)
	redact := func(text string) string {
		for k, v := range env {
			if v != "" && (strings.HasSuffix(k, "_SECRET") || strings.HasSuffix(k, "_PASSWORD")) {
				text = strings.ReplaceAll(text, v, "<"+k+">")
			}
		}
		for k, v := range planVars {
			if v != "" && (strings.Contains(k, "secret") || strings.Contains(k, "password")) {
				text = strings.ReplaceAll(text, v, "<var."+k+">")
			}
		}
		return text
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	run := func(step string, command func(w *bytes.Buffer) error) bool {
		var stdout, stderr bytes.Buffer
		tf.SetStderr(&stderr)
		err := command(&stdout)
		problems, warnings := jsonDiagnostics(stdout.Bytes(), locate)
		for _, w := range warnings {
			r.notes = append(r.notes, step+" "+redact(w))
		}
		if err != nil {
			if len(problems) == 0 {
				problems = []string{firstLines(stderr.String()+err.Error(), 30)}
			}
			for _, p := range problems {
				r.problems = append(r.problems, step+" against the token server failed: "+redact(p))
			}
			return false
		}
		return true
	}
	requestsBefore := map[tokenserver.API]int{}
	if !run("plan", func(w *bytes.Buffer) error {
		_, err := tf.PlanJSON(ctx, w, tfexec.Out("snippet.tfplan"), tfexec.VarFile(planVarFile))
		return err
	}) {
		return
	}
	for api := range apis {
		requestsBefore[api] = srv.Requests(api)
	}
	if !run("apply", func(w *bytes.Buffer) error {
		return tf.ApplyJSON(ctx, w, tfexec.DirOrPlan("snippet.tfplan"), tfexec.VarFile(applyVarFile))
	}) {
		return
	}
	// Only the plan's requests are certain: whether an engine opens an ephemeral resource again at
	// apply depends on the engine (OpenTofu 1.12 does not when nothing uses it).
	for _, api := range slices.Sorted(maps.Keys(apis)) {
		if requestsBefore[api] == 0 {
			r.problems = append(r.problems, fmt.Sprintf("the token server saw no %s token request during the plan", api))
		}
	}
	if proxy != nil && len(proxy.Refused()) > 0 {
		r.problems = append(r.problems, "the proxy for documented hosts refused "+strings.Join(proxy.Refused(), ", "))
	}
	r.applied = "planned and applied against the token server"
	if needsProxy {
		r.applied += " (its documented hosts served by the token server through a proxy)"
	}
	if len(apis) > 0 {
		var names []string
		for _, api := range slices.Sorted(maps.Keys(apis)) {
			names = append(names, fmt.Sprintf("%s %d", api, srv.Requests(api)))
		}
		r.applied += "; token requests: " + strings.Join(names, ", ")
	}
}

// jsonDiagnostics reads the diagnostics of terraform's -json output: errors, and warnings but the
// dev_overrides one.
func jsonDiagnostics(out []byte, locate func(string, int) string) (errs, warnings []string) {
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
		if d.Summary == examplesDevOverrideWarning {
			continue
		}
		text := diagnosticLine(d.Severity, d.Summary, d.Detail, d.Range, locate)
		if d.Severity == "error" {
			errs = append(errs, text)
		} else {
			warnings = append(warnings, text)
		}
	}
	return errs, warnings
}

func indent(s string) string {
	return "        " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n        ")
}

func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = append(lines[:n], "...")
	}
	return strings.Join(lines, "\n")
}

// lineDiff shows the lines of a that b changes, as -/+ pairs.
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out []string
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			out = append(out, fmt.Sprintf("line %d: - %q", i+1, x), fmt.Sprintf("line %d: + %q", i+1, y))
		}
		if len(out) > 12 {
			out = append(out, "...")
			break
		}
	}
	return strings.Join(out, "\n")
}
