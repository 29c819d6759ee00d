package provider

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	eschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
)

// tokenType describes one token type once: token_schema.go renders it into both the ephemeral
// resource and the data source schema, and token_grant.go reads and writes it for both kinds.
// Each type is one value in its own file (tenn_token.go, ...).
type tokenType struct {
	name        string // the type name users write, e.g. "tenn_token"
	api         *grant.API
	envPrefix   string // TENN, TESTINIUM, PARTNER
	description string // first paragraph of the docs page, markdown
	inputs      []input
	outputs     []output
	// hint says what to check for a failed grant where the API's answers mean other things than
	// an OAuth server's; "" (or nil) leaves it to the generic hint by reason (diagnostics.go).
	hint func(*grant.Error) string
	// oneRequired lists groups of inputs of which at least one must have a value, in the block
	// or the environment.
	oneRequired [][]string
}

// input is an argument. Every argument is optional in the schema because it may come from the
// environment instead; required ones are checked once config, environment and default are merged.
type input struct {
	name         string
	kind         inputKind // how it is written and where its value goes: stringIn(...), boolIn(...), ...
	description  string
	required     bool
	sensitive    bool
	isURL        bool
	oneOf        []string           // the only values allowed, when set
	ephemeral    bool               // only the ephemeral resource has it
	defaultValue string             // in the environment variable's form
	extra        []validator.String // further checks of a configured string (conflicts with other inputs)
	// ephemeralValue: the value is a credential worth keeping out of state; the ephemeral
	// resource's description says it takes an ephemeral value, the data source's where to put it.
	ephemeralValue bool
	envVar         string // set by the schema builders (token_schema.go): TENN_PASSWORD, ...
}

// resolved is what a block asks for: the grant, and whether it set its own min_validity ("0s"
// included, which turns the provider's default off).
type resolved struct {
	grant.Request
	minValiditySet bool
}

// output is a computed attribute filled from a grant.Token. The constructors below give it its
// schema in both kinds and a typed value, so no code switches on an output's type.
type output struct {
	name       string
	ephemeral  eschema.Attribute
	dataSource dschema.Attribute
	value      func(*grant.Token) attr.Value
}

// describedAs is the output with another description, in both kinds: a type whose server says
// the same thing another way (GitHub's expires_at for expires_in).
func (o output) describedAs(d string) output {
	switch a := o.ephemeral.(type) {
	case eschema.StringAttribute:
		a.MarkdownDescription = d
		o.ephemeral = a
	case eschema.Int64Attribute:
		a.MarkdownDescription = d
		o.ephemeral = a
	default:
		panic(fmt.Sprintf("output %s: %T cannot be described anew", o.name, a)) // a programming error, caught by every test
	}
	switch a := o.dataSource.(type) {
	case dschema.StringAttribute:
		a.MarkdownDescription = d
		o.dataSource = a
	case dschema.Int64Attribute:
		a.MarkdownDescription = d
		o.dataSource = a
	}
	return o
}

// stringOutput is null where value returns "".
func stringOutput(name, description string, sensitive bool, value func(*grant.Token) string) output {
	return output{
		name:       name,
		ephemeral:  eschema.StringAttribute{Computed: true, Sensitive: sensitive, MarkdownDescription: description},
		dataSource: dschema.StringAttribute{Computed: true, Sensitive: sensitive, MarkdownDescription: description},
		value: func(t *grant.Token) attr.Value {
			if v := value(t); v != "" {
				return types.StringValue(v)
			}
			return types.StringNull()
		},
	}
}

func int64Output(name, description string, value func(*grant.Token) types.Int64) output {
	return output{
		name:       name,
		ephemeral:  eschema.Int64Attribute{Computed: true, MarkdownDescription: description},
		dataSource: dschema.Int64Attribute{Computed: true, MarkdownDescription: description},
		value:      func(t *grant.Token) attr.Value { return value(t) },
	}
}

