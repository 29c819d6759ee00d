package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"

	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// Partner reports token_type "Bearer" and issues no refresh token.
var partnerExpectations = expectations{tokenType: knownvalue.StringExact("Bearer")}

func TestAccPartnerTokenEphemeral(t *testing.T) {
	t.Parallel()
	testEphemeral(t, partnerToken, partnerExpectations)
}
func TestAccPartnerTokenDataSource(t *testing.T) {
	t.Parallel()
	testDataSource(t, partnerToken, partnerExpectations)
}

// TestAccPartnerTokenNeedsTokenURL: partner hosts are the user's own, so a missing token_url is
// an error at plan that names the attribute and the environment variable.
func TestAccPartnerTokenNeedsTokenURL(t *testing.T) {
	t.Parallel()
	_, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	accTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		TerraformVersionChecks:   ephemeralOnly,
		Steps: []resource.TestStep{{
			Config:      block("ephemeral", "partner_token", "test", without(partnerToken.testInputs(ts.URL), "token_url")),
			ExpectError: regexp.MustCompile(`(?s)Missing token_url.*PARTNER_TOKEN_URL`),
		}},
	})
}
