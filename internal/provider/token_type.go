package provider

import (
	"fmt"
	"strings"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
)

// tokenType describes one token type once; token_schema.go renders it into both the ephemeral
// resource and the data source schema, and token_grant.go reads and writes it for both kinds.
type tokenType struct {
	name        string // the type name users write, e.g. "tenn_token"
	api         grant.API
	envPrefix   string // TENN, TESTINIUM, PARTNER
	description string // first paragraph of the docs page, markdown
	inputs      []input
	outputs     []output
}

// input is an argument. Every argument is optional in the schema because it may come from the
// environment instead; required ones are checked once config, environment and default are merged.
type input struct {
	name         string
	description  string
	required     bool
	sensitive    bool
	isURL        bool
	defaultValue string
	set          func(*grant.Request, string)
}

type outputKind int

const (
	stringOutput outputKind = iota
	int64Output
	stringListOutput
)

// output is a computed attribute filled from a grant.Token.
type output struct {
	name        string
	description string
	kind        outputKind
	sensitive   bool
	value       func(*grant.Token) any // string, *string (null when nil), int64 or []string
}

func (t tokenType) envVar(in input) string {
	return t.envPrefix + "_" + strings.ToUpper(in.name)
}

// Inputs shared by the types. Descriptions say where a value may come from; the env var and
// default are appended by inputDescription.
var (
	tokenURLInput = input{name: "token_url", isURL: true, required: true,
		description: "The token endpoint: `https`, or `http` on a loopback host (a local test server).",
		set:         func(r *grant.Request, v string) { r.TokenURL = v }}
	clientIDInput = input{name: "client_id", required: true,
		description: "The OAuth client ID.",
		set:         func(r *grant.Request, v string) { r.ClientID = v }}
	clientSecretInput = input{name: "client_secret", required: true, sensitive: true,
		description: "The OAuth client secret, sent in the HTTP Basic header.",
		set:         func(r *grant.Request, v string) { r.ClientSecret = v }}
	usernameInput = input{name: "username", required: true,
		description: "The user to log in as (resource owner password grant).",
		set:         func(r *grant.Request, v string) { r.Username = v }}
	passwordInput = input{name: "password", required: true, sensitive: true,
		description: "The user's password.",
		set:         func(r *grant.Request, v string) { r.Password = v }}
	scopeInput = input{name: "scope",
		description: "Space-separated scopes to ask for. Leave unset for the server's default scopes.",
		set:         func(r *grant.Request, v string) { r.Scope = v }}
)

func withDefault(in input, value, why string) input {
	in.defaultValue = value
	if why != "" {
		in.description += " " + why
	}
	return in
}

func (t tokenType) inputDescription(in input) string {
	d := fmt.Sprintf("%s May also come from the `%s` environment variable.", in.description, t.envVar(in))
	if in.defaultValue != "" {
		d += fmt.Sprintf(" Defaults to `%s`.", in.defaultValue)
	}
	if !in.required || in.defaultValue != "" {
		return d
	}
	return d + " Required, in the configuration or the environment."
}

// commonOutputs are what every type returns.
func commonOutputs() []output {
	return []output{
		{name: "access_token", kind: stringOutput, sensitive: true,
			description: "The access token. Sensitive.",
			value:       func(t *grant.Token) any { return t.AccessToken }},
		{name: "token_type", kind: stringOutput,
			description: "The token type the server reported, usually `Bearer`; null when it sent none.",
			value:       func(t *grant.Token) any { return nullIfEmpty(t.TokenType) }},
		{name: "expires_in", kind: int64Output,
			description: "The token's lifetime in seconds: the server's `expires_in`, or, when it sent none, " +
				"the time to the access token's JWT `exp` claim. Null when neither exists.",
			value: func(t *grant.Token) any {
				if t.ExpiresAt.IsZero() {
					return (*int64)(nil)
				}
				return t.ExpiresIn
			}},
		{name: "expires_at", kind: stringOutput,
			description: "When the access token expires, RFC 3339 in UTC. Null when the expiry is unknown.",
			value: func(t *grant.Token) any {
				if t.ExpiresAt.IsZero() {
					return (*string)(nil)
				}
				return t.ExpiresAt.UTC().Format("2006-01-02T15:04:05Z07:00")
			}},
		{name: "scopes", kind: stringListOutput,
			description: "The granted scopes: the response's `scope`, else the access token's JWT `scopes` or `scope` claim, else the requested `scope`.",
			value:       func(t *grant.Token) any { return t.Scopes }},
		{name: "refresh_token", kind: stringOutput, sensitive: true,
			description: "The refresh token, when the server issued one; otherwise null. Sensitive.",
			value:       func(t *grant.Token) any { return nullIfEmpty(t.RefreshToken) }},
	}
}

func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// tokenTypes lists every type the provider serves, in docs order.
func tokenTypes() []tokenType { return []tokenType{tennToken, testiniumToken, partnerToken} }
