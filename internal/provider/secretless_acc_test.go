package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/acctest"
	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// Secretless pipelines through the terraform binary and the built provider, each run with its own
// environment (a CI job's), so the tests run in parallel. Every run's outputs are scanned for the
// job tokens and the platforms' request tokens.

// jobToken is a job token of the token server at base's CI issuer, for the oauth2 API's trust.
func jobToken(base string, claims map[string]any) string {
	c := map[string]any{"sub": tokenserver.CIJobSubject, "aud": tokenserver.JobTokenAudience}
	maps.Copy(c, claims)
	return tokenserver.MintJobToken(base, c)
}

// platformEnv is a CI job's environment on each platform, against the token server at base.
func platformEnv(base string) map[string]map[string]string {
	return map[string]map[string]string{
		"github_actions": {"ACTIONS_ID_TOKEN_REQUEST_URL": tokenserver.GitHubRequestURL(base),
			"ACTIONS_ID_TOKEN_REQUEST_TOKEN": tokenserver.GitHubRequestToken},
		"azure_pipelines": {"SYSTEM_OIDCREQUESTURI": tokenserver.AzureRequestURI(base), "SYSTEM_ACCESSTOKEN": tokenserver.AzureSystemAccessToken},
		"buildkite": {"BUILDKITE_AGENT_ENDPOINT": tokenserver.BuildkiteAgentEndpoint(base),
			"BUILDKITE_AGENT_ACCESS_TOKEN": tokenserver.BuildkiteAgentToken, "BUILDKITE_JOB_ID": tokenserver.BuildkiteJobID},
		"gitlab":        {"GITLAB_OIDC_TOKEN": jobToken(base, nil)},
		"hcp_terraform": {"TFC_WORKLOAD_IDENTITY_TOKEN_AWS": jobToken(base, nil)},
		"circleci":      {"CIRCLE_OIDC_TOKEN_V2": jobToken(base, nil)},
		"spacelift":     {"SPACELIFT_OIDC_TOKEN": jobToken(base, nil)},
		"env0":          {"ENV0_OIDC_TOKEN": jobToken(base, nil)},
	}
}

// platformSource is each platform's subject_token_source.
var platformSource = map[string]string{
	"github_actions":  `{ type = "github_actions", audience = "` + tokenserver.JobTokenAudience + `" }`,
	"azure_pipelines": `{ type = "azure_pipelines", service_connection_id = "` + tokenserver.AzureServiceConnectionID + `" }`,
	"buildkite":       `{ type = "buildkite", audience = "` + tokenserver.JobTokenAudience + `" }`,
	"gitlab":          `{ type = "gitlab", env = "GITLAB_OIDC_TOKEN" }`,
	"hcp_terraform":   `{ type = "hcp_terraform", tag = "aws" }`,
	"circleci":        `{ type = "circleci" }`,
	"spacelift":       `{ type = "spacelift" }`,
	"env0":            `{ type = "env0" }`,
}

// exchangeBlock is an oauth2_token block that exchanges the job token at the token server at base.
func exchangeBlock(kind, label, base string, extra ...string) string {
	return block(kind, "oauth2_token", label, map[string]string{"token_url": tokenserver.TokenURL(base, tokenserver.OAuth2),
		"grant_type": "token_exchange"}, append([]string{"provider = authtoken"}, extra...)...)
}

// jobSecrets are the values of a secretless run that must appear nowhere: every job token the
// server minted or the environment held, and every platform request token.
func jobSecrets(srv *tokenserver.Server, env map[string]string) []secret {
	var out []secret
	for _, tok := range srv.Issued() {
		var claims struct{ Iss string }
		if payload, ok := grant.JWTPayload(tok); ok && json.Unmarshal(payload, &claims) == nil && strings.HasSuffix(claims.Iss, tokenserver.CIIssuerPath) {
			out = append(out, secret{label: "a job token the CI issuer minted", value: tok})
		}
	}
	for k, v := range env {
		if strings.Contains(k, "TOKEN") {
			out = append(out, secret{label: k, value: v})
		}
	}
	for _, v := range []string{tokenserver.GitHubRequestToken, tokenserver.AzureSystemAccessToken, tokenserver.BuildkiteAgentToken} {
		out = append(out, secret{label: "a platform request token", value: v})
	}
	return out
}

