package provider

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclwrite"
	eschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/provider"

	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
)

// The parts of the docs that list the token types are written from the registry (tokenTypes()),
// so that a new type needs no edit to them:
//
//   - README.md: the types table, the inputs table (a column per type), the sentence naming the
//     sensitive attributes, and every HCL block, each a copy of an examples/ file;
//   - templates/index.md.tmpl: the types table and the environment scripts;
//   - examples/from-environment/: per type and kind, the block that takes everything from the
//     environment, which the templates include;
//   - examples/demo/tokens.tf: the demo's blocks, each type as both kinds with the token
//     server's documented test account, and the facts scripts/demo.sh reads.
//
// TestDocsFollowTheRegistry fails when one of them is stale; `make docs` (scripts/docs.sh) runs it
// with -update, which rewrites them. In a hand-written file the generated part is between
// "<!-- begin NAME: written by make docs -->" and "<!-- end NAME -->", where NAME is a table's
// name or the examples/ file to copy.

var updateDocs = flag.Bool("update", false, "TestDocsFollowTheRegistry: rewrite the generated docs instead of checking them")

func TestDocsFollowTheRegistry(t *testing.T) {
	root := testsupport.RepoRoot()
	files, err := generatedDocs(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, rel := range slices.Sorted(maps.Keys(files)) {
		file := filepath.Join(root, filepath.FromSlash(rel))
		have, err := os.ReadFile(file) //nolint:gosec // a file of this repository
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		if string(have) == files[rel] {
			continue
		}
		if *updateDocs {
			testsupport.WriteFile(t, file, files[rel])
			t.Logf("wrote %s", rel)
			continue
		}
		t.Errorf("%s does not follow the provider's registry: run make docs (first difference: %s)", rel,
			firstDifference(string(have), files[rel]))
	}
	// A generated directory of a type that no longer exists.
	stale, err := staleGenerated(root, files)
	if err != nil {
		t.Fatal(err)
	}
	for _, rel := range stale {
		if !*updateDocs {
			t.Errorf("%s was generated for a token type that is not registered: run make docs", rel)
		} else if err := os.Remove(filepath.Join(root, filepath.FromSlash(rel))); err != nil {
			t.Fatal(err)
		} else {
			t.Logf("removed %s", rel)
		}
	}
}

// TestDocsMarkers: the generator replaces what is between its markers and nothing else, and
// refuses a marker it cannot fill or one left open.
func TestDocsMarkers(t *testing.T) {
	root := t.TempDir()
	testsupport.WriteFile(t, filepath.Join(root, "examples", "a", "main.tf"), "a = 1\n")
	sections := func(name string) (string, error) {
		if name == "table" {
			return "| x |\n", nil
		}
		return exampleBlock(root, name)
	}
	page := "# t\n\n<!-- begin table: written by make docs -->\nold\n<!-- end table -->\n\ntext\n\n" +
		"<!-- begin examples/a/main.tf: written by make docs -->\n```hcl\nb = 2\n```\n<!-- end examples/a/main.tf -->\n"
	got, err := fillMarkers(page, sections)
	want := "# t\n\n<!-- begin table: written by make docs -->\n| x |\n<!-- end table -->\n\ntext\n\n" +
		"<!-- begin examples/a/main.tf: written by make docs -->\n```hcl\na = 1\n```\n<!-- end examples/a/main.tf -->\n"
	if err != nil || got != want {
		t.Errorf("fillMarkers:\n%s\nerror %v; want:\n%s", got, err, want)
	}
	for _, bad := range []string{
		"<!-- begin table: written by make docs -->\n",                                               // not closed
		"<!-- begin nothing: written by make docs -->\n<!-- end nothing -->\n",                       // unknown name
		"<!-- begin examples/b/main.tf: written by make docs -->\n<!-- end examples/b/main.tf -->\n", // no such file
	} {
		if _, err := fillMarkers(bad, sections); err == nil {
			t.Errorf("fillMarkers took %q", bad)
		}
	}
}

// generatedDocs returns every generated file by its path from root, in full.
func generatedDocs(root string) (map[string]string, error) {
	types := tokenTypes()
	files := map[string]string{}
	read := func(rel string) (string, error) {
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel))) //nolint:gosec // a file of this repository
		return string(b), err
	}

	readme, err := read("README.md")
	if err != nil {
		return nil, err
	}
	if files["README.md"], err = fillMarkers(readme, func(name string) (string, error) {
		switch name {
		case "token-types":
			return readmeTypesTable(types), nil
		case "inputs":
			return inputsTable(types), nil
		case "sensitive":
			return sensitiveList(types), nil
		}
		return exampleBlock(root, name)
	}); err != nil {
		return nil, fmt.Errorf("README.md: %w", err)
	}

	index, err := read("templates/index.md.tmpl")
	if err != nil {
		return nil, err
	}
	if files["templates/index.md.tmpl"], err = fillMarkers(index, func(name string) (string, error) {
		switch name {
		case "token-types":
			return indexTypesTable(types), nil
		case "environment":
			return environmentScripts(types), nil
		}
		return "", fmt.Errorf("no section %q for the index template", name)
	}); err != nil {
		return nil, fmt.Errorf("templates/index.md.tmpl: %w", err)
	}

	for _, tt := range types {
		files[fromEnvironmentExample("ephemeral-resources", tt.name)] = fromEnvironmentConfig("ephemeral", tt.name)
		files[fromEnvironmentExample("data-sources", tt.name)] = fromEnvironmentConfig("data", tt.name)
	}
	files["examples/demo/tokens.tf"] = demoTokens(types)
	for rel, content := range files {
		if strings.HasSuffix(rel, ".tf") {
			files[rel] = string(hclwrite.Format([]byte(content))) // as terraform fmt writes it
		}
	}
	return files, nil
}

