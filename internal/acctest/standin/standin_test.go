package standin_test

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/authtoken/terraform-provider-authtoken/internal/acctest/standin"
)

// TestStandInSchemas: every stand-in serves its schemas without a diagnostic, and the flags the
// docs rely on are those of the real provider's documentation.
func TestStandInSchemas(t *testing.T) {
	type flags struct{ required, sensitive, writeOnly bool }
	for _, tc := range []struct {
		p *standin.Provider
		// attribute flags by kind ("provider", "resource", "data"), type and attribute name
		want map[[3]string]flags
	}{
		{standIn(t, "http"), map[[3]string]flags{
			{"data", "http", "url"}:             {required: true},
			{"data", "http", "request_headers"}: {}, // an ordinary argument: it refuses ephemeral values
		}},
		{standIn(t, "kubernetes"), map[[3]string]flags{
			{"provider", "", "token"}: {}, // not Sensitive in the real schema either
			{"provider", "", "host"}:  {},
		}},
		{standIn(t, "restapi"), map[[3]string]flags{
			{"provider", "", "bearer_token"}:           {sensitive: true},
			{"provider", "", "headers"}:                {},
			{"resource", "restapi_object", "data"}:     {required: true},
			{"resource", "restapi_object", "path"}:     {required: true},
			{"data", "restapi_object", "search_value"}: {required: true},
		}},
		{standIn(t, "helm"), map[[3]string]flags{
			{"resource", "helm_release", "set_wo"}:              {writeOnly: true},
			{"resource", "helm_release", "set_wo_revision"}:     {},
			{"resource", "helm_release", "repository_password"}: {sensitive: true},
		}},
		{standIn(t, "github"), map[[3]string]flags{
			{"provider", "", "token"}:                                {}, // not Sensitive in the real schema either
			{"provider", "", "owner"}:                                {},
			{"resource", "github_repository", "name"}:                {required: true},
			{"resource", "github_repository_file", "content"}:        {required: true},
			{"resource", "github_actions_variable", "value"}:         {required: true},
			{"resource", "github_actions_secret", "plaintext_value"}: {sensitive: true},
			{"resource", "github_actions_secret", "encrypted_value"}: {sensitive: true},
			{"resource", "github_actions_secret", "secret_name"}:     {required: true},
			{"data", "github_repository", "full_name"}:               {},
			{"data", "github_user", "username"}:                      {required: true},
			{"data", "github_app_token", "pem_file"}:                 {required: true}, // not Sensitive
			{"data", "github_app_token", "token"}:                    {sensitive: true},
		}},
	} {
		t.Run(tc.p.Source, func(t *testing.T) {
			p := tc.p
			server, err := providerserver.NewProtocol6WithError(provider.Provider(p))()
			if err != nil {
				t.Fatal(err)
			}
			resp, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range resp.Diagnostics {
				t.Errorf("%s: %s: %s", d.Severity, d.Summary, d.Detail)
			}
			if len(resp.ResourceSchemas) != len(p.ResourceSchemas) || len(resp.DataSourceSchemas) != len(p.DataSourceSchemas) {
				t.Errorf("served %d resource and %d data source types, want %d and %d", len(resp.ResourceSchemas),
					len(resp.DataSourceSchemas), len(p.ResourceSchemas), len(p.DataSourceSchemas))
			}
			for key, want := range tc.want {
				var s *tfprotov6.Schema
				switch key[0] {
				case "provider":
					s = resp.Provider
				case "resource":
					s = resp.ResourceSchemas[key[1]]
				case "data":
					s = resp.DataSourceSchemas[key[1]]
				}
				if s == nil {
					t.Errorf("%s %s: no schema", key[0], key[1])
					continue
				}
				var got *flags
				for _, a := range s.Block.Attributes {
					if a.Name == key[2] {
						got = &flags{a.Required, a.Sensitive, a.WriteOnly}
					}
				}
				if got == nil {
					t.Errorf("%s %s: no attribute %s", key[0], key[1], key[2])
				} else if *got != want {
					t.Errorf("%s %s %s: flags %+v, want %+v", key[0], key[1], key[2], *got, want)
				}
			}
		})
	}
}

// standIn is the stand-in that terraform-provider-<name> serves.
func standIn(t *testing.T, name string) *standin.Provider {
	t.Helper()
	p, ok := standin.ForBinary("terraform-provider-" + name)
	if !ok {
		t.Fatalf("no stand-in for terraform-provider-%s", name)
	}
	return p
}

// TestForBinary: the one command picks its stand-in by the name it runs under, in the forms
// Terraform gives plugin binaries, and refuses other names.
func TestForBinary(t *testing.T) {
	for path, want := range map[string]string{
		"/tmp/x/terraform-provider-http":        "http",
		"terraform-provider-kubernetes_v3.2.1":  "kubernetes",
		"terraform-provider-restapi_v3.0.0.exe": "restapi",
		"terraform-provider-helm":               "helm",
		"terraform-provider-github_v6.13.0":     "github",
		"terraform-provider-standin":            "",
		"/tmp/x/terraform-provider-":            "",
		"helm":                                  "",
	} {
		got := ""
		if p, ok := standin.ForBinary(path); ok {
			got = p.TypeName
		}
		if got != want {
			t.Errorf("ForBinary(%q) = %q, want %q", path, got, want)
		}
	}
	if n := len(standin.All()); n != 5 {
		t.Errorf("%d stand-ins, want github, helm, http, kubernetes and restapi", n)
	}
	for _, p := range standin.All() {
		if p.Source == "" || p.Version == "" || p.Docs == "" || p.Probe == "" {
			t.Errorf("%s: Source %q, Version %q, Docs %q, Probe set %v", p.TypeName, p.Source, p.Version, p.Docs, p.Probe != "")
		}
	}
}
