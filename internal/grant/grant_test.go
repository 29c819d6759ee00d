package grant_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// newClient is a client with the provider's retries and a short backoff, so retry tests are quick.
// Its time limit is far above what any test's grants need, even under -race on a busy machine
// (a 200 KiB error body took 11 s there once); the tests of the time limit set their own.
func newClient(t testing.TB, mutate ...func(*grant.Config)) *grant.Client {
	t.Helper()
	cfg := grant.Config{
		Timeout: 2 * time.Minute, MaxRetries: grant.DefaultMaxRetries,
		RetryBaseDelay: 20 * time.Millisecond, UserAgent: "grant-test",
	}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := grant.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestGrantSuccess sends each API's documented request to the strict server, then checks the
// request byte for byte and the parsed token.
func TestGrantSuccess(t *testing.T) {
	tests := []struct {
		name        string
		api         tokenserver.API
		grantAPI    *grant.API
		wantHeaders map[string]string
		wantBody    string
		check       func(t *testing.T, tok *grant.Token)
	}{
		{
			name: "tenn", api: tokenserver.Tenn, grantAPI: grant.Tenn,
			wantHeaders: map[string]string{
				"Content-Type":  "application/x-www-form-urlencoded",
				"Authorization": testsupport.Basic(tokenserver.TennClientID, tokenserver.TennClientSecret),
			},
			// The docs' curl sample, --data-urlencode for --data-urlencode, in its order.
			wantBody: "client_id=TennTesting&grant_type=password&username=testinguser%4010npay.com&password=Ttest%402S",
			check: func(t *testing.T, tok *grant.Token) {
				// Tenn sends neither expires_in nor token_type: the expiry comes from the JWT.
				if tok.TokenType != "" || tok.RefreshToken != "" {
					t.Errorf("token_type %q / refresh token set; Tenn sends neither", tok.TokenType)
				}
				if tok.ExpiresAt.IsZero() || tok.ExpiresIn < 3590 || tok.ExpiresIn > 3600 {
					t.Errorf("expiry from JWT exp: got expires_in %d, expires_at %v", tok.ExpiresIn, tok.ExpiresAt)
				}
				if len(tok.Scopes) != len(strings.Fields(tokenserver.TennScopes)) {
					t.Errorf("scopes = %v, want the documented list", tok.Scopes)
				}
			},
		},
		{
			name: "testinium", api: tokenserver.Testinium, grantAPI: grant.Testinium,
			wantHeaders: map[string]string{
				"Content-Type":  "application/x-www-form-urlencoded",
				"Authorization": "Basic dGVzdGluaXVtU3VpdGVUcnVzdGVkQ2xpZW50OnRlc3Rpbml1bVN1aXRlU2VjcmV0S2V5", // the docs' sample
			},
			wantBody: "grant_type=password&username=" + strings.ReplaceAll(tokenserver.TestiniumUsername, "@", "%40") +
				"&password=" + tokenserver.TestiniumPassword,
			check: func(t *testing.T, tok *grant.Token) {
				if tok.TokenType != "bearer" || tok.RefreshToken == "" || tok.JTI == "" {
					t.Errorf("token_type %q, refresh token set %v, jti set %v", tok.TokenType, tok.RefreshToken != "", tok.JTI != "")
				}
				if tok.ExpiresIn != 3600 || time.Until(tok.ExpiresAt) < 3000*time.Second {
					t.Errorf("expires_in %d, expires_at %v", tok.ExpiresIn, tok.ExpiresAt)
				}
			},
		},
		{
			name: "partner", api: tokenserver.Partner, grantAPI: grant.Partner,
			wantHeaders: map[string]string{"Content-Type": "application/json", "Accept": "application/json"},
			wantBody:    `{"grant_type":"client_credentials","client_id":"partner-client","client_secret":"partner-secret"}`,
			check: func(t *testing.T, tok *grant.Token) {
				if tok.TokenType != "Bearer" || tok.ExpiresIn != 3600 {
					t.Errorf("token_type %q, expires_in %d", tok.TokenType, tok.ExpiresIn)
				}
				// The JWT's fractional exp agrees with expires_in to the second.
				exp, ok := grant.JWTExpiry(tok.AccessToken)
				if !ok || exp.Sub(tok.ExpiresAt).Abs() > 2*time.Second {
					t.Errorf("JWT exp %v (ok %v) vs expires_at %v", exp, ok, tok.ExpiresAt)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
			tok, err := newClient(t).Grant(context.Background(), testsupport.Request(tt.grantAPI, ts.URL))
			if err != nil {
				t.Fatalf("grant failed: %v", err)
			}
			if tok.AccessToken == "" || tok.ExpiresAt.Location() != time.UTC {
				t.Errorf("access token set %v, expires_at %v", tok.AccessToken != "", tok.ExpiresAt)
			}
			tt.check(t, tok)

			got := srv.LastRequest(tt.api)
			if got == nil {
				t.Fatal("the server saw no request")
			}
			if got.Method != http.MethodPost || got.Path != tt.api.Path() {
				t.Errorf("request line %s %s, want POST %s", got.Method, got.Path, tt.api.Path())
			}
			for k, v := range tt.wantHeaders {
				if got.Header.Get(k) != v {
					t.Errorf("header %s = %q, want %q", k, got.Header.Get(k), v)
				}
			}
			if string(got.Body) != tt.wantBody {
				t.Errorf("body:\n got %s\nwant %s", got.Body, tt.wantBody)
			}
			if n := srv.Requests(tt.api); n != 1 {
				t.Errorf("server saw %d requests, want 1", n)
			}
		})
	}
}

// TestGrantRejected covers the rejections every API documents: the status and OAuth code reach
// the typed error, the reason names what to fix, nothing is retried (a wrong password repeated
// locks accounts), and no secret is in the message.
func TestGrantRejected(t *testing.T) {
	type rejection struct {
		name       string
		mutate     func(*grant.Request)
		wantReason grant.Reason
	}
	for _, server := range tokenserver.APIs {
		api := grant.Lookup(string(server))
		if testsupport.Request(api, "").ClientSecret == "" {
			continue // an API without a client secret and OAuth errors: GitHub's, TestGitHubAppRefusals
		}
		rejections := []rejection{
			{"wrong client secret", func(r *grant.Request) { r.ClientSecret = "wrong-secret-1" }, grant.ReasonClientCredentials},
			{"unknown client", func(r *grant.Request) { r.ClientID = "someone-else" }, grant.ReasonClientCredentials},
		}
		if api.NeedsUser {
			rejections = append(rejections,
				rejection{"wrong password", func(r *grant.Request) { r.Password = "wrong-password-1" }, grant.ReasonUserCredentials},
				rejection{"unknown user", func(r *grant.Request) { r.Username = "nobody@example.com" }, grant.ReasonUserCredentials})
		}
		if api == grant.Tenn { // the only API whose server checks the scope list
			rejections = append(rejections,
				rejection{"unknown scope", func(r *grant.Request) { r.Scope = "openid Tenn.Nothing" }, grant.ReasonScope})
		}
		for _, rj := range rejections {
			t.Run(api.Name+" "+rj.name, func(t *testing.T) {
				srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
				req := testsupport.Request(api, ts.URL)
				rj.mutate(&req)
				_, err := newClient(t).Grant(context.Background(), req)
				var ge *grant.Error
				if !errors.As(err, &ge) {
					t.Fatalf("want *grant.Error, got %T %v", err, err)
				}
				if ge.Kind != grant.KindStatus || ge.Status < 400 || ge.Status > 499 || ge.Code == "" {
					t.Errorf("got kind %d status %d code %q, want a 4xx status error with an OAuth code", ge.Kind, ge.Status, ge.Code)
				}
				if ge.Reason() != rj.wantReason {
					t.Errorf("reason %d, want %d (status %d, code %q)", ge.Reason(), rj.wantReason, ge.Status, ge.Code)
				}
				if n := srv.Requests(server); n != 1 {
					t.Errorf("server saw %d requests, want exactly 1", n)
				}
				testsupport.AssertNoSecret(t, "the error", ge.Error(), testsupport.SecretForms(req)...)
			})
		}
	}
}

// TestGrantRejectsBadInput: nothing is sent for a request that cannot be right.
func TestGrantRejectsBadInput(t *testing.T) {
	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	bad := map[string]func(*grant.Request){
		"plain http to a remote host": func(r *grant.Request) { r.TokenURL = "http://auth.example.com/connect/token" },
		"credentials in the URL":      func(r *grant.Request) { r.TokenURL = "https://u:p@auth.example.com/connect/token" },
		"relative URL":                func(r *grant.Request) { r.TokenURL = "/connect/token" },
		"no password":                 func(r *grant.Request) { r.Password = "" },
		"no client secret":            func(r *grant.Request) { r.ClientSecret = "" },
		"no API":                      func(r *grant.Request) { r.API = nil },
	}
	for name, mutate := range bad {
		t.Run(name, func(t *testing.T) {
			req := testsupport.Request(grant.Tenn, ts.URL)
			mutate(&req)
			_, err := newClient(t).Grant(context.Background(), req)
			var ge *grant.Error
			if !errors.As(err, &ge) || ge.Kind != grant.KindConfig {
				t.Fatalf("want a KindConfig error, got %v", err)
			}
		})
	}
	if n := srv.Requests(tokenserver.Tenn); n != 0 {
		t.Errorf("server saw %d requests for invalid input, want 0", n)
	}
}

func TestCheckTokenURL(t *testing.T) {
	for _, ok := range []string{
		"https://auth-test.10npay.com/connect/token", "http://127.0.0.1:8080/x", "http://localhost/x",
		"http://[::1]:9/x", "http://127.9.9.9/x", "HTTPS://EXAMPLE.COM/token",
	} {
		if err := grant.CheckTokenURL(ok); err != nil {
			t.Errorf("CheckTokenURL(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{
		"", "auth.example.com/token", "http://10.0.0.1/token", "http://localhost.example.com/x",
		"ftp://example.com/x", "https://user:pw@example.com/x", "https://example.com/x#frag", "https:///x",
	} {
		if err := grant.CheckTokenURL(bad); err == nil {
			t.Errorf("CheckTokenURL(%q) = nil, want an error", bad)
		}
	}
}

// TestRefusedClientCarriesItsClientAuth: a refused client's error says how the client
// authenticated, its default filled in, since what to check differs: a secret, a key, or the
// registration of a public client. Against the strict server, which refuses each with 401.
func TestRefusedClientCarriesItsClientAuth(t *testing.T) {
	_, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	tokenURL := tokenserver.TokenURL(ts.URL, tokenserver.OAuth2)
	for want, r := range map[string]grant.Request{
		grant.ClientAuthBasic: {ClientID: tokenserver.OAuth2ClientID, ClientSecret: "wrong"}, // the default
		grant.ClientAuthPost:  {ClientID: tokenserver.OAuth2ClientID, ClientSecret: "wrong", ClientAuth: grant.ClientAuthPost},
		grant.ClientAuthPrivateKeyJWT: {ClientID: tokenserver.OAuth2RSAClientID, ClientAuth: grant.ClientAuthPrivateKeyJWT,
			PrivateKeyPEM: tokenserver.OAuth2ECKeyPEM()}, // another client's key
		grant.ClientAuthNone: {ClientID: tokenserver.OAuth2ClientID, ClientAuth: grant.ClientAuthNone}, // a confidential client
	} {
		r.API, r.TokenURL = grant.OAuth2, tokenURL
		_, err := newClient(t).Grant(context.Background(), r)
		var ge *grant.Error
		if !errors.As(err, &ge) || ge.Reason() != grant.ReasonClientCredentials || ge.ClientAuth != want {
			t.Errorf("%s: want a refused client with ClientAuth %q, got %#v", want, want, err)
		}
	}
}
