package standin

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ = register(helmStandIn())

// helmStandIn is the stand-in of hashicorp/helm: the provider block and the
// helm_release resource of release 3.1.2, the newest release, which `terraform init` installs for
// a configuration without a version constraint.
//
// Schema source: https://registry.terraform.io/providers/hashicorp/helm/3.1.2/docs ("Argument
// Reference": kubernetes, with its token, and registries), with the nesting that
// https://registry.terraform.io/providers/hashicorp/helm/3.1.2/docs/guides/v3-upgrade-guide gives
// for 3.x: kubernetes and experiments are single nested attributes (`kubernetes = { ... }`, no
// longer blocks), registries and helm_release's set, set_list and set_sensitive are lists of
// nested objects; and https://registry.terraform.io/providers/hashicorp/helm/3.1.2/docs/resources/release
// (repository_password and set_sensitive's value Sensitive; set_wo write-only, with
// set_wo_revision an ordinary argument).
func helmStandIn() *Provider {
	optString := pschema.StringAttribute{Optional: true}
	optBool := pschema.BoolAttribute{Optional: true}
	stringList := pschema.ListAttribute{Optional: true, ElementType: types.StringType}
	return &Provider{
		TypeName: "helm", Source: "hashicorp/helm", Version: "3.1.2",
		Docs: "https://registry.terraform.io/providers/hashicorp/helm/3.1.2/docs",
		Probe: `resource "helm_release" "snippet_probe" {
  provider = %s
  name     = "snippet-probe"
  chart    = "snippet-probe"
}
`,
		ProviderSchema: pschema.Schema{Attributes: map[string]pschema.Attribute{
			"debug":                  optBool,
			"plugins_path":           optString,
			"registry_config_path":   optString,
			"repository_config_path": optString,
			"repository_cache":       optString,
			// "Valid values are: configmap, secret, memory, sql."
			"helm_driver": pschema.StringAttribute{Optional: true,
				Validators: []validator.String{stringvalidator.OneOf("configmap", "secret", "memory", "sql")}},
			"burst_limit": pschema.Int64Attribute{Optional: true},
			"qps":         pschema.Float64Attribute{Optional: true},
			"kubernetes": pschema.SingleNestedAttribute{Optional: true, Attributes: map[string]pschema.Attribute{
				"config_path":              optString,
				"config_paths":             stringList,
				"host":                     optString,
				"username":                 optString,
				"password":                 optString,
				"token":                    optString,
				"insecure":                 optBool,
				"tls_server_name":          optString,
				"client_certificate":       optString,
				"client_key":               optString,
				"cluster_ca_certificate":   optString,
				"config_context":           optString,
				"config_context_auth_info": optString,
				"config_context_cluster":   optString,
				"proxy_url":                optString,
				"exec": pschema.SingleNestedAttribute{Optional: true, Attributes: map[string]pschema.Attribute{
					"api_version": pschema.StringAttribute{Required: true},
					"command":     pschema.StringAttribute{Required: true},
					"args":        stringList,
					"env":         pschema.MapAttribute{Optional: true, ElementType: types.StringType},
				}},
			}},
			"registries": pschema.ListNestedAttribute{Optional: true, NestedObject: pschema.NestedAttributeObject{
				Attributes: map[string]pschema.Attribute{
					"url":      pschema.StringAttribute{Required: true},
					"username": pschema.StringAttribute{Required: true},
					"password": pschema.StringAttribute{Required: true},
				},
			}},
			"experiments": pschema.SingleNestedAttribute{Optional: true, Attributes: map[string]pschema.Attribute{
				"manifest": optBool,
			}},
		}},
		ResourceSchemas: map[string]rschema.Schema{"helm_release": release()},
	}
}

