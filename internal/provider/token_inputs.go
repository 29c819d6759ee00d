package provider

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	eschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
)

// inputKind is how an input is written, in configuration and in its environment variable, and
// where its value goes. Values stay typed all the way: a configured list or map is never turned
// into text, and the environment's text is parsed once, by the rules configuration follows
// (a bool is true or false, a map is strict form encoding), an invalid one being an error that
// names the variable.
type inputKind interface {
	ephemeral(in input, description string) eschema.Attribute
	dataSource(in input, description string) dschema.Attribute
	// resolve applies the block's value to r, else the environment's (env names the variable),
	// else the input's default; found reports whether any of them had a value.
	resolve(ctx context.Context, config attributeReader, in input, env string, r *resolved) (found bool, diags diag.Diagnostics)
	// envForm says how the environment variable is written, for the docs; "" for plain text.
	envForm() string
}

// kind is an inputKind for values of type T.
type kind[T any] struct {
	ephemeralAttr  func(in input, description string) eschema.Attribute
	dataSourceAttr func(in input, description string) dschema.Attribute
	// read returns the configured value; null when the block leaves it out.
	read func(ctx context.Context, config attributeReader, p path.Path) (v T, null, unknown bool, diags diag.Diagnostics)
	// parse reads the environment's text form (and the default's), checking it as the schema's
	// validators check a configured value.
	parse func(in input, text string) (T, error)
	form  string
	set   func(*resolved, T)
}

func (k kind[T]) ephemeral(in input, d string) eschema.Attribute  { return k.ephemeralAttr(in, d) }
func (k kind[T]) dataSource(in input, d string) dschema.Attribute { return k.dataSourceAttr(in, d) }
func (k kind[T]) envForm() string                                 { return k.form }

func (k kind[T]) resolve(ctx context.Context, config attributeReader, in input, env string, r *resolved) (bool, diag.Diagnostics) {
	p := path.Root(in.name)
	v, null, unknown, diags := k.read(ctx, config, p)
	switch {
	case diags.HasError():
		return false, diags
	case unknown:
		// Terraform and OpenTofu defer a block whose configuration is not yet known to apply,
		// and never open or read it with unknown values; this guards that promise.
		diags.AddAttributeError(p, "Value not known yet", in.name+" is unknown; the block can only run once every input is known.")
		return false, diags
	case !null:
		k.set(r, v)
		return true, diags
	}
	text, from := os.Getenv(env), env
	if text == "" {
		text, from = in.defaultValue, "the default"
	}
	if text == "" {
		if in.required {
			diags.AddAttributeError(p, "Missing "+in.name, fmt.Sprintf("%s has no value. Set %s in the block, or export the %s "+
				"environment variable.", in.name, in.name, env))
		}
		return false, diags
	}
	parsed, err := k.parse(in, text)
	if err != nil {
		diags.AddAttributeError(p, "Invalid "+in.name, fmt.Sprintf("%s (from %s) %s", in.name, from, err))
		return false, diags
	}
	k.set(r, parsed)
	return true, diags
}

// stringIn is a string input.
func stringIn(set func(*resolved, string)) inputKind {
	return kind[string]{
		ephemeralAttr: func(in input, d string) eschema.Attribute {
			return eschema.StringAttribute{Optional: true, Sensitive: in.sensitive, MarkdownDescription: d, Validators: in.stringValidators()}
		},
		dataSourceAttr: func(in input, d string) dschema.Attribute {
			return dschema.StringAttribute{Optional: true, Sensitive: in.sensitive, MarkdownDescription: d, Validators: in.stringValidators()}
		},
		read: func(ctx context.Context, config attributeReader, p path.Path) (string, bool, bool, diag.Diagnostics) {
			var v types.String
			diags := config.GetAttribute(ctx, p, &v)
			return v.ValueString(), v.IsNull(), v.IsUnknown(), diags
		},
		parse: parseString,
		set:   set,
	}
}

// parseString checks text as the schema's validators check a configured string.
func parseString(in input, text string) (string, error) {
	if in.isURL {
		if err := grant.CheckTokenURL(text); err != nil {
			return "", err
		}
	}
	if len(in.oneOf) > 0 && !slices.Contains(in.oneOf, text) {
		return "", fmt.Errorf("must be one of %s, not %q", quoteAll(in.oneOf), text)
	}
	return text, nil
}

