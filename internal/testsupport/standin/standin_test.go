package standin_test

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport/standin"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport/standin/helm"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport/standin/http"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport/standin/kubernetes"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport/standin/restapi"
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
		{http.New(), map[[3]string]flags{
			{"data", "http", "url"}:             {required: true},
			{"data", "http", "request_headers"}: {}, // an ordinary argument: it refuses ephemeral values
		}},
		{kubernetes.New(), map[[3]string]flags{
			{"provider", "", "token"}: {}, // not Sensitive in the real schema either
			{"provider", "", "host"}:  {},
		}},
		{restapi.New(), map[[3]string]flags{
			{"provider", "", "bearer_token"}:           {sensitive: true},
			{"provider", "", "headers"}:                {},
			{"resource", "restapi_object", "data"}:     {required: true},
			{"resource", "restapi_object", "path"}:     {required: true},
			{"data", "restapi_object", "search_value"}: {required: true},
		}},
		{helm.New(), map[[3]string]flags{
			{"resource", "helm_release", "set_wo"}:              {writeOnly: true},
			{"resource", "helm_release", "set_wo_revision"}:     {},
			{"resource", "helm_release", "repository_password"}: {sensitive: true},
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
