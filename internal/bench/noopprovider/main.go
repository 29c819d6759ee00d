// Command noopprovider is the reference provider of `make bench` (scripts/bench.sh): the real
// authtoken provider with its behaviour taken out, so the bench can tell what any
// terraform-plugin-framework provider's ephemeral resources cost from what this provider adds.
//
// It serves, as registry.terraform.io/bench/noop, the real provider's ephemeral resources under
// their real type names (partner_token, ...) and with their real schemas, less the attributes'
// validators. Nothing else does anything: the provider has no settings and its Configure is
// empty; the resources have no Configure, and Open copies the configuration into the result and
// writes a fixed value into every computed attribute the configuration leaves null, without HTTP
// or logging of its own. Like the old hand-written no-op it does not turn the SDK's own logs off
// (the real provider's main.go does): the bench's noopq case does that through the environment.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"maps"
	"math/big"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	authtoken "github.com/authtoken/terraform-provider-authtoken/internal/provider"
)

// address is where scripts/bench.sh's configurations find this provider (its dev_overrides and
// required_providers name bench/noop).
const address = "registry.terraform.io/bench/noop"

func main() {
	err := providerserver.Serve(context.Background(), newNoopProvider(authtoken.New("bench")),
		providerserver.ServeOpts{Address: address, ProtocolVersion: 6})
	if err != nil {
		log.Fatal(err)
	}
}

// noopProvider wraps the real provider and keeps only its ephemeral resources' names and schemas.
type noopProvider struct {
	inner provider.Provider
}

var _ provider.ProviderWithEphemeralResources = noopProvider{}

func newNoopProvider(inner func() provider.Provider) func() provider.Provider {
	return func() provider.Provider { return noopProvider{inner: inner()} }
}

func (p noopProvider) Metadata(ctx context.Context, req provider.MetadataRequest, resp *provider.MetadataResponse) {
	p.inner.Metadata(ctx, req, resp)
	resp.TypeName = "noop"
}

// Schema is empty: the real provider's settings configure the HTTP client this one never builds.
func (noopProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}

func (noopProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (noopProvider) Resources(context.Context) []func() resource.Resource { return nil }

func (noopProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

func (p noopProvider) EphemeralResources(ctx context.Context) []func() ephemeral.EphemeralResource {
	inner, ok := p.inner.(provider.ProviderWithEphemeralResources)
	if !ok {
		return nil
	}
	var out []func() ephemeral.EphemeralResource
	for _, newInner := range inner.EphemeralResources(ctx) {
		s := newShape(ctx, newInner())
		out = append(out, func() ephemeral.EphemeralResource { return noopEphemeral{inner: newInner(), shape: s} })
	}
	return out
}

// noopEphemeral is a real ephemeral resource's name and schema over a do-nothing Open.
type noopEphemeral struct {
	inner ephemeral.EphemeralResource
	shape *shape
}

var _ ephemeral.EphemeralResource = noopEphemeral{}

func (e noopEphemeral) Metadata(ctx context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	e.inner.Metadata(ctx, req, resp)
}

func (e noopEphemeral) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	if e.shape.err != nil {
		resp.Diagnostics.AddError("The no-op provider cannot serve this ephemeral resource", e.shape.err.Error())
		return
	}
	resp.Schema = e.shape.schema
}

// Open starts from the result the framework fills from the configuration, and sets every
// computed attribute that is still null to its fixed value, in one conversion each way (what
// the old hand-written no-op did with a model struct).
func (e noopEphemeral) Open(ctx context.Context, _ ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var obj types.Object
	resp.Diagnostics.Append(resp.Result.Get(ctx, &obj)...)
	if resp.Diagnostics.HasError() {
		return
	}
	attrs := maps.Clone(obj.Attributes())
	for name, v := range e.shape.fixed {
		if attrs[name] == nil || attrs[name].IsNull() {
			attrs[name] = v
		}
	}
	result, diags := types.ObjectValue(obj.AttributeTypes(ctx), attrs)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Result.Set(ctx, result)...)
}

