package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
)

// tokenURLValidator rejects at plan time any token_url that grant.CheckTokenURL would refuse, so
// the configuration and the environment fallback share one rule.
type tokenURLValidator struct{}

var _ validator.String = tokenURLValidator{}

func (tokenURLValidator) Description(context.Context) string {
	return "must be an https URL, or http on a loopback host"
}

func (v tokenURLValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (tokenURLValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := grant.CheckTokenURL(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid token URL", req.Path.String()+": "+err.Error())
	}
}

// durationValidator checks a duration at plan time with the rule Configure and the environment
// fallback apply; allowZero also accepts "0s" (min_validity: no minimum).
type durationValidator struct{ allowZero bool }

var _ validator.String = durationValidator{}

func (v durationValidator) Description(context.Context) string {
	if v.allowZero {
		return `must be a Go duration such as "45m", or "0s"`
	}
	return `must be a positive Go duration such as "30s" or "2m"`
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := parseDuration(req.ConfigValue.ValueString(), v.allowZero); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+req.Path.String(), req.Path.String()+" "+err.Error())
	}
}

// notEmptyValidator rejects an empty string in an argument that may also come from an environment
// variable. An empty string is a value, so the variable would not apply: the message says to remove
// the argument instead. (A variable passed to the argument should default to null, not "".)
type notEmptyValidator struct {
	envVar string // the argument's environment variable, such as TENN_PASSWORD
}

var _ validator.String = notEmptyValidator{}

func (v notEmptyValidator) Description(context.Context) string {
	return "must not be empty; leave the argument out to use " + v.envVar
}

func (v notEmptyValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v notEmptyValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || req.ConfigValue.ValueString() != "" {
		return
	}
	name := req.Path.String()
	resp.Diagnostics.AddAttributeError(req.Path, "Empty "+name, fmt.Sprintf(
		"%s is empty. Remove the argument to use the %s environment variable, or set a value. When the value "+
			"comes from a Terraform variable, declare the variable with default = null rather than \"\": an unset "+
			"variable then leaves the argument out, and the environment variable applies.", name, v.envVar))
}

// conflictsWithValue rejects an argument in a block that sets another argument to one of values:
// a client_secret with client_auth = "none", say. Only what the configuration itself says is
// checked here; the environment's values are checked when the block runs.
type conflictsWithValue struct {
	other  string
	values []string
}

var _ validator.String = conflictsWithValue{}

func (v conflictsWithValue) Description(context.Context) string {
	return fmt.Sprintf("must not be set when %s is %s", v.other, strings.Join(v.values, " or "))
}

func (v conflictsWithValue) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v conflictsWithValue) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() {
		return
	}
	var other types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(v.other), &other)...)
	if other.IsNull() || other.IsUnknown() || !slices.Contains(v.values, other.ValueString()) {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+req.Path.String(), fmt.Sprintf(
		"%s must not be set when %s is %q: remove it from the block.", req.Path, v.other, other.ValueString()))
}
