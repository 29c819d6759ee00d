package tokenserver

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"
)

// The CI side of secretless pipelines: an OpenID Connect issuer that signs job tokens, as GitHub
// Actions, GitLab, HCP Terraform and the others do, and the mint endpoints through which GitHub
// Actions, Azure Pipelines and Buildkite hand a job its token, each checking the job's request
// token. The oauth2 API trusts this issuer (oauth2_exchange.go): it exchanges its job tokens
// (RFC 8693, RFC 7523 2.1) and accepts them as federated client assertions.

// The CI issuer's paths. Its issuer is the server's base URL followed by CIIssuerPath.
const (
	CIIssuerPath    = "/ci"
	CIDiscoveryPath = CIIssuerPath + "/.well-known/openid-configuration"
	CIJWKSPath      = CIIssuerPath + "/jwks"
	// GitHubMintPath is ACTIONS_ID_TOKEN_REQUEST_URL's path; GitHub's URL carries a query already,
	// and the client adds &audience=.
	GitHubMintPath = CIIssuerPath + "/github/idtoken"
	// AzureMintPath is SYSTEM_OIDCREQUESTURI's path: POST ?api-version=7.1&serviceConnectionId=.
	AzureMintPath = CIIssuerPath + "/azure/oidctoken"
	// BuildkiteAgentPath is BUILDKITE_AGENT_ENDPOINT's path; the job's tokens are minted at
	// BuildkiteAgentPath + "/jobs/" + BuildkiteJobID + "/oidc/tokens".
	BuildkiteAgentPath = CIIssuerPath + "/buildkite/v3"
)

// The CI platforms' test values: the request tokens each mint endpoint accepts, the Buildkite job,
// and who the jobs are.
const (
	GitHubRequestToken       = "gh-request-token-0123456789abcdef" //nolint:gosec // G101: a test value, printed by the token server
	AzureSystemAccessToken   = "azure-system-access-token-0123456789"
	AzureServiceConnectionID = "5a8a3b0c-0000-4000-8000-000000000001"
	BuildkiteAgentToken      = "bk-agent-access-token-0123456789"
	BuildkiteJobID           = "01890000-0000-4000-8000-00000000b00c"
	// CIJobSubject is the sub of the jobs' tokens: what a trust relationship names, exactly.
	CIJobSubject = "repo:authtoken/demo:ref:refs/heads/main"
	// JobTokenAudience is the aud the oauth2 API requires of a job token, as Entra requires
	// api://AzureADTokenExchange.
	JobTokenAudience = "api://authtoken-exchange"
	// DefaultJobTokenLifetime is how long minted job tokens live: GitHub's live 5 minutes.
	DefaultJobTokenLifetime = 5 * time.Minute
)

// CIIssuer is the CI issuer's identifier on the server at base.
func CIIssuer(base string) string { return base + CIIssuerPath }

// GitHubRequestURL is ACTIONS_ID_TOKEN_REQUEST_URL for the server at base: with a query, as GitHub's is.
func GitHubRequestURL(base string) string { return base + GitHubMintPath + "?api-version=2.0" }

// AzureRequestURI is SYSTEM_OIDCREQUESTURI for the server at base.
func AzureRequestURI(base string) string { return base + AzureMintPath }

// BuildkiteAgentEndpoint is BUILDKITE_AGENT_ENDPOINT for the server at base.
func BuildkiteAgentEndpoint(base string) string { return base + BuildkiteAgentPath }

// ciKey is the CI issuer's signing key, made once per process.
var ciKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err) // crypto/rand does not fail
	}
	return k
})

// ciKeyID names the signing key in job token headers and the JWKS.
const ciKeyID = "ci-key-1"

// MintJobToken signs claims as the CI issuer of the server at base, as a CI platform signs a job's
// token: RS256, with the issuer's key ID. iss, iat and jti are filled in when claims leave them
// out; exp too, DefaultJobTokenLifetime away. Tests make expired, foreign or replayed tokens with it.
func MintJobToken(base string, claims map[string]any) string {
	now := time.Now()
	c := map[string]any{"iss": CIIssuer(base), "iat": now.Unix(), "nbf": now.Unix(),
		"exp": now.Add(DefaultJobTokenLifetime).Unix(), "jti": randomHex(16)}
	for k, v := range claims {
		c[k] = v
	}
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": ciKeyID})
	payload, err := json.Marshal(c)
	if err != nil {
		panic(err) // the test's own claims
	}
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	digest := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, ciKey(), crypto.SHA256, digest[:])
	if err != nil {
		panic(err)
	}
	return signing + "." + enc.EncodeToString(sig)
}

