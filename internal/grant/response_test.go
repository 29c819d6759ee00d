package grant_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
)

func jwt(payload string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc([]byte(payload)) + ".c2ln"
}

func TestParseTokenResponse(t *testing.T) {
	now := time.Date(2024, 3, 12, 5, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		body       string
		scope      string
		wantErr    string
		wantIn     int64
		wantAt     string // RFC 3339 with fraction; empty for zero
		wantScopes string
	}{
		{name: "testinium sample", body: `{"access_token":"a","token_type":"bearer","refresh_token":"r","expires_in":3600,"scope":"openid","jti":"j"}`,
			wantIn: 3600, wantAt: "2024-03-12T06:00:00Z", wantScopes: "openid"},
		{name: "expires_in as a string", body: `{"access_token":"a","expires_in":"120"}`,
			wantIn: 120, wantAt: "2024-03-12T05:02:00Z"},
		{name: "tenn: expiry from JWT exp", body: `{"access_token":"` + jwt(`{"exp":1710223200}`) + `","scope":"openid profile"}`,
			wantIn: 3600, wantAt: "2024-03-12T06:00:00Z", wantScopes: "openid profile"},
		{name: "partner: fractional exp", body: `{"access_token":"` + jwt(`{"exp":1710223631.577478,"iat":1710220031.583112}`) + `"}`,
			wantIn: 4031, wantAt: "2024-03-12T06:07:11.577478Z"},
		{name: "partner: scopes from the JWT", body: `{"access_token":"` + jwt(`{"scopes":["bookings:create","bookings:delete"]}`) + `"}`,
			scope: "ignored", wantScopes: "bookings:create bookings:delete"},
		{name: "no expiry anywhere", body: `{"access_token":"opaque"}`, scope: "a b", wantScopes: "a b"},
		{name: "JWT with a string exp is no expiry", body: `{"access_token":"` + jwt(`{"exp":"soon"}`) + `"}`},
		{name: "scope as an array", body: `{"access_token":"a","scope":["x","y"]}`, wantScopes: "x y"},
		{name: "error in a 200", body: `{"error":"invalid_grant","error_description":"no"}`, wantErr: "invalid_grant"},
		{name: "no access_token", body: `{"token_type":"bearer"}`, wantErr: "no access_token"},
		{name: "truncated", body: `{"access_token":"abc`, wantErr: "truncated"},
		{name: "HTML", body: `<html>secret-looking</html>`, wantErr: "invalid JSON at byte 1"},
		{name: "negative expires_in", body: `{"access_token":"a","expires_in":-5}`, wantErr: "expires_in"},
		{name: "expires_in not a number", body: `{"access_token":"a","expires_in":"soon"}`, wantErr: "expires_in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := grant.ParseTokenResponse([]byte(tt.body), now, tt.scope)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "secret-looking") || strings.Contains(err.Error(), "abc") {
					t.Errorf("the error quotes the body: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			at := ""
			if !tok.ExpiresAt.IsZero() {
				at = tok.ExpiresAt.Format(time.RFC3339Nano)
			}
			if tok.ExpiresIn != tt.wantIn || at != tt.wantAt || strings.Join(tok.Scopes, " ") != tt.wantScopes {
				t.Errorf("got expires_in %d, expires_at %q, scopes %q; want %d, %q, %q",
					tok.ExpiresIn, at, strings.Join(tok.Scopes, " "), tt.wantIn, tt.wantAt, tt.wantScopes)
			}
			if tok.Scopes == nil {
				t.Error("scopes is nil; want an empty list")
			}
		})
	}
}

func TestJWTExpiry(t *testing.T) {
	for name, tc := range map[string]struct {
		token string
		want  string
	}{
		"integer":            {jwt(`{"exp":1710223200}`), "2024-03-12T06:00:00Z"},
		"fractional":         {jwt(`{"exp":1710223631.577478}`), "2024-03-12T06:07:11.577478Z"},
		"exponent":           {jwt(`{"exp":1.7102232e9}`), "2024-03-12T06:00:00Z"},
		"padded payload":     {strings.Replace(jwt(`{"exp":1710223200}`), ".c2ln", "=.c2ln", 1), "2024-03-12T06:00:00Z"},
		"not a JWT":          {"opaque-token", ""},
		"no exp":             {jwt(`{"sub":"x"}`), ""},
		"negative":           {jwt(`{"exp":-1}`), ""},
		"past year 9999":     {jwt(`{"exp":1e300}`), ""},
		"payload not base64": {"a.!!!.c", ""},
		"payload not JSON":   {"a." + base64.RawURLEncoding.EncodeToString([]byte("nope")) + ".c", ""},
	} {
		t.Run(name, func(t *testing.T) {
			exp, ok := grant.JWTExpiry(tc.token)
			got := ""
			if ok {
				got = exp.Format(time.RFC3339Nano)
			}
			if got != tc.want {
				t.Errorf("JWTExpiry = %q (ok %v), want %q", got, ok, tc.want)
			}
		})
	}
}
