package provider

import "github.com/authtoken/terraform-provider-authtoken/internal/grant"

// partnerToken: the partner authentication API, a client credentials grant with a JSON body.
// Its tokens cannot be refreshed: every open runs a new grant.
var partnerToken = register(tokenType{
	name:      "partner_token",
	api:       grant.Partner,
	envPrefix: "PARTNER",
	description: "Gets an access token from the **partner authentication** API (OAuth 2.0 client " +
		"credentials grant, `POST /api/oauth/token` with a JSON body). Each partner runs the API on its " +
		"own host, so `token_url` has no default. Partner tokens cannot be refreshed.",
	inputs: []input{
		tokenURLInput,
		clientIDInput,
		withDescription(clientSecretInput, "The OAuth client secret, sent in the JSON body."),
		scopeInput,
	},
	outputs: commonOutputs(),
})
