package consumer

import (
	"context"
	"crypto/rand"
	"encoding/hex"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ resource.ResourceWithConfigure = (*callResource)(nil)

// callResource is the managed resource consumer_call: it takes its token through the write-only
// argument token_wo, which Terraform passes to the provider from the configuration only and never
// stores, and calls the endpoint at create and whenever token_wo_version or endpoint changes.
type callResource struct{ defaults *defaults }

func newCall() resource.Resource { return &callResource{} }

type callModel struct {
	Endpoint       types.String `tfsdk:"endpoint"`
	TokenWO        types.String `tfsdk:"token_wo"`
	TokenWOVersion types.Int64  `tfsdk:"token_wo_version"`
	ID             types.String `tfsdk:"id"`
	Status         types.Int64  `tfsdk:"status"`
	Sub            types.String `tfsdk:"sub"`
}

func (r *callResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_call"
}

func (r *callResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Calls endpoint with the write-only token_wo at create, and again when token_wo_version or endpoint changes.",
		Attributes: map[string]schema.Attribute{
			"endpoint": schema.StringAttribute{Required: true, Description: "The URL to GET."},
			"token_wo": schema.StringAttribute{Required: true, WriteOnly: true, Sensitive: true,
				Description: "The bearer token. Write-only (Terraform >= 1.11): never in plan or state."},
			"token_wo_version": schema.Int64Attribute{Optional: true,
				Description: "Change it to call the endpoint again with the current token_wo."},
			"id": schema.StringAttribute{Computed: true, Description: "A random id.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"status": schema.Int64Attribute{Computed: true, Description: "The HTTP status of the last call: 200."},
			"sub":    schema.StringAttribute{Computed: true, Description: "Who the endpoint said the token belongs to."},
		},
	}
}

func (r *callResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	defs, err := defaultsFrom(req.ProviderData)
	if err != nil {
		resp.Diagnostics.AddError("Unexpected provider data", err.Error())
	}
	r.defaults = defs
}

// callWith calls the plan's endpoint with the configuration's token_wo and fills the computed
// attributes of m.
func (r *callResource) callWith(ctx context.Context, config tfsdk.Config, m *callModel) diag.Diagnostics {
	var token types.String
	diags := config.GetAttribute(ctx, path.Root("token_wo"), &token)
	if diags.HasError() {
		return diags
	}
	answer, err := call(ctx, clientOf(r.defaults), m.Endpoint.ValueString(), token.ValueString())
	if err != nil {
		diags.AddError("The endpoint refused the call", err.Error())
		return diags
	}
	m.Status, m.Sub = types.Int64Value(int64(answer.Status)), types.StringValue(answer.Sub)
	m.TokenWO = types.StringNull() // write-only: never in state
	return diags
}

func (r *callResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m callModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if resp.Diagnostics.Append(r.callWith(ctx, req.Config, &m)...); resp.Diagnostics.HasError() {
		return
	}
	id := make([]byte, 8)
	_, _ = rand.Read(id)
	m.ID = types.StringValue(hex.EncodeToString(id))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Read keeps the state: the call happened at create or update.
func (r *callResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (r *callResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state callModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if plan.TokenWOVersion.Equal(state.TokenWOVersion) && plan.Endpoint.Equal(state.Endpoint) {
		plan.Status, plan.Sub = state.Status, state.Sub
	} else if resp.Diagnostics.Append(r.callWith(ctx, req.Config, &plan)...); resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete does nothing: a call cannot be undone.
func (r *callResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
