package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
)

// tokenDataSource serves a token type as a data source, for consumers that cannot take ephemeral
// values. Its results, the token included, are stored in state, marked sensitive.
type tokenDataSource struct {
	tokenType
	data *providerData
}

var (
	_ datasource.DataSource                   = (*tokenDataSource)(nil)
	_ datasource.DataSourceWithConfigure      = (*tokenDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*tokenDataSource)(nil)
)

func newTokenDataSource(t tokenType) func() datasource.DataSource {
	return func() datasource.DataSource { return &tokenDataSource{tokenType: t} }
}

// Metadata sets the bare type name (DESIGN.md, "Bare type names").
func (d *tokenDataSource) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = d.name
}

func (d *tokenDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = d.dataSourceSchema()
}

// ValidateConfig refuses a result set in the block, naming it (resultsNotSet).
func (d *tokenDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	resp.Diagnostics.Append(d.resultsNotSet(ctx, req.Config)...)
}

func (d *tokenDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = dataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *tokenDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	_, diags := d.fetch(ctx, d.data, false, req.Config, &resp.State)
	resp.Diagnostics.Append(diags...)
}
