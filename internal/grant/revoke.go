package grant

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Revocation on close (RFC 7009). Identical grants share one token, so a token is revoked only when
// the last holder lets go; once a holder has asked for revocation the token is never handed out
// again. Holds live in the provider process's memory: a caller keeps only the lease, an opaque ID.

// holds tracks who holds which token.
type holds struct {
	mu     sync.Mutex
	leases map[string]string // lease -> token key
	tokens map[string]*held  // token key -> holders
}

type held struct {
	count    int
	revoke   bool
	endpoint string
	request  Request
	token    *Token
}

// CanRevoke reports whether r's API has a revocation (RFC 7009) client authentication.
func (r Request) CanRevoke() bool { return r.API != nil && r.API.authenticate != nil }

// Hold records that a caller holds t, granted for r, until it calls Release with the lease it
// gets. With revokeAt set (the RFC 7009 endpoint), the token is revoked at the last Release and
// never reused from now on.
func (c *Client) Hold(r Request, t *Token, revokeAt string) string {
	key := tokenKey(t.AccessToken)
	id := make([]byte, 16)
	_, _ = rand.Read(id) // crypto/rand.Read never fails (Go 1.24+)
	lease := hex.EncodeToString(id)
	c.holds.mu.Lock()
	h := c.holds.tokens[key]
	if h == nil {
		h = &held{request: r, token: t.clone()}
		c.holds.tokens[key] = h
	}
	h.count++
	if revokeAt != "" && !h.revoke {
		h.revoke, h.endpoint = true, revokeAt
	}
	c.holds.leases[lease] = key
	revoke := h.revoke
	c.holds.mu.Unlock()
	if revoke && c.coalescing != nil {
		c.coalescing.forget(t.AccessToken)
	}
	return lease
}

// Release lets go of a lease. When it was the token's last holder and a holder asked for
// revocation, the access token and then the refresh token are revoked, within the time limit
// and with its retries. revoked reports whether a revocation was sent; an unknown lease is ignored.
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
		}
	}
	c.holds.mu.Unlock()
	if !last || !h.revoke {
		return false, nil
	}
	return true, c.Revoke(ctx, h.request, h.endpoint, h.token)
}

// Revoke revokes t's access token and then its refresh token at endpoint (RFC 7009 2.1: token and
// token_type_hint, with the client authentication of the grant).
func (c *Client) Revoke(ctx context.Context, r Request, endpoint string, t *Token) error {
	if !r.CanRevoke() {
		return &Error{API: r.API, Kind: KindConfig, Setting: SettingRevocationURL, Message: r.API.Title + " tokens cannot be revoked"}
	}
	if err := CheckTokenURL(endpoint); err != nil {
		return &Error{API: r.API, Kind: KindConfig, Setting: SettingRevocationURL, Message: "the revocation URL: " + err.Error()}
	}
	r.TokenURL = endpoint // for messages and the assertion's audience
	for _, tok := range []struct{ value, hint string }{{t.AccessToken, "access_token"}, {t.RefreshToken, "refresh_token"}} {
		if tok.value == "" {
			continue
		}
		build := func() (*http.Request, error) {
			form := url.Values{"token": {tok.value}, "token_type_hint": {tok.hint}}
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
		// The token being revoked is a secret of this request, with the client's.
		if _, err := c.exchange(ctx, r, append(r.Secrets(), tok.value), build, acceptAnything); err != nil {
			return err
		}
	}
	return nil
}

// acceptAnything accepts any 2xx: RFC 7009 2.2 answers 200 with no meaningful body, also for a
// token that was already invalid.
func acceptAnything([]byte, time.Time, *redactor) (*Token, *Error) { return nil, nil }

func tokenKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return string(sum[:])
}
