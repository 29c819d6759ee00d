package provider

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver/hostile"
)

// GitHub App tokens: the installation's permissions and selection, and its ID.
var githubAppExpectations = expectations{more: map[string]knownvalue.Check{
	"installation_id":      knownvalue.StringExact("1001"),
	"repository_selection": knownvalue.StringExact("selected"),
	"permissions": knownvalue.MapExact(map[string]knownvalue.Check{
		"contents": knownvalue.StringExact("write"), "issues": knownvalue.StringExact("write"),
		"metadata": knownvalue.StringExact("read"), "pull_requests": knownvalue.StringExact("write"),
	}),
}}

func TestAccGitHubAppTokenEphemeral(t *testing.T) {
	t.Parallel()
	testEphemeral(t, githubAppToken, githubAppExpectations)
}

func TestAccGitHubAppTokenDataSource(t *testing.T) {
	t.Parallel()
	testDataSource(t, githubAppToken, githubAppExpectations)
}

// TestAccGitHubAppTokenNarrowed: found by its owner and narrowed, the token is granted what was
// asked, and the outputs say so.
func TestAccGitHubAppTokenNarrowed(t *testing.T) {
	t.Parallel()
	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	inputs := with(with(without(githubAppToken.testInputs(ts.URL), "installation_id", "app_id"),
		"repositories", `=["infra", "docs"]`), "permissions", `={ contents = "read", issues = "write" }`)
	accTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		TerraformVersionChecks:   ephemeralOnly,
		Steps: []resource.TestStep{{
			Config: block("ephemeral", "github_app_token", "test", inputs) + echoConfig("github_app_token", "test"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.test", echoData("access_token"), issuedBy{srv}),
				statecheck.ExpectKnownValue("echo.test", echoData("repositories"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact("infra"), knownvalue.StringExact("docs")})),
				statecheck.ExpectKnownValue("echo.test", echoData("permissions"), knownvalue.MapExact(map[string]knownvalue.Check{
					"contents": knownvalue.StringExact("read"), "issues": knownvalue.StringExact("write")})),
				statecheck.ExpectKnownValue("echo.test", echoData("installation_id"), knownvalue.StringExact("1001")),
			},
		}},
	})
}

// TestAccGitHubAppTokenRefusals: GitHub's 401, 404 and 422 are final, and the diagnostic says
// which inputs to check.
func TestAccGitHubAppTokenRefusals(t *testing.T) {
	t.Parallel()
	_, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	inputs := githubAppToken.testInputs(ts.URL)
	for name, tc := range map[string]struct {
		inputs map[string]string
		want   string
	}{
		"401 another app": {with(without(inputs, "client_id"), "app_id", "777"),
			`(?s)GitHub App token request failed: HTTP 401.*Check app_id or client_id.*private_key_pem.*clock`},
		"404 not installed": {with(without(inputs, "installation_id"), "owner", "someone-else"),
			`(?s)HTTP 404.*Check installation_id, or owner and repositories.*not installed for the owner someone-else`},
		"422 permission": {with(inputs, "permissions", `={ contents = "admin" }`),
			`(?s)HTTP 422.*Check permissions.*read < write < admin`},
		"422 repository": {with(inputs, "repositories", `=["dotfiles"]`),
			`(?s)HTTP 422.*and repositories \(names without the owner.*the server says "There is at least one repository`},
		"bad repository name": {with(inputs, "repositories", `=["octo-org/infra"]`),
			`(?s)Invalid repositories.*names without the owner: "infra", not "octo-org/infra"`},
		"bad app_id": {with(without(inputs, "client_id"), "app_id", "Iv23li"),
			`(?s)Invalid app_id.*a client ID \(Iv23li...\) goes in the client ID`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			accTest(t, resource.TestCase{
				ProtoV6ProviderFactories: factories(),
				TerraformVersionChecks:   ephemeralOnly,
				Steps: []resource.TestStep{{
					Config:      block("ephemeral", "github_app_token", "test", tc.inputs),
					ExpectError: regexp.MustCompile(strings.ReplaceAll(tc.want, " ", `\s+`)), // terraform wraps lines
				}},
			})
		})
	}
}

// TestAccGitHubAppTokenNeedsAnInstallation: neither installation_id nor owner is an error at
// plan that names both and their environment variables.
func TestAccGitHubAppTokenNeedsAnInstallation(t *testing.T) {
	t.Parallel()
	_, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	accTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		TerraformVersionChecks:   ephemeralOnly,
		Steps: []resource.TestStep{{
			Config: block("ephemeral", "github_app_token", "test",
				without(githubAppToken.testInputs(ts.URL), "installation_id", "owner")),
			ExpectError: regexp.MustCompile(`(?s)Missing installation_id or owner.*GITHUB_APP_INSTALLATION_ID or GITHUB_APP_OWNER`),
		}},
	})

}

// TestAccGitHubAppTokenRateLimited: GitHub's secondary rate limit (a 403 with Retry-After) is
// waited out and retried; the plan then succeeds.
func TestAccGitHubAppTokenRateLimited(t *testing.T) {
	t.Parallel()
	srv, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
	srv.SetFault(tokenserver.GitHubApp, hostile.Fault{FailTimes: 1, FailWith: hostile.FailSecondaryRateLimit, RetryAfter: "1"})
	accTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config: block("data", "github_app_token", "test", githubAppToken.testInputs(ts.URL)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.github_app_token.test", tfjsonpath.New("access_token"), knownvalue.NotNull()),
			},
		}},
	})
	// The first read's first request was refused; the read still got a token, so it retried (the
	// test harness reads the data source again after apply).
	if n := srv.Requests(tokenserver.GitHubApp); n < 2 {
		t.Errorf("the token endpoint saw %d requests, want at least 2 (the rate-limited one and its retry)", n)
	}
}
