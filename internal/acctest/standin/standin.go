// Package standin holds stand-in providers for tests: providers that have the schema of a real
// third-party provider, as its registry documentation gives it, and nothing behind it. The
// examples test (internal/provider/examples_acc_test.go) validates the examples/ that use such a
// provider, the sources of the README's and docs/' blocks, against its stand-in, installed from a
// filesystem mirror under the real provider's source address, when no offline copy of the real
// provider exists.
//
// A stand-in is only as good as its schema: each one copies the arguments, nesting, types and the
// Required, Optional, Computed, Sensitive and WriteOnly flags of the real provider's documented
// release that `terraform init` would pick for the docs' version constraints, and cites the
// registry pages it was taken from. Validation is all it does: a stand-in refuses to read, plan or
// apply anything. Each stand-in is one file here (<name>.go) that registers it; one command,
// cmd/terraform-provider-standin, serves them all, choosing by the name it is run under
// (terraform-provider-<name>). No production binary may link any of them.
package standin

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	eschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// Provider is a stand-in: the real provider's type name, its documented release, and the schemas
// of the provider block and of the resource, data source and ephemeral resource types the docs
// use, by full type name ("kubernetes_namespace_v1").
type Provider struct {
	TypeName string // the provider's type name, such as "kubernetes"
	Source   string // its source address, such as "hashicorp/kubernetes"
	Version  string // the release whose documented schema it copies, such as "3.2.1"
	Docs     string // where the schema comes from: the registry docs of that release
	// Probe is a valid block of one of its types, with %s for the provider reference, that makes
	// terraform validate check a provider block that no other block uses.
	Probe string

	ProviderSchema    pschema.Schema
	ResourceSchemas   map[string]rschema.Schema
	DataSourceSchemas map[string]dschema.Schema
	EphemeralSchemas  map[string]eschema.Schema
}

// all holds every stand-in, in the order of their files.
var all []*Provider

func register(p *Provider) *Provider {
	all = append(all, p)
	return p
}

// All returns every stand-in, sorted by type name.
func All() []*Provider {
	out := slices.Clone(all)
	slices.SortFunc(out, func(a, b *Provider) int { return strings.Compare(a.TypeName, b.TypeName) })
	return out
}

// ForBinary returns the stand-in a binary named terraform-provider-<type name> serves (Terraform's
// plugin names may add a version, _v1.2.3, and Windows adds .exe).
func ForBinary(path string) (*Provider, bool) {
	name, ok := strings.CutPrefix(strings.TrimSuffix(filepath.Base(path), ".exe"), "terraform-provider-")
	if !ok {
		return nil, false
	}
	name, _, _ = strings.Cut(name, "_")
	for _, p := range all {
		if p.TypeName == name {
			return p, true
		}
	}
	return nil, false
}

// Serve serves p over plugin protocol 6, for the command's main.
func Serve(p *Provider) {
	err := providerserver.Serve(context.Background(), func() provider.Provider { return p }, providerserver.ServeOpts{
		Address:         "registry.terraform.io/" + p.Source,
		ProtocolVersion: 6,
	})
	if err != nil {
		log.Fatal(err)
	}
}

var (
	_ provider.Provider                       = (*Provider)(nil)
	_ provider.ProviderWithEphemeralResources = (*Provider)(nil)
)

// Metadata names the provider as the real one.
func (p *Provider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = p.TypeName
	resp.Version = p.Version + "-standin"
}

// Schema is the real provider block's schema.
func (p *Provider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = p.ProviderSchema
}

// Configure accepts any configuration the schema accepts; a stand-in never calls anything.
func (p *Provider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

// Resources are the stand-in resource types.
func (p *Provider) Resources(context.Context) []func() resource.Resource {
	var out []func() resource.Resource
	for name, s := range p.ResourceSchemas {
		out = append(out, func() resource.Resource { return &standinResource{p: p, name: name, schema: s} })
	}
	return out
}

// DataSources are the stand-in data source types.
func (p *Provider) DataSources(context.Context) []func() datasource.DataSource {
	var out []func() datasource.DataSource
	for name, s := range p.DataSourceSchemas {
		out = append(out, func() datasource.DataSource { return &standinDataSource{p: p, name: name, schema: s} })
	}
	return out
}

// EphemeralResources are the stand-in ephemeral resource types.
func (p *Provider) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	var out []func() ephemeral.EphemeralResource
	for name, s := range p.EphemeralSchemas {
		out = append(out, func() ephemeral.EphemeralResource { return &standinEphemeral{p: p, name: name, schema: s} })
	}
	return out
}

// refuse is what a stand-in answers when asked to do more than validate.
func (p *Provider) refuse(what string) (string, string) {
	return "Stand-in provider", fmt.Sprintf("This is a test stand-in of %s %s (internal/acctest/standin): it "+
		"has the real provider's schema for terraform validate, and cannot %s.", p.Source, p.Version, what)
}

type standinResource struct {
	p      *Provider
	name   string
	schema rschema.Schema
}

func (r *standinResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = r.name
}

func (r *standinResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = r.schema
}

func (r *standinResource) Create(_ context.Context, _ resource.CreateRequest, resp *resource.CreateResponse) {
	resp.Diagnostics.AddError(r.p.refuse("create " + r.name))
}

func (r *standinResource) Read(_ context.Context, _ resource.ReadRequest, resp *resource.ReadResponse) {
	resp.Diagnostics.AddError(r.p.refuse("read " + r.name))
}

func (r *standinResource) Update(_ context.Context, _ resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.Diagnostics.AddError(r.p.refuse("update " + r.name))
}

func (r *standinResource) Delete(_ context.Context, _ resource.DeleteRequest, resp *resource.DeleteResponse) {
	resp.Diagnostics.AddError(r.p.refuse("delete " + r.name))
}

type standinDataSource struct {
	p      *Provider
	name   string
	schema dschema.Schema
}

func (d *standinDataSource) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = d.name
}

func (d *standinDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = d.schema
}

func (d *standinDataSource) Read(_ context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	resp.Diagnostics.AddError(d.p.refuse("read " + d.name))
}

type standinEphemeral struct {
	p      *Provider
	name   string
	schema eschema.Schema
}

func (e *standinEphemeral) Metadata(_ context.Context, _ ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = e.name
}

func (e *standinEphemeral) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = e.schema
}

func (e *standinEphemeral) Open(_ context.Context, _ ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	resp.Diagnostics.AddError(e.p.refuse("open " + e.name))
}

// JSONString is a validator for string arguments that the real provider types as JSON (such as
// terraform-plugin-framework-jsontypes' Normalized type): a known value that is not JSON is an
// error at validate, as it is there.
func JSONString() validator.String { return jsonString{} }

type jsonString struct{}

func (jsonString) Description(context.Context) string         { return "value must be a JSON document" }
func (jsonString) MarkdownDescription(context.Context) string { return "value must be a JSON document" }

func (jsonString) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if !json.Valid([]byte(req.ConfigValue.ValueString())) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid JSON String Value",
			"A string value was provided that is not valid JSON string format (RFC 7159).")
	}
}
