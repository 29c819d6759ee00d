// Package provider is the Terraform glue: the provider configuration and the ephemeral resource
// and data source of each token type, all thin layers over internal/grant.
package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
)

// TypeName is the provider's name in Terraform.
const TypeName = "authtoken"

var (
	_ provider.Provider                       = (*authtokenProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*authtokenProvider)(nil)
	_ provider.ProviderWithFunctions          = (*authtokenProvider)(nil)
)

type authtokenProvider struct {
	version string
}

// New returns the provider factory main.go serves.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &authtokenProvider{version: version} }
}

func (p *authtokenProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = TypeName
	resp.Version = p.version
}

func (p *authtokenProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: providerDescription(tokenTypes()),
		Attributes: map[string]schema.Attribute{
			"request_timeout": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "How long one token grant may take, retries included, as a Go duration " +
					"such as `30s` or `2m`. Defaults to `30s`. Environment: `AUTHTOKEN_REQUEST_TIMEOUT`.",
				Validators: []validator.String{durationValidator{}},
			},
			"max_retries": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "How many times a grant is retried after a connection error, a 429 or a 5xx " +
					"(not 501). Other 4xx answers, a wrong password among them, are never retried. Defaults to `3`. " +
					"Environment: `AUTHTOKEN_MAX_RETRIES`.",
				Validators: []validator.Int64{int64validator.Between(0, maxRetriesLimit)},
			},
			"ca_cert_pem": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "PEM-encoded CA certificates to trust in addition to the system's, for token " +
					"endpoints behind a private CA. TLS verification is always on. Environment: `AUTHTOKEN_CA_CERT_PEM`.",
				Validators: []validator.String{notEmptyValidator{envVar: settingEnvPrefix + "CA_CERT_PEM"}},
			},
			"proxy_url": schema.StringAttribute{
				Optional:  true,
				Sensitive: true, // proxy URLs often carry credentials
				MarkdownDescription: "The proxy for token requests, such as `http://proxy.example.com:3128`. " +
					"When unset, the standard `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` variables apply. " +
					"Environment: `AUTHTOKEN_PROXY_URL`.",
				Validators: []validator.String{notEmptyValidator{envVar: settingEnvPrefix + "PROXY_URL"}},
			},
			"min_validity": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "How long every token must stay valid from the moment it is handed out, as a Go " +
					"duration such as `45m`; a block's own `min_validity` wins. Set it to the longest apply you expect: " +
					"a reused token with less left is replaced, and a server whose tokens live shorter is an error at plan. " +
					"Unset, there is no minimum: a reused token only needs more than a tenth of its lifetime (at least 30 s) left. " +
					"`0s` is no minimum. Environment: `AUTHTOKEN_MIN_VALIDITY`.",
				Validators: []validator.String{durationValidator{allowZero: true}},
			},
			"reuse_tokens": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Whether identical token blocks (same API, URL, client, user, secrets and scope) " +
					"share one request within a plan or an apply, and reuse its token while it has more than " +
					"10% of its lifetime (at least 30 s) left. Defaults to `true`. Environment: `AUTHTOKEN_REUSE_TOKENS`.",
			},
		},
	}
}

// providerDescription names every type of the registry, so a new type is listed without an edit here.
func providerDescription(types []tokenType) string {
	var names []string
	for _, t := range types {
		names = append(names, fmt.Sprintf("`%s` (%s)", t.name, t.api.Title))
	}
	return "Runs token grants (OAuth 2.0, and GitHub App installation tokens) during plan and apply, and hands the tokens to the rest of the " +
		"configuration, marked sensitive. Each type is an ephemeral resource and a data source: " +
		strings.Join(names, ", ") + ". Every setting is optional."
}

func (p *authtokenProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var model providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var settings diag.Diagnostics
	cfg, diags := model.clientConfig(grant.Config{
		UserAgent: fmt.Sprintf("terraform-provider-%s/%s Terraform/%s", TypeName, p.version, req.TerraformVersion),
		OnAttempt: logAttempt,
		MaskLog:   tflog.MaskLogRegexes,
	})
	settings.Append(diags...)
	minValidity, diags := model.minValidity()
	settings.Append(diags...)
	var client *grant.Client
	if !settings.HasError() {
		var err error
		if client, err = grant.NewClient(cfg); err != nil {
			settings.Append(clientErrorDiagnostic(err))
		}
	}
	if settings.HasError() && model.empty() {
		// No provider block sets anything, so every error comes from the AUTHTOKEN_* environment.
		// Reported here, Terraform would lead with "requires explicit configuration. Add a
		// provider block", which misleads; the token blocks report it instead.
		data := &providerData{settingsErrors: settings}
		resp.EphemeralResourceData, resp.DataSourceData = data, data
		return
	}
	resp.Diagnostics.Append(settings...)
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Debug(ctx, "Configured the authtoken provider", map[string]any{
		"request_timeout": cfg.Timeout.String(), "max_retries": cfg.MaxRetries, "reuse_tokens": cfg.ReuseTokens,
		"custom_ca": cfg.CACertPEM != "", "proxy_url_set": cfg.ProxyURL != "",
	})
	data := &providerData{client: client, minValidity: minValidity}
	resp.EphemeralResourceData = data
	resp.DataSourceData = data
}

func (p *authtokenProvider) Resources(context.Context) []func() resource.Resource { return nil }

func (p *authtokenProvider) Functions(context.Context) []func() function.Function {
	return []func() function.Function{func() function.Function { return jwtClaimsFunction{} }}
}

func (p *authtokenProvider) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	var out []func() ephemeral.EphemeralResource
	for _, t := range tokenTypes() {
		out = append(out, newTokenEphemeral(t))
	}
	return out
}

func (p *authtokenProvider) DataSources(context.Context) []func() datasource.DataSource {
	var out []func() datasource.DataSource
	for _, t := range tokenTypes() {
		out = append(out, newTokenDataSource(t))
	}
	return out
}

// dataFrom is the Configure step both kinds share.
func dataFrom(data any, diags *diag.Diagnostics) *providerData {
	if data == nil { // Terraform validates before the provider is configured
		return nil
	}
	d, ok := data.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; please report it.", data))
	}
	return d
}
