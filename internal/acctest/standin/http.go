package standin

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ = register(httpStandIn())

// httpStandIn is the stand-in of hashicorp/http: the provider block and the
// http data source of release 3.6.0, the newest that the docs' `version = "~> 3.4"` admits.
//
// Schema source: https://registry.terraform.io/providers/hashicorp/http/3.6.0/docs (no provider
// arguments) and https://registry.terraform.io/providers/hashicorp/http/3.6.0/docs/data-sources/http.
// No argument is Sensitive or WriteOnly there, so, like every data source argument, request_headers
// refuses an ephemeral value (Terraform: "Invalid use of ephemeral value").
func httpStandIn() *Provider {
	return &Provider{
		TypeName: "http", Source: "hashicorp/http", Version: "3.6.0",
		Docs: "https://registry.terraform.io/providers/hashicorp/http/3.6.0/docs/data-sources/http",
		Probe: `data "http" "snippet_probe" {
  provider = %s
  url      = "https://example.com"
}
`,
		ProviderSchema: pschema.Schema{}, // "This provider requires no configuration."
		DataSourceSchemas: map[string]dschema.Schema{
			"http": {
				Attributes: map[string]dschema.Attribute{
					// Required
					"url": dschema.StringAttribute{Required: true},
					// Optional
					"ca_cert_pem":     dschema.StringAttribute{Optional: true},
					"client_cert_pem": dschema.StringAttribute{Optional: true},
					"client_key_pem":  dschema.StringAttribute{Optional: true},
					"insecure":        dschema.BoolAttribute{Optional: true},
					// "Allowed methods are ... GET, HEAD, and POST."
					"method": dschema.StringAttribute{Optional: true,
						Validators: []validator.String{stringvalidator.OneOf("GET", "POST", "HEAD")}},
					"request_body":       dschema.StringAttribute{Optional: true},
					"request_headers":    dschema.MapAttribute{Optional: true, ElementType: types.StringType},
					"request_timeout_ms": dschema.Int64Attribute{Optional: true},
					// Read-Only
					"body": dschema.StringAttribute{Computed: true,
						DeprecationMessage: "Use response_body instead"},
					"id":                   dschema.StringAttribute{Computed: true},
					"response_body":        dschema.StringAttribute{Computed: true},
					"response_body_base64": dschema.StringAttribute{Computed: true},
					"response_headers":     dschema.MapAttribute{Computed: true, ElementType: types.StringType},
					"status_code":          dschema.Int64Attribute{Computed: true},
				},
				Blocks: map[string]dschema.Block{
					// "retry (Block, Optional)"
					"retry": dschema.SingleNestedBlock{
						Attributes: map[string]dschema.Attribute{
							"attempts":     dschema.Int64Attribute{Optional: true},
							"max_delay_ms": dschema.Int64Attribute{Optional: true},
							"min_delay_ms": dschema.Int64Attribute{Optional: true},
						},
					},
				},
			},
		},
	}
}
