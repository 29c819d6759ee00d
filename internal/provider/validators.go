package provider

import (
	"context"

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

// durationValidator checks a duration at plan time with the rule Configure and the environment fallback apply.
type durationValidator struct{}

var _ validator.String = durationValidator{}

func (durationValidator) Description(context.Context) string {
	return `must be a positive Go duration such as "30s" or "2m"`
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := parseTimeout(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+req.Path.String(), req.Path.String()+" "+err.Error())
	}
}
