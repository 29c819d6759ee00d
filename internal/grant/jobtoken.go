package grant

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"
)

// Secretless pipelines: the CI job's own OIDC token (the "job token") goes to the authorization
// server instead of a stored secret, as a token exchange's subject_token (RFC 8693), a JWT bearer
// grant's assertion (RFC 7523 2.1), or a federated client assertion. It comes from exactly one of
// Request.SubjectToken, SubjectTokenFile and SubjectTokenSource, and is obtained inside every
// Grant, never kept: platform tokens live minutes, HCP Terraform mints one per phase, and a server
// that accepts each jti once would refuse at apply the token exchanged at plan.

// JobTokenSource is a CI platform that hands its jobs a signed OIDC token (jobtoken_platforms.go).
type JobTokenSource struct {
	Type     string // the platform: github_actions, gitlab, hcp_terraform, ...
	Audience string // the aud to mint the token for, on platforms that mint on request; else the aud it must have
	// The platform's own settings.
	Env                 string // gitlab: the variable the job's id_tokens: defines
	Tag                 string // hcp_terraform: the workload identity tag (TFC_WORKLOAD_IDENTITY_TOKEN_<TAG>)
	ServiceConnectionID string // azure_pipelines: the service connection
}

// platform is one CI system's way of handing out job tokens. Each is one value in
// jobtoken_platforms.go.
type platform struct {
	name  string // JobTokenSource.Type: github_actions
	title string // as users know it, for messages: GitHub Actions
	// token returns the job token of platform p, reading the job's environment through getenv.
	// minted says it came from a request, which can be made again for a fresh token.
	token func(ctx context.Context, p *platform, c *Client, s JobTokenSource, getenv func(string) string) (token string, minted bool, err error)
}

var platforms = map[string]*platform{}

func registerPlatform(p *platform) *platform {
	platforms[p.name] = p
	return p
}

