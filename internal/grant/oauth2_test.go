package grant_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-oauth2/oauth2/v4/manage"
	"github.com/go-oauth2/oauth2/v4/models"
	"github.com/go-oauth2/oauth2/v4/server"
	"github.com/go-oauth2/oauth2/v4/store"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
)

// The generic OAuth2 API against an independent, real OAuth 2.0 server library
// (github.com/go-oauth2/oauth2), so that it is not proven only against a server written
// alongside it (internal/tokenserver's oauth2 endpoint is the strict one).

const (
	realClientID     = "real-client"
	realClientSecret = "real-secret-42"
	realUser         = "alice"
	realPassword     = "alice-password"
)

// realServer serves go-oauth2's token endpoint, taking the client from the Basic header or from
// the form as clientAuth says.
func realServer(t *testing.T, clientAuth string) string {
	t.Helper()
	manager := manage.NewDefaultManager()
	manager.MustTokenStorage(store.NewMemoryTokenStore())
	manager.SetRefreshTokenCfg(manage.DefaultRefreshTokenCfg) // refresh tokens rotate: each works once
	clients := store.NewClientStore()
	if err := clients.Set(realClientID, &models.Client{ID: realClientID, Secret: realClientSecret, Domain: "http://localhost"}); err != nil {
		t.Fatal(err)
	}
	manager.MapClientStorage(clients)
	srv := server.NewDefaultServer(manager)
	srv.SetAllowGetAccessRequest(false)
	if clientAuth == grant.ClientAuthPost {
		srv.SetClientInfoHandler(server.ClientFormHandler)
	} else {
		srv.SetClientInfoHandler(server.ClientBasicHandler)
	}
	srv.SetPasswordAuthorizationHandler(func(_ context.Context, _, username, password string) (string, error) {
		if username == realUser && password == realPassword {
			return "user-1", nil
		}
		return "", errors.New("wrong user")
	})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = srv.HandleTokenRequest(w, r)
	}))
	t.Cleanup(ts.Close)
	return ts.URL + "/token"
}

func TestOAuth2AgainstARealServer(t *testing.T) {
	for _, clientAuth := range []string{grant.ClientAuthBasic, grant.ClientAuthPost} {
		t.Run(clientAuth, func(t *testing.T) {
			tokenURL := realServer(t, clientAuth)
			base := grant.Request{API: grant.OAuth2, TokenURL: tokenURL, ClientAuth: clientAuth,
				ClientID: realClientID, ClientSecret: realClientSecret}
			c := newClient(t)

			cc, err := c.Grant(context.Background(), base)
			if err != nil || cc.AccessToken == "" || cc.ExpiresIn <= 0 {
				t.Fatalf("client_credentials: %v", err)
			}

			pw := base
			pw.GrantType, pw.Username, pw.Password = grant.GrantPassword, realUser, realPassword
			tok, err := c.Grant(context.Background(), pw)
			if err != nil || tok.AccessToken == "" || tok.RefreshToken == "" {
				t.Fatalf("password: %v", err)
			}

			rt := base
			rt.GrantType, rt.RefreshToken = grant.GrantRefreshToken, tok.RefreshToken
			refreshed, err := c.Grant(context.Background(), rt)
			if err != nil || refreshed.AccessToken == "" || refreshed.RefreshToken == tok.RefreshToken {
				t.Fatalf("refresh_token: err %v; want a new access token and a rotated refresh token", err)
			}

			// The used refresh token is dead: the reason names rotation, and it is one request.
			_, err = c.Grant(context.Background(), rt)
			var ge *grant.Error
			if !errors.As(err, &ge) || ge.Reason() != grant.ReasonRefreshTokenRejected || ge.Attempts != 1 {
				t.Fatalf("reusing a rotated refresh token: want ReasonRefreshTokenRejected after 1 attempt, got %v", err)
			}

			wrong := base
			wrong.ClientSecret = "wrong-secret"
			_, err = c.Grant(context.Background(), wrong)
			if !errors.As(err, &ge) || ge.Reason() != grant.ReasonClientCredentials || ge.Attempts != 1 {
				t.Fatalf("wrong secret: want ReasonClientCredentials after 1 attempt, got %v", err)
			}
		})
	}
}