const fromEnvironmentDir = "examples/from-environment"

// fromEnvironmentExample is the example of a type whose block takes everything from the
// environment; the kind's template includes it.
func fromEnvironmentExample(kind, typeName string) string {
	return path.Join(fromEnvironmentDir, kind, typeName, "main.tf")
}

func fromEnvironmentConfig(block, typeName string) string {
	return fmt.Sprintf("terraform {\n  required_providers {\n    %[1]s = {\n      source = \"authtoken/authtoken\"\n    }\n  }\n}\n\n"+
		"%[2]s %[3]q \"this\" {\n  provider = %[1]s\n}\n", TypeName, block, typeName)
}

// staleGenerated lists the files under the generated directories that the generator did not write.
func staleGenerated(root string, files map[string]string) ([]string, error) {
	var stale []string
	err := filepath.WalkDir(filepath.Join(root, filepath.FromSlash(fromEnvironmentDir)), func(p string, d os.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return filepath.SkipDir
			}
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir // .terraform
		}
		if !d.IsDir() && strings.HasSuffix(rel, ".tf") {
			if _, ok := files[rel]; !ok {
				stale = append(stale, rel)
			}
		}
		return nil
	})
	return stale, err
}

var (
	beginMarkerRE = regexp.MustCompile(`^<!-- begin (\S+): written by make docs -->$`)
	endMarkerRE   = regexp.MustCompile(`^<!-- end (\S+) -->$`)
)

// fillMarkers replaces the lines between each pair of markers with section(name).
func fillMarkers(page string, section func(name string) (string, error)) (string, error) {
	lines := strings.SplitAfter(page, "\n")
	var out strings.Builder
	for i := 0; i < len(lines); i++ {
		out.WriteString(lines[i])
		m := beginMarkerRE.FindStringSubmatch(strings.TrimRight(lines[i], "\n"))
		if m == nil {
			continue
		}
		end := i + 1
		for end < len(lines) && strings.TrimRight(lines[end], "\n") != "<!-- end "+m[1]+" -->" {
			if endMarkerRE.MatchString(strings.TrimRight(lines[end], "\n")) || beginMarkerRE.MatchString(strings.TrimRight(lines[end], "\n")) {
				break
			}
			end++
		}
		if end == len(lines) || strings.TrimRight(lines[end], "\n") != "<!-- end "+m[1]+" -->" {
			return "", fmt.Errorf("line %d: %q has no \"<!-- end %s -->\" after it", i+1, m[0], m[1])
		}
		content, err := section(m[1])
		if err != nil {
			return "", fmt.Errorf("line %d: %w", i+1, err)
		}
		out.WriteString(content)
		i = end - 1
	}
	return out.String(), nil
}

