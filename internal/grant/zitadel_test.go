package grant_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/client/rp"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// The secretless grants against an authorization server nobody here wrote: zitadel/oidc's
// pkg/op, with its example in-memory storage, trusting the token server's CI issuer. zitadel
// verifies the job tokens itself: the signature with keys from the CI issuer's JWKS
// (rp.NewRemoteKeySet), iss, aud and exp (rp.VerifyIDToken) for token exchange; its own
// JWTProfile verifier, with the CI issuer's key set, for the JWT bearer grant. Test code only:
// TestBinariesLinkNoTestCode keeps it out of the provider binary.

// zitadelClientID and zitadelClientSecret are the confidential client of the token exchanges.
const zitadelClientID, zitadelClientSecret = "exchange-client", "exchange-secret"

// ciTrustingStorage is zitadel's example storage with a trust in the CI issuer of the token server:
// a token exchange's subject token is a job token of that issuer, verified by zitadel's relying
// party code against the issuer's JWKS.
type ciTrustingStorage struct {
	*storage.Storage
	verifier *rp.IDTokenVerifier
}

func (s *ciTrustingStorage) VerifyExchangeSubjectToken(ctx context.Context, token string, _ oidc.TokenType) (string, string, map[string]any, error) {
	claims, err := rp.VerifyIDToken[*oidc.IDTokenClaims](ctx, token, s.verifier)
	if err != nil {
		return "", "", nil, err
	}
	return token, claims.Subject, claims.Claims, nil
}

func (s *ciTrustingStorage) VerifyExchangeActorToken(ctx context.Context, token string, tt oidc.TokenType) (string, string, map[string]any, error) {
	return s.VerifyExchangeSubjectToken(ctx, token, tt)
}

// ValidateTokenExchangeRequest trusts the one CI subject, exactly; the example's own rule is
// about its users' impersonation.
func (s *ciTrustingStorage) ValidateTokenExchangeRequest(_ context.Context, r op.TokenExchangeRequest) error {
	if r.GetExchangeSubject() != tokenserver.CIJobSubject {
		return oidc.ErrInvalidGrant().WithDescription("no trust relationship for this subject")
	}
	if r.GetRequestedTokenType() == "" {
		r.SetRequestedTokenType(oidc.AccessTokenType)
	}
	r.SetCurrentScopes(r.GetScopes())
	return nil
}

func (s *ciTrustingStorage) GetPrivateClaimsFromTokenExchangeRequest(context.Context, op.TokenExchangeRequest) (map[string]any, error) {
	return map[string]any{}, nil
}

func (s *ciTrustingStorage) SetUserinfoFromTokenExchangeRequest(_ context.Context, u *oidc.UserInfo, r op.TokenExchangeRequest) error {
	u.Subject = r.GetSubject()
	return nil
}

// jwtProfileExchanger is the provider with a JWT profile verifier whose subject may differ from its
// issuer, as a CI job token's does (zitadel's default wants them equal, for service accounts).
type jwtProfileExchanger struct {
	*op.Provider
	keys oidc.KeySet
}

func (e jwtProfileExchanger) JWTProfileVerifier(ctx context.Context) *op.JWTProfileVerifier {
	return op.NewJWTProfileVerifierKeySet(e.keys, op.IssuerFromContext(ctx), 3600e9, 1e9,
		op.SubjectCheck(func(r *oidc.JWTTokenRequest) error {
			if r.Subject != tokenserver.CIJobSubject {
				return oidc.ErrSubjectInvalid
			}
			return nil
		}))
}

// zitadelServer runs a zitadel OpenID Provider on loopback that trusts the CI issuer of the token
// server at ciBase, and returns its issuer.
func zitadelServer(t *testing.T, ciBase string) string {
	t.Helper()
	var issuer string
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	issuer = srv.URL
	keys := rp.NewRemoteKeySet(http.DefaultClient, ciBase+tokenserver.CIJWKSPath)
	storage.RegisterClients(storage.WebClient(zitadelClientID, zitadelClientSecret, "http://127.0.0.1/cb"))
	st := &ciTrustingStorage{Storage: storage.NewStorage(storage.NewUserStore(issuer)),
		verifier: rp.NewIDTokenVerifier(tokenserver.CIIssuer(ciBase), tokenserver.JobTokenAudience, keys)}
	provider, err := op.NewProvider(&op.Config{CryptoKey: sha256.Sum256([]byte("zitadel-test")), SupportedScopes: []string{"openid", "api.read"}},
		st, op.StaticIssuer(issuer), op.WithAllowInsecure(), op.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	exchanger := jwtProfileExchanger{Provider: provider, keys: keys}
	mux.HandleFunc("/oauth/token", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.ParseForm() == nil && r.PostForm.Get("grant_type") == string(oidc.GrantTypeBearer) {
			op.JWTProfile(w, r.WithContext(op.ContextWithIssuer(r.Context(), issuer)), exchanger)
			return
		}
		provider.ServeHTTP(w, r)
	})
	mux.Handle("/", provider)
	return issuer
}

// TestSecretlessAgainstZitadel: a token exchange (RFC 8693) of the CI job's token, authenticated by
// client_secret_basic, and a JWT bearer grant (RFC 7523 2.1) of it, both accepted by zitadel's
// OpenID Provider; an untrusted subject refused as invalid_grant, its claims in the error.
func TestSecretlessAgainstZitadel(t *testing.T) {
	_, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	issuer := zitadelServer(t, ts.URL)
	c := newClient(t, jobEnv(ciEnv(ts.URL)))
	ctx := context.Background()

	exchange := grant.Request{API: grant.OAuth2, Issuer: issuer, GrantType: grant.GrantTokenExchange,
		ClientID: zitadelClientID, ClientSecret: zitadelClientSecret, RequestedTokenType: "access_token", Scope: "openid",
		SubjectTokenSource: grant.JobTokenSource{Type: "github_actions", Audience: tokenserver.JobTokenAudience}}
	tok, err := c.Grant(ctx, exchange)
	if err != nil {
		t.Fatalf("token exchange at zitadel: %v", err)
	}
	if tok.IssuedTokenType != string(oidc.AccessTokenType) || tok.AccessToken == "" {
		t.Errorf("issued_token_type %q", tok.IssuedTokenType)
	}

	bearer := grant.Request{API: grant.OAuth2, TokenURL: issuer + "/oauth/token", GrantType: grant.GrantJWTBearer, Scope: "openid",
		SubjectToken: tokenserver.MintJobToken(ts.URL, map[string]any{"sub": tokenserver.CIJobSubject, "aud": issuer})}
	if _, err := c.Grant(ctx, bearer); err != nil {
		t.Fatalf("JWT bearer grant at zitadel: %v", err)
	}

	untrusted := exchange
	untrusted.SubjectTokenSource = grant.JobTokenSource{}
	untrusted.SubjectToken = tokenserver.MintJobToken(ts.URL, map[string]any{"sub": "repo:other/repo:ref:refs/heads/main", "aud": tokenserver.JobTokenAudience})
	_, err = c.Grant(ctx, untrusted)
	var ge *grant.Error
	if !errors.As(err, &ge) || ge.Reason() != grant.ReasonJobTokenRefused || ge.Attempts != 1 || ge.JobToken == nil ||
		ge.JobToken.Sub != "repo:other/repo:ref:refs/heads/main" {
		t.Fatalf("an untrusted subject at zitadel: want a refusal that names the job token's sub, got %v", err)
	}
}
