package grant_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// jobEnv is a CI job's environment, for Config.Getenv: the tests need no process environment.
func jobEnv(kv map[string]string) func(*grant.Config) {
	return func(c *grant.Config) { c.Getenv = func(k string) string { return kv[k] } }
}

// ciEnv is every platform's environment pointing at the token server at base, with the job tokens
// of the platforms that put one in a variable.
func ciEnv(base string) map[string]string {
	job := tokenserver.MintJobToken(base, map[string]any{"sub": tokenserver.CIJobSubject, "aud": tokenserver.JobTokenAudience})
	return map[string]string{
		"ACTIONS_ID_TOKEN_REQUEST_URL":    tokenserver.GitHubRequestURL(base),
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN":  tokenserver.GitHubRequestToken,
		"SYSTEM_OIDCREQUESTURI":           tokenserver.AzureRequestURI(base),
		"SYSTEM_ACCESSTOKEN":              tokenserver.AzureSystemAccessToken,
		"BUILDKITE_AGENT_ENDPOINT":        tokenserver.BuildkiteAgentEndpoint(base),
		"BUILDKITE_AGENT_ACCESS_TOKEN":    tokenserver.BuildkiteAgentToken,
		"BUILDKITE_JOB_ID":                tokenserver.BuildkiteJobID,
		"GITLAB_OIDC_TOKEN":               job,
		"TFC_WORKLOAD_IDENTITY_TOKEN_AWS": tokenserver.MintJobToken(base, map[string]any{"sub": tokenserver.CIJobSubject, "aud": tokenserver.JobTokenAudience}),
		"CIRCLE_OIDC_TOKEN_V2":            tokenserver.MintJobToken(base, map[string]any{"sub": tokenserver.CIJobSubject, "aud": tokenserver.JobTokenAudience}),
		"SPACELIFT_OIDC_TOKEN":            tokenserver.MintJobToken(base, map[string]any{"sub": tokenserver.CIJobSubject, "aud": tokenserver.JobTokenAudience}),
		"ENV0_OIDC_TOKEN":                 tokenserver.MintJobToken(base, map[string]any{"sub": tokenserver.CIJobSubject, "aud": tokenserver.JobTokenAudience}),
	}
}

// exchangeRequest is a token exchange at the token server at base, with no client authentication.
func exchangeRequest(base string) grant.Request {
	return grant.Request{API: grant.OAuth2, TokenURL: tokenserver.TokenURL(base, tokenserver.OAuth2), GrantType: grant.GrantTokenExchange}
}

