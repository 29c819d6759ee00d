package main

import (
	"context"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	authtoken "github.com/authtoken/terraform-provider-authtoken/internal/provider"
)

// TestNoopServesTheRealEphemeralResources: every real ephemeral resource, under its real name,
// with its real attributes less the validators, and an Open that fills every computed attribute
// and keeps the configured ones.
func TestNoopServesTheRealEphemeralResources(t *testing.T) {
	ctx := context.Background()
	byName := func(p provider.Provider) map[string]ephemeral.EphemeralResource {
		out := map[string]ephemeral.EphemeralResource{}
		for _, f := range p.(provider.ProviderWithEphemeralResources).EphemeralResources(ctx) {
			r := f()
			var resp ephemeral.MetadataResponse
			r.Metadata(ctx, ephemeral.MetadataRequest{ProviderTypeName: authtoken.TypeName}, &resp)
			out[resp.TypeName] = r
		}
		return out
	}
	reals, noop := byName(authtoken.New("test")()), byName(newNoopProvider(authtoken.New("test"))())
	if len(noop) != len(reals) || noop["partner_token"] == nil {
		t.Fatalf("the no-op serves %d ephemeral resources, partner_token among them: %v; want the real %d", len(noop), noop["partner_token"] != nil, len(reals))
	}

	for name, r := range noop {
		t.Run(name, func(t *testing.T) {
			want, got := schemaOf(ctx, t, reals[name]), schemaOf(ctx, t, r)
			if len(got.Attributes) != len(want.Attributes) {
				t.Errorf("%d attributes, want %d", len(got.Attributes), len(want.Attributes))
			}
			for attrName, w := range want.Attributes {
				g := got.Attributes[attrName]
				switch {
				case g == nil:
					t.Errorf("%s: missing", attrName)
				case !g.GetType().Equal(w.GetType()) || g.IsOptional() != w.IsOptional() ||
					g.IsComputed() != w.IsComputed() || g.IsSensitive() != w.IsSensitive():
					t.Errorf("%s: %#v, want %#v less its validators", attrName, g, w)
				case reflect.ValueOf(g).FieldByName("Validators").Len() > 0:
					t.Errorf("%s: still has validators", attrName)
				}
			}

			objType := got.Type().TerraformType(ctx).(tftypes.Object) //nolint:forcetypeassert // a schema's type is an object
			in := map[string]tftypes.Value{}
			for attrName, a := range got.Attributes {
				in[attrName] = tftypes.NewValue(objType.AttributeTypes[attrName], nil)
				if !a.IsComputed() && objType.AttributeTypes[attrName].Is(tftypes.String) {
					in[attrName] = tftypes.NewValue(tftypes.String, "in-"+attrName)
				}
			}
			raw := tftypes.NewValue(objType, in)
			resp := ephemeral.OpenResponse{Result: tfsdk.EphemeralResultData{Schema: got, Raw: raw.Copy()}}
			r.Open(ctx, ephemeral.OpenRequest{Config: tfsdk.Config{Schema: got, Raw: raw}}, &resp)
			if resp.Diagnostics.HasError() {
				t.Fatalf("Open: %v", resp.Diagnostics)
			}
			var result types.Object
			if diags := resp.Result.Get(ctx, &result); diags.HasError() {
				t.Fatalf("reading the result: %v", diags)
			}
			for attrName, a := range got.Attributes {
				v := result.Attributes()[attrName]
				if a.IsComputed() && (v == nil || v.IsNull() || v.IsUnknown()) {
					t.Errorf("%s: computed, but Open left it %v", attrName, v)
				}
				if in[attrName].IsKnown() && !in[attrName].IsNull() && !v.Equal(types.StringValue("in-"+attrName)) {
					t.Errorf("%s: %v, want the configured %q", attrName, v, "in-"+attrName)
				}
			}
		})
	}
}

func schemaOf(ctx context.Context, t *testing.T, r ephemeral.EphemeralResource) schema.Schema {
	t.Helper()
	var resp ephemeral.SchemaResponse
	r.Schema(ctx, ephemeral.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("Schema: %v", resp.Diagnostics)
	}
	return resp.Schema
}
