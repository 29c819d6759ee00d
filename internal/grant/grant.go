// Package grant runs OAuth 2.0 token grants: it builds each API's request exactly as its
// documentation describes it (one file per API: tenn.go, oauth2.go, ...), sends it with
// retries and limits, and parses the answer into a Token or a typed *Error. It imports nothing
// from Terraform and names none of the provider's attributes, so it can be tested and benchmarked
// on its own against internal/tokenserver; internal/provider words its errors for Terraform users.
package grant

import (
	"bytes"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"time"
)

// Request is one grant, with every input already resolved (configuration, environment, defaults).
type Request struct {
	API          *API
	TokenURL     string
	ClientID     string
	ClientSecret string
	Username     string // password grants only
	Password     string // password grants only
	Scope        string // space-separated; empty means "whatever the server grants by default"
	// The generic OAuth2 API (oauth2.go) reads these; the fixed APIs leave them empty.
	Issuer        string // discovery: the token URL comes from its metadata when TokenURL is empty
	GrantType     string // client_credentials (default), password or refresh_token
	ClientAuth    string // client_secret_basic (default), client_secret_post, private_key_jwt, client_secret_jwt, federated_jwt or none
	PrivateKeyPEM string // private_key_jwt: an RSA or P-256 key
	PrivateKeyID  string // private_key_jwt: the key's kid
	// PrivateKeyCertPEM is private_key_jwt's X.509 certificate for PrivateKeyPEM, when the server
	// knows the key by its certificate (Entra): its thumbprints go in the assertion header.
	PrivateKeyCertPEM string
	// ClientCertPEM and ClientKeyPEM are a TLS client certificate (a chain, leaf first) and its
	// private key, presented in the handshake with the token and revocation endpoints
	// (clientcert.go). Neither PEM is ever quoted; the key is a secret.
	ClientCertPEM string
	ClientKeyPEM  string
	RefreshToken  string            // refresh_token grant
	Audience      string            // the Auth0/Okta audience extension
	Resource      []string          // RFC 8707 resource indicators
	ExtraParams   map[string]string // further form parameters
	// The GitHub App API (github_app.go) reads these; the other APIs leave them empty. The app's
	// private key is PrivateKeyPEM, its client ID ClientID.
	APIURL         string            // the REST API's base URL: https://api.github.com, or https://HOST/api/v3
	AppID          string            // the app's numeric ID, the JWT's issuer when ClientID is empty
	InstallationID string            // the installation; empty: found from Owner (and Repositories)
	Owner          string            // the organization or user that installed the app
	Repositories   []string          // names without the owner, to narrow the token to
	Permissions    map[string]string // permission name to read, write or admin, to narrow the token to
	// MinValidity is how long the token handed out must stay valid from that moment: a reused
	// token with less left is replaced, and a fresh one that lives shorter is an error.
	MinValidity time.Duration
	// Secretless pipelines (jobtoken.go): the CI job's own token, from exactly one of SubjectToken,
	// SubjectTokenFile and SubjectTokenSource, obtained inside every Grant and never kept.
	SubjectToken       string
	SubjectTokenFile   string
	SubjectTokenSource JobTokenSource
	SubjectTokenType   string // jwt (default), id_token, access_token, or any token type URI
	RequestedTokenType string // RFC 8693 requested_token_type, the same short names or a URI
	ActorToken         string // RFC 8693 actor_token
	ActorTokenType     string // its type, jwt by default
	// jobToken is the job token obtained for this attempt at the grant (Client.jobToken).
	jobToken string
	// RevokeOnClose asks for the token to be revoked (RFC 7009) when the caller is done with it:
	// Grant holds it for the caller (Token.Lease), and the last Release revokes it. Revoking
	// requests share tokens only with each other. RevocationURL is the endpoint; empty, the
	// issuer's metadata names it.
	RevokeOnClose bool
	RevocationURL string
	// ReuseGroup keeps tokens apart: identical grants share a token only within one group. The
	// provider never lets a token it stores in state serve an ephemeral resource.
	ReuseGroup string
}

// Secrets lists the request's values that must never appear in a log line, error or
// diagnostic: the client secret, the password, the refresh token, the keys, and the Basic
// credentials exactly as the API sends them.
func (r Request) Secrets() []string {
	var basic string
	if r.API != nil && r.API.basic != nil {
		basic = r.API.basic(r)
	}
	return nonEmpty(r.ClientSecret, r.Password, basic, r.RefreshToken, r.PrivateKeyPEM, r.ClientKeyPEM,
		r.SubjectToken, r.ActorToken, r.jobToken)
}

// LogMask matches every form in which the request's secrets may travel or be echoed (see
// SecretForms), in any letter case; nil when none is long enough to mask without garbling every
// line. Grant withholds server text rather than mask such a short secret.
func (r Request) LogMask() *regexp.Regexp { return newRedactor(r.Secrets()).logMask() }

// Token is a successful grant's result.
type Token struct {
	AccessToken  string
	TokenType    string
	RefreshToken string
	IDToken      string // OpenID Connect, when the server issued one
	Scopes       []string
	JTI          string
	// ExpiresIn is the lifetime in seconds: the server's expires_in, or, when it sent none, the time
	// from the response to the access token's JWT exp claim. Zero together with a zero ExpiresAt
	// means the expiry is unknown.
	ExpiresIn int64
	// ExpiresAt is when the access token expires; zero when neither expires_in nor a JWT exp says.
	ExpiresAt time.Time
	// Lease is this caller's hold on the token, for Release; set only for a RevokeOnClose request.
	Lease string
	// Slow is set when the grant needed retries or waited on a Retry-After (breaker.go).
	Slow *Slow
	// IssuedTokenType is RFC 8693's issued_token_type, when the server sent one.
	IssuedTokenType string
	// Caveats are what the grant went through that deserves a warning (jobtoken.go).
	Caveats []Caveat
	// Installation is what a GitHub App token may do (github_app.go); nil for the other APIs.
	Installation *Installation
}

// Secrets returns the token values a caller must mask in logs.
func (t *Token) Secrets() []string { return nonEmpty(t.AccessToken, t.RefreshToken, t.IDToken) }

func (t *Token) clone() *Token {
	c := *t
	c.Scopes = append([]string{}, t.Scopes...)
	c.Caveats = append([]Caveat(nil), t.Caveats...)
	if t.Installation != nil {
		i := *t.Installation
		i.Permissions = maps.Clone(i.Permissions)
		i.Repositories = slices.Clone(i.Repositories)
		c.Installation = &i
	}
	return &c
}

// newHTTPRequest builds the request the API documents.
func newHTTPRequest(r Request, userAgent string) (*http.Request, error) {
	body, header, err := r.API.encode(r)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, r.TokenURL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = header
	if userAgent != "" {
		req.Header.Set("User-Agent", userAgent)
	}
	return req, nil
}

func nonEmpty(values ...string) []string {
	out := values[:0:0]
	for _, v := range values {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