// exampleBlock is an examples/ file as a fenced block of HCL: a configuration (.tf) or a CLI
// configuration (.tfrc).
func exampleBlock(root, rel string) (string, error) {
	if !strings.HasPrefix(rel, "examples/") || (path.Ext(rel) != ".tf" && path.Ext(rel) != ".tfrc") {
		return "", fmt.Errorf("no section %q: a section is a table or an examples/ file (.tf or .tfrc)", rel)
	}
	b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel))) //nolint:gosec // a file of this repository
	if err != nil {
		return "", err
	}
	return "```hcl\n" + strings.TrimRight(string(b), "\n") + "\n```\n", nil
}

// typeSummary is the first sentence of a type's description.
func typeSummary(tt tokenType) string {
	first, _, _ := strings.Cut(tt.description, "\n\n")
	if i := strings.Index(first, ". "); i >= 0 {
		return first[:i+1]
	}
	return first
}

func readmeTypesTable(types []tokenType) string {
	var b strings.Builder
	b.WriteString("| type | what it does |\n|---|---|\n")
	for _, tt := range types {
		fmt.Fprintf(&b, "| `%[1]s` ([ephemeral resource](docs/ephemeral-resources/%[1]s.md), [data source](docs/data-sources/%[1]s.md)) | %s |\n",
			tt.name, typeSummary(tt))
	}
	return b.String()
}

func indexTypesTable(types []tokenType) string {
	var b strings.Builder
	b.WriteString("| type | what it does | ephemeral resource | data source |\n|---|---|---|---|\n")
	for _, tt := range types {
		fmt.Fprintf(&b, "| `%[1]s` | %[2]s | [`%[1]s`]({{ $docs }}/ephemeral-resources/%[1]s) | [`%[1]s`]({{ $docs }}/data-sources/%[1]s) |\n",
			tt.name, typeSummary(tt))
	}
	return b.String()
}

func environmentScripts(types []tokenType) string {
	var parts []string
	for _, tt := range types {
		parts = append(parts, fmt.Sprintf("{{ codefile \"shell\" \"examples/environment/%s.sh\" }}\n", tt.name))
	}
	return strings.Join(parts, "\n")
}

