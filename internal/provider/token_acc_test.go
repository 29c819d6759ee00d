package provider_test

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

var (
	rfc3339UTC    = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$`)
	ephemeralOnly = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)}
)

// issuedBy checks that a value is a token the server issued, without ever printing it.
type issuedBy struct{ srv *tokenserver.Server }

func (c issuedBy) CheckValue(v any) error {
	s, ok := v.(string)
	if !ok || s == "" {
		return fmt.Errorf("want a non-empty string, got %T", v)
	}
	if !slices.Contains(c.srv.Issued(), s) {
		return errors.New("the value is not a token the test server issued (value withheld)")
	}
	return nil
}

func (c issuedBy) String() string { return "a token issued by the test server" }

// resultChecks are the checks every successful grant's outputs pass, at base (the echo
// resource's data, or the data source itself) in resource address.
func resultChecks(c apiCase, srv *tokenserver.Server, address string, base func(string) tfjsonpath.Path) []statecheck.StateCheck {
	tokenType := map[tokenserver.API]knownvalue.Check{
		tokenserver.Tenn:      knownvalue.Null(), // Tenn's response has no token_type
		tokenserver.Testinium: knownvalue.StringExact("bearer"),
		tokenserver.Partner:   knownvalue.StringExact("Bearer"),
	}[c.api]
	refresh := knownvalue.Check(knownvalue.Null())
	if c.refresh {
		refresh = issuedBy{srv}
	}
	checks := []statecheck.StateCheck{
		statecheck.ExpectKnownValue(address, base("access_token"), issuedBy{srv}),
		statecheck.ExpectKnownValue(address, base("refresh_token"), refresh),
		statecheck.ExpectKnownValue(address, base("token_type"), tokenType),
		statecheck.ExpectKnownValue(address, base("expires_at"), knownvalue.StringRegexp(rfc3339UTC)),
		statecheck.ExpectKnownValue(address, base("expires_in"), knownvalue.Int64Func(func(v int64) error {
			if v < 3500 || v > 3600 {
				return fmt.Errorf("expires_in %d, want about 3600", v)
			}
			return nil
		})),
		statecheck.ExpectKnownValue(address, base("scopes"), knownvalue.NotNull()),
	}
	if c.jti {
		checks = append(checks, statecheck.ExpectKnownValue(address, base("jti"), knownvalue.NotNull()))
	}
	return checks
}

func echoData(attr string) tfjsonpath.Path { return tfjsonpath.New("data").AtMapKey(attr) }

func testEphemeral(t *testing.T, typeName string) {
	srv, ts := tokenserver.Start(t, tokenserver.DefaultConfig())
	c := apiCases(ts.URL)[typeName]
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		TerraformVersionChecks:   ephemeralOnly,
		Steps: []resource.TestStep{{
			Config:            block("ephemeral", typeName, "test", c.inputs) + echoConfig(typeName, "test"),
			ConfigStateChecks: resultChecks(c, srv, "echo.test", echoData),
		}},
	})
	// The User-Agent names the provider and the Terraform version the framework reports.
	if ua := srv.LastRequest(c.api).Header.Get("User-Agent"); !userAgent.MatchString(ua) {
		t.Errorf("User-Agent %q, want terraform-provider-authtoken/<version> Terraform/<version>", ua)
	}
}

var userAgent = regexp.MustCompile(`^terraform-provider-authtoken/test Terraform/\d+\.\d+\.\d+`)

func testDataSource(t *testing.T, typeName string) {
	srv, ts := tokenserver.Start(t, tokenserver.DefaultConfig())
	c := apiCases(ts.URL)[typeName]
	address := "data." + typeName + ".test"
	checks := append(resultChecks(c, srv, address, tfjsonpath.New),
		statecheck.ExpectSensitiveValue(address, tfjsonpath.New("access_token")),
		statecheck.ExpectSensitiveValue(address, tfjsonpath.New("client_secret")))
	if c.refresh {
		checks = append(checks, statecheck.ExpectSensitiveValue(address, tfjsonpath.New("refresh_token")))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config:            block("data", typeName, "test", c.inputs),
			ConfigStateChecks: checks,
		}},
	})
}

func TestAccTennTokenEphemeral(t *testing.T)      { testEphemeral(t, "tenn_token") }
func TestAccTestiniumTokenEphemeral(t *testing.T) { testEphemeral(t, "testinium_token") }
func TestAccPartnerTokenEphemeral(t *testing.T)   { testEphemeral(t, "partner_token") }

func TestAccTennTokenDataSource(t *testing.T)      { testDataSource(t, "tenn_token") }
func TestAccTestiniumTokenDataSource(t *testing.T) { testDataSource(t, "testinium_token") }
func TestAccPartnerTokenDataSource(t *testing.T)   { testDataSource(t, "partner_token") }

// TestAccEnvironmentFallbacks: every input can come from <API>_<ATTRIBUTE>, so a pipeline needs
// no secret in a .tf file. The blocks below are empty.
func TestAccEnvironmentFallbacks(t *testing.T) {
	srv, ts := tokenserver.Start(t, tokenserver.DefaultConfig())
	config := ""
	for name, c := range apiCases(ts.URL) {
		for attr, v := range c.inputs {
			t.Setenv(c.env+"_"+strings.ToUpper(attr), v)
		}
		config += block("ephemeral", name, "env", nil) + block("data", name, "env", nil)
	}
	config += echoConfig("partner_token", "env")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		TerraformVersionChecks:   ephemeralOnly,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.tenn_token.env", tfjsonpath.New("access_token"), issuedBy{srv}),
				statecheck.ExpectKnownValue("data.testinium_token.env", tfjsonpath.New("access_token"), issuedBy{srv}),
				statecheck.ExpectKnownValue("data.partner_token.env", tfjsonpath.New("access_token"), issuedBy{srv}),
				statecheck.ExpectKnownValue("echo.test", echoData("access_token"), issuedBy{srv}),
				// Values from the environment stay out of state.
				statecheck.ExpectKnownValue("data.tenn_token.env", tfjsonpath.New("password"), knownvalue.Null()),
			},
		}},
	})
}

// TestAccMissingInput: a missing value names the attribute and the environment variable.
func TestAccMissingInput(t *testing.T) {
	_, ts := tokenserver.Start(t, tokenserver.DefaultConfig())
	c := apiCases(ts.URL)["tenn_token"]
	t.Setenv("TENN_PASSWORD", "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		TerraformVersionChecks:   ephemeralOnly,
		Steps: []resource.TestStep{{
			Config:      block("ephemeral", "tenn_token", "test", without(c.inputs, "password")),
			ExpectError: regexp.MustCompile(`(?s)Missing password.*TENN_PASSWORD`),
		}},
	})
}

// TestAccInvalidInputs: validators reject empty strings and unsafe URLs at plan, naming the attribute.
func TestAccInvalidInputs(t *testing.T) {
	_, ts := tokenserver.Start(t, tokenserver.DefaultConfig())
	c := apiCases(ts.URL)["partner_token"]
	for name, tc := range map[string]struct {
		inputs map[string]string
		want   string
	}{
		"empty client_id":    {inputs: map[string]string{"client_id": ""}, want: `(?s)client_id.*at least 1`},
		"http to remote":     {inputs: map[string]string{"token_url": "http://auth.example.com/api/oauth/token"}, want: `(?s)Invalid token URL.*clear text`},
		"not a URL":          {inputs: map[string]string{"token_url": "auth.example.com"}, want: `(?s)Invalid token URL.*absolute URL`},
		"credentials in URL": {inputs: map[string]string{"token_url": "https://u:p@auth.example.com/x"}, want: `(?s)Invalid token URL.*must not hold credentials`},
	} {
		t.Run(name, func(t *testing.T) {
			inputs := without(c.inputs)
			for k, v := range tc.inputs {
				inputs[k] = v
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: factories(),
				TerraformVersionChecks:   ephemeralOnly,
				Steps: []resource.TestStep{{
					Config:      block("ephemeral", "partner_token", "test", inputs),
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// TestAccProviderArgumentUsage: the other documented way to use unprefixed type names, with
// `provider = authtoken` in the block instead of a local name after the prefix.
func TestAccProviderArgumentUsage(t *testing.T) {
	srv, ts := tokenserver.Start(t, tokenserver.DefaultConfig())
	c := apiCases(ts.URL)["tenn_token"]
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		TerraformVersionChecks:   ephemeralOnly,
		Steps: []resource.TestStep{{
			Config: `
terraform {
  required_providers {
    authtoken = { source = "hashicorp/authtoken" }
  }
}
` + block("ephemeral", "tenn_token", "test", c.inputs, "provider = authtoken") +
				block("data", "tenn_token", "test", c.inputs, "provider = authtoken") + echoConfig("tenn_token", "test"),
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
	srv, ts := tokenserver.Start(t, tokenserver.DefaultConfig())
	c := apiCases(ts.URL)["tenn_token"]
	inputs := without(c.inputs)
	inputs["password"] = "=terraform_data.password.output"
	config := fmt.Sprintf("resource \"terraform_data\" \"password\" {\n  input = %q\n}\n", tokenserver.TennPassword) +
		block("ephemeral", "tenn_token", "test", inputs) + block("data", "tenn_token", "test", inputs) +
		echoConfig("tenn_token", "test")
	resource.Test(t, resource.TestCase{
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

// TestAccPrecedenceAndDefaults: a value in the block wins over the environment, and Testinium's
// client defaults to the documented public client (which the strict server checks in the
// Basic header).
func TestAccPrecedenceAndDefaults(t *testing.T) {
	srv, ts := tokenserver.Start(t, tokenserver.DefaultConfig())
	cases := apiCases(ts.URL)
	t.Setenv("TENN_PASSWORD", "wrong-password-from-env")
	t.Setenv("TESTINIUM_CLIENT_ID", "")
	t.Setenv("TESTINIUM_CLIENT_SECRET", "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config: block("data", "tenn_token", "test", cases["tenn_token"].inputs) +
				block("data", "testinium_token", "test", without(cases["testinium_token"].inputs, "client_id", "client_secret")),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.tenn_token.test", tfjsonpath.New("access_token"), issuedBy{srv}),
				statecheck.ExpectKnownValue("data.testinium_token.test", tfjsonpath.New("access_token"), issuedBy{srv}),
			},
		}},
	})
	if got := srv.LastRequest(tokenserver.Testinium).Header.Get("Authorization"); got !=
		"Basic dGVzdGluaXVtU3VpdGVUcnVzdGVkQ2xpZW50OnRlc3Rpbml1bVN1aXRlU2VjcmV0S2V5" {
		t.Error("Testinium's request did not carry the documented public client in its Basic header")
	}
}