func release() rschema.Schema {
	optString := rschema.StringAttribute{Optional: true}
	optBool := rschema.BoolAttribute{Optional: true}
	attrs := map[string]rschema.Attribute{
		// Required
		"chart": rschema.StringAttribute{Required: true},
		"name":  rschema.StringAttribute{Required: true},
		// Optional
		"description":          optString,
		"keyring":              optString,
		"max_history":          rschema.Int64Attribute{Optional: true},
		"namespace":            optString,
		"repository":           optString,
		"repository_ca_file":   optString,
		"repository_cert_file": optString,
		"repository_key_file":  optString,
		"repository_password":  rschema.StringAttribute{Optional: true, Sensitive: true},
		"repository_username":  optString,
		"timeout":              rschema.Int64Attribute{Optional: true},
		"values":               rschema.ListAttribute{Optional: true, ElementType: types.StringType},
		"version":              optString,
		"set": rschema.ListNestedAttribute{Optional: true, NestedObject: rschema.NestedAttributeObject{
			Attributes: map[string]rschema.Attribute{
				"name":  rschema.StringAttribute{Required: true},
				"value": optString,
				"type":  optString,
			},
		}},
		"set_list": rschema.ListNestedAttribute{Optional: true, NestedObject: rschema.NestedAttributeObject{
			Attributes: map[string]rschema.Attribute{
				"name":  rschema.StringAttribute{Required: true},
				"value": rschema.ListAttribute{Required: true, ElementType: types.StringType},
			},
		}},
		"set_sensitive": rschema.ListNestedAttribute{Optional: true, NestedObject: rschema.NestedAttributeObject{
			Attributes: map[string]rschema.Attribute{
				"name":  rschema.StringAttribute{Required: true},
				"value": rschema.StringAttribute{Required: true, Sensitive: true},
				"type":  optString,
			},
		}},
		"set_wo": rschema.ListNestedAttribute{Optional: true, WriteOnly: true, NestedObject: rschema.NestedAttributeObject{
			Attributes: map[string]rschema.Attribute{
				"name":  rschema.StringAttribute{Required: true, WriteOnly: true},
				"value": rschema.StringAttribute{Required: true, WriteOnly: true},
				"type":  rschema.StringAttribute{Optional: true, WriteOnly: true},
			},
		}},
		"set_wo_revision": rschema.Int64Attribute{Optional: true},
		"postrender": rschema.SingleNestedAttribute{Optional: true, Attributes: map[string]rschema.Attribute{
			"binary_path": rschema.StringAttribute{Required: true},
			"args":        rschema.ListAttribute{Optional: true, ElementType: types.StringType},
		}},
		// Read-Only
		"id":        rschema.StringAttribute{Computed: true},
		"manifest":  rschema.StringAttribute{Computed: true},
		"resources": rschema.MapAttribute{Computed: true, ElementType: types.StringType},
		"status":    rschema.StringAttribute{Computed: true},
		"metadata": rschema.SingleNestedAttribute{Computed: true, Attributes: map[string]rschema.Attribute{
			"app_version":    rschema.StringAttribute{Computed: true},
			"chart":          rschema.StringAttribute{Computed: true},
			"first_deployed": rschema.Int64Attribute{Computed: true},
			"last_deployed":  rschema.Int64Attribute{Computed: true},
			"name":           rschema.StringAttribute{Computed: true},
			"namespace":      rschema.StringAttribute{Computed: true},
			"notes":          rschema.StringAttribute{Computed: true},
			"revision":       rschema.Int64Attribute{Computed: true},
			"values":         rschema.StringAttribute{Computed: true},
			"version":        rschema.StringAttribute{Computed: true},
		}},
	}
	for _, name := range []string{"atomic", "cleanup_on_fail", "create_namespace", "dependency_update", "devel",
		"disable_crd_hooks", "disable_openapi_validation", "disable_webhooks", "force_update", "lint",
		"pass_credentials", "recreate_pods", "render_subchart_notes", "replace", "reset_values", "reuse_values",
		"skip_crds", "take_ownership", "upgrade_install", "verify", "wait", "wait_for_jobs"} {
		attrs[name] = optBool
	}
	return rschema.Schema{Attributes: attrs}
}