// mintJob is a job token of the server at base for audience, as the platforms' mint endpoints
// issue them; it counts as issued (a leak scan looks for it).
func (s *Server) mintJob(r *http.Request, audience string) string {
	claims := map[string]any{"sub": s.cfg.jobSubject(), "aud": audience,
		"exp": time.Now().Add(s.cfg.jobTokenLifetime()).Unix()}
	if audience == "" {
		delete(claims, "aud")
	}
	tok := MintJobToken(issuer(r), claims)
	s.mu.Lock()
	s.issued = append(s.issued, tok)
	s.jobMints++
	s.mu.Unlock()
	return tok
}

// JobTokensMinted counts the job tokens the mint endpoints have handed out.
func (s *Server) JobTokensMinted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.jobMints
}

func (c Config) jobSubject() string {
	if c.JobSubject != "" {
		return c.JobSubject
	}
	return CIJobSubject
}

func (c Config) jobTokenLifetime() time.Duration {
	if c.JobTokenLifetime > 0 {
		return c.JobTokenLifetime
	}
	return DefaultJobTokenLifetime
}

func init() {
	// The CI routes belong to no token API of the provider; they are served beside the oauth2 API,
	// which trusts their issuer.
	for _, sp := range specs {
		if sp.api == OAuth2 {
			sp.routes = append(sp.routes,
				route{path: CIDiscoveryPath, kind: "ci-metadata", serve: serveCIDiscovery},
				route{path: CIJWKSPath, kind: "ci-jwks", serve: serveCIJWKS},
				route{path: GitHubMintPath, kind: "ci-github", serve: (*Server).serveGitHubMint},
				route{path: AzureMintPath, kind: "ci-azure", serve: (*Server).serveAzureMint},
				route{path: BuildkiteAgentPath + "/jobs/" + BuildkiteJobID + "/oidc/tokens", kind: "ci-buildkite", serve: (*Server).serveBuildkiteMint})
		}
	}
}

func serveCIDiscovery(_ *Server, w *response, r *http.Request, _ apiSpec) {
	iss := CIIssuer(issuer(r))
	writeJSON(w, http.StatusOK, map[string]any{"issuer": iss, "jwks_uri": issuer(r) + CIJWKSPath,
		"subject_types_supported": []string{"public"}, "response_types_supported": []string{"id_token"},
		"id_token_signing_alg_values_supported": []string{"RS256"}, "claims_supported": []string{"sub", "aud", "exp", "iat", "iss", "jti"}})
}

func serveCIJWKS(_ *Server, w *response, _ *http.Request, _ apiSpec) {
	pub := ciKey().PublicKey
	enc := base64.RawURLEncoding
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": ciKeyID,
		"n": enc.EncodeToString(pub.N.Bytes()), "e": enc.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}

// serveGitHubMint is GitHub Actions' ID token endpoint: GET with the job's request token as a
// bearer token, the audience in the query; the answer is {"value": <jwt>}.
func (s *Server) serveGitHubMint(w *response, r *http.Request, _ apiSpec) {
	if !mintRequest(w, r, http.MethodGet, "bearer "+GitHubRequestToken, "ACTIONS_ID_TOKEN_REQUEST_TOKEN") {
		return
	}
	if r.URL.Query().Get("api-version") == "" {
		writeError(w, http.StatusBadRequest, "invalid_request", "the request URL lost its api-version query: add audience with &, not ?")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"count": "1", "value": s.mintJob(r, r.URL.Query().Get("audience"))})
}

