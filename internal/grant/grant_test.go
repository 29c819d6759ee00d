package grant_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// newClient is a client with the provider's defaults and a short backoff, so retry tests are quick.
func newClient(t testing.TB, mutate ...func(*grant.Config)) *grant.Client {
	t.Helper()
	cfg := grant.Config{
		Timeout: 10 * time.Second, MaxRetries: grant.DefaultMaxRetries,
		RetryBaseDelay: 20 * time.Millisecond, UserAgent: "grant-test",
	}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := grant.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// requests are the documented credentials of each API against a server at base.
func tennRequest(base string) grant.Request {
	return grant.Request{API: grant.Tenn, TokenURL: tokenserver.TokenURL(base, tokenserver.Tenn),
		ClientID: tokenserver.TennClientID, ClientSecret: tokenserver.TennClientSecret,
		Username: tokenserver.TennUsername, Password: tokenserver.TennPassword}
}

func testiniumRequest(base string) grant.Request {
	return grant.Request{API: grant.Testinium, TokenURL: tokenserver.TokenURL(base, tokenserver.Testinium),
		ClientID: tokenserver.TestiniumClientID, ClientSecret: tokenserver.TestiniumClientSecret,
		Username: tokenserver.TestiniumUsername, Password: tokenserver.TestiniumPassword}
}

func partnerRequest(base string) grant.Request {
	return grant.Request{API: grant.Partner, TokenURL: tokenserver.TokenURL(base, tokenserver.Partner),
		ClientID: tokenserver.PartnerClientID, ClientSecret: tokenserver.PartnerClientSecret}
}

func basic(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
}

// TestGrantSuccess sends each API's documented request to the strict server, then checks the
// request byte for byte and the parsed token.
func TestGrantSuccess(t *testing.T) {
	tests := []struct {
		name        string
		api         tokenserver.API
		request     func(string) grant.Request
		wantHeaders map[string]string
		wantBody    string
		check       func(t *testing.T, tok *grant.Token)
	}{
		{
			name: "tenn", api: tokenserver.Tenn, request: tennRequest,
			wantHeaders: map[string]string{
				"Content-Type":  "application/x-www-form-urlencoded",
				"Authorization": basic(tokenserver.TennClientID, tokenserver.TennClientSecret),
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
			name: "testinium", api: tokenserver.Testinium, request: testiniumRequest,
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
				if tok.ExpiresIn != 3600 || time.Until(tok.ExpiresAt) < 3590*time.Second {
					t.Errorf("expires_in %d, expires_at %v", tok.ExpiresIn, tok.ExpiresAt)
				}
			},
		},
		{
			name: "partner", api: tokenserver.Partner, request: partnerRequest,
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
			srv, ts := tokenserver.Start(t, tokenserver.DefaultConfig())
			tok, err := newClient(t).Grant(context.Background(), tt.request(ts.URL))
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

// TestGrantRejected covers each documented error: the status and OAuth code reach the typed
// error, nothing is retried, and no secret is in the message.
func TestGrantRejected(t *testing.T) {
	tests := []struct {
		name       string
		api        tokenserver.API
		request    func(string) grant.Request
		mutate     func(*grant.Request)
		wantStatus int
		wantCode   string
		wantHint   string
	}{
		{"tenn wrong password", tokenserver.Tenn, tennRequest, func(r *grant.Request) { r.Password = "wrong-password-1" },
			400, "invalid_grant", "username and password"},
		{"tenn unknown user", tokenserver.Tenn, tennRequest, func(r *grant.Request) { r.Username = "nobody@example.com" },
			400, "invalid_grant", "username and password"},
		{"tenn wrong client secret", tokenserver.Tenn, tennRequest, func(r *grant.Request) { r.ClientSecret = "wrong-secret-1" },
			401, "invalid_client", "client_id and client_secret"},
		{"tenn unknown scope", tokenserver.Tenn, tennRequest, func(r *grant.Request) { r.Scope = "openid Tenn.Nothing" },
			400, "invalid_scope", "scope"},
		{"testinium wrong password", tokenserver.Testinium, testiniumRequest, func(r *grant.Request) { r.Password = "wrong-password-1" },
			403, "access_denied", "username and password"},
		{"testinium wrong client", tokenserver.Testinium, testiniumRequest, func(r *grant.Request) { r.ClientSecret = "wrong-secret-1" },
			401, "invalid_client", "client_id and client_secret"},
		{"partner wrong secret", tokenserver.Partner, partnerRequest, func(r *grant.Request) { r.ClientSecret = "wrong-secret-1" },
			401, "invalid_client", "client_id and client_secret"},
		{"partner unknown client", tokenserver.Partner, partnerRequest, func(r *grant.Request) { r.ClientID = "someone-else" },
			401, "invalid_client", "client_id and client_secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, ts := tokenserver.Start(t, tokenserver.DefaultConfig())
			req := tt.request(ts.URL)
			tt.mutate(&req)
			_, err := newClient(t).Grant(context.Background(), req)
			var ge *grant.Error
			if !errors.As(err, &ge) {
				t.Fatalf("want *grant.Error, got %T %v", err, err)
			}
			if ge.Status != tt.wantStatus || ge.Code != tt.wantCode || ge.Kind != grant.KindStatus {
				t.Errorf("got status %d code %q kind %d, want %d %q", ge.Status, ge.Code, ge.Kind, tt.wantStatus, tt.wantCode)
			}
			if !strings.Contains(ge.Hint(), tt.wantHint) {
				t.Errorf("hint %q does not mention %q", ge.Hint(), tt.wantHint)
			}
			// A rejected login is never repeated: retrying a wrong password locks accounts.
			if n := srv.Requests(tt.api); n != 1 {
				t.Errorf("server saw %d requests, want exactly 1", n)
			}
			assertNoSecret(t, ge.Error()+ge.Hint(), req)
		})
	}
}

// TestGrantRejectsBadInput: nothing is sent for a request that cannot be right.
func TestGrantRejectsBadInput(t *testing.T) {
	srv, ts := tokenserver.Start(t, tokenserver.DefaultConfig())
	bad := map[string]func(*grant.Request){
		"plain http to a remote host": func(r *grant.Request) { r.TokenURL = "http://auth.example.com/connect/token" },
		"credentials in the URL":      func(r *grant.Request) { r.TokenURL = "https://u:p@auth.example.com/connect/token" },
		"relative URL":                func(r *grant.Request) { r.TokenURL = "/connect/token" },
		"no password":                 func(r *grant.Request) { r.Password = "" },
		"no client secret":            func(r *grant.Request) { r.ClientSecret = "" },
		"unknown API":                 func(r *grant.Request) { r.API = "nope" },
	}
	for name, mutate := range bad {
		t.Run(name, func(t *testing.T) {
			req := tennRequest(ts.URL)
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

// assertNoSecret fails if any credential of req appears in text, without printing it.
func assertNoSecret(t *testing.T, text string, req grant.Request) {
	t.Helper()
	for i, s := range req.Secrets() {
		if strings.Contains(text, s) {
			t.Errorf("secret #%d of the request (of %d: client secret, password, Basic credentials) appears in the error text", i+1, len(req.Secrets()))
		}
	}
}
