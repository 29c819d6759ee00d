package grant_test

import (
	"context"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
)

// TestGitHubAppLive runs against real GitHub, and only when an app's credentials are in the
// environment: GITHUB_APP_LIVE_CLIENT_ID (or _APP_ID), GITHUB_APP_LIVE_PRIVATE_KEY_PEM and
// GITHUB_APP_LIVE_OWNER, with GITHUB_APP_LIVE_API_URL for GitHub Enterprise Server. It gets a
// token, finds GET /installation/repositories accepting it, revokes it, and finds it refused.
func TestGitHubAppLive(t *testing.T) {
	env := func(name string) string { return os.Getenv("GITHUB_APP_LIVE_" + name) }
	if env("PRIVATE_KEY_PEM") == "" || env("OWNER") == "" || env("CLIENT_ID")+env("APP_ID") == "" {
		t.Skip("set GITHUB_APP_LIVE_CLIENT_ID (or _APP_ID), _PRIVATE_KEY_PEM and _OWNER to run against real GitHub")
	}
	api := env("API_URL")
	if api == "" {
		api = grant.GitHubAPIURL
	}
	req := grant.Request{API: grant.GitHubApp, APIURL: api, ClientID: env("CLIENT_ID"), AppID: env("APP_ID"),
		PrivateKeyPEM: env("PRIVATE_KEY_PEM"), Owner: env("OWNER"), RevokeOnClose: true}
	c := newClient(t, func(cfg *grant.Config) { cfg.UserAgent = "terraform-provider-authtoken-live-test" })
	tok, err := c.Grant(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	released := false
	t.Cleanup(func() { // a failure below must not leave a real token valid for an hour
		if !released {
			_, _ = c.Release(context.Background(), tok.Lease)
		}
	})
	client := &http.Client{Timeout: 2 * time.Minute} // a network that hangs ends the test, not go test's 10 minutes
	if tok.Installation == nil || tok.Installation.ID == 0 || tok.ExpiresAt.IsZero() {
		t.Fatalf("installation %+v, expires at %v", tok.Installation, tok.ExpiresAt)
	}
	call := func() int {
		r, _ := http.NewRequest(http.MethodGet, api+"/installation/repositories", nil)
		r.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		r.Header.Set("Accept", "application/vnd.github+json")
		r.Header.Set("User-Agent", "terraform-provider-authtoken-live-test")
		resp, err := client.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := call(); got != http.StatusOK {
		t.Fatalf("GitHub answered %d to the new token", got)
	}
	released = true
	if revoked, err := c.Release(context.Background(), tok.Lease); err != nil || !revoked {
		t.Fatalf("revocation: %v, %v", revoked, err)
	}
	if got := call(); got != http.StatusUnauthorized {
		t.Errorf("GitHub answered %d to the revoked token, want 401", got)
	}
}
