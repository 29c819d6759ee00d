package grant_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver/hostile"
)

// TestMinValidity: the token handed out stays valid at least MinValidity from that moment. A reused
// token with less left is replaced by a fresh grant; a server whose fresh tokens live shorter is an
// error naming both durations; an unknown expiry is an error too.
func TestMinValidity(t *testing.T) {
	cfg := tokenserver.DefaultConfig()
	cfg.TokenLifetime = time.Minute
	srv, ts := testsupport.TokenServer(t, cfg)
	c := newClient(t, reuse(true))
	r := testsupport.Request(grant.Testinium, ts.URL)
	ctx := context.Background()

	if _, err := c.Grant(ctx, r); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // the cached token now has under 59 s left
	r.MinValidity = 59 * time.Second
	if _, err := c.Grant(ctx, r); err != nil {
		t.Fatal(err)
	}
	if n := srv.Requests(tokenserver.Testinium); n != 2 {
		t.Errorf("%d requests, want 2: the reused token had less than MinValidity left", n)
	}
	r.MinValidity = 30 * time.Second
	if _, err := c.Grant(ctx, r); err != nil || srv.Requests(tokenserver.Testinium) != 2 {
		t.Errorf("a token with enough left was not reused: %v, %d requests", err, srv.Requests(tokenserver.Testinium))
	}

	r.MinValidity = 45 * time.Minute
	_, err := c.Grant(ctx, r)
	var ge *grant.Error
	if !errors.As(err, &ge) || ge.Reason() != grant.ReasonTooShortLived || ge.Lifetime != time.Minute || ge.MinValidity != 45*time.Minute {
		t.Fatalf("want a too-short-lived error for 1m0s against 45m0s, got %v", err)
	}
	if !strings.Contains(ge.Error(), "Testinium issues tokens valid for 1m0s, less than the minimum validity of 45m0s") {
		t.Errorf("error %q does not name both durations", ge.Error())
	}

	noExpiry := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"opaque-token","token_type":"Bearer"}`))
	}))
	defer noExpiry.Close()
	_, err = c.Grant(ctx, grant.Request{API: grant.OAuth2, TokenURL: noExpiry.URL, ClientID: "c", ClientSecret: "s", MinValidity: time.Minute})
	if !errors.As(err, &ge) || ge.Reason() != grant.ReasonExpiryUnknown {
		t.Fatalf("want an unknown-expiry error, got %v", err)
	}
}

// revocationServer is an RFC 7009 endpoint that records what it revoked.
type revocationServer struct {
	*httptest.Server
	mu      sync.Mutex
	revoked []url.Values
}

func newRevocationServer(t *testing.T, wantBasic string) *revocationServer {
	rs := &revocationServer{}
	rs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		if r.Header.Get("Authorization") != wantBasic {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		rs.mu.Lock()
		rs.revoked = append(rs.revoked, r.PostForm)
		rs.mu.Unlock()
	}))
	t.Cleanup(rs.Close)
	return rs
}

// TestRevokeAtLastRelease: identical revoking grants share one token; it is revoked (with the
// grant's client authentication) only when the last holder lets go, and once revoking grants
// hold it, it is never handed out again.
func TestRevokeAtLastRelease(t *testing.T) {
	srv, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
	// Slow answers, so that the concurrent grants below share one request in flight.
	srv.SetFault(tokenserver.Tenn, hostile.Fault{Delay: 500 * time.Millisecond})
	rs := newRevocationServer(t, testsupport.Basic(tokenserver.TennClientID, tokenserver.TennClientSecret))
	c := newClient(t, reuse(true))
	r := testsupport.Request(grant.Tenn, ts.URL)
	r.RevokeOnClose, r.RevocationURL = true, rs.URL
	ctx := context.Background()

	tokens, errs := grantAll(c, 2, func(int) grant.Request { return r })
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	first, second := tokens[0], tokens[1]
	if first.AccessToken != second.AccessToken || first.Lease == "" || second.Lease == "" || first.Lease == second.Lease {
		t.Fatalf("concurrent identical grants did not share one token with a lease each")
	}
	third, err := c.Grant(ctx, r)
	if err != nil || third.AccessToken == first.AccessToken {
		t.Errorf("a token held for revocation was handed out again (err %v)", err)
	}
	if n := srv.Requests(tokenserver.Tenn); n != 2 {
		t.Errorf("%d token requests, want 2", n)
	}
	if revoked, err := c.Release(ctx, first.Lease); revoked || err != nil {
		t.Errorf("the first release revoked (%v, %v); only the last may", revoked, err)
	}
	if revoked, err := c.Release(ctx, second.Lease); !revoked || err != nil {
		t.Fatalf("the last release: revoked %v, error %v", revoked, err)
	}
	if len(rs.revoked) != 1 || rs.revoked[0].Get("token") != first.AccessToken ||
		rs.revoked[0].Get("token_type_hint") != "access_token" {
		t.Errorf("revoked %d tokens, want exactly the access token once (Tenn issues no refresh token)", len(rs.revoked))
	}
	if revoked, _ := c.Release(ctx, second.Lease); revoked {
		t.Error("a lease released twice revoked again")
	}
}

// TestRevokingAndKeepingGrantsNeverShare: a grant that does not revoke never gets the token of
// one that does, nor the other way round, though their inputs are otherwise identical. The
// revoking block's Close once revoked a token the other block's consumers were still using.
func TestRevokingAndKeepingGrantsNeverShare(t *testing.T) {
	_, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	rs := newRevocationServer(t, testsupport.Basic(tokenserver.TennClientID, tokenserver.TennClientSecret))
	c := newClient(t, reuse(true))
	ctx := context.Background()
	keep := testsupport.Request(grant.Tenn, ts.URL)
	revoke := keep
	revoke.RevokeOnClose, revoke.RevocationURL = true, rs.URL

	kept, err := c.Grant(ctx, keep)
	if err != nil {
		t.Fatal(err)
	}
	held, err := c.Grant(ctx, revoke)
	if err != nil {
		t.Fatal(err)
	}
	if held.AccessToken == kept.AccessToken {
		t.Fatal("a revoking grant was handed the token of a grant that keeps it")
	}
	if kept.Lease != "" {
		t.Error("a grant that does not revoke holds a lease")
	}
	if revoked, err := c.Release(ctx, held.Lease); !revoked || err != nil {
		t.Fatalf("release: revoked %v, error %v", revoked, err)
	}
	again, err := c.Grant(ctx, keep)
	if err != nil || again.AccessToken != kept.AccessToken {
		t.Errorf("the kept token was not reused after the revoking grant let go (err %v)", err)
	}
	for _, v := range rs.revoked {
		if v.Get("token") == kept.AccessToken {
			t.Error("the token of the grant that keeps it was revoked")
		}
	}
}

// TestRevocationFailure: a failed revocation is an error the caller can turn into a warning; it
// is bounded by the time limit and holds no token.
func TestRevocationFailure(t *testing.T) {
	_, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	rs := newRevocationServer(t, "Basic wrong")
	c := newClient(t)
	r := testsupport.Request(grant.Tenn, ts.URL)
	tok, err := c.Grant(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	err = c.Revoke(context.Background(), r, rs.URL, tok)
	var ge *grant.Error
	if !errors.As(err, &ge) || ge.Status != http.StatusUnauthorized || ge.Attempts != 1 {
		t.Fatalf("want one attempt ending in 401, got %v", err)
	}
	if !strings.Contains(ge.Error(), "the access token stays valid until it expires") {
		t.Errorf("the error does not say which token stays valid: %s", ge.Error())
	}
	testsupport.AssertNoSecret(t, "the revocation error", ge.Error(), tok.AccessToken)
	if err := c.Revoke(context.Background(), testsupport.Request(grant.Partner, ts.URL), rs.URL, tok); err == nil {
		t.Error("a partner token was sent for revocation; the partner API has none")
	}
}

// TestRevocationTriesEveryToken: when revoking the access token fails, the refresh token is
// revoked all the same, and the error says which one stays valid.
func TestRevocationTriesEveryToken(t *testing.T) {
	var mu sync.Mutex
	var hints []string
	rs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		mu.Lock()
		hints = append(hints, r.PostForm.Get("token_type_hint"))
		mu.Unlock()
		if r.PostForm.Get("token_type_hint") == "access_token" {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"unsupported_token_type"}`))
		}
	}))
	defer rs.Close()
	r := grant.Request{API: grant.OAuth2, TokenURL: rs.URL, ClientID: "c", ClientSecret: "client-secret"}
	err := newClient(t).Revoke(context.Background(), r, rs.URL, &grant.Token{AccessToken: "access-1234", RefreshToken: "refresh-5678"})
	if err == nil {
		t.Fatal("a failed access token revocation was not reported")
	}
	if len(hints) != 2 || hints[1] != "refresh_token" {
		t.Errorf("revocations sent: %v, want the access token and then the refresh token", hints)
	}
	if !strings.Contains(err.Error(), "the access token stays valid until it expires; the refresh token was revoked") {
		t.Errorf("the error does not say what was and was not revoked: %s", err)
	}
}

