package provider

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// TestAccRevokeOnClose: with revoke_on_close, a token used during apply is dead once apply ends:
// revoked at Close (RFC 7009), once, only after the last of the identical blocks sharing it has
// closed, and the protected endpoint then refuses it. Tenn takes an explicit revocation_url; the
// generic type finds the endpoint in its issuer's metadata.
func TestAccRevokeOnClose(t *testing.T) {
	for _, tc := range []struct {
		tt     tokenType
		inputs func(base string) map[string]string
	}{
		{tennToken, func(base string) map[string]string {
			return with(tennToken.testInputs(base), "revocation_url", tokenserver.RevocationURL(base, tokenserver.Tenn))
		}},
		{oauth2Token, func(base string) map[string]string {
			return with(without(oauth2Token.testInputs(base), "token_url"), "issuer", tokenserver.OAuth2Issuer(base))
		}},
	} {
		t.Run(tc.tt.name, func(t *testing.T) {
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