// TestAccSecretlessSources: on every platform, the job's token is obtained, exchanged for an
// access token that the protected endpoint accepts during apply, and never written anywhere: a
// plan saved to a file and applied, scanned with TF_LOG=trace.
func TestAccSecretlessSources(t *testing.T) {
	t.Parallel()
	for name, source := range platformSource {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
			env := platformEnv(ts.URL)[name]
			config := authtokenTerraform + exchangeBlock("ephemeral", "ci", ts.URL, "subject_token_source = "+source) +
				curlProvisioner("use", "ephemeral.oauth2_token.ci.access_token", tokenserver.ResourceURL(ts.URL, tokenserver.OAuth2))
			r := newLeakRun(t, config, env)
			r.plan(true)
			// The apply runs as the pipeline's apply job: a platform that puts the job token in a
			// variable gives that job its own (the server accepts each job token once); one that
			// mints on request is asked again by the provider.
			applyEnv := platformEnv(ts.URL)[name]
			acctest.SetEnv(t, r.tf, applyEnv)
			r.applyPlan()
			r.addFile("tfplan")
			r.addFile("terraform.tfstate")
			if len(srv.Accepted(tokenserver.OAuth2)) == 0 {
				t.Error("the protected endpoint accepted no exchanged token during apply")
			}
			if mints := srv.JobTokensMinted(); strings.Contains(source, "audience") || name == "azure_pipelines" {
				if mints < 2 {
					t.Errorf("%d job tokens minted, want one for the plan and one for the apply at least", mints)
				}
			}
			r.scan(append(jobSecrets(srv, env), jobSecrets(srv, applyEnv)...))
		})
	}
}

// TestAccJobTokenPerPhase: the plan and the apply each read the job token anew, as HCP
// Terraform's per-phase tokens and a rotated projected token need: the plan's token, exchanged
// already (its jti is spent), would be refused at apply.
func TestAccJobTokenPerPhase(t *testing.T) {
	t.Parallel()
	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	dir := t.TempDir()
	file := filepath.Join(dir, "oidc-token")
	first := jobToken(ts.URL, map[string]any{"exp": time.Now().Add(2 * time.Minute).Unix()})
	testsupport.WriteFile(t, file, first)
	config := authtokenTerraform + exchangeBlock("ephemeral", "ci", ts.URL, fmt.Sprintf("subject_token_file = %q", file)) +
		curlProvisioner("use", "ephemeral.oauth2_token.ci.access_token", tokenserver.ResourceURL(ts.URL, tokenserver.OAuth2))
	r := newLeakRun(t, config, nil)
	r.plan(true)
	second := jobToken(ts.URL, nil)
	testsupport.WriteFile(t, file, second) // the platform hands the apply job a new token
	r.applyPlan()
	r.addFile("tfplan")
	if len(srv.Accepted(tokenserver.OAuth2)) == 0 {
		t.Error("the apply's exchanged token was not accepted")
	}
	r.scan([]secret{{label: "the plan's job token", value: first}, {label: "the apply's job token", value: second}})
}

