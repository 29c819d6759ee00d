package grant

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// The CI platforms whose jobs get a signed OIDC token, one value each (jobtoken.go). A platform
// either puts the token in the job's environment or mints one on request, for an audience; when
// the job has not been given what that needs, the error names the exact setting.

// envPlatform is a platform that puts the job token in a variable; need is what to set when it
// is missing, variable chooses the variable from the source.
func envPlatform(name, title string, variable func(JobTokenSource) string, need func(JobTokenSource) string) *platform {
	return registerPlatform(&platform{name: name, title: title,
		token: func(_ context.Context, p *platform, _ *Client, s JobTokenSource, getenv func(string) string) (string, bool, error) {
			v := variable(s)
			if v == "" {
				return "", false, missingJobToken(p, need(s))
			}
			if tok := strings.TrimSpace(getenv(v)); tok != "" {
				return tok, false, nil
			}
			return "", false, missingJobToken(p, v+" is not set; "+need(s))
		}})
}

func fixed(s string) func(JobTokenSource) string { return func(JobTokenSource) string { return s } }

var (
	// GitLab CI puts each token of the job's id_tokens: in a variable named there.
	_ = envPlatform("gitlab", "GitLab CI", func(s JobTokenSource) string { return s.Env },
		func(s JobTokenSource) string {
			if s.Env == "" {
				return "the source names no variable: give the one the job's id_tokens: defines (for example GITLAB_OIDC_TOKEN)"
			}
			return "define it in the job: id_tokens: { " + s.Env + ": { aud: <the audience> } }"
		})
	// HCP Terraform sets TFC_WORKLOAD_IDENTITY_TOKEN, or one per tag, when the workspace asks for
	// it with TFC_WORKLOAD_IDENTITY_AUDIENCE[_<TAG>]; a new one in each run phase.
	_ = envPlatform("hcp_terraform", "HCP Terraform", func(s JobTokenSource) string {
		if s.Tag != "" {
			return "TFC_WORKLOAD_IDENTITY_TOKEN_" + strings.ToUpper(s.Tag)
		}
		return "TFC_WORKLOAD_IDENTITY_TOKEN"
	}, func(s JobTokenSource) string {
		if s.Tag != "" {
			return "set the workspace variable TFC_WORKLOAD_IDENTITY_AUDIENCE_" + strings.ToUpper(s.Tag) + " (an environment variable) to the audience"
		}
		return "set the workspace variable TFC_WORKLOAD_IDENTITY_AUDIENCE (an environment variable) to the audience"
	})
	_ = envPlatform("circleci", "CircleCI", fixed("CIRCLE_OIDC_TOKEN_V2"),
		fixed("CircleCI sets it only for jobs that run in a context: add a context to the job in the workflow"))
	_ = envPlatform("spacelift", "Spacelift", fixed("SPACELIFT_OIDC_TOKEN"),
		fixed("Spacelift sets it in every run of a stack; this does not look like a Spacelift run"))
	_ = envPlatform("env0", "env0", fixed("ENV0_OIDC_TOKEN"),
		fixed("enable OIDC in the env0 organization's or project's settings"))
)

// GitHub Actions mints the token on request: GET ACTIONS_ID_TOKEN_REQUEST_URL (which already has
// a query string) with &audience=, authorized by ACTIONS_ID_TOKEN_REQUEST_TOKEN; GitHub sets both
// only for jobs with permissions: id-token: write.
var _ = registerPlatform(&platform{name: "github_actions", title: "GitHub Actions",
	token: func(ctx context.Context, p *platform, c *Client, s JobTokenSource, getenv func(string) string) (string, bool, error) {
		endpoint, requestToken := getenv("ACTIONS_ID_TOKEN_REQUEST_URL"), getenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
		if endpoint == "" || requestToken == "" {
			return "", false, missingJobToken(p, "ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set; "+
				"give the job (or the workflow) permissions: id-token: write")
		}
		u, err := url.Parse(endpoint)
		if err != nil || CheckTokenURL(endpoint) != nil {
			return "", false, missingJobToken(p, "ACTIONS_ID_TOKEN_REQUEST_URL is not an https URL")
		}
		if s.Audience != "" {
			q := u.Query()
			q.Set("audience", s.Audience)
			u.RawQuery = q.Encode()
		}
		tok, err := c.mint(ctx, p, endpoint, []string{requestToken}, func() (*http.Request, error) {
			req, err := http.NewRequest(http.MethodGet, u.String(), nil)
			if err == nil {
				req.Header.Set("Authorization", "bearer "+requestToken)
				req.Header.Set("Accept", "application/json")
			}
			return req, err
		}, "value")
		return tok, true, err
	}})

