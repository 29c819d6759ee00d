package consumer

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ datasource.DataSourceWithConfigure = (*whoami)(nil)

// whoami is the data source consumer_whoami: it calls an endpoint with a token and keeps what the
// endpoint said.
type whoami struct{ defaults *defaults }

func newWhoami() datasource.DataSource { return &whoami{} }

type whoamiModel struct {
	Endpoint types.String `tfsdk:"endpoint"`
	Token    types.String `tfsdk:"token"`
	Status   types.Int64  `tfsdk:"status"`
	Sub      types.String `tfsdk:"sub"`
	API      types.String `tfsdk:"api"`
}

func (d *whoami) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_whoami"
}

func (d *whoami) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Calls endpoint with Authorization: Bearer <token>; a non-200 answer is an error.",
		Attributes: map[string]schema.Attribute{
			"endpoint": schema.StringAttribute{Optional: true, Description: "The URL to GET; defaults to the provider's endpoint."},
			"token": schema.StringAttribute{Optional: true, Sensitive: true,
				Description: "The bearer token; defaults to the provider's token. Without one, no Authorization header is sent."},
			"status": schema.Int64Attribute{Computed: true, Description: "The HTTP status of the answer: 200."},
			"sub":    schema.StringAttribute{Computed: true, Description: "Who the endpoint says the token belongs to."},
			"api":    schema.StringAttribute{Computed: true, Description: "Which API the endpoint says issued the token."},
		},
	}
}

func (d *whoami) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	defs, err := defaultsFrom(req.ProviderData)
	if err != nil {
		resp.Diagnostics.AddError("Unexpected provider data", err.Error())
	}
	d.defaults = defs
}

func (d *whoami) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m whoamiModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var provider providerModel
	if d.defaults != nil {
		provider = d.defaults.providerModel
	}
	endpoint, token := orDefault(m.Endpoint, provider.Endpoint), orDefault(m.Token, provider.Token)
	if endpoint.IsUnknown() || token.IsUnknown() {
		resp.Diagnostics.AddError("Endpoint or token not known", "consumer_whoami needs its endpoint and token "+
			"(its own or the provider's) when it is read.")
		return
	}
	if endpoint.ValueString() == "" {
		resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "No endpoint",
			"Set endpoint on consumer_whoami or on the consumer provider.")
		return
	}
	answer, err := call(ctx, clientOf(d.defaults), endpoint.ValueString(), token.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("The endpoint refused the call", err.Error())
		return
	}
	m.Status = types.Int64Value(int64(answer.Status))
	m.Sub, m.API = types.StringValue(answer.Sub), types.StringValue(answer.API)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// orDefault is v unless it is null.
func orDefault(v, def types.String) types.String {
	if v.IsNull() {
		return def
	}
	return v
}
