package provider

import "github.com/authtoken/terraform-provider-authtoken/internal/grant"

// tennToken: the Tenn / 10npay merchant authentication API, a password grant that sends the
// client twice: client_id in the form body and client_id:client_secret in the Basic header.
var tennToken = register(tokenType{
	name:      "tenn_token",
	api:       grant.Tenn,
	envPrefix: "TENN",
	description: "Gets an access token from the **Tenn / 10npay** merchant authentication API " +
		"(OAuth 2.0 resource owner password grant, `POST /connect/token`). The request carries " +
		"`client_id` in the form body and `client_id:client_secret` as HTTP Basic credentials. " +
		"Tenn answers with `access_token` and `scope` only, so the expiry comes from the token's JWT `exp` claim.",
	inputs: []input{
		withDefault(tokenURLInput, grant.Tenn.DefaultTokenURL, "The documented host is Tenn's test environment."),
		clientIDInput,
		clientSecretInput,
		usernameInput,
		passwordInput,
		scopeInput,
		revokeOnCloseInput,
		revocationURLInput,
	},
	outputs: commonOutputs(),
})