// serveAzureMint is Azure Pipelines' OIDC token endpoint: POST with System.AccessToken as a
// bearer token and the service connection in the query; the answer is {"oidcToken": <jwt>}, whose
// audience is fixed (api://AzureADTokenExchange on Azure; JobTokenAudience here).
func (s *Server) serveAzureMint(w *response, r *http.Request, _ apiSpec) {
	if !mintRequest(w, r, http.MethodPost, "Bearer "+AzureSystemAccessToken, "SYSTEM_ACCESSTOKEN") {
		return
	}
	q := r.URL.Query()
	if q.Get("api-version") == "" || q.Get("serviceConnectionId") != AzureServiceConnectionID {
		writeError(w, http.StatusBadRequest, "invalid_request", "api-version and a known serviceConnectionId are required")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"oidcToken": s.mintJob(r, JobTokenAudience)})
}

// serveBuildkiteMint is the Buildkite agent API's job OIDC token endpoint: POST with the agent's
// access token ("Token <token>") and {"audience": ...}; the answer is {"token": <jwt>}.
func (s *Server) serveBuildkiteMint(w *response, r *http.Request, _ apiSpec) {
	if !mintRequest(w, r, http.MethodPost, "Token "+BuildkiteAgentToken, "BUILDKITE_AGENT_ACCESS_TOKEN") {
		return
	}
	var body struct {
		Audience string `json:"audience"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBodyBytes)).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", "the body is not {\"audience\": ...}")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"token": s.mintJob(r, body.Audience)})
}

// mintRequest checks a mint endpoint's method and request token, and answers when it is wrong.
func mintRequest(w *response, r *http.Request, method, authorization, variable string) bool {
	if r.Method != method {
		w.Header().Set("Allow", method)
		writeError(w, http.StatusMethodNotAllowed, "invalid_request", "method "+r.Method+" not allowed")
		return false
	}
	scheme, want, _ := strings.Cut(authorization, " ")
	gotScheme, got, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(gotScheme, scheme) || !equal(got, want) {
		writeError(w, http.StatusUnauthorized, "invalid_token", "the request token ("+variable+") is missing or wrong")
		return false
	}
	return true
}

// jobClaims are the claims of a job token that the oauth2 API checked.
type jobClaims struct {
	Sub string
	Aud []string
}

// checkJobToken verifies a job token of this server's CI issuer, for the server at base: RS256 with
// the issuer's key, iss the issuer, aud holding JobTokenAudience, exp in the future and at most an
// hour away, nbf and iat not in the future, and a jti never seen before (a replay is refused).
// what names it in problems ("subject_token", "assertion", "client_assertion").
func (s *Server) checkJobToken(what, token, base string) (jobClaims, string) {
	claims, p := verifiedJWS(what, token, &ciKey().PublicKey, "RS256")
	if p != "" {
		return jobClaims{}, p
	}
	now := float64(time.Now().UnixNano()) / 1e9
	iss, _ := claims["iss"].(string)
	sub, _ := claims["sub"].(string)
	jti, _ := claims["jti"].(string)
	exp, hasExp := numericDate(claims["exp"])
	switch {
	case iss != CIIssuer(base):
		return jobClaims{}, fmt.Sprintf("the %s's iss is not a trusted issuer; this server trusts %s", what, CIIssuer(base))
	case !hasAudience(claims["aud"], JobTokenAudience):
		return jobClaims{}, fmt.Sprintf("the %s's aud must name %s", what, JobTokenAudience)
	case !hasExp:
		return jobClaims{}, "the " + what + " has no numeric exp"
	case exp <= now:
		return jobClaims{}, "the " + what + " has expired"
	case exp > now+3600:
		return jobClaims{}, "the " + what + " lives longer than an hour"
	case jti == "":
		return jobClaims{}, "the " + what + " has no jti"
	case sub == "":
		return jobClaims{}, "the " + what + " has no sub"
	}
	for _, k := range []string{"nbf", "iat"} {
		if t, ok := numericDate(claims[k]); ok && t > now+1 {
			return jobClaims{}, fmt.Sprintf("the %s's %s is in the future", what, k)
		}
	}
	if !s.useOnce(iss, jti, exp) {
		return jobClaims{}, "the " + what + " has been used before: a job token is exchanged once (its jti)"
	}
	return jobClaims{Sub: sub, Aud: audiences(claims["aud"])}, ""
}

func audiences(aud any) []string {
	switch a := aud.(type) {
	case string:
		return []string{a}
	case []any:
		var out []string
		for _, v := range a {
			if s, ok := v.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
