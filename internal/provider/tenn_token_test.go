package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"

	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// Tenn sends no token_type and no refresh token; its expiry comes from the JWT's exp claim, which
// resultChecks checks through expires_at and expires_in.
var tennExpectations = expectations{tokenType: knownvalue.Null()}

func TestAccTennTokenEphemeral(t *testing.T) {
	t.Parallel()
	testEphemeral(t, tennToken, tennExpectations)
}
func TestAccTennTokenDataSource(t *testing.T) {
	t.Parallel()
	testDataSource(t, tennToken, tennExpectations)
}

// TestAccTennTokenWrongPassword: the diagnostic names invalid_grant and the fix, and costs exactly
// one request: retrying a rejected login would lock the account.
func TestAccTennTokenWrongPassword(t *testing.T) {
	t.Parallel()
	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	accTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		TerraformVersionChecks:   ephemeralOnly,
		Steps: []resource.TestStep{{
			Config:      block("ephemeral", "tenn_token", "test", with(tennToken.testInputs(ts.URL), "password", "wrong-password")),
			ExpectError: regexp.MustCompile(`(?s)Tenn token request failed: HTTP 400 invalid_grant.*Check username and\s+password`),
		}},
	})
	if n := srv.Requests(tokenserver.Tenn); n != 1 {
		t.Errorf("a wrong password cost %d requests, want exactly 1", n)
	}
}
