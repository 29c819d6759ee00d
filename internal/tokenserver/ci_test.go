package tokenserver_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// ciCall sends method to url with the Authorization header and body, and returns the status and
// the decoded JSON object of the answer.
func ciCall(t *testing.T, method, url, authorization, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return resp.StatusCode, m
}

// verifyWithJWKS checks a job token's RS256 signature against the CI issuer's published JWKS, as a
// trusting server would, and returns its claims.
func verifyWithJWKS(t *testing.T, base, token string) map[string]any {
	t.Helper()
	status, disco := ciCall(t, http.MethodGet, base+tokenserver.CIDiscoveryPath, "", "")
	if status != http.StatusOK || disco["issuer"] != tokenserver.CIIssuer(base) {
		t.Fatalf("CI discovery: %d %v", status, disco)
	}
	status, jwks := ciCall(t, http.MethodGet, disco["jwks_uri"].(string), "", "")
	keys, _ := jwks["keys"].([]any)
	if status != http.StatusOK || len(keys) != 1 {
		t.Fatalf("JWKS: %d %v", status, jwks)
	}
	k := keys[0].(map[string]any)
	n, _ := base64.RawURLEncoding.DecodeString(k["n"].(string))
	e, _ := base64.RawURLEncoding.DecodeString(k["e"].(string))
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatal("the job token is not a JWS")
	}
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
		t.Fatalf("the job token does not verify with the JWKS: %v", err)
	}
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

// TestCIMintEndpoints: each platform's mint endpoint hands out a job token, signed by the key in
// the CI issuer's JWKS, for the audience asked, only with the job's request token.
func TestCIMintEndpoints(t *testing.T) {
	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	for _, tc := range []struct {
		name, method, url, authorization, body, field, wantAud string
	}{
		{"github", http.MethodGet, tokenserver.GitHubRequestURL(ts.URL) + "&audience=api%3A%2F%2Fx", "bearer " + tokenserver.GitHubRequestToken, "", "value", "api://x"},
		{"azure", http.MethodPost, tokenserver.AzureRequestURI(ts.URL) + "?api-version=7.1&serviceConnectionId=" + tokenserver.AzureServiceConnectionID,
			"Bearer " + tokenserver.AzureSystemAccessToken, "", "oidcToken", tokenserver.JobTokenAudience},
		{"buildkite", http.MethodPost, tokenserver.BuildkiteAgentEndpoint(ts.URL) + "/jobs/" + tokenserver.BuildkiteJobID + "/oidc/tokens",
			"Token " + tokenserver.BuildkiteAgentToken, `{"audience":"api://y"}`, "token", "api://y"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, answer := ciCall(t, tc.method, tc.url, tc.authorization, tc.body)
			token, _ := answer[tc.field].(string)
			if status != http.StatusOK || token == "" {
				t.Fatalf("status %d, no %s in the answer", status, tc.field)
			}
			claims := verifyWithJWKS(t, ts.URL, token)
			if claims["iss"] != tokenserver.CIIssuer(ts.URL) || claims["sub"] != tokenserver.CIJobSubject || claims["aud"] != tc.wantAud {
				t.Errorf("claims iss %v sub %v aud %v", claims["iss"], claims["sub"], claims["aud"])
			}
			if status, _ := ciCall(t, tc.method, tc.url, tc.authorization+"x", tc.body); status != http.StatusUnauthorized {
				t.Errorf("a wrong request token got %d, want 401", status)
			}
		})
	}
	if n := srv.JobTokensMinted(); n != 3 {
		t.Errorf("%d job tokens minted, want 3", n)
	}
	status, answer := ciCall(t, http.MethodGet, ts.URL+tokenserver.GitHubMintPath+"?audience=x", "bearer "+tokenserver.GitHubRequestToken, "")
	if status != http.StatusBadRequest || !strings.Contains(answer["error_description"].(string), "api-version") {
		t.Errorf("a request URL whose query was replaced (? instead of &): %d %v", status, answer)
	}
}

// exchangeRequest is an RFC 8693 token exchange of subject, without client authentication.
func exchangeRequest(subject string, extra ...string) request {
	r := request{api: tokenserver.OAuth2, method: http.MethodPost, header: http.Header{},
		body: form(append([]string{"grant_type", tokenserver.TokenExchangeGrant, "subject_token", subject,
			"subject_token_type", tokenserver.TokenTypeJWT}, extra...)...)}
	r.header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.header.Set("Accept", "application/json")
	return r
}

