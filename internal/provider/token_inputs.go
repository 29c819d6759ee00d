package provider

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	eschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// inputShape is how an input is written in configuration: a string, a list of strings or a map of
// strings. Each shape has a text form, which is also how its environment variable is written, so
// that configuration, environment and default merge the same way for all of them.
type inputShape struct {
	ephemeral  func(in input, description string) eschema.Attribute
	dataSource func(in input, description string) dschema.Attribute
	// read returns the configured value in text form; null when the block leaves it out.
	read func(ctx context.Context, config attributeReader, p path.Path) (text string, null, unknown bool, diags diag.Diagnostics)
	// envForm says how the environment variable is written, for the docs; "" for a plain string.
	envForm string
}

var stringShape = inputShape{
	ephemeral: func(in input, d string) eschema.Attribute {
		return eschema.StringAttribute{Optional: true, Sensitive: in.sensitive, MarkdownDescription: d, Validators: in.stringValidators()}
	},
	dataSource: func(in input, d string) dschema.Attribute {
		return dschema.StringAttribute{Optional: true, Sensitive: in.sensitive, MarkdownDescription: d, Validators: in.stringValidators()}
	},
	read: func(ctx context.Context, config attributeReader, p path.Path) (string, bool, bool, diag.Diagnostics) {
		var v types.String
		diags := config.GetAttribute(ctx, p, &v)
		return v.ValueString(), v.IsNull(), v.IsUnknown(), diags
	},
}

// boolShape's text form is "true" or "false".
var boolShape = inputShape{
	ephemeral: func(_ input, d string) eschema.Attribute {
		return eschema.BoolAttribute{Optional: true, MarkdownDescription: d}
	},
	dataSource: func(_ input, d string) dschema.Attribute {
		return dschema.BoolAttribute{Optional: true, MarkdownDescription: d}
	},
	read: func(ctx context.Context, config attributeReader, p path.Path) (string, bool, bool, diag.Diagnostics) {
		var v types.Bool
		diags := config.GetAttribute(ctx, p, &v)
		if v.IsNull() || v.IsUnknown() {
			return "", v.IsNull(), v.IsUnknown(), diags
		}
		return strconv.FormatBool(v.ValueBool()), false, false, diags
	},
	envForm: "`true` or `false`",
}

// listShape's text form is the elements separated by spaces (resource URIs hold none).
var listShape = inputShape{
	ephemeral: func(in input, d string) eschema.Attribute {
		return eschema.ListAttribute{Optional: true, Sensitive: in.sensitive, ElementType: types.StringType, MarkdownDescription: d,
			Validators: []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))}}
	},
	dataSource: func(in input, d string) dschema.Attribute {
		return dschema.ListAttribute{Optional: true, Sensitive: in.sensitive, ElementType: types.StringType, MarkdownDescription: d,
			Validators: []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))}}
	},
	read: func(ctx context.Context, config attributeReader, p path.Path) (string, bool, bool, diag.Diagnostics) {
		var v types.List
		diags := config.GetAttribute(ctx, p, &v)
		if v.IsNull() || v.IsUnknown() {
			return "", v.IsNull(), v.IsUnknown(), diags
		}
		var elems []types.String
		diags.Append(v.ElementsAs(ctx, &elems, false)...)
		var parts []string
		for _, e := range elems {
			if e.IsUnknown() {
				return "", false, true, diags
			}
			parts = append(parts, e.ValueString())
		}
		return strings.Join(parts, " "), false, false, diags
	},
	envForm: "the values separated by spaces",
}

// mapShape's text form is form encoding: a=1&b=2.
var mapShape = inputShape{
	ephemeral: func(in input, d string) eschema.Attribute {
		return eschema.MapAttribute{Optional: true, Sensitive: in.sensitive, ElementType: types.StringType, MarkdownDescription: d,
			Validators: []validator.Map{mapvalidator.KeysAre(stringvalidator.LengthAtLeast(1))}}
	},
	dataSource: func(in input, d string) dschema.Attribute {
		return dschema.MapAttribute{Optional: true, Sensitive: in.sensitive, ElementType: types.StringType, MarkdownDescription: d,
			Validators: []validator.Map{mapvalidator.KeysAre(stringvalidator.LengthAtLeast(1))}}
	},
	read: func(ctx context.Context, config attributeReader, p path.Path) (string, bool, bool, diag.Diagnostics) {
		var v types.Map
		diags := config.GetAttribute(ctx, p, &v)
		if v.IsNull() || v.IsUnknown() {
			return "", v.IsNull(), v.IsUnknown(), diags
		}
		values := url.Values{}
		for k, e := range v.Elements() {
			s, ok := e.(types.String)
			if !ok || s.IsUnknown() {
				return "", false, true, diags
			}
			values.Set(k, s.ValueString())
		}
		return values.Encode(), false, false, diags
	},
	envForm: "form-encoded, like `a=1&b=2`",
}

func (in input) stringValidators() []validator.String {
	v := []validator.String{notEmptyValidator{envVar: in.envVar}}
	if in.isURL {
		v = append(v, tokenURLValidator{})
	}
	if len(in.oneOf) > 0 {
		v = append(v, stringvalidator.OneOf(in.oneOf...))
	}
	if in.isDuration {
		v = append(v, durationValidator{})
	}
	return v
}

// splitList and parseMap turn the text forms back into values.
func splitList(text string) []string { return strings.Fields(text) }

func parseMap(text string) map[string]string {
	values, _ := url.ParseQuery(text) // a malformed pair is dropped; the pairs that parse are kept
	out := map[string]string{}
	for k := range values {
		out[k] = values.Get(k)
	}
	return out
}
