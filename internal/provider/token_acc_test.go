package provider

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// Acceptance tests of what every token type does alike.

// TestAccEnvironmentFallbacks: every input can come from <API>_<ATTRIBUTE>, so a pipeline needs
// no secret in a .tf file. The blocks below are empty. The environment goes to terraform, and
// from it to the provider built for the test, so that the test need not set its own.
func TestAccEnvironmentFallbacks(t *testing.T) {
	t.Parallel()
	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	config := "terraform {\n  required_providers {\n    authtoken = { source = \"authtoken/authtoken\" }\n  }\n}\n"
	env := map[string]string{}
	for _, tt := range tokenTypes() {
		maps.Copy(env, tt.testEnv(ts.URL))
		config += block("ephemeral", tt.name, "env", nil, "provider = authtoken") +
			block("data", tt.name, "env", nil, "provider = authtoken")
	}
	r := newLeakRun(t, config, env)
	r.run("apply", true, func(ctx context.Context) error { return r.tf.Apply(ctx) })
	state := r.stateAttributes()
	for _, tt := range tokenTypes() {
		// The data source is read once; the ephemeral block's opens are the others.
		if n := srv.Requests(tt.server()); n < 2 {
			t.Errorf("%s: the server saw %d requests, want at least 2 (the ephemeral and the data source block)", tt.name, n)
		}
		attrs := state["data."+tt.name+".env"]
		if tok, _ := attrs["access_token"].(string); !slices.Contains(srv.Issued(), tok) {
			t.Errorf("data.%s.env: access_token is not a token the server issued (value withheld)", tt.name)
		}
		if attrs["client_secret"] != nil { // values from the environment stay out of state
			t.Errorf("data.%s.env: client_secret is in state (value withheld)", tt.name)
		}
	}
}

// TestAccMissingInput: a missing value names the attribute and the environment variable.
func TestAccMissingInput(t *testing.T) {
	t.Parallel()
	_, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	accTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		TerraformVersionChecks:   ephemeralOnly,
		Steps: []resource.TestStep{{
			Config:      block("ephemeral", "tenn_token", "test", without(tennToken.testInputs(ts.URL), "password")),
			ExpectError: regexp.MustCompile(`(?s)Missing password.*TENN_PASSWORD`),
		}},
	})
}

// TestAccInvalidInputs: validators reject empty strings (naming the environment variable to use
// instead) and unsafe URLs at plan, naming the attribute.
func TestAccInvalidInputs(t *testing.T) {
	t.Parallel()
	_, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	inputs := partnerToken.testInputs(ts.URL)
	for name, tc := range map[string]struct {
		inputs map[string]string
		want   string
	}{
		"empty client_id":    {with(inputs, "client_id", ""), `(?s)Empty client_id.*client_id is empty.*PARTNER_CLIENT_ID`},
		"http to remote":     {with(inputs, "token_url", "http://auth.example.com/api/oauth/token"), `(?s)Invalid token URL.*clear text`},
		"not a URL":          {with(inputs, "token_url", "auth.example.com"), `(?s)Invalid token URL.*absolute URL`},
		"credentials in URL": {with(inputs, "token_url", "https://u:p@auth.example.com/x"), `(?s)Invalid token URL.*must not hold credentials`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			accTest(t, resource.TestCase{
				ProtoV6ProviderFactories: factories(),
				TerraformVersionChecks:   ephemeralOnly,
				Steps: []resource.TestStep{{
					Config:      block("ephemeral", "partner_token", "test", tc.inputs),
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// TestAccProviderArgumentUsage: the other documented way to use unprefixed type names, with
// `provider = authtoken` in the block instead of a local name after the prefix.
func TestAccProviderArgumentUsage(t *testing.T) {
	t.Parallel()
	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	inputs := tennToken.testInputs(ts.URL)
	accTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		TerraformVersionChecks:   ephemeralOnly,
		Steps: []resource.TestStep{{
			Config: `
terraform {
  required_providers {
    authtoken = { source = "hashicorp/authtoken" }
  }
}
` + block("ephemeral", "tenn_token", "test", inputs, "provider = authtoken") +
				block("data", "tenn_token", "test", inputs, "provider = authtoken") + echoConfig("tenn_token", "test"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.test", echoData("access_token"), issuedBy{srv}),
				statecheck.ExpectKnownValue("data.tenn_token.test", tfjsonpath.New("access_token"), issuedBy{srv}),
			},
		}},
	})
}

// TestAccUnknownInputs: an input that is unknown at plan (from a resource not created yet)
// sends no request during plan, the plan succeeds, and apply gets the token.
func TestAccUnknownInputs(t *testing.T) {
	t.Parallel()
	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	inputs := with(tennToken.testInputs(ts.URL), "password", "=terraform_data.password.output")
	config := fmt.Sprintf("resource \"terraform_data\" \"password\" {\n  input = %q\n}\n", tokenserver.TennPassword) +
		block("ephemeral", "tenn_token", "test", inputs) + block("data", "tenn_token", "test", inputs) +
		echoConfig("tenn_token", "test")
	accTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		TerraformVersionChecks:   ephemeralOnly,
		Steps: []resource.TestStep{
			{Config: config, PlanOnly: true, ExpectNonEmptyPlan: true},
			{
				PreConfig: func() {
					if n := srv.Requests(tokenserver.Tenn); n != 0 {
						t.Errorf("plan with unknown inputs sent %d token requests, want 0", n)
					}
				},
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("echo.test", echoData("access_token"), issuedBy{srv}),
					statecheck.ExpectKnownValue("data.tenn_token.test", tfjsonpath.New("access_token"), issuedBy{srv}),
				},
			},
		},
	})
}

// TestAccBlockWinsOverEnvironment: a value in the block wins over the environment's: with the
// environment's wrong password the grant would fail (invalid_grant).
func TestAccBlockWinsOverEnvironment(t *testing.T) {
	t.Parallel()
	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	config := "terraform {\n  required_providers {\n    tenn = { source = \"authtoken/authtoken\" }\n  }\n}\n" +
		block("data", "tenn_token", "test", tennToken.testInputs(ts.URL))
	r := newLeakRun(t, config, map[string]string{"TENN_PASSWORD": "wrong-password-from-env"})
	r.run("apply", true, func(ctx context.Context) error { return r.tf.Apply(ctx) })
	if tok, _ := r.stateAttributes()["data.tenn_token.test"]["access_token"].(string); !slices.Contains(srv.Issued(), tok) {
		t.Error("data.tenn_token.test: access_token is not a token the server issued (value withheld)")
	}
}
