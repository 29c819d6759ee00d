package standin

import (
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ = register(restapiStandIn())

var stringType = types.StringType

func jsonArg(required bool) rschema.StringAttribute {
	return rschema.StringAttribute{Required: required, Optional: !required,
		Validators: []validator.String{JSONString()}}
}

// restapiStandIn is the stand-in of Mastercard/restapi: the provider block,
// the restapi_object resource and the restapi_object data source of release 3.0.0, the newest that
// the docs' `version = ">= 1.18"` admits.
//
// Schema source: https://registry.terraform.io/providers/Mastercard/restapi/3.0.0/docs (provider
// arguments: bearer_token and password are Sensitive; headers is an ordinary map, so, as in every
// provider block, it accepts ephemeral values),
// https://registry.terraform.io/providers/Mastercard/restapi/3.0.0/docs/resources/object and
// https://registry.terraform.io/providers/Mastercard/restapi/3.0.0/docs/data-sources/object.
// The JSON arguments (data, read_data, ...) are JSON strings there; JSONString checks them the same way.
func restapiStandIn() *Provider {
	optString := pschema.StringAttribute{Optional: true}
	optBool := pschema.BoolAttribute{Optional: true}
	rString := rschema.StringAttribute{Optional: true}
	return &Provider{
		TypeName: "restapi", Source: "Mastercard/restapi", Version: "3.0.0",
		Docs: "https://registry.terraform.io/providers/Mastercard/restapi/3.0.0/docs",
		Probe: `resource "restapi_object" "snippet_probe" {
  provider = %s
  path     = "/snippet-probe"
  data     = "{}"
}
`,
		ProviderSchema: pschema.Schema{
			Attributes: map[string]pschema.Attribute{
				"bearer_token":          pschema.StringAttribute{Optional: true, Sensitive: true},
				"cert_file":             optString,
				"cert_string":           optString,
				"copy_keys":             pschema.ListAttribute{Optional: true, ElementType: stringType},
				"create_method":         optString,
				"create_returns_object": optBool,
				"debug":                 optBool,
				"destroy_method":        optString,
				"headers":               pschema.MapAttribute{Optional: true, ElementType: stringType},
				"id_attribute":          optString,
				"insecure":              optBool,
				"key_file":              optString,
				"key_string":            optString,
				"password":              pschema.StringAttribute{Optional: true, Sensitive: true},
				"rate_limit":            pschema.Float64Attribute{Optional: true},
				"read_method":           optString,
				"root_ca_file":          optString,
				"root_ca_string":        optString,
				"test_path":             optString,
				"timeout":               pschema.Int64Attribute{Optional: true},
				"update_method":         optString,
				"uri":                   optString,
				"use_cookies":           optBool,
				"username":              optString,
				"write_returns_object":  optBool,
				"xssi_prefix":           optString,
			},
			Blocks: map[string]pschema.Block{
				"oauth_client_credentials": pschema.SingleNestedBlock{Attributes: map[string]pschema.Attribute{
					"endpoint_params":      pschema.MapAttribute{Optional: true, ElementType: stringType},
					"oauth_client_id":      optString,
					"oauth_client_secret":  optString,
					"oauth_scopes":         pschema.ListAttribute{Optional: true, ElementType: stringType},
					"oauth_token_endpoint": optString,
				}},
				"retries": pschema.SingleNestedBlock{Attributes: map[string]pschema.Attribute{
					"max_retries": pschema.Int64Attribute{Optional: true},
					"max_wait":    pschema.Int64Attribute{Optional: true},
					"min_wait":    pschema.Int64Attribute{Optional: true},
				}},
			},
		},
		ResourceSchemas: map[string]rschema.Schema{
			"restapi_object": {Attributes: map[string]rschema.Attribute{
				// Required
				"data": jsonArg(true),
				"path": rschema.StringAttribute{Required: true},
				// Optional
				"create_method":             rString,
				"create_path":               rString,
				"debug":                     rschema.BoolAttribute{Optional: true},
				"destroy_data":              jsonArg(false),
				"destroy_method":            rString,
				"destroy_path":              rString,
				"force_new":                 rschema.ListAttribute{Optional: true, ElementType: stringType},
				"id_attribute":              rString,
				"ignore_all_server_changes": rschema.BoolAttribute{Optional: true},
				"ignore_changes_to":         rschema.ListAttribute{Optional: true, ElementType: stringType},
				"ignore_server_additions":   rschema.BoolAttribute{Optional: true},
				"object_id":                 rString,
				"query_string":              rString,
				"read_data":                 jsonArg(false),
				"read_method":               rString,
				"read_path":                 rString,
				"read_search": rschema.SingleNestedAttribute{Optional: true, Attributes: map[string]rschema.Attribute{
					"search_key":   rschema.StringAttribute{Required: true},
					"search_value": rschema.StringAttribute{Required: true},
					"query_string": rString,
					"results_key":  rString,
					"search_data":  jsonArg(false),
					"search_patch": jsonArg(false),
				}},
				"update_data":   jsonArg(false),
				"update_method": rString,
				"update_path":   rString,
				// Read-Only
				"api_data":        rschema.MapAttribute{Computed: true, ElementType: stringType},
				"api_response":    rschema.StringAttribute{Computed: true},
				"create_response": rschema.StringAttribute{Computed: true},
				"id":              rschema.StringAttribute{Computed: true},
			}},
		},
		DataSourceSchemas: map[string]dschema.Schema{
			"restapi_object": {Attributes: map[string]dschema.Attribute{
				// Required
				"path":         dschema.StringAttribute{Required: true},
				"search_key":   dschema.StringAttribute{Required: true},
				"search_value": dschema.StringAttribute{Required: true},
				// Optional
				"debug":                   dschema.BoolAttribute{Optional: true},
				"id_attribute":            dschema.StringAttribute{Optional: true},
				"query_string":            dschema.StringAttribute{Optional: true},
				"read_query_string":       dschema.StringAttribute{Optional: true},
				"results_contains_object": dschema.BoolAttribute{Optional: true},
				"results_key":             dschema.StringAttribute{Optional: true},
				"search_data": dschema.StringAttribute{Optional: true,
					Validators: []validator.String{JSONString()}},
				"search_path": dschema.StringAttribute{Optional: true},
				// Read-Only
				"api_data":     dschema.MapAttribute{Computed: true, ElementType: stringType},
				"api_response": dschema.StringAttribute{Computed: true},
				"id":           dschema.StringAttribute{Computed: true},
			}},
		},
	}
}