// shape is what one ephemeral resource type serves, worked out once from the real resource's
// schema: that schema less its validators, and the fixed value of each computed attribute. err
// is set when the schema holds something the no-op cannot serve; Schema then reports it.
type shape struct {
	schema schema.Schema
	fixed  map[string]attr.Value
	err    error
}

func newShape(ctx context.Context, inner ephemeral.EphemeralResource) *shape {
	var resp ephemeral.SchemaResponse
	inner.Schema(ctx, ephemeral.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		return &shape{err: fmt.Errorf("the real schema has errors: %v", resp.Diagnostics.Errors())}
	}
	s := resp.Schema
	if len(s.Blocks) > 0 {
		return &shape{err: errors.New("blocks are not supported")}
	}
	attrs := make(map[string]schema.Attribute, len(s.Attributes))
	fixed := map[string]attr.Value{}
	for name, a := range s.Attributes {
		stripped, err := withoutValidators(a)
		if err != nil {
			return &shape{err: fmt.Errorf("attribute %q: %w", name, err)}
		}
		attrs[name] = stripped
		if a.IsComputed() {
			v, err := fixedValue(a.GetType())
			if err != nil {
				return &shape{err: fmt.Errorf("attribute %q: %w", name, err)}
			}
			fixed[name] = v
		}
	}
	s.Attributes = attrs
	return &shape{schema: s, fixed: fixed}
}

// withoutValidators returns a copy of a with no validators, nested attributes included. Only
// single nested attributes are supported among the nested kinds: no token type has another.
func withoutValidators(a schema.Attribute) (schema.Attribute, error) {
	switch a := a.(type) {
	case schema.SingleNestedAttribute:
		a.Validators = nil
		nested := make(map[string]schema.Attribute, len(a.Attributes))
		for name, inner := range a.Attributes {
			stripped, err := withoutValidators(inner)
			if err != nil {
				return nil, fmt.Errorf("attribute %q: %w", name, err)
			}
			nested[name] = stripped
		}
		a.Attributes = nested
		return a, nil
	case schema.BoolAttribute:
		a.Validators = nil
		return a, nil
	case schema.DynamicAttribute:
		a.Validators = nil
		return a, nil
	case schema.Float32Attribute:
		a.Validators = nil
		return a, nil
	case schema.Float64Attribute:
		a.Validators = nil
		return a, nil
	case schema.Int32Attribute:
		a.Validators = nil
		return a, nil
	case schema.Int64Attribute:
		a.Validators = nil
		return a, nil
	case schema.ListAttribute:
		a.Validators = nil
		return a, nil
	case schema.MapAttribute:
		a.Validators = nil
		return a, nil
	case schema.NumberAttribute:
		a.Validators = nil
		return a, nil
	case schema.ObjectAttribute:
		a.Validators = nil
		return a, nil
	case schema.SetAttribute:
		a.Validators = nil
		return a, nil
	case schema.StringAttribute:
		a.Validators = nil
		return a, nil
	}
	return nil, fmt.Errorf("%T is not supported", a)
}

// fixedValue is what Open writes into a computed attribute of type t: a fixed string or number,
// true, or an empty collection. Custom types are not supported.
func fixedValue(t attr.Type) (attr.Value, error) {
	switch t := t.(type) {
	case basetypes.StringType:
		return types.StringValue("noop"), nil
	case basetypes.BoolType:
		return types.BoolValue(true), nil
	case basetypes.Int64Type:
		return types.Int64Value(3600), nil
	case basetypes.Int32Type:
		return types.Int32Value(3600), nil
	case basetypes.Float64Type:
		return types.Float64Value(3600), nil
	case basetypes.Float32Type:
		return types.Float32Value(3600), nil
	case basetypes.NumberType:
		return types.NumberValue(big.NewFloat(3600)), nil
	case basetypes.ListType:
		return types.ListValueMust(t.ElemType, nil), nil
	case basetypes.SetType:
		return types.SetValueMust(t.ElemType, nil), nil
	case basetypes.MapType:
		return types.MapValueMust(t.ElemType, nil), nil
	}
	return nil, fmt.Errorf("no fixed value for type %s", t)
}