// durationIn is a Go duration, written as a string ("45m"); zeroMeansNone also accepts "0s".
func durationIn(zeroMeansNone bool, set func(*resolved, time.Duration)) inputKind {
	v := []validator.String{durationValidator{allowZero: zeroMeansNone}}
	return kind[time.Duration]{
		ephemeralAttr: func(_ input, d string) eschema.Attribute {
			return eschema.StringAttribute{Optional: true, MarkdownDescription: d, Validators: v}
		},
		dataSourceAttr: func(_ input, d string) dschema.Attribute {
			return dschema.StringAttribute{Optional: true, MarkdownDescription: d, Validators: v}
		},
		read: func(ctx context.Context, config attributeReader, p path.Path) (time.Duration, bool, bool, diag.Diagnostics) {
			var s types.String
			diags := config.GetAttribute(ctx, p, &s)
			if s.IsNull() || s.IsUnknown() {
				return 0, s.IsNull(), s.IsUnknown(), diags
			}
			d, err := parseDuration(s.ValueString(), zeroMeansNone)
			if err != nil { // the schema validator reports it at validation; this guards direct calls
				diags.AddAttributeError(p, "Invalid "+p.String(), p.String()+" "+err.Error())
			}
			return d, false, false, diags
		},
		parse: func(_ input, text string) (time.Duration, error) { return parseDuration(text, zeroMeansNone) },
		set:   set,
	}
}

// boolIn is a bool; its environment variable is written as configuration writes it, true or false.
func boolIn(set func(*resolved, bool)) inputKind {
	return kind[bool]{
		ephemeralAttr: func(_ input, d string) eschema.Attribute {
			return eschema.BoolAttribute{Optional: true, MarkdownDescription: d}
		},
		dataSourceAttr: func(_ input, d string) dschema.Attribute {
			return dschema.BoolAttribute{Optional: true, MarkdownDescription: d}
		},
		read: func(ctx context.Context, config attributeReader, p path.Path) (bool, bool, bool, diag.Diagnostics) {
			var v types.Bool
			diags := config.GetAttribute(ctx, p, &v)
			return v.ValueBool(), v.IsNull(), v.IsUnknown(), diags
		},
		parse: func(_ input, text string) (bool, error) { return parseBool(text) },
		form:  "`true` or `false`",
		set:   set,
	}
}

// listIn is a list of strings; its environment variable holds the values separated by spaces.
func listIn(set func(*resolved, []string)) inputKind {
	v := []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))}
	return kind[[]string]{
		ephemeralAttr: func(in input, d string) eschema.Attribute {
			return eschema.ListAttribute{Optional: true, Sensitive: in.sensitive, ElementType: types.StringType, MarkdownDescription: d, Validators: v}
		},
		dataSourceAttr: func(in input, d string) dschema.Attribute {
			return dschema.ListAttribute{Optional: true, Sensitive: in.sensitive, ElementType: types.StringType, MarkdownDescription: d, Validators: v}
		},
		read: func(ctx context.Context, config attributeReader, p path.Path) ([]string, bool, bool, diag.Diagnostics) {
			var list types.List
			diags := config.GetAttribute(ctx, p, &list)
			if list.IsNull() || list.IsUnknown() {
				return nil, list.IsNull(), list.IsUnknown(), diags
			}
			out, unknown := stringElements(list.Elements())
			return out, false, unknown, diags
		},
		parse: func(_ input, text string) ([]string, error) { return strings.Fields(text), nil },
		form:  "the values separated by spaces",
		set:   set,
	}
}

// mapIn is a map of strings; its environment variable is form-encoded (a=1&b=2), strictly: a
// malformed pair is an error, never dropped.
func mapIn(set func(*resolved, map[string]string)) inputKind {
	v := []validator.Map{mapvalidator.KeysAre(stringvalidator.LengthAtLeast(1))}
	return kind[map[string]string]{
		ephemeralAttr: func(in input, d string) eschema.Attribute {
			return eschema.MapAttribute{Optional: true, Sensitive: in.sensitive, ElementType: types.StringType, MarkdownDescription: d, Validators: v}
		},
		dataSourceAttr: func(in input, d string) dschema.Attribute {
			return dschema.MapAttribute{Optional: true, Sensitive: in.sensitive, ElementType: types.StringType, MarkdownDescription: d, Validators: v}
		},
		read: func(ctx context.Context, config attributeReader, p path.Path) (map[string]string, bool, bool, diag.Diagnostics) {
			var m types.Map
			diags := config.GetAttribute(ctx, p, &m)
			if m.IsNull() || m.IsUnknown() {
				return nil, m.IsNull(), m.IsUnknown(), diags
			}
			out := map[string]string{}
			for k, e := range m.Elements() {
				s, ok := e.(types.String)
				if !ok || s.IsUnknown() {
					return nil, false, true, diags
				}
				out[k] = s.ValueString()
			}
			return out, false, false, diags
		},
		parse: func(_ input, text string) (map[string]string, error) { return parseForm(text) },
		form:  "form-encoded, like `a=1&b=2`",
		set:   set,
	}
}

// stringElements are a list's strings; unknown when one of them is.
func stringElements(elems []attr.Value) ([]string, bool) {
	out := make([]string, 0, len(elems))
	for _, e := range elems {
		s, ok := e.(types.String)
		if !ok || s.IsUnknown() {
			return nil, true
		}
		out = append(out, s.ValueString())
	}
	return out, false
}

