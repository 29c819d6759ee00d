package provider

import "github.com/authtoken/terraform-provider-authtoken/internal/grant"

// testiniumToken: Testinium's login API, a password grant with the client in the Basic header.
var testiniumToken = register(tokenType{
	name:      "testinium_token",
	api:       grant.Testinium,
	envPrefix: "TESTINIUM",
	description: "Gets an access token from the **Testinium** login API (OAuth 2.0 resource owner " +
		"password grant, `POST /uaa/oauth/token`), with the client as HTTP Basic credentials and the " +
		"user's `username` and `password` in the form body. The client defaults to Testinium's documented public client.",
	inputs: []input{
		withDefault(tokenURLInput, grant.Testinium.DefaultTokenURL, ""),
		withDefault(clientIDInput, grant.Testinium.DefaultClientID, "Testinium's documented public client."),
		withDefault(clientSecretInput, grant.Testinium.DefaultClientSecret, "The documented public client's secret."),
		usernameInput,
		passwordInput,
		scopeInput,
	},
	outputs: append(commonOutputs(), stringOutput("jti",
		"The token's unique identifier (`jti`), when the server sent one.", false,
		func(t *grant.Token) string { return t.JTI })),
})