// TestAccJobTokenRefusals: an expired job token fails the plan naming its exp and source, with no
// token request; a token the server's trust does not match fails naming its iss, sub and aud; a
// platform that gave the job no token names what to set; none of them shows a token.
func TestAccJobTokenRefusals(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		source  string
		env     func(base string) map[string]string
		want    string
		request bool // whether a token request is sent
	}{
		"expired": {`{ type = "circleci" }`, func(base string) map[string]string {
			return map[string]string{"CIRCLE_OIDC_TOKEN_V2": jobToken(base, map[string]any{"exp": time.Now().Add(-time.Minute).Unix()})}
		}, `(?s)Invalid subject_token_source.*job token from CircleCI\s+expired\s+at`, false},
		"untrusted subject": {`{ type = "spacelift" }`, func(base string) map[string]string {
			return map[string]string{"SPACELIFT_OIDC_TOKEN": jobToken(base, map[string]any{"sub": "space:prod:run:1"})}
		}, `(?s)HTTP 400 invalid_grant.*trust\s+relationship.*sub\s+"space:prod:run:1"`, true},
		"no id-token permission": {`{ type = "github_actions", audience = "x" }`, func(string) map[string]string { return nil },
			`(?s)GitHub Actions has not given this job an\s+OIDC token.*permissions:\s+id-token:\s+write`, false},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
			env := tc.env(ts.URL)
			r := newLeakRun(t, authtokenTerraform+exchangeBlock("ephemeral", "ci", ts.URL, "subject_token_source = "+tc.source), env)
			r.run("plan", false, func(ctx context.Context) error {
				_, err := r.tf.Plan(ctx)
				return err
			})
			if stderr := r.outputs["plan stderr"]; !regexp.MustCompile(tc.want).Match(stderr) {
				t.Errorf("the plan's diagnostics do not match %s:\n%s", tc.want, r.redacted(string(stderr)))
			}
			if sent := srv.Requests(tokenserver.OAuth2) > 0; sent != tc.request {
				t.Errorf("a token request was sent: %v, want %v", sent, tc.request)
			}
			r.scan(jobSecrets(srv, env))
		})
	}
}

// TestAccSecretlessFederatedAndSTS: client credentials with a federated client (the job token as
// the client assertion, as with Entra), and a token exchange at a server that refuses any
// Authorization header (Google STS), both from data sources, which keep the access token in state
// but never the job token.
func TestAccSecretlessFederatedAndSTS(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		refuseAuthorization bool
		block               func(base string) string
	}{
		"federated client": {false, func(base string) string {
			return block("data", "oauth2_token", "ci", map[string]string{"token_url": tokenserver.TokenURL(base, tokenserver.OAuth2),
				"client_id": tokenserver.OAuth2FederatedClientID, "client_auth": "federated_jwt"},
				"provider = authtoken", `subject_token_source = { type = "github_actions", audience = "`+tokenserver.JobTokenAudience+`" }`)
		}},
		"STS without client": {true, func(base string) string {
			return exchangeBlock("data", "ci", base, `subject_token_source = { type = "gitlab", env = "GITLAB_OIDC_TOKEN" }`,
				`requested_token_type = "access_token"`)
		}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg := tokenserver.DefaultConfig()
			cfg.RefuseAuthorization = tc.refuseAuthorization
			srv, ts := testsupport.TokenServer(t, cfg)
			env := platformEnv(ts.URL)["github_actions"]
			maps.Copy(env, platformEnv(ts.URL)["gitlab"])
			r := newLeakRun(t, authtokenTerraform+tc.block(ts.URL), env)
			r.run("apply", true, func(ctx context.Context) error { return r.tf.Apply(ctx) })
			r.addFile("terraform.tfstate")
			if len(srv.IssuedFor(tokenserver.OAuth2)) == 0 {
				t.Fatal("no access token was issued")
			}
			r.scan(jobSecrets(srv, env))
		})
	}
}

// TestAccJobTokenAudienceWarning: a job token whose aud lacks the audience the source names is a
// warning on the block; the exchange goes ahead (the server decides).
func TestAccJobTokenAudienceWarning(t *testing.T) {
	t.Parallel()
	_, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	env := map[string]string{"TFC_WORKLOAD_IDENTITY_TOKEN": jobToken(ts.URL, nil)}
	diags, ok := planDiagnosticsEnv(t, authtokenTerraform+exchangeBlock("ephemeral", "ci", ts.URL,
		`subject_token_source = { type = "hcp_terraform", audience = "api://expected" }`), env)
	if !ok {
		t.Fatalf("the plan failed: %+v", diags)
	}
	if len(diags) != 1 || diags[0].Summary != "The job token lacks the audience asked for" ||
		!strings.Contains(diags[0].Detail, `"api://expected"`) || !strings.Contains(diags[0].Detail, tokenserver.JobTokenAudience) {
		t.Errorf("diagnostics %+v, want one warning naming both audiences", diags)
	}
}