// parseForm reads a=1&b=2 strictly: every pair must decode, and a key may appear once.
func parseForm(text string) (map[string]string, error) {
	out := map[string]string{}
	for pair := range strings.SplitSeq(text, "&") {
		k, v, _ := strings.Cut(pair, "=")
		key, errK := url.QueryUnescape(k)
		value, errV := url.QueryUnescape(v)
		switch {
		case errK != nil || errV != nil:
			// Not quoted: extra parameters may hold a secret.
			return nil, fmt.Errorf("is not form-encoded (a=1&b=2): a pair has an invalid %%-escape")
		case key == "":
			return nil, fmt.Errorf("is not form-encoded (a=1&b=2): a pair has no key")
		}
		if _, dup := out[key]; dup {
			return nil, fmt.Errorf("names the key %q twice", key)
		}
		out[key] = value
	}
	return out, nil
}

// parseBool reads a bool from the environment as the provider's settings always have
// (strconv.ParseBool: true, false, TRUE, 1, 0, ...); anything else, "yes" and " true" among
// them, is an error, never false.
func parseBool(text string) (bool, error) {
	b, err := strconv.ParseBool(text)
	if err != nil {
		return false, fmt.Errorf("must be true or false, not %q", text)
	}
	return b, nil
}

func (in input) stringValidators() []validator.String {
	v := append([]validator.String{notEmptyValidator{envVar: in.envVar}}, in.extra...)
	if in.isURL {
		v = append(v, tokenURLValidator{})
	}
	if len(in.oneOf) > 0 {
		v = append(v, stringvalidator.OneOf(in.oneOf...))
	}
	return v
}

func quoteAll(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, ", ")
}

// field is one attribute of an object input: a string, optionally one of a set of values.
type field struct {
	name, description string
	required          bool
	oneOf             []string
}

// objectIn is an object of string fields (subject_token_source = { type = ..., audience = ... });
// its environment variable is form-encoded like a map, with the fields' names as keys, strictly.
func objectIn(fields []field, set func(*resolved, map[string]string)) inputKind {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
	}
	ephemeralAttrs := func() map[string]eschema.Attribute {
		out := map[string]eschema.Attribute{}
		for _, f := range fields {
			out[f.name] = eschema.StringAttribute{Required: f.required, Optional: !f.required, MarkdownDescription: f.description, Validators: f.validators()}
		}
		return out
	}
	dataSourceAttrs := func() map[string]dschema.Attribute {
		out := map[string]dschema.Attribute{}
		for _, f := range fields {
			out[f.name] = dschema.StringAttribute{Required: f.required, Optional: !f.required, MarkdownDescription: f.description, Validators: f.validators()}
		}
		return out
	}
	return kind[map[string]string]{
		ephemeralAttr: func(_ input, d string) eschema.Attribute {
			return eschema.SingleNestedAttribute{Optional: true, MarkdownDescription: d, Attributes: ephemeralAttrs()}
		},
		dataSourceAttr: func(_ input, d string) dschema.Attribute {
			return dschema.SingleNestedAttribute{Optional: true, MarkdownDescription: d, Attributes: dataSourceAttrs()}
		},
		read: func(ctx context.Context, config attributeReader, p path.Path) (map[string]string, bool, bool, diag.Diagnostics) {
			var obj types.Object
			diags := config.GetAttribute(ctx, p, &obj)
			if obj.IsNull() || obj.IsUnknown() {
				return nil, obj.IsNull(), obj.IsUnknown(), diags
			}
			out := map[string]string{}
			for k, v := range obj.Attributes() {
				s, ok := v.(types.String)
				switch {
				case !ok || s.IsUnknown():
					return nil, false, true, diags
				case !s.IsNull():
					out[k] = s.ValueString()
				}
			}
			return out, false, false, diags
		},
		parse: func(_ input, text string) (map[string]string, error) {
			m, err := parseForm(text)
			if err != nil {
				return nil, err
			}
			for _, f := range fields {
				switch v, ok := m[f.name]; {
				case !ok && f.required:
					return nil, fmt.Errorf("lacks %s (write it like %s=...&...)", f.name, f.name)
				case ok && len(f.oneOf) > 0 && !slices.Contains(f.oneOf, v):
					return nil, fmt.Errorf("has %s %q; it must be one of %s", f.name, v, quoteAll(f.oneOf))
				}
			}
			for k := range m {
				if !slices.Contains(names, k) {
					return nil, fmt.Errorf("has the key %q; the keys are %s", k, strings.Join(names, ", "))
				}
			}
			return m, nil
		},
		form: "form-encoded, like `" + names[0] + "=...&" + names[1] + "=...`",
		set:  set,
	}
}

func (f field) validators() []validator.String {
	v := []validator.String{stringvalidator.LengthAtLeast(1)}
	if len(f.oneOf) > 0 {
		v = append(v, stringvalidator.OneOf(f.oneOf...))
	}
	return v
}
