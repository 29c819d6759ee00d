package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// tokenEphemeral serves a token type as an ephemeral resource: opened during plan and again
// during apply, never stored.
type tokenEphemeral struct {
	tokenType
	data *providerData
}

var (
	_ ephemeral.EphemeralResource                   = (*tokenEphemeral)(nil)
	_ ephemeral.EphemeralResourceWithConfigure      = (*tokenEphemeral)(nil)
	_ ephemeral.EphemeralResourceWithRenew          = (*tokenEphemeral)(nil)
	_ ephemeral.EphemeralResourceWithClose          = (*tokenEphemeral)(nil)
	_ ephemeral.EphemeralResourceWithValidateConfig = (*tokenEphemeral)(nil)
)

func newTokenEphemeral(t tokenType) func() ephemeral.EphemeralResource {
	return func() ephemeral.EphemeralResource { return &tokenEphemeral{tokenType: t} }
}

// Metadata sets the bare type name (DESIGN.md, "Bare type names").
func (e *tokenEphemeral) Metadata(_ context.Context, _ ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = e.name
}

func (e *tokenEphemeral) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = e.ephemeralSchema()
}

// ValidateConfig refuses a result set in the block, naming it (resultsNotSet).
func (e *tokenEphemeral) ValidateConfig(ctx context.Context, req ephemeral.ValidateConfigRequest, resp *ephemeral.ValidateConfigResponse) {
	resp.Diagnostics.Append(e.resultsNotSet(ctx, req.Config)...)
}

func (e *tokenEphemeral) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	e.data = dataFrom(req.ProviderData, &resp.Diagnostics)
}

// privateStateKey names the resource's private data: what Renew and Close need. It holds no secret:
// the token stays in the provider's memory, behind the lease.
const privateStateKey = "token"

type privateData struct {
	ExpiresAt time.Time `json:"expires_at"`
	Lease     string    `json:"lease,omitempty"` // set when the token is to be revoked at Close
}

func (e *tokenEphemeral) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	token, diags := e.fetch(ctx, e.data, true, req.Config, &resp.Result)
	resp.Diagnostics.Append(diags...)
	if token == nil || resp.Diagnostics.HasError() {
		return
	}
	p := privateData{ExpiresAt: token.ExpiresAt, Lease: token.Lease}
	if !token.ExpiresAt.IsZero() {
		resp.RenewAt = renewAt(time.Now(), token.ExpiresAt)
	}
	resp.Diagnostics.Append(setPrivate(ctx, resp.Private.SetKey, p)...)
}

// renewAt is a safety margin before expiry: a tenth of the time left, at least 30 s and at most
// 5 minutes, so the warning comes while there is still time to act on it.
func renewAt(now, expiresAt time.Time) time.Time {
	margin := min(max(expiresAt.Sub(now)/10, 30*time.Second), 5*time.Minute)
	return expiresAt.Add(-margin)
}

// Renew cannot hand out a new token (an ephemeral resource's result cannot change once opened),
// so it warns that the token is about to expire. Terraform calls it during a long apply;
// Terraform shows its warnings from 1.17 on, earlier versions drop them. min_validity is the
// safeguard; this is an extra.
func (e *tokenEphemeral) Renew(ctx context.Context, req ephemeral.RenewRequest, resp *ephemeral.RenewResponse) {
	var p privateData
	resp.Diagnostics.Append(getPrivate(ctx, req.Private.GetKey, &p)...)
	warning := e.expiryWarning(p.ExpiresAt)
	resp.Diagnostics.Append(warning)
	// Terraform up to 1.16 drops Renew's diagnostics: the log keeps the warning.
	tflog.Warn(ctx, warning.Summary(), map[string]any{"type": e.name, "detail": warning.Detail()})
	tflog.Debug(ctx, "Renew: the token cannot be replaced; warned", map[string]any{"type": e.name, "expires_at": p.ExpiresAt})
}

// expiryWarning is Renew's warning: the type, the expiry, what fails after it, and what to do.
// (Terraform names the block the warning belongs to.)
func (t tokenType) expiryWarning(expiresAt time.Time) diag.Diagnostic {
	at := expiresAt.UTC().Format(time.RFC3339)
	return diag.NewWarningDiagnostic(fmt.Sprintf("The %s token expires at %s", t.name, at),
		fmt.Sprintf("This %s block's %s token expires at %s, and the run is still using it. An ephemeral "+
			"resource cannot hand out a new token while in use, so anything configured with this one (a "+
			"provider, a provisioner) fails after that. Set min_validity to the longest apply you expect, so "+
			"that every apply starts with a token that outlives it.", t.name, t.api.Title, at))
}

// Close lets go of the token. With revoke_on_close, the last block holding a shared token revokes
// it; a failed revocation is a warning, never an error.
func (e *tokenEphemeral) Close(ctx context.Context, req ephemeral.CloseRequest, resp *ephemeral.CloseResponse) {
	var p privateData
	resp.Diagnostics.Append(getPrivate(ctx, req.Private.GetKey, &p)...)
	if p.Lease == "" || e.data == nil {
		return
	}
	revoked, err := e.data.client.Release(ctx, p.Lease)
	if err != nil {
		resp.Diagnostics.AddWarning(fmt.Sprintf("%s token not revoked", e.api.Title),
			"The token stays valid until it expires. Check revocation_url (or the issuer metadata's "+
				"revocation_endpoint), and that this client may revoke its tokens there.\n\n"+err.Error())
		return
	}
	tflog.Debug(ctx, "Token released", map[string]any{"type": e.name, "revoked": revoked})
}

func setPrivate(ctx context.Context, set func(context.Context, string, []byte) diag.Diagnostics, p privateData) diag.Diagnostics {
	b, err := json.Marshal(p)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Private data", err.Error())
		return diags
	}
	return set(ctx, privateStateKey, b)
}

func getPrivate(ctx context.Context, get func(context.Context, string) ([]byte, diag.Diagnostics), p *privateData) diag.Diagnostics {
	b, diags := get(ctx, privateStateKey)
	if len(b) > 0 {
		_ = json.Unmarshal(b, p) // our own JSON; a zero value only skips the revocation
	}
	return diags
}