// TestJobTokenSources: every source's job token reaches the trusting server and is exchanged: each
// platform, the file and the literal, through token exchange, the JWT bearer grant and a federated
// client.
func TestJobTokenSources(t *testing.T) {
	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	sources := map[string]grant.JobTokenSource{
		"github_actions":  {Type: "github_actions", Audience: tokenserver.JobTokenAudience},
		"azure_pipelines": {Type: "azure_pipelines", ServiceConnectionID: tokenserver.AzureServiceConnectionID},
		"buildkite":       {Type: "buildkite", Audience: tokenserver.JobTokenAudience},
		"gitlab":          {Type: "gitlab", Env: "GITLAB_OIDC_TOKEN"},
		"hcp_terraform":   {Type: "hcp_terraform", Tag: "aws"},
		"circleci":        {Type: "circleci"},
		"spacelift":       {Type: "spacelift"},
		"env0":            {Type: "env0"},
	}
	if len(sources) != len(grant.JobTokenSourceTypes()) {
		t.Fatalf("the test covers %d sources, the grant core has %d", len(sources), len(grant.JobTokenSourceTypes()))
	}
	for name, source := range sources {
		t.Run(name, func(t *testing.T) {
			c := newClient(t, jobEnv(ciEnv(ts.URL)))
			r := exchangeRequest(ts.URL)
			r.SubjectTokenSource = source
			tok, err := c.Grant(context.Background(), r)
			if err != nil {
				t.Fatal(err)
			}
			if tok.IssuedTokenType != tokenserver.TokenTypeAccessToken || tok.AccessToken == "" {
				t.Errorf("issued token type %q", tok.IssuedTokenType)
			}
		})
	}

	c := newClient(t, jobEnv(ciEnv(ts.URL)))
	file := filepath.Join(t.TempDir(), "token")
	testsupport.WriteFile(t, file, tokenserver.MintJobToken(ts.URL, map[string]any{"sub": tokenserver.CIJobSubject, "aud": tokenserver.JobTokenAudience})+"\n")
	bearer := grant.Request{API: grant.OAuth2, TokenURL: tokenserver.TokenURL(ts.URL, tokenserver.OAuth2),
		GrantType: "urn:ietf:params:oauth:grant-type:jwt-bearer", SubjectTokenFile: file}
	if tok, err := c.Grant(context.Background(), bearer); err != nil || tok.IssuedTokenType != "" {
		t.Errorf("JWT bearer grant from a file: %v", err)
	}
	federated := grant.Request{API: grant.OAuth2, TokenURL: tokenserver.TokenURL(ts.URL, tokenserver.OAuth2),
		ClientID: tokenserver.OAuth2FederatedClientID, ClientAuth: grant.ClientAuthFederatedJWT,
		SubjectTokenSource: grant.JobTokenSource{Type: "github_actions", Audience: tokenserver.JobTokenAudience}}
	if _, err := c.Grant(context.Background(), federated); err != nil {
		t.Errorf("federated client credentials: %v", err)
	}
	literal := exchangeRequest(ts.URL)
	literal.SubjectToken = tokenserver.MintJobToken(ts.URL, map[string]any{"sub": tokenserver.CIJobSubject, "aud": tokenserver.JobTokenAudience})
	literal.ActorToken = tokenserver.MintJobToken(ts.URL, map[string]any{"sub": "actor", "aud": tokenserver.JobTokenAudience})
	if _, err := c.Grant(context.Background(), literal); err != nil {
		t.Errorf("a literal subject token with an actor token: %v", err)
	}
	if got := srv.LastRequest(tokenserver.OAuth2).Header.Get("Authorization"); got != "" {
		t.Error("a token exchange without a client sent an Authorization header")
	}
}