// TestRefreshGrantKeepsRefreshTokens: with the refresh token grant, revocation on close revokes
// the access token only. The refresh tokens belong to the user's grant: a server that keeps them
// returns the configured one, and revoking it broke every later run.
func TestRefreshGrantKeepsRefreshTokens(t *testing.T) {
	cfg := tokenserver.DefaultConfig()
	cfg.KeepRefreshTokens = true
	srv, ts := testsupport.TokenServer(t, cfg)
	c := newClient(t)
	ctx := context.Background()
	login := testsupport.Request(grant.OAuth2, ts.URL)
	login.GrantType, login.Username, login.Password, login.Scope = grant.GrantPassword, tokenserver.OAuth2Username, tokenserver.OAuth2Password, "offline_access"
	start, err := c.Grant(ctx, login)
	if err != nil || start.RefreshToken == "" {
		t.Fatalf("password grant: %v (refresh token issued: %v)", err, start != nil && start.RefreshToken != "")
	}
	refresh := testsupport.Request(grant.OAuth2, ts.URL)
	refresh.GrantType, refresh.RefreshToken = grant.GrantRefreshToken, start.RefreshToken
	refresh.RevokeOnClose, refresh.RevocationURL = true, tokenserver.RevocationURL(ts.URL, tokenserver.OAuth2)
	for run := 1; run <= 2; run++ {
		tok, err := c.Grant(ctx, refresh)
		if err != nil {
			t.Fatalf("run %d: the refresh grant failed: %v", run, err)
		}
		if revoked, err := c.Release(ctx, tok.Lease); !revoked || err != nil {
			t.Fatalf("run %d: release: revoked %v, error %v", run, revoked, err)
		}
		if got := srv.Revoked(tokenserver.OAuth2); len(got) != run || got[run-1] != tok.AccessToken {
			t.Errorf("run %d: %d tokens revoked, want the access tokens only", run, len(got))
		}
	}
}

