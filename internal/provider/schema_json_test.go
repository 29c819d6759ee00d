package provider

import (
	"context"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/authtoken/terraform-provider-authtoken/internal/acctest"
)

// TestAccSchemaJSON: what `terraform providers schema -json` shows users and tools: both kinds of
// every type, its secrets sensitive, the ephemeral-only inputs only on the ephemeral resource, and
// the jwt_claims function.
func TestAccSchemaJSON(t *testing.T) {
	t.Parallel()
	tf := acctest.Terraform(t, "terraform {\n  required_providers {\n    authtoken = { source = \"authtoken/authtoken\" }\n  }\n}\n", nil)
	schemas, err := tf.ProvidersSchema(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p := schemas.Schemas["registry.terraform.io/authtoken/authtoken"]
	if p == nil { // OpenTofu's registry
		p = schemas.Schemas["registry.opentofu.org/authtoken/authtoken"]
	}
	if p == nil {
		t.Fatalf("no schema for authtoken/authtoken among %d providers", len(schemas.Schemas))
	}
	if _, ok := p.Functions["jwt_claims"]; !ok {
		t.Error("the jwt_claims function is not listed")
	}
	sensitive := map[string]bool{"access_token": true, "refresh_token": true, "client_secret": true, "password": true,
		"id_token": true, "private_key_pem": true, "current_refresh_token": true}
	for _, tt := range tokenTypes() {
		ephemeral, data := p.EphemeralResourceSchemas[tt.name], p.DataSourceSchemas[tt.name]
		if ephemeral == nil || data == nil {
			t.Errorf("%s: ephemeral %v, data source %v; want both", tt.name, ephemeral != nil, data != nil)
			continue
		}
		for kind, attrs := range map[string]map[string]bool{"ephemeral": attrSensitivity(ephemeral.Block.Attributes), "data source": attrSensitivity(data.Block.Attributes)} {
			for name, isSensitive := range attrs {
				if sensitive[name] && !isSensitive {
					t.Errorf("%s %s: %s is not sensitive", kind, tt.name, name)
				}
			}
			if _, ok := attrs["min_validity"]; !ok {
				t.Errorf("%s %s has no min_validity", kind, tt.name)
			}
		}
		for i := range tt.inputs {
			in := &tt.inputs[i]
			_, inData := data.Block.Attributes[in.name]
			if in.ephemeral == inData {
				t.Errorf("%s: %s is on the data source %v, want %v", tt.name, in.name, inData, !in.ephemeral)
			}
		}
	}
	if _, ok := p.EphemeralResourceSchemas["oauth2_token"].Block.Attributes["id_token"]; !ok {
		t.Error("oauth2_token has no id_token output")
	}
}

func attrSensitivity(attrs map[string]*tfjson.SchemaAttribute) map[string]bool {
	out := map[string]bool{}
	for name, a := range attrs {
		out[name] = a.Sensitive
	}
	return out
}