// JobTokenSourceTypes lists the platforms a JobTokenSource may name, sorted.
func JobTokenSourceTypes() []string {
	var out []string
	for name := range platforms {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// usesJobToken reports whether the request sends a job token: a token exchange, a JWT bearer
// grant or a federated client.
func (r Request) usesJobToken() bool {
	g := r.grantType()
	return g == GrantTokenExchange || g == GrantJWTBearer || r.ClientAuth == ClientAuthFederatedJWT
}

// jobTokenSetting is the input the job token comes from, for errors about it.
func (r Request) jobTokenSetting() Setting {
	switch {
	case r.SubjectTokenFile != "":
		return SettingSubjectTokenFile
	case r.SubjectTokenSource.Type != "":
		return SettingSubjectTokenSource
	}
	return SettingSubjectToken
}

// jobTokenOrigin names where the job token comes from, for messages: "GitHub Actions", "the file
// /var/run/...", "the subject token".
func (r Request) jobTokenOrigin() string {
	switch {
	case r.SubjectTokenFile != "":
		return "the file " + r.SubjectTokenFile
	case r.SubjectTokenSource.Type != "":
		if p := platforms[r.SubjectTokenSource.Type]; p != nil {
			return p.title
		}
		return r.SubjectTokenSource.Type
	}
	return "the subject token"
}

// checkJobTokenSource validates the job token inputs before anything is sent: exactly one of
// them, when the request uses one, and none when it does not.
func (r Request) checkJobTokenSource() *Error {
	fail := func(s Setting, msg string) *Error {
		return &Error{API: r.API, Kind: KindConfig, Setting: s, Message: msg}
	}
	n := 0
	for _, set := range []bool{r.SubjectToken != "", r.SubjectTokenFile != "", r.SubjectTokenSource.Type != ""} {
		if set {
			n++
		}
	}
	switch {
	case n > 1:
		return fail(r.jobTokenSetting(), "set one job token input: the subject token, the subject token file or the subject token source")
	case n == 0 && r.usesJobToken():
		return fail(SettingSubjectToken, "a job token is needed ("+r.jobTokenUse()+"): set the subject token, the subject token file or the subject token source")
	case n == 1 && !r.usesJobToken():
		return fail(r.jobTokenSetting(), "a job token is set but nothing sends it: use the token_exchange or jwt_bearer grant, or federated_jwt client authentication")
	case r.SubjectTokenSource.Type != "" && platforms[r.SubjectTokenSource.Type] == nil:
		return fail(SettingSubjectTokenSource, fmt.Sprintf("the subject token source type must be one of %s, not %q",
			strings.Join(JobTokenSourceTypes(), ", "), r.SubjectTokenSource.Type))
	case r.ActorToken == "" && r.ActorTokenType != "":
		return fail(SettingActorToken, "an actor token type is set without an actor token")
	case r.ActorToken != "" && r.grantType() != GrantTokenExchange:
		return fail(SettingActorToken, "an actor token goes only with the token_exchange grant")
	}
	return nil
}

func (r Request) jobTokenUse() string {
	switch r.grantType() {
	case GrantTokenExchange:
		return "the token_exchange grant sends it as subject_token"
	case GrantJWTBearer:
		return "the jwt_bearer grant sends it as assertion"
	}
	return "federated_jwt sends it as the client assertion"
}

// maxJobTokenBytes bounds a job token read from a file or a mint answer: they are a few KiB.
const maxJobTokenBytes = 64 << 10

// jobToken obtains the request's job token, fresh. minted says it came from a request that can be
// made again. Its errors never quote the token.
func (c *Client) jobToken(ctx context.Context, r Request) (token string, minted bool, err error) {
	switch {
	case r.SubjectToken != "":
		return r.SubjectToken, false, nil
	case r.SubjectTokenFile != "":
		// Read again at every grant: the kubelet rotates projected service account tokens.
		f, err := os.Open(r.SubjectTokenFile)
		if err == nil {
			defer f.Close()
			var b []byte
			b, err = io.ReadAll(io.LimitReader(f, maxJobTokenBytes+1))
			if err == nil && len(b) > maxJobTokenBytes {
				err = fmt.Errorf("it is larger than %d bytes", maxJobTokenBytes)
			}
			if tok := strings.TrimSpace(string(b)); err == nil && tok != "" {
				return tok, false, nil
			} else if err == nil {
				err = errors.New("it is empty")
			}
		}
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is in the message already
		}
		return "", false, &Error{API: r.API, Kind: KindConfig, Setting: SettingSubjectTokenFile,
			Message: fmt.Sprintf("the subject token file %s cannot be read: %v", r.SubjectTokenFile, err)}
	}
	p := platforms[r.SubjectTokenSource.Type]
	return p.token(ctx, p, c, r.SubjectTokenSource, c.getenv)
}

func (c *Client) getenv(name string) string {
	if c.cfg.Getenv != nil {
		return c.cfg.Getenv(name)
	}
	return os.Getenv(name)
}

// JobTokenClaims are what a diagnostic may say of a job token: the claims a trust relationship
// matches, never the token. Source is where it came from.
type JobTokenClaims struct {
	Source string
	Iss    string
	Sub    string
	Aud    []string
	Exp    time.Time // zero when it has none
}

// jobTokenClaims decodes a job token's claims without verifying it (the authorization server
// does); ok is false when it is not a JWT. Server-provided text is cleaned.
func jobTokenClaims(token, source string) (JobTokenClaims, bool) {
	var raw struct {
		Iss string          `json:"iss"`
		Sub string          `json:"sub"`
		Aud json.RawMessage `json:"aud"`
		Exp json.Number     `json:"exp"`
	}
	if !jwtClaims(token, &raw) {
		return JobTokenClaims{}, false
	}
	red := newRedactor(nil)
	c := JobTokenClaims{Source: source, Iss: red.show(raw.Iss, 200), Sub: red.show(raw.Sub, 200)}
	var one string
	var many []string
	switch {
	case json.Unmarshal(raw.Aud, &one) == nil && one != "":
		c.Aud = []string{red.show(one, 200)}
	case json.Unmarshal(raw.Aud, &many) == nil:
		for _, a := range many {
			c.Aud = append(c.Aud, red.show(a, 200))
		}
	}
	if raw.Exp != "" {
		c.Exp, _ = NumericDate(raw.Exp)
	}
	return c, true
}

// checkJobToken is what is checked of a job token before it is sent: an expired one is an error
// that names its exp and its source, and nothing is sent; an aud that lacks the audience the source
// asked for is a caveat (the server decides).
func (r Request) checkJobToken(token string, now time.Time) (JobTokenClaims, []Caveat, *Error) {
	claims, ok := jobTokenClaims(token, r.jobTokenOrigin())
	if !ok {
		return JobTokenClaims{}, nil, nil // an opaque token: the server alone can judge it
	}
	if !claims.Exp.IsZero() && !claims.Exp.After(now) {
		return claims, nil, &Error{API: r.API, Kind: KindConfig, Setting: r.jobTokenSetting(), JobToken: &claims,
			Message: fmt.Sprintf("the job token from %s expired at %s, %s ago; nothing was sent",
				claims.Source, claims.Exp.UTC().Format(time.RFC3339), now.Sub(claims.Exp).Round(time.Second))}
	}
	if want := r.SubjectTokenSource.Audience; want != "" && !slices.Contains(claims.Aud, want) {
		return claims, []Caveat{{Kind: CaveatJobTokenAudience, Want: want, Have: claims.Aud, Source: claims.Source}}, nil
	}
	return claims, nil, nil
}

// CaveatKind sorts what a successful grant went through that the user should hear of.
type CaveatKind int

// The caveats.
const (
	// CaveatJobTokenAudience: the job token's aud lacks the audience the source asked for.
	CaveatJobTokenAudience CaveatKind = iota + 1
	// CaveatGrantTypeNotAdvertised: the issuer's grant_types_supported lacks the grant type.
	CaveatGrantTypeNotAdvertised
	// CaveatAuthMethodNotAdvertised: the issuer's token_endpoint_auth_methods_supported lacks the method.
	CaveatAuthMethodNotAdvertised
	// CaveatClientCertExpiring: the TLS client certificate expires within ClientCertExpiryWarning
	// (clientcert.go); Expires says when.
	CaveatClientCertExpiring
)

// Caveat is something worth a warning about a grant that went ahead: what was wanted, and what
// the job token or the issuer's metadata has instead. It holds no secret.
type Caveat struct {
	Kind   CaveatKind
	Want   string
	Have   []string
	Source string // CaveatJobTokenAudience: where the job token came from
	// Expires is when the client certificate expires (CaveatClientCertExpiring).
	Expires time.Time
}

// mint fetches a job token from a platform's mint endpoint: one request built by build, with the
// retries, limits, TLS and redaction of a grant; field is the answer's JSON member that holds the
// token. secrets are the request tokens it carries.
func (c *Client) mint(ctx context.Context, p *platform, endpoint string, secrets []string,
	build func() (*http.Request, error), field string) (string, error) {
	api := &API{Name: p.name, Title: p.title + " OIDC", quirk: func(*Error) Reason { return ReasonJobTokenSource }}
	r := Request{API: api, TokenURL: endpoint}
	token, err := c.exchange(ctx, r, secrets, build, func(body []byte, _ time.Time, _ *redactor) (*Token, *Error) {
		var answer map[string]any
		if json.Unmarshal(body, &answer) != nil {
			return nil, &Error{Kind: KindResponse, Message: "the answer is not a JSON object"}
		}
		v, _ := answer[field].(string)
		if v == "" || len(v) > maxJobTokenBytes {
			return nil, &Error{Kind: KindResponse, Message: "the answer has no usable " + field}
		}
		return &Token{AccessToken: v}, nil
	})
	if err != nil {
		return "", err
	}
	return token.AccessToken, nil
}

// missingJobToken is the error of a platform that has not given the job what it needs: need says
// the exact setting, in the platform's own words.
func missingJobToken(p *platform, need string) error {
	return &Error{API: OAuth2, Kind: KindConfig, Setting: SettingSubjectTokenSource,
		Message: fmt.Sprintf("%s has not given this job an OIDC token: %s", p.title, need)}
}
