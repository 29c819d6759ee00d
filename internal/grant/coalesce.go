package grant

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// coalescer makes identical grants in one provider process share one request: concurrent ones
// wait for the request in flight, later ones reuse its token while enough of its life is left.
// Failures reach only the callers waiting at that moment and are never kept.
type coalescer struct {
	inflight singleflight.Group
	mu       sync.Mutex
	tokens   map[string]cachedToken // by key(): a hash, so no credential is kept in clear
}

type cachedToken struct {
	token    *Token
	issuedAt time.Time
}

func newCoalescer() *coalescer { return &coalescer{tokens: map[string]cachedToken{}} }

func (c *coalescer) do(ctx context.Context, r Request, grant func(context.Context, Request) (*Token, error)) (*Token, error) {
	key := r.key()
	if t := c.fresh(key, r.MinValidity); t != nil {
		return t, nil
	}
	if ctx.Err() != nil {
		// Nothing may be sent for a caller that has already given up, shared flight or not.
		return nil, &Error{API: r.API, Kind: KindCanceled, Message: "canceled before the request was sent", Err: ctx.Err()}
	}
	// The shared request must not end because the caller that happened to start it was
	// canceled: the others still wait for it. It keeps ctx's values (log masks) and its deadline
	// (request_timeout); each caller stops waiting when its own ctx ends (below).
	flight, cancel := detached(ctx)
	ch := c.inflight.DoChan(key, func() (any, error) {
		defer cancel()
		if t := c.fresh(key, r.MinValidity); t != nil { // another flight finished between the check and here
			return t, nil
		}
		issuedAt := time.Now()
		t, err := grant(flight, r)
		if err == nil && !t.ExpiresAt.IsZero() {
			c.mu.Lock()
			c.tokens[key] = cachedToken{t.clone(), issuedAt}
			c.mu.Unlock()
		}
		return t, err
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.(*Token).clone(), nil //nolint:forcetypeassert // the flight above returns only *Token
	case <-ctx.Done():
		return nil, &Error{API: r.API, Kind: KindCanceled, Message: "canceled while waiting for an identical grant", Err: ctx.Err()}
	}
}

// fresh returns a copy of the cached token for key if it stays valid for longer than the safety
// margin (10% of its lifetime, at least 30 s) and than minValidity. A token without a known expiry
// is never reused.
func (c *coalescer) fresh(key string, minValidity time.Duration) *Token {
	c.mu.Lock()
	defer c.mu.Unlock()
	entry, ok := c.tokens[key]
	if !ok {
		return nil
	}
	margin := max(30*time.Second, entry.token.ExpiresAt.Sub(entry.issuedAt)/10)
	left := time.Until(entry.token.ExpiresAt)
	if left <= margin {
		delete(c.tokens, key)
		return nil
	}
	if left <= minValidity { // too little left for this caller; others may still use it
		return nil
	}
	return entry.token.clone()
}

// forget drops every cached entry of this access token: it is about to be revoked.
func (c *coalescer) forget(accessToken string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for key, entry := range c.tokens {
		if entry.token.AccessToken == accessToken {
			delete(c.tokens, key)
		}
	}
}

// key identifies a grant by everything that can change its result, hashed.
func (r Request) key() string {
	h := sha256.New()
	// Every field that can change the token or what becomes of it; TestRequestKeyCoversEveryField
	// fails when a new field of Request is neither here nor in its list of fields left out.
	parts := []string{r.ReuseGroup, r.API.Name, r.TokenURL, r.Issuer, r.ClientID, r.ClientSecret, r.Username, r.Password,
		r.Scope, r.GrantType, r.ClientAuth, r.PrivateKeyPEM, r.PrivateKeyID, r.PrivateKeyCertPEM, r.ClientCertPEM, r.ClientKeyPEM, r.RefreshToken, r.Audience,
		strconv.FormatBool(r.RevokeOnClose), r.RevocationURL,
		r.SubjectToken, r.SubjectTokenFile, r.SubjectTokenSource.Type, r.SubjectTokenSource.Audience, r.SubjectTokenSource.Env,
		r.SubjectTokenSource.Tag, r.SubjectTokenSource.ServiceConnectionID, r.SubjectTokenType, r.RequestedTokenType,
		r.ActorToken, r.ActorTokenType, r.APIURL, r.AppID, r.InstallationID, r.Owner}
	parts = append(parts, strconv.Itoa(len(r.Resource))) // counted, so the lists cannot run together
	parts = append(parts, r.Resource...)
	parts = append(parts, strconv.Itoa(len(r.Repositories)))
	parts = append(parts, r.Repositories...)
	for _, m := range []map[string]string{r.ExtraParams, r.Permissions} {
		parts = append(parts, strconv.Itoa(len(m)))
		for _, k := range slices.Sorted(maps.Keys(m)) {
			parts = append(parts, k, m[k])
		}
	}
	for _, part := range parts {
		// Length-prefixed, so no two different requests can hash the same input.
		h.Write(binary.AppendUvarint(nil, uint64(len(part))))
		h.Write([]byte(part))
	}
	return string(h.Sum(nil))
}