// TestTokenExchange: a job token of the CI issuer, with the expected aud and a trusted sub, is
// exchanged once (its jti cannot be replayed) for an access token, and every other job token is
// refused with invalid_grant saying why.
func TestTokenExchange(t *testing.T) {
	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	c := ts.Client()
	good := func(claims map[string]any) string {
		base := map[string]any{"sub": tokenserver.CIJobSubject, "aud": tokenserver.JobTokenAudience}
		for k, v := range claims {
			base[k] = v
		}
		return tokenserver.MintJobToken(ts.URL, base)
	}
	job := good(nil)
	answer := sendOK(t, c, ts, exchangeRequest(job, "audience", "https://api.example.com", "audience", "https://b.example.com"))
	if answer["issued_token_type"] != tokenserver.TokenTypeAccessToken || answer["token_type"] != "Bearer" {
		t.Errorf("answer %v, want an access token", keys(answer))
	}
	_, claims := jwtParts(t, answer["access_token"].(string))
	if claims["sub"] != tokenserver.CIJobSubject || len(claims["aud"].([]any)) != 2 {
		t.Errorf("the access token's sub %v and aud %v", claims["sub"], claims["aud"])
	}
	resp, body := send(t, c, ts, exchangeRequest(job))
	wantStatus(t, resp, http.StatusBadRequest)
	wantError(t, body, "invalid_grant")
	if !strings.Contains(string(body), "used before") {
		t.Errorf("a replayed job token: %s", body)
	}

	for name, tc := range map[string]struct {
		token string
		want  string
	}{
		"expired":             {good(map[string]any{"exp": time.Now().Add(-time.Minute).Unix()}), "has expired"},
		"another audience":    {good(map[string]any{"aud": "api://other"}), "aud must name"},
		"another issuer":      {tokenserver.MintJobToken("https://ci.example.com", map[string]any{"sub": tokenserver.CIJobSubject, "aud": tokenserver.JobTokenAudience}), "not a trusted issuer"},
		"untrusted sub":       {good(map[string]any{"sub": "repo:authtoken/demo:ref:refs/heads/feature"}), "no trust relationship"},
		"sub in another case": {good(map[string]any{"sub": strings.ToUpper(tokenserver.CIJobSubject)}), "case-sensitive"},
		"forged signature":    {job[:strings.LastIndex(job, ".")] + ".c2lnbmF0dXJl", "signature does not verify"},
	} {
		t.Run(name, func(t *testing.T) {
			resp, body := send(t, c, ts, exchangeRequest(tc.token))
			wantStatus(t, resp, http.StatusBadRequest)
			wantError(t, body, "invalid_grant")
			if !strings.Contains(string(body), tc.want) {
				t.Errorf("%s: %s, want it to say %q", name, body, tc.want)
			}
		})
	}

	jwtBearer := request{api: tokenserver.OAuth2, method: http.MethodPost, header: http.Header{},
		body: form("grant_type", tokenserver.JWTBearerGrant, "assertion", good(nil))}
	jwtBearer.header.Set("Content-Type", "application/x-www-form-urlencoded")
	jwtBearer.header.Set("Accept", "application/json")
	if answer := sendOK(t, c, ts, jwtBearer); answer["issued_token_type"] != nil {
		t.Errorf("a JWT bearer grant answered with an issued_token_type")
	}
	if n := len(srv.IssuedFor(tokenserver.OAuth2)); n != 2 {
		t.Errorf("%d access tokens issued, want 2", n)
	}
}

// TestFederatedClient: a federated client authenticates with a job token as its client assertion
// (no secret), whose sub matches the registered subject exactly and case-sensitively, as Entra's
// federated credentials do.
func TestFederatedClient(t *testing.T) {
	_, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	c := ts.Client()
	post := func(sub string) request {
		job := tokenserver.MintJobToken(ts.URL, map[string]any{"sub": sub, "aud": tokenserver.JobTokenAudience})
		r := request{api: tokenserver.OAuth2, method: http.MethodPost, header: http.Header{}, body: form("grant_type", "client_credentials",
			"client_id", tokenserver.OAuth2FederatedClientID, "client_assertion_type", tokenserver.ClientAssertionType, "client_assertion", job)}
		r.header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.header.Set("Accept", "application/json")
		return r
	}
	sendOK(t, c, ts, post(tokenserver.CIJobSubject))
	resp, body := send(t, c, ts, post(strings.Replace(tokenserver.CIJobSubject, "main", "Main", 1)))
	wantStatus(t, resp, http.StatusUnauthorized)
	wantError(t, body, "invalid_client")
	if !strings.Contains(string(body), "exactly (case-sensitive)") {
		t.Errorf("a subject in another case: %s", body)
	}
}

// TestRefuseAuthorization: in the Google STS mode, a token exchange carries no client
// authentication, and any Authorization header is refused.
func TestRefuseAuthorization(t *testing.T) {
	cfg := tokenserver.DefaultConfig()
	cfg.RefuseAuthorization = true
	_, ts := testsupport.TokenServer(t, cfg)
	job := func() string {
		return tokenserver.MintJobToken(ts.URL, map[string]any{"sub": tokenserver.CIJobSubject, "aud": tokenserver.JobTokenAudience})
	}
	sendOK(t, ts.Client(), ts, exchangeRequest(job()))
	r := exchangeRequest(job())
	r.header.Set("Authorization", testsupport.Basic(tokenserver.OAuth2ClientID, "x"))
	resp, body := send(t, ts.Client(), ts, r)
	wantStatus(t, resp, http.StatusBadRequest)
	if !strings.Contains(string(body), "takes no Authorization header") {
		t.Errorf("an Authorization header in STS mode: %s", body)
	}
}
