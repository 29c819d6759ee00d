package grant

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Revocation on close (RFC 7009). A request with RevokeOnClose is granted for a holder: Grant
// records the hold and returns its lease in Token.Lease, and Release lets go of it. Identical
// grants share one token, and so do identical revoking grants (RevokeOnClose is part of the
// sharing key, so a block that does not revoke never shares a token with one that does): the
// token is revoked when its last holder lets go, and is never handed out again once revoking
// grants hold it. Holds live in the provider process's memory: a caller keeps only the lease, an
// opaque ID.

// holds tracks who holds which token.
type holds struct {
	mu      sync.Mutex
	leases  map[string]string // lease -> token key
	tokens  map[string]*held  // token key -> holders
	revoked map[string]bool   // token keys whose last holder has let go: never held again
}

type held struct {
	count    int
	endpoint string
	request  Request
	token    *Token
}

func newHolds() holds {
	return holds{leases: map[string]string{}, tokens: map[string]*held{}, revoked: map[string]bool{}}
}

// CanRevoke reports whether r's API can revoke its tokens: RFC 7009 with a client
// authentication, or a revocation of its own.
func (r Request) CanRevoke() bool {
	return r.API != nil && (r.API.authenticate != nil || r.API.revoke != nil)
}

// hold records a holder of t, granted for r, to be revoked at endpoint after the last Release. ok
// is false when t's last holder has already let go (it was shared before that): the caller must
// get a new token.
func (c *Client) hold(r Request, t *Token, endpoint string) (lease string, ok bool) {
	key := tokenKey(t.AccessToken)
	id := make([]byte, 16)
	_, _ = rand.Read(id) // crypto/rand.Read never fails (Go 1.24+)
	lease = hex.EncodeToString(id)
	c.holds.mu.Lock()
	if c.holds.revoked[key] {
		c.holds.mu.Unlock()
		return "", false
	}
	h := c.holds.tokens[key]
	if h == nil {
		h = &held{request: r, token: t.clone(), endpoint: endpoint}
		c.holds.tokens[key] = h
	}
	h.count++
	c.holds.leases[lease] = key
	c.holds.mu.Unlock()
	if c.coalescing != nil {
		c.coalescing.forget(t.AccessToken)
	}
	return lease, true
}

// Release lets go of a lease. When it was the token's last holder, the token is revoked, within
// the time limit and with its retries. revoked reports whether a revocation was sent; an unknown
// lease is ignored.
func (c *Client) Release(ctx context.Context, lease string) (revoked bool, err error) {
	c.holds.mu.Lock()
	key, ok := c.holds.leases[lease]
	delete(c.holds.leases, lease)
	h := c.holds.tokens[key]
	last := ok && h != nil && h.count == 1
	if ok && h != nil {
		h.count--
		if last {
			delete(c.holds.tokens, key)
			c.holds.revoked[key] = true
		}
	}
	c.holds.mu.Unlock()
	if !last {
		return false, nil
	}
	return true, c.Revoke(ctx, h.request, h.endpoint, h.token)
}

// Revoke revokes t's access token and then its refresh token at endpoint (RFC 7009 2.1: token and
// token_type_hint, with the client authentication of the grant). When the grant was a refresh
// token grant, the refresh tokens are left alone: they belong to the grant the caller's refresh
// token started, and revoking one ends that grant on many servers (Keycloak ends the session), so
// the next run's refresh would fail. Both revocations are tried; the error says which token stays
// valid.
func (c *Client) Revoke(ctx context.Context, r Request, endpoint string, t *Token) error {
	if !r.CanRevoke() {
		return &Error{API: r.API, Kind: KindConfig, Setting: SettingRevocationURL, Message: r.API.Title + " tokens cannot be revoked"}
	}
	if err := CheckTokenURL(endpoint); err != nil {
		return &Error{API: r.API, Kind: KindConfig, Setting: SettingRevocationURL, Message: "the revocation URL: " + err.Error()}
	}
	tokens := []struct{ value, hint, name string }{{t.AccessToken, "access_token", "access token"}}
	if r.RefreshToken == "" {
		tokens = append(tokens, struct{ value, hint, name string }{t.RefreshToken, "refresh_token", "refresh token"})
	}
	r.TokenURL = endpoint // for messages and the assertion's audience
	if r.clientAuth() == ClientAuthFederatedJWT {
		// The job token the grant used may have expired since: a federated client authenticates
		// with a fresh one.
		job, _, err := c.jobToken(ctx, r)
		if err != nil {
			return err
		}
		r.jobToken = job
	}
	var failure *Error
	var failed, done []string
	for _, tok := range tokens {
		if tok.value == "" {
			continue
		}
		// The token being revoked is a secret of this request, with the client's.
		_, err := c.exchange(ctx, r, append(r.Secrets(), tok.value), c.revocationRequest(r, endpoint, tok.value, tok.hint), acceptAnything)
		if err == nil {
			done = append(done, tok.name)
			continue
		}
		failed = append(failed, tok.name)
		if failure == nil {
			failure, _ = err.(*Error) //nolint:errorlint // exchange returns only *Error
		}
	}
	if failure == nil {
		return nil
	}
	note := fmt.Sprintf("the %s stays valid until it expires", strings.Join(failed, " and the "))
	if len(done) > 0 {
		note += fmt.Sprintf("; the %s was revoked", strings.Join(done, " and the "))
	}
	failure.Message = joinMessage(failure.Message, note)
	return failure
}

// revocationRequest builds RFC 7009's request to revoke token, authenticated as r's grant was.
func (c *Client) revocationRequest(r Request, endpoint, token, hint string) func() (*http.Request, error) {
	return func() (*http.Request, error) {
		if r.API.revoke != nil {
			req, err := r.API.revoke(endpoint, token)
			if err == nil && c.cfg.UserAgent != "" {
				req.Header.Set("User-Agent", c.cfg.UserAgent)
			}
			return req, err
		}
		form := url.Values{"token": {token}, "token_type_hint": {hint}}
		h := http.Header{}
		h.Set("Content-Type", "application/x-www-form-urlencoded")
		if err := r.API.authenticate(r, form, h); err != nil {
			return nil, err
		}
		req, err := http.NewRequest(http.MethodPost, endpoint, bytes.NewReader([]byte(form.Encode())))
		if err != nil {
			return nil, err
		}
		req.Header = h
		if c.cfg.UserAgent != "" {
			req.Header.Set("User-Agent", c.cfg.UserAgent)
		}
		return req, nil
	}
}

// acceptAnything accepts any 2xx: RFC 7009 2.2 answers 200 with no meaningful body, also for a
// token that was already invalid.
func acceptAnything([]byte, time.Time, *redactor) (*Token, *Error) { return nil, nil }

func tokenKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return string(sum[:])
}
