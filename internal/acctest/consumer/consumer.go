// Package consumer is a Terraform provider for tests only: it consumes a token the way a real
// provider would, by calling an HTTP endpoint with "Authorization: Bearer <token>", so that
// acceptance tests can prove which token reached a consumer. The token server's protected
// resource endpoints (internal/tokenserver, protected.go) tell who the token belongs to.
//
// The provider "consumer" takes a default token and endpoint; the data source consumer_whoami
// calls the endpoint during plan or apply; the managed resource consumer_call takes its token
// through the write-only argument token_wo (Terraform >= 1.11) and calls at create and update.
//
// Tests serve it in-process with New and providerserver.NewProtocol6WithError, or build
// ./cmd/terraform-provider-consumer for dev_overrides. No production binary may link it.
package consumer

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// TypeName is the provider's name in Terraform.
const TypeName = "consumer"

// Address is the provider's source address for dev_overrides: a host of its own, so the same
// address works on Terraform and OpenTofu.
const Address = "example.test/test/consumer"

var _ provider.Provider = (*consumerProvider)(nil)

type consumerProvider struct{}

// New returns a new consumer provider.
func New() provider.Provider { return &consumerProvider{} }

type providerModel struct {
	Token    types.String `tfsdk:"token"`
	Endpoint types.String `tfsdk:"endpoint"`
}

// defaults is what the provider block hands its data sources and resources.
type defaults struct {
	providerModel
	client *http.Client
}

func (p *consumerProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = TypeName
}

func (p *consumerProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "A test provider that calls an HTTP endpoint with a bearer token, as a real consumer of a token would.",
		Attributes: map[string]schema.Attribute{
			"token": schema.StringAttribute{
				Optional: true, Sensitive: true,
				Description: "The bearer token data sources use when they name none.",
			},
			"endpoint": schema.StringAttribute{
				Optional:    true,
				Description: "The URL data sources call when they name none.",
			},
		},
	}
}

func (p *consumerProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	d := &defaults{providerModel: m, client: &http.Client{Timeout: 30 * time.Second}}
	resp.DataSourceData = d
	resp.ResourceData = d
}

func (p *consumerProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{newWhoami}
}

func (p *consumerProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{newCall}
}

// defaultsFrom is the Configure step the data source and the resource share.
func defaultsFrom(providerData any) (*defaults, error) {
	if providerData == nil { // not configured yet (validation)
		return nil, nil
	}
	d, ok := providerData.(*defaults)
	if !ok {
		return nil, fmt.Errorf("expected *consumer.defaults, got %T", providerData)
	}
	return d, nil
}

// clientOf is the provider's HTTP client, or a default one before the provider is configured.
func clientOf(d *defaults) *http.Client {
	if d == nil {
		return &http.Client{Timeout: 30 * time.Second}
	}
	return d.client
}
