package grant_test

import (
	"context"
	"errors"
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

// TestRevokeAtLastRelease: identical grants share one token; it is revoked (access token, then
// refresh token, with the grant's client authentication) only when the last holder lets go, and
// once a holder asked for revocation it is never handed out again.
func TestRevokeAtLastRelease(t *testing.T) {
	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	rs := newRevocationServer(t, testsupport.Basic(tokenserver.TennClientID, tokenserver.TennClientSecret))
	c := newClient(t, reuse(true))
	r := testsupport.Request(grant.Tenn, ts.URL)
	ctx := context.Background()

	first, err := c.Grant(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.Grant(ctx, r)
	if err != nil || second.AccessToken != first.AccessToken {
		t.Fatalf("identical grants did not share one token: %v", err)
	}
	a := c.Hold(r, first, rs.URL)
	b := c.Hold(r, second, rs.URL)
	third, err := c.Grant(ctx, r)
	if err != nil || third.AccessToken == first.AccessToken {
		t.Errorf("a token marked for revocation was handed out again (err %v)", err)
	}
	if n := srv.Requests(tokenserver.Tenn); n != 2 {
		t.Errorf("%d token requests, want 2", n)
	}
	if revoked, err := c.Release(ctx, a); revoked || err != nil {
		t.Errorf("the first release revoked (%v, %v); only the last may", revoked, err)
	}
	if revoked, err := c.Release(ctx, b); !revoked || err != nil {
		t.Fatalf("the last release: revoked %v, error %v", revoked, err)
	}
	if len(rs.revoked) != 1 || rs.revoked[0].Get("token") != first.AccessToken ||
		rs.revoked[0].Get("token_type_hint") != "access_token" {
		t.Errorf("revoked %d tokens, want exactly the access token once (Tenn issues no refresh token)", len(rs.revoked))
	}
	if revoked, _ := c.Release(ctx, b); revoked {
		t.Error("a lease released twice revoked again")
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
	testsupport.AssertNoSecret(t, "the revocation error", ge.Error(), tok.AccessToken)
	if err := c.Revoke(context.Background(), testsupport.Request(grant.Partner, ts.URL), rs.URL, tok); err == nil {
		t.Error("a partner token was sent for revocation; the partner API has none")
	}
}