// stringListOutput is null where value returns nil.
func stringListOutput(name, description string, value func(*grant.Token) []string) output {
	return output{
		name:       name,
		ephemeral:  eschema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: description},
		dataSource: dschema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: description},
		value: func(t *grant.Token) attr.Value {
			list := value(t)
			if list == nil {
				return types.ListNull(types.StringType)
			}
			elems := make([]attr.Value, len(list))
			for i, s := range list {
				elems[i] = types.StringValue(s)
			}
			return types.ListValueMust(types.StringType, elems)
		},
	}
}

// stringMapOutput is null where value returns nil.
func stringMapOutput(name, description string, value func(*grant.Token) map[string]string) output {
	return output{
		name:       name,
		ephemeral:  eschema.MapAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: description},
		dataSource: dschema.MapAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: description},
		value: func(t *grant.Token) attr.Value {
			m := value(t)
			if m == nil {
				return types.MapNull(types.StringType)
			}
			elems := make(map[string]attr.Value, len(m))
			for k, v := range m {
				elems[k] = types.StringValue(v)
			}
			return types.MapValueMust(types.StringType, elems)
		},
	}
}

func (t tokenType) envVar(in input) string {
	return t.envPrefix + "_" + strings.ToUpper(in.name)
}

// Inputs shared by the types. Descriptions say where a value may come from; the env var and
// default are appended by inputDescription.
var (
	tokenURLInput = input{name: "token_url", isURL: true, required: true,
		description: "The token endpoint: `https`, or `http` on a loopback host (a local test server).",
		kind:        stringIn(func(r *resolved, v string) { r.TokenURL = v })}
	clientIDInput = input{name: "client_id", required: true,
		description: "The OAuth client ID.",
		kind:        stringIn(func(r *resolved, v string) { r.ClientID = v })}
	clientSecretInput = input{name: "client_secret", required: true, sensitive: true,
		description: "The OAuth client secret, sent in the HTTP Basic header.",
		kind:        stringIn(func(r *resolved, v string) { r.ClientSecret = v })}
	usernameInput = input{name: "username", required: true,
		description: "The user to log in as (resource owner password grant).",
		kind:        stringIn(func(r *resolved, v string) { r.Username = v })}
	passwordInput = input{name: "password", required: true, sensitive: true,
		description: "The user's password.",
		kind:        stringIn(func(r *resolved, v string) { r.Password = v })}
	// privateKeyInput is a key the client signs with (private_key_jwt's, a GitHub App's); each type
	// says what for.
	privateKeyInput = input{name: "private_key_pem", sensitive: true, ephemeralValue: true,
		kind: stringIn(func(r *resolved, v string) { r.PrivateKeyPEM = v })}
	scopeInput = input{name: "scope",
		description: "Space-separated scopes to ask for. Leave unset for the server's default scopes.",
		kind:        stringIn(func(r *resolved, v string) { r.Scope = v })}
)

// Inputs of the token's lifetime (DESIGN.md, "Token lifetime").
var (
	minValidityInput = input{name: "min_validity",
		description: "How long the token must stay valid from the moment it is handed out, as a Go duration such " +
			"as `45m`; defaults to the provider's `min_validity`, and `0s` asks for no minimum. A reused token with " +
			"less left is replaced by a fresh one, and a server whose tokens live shorter, or whose tokens' expiry " +
			"cannot be known, is an error at plan. Set it to the longest apply you expect.",
		kind: durationIn(true, func(r *resolved, d time.Duration) { r.MinValidity, r.minValiditySet = d, true })}
	revokeOnCloseInput = input{name: "revoke_on_close", ephemeral: true,
		description: "Revoke the token (RFC 7009) when the run is done with it: the last block holding a token " +
			"that identical blocks share revokes it; a block without `revoke_on_close` never shares a token with " +
			"one that has it. A failed revocation is a warning. Needs `revocation_url` or, for `oauth2_token`, an " +
			"`issuer` whose metadata names a revocation endpoint. Defaults to `false`.",
		kind: boolIn(func(r *resolved, v bool) { r.RevokeOnClose = v })}
	revocationURLInput = input{name: "revocation_url", isURL: true, ephemeral: true,
		description: "The RFC 7009 revocation endpoint for `revoke_on_close`; IdentityServer-style servers serve " +
			"`/connect/revocation`.",
		kind: stringIn(func(r *resolved, v string) { r.RevocationURL = v })}
)