// inputsTable has a row per input of any type, in the order the types list them, and a column
// per type: the environment variable, and whether the input is required or has a default.
// sensitiveList is README's sentence naming every sensitive attribute: the types' inputs and
// results, and the provider's settings, in registry order.
func sensitiveList(types []tokenType) string {
	var names []string
	add := func(name string) {
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	for _, tt := range types {
		for _, in := range tt.inputs {
			if in.sensitive {
				add(in.name)
			}
		}
	}
	for _, tt := range types {
		for _, out := range tt.outputs {
			if out.ephemeral.IsSensitive() {
				add(out.name)
			}
		}
	}
	var resp provider.SchemaResponse
	(&authtokenProvider{}).Schema(context.Background(), provider.SchemaRequest{}, &resp)
	for _, name := range slices.Sorted(maps.Keys(resp.Schema.Attributes)) {
		if resp.Schema.Attributes[name].IsSensitive() {
			add(name)
		}
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = "`" + n + "`"
	}
	return "- " + strings.Join(quoted[:len(quoted)-1], ", ") + " and " + quoted[len(quoted)-1] + " are sensitive.\n"
}

func inputsTable(types []tokenType) string {
	var names []string
	for _, tt := range types {
		after := -1 // keep each type's order: a new name goes after the type's previous one
		for i := range tt.inputs {
			if j := slices.Index(names, tt.inputs[i].name); j >= 0 {
				after = j
				continue
			}
			names = slices.Insert(names, after+1, tt.inputs[i].name)
			after++
		}
	}
	var b strings.Builder
	b.WriteString("| input |")
	for _, tt := range types {
		fmt.Fprintf(&b, " [`%[1]s`](docs/ephemeral-resources/%[1]s.md) |", tt.name)
	}
	b.WriteString(" sensitive |\n|---|")
	b.WriteString(strings.Repeat("---|", len(types)+1) + "\n")
	for _, name := range names {
		kind, sensitive := "", ""
		var cells []string
		for _, tt := range types {
			i := slices.IndexFunc(tt.inputs, func(in input) bool { return in.name == name })
			if i < 0 {
				cells = append(cells, "—")
				continue
			}
			in := tt.inputs[i]
			if in.sensitive {
				sensitive = "yes "
			}
			switch tt.ephemeralSchema().Attributes[name].(type) {
			case eschema.ListAttribute:
				kind = " (list)"
			case eschema.MapAttribute:
				kind = " (map)"
			case eschema.BoolAttribute:
				kind = " (bool)"
			}
			cells = append(cells, inputCell(tt, in))
		}
		fmt.Fprintf(&b, "| `%s`%s | %s | %s|\n", name, kind, strings.Join(cells, " | "), sensitive)
	}
	return b.String()
}

func inputCell(tt tokenType, in input) string {
	parts := []string{"`" + tt.envVar(in) + "`"}
	switch {
	case in.defaultValue != "":
		parts = append(parts, "default `"+in.defaultValue+"`")
	case in.required:
		parts = append(parts, "required")
	}
	for _, group := range tt.oneRequired {
		if slices.Contains(group, in.name) {
			others := slices.DeleteFunc(slices.Clone(group), func(name string) bool { return name == in.name })
			parts = append(parts, "required unless `"+strings.Join(others, "`, `")+"` is set")
		}
	}
	if len(in.oneOf) > 0 {
		parts = append(parts, "one of `"+strings.Join(in.oneOf, "`, `")+"`")
	}
	if form := in.kind.envForm(); form != "" {
		parts = append(parts, "in the environment "+form)
	}
	if in.ephemeral {
		parts = append(parts, "ephemeral resource only")
	}
	return strings.Join(parts, "; ")
}

// demoTokens is the part of examples/demo that names the types: each type as an ephemeral
// resource and as a data source against the token server at var.token_server with its documented
// test account, revoked on close where the type and the server can, and the facts the demo script
// reads (output "demo").
func demoTokens(types []tokenType) string {
	var b strings.Builder
	b.WriteString("# Written by make docs from the provider's token types and the token server's documented test\n" +
		"# accounts (internal/provider/docs_generate_test.go): do not edit. main.tf uses what it defines.\n\n")
	server := func(p string) string { return `"${var.token_server}` + hclEscape(p) + `"` }
	var endpoints, ephemeralTokens, dataTokens, facts, results []string
	for _, tt := range types {
		api := tt.server()
		values := tt.testInputs("")
		values["token_url"] = "" // set below, as an expression
		var attrs, ephemeralAttrs, multiLine []string
		for i := range tt.inputs {
			switch name := tt.inputs[i].name; {
			case name == "token_url":
				attrs = append(attrs, "token_url = "+server(api.Path()))
			case name == "api_url": // a REST API's root, whose paths the grant builds itself
				attrs = append(attrs, "api_url = var.token_server")
			case strings.Contains(values[name], "\n"):
				// A PEM key: written once, in a local both blocks use.
				local := tt.name + "_" + name
				multiLine = append(multiLine, local+" = "+hclValue(values[name]))
				attrs = append(attrs, name+" = local."+local)
			case values[name] != "":
				attrs = append(attrs, name+" = "+hclLiteral(values[name]))
			}
		}
		revoked := slices.ContainsFunc(tt.inputs, func(in input) bool { return in.name == "revoke_on_close" }) &&
			api.RevocationPath() != ""
		ephemeralAttrs = attrs
		if revoked {
			// Used during apply, dead afterwards: the demo shows the endpoint refusing it.
			ephemeralAttrs = append(slices.Clone(attrs), "revoke_on_close = true")
			if slices.ContainsFunc(tt.inputs, func(in input) bool { return in.name == "revocation_url" }) {
				ephemeralAttrs = append(ephemeralAttrs, "revocation_url = "+server(api.RevocationPath()))
			}
		}
		fmt.Fprintf(&b, "# %s, as an ephemeral resource and as a data source.\n", tt.name)
		if len(multiLine) > 0 {
			fmt.Fprintf(&b, "locals {\n  %s\n}\n\n", strings.Join(multiLine, "\n  "))
		}
		for _, kind := range []string{"ephemeral", "data"} {
			a := attrs
			if kind == "ephemeral" {
				a = ephemeralAttrs
			}
			fmt.Fprintf(&b, "%s %q \"demo\" {\n  provider = %s\n\n  %s\n}\n\n", kind, tt.name, TypeName, strings.Join(a, "\n  "))
		}
		endpoints = append(endpoints, fmt.Sprintf("%s = %s", tt.name, server(api.ResourcePath())))
		ephemeralTokens = append(ephemeralTokens, fmt.Sprintf("%[1]s = ephemeral.%[1]s.demo.access_token", tt.name))
		dataTokens = append(dataTokens, fmt.Sprintf("%[1]s = data.%[1]s.demo.access_token", tt.name))
		facts = append(facts, fmt.Sprintf("%s = { api = %s, endpoint = local.endpoints.%s, revoked = %t }", tt.name,
			hclLiteral(string(api)), tt.name, revoked))
		var result []string
		for _, out := range tt.outputs {
			switch out.name {
			case "token_type", "expires_at", "repository_selection":
				result = append(result, fmt.Sprintf("%s = data.%s.demo.%s", out.name, tt.name, out.name))
			case "scopes":
				result = append(result, fmt.Sprintf("scopes = join(\" \", data.%s.demo.scopes)", tt.name))
			}
		}
		results = append(results, fmt.Sprintf("%s = {\n  %s\n}", tt.name, strings.Join(result, "\n  ")))
	}
	object := func(entries []string) string { return "{\n" + strings.Join(entries, "\n") + "\n}" }
	fmt.Fprintf(&b, "locals {\n  # Each API's protected endpoint: it answers 200 and who the token belongs to for a live token\n"+
		"  # it issued, else 401 with WWW-Authenticate: Bearer error=\"invalid_token\".\n"+
		"  endpoints = %s\n\n  ephemeral_tokens = %s\n\n  data_tokens = %s\n}\n\n", object(endpoints), object(ephemeralTokens), object(dataTokens))
	fmt.Fprintf(&b, "# For make demo's summary: each type's API (as the token server logs it), its protected endpoint,\n"+
		"# and whether its ephemeral token is revoked when the run closes it.\noutput \"demo\" {\n  value = %s\n}\n\n", object(facts))
	fmt.Fprintf(&b, "# What the data sources returned, but the tokens.\noutput \"data_sources\" {\n  value = %s\n}\n", object(results))
	return b.String()
}

// hclValue is hclLiteral, or a heredoc for a value of several lines (a PEM key), which reads
// as the file it came from.
func hclValue(s string) string {
	if !strings.HasSuffix(s, "\n") || strings.Contains(s, "${") || strings.Contains(s, "%{") {
		return hclLiteral(s)
	}
	return "<<-EOT\n" + s + "EOT"
}

// hclLiteral quotes s as an HCL string that holds exactly s.
func hclLiteral(s string) string {
	return `"` + strings.ReplaceAll(hclEscape(s), "${", "$${") + `"`
}

// hclEscape escapes s for the inside of an HCL string, leaving "${" interpolations alone.
func hclEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`, "%{", "%%{").Replace(s)
}

// firstDifference shows where two texts first differ, a line of each.
func firstDifference(have, want string) string {
	h, w := strings.Split(have, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(h) || i < len(w); i++ {
		var x, y string
		if i < len(h) {
			x = h[i]
		}
		if i < len(w) {
			y = w[i]
		}
		if x != y {
			return fmt.Sprintf("line %d is %q, want %q", i+1, x, y)
		}
	}
	return "none"
}
