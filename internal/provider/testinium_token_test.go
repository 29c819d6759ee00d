package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// Testinium reports token_type "bearer", issues a refresh token and names the token's jti.
var testiniumExpectations = expectations{tokenType: knownvalue.StringExact("bearer"), refresh: true, jti: true}

func TestAccTestiniumTokenEphemeral(t *testing.T) {
	t.Parallel()
	testEphemeral(t, testiniumToken, testiniumExpectations)
}

func TestAccTestiniumTokenDataSource(t *testing.T) {
	t.Parallel()
	testDataSource(t, testiniumToken, testiniumExpectations)
}

// TestAccTestiniumTokenDefaultClient: without client_id and client_secret anywhere, the request
// carries Testinium's documented public client, byte for byte as the docs' sample Basic header.
func TestAccTestiniumTokenDefaultClient(t *testing.T) {
	t.Parallel()
	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	accTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config: block("data", "testinium_token", "test", without(testiniumToken.testInputs(ts.URL), "client_id", "client_secret")),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.testinium_token.test", tfjsonpath.New("access_token"), issuedBy{srv}),
			},
		}},
	})
	if got := srv.LastRequest(tokenserver.Testinium).Header.Get("Authorization"); got !=
		"Basic dGVzdGluaXVtU3VpdGVUcnVzdGVkQ2xpZW50OnRlc3Rpbml1bVN1aXRlU2VjcmV0S2V5" {
		t.Error("Testinium's request did not carry the documented public client in its Basic header")
	}
}
