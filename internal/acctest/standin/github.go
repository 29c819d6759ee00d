package standin

import (
	"context"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/boolvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ = register(githubStandIn())

// githubStandIn is the stand-in of integrations/github: the provider block, the
// github_repository, github_repository_file, github_actions_variable and github_actions_secret
// resources and the github_repository, github_user and github_app_token data sources of release
// 6.13.0, the newest that the docs' `version = "~> 6.0"` admits.
//
// Schema source: https://registry.terraform.io/providers/integrations/github/6.13.0/docs
// ("Schema": every argument Optional; token is not Sensitive, so it takes an ephemeral value as
// any provider argument does; app_auth is a block of at most one whose id, installation_id and
// pem_file are Required and pem_file Sensitive), .../docs/resources/repository,
// .../docs/resources/repository_file, .../docs/resources/actions_variable,
// .../docs/resources/actions_secret, .../docs/data-sources/repository, .../docs/data-sources/user
// and .../docs/data-sources/app_token (its pem_file is not Sensitive; token is), checked against
// the schemas those pages are generated from, at tag v6.13.0 of
// github.com/integrations/terraform-provider-github: github/provider.go and
// github/{resource,data_source}_github_<type>.go.
//
// The real provider is built on the plugin SDK, so, as the SDK serves it: a "Block List, Max: 1"
// is a list block with a size validator here; an argument with a Default is Optional (not
// Computed); every type has the SDK's implicit id, Optional and Computed; a nested list that is
// only Computed (the data source's pages, template, repository_license) is an attribute of object
// type, not a block; and app_auth's arguments, Required with an environment variable default, are
// Required as long as that variable (GITHUB_APP_ID, ...) is unset, as it is here. The SDK's
// ValidateDiagFunc, ConflictsWith, RequiredWith and ExactlyOneOf checks, which run at validate,
// are validators here.
func githubStandIn() *Provider {
	optString := pschema.StringAttribute{Optional: true}
	optBool := pschema.BoolAttribute{Optional: true}
	atLeast0 := []validator.Int64{int64validator.AtLeast(0)}
	return &Provider{
		TypeName: "github", Source: "integrations/github", Version: "6.13.0",
		Docs: "https://registry.terraform.io/providers/integrations/github/6.13.0/docs",
		Probe: `data "github_user" "snippet_probe" {
  provider = %s
  username = "octocat"
}
`,
		ProviderSchema: pschema.Schema{
			Attributes: map[string]pschema.Attribute{
				"base_url":   optString,
				"cache_path": optString,
				"insecure": pschema.BoolAttribute{Optional: true,
					DeprecationMessage: "This argument is deprecated as it's currently not used and will be removed in the next major version."},
				"legacy_client": optBool,
				"max_per_page":  pschema.Int64Attribute{Optional: true, Validators: []validator.Int64{int64validator.AtLeast(1)}},
				"max_retries":   pschema.Int64Attribute{Optional: true, Validators: atLeast0},
				"organization": pschema.StringAttribute{Optional: true,
					DeprecationMessage: "This argument is deprecated and will be removed in a future major release; use `owner` instead."},
				"owner":             optString,
				"parallel_requests": optBool,
				"read_delay_ms":     pschema.Int64Attribute{Optional: true, Validators: atLeast0},
				"retry_delay_ms":    pschema.Int64Attribute{Optional: true, Validators: atLeast0},
				"retryable_errors":  pschema.ListAttribute{Optional: true, ElementType: types.Int64Type},
				"token":             optString, // not Sensitive in the real schema
				"write_delay_ms":    pschema.Int64Attribute{Optional: true, Validators: atLeast0},
			},
			Blocks: map[string]pschema.Block{
				// "app_auth (Block List, Max: 1)"
				"app_auth": pschema.ListNestedBlock{Validators: []validator.List{listvalidator.SizeAtMost(1)},
					NestedObject: pschema.NestedBlockObject{Attributes: map[string]pschema.Attribute{
						"id":              pschema.StringAttribute{Required: true},
						"installation_id": pschema.StringAttribute{Required: true},
						"pem_file":        pschema.StringAttribute{Required: true, Sensitive: true},
					}},
				},
			},
		},
		ResourceSchemas: map[string]rschema.Schema{
			"github_repository":       githubRepository(),
			"github_repository_file":  githubRepositoryFile(),
			"github_actions_variable": githubActionsVariable(),
			"github_actions_secret":   githubActionsSecret(),
		},
		DataSourceSchemas: map[string]dschema.Schema{
			"github_repository": githubRepositoryData(),
			"github_user":       githubUserData(),
			"github_app_token":  githubAppTokenData(),
		},
	}
}

// githubAtMostOne is the SDK's MaxItems: 1 of a list block.
var githubAtMostOne = []validator.List{listvalidator.SizeAtMost(1)}

// githubID is the SDK's implicit id of every resource and data source type.
var githubID = rschema.StringAttribute{Optional: true, Computed: true}

func githubRepository() rschema.Schema {
	optString := rschema.StringAttribute{Optional: true}
	optBool := rschema.BoolAttribute{Optional: true}
	optCompString := rschema.StringAttribute{Optional: true, Computed: true}
	computedString := rschema.StringAttribute{Computed: true}
	// security_and_analysis' blocks: each "Block List, Max: 1" with a Required status.
	status := func() rschema.Block {
		return rschema.ListNestedBlock{Validators: githubAtMostOne, NestedObject: rschema.NestedBlockObject{
			Attributes: map[string]rschema.Attribute{
				"status": rschema.StringAttribute{Required: true,
					Validators: []validator.String{stringvalidator.OneOf("enabled", "disabled")}},
			},
		}}
	}
	return rschema.Schema{
		Attributes: map[string]rschema.Attribute{
			"id": githubID,
			// Required
			"name": rschema.StringAttribute{Required: true, Validators: []validator.String{
				stringvalidator.RegexMatches(regexp.MustCompile(`^[-a-zA-Z0-9_.]{1,100}$`),
					"must include only alphanumeric characters, underscores or hyphens and consist of 100 characters or less"),
			}},
			// Optional
			"allow_auto_merge":       optBool,
			"allow_forking":          rschema.BoolAttribute{Optional: true, Computed: true},
			"allow_merge_commit":     optBool,
			"allow_rebase_merge":     optBool,
			"allow_squash_merge":     optBool,
			"allow_update_branch":    optBool,
			"archive_on_destroy":     optBool,
			"archived":               optBool,
			"auto_init":              optBool,
			"default_branch":         rschema.StringAttribute{Optional: true, Computed: true, DeprecationMessage: "Use the github_branch_default resource instead"},
			"delete_branch_on_merge": optBool,
			"description":            optString,
			"etag":                   optCompString,
			"fork":                   optCompString, // a string ("true"), as in the real schema
			"gitignore_template":     optString,
			"has_discussions":        optBool,
			"has_downloads": rschema.BoolAttribute{Optional: true,
				DeprecationMessage: "This attribute is no longer in use, but it hasn't been removed yet. It will be removed in a future version. See https://github.com/orgs/community/discussions/102145#discussioncomment-8351756"},
			"has_issues":   optBool,
			"has_projects": optBool,
			"has_wiki":     optBool,
			"homepage_url": optString,
			"ignore_vulnerability_alerts_during_read": rschema.BoolAttribute{Optional: true,
				DeprecationMessage: "This is ignored as the provider now handles lack of permissions automatically. This field will be removed in a future version."},
			"is_template":                 optBool,
			"license_template":            optString,
			"merge_commit_message":        optString,
			"merge_commit_title":          optString,
			"private":                     rschema.BoolAttribute{Optional: true, Computed: true, DeprecationMessage: "use visibility instead", Validators: []validator.Bool{boolvalidator.ConflictsWith(path.MatchRoot("visibility"))}},
			"source_owner":                optCompString,
			"source_repo":                 optCompString,
			"squash_merge_commit_message": optString,
			"squash_merge_commit_title":   optString,
			"topics": rschema.SetAttribute{Optional: true, Computed: true, ElementType: types.StringType,
				Validators: []validator.Set{setvalidator.ValueStringsAre(stringvalidator.RegexMatches(
					regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,49}$`),
					"must include only lowercase alphanumeric characters or hyphens and cannot start with a hyphen and consist of 50 characters or less"))}},
			"visibility": rschema.StringAttribute{Optional: true, Computed: true,
				Validators: []validator.String{stringvalidator.OneOf("public", "private", "internal")}},
			"vulnerability_alerts": rschema.BoolAttribute{Optional: true, Computed: true,
				DeprecationMessage: "Use the github_repository_vulnerability_alerts resource instead. This field will be removed in a future version."},
			"web_commit_signoff_required": rschema.BoolAttribute{Optional: true, Computed: true},
			// Read-Only
			"full_name":        computedString,
			"git_clone_url":    computedString,
			"html_url":         computedString,
			"http_clone_url":   computedString,
			"node_id":          computedString,
			"primary_language": computedString,
			"repo_id":          rschema.Int64Attribute{Computed: true},
			"ssh_clone_url":    computedString,
			"svn_url":          computedString,
		},
		Blocks: map[string]rschema.Block{
			"pages": rschema.ListNestedBlock{Validators: githubAtMostOne,
				DeprecationMessage: "Use the github_repository_pages resource instead. This field will be removed in a future version.",
				NestedObject: rschema.NestedBlockObject{
					Attributes: map[string]rschema.Attribute{
						"build_type": rschema.StringAttribute{Optional: true,
							Validators: []validator.String{stringvalidator.OneOf("legacy", "workflow")}},
						"cname":      optString,
						"custom_404": rschema.BoolAttribute{Computed: true},
						"html_url":   computedString,
						"status":     computedString,
						"url":        computedString,
					},
					Blocks: map[string]rschema.Block{
						"source": rschema.ListNestedBlock{Validators: githubAtMostOne, NestedObject: rschema.NestedBlockObject{
							Attributes: map[string]rschema.Attribute{
								"branch": rschema.StringAttribute{Required: true},
								"path":   optString,
							},
						}},
					},
				},
			},
			// Optional and Computed in the real schema, which the SDK serves as a block.
			"security_and_analysis": rschema.ListNestedBlock{Validators: githubAtMostOne, NestedObject: rschema.NestedBlockObject{
				Blocks: map[string]rschema.Block{
					"advanced_security":                     status(),
					"code_security":                         status(),
					"secret_scanning":                       status(),
					"secret_scanning_ai_detection":          status(),
					"secret_scanning_non_provider_patterns": status(),
					"secret_scanning_push_protection":       status(),
				},
			}},
			"template": rschema.ListNestedBlock{Validators: githubAtMostOne, NestedObject: rschema.NestedBlockObject{
				Attributes: map[string]rschema.Attribute{
					"include_all_branches": optBool,
					"owner":                rschema.StringAttribute{Required: true},
					"repository":           rschema.StringAttribute{Required: true},
				},
			}},
		},
	}
}

func githubRepositoryFile() rschema.Schema {
	computedString := rschema.StringAttribute{Computed: true}
	autocreate := path.MatchRoot("autocreate_branch")
	const autocreateDeprecated = "Use `github_branch` resource instead"
	return rschema.Schema{Attributes: map[string]rschema.Attribute{
		"id": githubID,
		// Required
		"content":    rschema.StringAttribute{Required: true},
		"file":       rschema.StringAttribute{Required: true},
		"repository": rschema.StringAttribute{Required: true},
		// Optional
		"autocreate_branch": rschema.BoolAttribute{Optional: true, DeprecationMessage: autocreateDeprecated},
		"autocreate_branch_source_branch": rschema.StringAttribute{Optional: true, DeprecationMessage: autocreateDeprecated,
			Validators: []validator.String{stringvalidator.AlsoRequires(autocreate)}},
		"autocreate_branch_source_sha": rschema.StringAttribute{Optional: true, Computed: true, DeprecationMessage: autocreateDeprecated,
			Validators: []validator.String{stringvalidator.AlsoRequires(autocreate)}},
		"branch": rschema.StringAttribute{Optional: true, Computed: true},
		// RequiredWith each other
		"commit_author": rschema.StringAttribute{Optional: true,
			Validators: []validator.String{stringvalidator.AlsoRequires(path.MatchRoot("commit_email"))}},
		"commit_email": rschema.StringAttribute{Optional: true,
			Validators: []validator.String{stringvalidator.AlsoRequires(path.MatchRoot("commit_author"))}},
		"commit_message":      rschema.StringAttribute{Optional: true, Computed: true},
		"overwrite_on_create": rschema.BoolAttribute{Optional: true},
		// Read-Only
		"commit_sha":    computedString,
		"ref":           computedString,
		"repository_id": rschema.Int64Attribute{Computed: true},
		"sha":           computedString,
	}}
}

func githubActionsVariable() rschema.Schema {
	return rschema.Schema{Attributes: map[string]rschema.Attribute{
		"id": githubID,
		// Required
		"repository":    rschema.StringAttribute{Required: true},
		"value":         rschema.StringAttribute{Required: true}, // not Sensitive
		"variable_name": rschema.StringAttribute{Required: true, Validators: []validator.String{githubSecretName{}}},
		// Read-Only
		"created_at":    rschema.StringAttribute{Computed: true},
		"repository_id": rschema.Int64Attribute{Computed: true},
		"updated_at":    rschema.StringAttribute{Computed: true},
	}}
}

func githubActionsSecret() rschema.Schema {
	// "ExactlyOneOf: value, value_encrypted, encrypted_value, plaintext_value": checked once, on value.
	exactlyOne := stringvalidator.ExactlyOneOf(path.MatchRoot("value_encrypted"), path.MatchRoot("encrypted_value"),
		path.MatchRoot("plaintext_value"))
	return rschema.Schema{Attributes: map[string]rschema.Attribute{
		"id": githubID,
		// Required
		"repository":  rschema.StringAttribute{Required: true},
		"secret_name": rschema.StringAttribute{Required: true, Validators: []validator.String{githubSecretName{}}},
		// Optional
		"destroy_on_drift": rschema.BoolAttribute{Optional: true,
			DeprecationMessage: "This is no longer required and will be removed in a future release. Drift detection is now always performed, and external changes will result in the secret being updated to match the Terraform configuration. If you want to ignore external changes, you can use the `lifecycle` block with `ignore_changes` on the `remote_updated_at` field."},
		"encrypted_value": rschema.StringAttribute{Optional: true, Sensitive: true, DeprecationMessage: "Use value_encrypted and key_id.",
			Validators: []validator.String{githubBase64{}}},
		"key_id": rschema.StringAttribute{Optional: true, Computed: true, Validators: []validator.String{
			stringvalidator.AlsoRequires(path.MatchRoot("value_encrypted")),
			stringvalidator.ConflictsWith(path.MatchRoot("value"), path.MatchRoot("plaintext_value")),
		}},
		"plaintext_value": rschema.StringAttribute{Optional: true, Sensitive: true, DeprecationMessage: "Use value."},
		"value":           rschema.StringAttribute{Optional: true, Sensitive: true, Validators: []validator.String{exactlyOne}},
		"value_encrypted": rschema.StringAttribute{Optional: true, Sensitive: true, Validators: []validator.String{githubBase64{}}},
		// Read-Only
		"created_at":        rschema.StringAttribute{Computed: true},
		"remote_updated_at": rschema.StringAttribute{Computed: true},
		"repository_id":     rschema.Int64Attribute{Computed: true},
		"updated_at":        rschema.StringAttribute{Computed: true},
	}}
}

func githubRepositoryData() dschema.Schema {
	computedString := dschema.StringAttribute{Computed: true}
	computedBool := dschema.BoolAttribute{Computed: true}
	stringSet := types.SetType{ElemType: types.StringType}
	attrs := map[string]dschema.Attribute{
		"id": dschema.StringAttribute{Optional: true, Computed: true},
		// Optional
		"description": dschema.StringAttribute{Optional: true},
		"full_name": dschema.StringAttribute{Optional: true, Computed: true,
			Validators: []validator.String{stringvalidator.ConflictsWith(path.MatchRoot("name"))}},
		"homepage_url": dschema.StringAttribute{Optional: true},
		"name": dschema.StringAttribute{Optional: true, Computed: true,
			Validators: []validator.String{stringvalidator.ConflictsWith(path.MatchRoot("full_name"))}},
		// Read-Only
		"has_downloads": dschema.BoolAttribute{Computed: true,
			DeprecationMessage: "This attribute is no longer in use, but it hasn't been removed yet. It will be removed in a future version. See https://github.com/orgs/community/discussions/102145#discussioncomment-8351756"},
		"repo_id": dschema.Int64Attribute{Computed: true},
		"topics":  dschema.ListAttribute{Computed: true, ElementType: types.StringType},
		"pages": dschema.ListAttribute{Computed: true,
			DeprecationMessage: "Use the github_repository_pages data source instead. This field will be removed in a future version.",
			ElementType: types.ObjectType{AttrTypes: map[string]attr.Type{
				"source": types.ListType{ElemType: types.ObjectType{AttrTypes: map[string]attr.Type{
					"branch": types.StringType,
					"path":   types.StringType,
				}}},
				"build_type": types.StringType,
				"cname":      types.StringType,
				"custom_404": types.BoolType,
				"html_url":   types.StringType,
				"status":     types.StringType,
				"url":        types.StringType,
			}}},
		"repository_license": dschema.ListAttribute{Computed: true, ElementType: types.ObjectType{AttrTypes: map[string]attr.Type{
			"content":      types.StringType,
			"download_url": types.StringType,
			"encoding":     types.StringType,
			"git_url":      types.StringType,
			"html_url":     types.StringType,
			"license": types.ListType{ElemType: types.ObjectType{AttrTypes: map[string]attr.Type{
				"body":           types.StringType,
				"conditions":     stringSet,
				"description":    types.StringType,
				"featured":       types.BoolType,
				"html_url":       types.StringType,
				"implementation": types.StringType,
				"key":            types.StringType,
				"limitations":    stringSet,
				"name":           types.StringType,
				"permissions":    stringSet,
				"spdx_id":        types.StringType,
				"url":            types.StringType,
			}}},
			"name": types.StringType,
			"path": types.StringType,
			"sha":  types.StringType,
			"size": types.Int64Type,
			"type": types.StringType,
			"url":  types.StringType,
		}}},
		"template": dschema.ListAttribute{Computed: true, ElementType: types.ObjectType{AttrTypes: map[string]attr.Type{
			"owner":      types.StringType,
			"repository": types.StringType,
		}}},
	}
	for _, name := range []string{"default_branch", "git_clone_url", "html_url", "http_clone_url",
		"merge_commit_message", "merge_commit_title", "node_id", "primary_language",
		"squash_merge_commit_message", "squash_merge_commit_title", "ssh_clone_url", "svn_url", "visibility"} {
		attrs[name] = computedString
	}
	for _, name := range []string{"allow_auto_merge", "allow_forking", "allow_merge_commit", "allow_rebase_merge",
		"allow_squash_merge", "allow_update_branch", "archived", "delete_branch_on_merge", "fork", "has_discussions",
		"has_issues", "has_projects", "has_wiki", "is_template", "private"} {
		attrs[name] = computedBool
	}
	return dschema.Schema{Attributes: attrs}
}

func githubUserData() dschema.Schema {
	attrs := map[string]dschema.Attribute{
		"id": dschema.StringAttribute{Optional: true, Computed: true},
		// Required: "" is the authenticated user
		"username": dschema.StringAttribute{Required: true},
		// Read-Only
		"gpg_keys":   dschema.ListAttribute{Computed: true, ElementType: types.StringType},
		"site_admin": dschema.BoolAttribute{Computed: true},
		"ssh_keys":   dschema.ListAttribute{Computed: true, ElementType: types.StringType},
	}
	for _, name := range []string{"avatar_url", "bio", "blog", "company", "created_at", "email", "gravatar_id",
		"location", "login", "name", "node_id", "suspended_at", "updated_at"} {
		attrs[name] = dschema.StringAttribute{Computed: true}
	}
	for _, name := range []string{"followers", "following", "public_gists", "public_repos"} {
		attrs[name] = dschema.Int64Attribute{Computed: true}
	}
	return dschema.Schema{Attributes: attrs}
}

func githubAppTokenData() dschema.Schema {
	return dschema.Schema{Attributes: map[string]dschema.Attribute{
		"id": dschema.StringAttribute{Optional: true, Computed: true},
		// Required
		"app_id":          dschema.StringAttribute{Required: true},
		"installation_id": dschema.StringAttribute{Required: true},
		"pem_file":        dschema.StringAttribute{Required: true}, // not Sensitive in the real schema
		// Read-Only
		"token": dschema.StringAttribute{Computed: true, Sensitive: true},
	}}
}

// githubSecretName is the real provider's validateSecretNameFunc, for secret_name and variable_name.
type githubSecretName struct{}

var githubSecretNameRegexp = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

func (githubSecretName) Description(context.Context) string {
	return "must contain only alphanumeric characters or underscores, not start with a number or GITHUB_"
}

func (v githubSecretName) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (githubSecretName) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	name := req.ConfigValue.ValueString()
	if !githubSecretNameRegexp.MatchString(name) {
		resp.Diagnostics.AddAttributeError(req.Path, "Error",
			"secret names can only contain alphanumeric characters or underscores and must not start with a number")
	}
	if strings.HasPrefix(strings.ToUpper(name), "GITHUB_") {
		resp.Diagnostics.AddAttributeError(req.Path, "Error", "secret names must not start with the GITHUB_ prefix")
	}
}

// githubBase64 is the plugin SDK's validation.StringIsBase64 (not empty, and base64), for the
// encrypted values.
type githubBase64 struct{}

func (githubBase64) Description(context.Context) string { return "value must be base64" }

func (v githubBase64) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (githubBase64) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	// The SDK's message quotes the value; this one does not, as the arguments are Sensitive.
	if v := req.ConfigValue.ValueString(); v == "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid value",
			fmt.Sprintf("expected %q not to be an empty string", req.Path))
	} else if _, err := base64.StdEncoding.DecodeString(v); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid value",
			fmt.Sprintf("expected %q to be a base64 string", req.Path))
	}
}
