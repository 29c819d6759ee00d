package provider

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// Acceptance tests of token lifetime: min_validity, Renew's warning, and jwt_claims.

// TestAccMinValidityTooLong: a server whose tokens live shorter than min_validity is an error at
// plan, on min_validity, naming both durations; the provider's min_validity is every block's
// default, and a block's own wins.
func TestAccMinValidityTooLong(t *testing.T) {
	t.Parallel()
	cfg := tokenserver.DefaultConfig()
	cfg.TokenLifetime = 15 * time.Minute
	_, ts := testsupport.TokenServer(t, cfg)
	for name, config := range map[string]string{
		"block":    block("ephemeral", "tenn_token", "test", with(tennToken.testInputs(ts.URL), "min_validity", "45m")),
		"provider": "provider \"tenn\" {\n  min_validity = \"45m\"\n}\n" + block("data", "tenn_token", "test", tennToken.testInputs(ts.URL)),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			accTest(t, resource.TestCase{
				ProtoV6ProviderFactories: factories(),
				TerraformVersionChecks:   ephemeralOnly,
				Steps: []resource.TestStep{{
					Config:      config,
					ExpectError: regexp.MustCompile(`(?s)Invalid min_validity.*Tenn issues tokens valid for 15m0s, less than\s+min_validity\s+45m0s:\s+an\s+apply\s+longer\s+than\s+that\s+would\s+fail\s+midway`),
				}},
			})
		})
	}
	t.Run("a block's own wins", func(t *testing.T) {
		t.Parallel()
		srv, ts := testsupport.TokenServer(t, cfg)
		accTest(t, resource.TestCase{
			ProtoV6ProviderFactories: factories(),
			Steps: []resource.TestStep{{
				Config: "provider \"tenn\" {\n  min_validity = \"45m\"\n}\n" +
					block("data", "tenn_token", "test", with(tennToken.testInputs(ts.URL), "min_validity", "10m")),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.tenn_token.test", tfjsonpath.New("access_token"), issuedBy{srv}),
				},
			}},
		})
	})
}

// TestAccRenewDuringALongApply: a token that expires during an apply makes Terraform call Renew,
// which warns instead of failing (Terraform shows Renew's warnings from 1.17 on; earlier versions
// call Renew and drop them, so the provider logs the warning at WARN as well). The apply itself
// succeeds.
func TestAccRenewDuringALongApply(t *testing.T) {
	t.Parallel()
	cfg := tokenserver.DefaultConfig()
	cfg.TokenLifetime = 31 * time.Second // RenewAt: 30 s before expiry, so 1 s after the open
	_, ts := testsupport.TokenServer(t, cfg)
	config := "terraform {\n  required_providers {\n    tenn = { source = \"authtoken/authtoken\" }\n  }\n}\n" +
		block("ephemeral", "tenn_token", "test", nil) + `
resource "terraform_data" "long" {
  provisioner "local-exec" {
    command     = "sleep 10"
    environment = { TOKEN = ephemeral.tenn_token.test.access_token }
  }
}
`
	r := newLeakRun(t, config, tennToken.testEnv(ts.URL))
	r.run("apply", true, func(ctx context.Context) error { return r.tf.Apply(ctx) })
	log := r.outputs["apply log"]
	if !bytes.Contains(log, []byte("Renew: the token cannot be replaced; warned")) {
		t.Error("the trace log shows no Renew call during the 10 s apply of a token renewed 1 s after its open")
	}
	if !regexp.MustCompile(`\[WARN\]\s+provider\.terraform-provider-authtoken[^\n]*: The tenn_token token expires at `).Match(log) {
		t.Error("the log has no WARN line with Renew's warning")
	}
}

// TestAccJWTClaims: the function returns each API's token claims, and keeps the argument's marks:
// a data source's (sensitive) token gives a sensitive result, an ephemeral token an ephemeral one.
func TestAccJWTClaims(t *testing.T) {
	t.Parallel()
	_, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	inputs := partnerToken.testInputs(ts.URL)
	// terraform-plugin-testing serves in-process providers as hashicorp/<name>.
	config := "terraform {\n  required_providers {\n    authtoken = { source = \"hashicorp/authtoken\" }\n  }\n}\n" +
		block("data", "partner_token", "test", inputs, "provider = authtoken") +
		block("data", "tenn_token", "test", tennToken.testInputs(ts.URL), "provider = authtoken") +
		block("ephemeral", "partner_token", "test", inputs, "provider = authtoken")
	functions := []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)}
	accTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		TerraformVersionChecks:   functions,
		// The steps that fail come first: the test destroys with the last step's configuration.
		Steps: []resource.TestStep{
			{
				// Without sensitive = true, the output is refused: the result carries the mark.
				Config:      config + "output \"claims\" {\n  value = provider::authtoken::jwt_claims(data.partner_token.test.access_token)\n}\n",
				ExpectError: regexp.MustCompile(`Output refers to sensitive values`),
			},
			{
				// An ephemeral token gives an ephemeral result, which a root output refuses.
				Config:      config + "output \"claims\" {\n  value     = provider::authtoken::jwt_claims(ephemeral.partner_token.test.access_token)\n  sensitive = true\n}\n",
				ExpectError: regexp.MustCompile(`(?i)ephemeral value`),
			},
			{
				// Something that is not a JWT is an error on the argument that does not echo it.
				Config:      config + "output \"claims\" {\n  value = provider::authtoken::jwt_claims(\"not-a-jwt-secret-value\")\n}\n",
				ExpectError: regexp.MustCompile(`(?s)token is not a JWT`),
			},
			{
				Config: config + `
output "partner" {
  value     = provider::authtoken::jwt_claims(data.partner_token.test.access_token)
  sensitive = true
}
output "tenn_scopes" {
  value     = provider::authtoken::jwt_claims(data.tenn_token.test.access_token).scopes
  sensitive = true
}
`,
				ExpectNonEmptyPlan: true, // a data source's token is new on every run: that is its cost
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("partner", knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"scopes": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("bookings:create"), knownvalue.StringExact("bookings:delete")}),
						"exp":    knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$`)),
					})),
					statecheck.ExpectKnownOutputValue("tenn_scopes", knownvalue.ListSizeExact(len(strings.Fields(tokenserver.TennScopes)))),
				},
			},
		},
	})
}
