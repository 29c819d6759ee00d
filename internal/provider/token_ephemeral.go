package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
)

// tokenEphemeral serves a token type as an ephemeral resource: opened during plan and again
// during apply, never stored.
type tokenEphemeral struct {
	tokenType
	client *grant.Client
}

var (
	_ ephemeral.EphemeralResource              = (*tokenEphemeral)(nil)
	_ ephemeral.EphemeralResourceWithConfigure = (*tokenEphemeral)(nil)
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

func (e *tokenEphemeral) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	e.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (e *tokenEphemeral) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	resp.Diagnostics.Append(e.fetch(ctx, e.client, ephemeralGroup, req.Config, &resp.Result)...)
}
