package provider

import (
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
)

// oauth2Token: any RFC 6749 token endpoint, found by its URL or by its issuer's metadata.
var oauth2Token = register(tokenType{
	name:      "oauth2_token",
	api:       grant.OAuth2,
	envPrefix: "OAUTH2",
	// The endpoint comes from one of them, in the block or the environment.
	oneRequired: [][]string{{"token_url", "issuer"}},
	description: "Gets an access token from **any OAuth 2.0 token endpoint** (RFC 6749): the client " +
		"credentials, resource owner password or refresh token grant, with the client authenticated by " +
		"HTTP Basic, in the body, by a `private_key_jwt` or `client_secret_jwt` assertion (RFC 7523) or not " +
		"at all; or, for " +
		"secretless pipelines, the CI job's own token exchanged for an access token (RFC 8693 token " +
		"exchange, RFC 7523 JWT bearer, or a federated client assertion). The endpoint " +
		"is `token_url`, or is read from the `issuer`'s metadata (RFC 8414, then OpenID Connect discovery).\n\n" +
		"With the `refresh_token` grant, mind rotation: many servers accept each refresh token once, and an " +
		"ephemeral resource is opened at plan and again at apply, so the second grant fails with " +
		"`invalid_grant`. The new refresh token the server returns is in the `refresh_token` output.",
	inputs: []input{
		{name: "token_url", isURL: true,
			extra:       []validator.String{stringvalidator.ConflictsWith(path.MatchRoot("issuer"))},
			description: "The token endpoint: `https`, or `http` on a loopback host. Set this or `issuer`.",
			kind:        stringIn(func(r *resolved, v string) { r.TokenURL = v })},
		{name: "issuer", isURL: true,
			// The URLs as grant.MetadataURLs builds them (TestIssuerDescriptionNamesTheMetadataURLs).
			description: "The authorization server's issuer identifier, instead of `token_url`: the token endpoint " +
				"is read from its metadata, once per run. First from RFC 8414's URL, which puts " +
				"`/.well-known/oauth-authorization-server` between the host and the issuer's path (the issuer " +
				"`https://id.example.com/tenant1` is read at " +
				"`https://id.example.com/.well-known/oauth-authorization-server/tenant1`); if that answers 4xx, from " +
				"OpenID Connect Discovery's, the issuer with `/.well-known/openid-configuration` appended " +
				"(`https://id.example.com/tenant1/.well-known/openid-configuration`). The metadata's `issuer` must " +
				"equal this exactly.",
			kind: stringIn(func(r *resolved, v string) { r.Issuer = v })},
		{name: "grant_type", oneOf: grant.GrantTypeValues,
			description: "The grant: `" + strings.Join(grant.GrantTypes, "`, `") + "`. `token_exchange` (RFC 8693) " +
				"and `jwt_bearer` (RFC 7523) send the CI job's own token (see `subject_token`); their URNs are " +
				"accepted too.",
			defaultValue: grant.GrantClientCredentials,
			kind:         stringIn(func(r *resolved, v string) { r.GrantType = v })},
		withRequiredOff(clientIDInput, "The OAuth client ID; required but for `token_exchange` and `jwt_bearer` "+
			"without client authentication."),
		{name: "client_secret", sensitive: true,
			extra: []validator.String{conflictsWithValue{other: "client_auth",
				values: []string{grant.ClientAuthNone, grant.ClientAuthPrivateKeyJWT, grant.ClientAuthTLS, grant.ClientAuthSelfSignedTLS}}},
			description: "The client secret, for `client_secret_basic`, `client_secret_post` and `client_secret_jwt`.",
			kind:        stringIn(func(r *resolved, v string) { r.ClientSecret = v })},
		{name: "client_auth", oneOf: grant.ClientAuthMethods,
			description: "How the client authenticates: `client_secret_basic` (RFC 6749 2.3.1: id and secret " +
				"form-encoded, then Base64), `client_secret_post` (in the body), `private_key_jwt` (an RFC 7523 " +
				"assertion signed with `private_key_pem`), `client_secret_jwt` (an RFC 7523 assertion signed HS256 " +
				"with the client secret, which is not sent itself; RFC 7518 wants a secret of at least 32 bytes), " +
				"`tls_client_auth` and `self_signed_tls_client_auth` (RFC 8705: the TLS client certificate of " +
				"`client_cert_pem` authenticates, issued by a CA the server trusts or registered with it as it is), `federated_jwt` (the CI job's own token as the client " +
				"assertion, as Entra, Keycloak and authentik federated credentials take it; no secret) or `none` " +
				"(a public client). Defaults to `client_secret_basic`, or to `none` for `token_exchange` and " +
				"`jwt_bearer` without a `client_secret`, whose client authentication is optional.",
			kind: stringIn(func(r *resolved, v string) { r.ClientAuth = v })},
		withDescription(privateKeyInput, "For `private_key_jwt`: the client's unencrypted PEM private key, RSA "+
			"(RS256, at least 2048 bits) or P-256 (ES256)."),
		{name: "private_key_id",
			description: "For `private_key_jwt`: the key's ID, sent as the assertion's `kid` header.",
			kind:        stringIn(func(r *resolved, v string) { r.PrivateKeyID = v })},
		{name: "private_key_cert_pem", sensitive: true,
			description: "For `private_key_jwt`: the PEM X.509 certificate of `private_key_pem`, for servers that " +
				"know the key by its certificate, as Entra ID's certificate credentials do. Its SHA-1 and SHA-256 " +
				"thumbprints go in the assertion header as `x5t` and `x5t#S256`. It must certify the private key.",
			kind: stringIn(func(r *resolved, v string) { r.PrivateKeyCertPEM = v })},
		withRequiredOff(usernameInput, "For the `password` grant: the user to log in as."),
		withRequiredOff(passwordInput, "For the `password` grant: the user's password."),
		// Not "refresh_token": that is the output, the (possibly rotated) refresh token the server
		// returns, and inputs and outputs never share a name.
		{name: "current_refresh_token", sensitive: true,
			description: "For the `refresh_token` grant: the refresh token to exchange. The server's answer may " +
				"carry a new one, in the `refresh_token` output.",
			kind: stringIn(func(r *resolved, v string) { r.RefreshToken = v })},
		scopeInput,
		{name: "audience",
			description: "The API the token is for, as Auth0 and Okta name it (`audience` parameter).",
			kind:        stringIn(func(r *resolved, v string) { r.Audience = v })},
		{name: "resource",
			description: "Resource indicators (RFC 8707): the absolute URIs of the APIs the token is for.",
			kind:        listIn(func(r *resolved, v []string) { r.Resource = v })},
		{name: "extra_params",
			description: "Further form parameters of the token request. A key that the inputs above set " +
				"(`grant_type`, `client_id`, `scope`, ...) is an error.",
			kind: mapIn(func(r *resolved, v map[string]string) { r.ExtraParams = v })},
		{name: "subject_token", sensitive: true,
			extra: []validator.String{stringvalidator.ConflictsWith(path.MatchRoot("subject_token_file"), path.MatchRoot("subject_token_source"))},
			description: "The CI job's own token (an OIDC JWT), for `token_exchange` (as `subject_token`), `jwt_bearer` " +
				"(as `assertion`) and `federated_jwt` (as the client assertion): an ephemeral variable, or HCP " +
				"Terraform Stacks' `identity_token.<name>.jwt`. One of `subject_token`, `subject_token_file` and " +
				"`subject_token_source`.",
			kind: stringIn(func(r *resolved, v string) { r.SubjectToken = v })},
		{name: "subject_token_file",
			extra: []validator.String{stringvalidator.ConflictsWith(path.MatchRoot("subject_token_source"))},
			description: "A file holding the job token, read again at every open and read: a Kubernetes projected " +
				"service account token (the kubelet rotates it), Stacks' `jwt_filename`, `AZURE_FEDERATED_TOKEN_FILE` " +
				"or `AWS_WEB_IDENTITY_TOKEN_FILE`.",
			kind: stringIn(func(r *resolved, v string) { r.SubjectTokenFile = v })},
		{name: "subject_token_source",
			description: "The CI platform that hands the job its token, obtained fresh at every open and read and " +
				"never stored. `type` is one of `" + strings.Join(grant.JobTokenSourceTypes(), "`, `") + "`; " +
				"`audience` is the `aud` to mint the token for (GitHub Actions, Buildkite) or, elsewhere, the one " +
				"it should have (a warning when it lacks it); `env` names GitLab's `id_tokens:` variable, `tag` HCP " +
				"Terraform's workload identity tag, `service_connection_id` the Azure Pipelines service connection.",
			kind: objectIn([]field{
				{name: "type", required: true, oneOf: grant.JobTokenSourceTypes(), description: "The platform: `" +
					strings.Join(grant.JobTokenSourceTypes(), "`, `") + "`."},
				{name: "audience", description: "The job token's `aud`: the one to mint it for, or the one it should carry. " +
					"It is the authorization server's audience, not the API's (that is `audience` or `resource` of the exchange)."},
				{name: "env", description: "`gitlab`: the variable the job's `id_tokens:` defines."},
				{name: "tag", description: "`hcp_terraform`: the tag of `TFC_WORKLOAD_IDENTITY_AUDIENCE_<TAG>`."},
				{name: "service_connection_id", description: "`azure_pipelines`: the Azure Resource Manager service connection's ID."},
			}, func(r *resolved, m map[string]string) {
				r.SubjectTokenSource = grant.JobTokenSource{Type: m["type"], Audience: m["audience"], Env: m["env"],
					Tag: m["tag"], ServiceConnectionID: m["service_connection_id"]}
			})},
		{name: "subject_token_type",
			description: "For `token_exchange`: the job token's type, `jwt` (the default), `id_token`, `access_token` " +
				"or any token type URI.",
			kind: stringIn(func(r *resolved, v string) { r.SubjectTokenType = v })},
		{name: "requested_token_type",
			description: "For `token_exchange`: the type of token to ask for (RFC 8693 `requested_token_type`), the " +
				"same short names or a URI. The `issued_token_type` output says what the server issued.",
			kind: stringIn(func(r *resolved, v string) { r.RequestedTokenType = v })},
		{name: "actor_token", sensitive: true,
			description: "For `token_exchange`: the token of the party acting on the subject's behalf (RFC 8693 delegation).",
			kind:        stringIn(func(r *resolved, v string) { r.ActorToken = v })},
		{name: "actor_token_type",
			description: "The type of `actor_token`, `jwt` by default.",
			kind:        stringIn(func(r *resolved, v string) { r.ActorTokenType = v })},
		revokeOnCloseInput,
		withDescription(revocationURLInput, "The RFC 7009 revocation endpoint for `revoke_on_close`, when the issuer's "+
			"metadata names none or `token_url` is used."),
	},
	outputs: append(commonOutputs(),
		stringOutput("id_token", "The OpenID Connect ID token, when the server issued one; otherwise null. Sensitive.", true,
			func(t *grant.Token) string { return t.IDToken }),
		stringOutput("issued_token_type", "What a token exchange issued (RFC 8693 `issued_token_type`), such as "+
			"`urn:ietf:params:oauth:token-type:access_token`; null for the other grants.", false,
			func(t *grant.Token) string { return t.IssuedTokenType })),
})

func withRequired(in input) input {
	in.required = true
	return in
}

func withDescription(in input, description string) input {
	in.description = description
	return in
}

// withRequiredOff is a shared input that this type checks itself (through grant), because
// whether it is needed depends on the grant type or the client authentication.
func withRequiredOff(in input, description string) input {
	in.required, in.description = false, description
	return in
}
