package provider

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// TestAccRevokeOnClose: with revoke_on_close, a token used during apply is dead once apply ends:
// revoked at Close (RFC 7009), once, only after the last of the identical blocks sharing it has
// closed, and the protected endpoint then refuses it. Tenn takes an explicit revocation_url; the
// generic type finds the endpoint in its issuer's metadata; GitHub's is on its API URL.
func TestAccRevokeOnClose(t *testing.T) {
	t.Parallel()
	// How a type names its revocation endpoint, when its test inputs alone do not.
	endpoints := map[string]func(base string, inputs map[string]string) map[string]string{
		tennToken.name: func(base string, inputs map[string]string) map[string]string {
			return with(inputs, "revocation_url", tokenserver.RevocationURL(base, tokenserver.Tenn))
		},
		oauth2Token.name: func(base string, inputs map[string]string) map[string]string {
			return with(without(inputs, "token_url"), "issuer", tokenserver.OAuth2Issuer(base))
		},
		// GitHub's DELETE /installation/token, authorized by the token itself, is on its API URL.
	}
	var revoking []tokenType // every type that can revoke: a new one is covered without an edit here
	for _, tt := range tokenTypes() {
		if tt.isInput("revoke_on_close") {
			revoking = append(revoking, tt)
		}
	}
	if len(revoking) < 3 {
		t.Fatalf("%d types have revoke_on_close, want at least tenn, oauth2 and github_app", len(revoking))
	}
	for _, tt := range revoking {
		tc := struct {
			tt     tokenType
			inputs func(base string) map[string]string
		}{tt, func(base string) map[string]string {
			if endpoint, ok := endpoints[tt.name]; ok {
				return endpoint(base, tt.testInputs(base))
			}
			return tt.testInputs(base)
		}}
		t.Run(tc.tt.name, func(t *testing.T) {
			t.Parallel()
			srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
			api := tc.tt.server()
			inputs := with(tc.inputs(ts.URL), "revoke_on_close", "=true")
			endpoint := ts.URL + api.ResourcePath()
			// Two identical blocks share one token; both use it during apply.
			config := "terraform {\n  required_providers {\n    authtoken = { source = \"authtoken/authtoken\" }\n  }\n}\n" +
				block("ephemeral", tc.tt.name, "a", inputs, "provider = authtoken") +
				block("ephemeral", tc.tt.name, "b", inputs, "provider = authtoken") +
				curlProvisioner("a", "ephemeral."+tc.tt.name+".a.access_token", endpoint) +
				curlProvisioner("b", "ephemeral."+tc.tt.name+".b.access_token", endpoint)
			r := newLeakRun(t, config, nil)
			r.run("apply", true, func(ctx context.Context) error { return r.tf.Apply(ctx) })

			accepted, revoked := srv.Accepted(api), srv.Revoked(api)
			if len(accepted) == 0 {
				t.Fatal("the protected endpoint accepted no call during apply")
			}
			for i, tok := range accepted {
				if !slices.Contains(revoked, tok) {
					t.Errorf("accepted token #%d was used during apply but not revoked", i+1)
				}
				req, _ := http.NewRequest(http.MethodGet, endpoint, nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusUnauthorized {
					t.Errorf("after apply, accepted token #%d still works: HTTP %d", i+1, resp.StatusCode)
				}
			}
			for i, tok := range revoked {
				if n := countOf(revoked, tok); n != 1 {
					t.Errorf("revoked token #%d was revoked %d times, want once", i+1, n)
				}
			}
			// The two blocks shared one token per run (plan and apply each open them): no more
			// revocations than tokens issued, and every issued access token revoked once.
			if issued := srv.IssuedFor(api); len(revoked) != len(issued) {
				t.Errorf("%d tokens issued, %d revoked: each is revoked exactly once, after its last holder closes", len(issued), len(revoked))
			}
		})
	}
}

func countOf(list []string, s string) int {
	n := 0
	for _, v := range list {
		if v == s {
			n++
		}
	}
	return n
}

// TestAccRevokingBlockNeverRevokesAnotherBlocksToken: two blocks with the same inputs, one with
// revoke_on_close. Terraform closes the revoking block as soon as its own consumer is done; the
// other block's consumer runs later and must still be accepted. They once shared one token, which
// the revoking block's Close revoked under the other's consumer (it got 401).
func TestAccRevokingBlockNeverRevokesAnotherBlocksToken(t *testing.T) {
	t.Parallel()
	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	inputs := tennToken.testInputs(ts.URL)
	endpoint := tokenserver.ResourceURL(ts.URL, tokenserver.Tenn)
	config := "terraform {\n  required_providers {\n    authtoken = { source = \"authtoken/authtoken\" }\n  }\n}\n" +
		block("ephemeral", "tenn_token", "revoking", with(with(inputs, "revoke_on_close", "=true"),
			"revocation_url", tokenserver.RevocationURL(ts.URL, tokenserver.Tenn)), "provider = authtoken") +
		block("ephemeral", "tenn_token", "keeping", inputs, "provider = authtoken") +
		curlProvisioner("use_revoking", "ephemeral.tenn_token.revoking.access_token", endpoint) +
		fmt.Sprintf(`resource "terraform_data" "use_keeping" {
  depends_on = [terraform_data.use_revoking]
  provisioner "local-exec" {
    # Long enough for Terraform to close the revoking block first.
    command     = "sleep 3; curl -fsS -H \"Authorization: Bearer $TOKEN\" %s"
    environment = { TOKEN = ephemeral.tenn_token.keeping.access_token }
  }
}
`, endpoint)
	r := newLeakRun(t, config, nil)
	r.run("apply", true, func(ctx context.Context) error { return r.tf.Apply(ctx) })
	revoked := srv.Revoked(tokenserver.Tenn)
	if len(revoked) == 0 {
		t.Fatal("the revoking block revoked nothing")
	}
	for i, tok := range srv.Accepted(tokenserver.Tenn) {
		if slices.Contains(revoked, tok) && countOf(srv.Accepted(tokenserver.Tenn), tok) > 1 {
			t.Errorf("accepted token #%d served both consumers and was revoked", i+1)
		}
	}
}

// TestAccRevokeOnCloseKeepsTheRefreshToken: with the refresh token grant and a server that keeps
// refresh tokens (the setup the docs recommend for this grant), revoke_on_close revokes the access
// token only. It once revoked the configured current_refresh_token at the plan's Close, so the
// apply and every later run failed with invalid_grant.
func TestAccRevokeOnCloseKeepsTheRefreshToken(t *testing.T) {
	t.Parallel()
	cfg := tokenserver.DefaultConfig()
	cfg.KeepRefreshTokens = true
	srv, ts := testsupport.TokenServer(t, cfg)
	refreshToken := passwordGrantRefreshToken(t, ts.URL)
	inputs := map[string]string{
		"issuer": tokenserver.OAuth2Issuer(ts.URL), "client_id": tokenserver.OAuth2ClientID, "grant_type": "refresh_token",
		"revoke_on_close": "=true",
	}
	env := map[string]string{"OAUTH2_CLIENT_SECRET": tokenserver.OAuth2ClientSecret, "OAUTH2_CURRENT_REFRESH_TOKEN": refreshToken}
	config := "terraform {\n  required_providers {\n    authtoken = { source = \"authtoken/authtoken\" }\n  }\n}\n" +
		block("ephemeral", "oauth2_token", "api", inputs, "provider = authtoken") +
		curlProvisioner("use", "ephemeral.oauth2_token.api.access_token", tokenserver.ResourceURL(ts.URL, tokenserver.OAuth2))
	r := newLeakRun(t, config, env)
	for _, run := range []string{"first apply", "second apply"} {
		r.run(run, true, func(ctx context.Context) error { return r.tf.Apply(ctx, tfexec.Replace("terraform_data.use")) })
	}
	if revoked := srv.Revoked(tokenserver.OAuth2); slices.Contains(revoked, refreshToken) || len(revoked) == 0 {
		t.Errorf("%d tokens revoked, the configured refresh token among them: %v; want the access tokens only",
			len(revoked), slices.Contains(revoked, refreshToken))
	}
}

// passwordGrantRefreshToken runs the oauth2 password grant against the token server at base and
// returns its refresh token, as a user would get one before configuring the refresh token grant.
func passwordGrantRefreshToken(t *testing.T, base string) string {
	t.Helper()
	c, err := grant.NewClient(grant.Config{})
	if err != nil {
		t.Fatal(err)
	}
	r := testsupport.Request(grant.OAuth2, base)
	r.GrantType, r.Username, r.Password, r.Scope = grant.GrantPassword, tokenserver.OAuth2Username, tokenserver.OAuth2Password, "offline_access"
	tok, err := c.Grant(context.Background(), r)
	if err != nil || tok.RefreshToken == "" {
		t.Fatalf("password grant: %v", err)
	}
	return tok.RefreshToken
}