// Azure Pipelines mints on request for a service connection: POST SYSTEM_OIDCREQUESTURI with
// System.AccessToken, which a step sees only when mapped into its environment. Its audience is
// fixed (api://AzureADTokenExchange).
var _ = registerPlatform(&platform{name: "azure_pipelines", title: "Azure Pipelines",
	token: func(ctx context.Context, p *platform, c *Client, s JobTokenSource, getenv func(string) string) (string, bool, error) {
		endpoint, accessToken := getenv("SYSTEM_OIDCREQUESTURI"), getenv("SYSTEM_ACCESSTOKEN")
		switch {
		case endpoint == "":
			return "", false, missingJobToken(p, "SYSTEM_OIDCREQUESTURI is not set; this does not look like an Azure Pipelines job")
		case accessToken == "":
			return "", false, missingJobToken(p, "SYSTEM_ACCESSTOKEN is not set; map it into the step: env: { SYSTEM_ACCESSTOKEN: $(System.AccessToken) }")
		case s.ServiceConnectionID == "":
			return "", false, missingJobToken(p, "the source names no service connection: give the Azure Resource Manager service connection's ID")
		case CheckTokenURL(endpoint) != nil:
			return "", false, missingJobToken(p, "SYSTEM_OIDCREQUESTURI is not an https URL")
		}
		u, _ := url.Parse(endpoint)
		q := u.Query()
		q.Set("api-version", "7.1")
		q.Set("serviceConnectionId", s.ServiceConnectionID)
		u.RawQuery = q.Encode()
		tok, err := c.mint(ctx, p, endpoint, []string{accessToken}, func() (*http.Request, error) {
			req, err := http.NewRequest(http.MethodPost, u.String(), http.NoBody)
			if err == nil {
				req.Header.Set("Authorization", "Bearer "+accessToken)
				req.Header.Set("Content-Type", "application/json")
			}
			return req, err
		}, "oidcToken")
		return tok, true, err
	}})

// Buildkite's agent mints on request: POST <agent endpoint>/jobs/<job>/oidc/tokens with the
// agent's access token, as `buildkite-agent oidc request-token` does.
var _ = registerPlatform(&platform{name: "buildkite", title: "Buildkite",
	token: func(ctx context.Context, p *platform, c *Client, s JobTokenSource, getenv func(string) string) (string, bool, error) {
		endpoint, agentToken, job := getenv("BUILDKITE_AGENT_ENDPOINT"), getenv("BUILDKITE_AGENT_ACCESS_TOKEN"), getenv("BUILDKITE_JOB_ID")
		if endpoint == "" {
			endpoint = "https://agent.buildkite.com/v3"
		}
		if agentToken == "" || job == "" {
			return "", false, missingJobToken(p, "BUILDKITE_AGENT_ACCESS_TOKEN and BUILDKITE_JOB_ID are not set; run inside a Buildkite job step")
		}
		target := strings.TrimSuffix(endpoint, "/") + "/jobs/" + url.PathEscape(job) + "/oidc/tokens"
		if CheckTokenURL(target) != nil {
			return "", false, missingJobToken(p, "BUILDKITE_AGENT_ENDPOINT is not an https URL")
		}
		body, _ := json.Marshal(map[string]string{"audience": s.Audience})
		tok, err := c.mint(ctx, p, target, []string{agentToken}, func() (*http.Request, error) {
			req, err := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
			if err == nil {
				req.Header.Set("Authorization", "Token "+agentToken)
				req.Header.Set("Content-Type", "application/json")
			}
			return req, err
		}, "token")
		return tok, true, err
	}})
