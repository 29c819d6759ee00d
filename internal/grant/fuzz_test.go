package grant_test

import (
	"testing"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
)

// The seeds (f.Add and testdata/fuzz/) run with every `go test`; `make fuzz` explores further.

// FuzzParseTokenResponse: any body gives a token or an error, never a panic, and what it returns
// keeps its promises.
func FuzzParseTokenResponse(f *testing.F) {
	f.Add([]byte(`{"access_token":"a","token_type":"bearer","refresh_token":"r","expires_in":3600,"scope":"openid","jti":"j"}`), "")
	f.Add([]byte(`{"access_token":"`+jwt(`{"exp":1710223631.577478}`)+`"}`), "openid")
	f.Add([]byte(`{"access_token":"a","expires_in":"60","scope":["a","b"]}`), "")
	f.Add([]byte(`{"error":"invalid_grant","error_description":"x"}`), "")
	f.Add([]byte(`<html><body>502 Bad Gateway</body></html>`), "")
	f.Add([]byte(`{"access_token":"abc`), "")
	f.Fuzz(func(t *testing.T, body []byte, scope string) {
		now := time.Unix(1700000000, 0)
		tok, err := grant.ParseTokenResponse(body, now, scope)
		if err != nil {
			if tok != nil {
				t.Fatal("both a token and an error")
			}
			return
		}
		if tok.AccessToken == "" {
			t.Fatal("a token without access_token")
		}
		if tok.Scopes == nil || tok.ExpiresIn < 0 {
			t.Fatalf("scopes nil or negative expires_in %d", tok.ExpiresIn)
		}
		if !tok.ExpiresAt.IsZero() && tok.ExpiresAt.Location() != time.UTC {
			t.Fatal("expires_at not in UTC")
		}
	})
}

// FuzzJWTExpiry: any string gives an expiry in [1970, 9999] or none, never a panic.
func FuzzJWTExpiry(f *testing.F) {
	f.Add(jwt(`{"exp":1710223631.577478}`))
	f.Add(jwt(`{"exp":1710223200}`))
	f.Add(jwt(`{"exp":"1710223200"}`))
	f.Add(jwt(`{"exp":1e400}`))
	f.Add("a.b.c")
	f.Add("")
	f.Fuzz(func(t *testing.T, token string) {
		exp, ok := grant.JWTExpiry(token)
		if !ok {
			return
		}
		if exp.Year() < 1970 || exp.Year() > 9999 || exp.Location() != time.UTC {
			t.Fatalf("expiry %v out of range", exp)
		}
	})
}
