package provider

import (
	"slices"
	"strconv"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
)

// githubAppToken: a GitHub App installation token, narrowed to repositories and permissions.
var githubAppToken = register(tokenType{
	name:      "github_app_token",
	api:       grant.GitHubApp,
	envPrefix: "GITHUB_APP",
	description: "Gets a **GitHub App** installation token: the app signs a JWT with its private key, the " +
		"installation is found by `owner` (or given as `installation_id`), and " +
		"`POST /app/installations/{id}/access_tokens` returns a token for one hour, narrowed to `repositories` " +
		"and `permissions` when they are set. The token works for the `integrations/github` provider, `gh` and " +
		"GitHub's REST and GraphQL APIs, on github.com and on GitHub Enterprise Server (`api_url`).",
	inputs: []input{
		{name: "app_id",
			description: "The app's numeric ID (App ID on the app's settings page), the JWT's issuer when " +
				"`client_id` is unset. Set `app_id` or `client_id`.",
			kind: stringIn(func(r *resolved, v string) { r.AppID = v })},
		withRequiredOff(clientIDInput, "The app's client ID (`Iv23li...`), the JWT's issuer, as GitHub now recommends. "+
			"Set `app_id` or `client_id`."),
		withRequired(withDescription(privateKeyInput, "The app's private key: the RSA `.pem` file generated on the "+
			"app's settings page (`-----BEGIN RSA PRIVATE KEY-----`), unencrypted. It signs the app's JWT (RS256) and "+
			"is never sent.")),
		{name: "installation_id",
			description: "The installation to get a token for: the number at the end of the installation's " +
				"settings URL. Set `installation_id` or `owner`.",
			kind: stringIn(func(r *resolved, v string) { r.InstallationID = v })},
		{name: "owner",
			description: "The organization or user that installed the app, when `installation_id` is unset: the " +
				"installation is looked up as the organization's, then as the user's, or, with `repositories`, " +
				"as the first repository's. Each owner is looked up once per run, however many blocks name it.",
			kind: stringIn(func(r *resolved, v string) { r.Owner = v })},
		{name: "repositories",
			description: "Narrows the token to these repositories of the installation: names without the owner, " +
				"such as `[\"infra\"]`. Leave unset for every repository the installation covers.",
			kind: listIn(func(r *resolved, v []string) { r.Repositories = v })},
		{name: "permissions",
			description: "Narrows the token to these permissions, each `read`, `write` or `admin`, such as " +
				"`{ contents = \"read\", issues = \"write\" }`; none may exceed what the installation has. " +
				"Leave unset for all of the installation's permissions.",
			kind: mapIn(func(r *resolved, v map[string]string) { r.Permissions = v })},
		withDefault(input{name: "api_url", isURL: true,
			description: "GitHub's REST API: GitHub Enterprise Server's is `https://HOST/api/v3`.",
			kind:        stringIn(func(r *resolved, v string) { r.APIURL = v })}, grant.GitHubAPIURL, ""),
		withDescription(revokeOnCloseInput, "Revoke the token (`DELETE /installation/token`) when the run is done "+
			"with it: the last block holding a token that identical blocks share revokes it; a block without "+
			"`revoke_on_close` never shares a token with one that has it. A failed revocation is a warning. "+
			"Defaults to `false`."),
	},
	oneRequired: [][]string{{"app_id", "client_id"}, {"installation_id", "owner"}},
	outputs: append(withOutputDescriptions(outputsNamed(commonOutputs(), "access_token", "expires_in", "expires_at"), map[string]string{
		"access_token": "The installation token (`ghs_...`), for `Authorization: Bearer`, the `token` of integrations/github's " +
			"provider block, `GH_TOKEN`, or git over HTTPS as the password of `x-access-token`. Sensitive.",
		"expires_in": "The token's lifetime in seconds, from GitHub's `expires_at`: an hour from the grant.",
		"expires_at": "When the token expires (GitHub's `expires_at`), RFC 3339 in UTC.",
	}),
		stringMapOutput("permissions", "when unset, the permissions the token was granted: all of the installation's. "+
			"When set, it stays as set (Terraform keeps a configured value), and GitHub adds `metadata = \"read\"` to every token.",
			func(t *grant.Token) map[string]string { return installation(t).Permissions }),
		stringListOutput("repositories", "the repositories as set. Unset, it stays null: GitHub lists no repositories "+
			"then, and the token covers every repository of the installation (`repository_selection` says whether those "+
			"are all of the owner's or selected ones).",
			func(t *grant.Token) []string { return installation(t).Repositories }),
		stringOutput("repository_selection", "`selected` when the token covers only the listed `repositories`, `all` "+
			"when it covers every repository the installation can see.", false,
			func(t *grant.Token) string { return installation(t).RepositorySelection }),
		stringOutput("installation_id", "the installation the token belongs to, when unset the one found for `owner`.", false,
			func(t *grant.Token) string { return strconv.FormatInt(installation(t).ID, 10) }),
	),
	hint: githubAppHint,
})

// installation is what GitHub said of the token; never nil for a GitHub App grant.
func installation(t *grant.Token) *grant.Installation {
	if t.Installation == nil {
		return &grant.Installation{}
	}
	return t.Installation
}

// outputsNamed keeps the outputs of these names, in their order in outputs.
func outputsNamed(outputs []output, names ...string) []output {
	return slices.DeleteFunc(outputs, func(o output) bool { return !slices.Contains(names, o.name) })
}

// withOutputDescriptions gives outputs this type's own descriptions, by name.
func withOutputDescriptions(outputs []output, descriptions map[string]string) []output {
	for i, o := range outputs {
		if d, ok := descriptions[o.name]; ok {
			outputs[i] = o.describedAs(d)
		}
	}
	return outputs
}

// githubAppHint says what to check for GitHub's answers: its statuses mean other things than an
// OAuth server's.
func githubAppHint(e *grant.Error) string {
	switch e.Status {
	case 401:
		return "GitHub refused the app's JWT. Check app_id or client_id (they must be this app's), that " +
			"private_key_pem is one of the app's current private keys, and this machine's clock: the JWT is valid " +
			"for 10 minutes from a minute ago, so a clock more than a minute off is refused."
	case 404:
		return "The app is not installed there, or it cannot see it. Check installation_id, or owner and " +
			"repositories: the app must be installed on that organization or user account, with access to " +
			"the repositories, and api_url must be the GitHub that holds them."
	case 422:
		return "The installation cannot grant what was asked. Check permissions (each at most the level the " +
			"installation was granted: read < write < admin) and repositories (names without the owner, each one " +
			"the installation can access)."
	case 403:
		if e.Reason() != grant.ReasonRateLimited {
			return "GitHub refused the request. Check that the app has the permissions asked for, and the message below."
		}
	}
	return ""
}