// TestJobTokenIsFresh: every grant obtains its job token anew, and identical grants do not share
// their result: a platform's tokens live minutes, and a server that accepts each once refuses the
// one exchanged before.
func TestJobTokenIsFresh(t *testing.T) {
	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	c := newClient(t, reuse(true), jobEnv(ciEnv(ts.URL)))
	r := exchangeRequest(ts.URL)
	r.SubjectTokenSource = grant.JobTokenSource{Type: "github_actions", Audience: tokenserver.JobTokenAudience}
	for range 2 {
		if _, err := c.Grant(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	if m, n := srv.JobTokensMinted(), srv.Requests(tokenserver.OAuth2); m != 2 || n != 2 {
		t.Errorf("two grants minted %d job tokens and sent %d exchanges, want 2 and 2", m, n)
	}
	// A file is read again too: the kubelet rotates projected service account tokens.
	file := filepath.Join(t.TempDir(), "token")
	fromFile := exchangeRequest(ts.URL)
	fromFile.SubjectTokenFile = file
	for i := range 2 {
		testsupport.WriteFile(t, file, tokenserver.MintJobToken(ts.URL, map[string]any{"sub": tokenserver.CIJobSubject, "aud": tokenserver.JobTokenAudience}))
		if _, err := c.Grant(context.Background(), fromFile); err != nil {
			t.Fatalf("grant %d from a rotated file: %v", i+1, err)
		}
	}
}

// TestJobTokenChecksBeforeSending: an expired job token is an error naming its exp and its source,
// and nothing is sent; an aud without the audience the source asked for is a caveat; a platform
// that gave the job no token is an error naming what to set.
func TestJobTokenChecksBeforeSending(t *testing.T) {
	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	expired := tokenserver.MintJobToken(ts.URL, map[string]any{"sub": tokenserver.CIJobSubject, "aud": tokenserver.JobTokenAudience,
		"exp": time.Now().Add(-2 * time.Minute).Unix()})
	r := exchangeRequest(ts.URL)
	r.SubjectTokenSource = grant.JobTokenSource{Type: "circleci"}
	_, err := newClient(t, jobEnv(map[string]string{"CIRCLE_OIDC_TOKEN_V2": expired})).Grant(context.Background(), r)
	var ge *grant.Error
	if !errors.As(err, &ge) || ge.Kind != grant.KindConfig || ge.Setting != grant.SettingSubjectTokenSource ||
		!strings.Contains(ge.Error(), "the job token from CircleCI expired at") {
		t.Errorf("an expired job token: %v", err)
	}
	testsupport.AssertNoSecret(t, "the expired token's error", ge.Error(), expired)

	other := tokenserver.MintJobToken(ts.URL, map[string]any{"sub": tokenserver.CIJobSubject, "aud": []string{tokenserver.JobTokenAudience, "sts.amazonaws.com"}})
	r.SubjectTokenSource = grant.JobTokenSource{Type: "circleci", Audience: "api://wanted"}
	tok, err := newClient(t, jobEnv(map[string]string{"CIRCLE_OIDC_TOKEN_V2": other})).Grant(context.Background(), r)
	if err != nil || len(tok.Caveats) != 1 || tok.Caveats[0].Kind != grant.CaveatJobTokenAudience || tok.Caveats[0].Want != "api://wanted" {
		t.Errorf("an aud without the audience asked for: %v, caveats %+v", err, tok)
	}

	for name, tc := range map[string]struct {
		source grant.JobTokenSource
		want   string
	}{
		"github_actions":  {grant.JobTokenSource{Type: "github_actions"}, "permissions: id-token: write"},
		"azure_pipelines": {grant.JobTokenSource{Type: "azure_pipelines"}, "SYSTEM_OIDCREQUESTURI is not set"},
		"hcp_terraform":   {grant.JobTokenSource{Type: "hcp_terraform", Tag: "aws"}, "TFC_WORKLOAD_IDENTITY_AUDIENCE_AWS"},
		"gitlab":          {grant.JobTokenSource{Type: "gitlab", Env: "MY_TOKEN"}, "id_tokens:"},
		"circleci":        {grant.JobTokenSource{Type: "circleci"}, "context"},
	} {
		r.SubjectTokenSource = tc.source
		_, err := newClient(t, jobEnv(nil)).Grant(context.Background(), r)
		if !errors.As(err, &ge) || ge.Kind != grant.KindConfig || !strings.Contains(ge.Error(), tc.want) {
			t.Errorf("%s without its token: %v, want it to say %q", name, err, tc.want)
		}
	}
	if n := srv.Requests(tokenserver.OAuth2); n != 1 {
		t.Errorf("%d token requests, want 1 (the one with a good token)", n)
	}
}

// TestRefusedJobTokenIsDescribed: when the server refuses the exchange, the error carries the job
// token's iss, sub and aud, the first thing to compare with the trust relationship, never the token.
func TestRefusedJobTokenIsDescribed(t *testing.T) {
	_, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	job := tokenserver.MintJobToken(ts.URL, map[string]any{"sub": "repo:authtoken/demo:ref:refs/heads/feature", "aud": tokenserver.JobTokenAudience})
	r := exchangeRequest(ts.URL)
	r.SubjectToken = job
	_, err := newClient(t).Grant(context.Background(), r)
	var ge *grant.Error
	if !errors.As(err, &ge) || ge.Reason() != grant.ReasonJobTokenRefused || ge.JobToken == nil {
		t.Fatalf("want a refused job token with its claims, got %v", err)
	}
	if c := ge.JobToken; c.Iss != tokenserver.CIIssuer(ts.URL) || c.Sub != "repo:authtoken/demo:ref:refs/heads/feature" ||
		len(c.Aud) != 1 || c.Aud[0] != tokenserver.JobTokenAudience || c.Source != "the subject token" {
		t.Errorf("claims %+v", *c)
	}
	testsupport.AssertNoSecret(t, "the refusal", ge.Error(), job)
}

// TestMintedJobTokenIsMintedAgain: a minted job token the server refuses as invalid_grant is
// minted once more, and the second one exchanged.
func TestMintedJobTokenIsMintedAgain(t *testing.T) {
	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	var refused atomic.Int32
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == tokenserver.OAuth2Path && refused.Add(1) == 1 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_grant","error_description":"the subject token has been used before"}`))
			return
		}
		proxyTo(w, r, ts.URL+r.URL.RequestURI())
	}))
	defer front.Close()
	r := exchangeRequest(front.URL)
	r.SubjectTokenSource = grant.JobTokenSource{Type: "github_actions", Audience: tokenserver.JobTokenAudience}
	if _, err := newClient(t, jobEnv(ciEnv(ts.URL))).Grant(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if m := srv.JobTokensMinted(); m != 2 {
		t.Errorf("%d job tokens minted, want 2: one refused, one exchanged", m)
	}
	// A token the job gave itself cannot be made again: one try.
	refused.Store(0)
	r.SubjectTokenSource = grant.JobTokenSource{}
	r.SubjectToken = tokenserver.MintJobToken(ts.URL, map[string]any{"sub": tokenserver.CIJobSubject, "aud": tokenserver.JobTokenAudience})
	if _, err := newClient(t).Grant(context.Background(), r); err == nil || refused.Load() != 1 {
		t.Errorf("a literal job token refused: error %v after %d requests, want an error after 1", err, refused.Load())
	}
}