// Inputs of mutual TLS: a client certificate presented to the token and revocation endpoints.
var (
	clientCertInput = input{name: "client_cert_pem", sensitive: true, ephemeralValue: true,
		description: "A TLS client certificate, PEM-encoded (the certificate, then any intermediate CA " +
			"certificates), presented in the TLS handshake with the token endpoint and the revocation endpoint, " +
			"for servers behind mutual TLS. Needs `client_key_pem`. Checked before any request: an expired " +
			"certificate is an error, one that expires within 30 days a warning. Never shown in a diagnostic or log.",
		kind: stringIn(func(r *resolved, v string) { r.ClientCertPEM = v })}
	clientKeyInput = input{name: "client_key_pem", sensitive: true, ephemeralValue: true,
		description: "The private key of `client_cert_pem`, PEM-encoded and unencrypted: PKCS#1, PKCS#8 or SEC1 " +
			"(EC). It must belong to the certificate. An encrypted key is refused: decrypt it first, for example " +
			"with `openssl pkey -in key.pem -out key-plain.pem`. Never shown in a diagnostic or log.",
		kind: stringIn(func(r *resolved, v string) { r.ClientKeyPEM = v })}
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
	if form := in.kind.envForm(); form != "" {
		d = fmt.Sprintf("%s May also come from the `%s` environment variable, %s.", in.description, t.envVar(in), form)
	}
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
		stringOutput("access_token", "The access token. Sensitive.", true,
			func(t *grant.Token) string { return t.AccessToken }),
		stringOutput("token_type", "The token type the server reported, usually `Bearer`; null when it sent none.", false,
			func(t *grant.Token) string { return t.TokenType }),
		int64Output("expires_in", "The token's lifetime in seconds: the server's `expires_in`, or, when it sent none, "+
			"the time to the access token's JWT `exp` claim. Null when neither exists.",
			func(t *grant.Token) types.Int64 {
				if t.ExpiresAt.IsZero() {
					return types.Int64Null()
				}
				return types.Int64Value(t.ExpiresIn)
			}),
		stringOutput("expires_at", "When the access token expires, RFC 3339 in UTC. Null when the expiry is unknown.", false,
			func(t *grant.Token) string {
				if t.ExpiresAt.IsZero() {
					return ""
				}
				return t.ExpiresAt.UTC().Format("2006-01-02T15:04:05Z07:00")
			}),
		stringListOutput("scopes", "The granted scopes: the response's `scope`, else the access token's JWT `scopes` or `scope` claim, else the requested `scope`.",
			func(t *grant.Token) []string { return t.Scopes }),
		stringOutput("refresh_token", "The refresh token, when the server issued one; otherwise null. Sensitive.", true,
			func(t *grant.Token) string { return t.RefreshToken }),
	}
}

// registered holds every token type; each type's file registers its value, so adding a type
// touches no file but its own.
var registered = map[string]tokenType{}

func register(t tokenType) tokenType {
	t.inputs = append(t.inputs, minValidityInput, clientCertInput, clientKeyInput) // every type, both kinds
	registered[t.name] = t
	return t
}

// tokenTypes lists every type the provider serves, by name.
func tokenTypes() []tokenType {
	var out []tokenType
	for _, name := range slices.Sorted(maps.Keys(registered)) {
		out = append(out, registered[name])
	}
	return out
}
