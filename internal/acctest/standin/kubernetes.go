package standin

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ = register(kubernetesStandIn())

// kubernetesStandIn is the stand-in of hashicorp/kubernetes: the provider
// block and the kubernetes_namespace_v1 resource of release 3.2.1, the newest that the docs'
// `version = ">= 2.36"` admits.
//
// Schema source: https://registry.terraform.io/providers/hashicorp/kubernetes/3.2.1/docs
// ("Argument Reference": every argument Optional, none Sensitive, so token takes an ephemeral
// value as any provider argument does; exec is a block of at most one) and
// https://registry.terraform.io/providers/hashicorp/kubernetes/3.2.1/docs/resources/namespace_v1.
// The real provider is built on the plugin SDK, whose "Block List, Min: 1, Max: 1" is a list block
// with size validators here.
func kubernetesStandIn() *Provider {
	optString := pschema.StringAttribute{Optional: true}
	stringList := pschema.ListAttribute{Optional: true, ElementType: types.StringType}
	atMostOne := []validator.List{listvalidator.SizeAtMost(1)}
	return &Provider{
		TypeName: "kubernetes", Source: "hashicorp/kubernetes", Version: "3.2.1",
		Docs: "https://registry.terraform.io/providers/hashicorp/kubernetes/3.2.1/docs",
		Probe: `resource "kubernetes_namespace_v1" "snippet_probe" {
  provider = %s
  metadata {
    name = "snippet-probe"
  }
}
`,
		ProviderSchema: pschema.Schema{
			Attributes: map[string]pschema.Attribute{
				"host":                     optString,
				"username":                 optString,
				"password":                 optString,
				"insecure":                 pschema.BoolAttribute{Optional: true},
				"tls_server_name":          optString,
				"client_certificate":       optString,
				"client_key":               optString,
				"cluster_ca_certificate":   optString,
				"config_path":              optString,
				"config_paths":             stringList,
				"config_context":           optString,
				"config_context_auth_info": optString,
				"config_context_cluster":   optString,
				"token":                    optString,
				"proxy_url":                optString,
				"ignore_annotations":       stringList,
				"ignore_labels":            stringList,
			},
			Blocks: map[string]pschema.Block{
				"exec": pschema.ListNestedBlock{Validators: atMostOne, NestedObject: pschema.NestedBlockObject{
					Attributes: map[string]pschema.Attribute{
						"api_version": pschema.StringAttribute{Required: true},
						"command":     pschema.StringAttribute{Required: true},
						"args":        stringList,
						"env":         pschema.MapAttribute{Optional: true, ElementType: types.StringType},
					},
				}},
				// In the real schema though not in the argument list: deprecated, without effect.
				"experiments": pschema.ListNestedBlock{Validators: atMostOne, NestedObject: pschema.NestedBlockObject{
					Attributes: map[string]pschema.Attribute{
						"manifest_resource": pschema.BoolAttribute{Optional: true,
							DeprecationMessage: "The kubernetes_manifest resource is now permanently enabled and no longer considered an experiment. This flag has no effect and will be removed in the near future."},
					},
				}},
			},
		},
		ResourceSchemas: map[string]rschema.Schema{
			"kubernetes_namespace_v1": {
				Attributes: map[string]rschema.Attribute{
					"id":                               rschema.StringAttribute{Computed: true},
					"wait_for_default_service_account": rschema.BoolAttribute{Optional: true},
				},
				Blocks: map[string]rschema.Block{
					// "metadata (Block List, Min: 1, Max: 1)"
					"metadata": rschema.ListNestedBlock{
						Validators: []validator.List{listvalidator.IsRequired(), listvalidator.SizeBetween(1, 1)},
						NestedObject: rschema.NestedBlockObject{Attributes: map[string]rschema.Attribute{
							"annotations":      rschema.MapAttribute{Optional: true, ElementType: types.StringType},
							"generate_name":    rschema.StringAttribute{Optional: true},
							"labels":           rschema.MapAttribute{Optional: true, ElementType: types.StringType},
							"name":             rschema.StringAttribute{Optional: true, Computed: true},
							"generation":       rschema.Int64Attribute{Computed: true},
							"resource_version": rschema.StringAttribute{Computed: true},
							"uid":              rschema.StringAttribute{Computed: true},
						}},
					},
					"timeouts": rschema.SingleNestedBlock{Attributes: map[string]rschema.Attribute{
						"delete": rschema.StringAttribute{Optional: true},
					}},
				},
			},
		},
	}
}