// TestJobTokensNeverInErrors: a server that echoes the whole request (headers and body) shows
// neither the job token nor the platform's request token in the error.
func TestJobTokensNeverInErrors(t *testing.T) {
	_, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.WriteHeader(http.StatusBadRequest)
		//nolint:gosec // G705: a hostile test server echoes what it received, on purpose
		_, _ = w.Write([]byte("<html>you sent " + r.Header.Get("Authorization") + " and " + string(body) + " decoded " + decoded(body) + "</html>"))
	}))
	defer echo.Close()
	env := ciEnv(ts.URL)
	for name, r := range map[string]grant.Request{
		"exchange": {API: grant.OAuth2, TokenURL: echo.URL, GrantType: grant.GrantTokenExchange,
			SubjectTokenSource: grant.JobTokenSource{Type: "github_actions", Audience: tokenserver.JobTokenAudience}},
		"federated": {API: grant.OAuth2, TokenURL: echo.URL, ClientID: "c", ClientAuth: grant.ClientAuthFederatedJWT,
			SubjectTokenSource: grant.JobTokenSource{Type: "gitlab", Env: "GITLAB_OIDC_TOKEN"}},
	} {
		var logged testsupport.LockedBuffer
		c := newClient(t, jobEnv(env), func(c *grant.Config) {
			c.OnAttempt = func(_ context.Context, a grant.Attempt) { _, _ = logged.Write([]byte(a.Err)) }
		})
		_, err := c.Grant(context.Background(), r)
		if err == nil {
			t.Fatalf("%s: the echo server's 400 was accepted", name)
		}
		for where, text := range map[string]string{"the error": err.Error(), "the attempt log": logged.String()} {
			testsupport.AssertNoSecret(t, name+": "+where, text, env["GITLAB_OIDC_TOKEN"], tokenserver.GitHubRequestToken)
			if strings.Contains(text, "eyJ") {
				t.Errorf("%s: %s holds a JWT-shaped string", name, where)
			}
		}
	}
}

func decoded(body []byte) string {
	v, _ := url.ParseQuery(string(body))
	return v.Encode()
}

// TestMetadataCaveats: an issuer whose metadata lists the grant types and client authentication
// methods it supports, without the ones configured, gives a caveat for each; the grant goes ahead.
// (A federated client's method is checked as private_key_jwt: TestFederatedMethodIsPrivateKeyJWT.)
func TestMetadataCaveats(t *testing.T) {
	_, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	m := newMetadataServer(t)
	m.docs["/.well-known/oauth-authorization-server"] = map[string]any{"issuer": m.URL,
		"token_endpoint": tokenserver.TokenURL(ts.URL, tokenserver.OAuth2), "grant_types_supported": []string{"client_credentials"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic"}}
	r := grant.Request{API: grant.OAuth2, Issuer: m.URL, GrantType: grant.GrantTokenExchange, SubjectToken: tokenserver.MintJobToken(ts.URL, map[string]any{"sub": tokenserver.CIJobSubject, "aud": tokenserver.JobTokenAudience})}
	tok, err := newClient(t).Grant(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[grant.CaveatKind]string{}
	for _, c := range tok.Caveats {
		kinds[c.Kind] = c.Want
	}
	if kinds[grant.CaveatGrantTypeNotAdvertised] != "urn:ietf:params:oauth:grant-type:token-exchange" ||
		kinds[grant.CaveatAuthMethodNotAdvertised] != grant.ClientAuthNone {
		t.Errorf("caveats %+v", tok.Caveats)
	}
}
