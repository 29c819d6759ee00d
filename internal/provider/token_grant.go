package provider

import (
	"context"
	"os"

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

// resolveRequest merges configuration, environment and defaults into a grant request.
func (t tokenType) resolveRequest(ctx context.Context, config attributeReader) (r grant.Request, diags diag.Diagnostics) {
	r.API = t.api
	for _, in := range t.inputs {
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
			value, from = os.Getenv(t.envVar(in)), t.envVar(in)
		}
		if value == "" {
			value, from = in.defaultValue, "default"
		}
		switch {
		case value == "" && in.required:
			diags.AddAttributeError(path.Root(in.name), "Missing "+in.name,
				"The "+t.name+" "+in.name+" has no value. Set "+in.name+" in the block, or export the "+
					t.envVar(in)+" environment variable.")
			continue
		case in.isURL && value != "":
			// The schema validator has checked configured values; this covers the environment.
			if err := grant.CheckTokenURL(value); err != nil {
				diags.AddAttributeError(path.Root(in.name), "Invalid token URL",
					in.name+" (from "+from+"): "+err.Error())
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

// Reuse groups: a token stored in state by a data source never serves an ephemeral resource,
// and the other way round, even when their inputs are identical.
const (
	ephemeralGroup  = "ephemeral"
	dataSourceGroup = "data source"
)

// fetch is the body of both Open and Read: resolve, grant, write. ctx gains masks for every
// secret before anything is logged.
func (t tokenType) fetch(ctx context.Context, client *grant.Client, group string, config attributeReader, result attributeWriter) (diags diag.Diagnostics) {
	if client == nil {
		diags.AddError("Provider not configured",
			"The authtoken provider was not configured before "+t.name+" was used. This is a bug in the provider; please report it.")
		return diags
	}
	r, diags := t.resolveRequest(ctx, config)
	if diags.HasError() {
		return diags
	}
	r.ReuseGroup = group
	if mask := r.LogMask(); mask != nil {
		ctx = tflog.MaskLogRegexes(ctx, mask)
	}

	token, err := client.Grant(ctx, r)
	if err != nil {
		diags.Append(t.grantErrorDiagnostic(err))
		return diags
	}
	ctx = tflog.MaskLogStrings(ctx, token.Secrets()...)
	tflog.Debug(ctx, "Token granted", map[string]any{
		"type": t.name, "token_type": token.TokenType, "expires_at": token.ExpiresAt, "scopes": token.Scopes,
	})
	return t.writeResult(ctx, result, token)
}
