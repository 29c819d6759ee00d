package provider

import (
	"context"
	"os"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
)

// The flow both kinds share: configuration -> grant.Request -> grant.Client -> grant.Token -> result.

// attributeReader and attributeWriter are what tfsdk.Config, tfsdk.State and
// tfsdk.EphemeralResultData have in common.
type attributeReader interface {
	GetAttribute(ctx context.Context, p path.Path, target any) diag.Diagnostics
}

type attributeWriter interface {
	SetAttribute(ctx context.Context, p path.Path, val any) diag.Diagnostics
}

// resolveRequest merges configuration, environment and defaults into a grant request and the
// options of a block of the given kind.
func (t tokenType) resolveRequest(ctx context.Context, config attributeReader, ephemeral bool) (r resolved, diags diag.Diagnostics) {
	r.API = t.api
	for i := range t.inputs {
		in := &t.inputs[i]
		if in.ephemeral && !ephemeral {
			continue
		}
		text, null, unknown, d := in.shapeOrString().read(ctx, config, path.Root(in.name))
		diags.Append(d...)
		if unknown {
			// Terraform and OpenTofu defer a block whose configuration is not yet known to apply,
			// and never open or read it with unknown values; this guards that promise.
			diags.AddAttributeError(path.Root(in.name), "Value not known yet",
				in.name+" is unknown; "+t.name+" can only run once every input is known.")
			continue
		}
		value, from := text, "configuration"
		if null {
			value, from = os.Getenv(t.envVar(*in)), t.envVar(*in)
		}
		if value == "" {
			value, from = in.defaultValue, "default"
		}
		switch {
		case value == "" && in.required:
			diags.AddAttributeError(path.Root(in.name), "Missing "+in.name,
				"The "+t.name+" "+in.name+" has no value. Set "+in.name+" in the block, or export the "+
					t.envVar(*in)+" environment variable.")
			continue
		case in.isURL && value != "":
			// The schema validator has checked configured values; this covers the environment.
			if err := grant.CheckTokenURL(value); err != nil {
				diags.AddAttributeError(path.Root(in.name), "Invalid token URL",
					in.name+" (from "+from+"): "+err.Error())
				continue
			}
		case in.isDuration && value != "":
			if _, err := parseTimeout(value); err != nil {
				diags.AddAttributeError(path.Root(in.name), "Invalid "+in.name, in.name+" (from "+from+") "+err.Error())
				continue
			}
		}
		in.set(&r, value)
	}
	return r, diags
}

// writeResult sets every output from the token.
func (t tokenType) writeResult(ctx context.Context, result attributeWriter, token *grant.Token) (diags diag.Diagnostics) {
	for _, out := range t.outputs {
		diags.Append(result.SetAttribute(ctx, path.Root(out.name), out.value(token))...)
	}
	return diags
}

// providerData is what the provider's Configure hands its resources and data sources.
type providerData struct {
	client      *grant.Client
	minValidity time.Duration // the provider's min_validity: the default of every block's
}

// fetch is the body of both Open and Read: resolve, grant, write. ctx gains masks for every
// secret before anything is logged. It returns the token and what the block asked for, for Open's
// lease and renewal; a nil token with the diagnostics when it failed.
func (t tokenType) fetch(ctx context.Context, data *providerData, ephemeral bool, config attributeReader, result attributeWriter) (*grant.Token, resolved, diag.Diagnostics) {
	var diags diag.Diagnostics
	if data == nil {
		diags.AddError("Provider not configured",
			"The authtoken provider was not configured before "+t.name+" was used. This is a bug in the provider; please report it.")
		return nil, resolved{}, diags
	}
	r, diags := t.resolveRequest(ctx, config, ephemeral)
	if r.revokeOnClose && r.revocationURL == "" && r.Issuer == "" {
		diags.AddAttributeError(path.Root("revocation_url"), "Missing revocation_url",
			"revoke_on_close needs a revocation endpoint: set revocation_url (IdentityServer-style servers serve "+
				"/connect/revocation), or issuer, whose metadata names one. "+t.api.Title+"'s docs name none.")
	}
	if diags.HasError() {
		return nil, r, diags
	}
	// A token stored in state by a data source never serves an ephemeral resource, and the other
	// way round, even when their inputs are identical.
	r.ReuseGroup = "data source"
	if ephemeral {
		r.ReuseGroup = "ephemeral"
	}
	if r.MinValidity == 0 {
		r.MinValidity = data.minValidity
	}
	if mask := r.LogMask(); mask != nil {
		ctx = tflog.MaskLogRegexes(ctx, mask)
	}

	token, err := data.client.Grant(ctx, r.Request)
	if err != nil {
		diags.Append(t.grantErrorDiagnostic(err))
		return nil, r, diags
	}
	ctx = tflog.MaskLogStrings(ctx, token.Secrets()...)
	tflog.Debug(ctx, "Token granted", map[string]any{
		"type": t.name, "token_type": token.TokenType, "expires_at": token.ExpiresAt, "scopes": token.Scopes,
	})
	diags.Append(t.writeResult(ctx, result, token)...)
	return token, r, diags
}
