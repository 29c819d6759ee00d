package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
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
	found := map[string]bool{}
	for _, in := range t.inputs {
		if in.ephemeral && !ephemeral {
			continue
		}
		ok, d := in.kind.resolve(ctx, config, in, t.envVar(in), &r)
		found[in.name] = ok
		diags.Append(d...)
	}
	for _, group := range t.oneRequired {
		if !slices.ContainsFunc(group, func(name string) bool { return found[name] }) && !diags.HasError() {
			var envs []string
			for _, name := range group {
				envs = append(envs, t.envPrefix+"_"+strings.ToUpper(name))
			}
			diags.AddAttributeError(path.Root(group[0]), "Missing "+strings.Join(group, " or "), fmt.Sprintf(
				"%s needs %s. Set one of them in the block, or export %s.", t.name, strings.Join(group, " or "), strings.Join(envs, " or ")))
		}
	}
	return r, diags
}

// writeResult sets every output from the token, but those that are also inputs set in config:
// Terraform requires a configured value back as it was, and the result starts as the config.
func (t tokenType) writeResult(ctx context.Context, config attributeReader, result attributeWriter, token *grant.Token) (diags diag.Diagnostics) {
	for _, out := range t.outputs {
		if t.isInput(out.name) {
			var v attr.Value
			if diags.Append(config.GetAttribute(ctx, path.Root(out.name), &v)...); v != nil && !v.IsNull() {
				continue
			}
		}
		diags.Append(result.SetAttribute(ctx, path.Root(out.name), out.value(token))...)
	}
	return diags
}

// providerData is what the provider's Configure hands its resources and data sources.
type providerData struct {
	client      *grant.Client
	minValidity time.Duration // the provider's min_validity: the default of every block's
	// settingsErrors are the AUTHTOKEN_* environment's errors when no provider block sets anything:
	// the first token block reports them in full, the others refer to it.
	settingsErrors diag.Diagnostics
	reported       sync.Once
	slowHosts      sync.Map // hosts whose slow grant has been warned about: one warning per host
}

// settingsDiagnostics are what a token block reports when the provider's settings are unusable.
func (d *providerData) settingsDiagnostics() diag.Diagnostics {
	var diags diag.Diagnostics
	full := false
	d.reported.Do(func() { full = true })
	for _, e := range d.settingsErrors.Errors() {
		if full {
			diags.AddError(e.Summary()+" (provider setting)", e.Detail()+"\n\nThe variable configures the authtoken provider, "+
				"which has no provider block: fix or unset the variable.")
			continue
		}
		diags.AddError(e.Summary()+" (provider setting)", "The provider's settings from the AUTHTOKEN_* environment are "+
			"invalid; another token block's error says which and why.")
	}
	return diags
}

// fetch is the body of both Open and Read: resolve, grant, write. ctx gains masks for every
// secret before anything is logged. It returns the token, for Open's lease and renewal; a nil
// token with the diagnostics when it failed.
func (t tokenType) fetch(ctx context.Context, data *providerData, ephemeral bool, config attributeReader, result attributeWriter) (*grant.Token, diag.Diagnostics) {
	var diags diag.Diagnostics
	if data == nil {
		diags.AddError("Provider not configured",
			"The authtoken provider was not configured before "+t.name+" was used. This is a bug in the provider; please report it.")
		return nil, diags
	}
	if data.settingsErrors.HasError() {
		return nil, data.settingsDiagnostics()
	}
	r, diags := t.resolveRequest(ctx, config, ephemeral)
	if diags.HasError() {
		return nil, diags
	}
	// A token stored in state by a data source never serves an ephemeral resource, and the other
	// way round, even when their inputs are identical.
	r.ReuseGroup = "data source"
	if ephemeral {
		r.ReuseGroup = "ephemeral"
	}
	if !r.minValiditySet {
		r.MinValidity = data.minValidity
	}
	if mask := r.LogMask(); mask != nil {
		ctx = tflog.MaskLogRegexes(ctx, mask)
	}

	token, err := data.client.Grant(ctx, r.Request)
	if err != nil {
		diags.Append(t.grantErrorDiagnostic(err))
		return nil, diags
	}
	for _, c := range token.Caveats {
		diags.Append(t.caveatWarning(c))
	}
	if slow := token.Slow; slow != nil {
		if _, warned := data.slowHosts.LoadOrStore(slow.Host, true); !warned {
			diags.Append(t.slowGrantWarning(slow))
		}
	}
	ctx = tflog.MaskLogStrings(ctx, token.Secrets()...)
	tflog.Debug(ctx, "Token granted", map[string]any{
		"type": t.name, "token_type": token.TokenType, "expires_at": token.ExpiresAt, "scopes": token.Scopes,
	})
	diags.Append(t.writeResult(ctx, config, result, token)...)
	return token, diags
}

// resultsNotSet is the ValidateConfig of both kinds: a block that sets a result gets an error that
// names it, and, where the type takes that value as an input of another name (refresh_token's is
// current_refresh_token), the input to set. The framework adds its generic "read-only" error after
// this one; it cannot be left out, as it checks every computed-only attribute itself.
func (t tokenType) resultsNotSet(ctx context.Context, config attributeReader) (diags diag.Diagnostics) {
	for _, out := range t.outputs {
		var v attr.Value
		if t.isInput(out.name) {
			continue // an input too: set or not, the block may
		}
		if diags.Append(config.GetAttribute(ctx, path.Root(out.name), &v)...); v == nil || v.IsNull() {
			continue
		}
		detail := fmt.Sprintf("%s is a result of %s, which the provider sets from the server's answer; a block "+
			"cannot set it. Remove it from the block.", out.name, t.name)
		if current := "current_" + out.name; slices.ContainsFunc(t.inputs, func(in input) bool { return in.name == current }) {
			detail = fmt.Sprintf("%s is a result of %s: the %s the server returns, which may be a new one. To send "+
				"one with the request, set %s instead.", out.name, t.name, strings.ReplaceAll(out.name, "_", " "), current)
		}
		diags.AddAttributeError(path.Root(out.name), out.name+" is a result, not an input", detail)
	}
	return diags
}

// isInput reports whether the type has an input of that name.
func (t tokenType) isInput(name string) bool {
	return slices.ContainsFunc(t.inputs, func(in input) bool { return in.name == name })
}
