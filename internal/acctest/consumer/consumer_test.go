package consumer

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// The package's tests use the token server directly: internal/acctest imports this package (to
// build it), so importing acctest here would be a cycle.

// partnerToken gets a partner access token from the token server at base.
func partnerToken(t *testing.T, base string) string {
	t.Helper()
	body := `{"grant_type":"client_credentials","client_id":"` + tokenserver.PartnerClientID +
		`","client_secret":"` + tokenserver.PartnerClientSecret + `"}`
	req, _ := http.NewRequest(http.MethodPost, tokenserver.TokenURL(base, tokenserver.Partner), strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil || answer.AccessToken == "" {
		t.Fatalf("grant: status %d, %v", resp.StatusCode, err)
	}
	return answer.AccessToken
}

func TestCall(t *testing.T) {
	srv := tokenserver.New(tokenserver.DefaultConfig())
	ts := httptest.NewServer(srv)
	defer ts.Close()
	tok := partnerToken(t, ts.URL)
	ctx, c := context.Background(), ts.Client()

	a, err := call(ctx, c, tokenserver.ResourceURL(ts.URL, tokenserver.Partner), tok)
	if err != nil || a.Status != 200 || a.API != "partner" || a.Sub != tokenserver.PartnerClientID {
		t.Fatalf("call = %+v, %v", a, err)
	}
	if got := srv.Accepted(tokenserver.Partner); len(got) != 1 || got[0] != tok {
		t.Error("the endpoint did not accept the token sent")
	}

	for name, tc := range map[string]struct {
		endpoint, token string
		want            []string
	}{
		"another API's endpoint": {tokenserver.ResourceURL(ts.URL, tokenserver.Tenn), tok,
			[]string{"HTTP 401", `WWW-Authenticate: Bearer error="invalid_token"`, "not issued for this API"}},
		"no token":     {tokenserver.ResourceURL(ts.URL, tokenserver.Tenn), "", []string{"HTTP 401", "WWW-Authenticate: Bearer;"}},
		"no challenge": {ts.URL + "/nowhere", tok, []string{"HTTP 404", "no WWW-Authenticate"}},
		"not a URL":    {"example.com/x", tok, []string{"absolute http or https URL"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := call(ctx, c, tc.endpoint, tc.token)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), tok) {
				t.Error("the error holds the token")
			}
		})
	}
}

// TestCallRedactsEcho: an endpoint that quotes the token back in its error and challenge never
// gets it into the error.
func TestCallRedactsEcho(t *testing.T) {
	const tok = "echoed-token-value"
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="`+got+` is revoked"`)
		w.WriteHeader(http.StatusUnauthorized)
		_ = json.NewEncoder(w).Encode(map[string]string{"error_description": "token " + got + " is revoked"})
	}))
	defer ts.Close()
	_, err := call(context.Background(), ts.Client(), ts.URL, tok)
	if err == nil || strings.Contains(err.Error(), tok) || !strings.Contains(err.Error(), "*** is revoked") {
		t.Errorf("the error (withheld: it may hold the token) is nil, holds the token, or lacks \"*** is revoked\"")
	}
}

// TestSchemas: the framework accepts the schemas (a write-only attribute cannot be computed, say).
func TestSchemas(t *testing.T) {
	server, err := providerserver.NewProtocol6WithError(New())()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range resp.Diagnostics {
		t.Errorf("%s: %s", d.Summary, d.Detail)
	}
	if _, ok := resp.DataSourceSchemas["consumer_whoami"]; !ok {
		t.Error("no consumer_whoami data source")
	}
	callSchema, ok := resp.ResourceSchemas["consumer_call"]
	if !ok {
		t.Fatal("no consumer_call resource")
	}
	for _, a := range callSchema.Block.Attributes {
		if a.Name == "token_wo" && (!a.WriteOnly || !a.Sensitive) {
			t.Error("token_wo is not write-only and sensitive")
		}
	}
}