// TestMinValidityNamesTheLifetimeThatDecided: the error names how long the token handed out was
// valid, the quantity compared with MinValidity, whatever the JWT's iat says.
func TestMinValidityNamesTheLifetimeThatDecided(t *testing.T) {
	now := time.Now().Unix()
	for name, tc := range map[string]struct {
		body string
		want string
	}{
		"expires_in shorter than the JWT's exp - iat": {
			fmt.Sprintf(`{"access_token":%q,"expires_in":60}`, jwt(fmt.Sprintf(`{"iat":%d,"exp":%d}`, now, now+3600))),
			"valid for 1m0s, less than the minimum validity of 30m0s"},
		"iat 0 and no expires_in": {
			fmt.Sprintf(`{"access_token":%q}`, jwt(fmt.Sprintf(`{"iat":0,"exp":%d}`, now+600))),
			"valid for 10m0s, less than the minimum validity of 30m0s"},
		"expired on arrival": {
			fmt.Sprintf(`{"access_token":%q}`, jwt(fmt.Sprintf(`{"iat":%d,"exp":%d}`, now-7200, now-3600))),
			"had already expired when it arrived"},
	} {
		t.Run(name, func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(tc.body))
			}))
			defer ts.Close()
			_, err := newClient(t).Grant(context.Background(), grant.Request{API: grant.OAuth2, TokenURL: ts.URL,
				ClientID: "c", ClientSecret: "s", MinValidity: 30 * time.Minute})
			var ge *grant.Error
			if !errors.As(err, &ge) || ge.Reason() != grant.ReasonTooShortLived {
				t.Fatalf("want a too-short-lived error, got %v", err)
			}
			if !strings.Contains(ge.Error(), tc.want) || ge.Lifetime > 10*time.Minute {
				t.Errorf("error %q (lifetime %s), want it to say %q", ge.Error(), ge.Lifetime, tc.want)
			}
		})
	}
}
