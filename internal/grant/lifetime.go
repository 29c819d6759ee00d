package grant

import (
	"encoding/json"
	"fmt"
	"time"
)

// checkLifetime enforces Request.MinValidity on the token a grant hands out: it must stay valid at
// least that long from now. Reused tokens with less left never get here (the coalescer replaces
// them), so a token that fails is a fresh one whose whole lifetime is too short.
func checkLifetime(r Request, t *Token, now time.Time) error {
	if r.MinValidity <= 0 {
		return nil
	}
	e := &Error{API: r.API, Kind: KindLifetime, Setting: SettingMinValidity, MinValidity: r.MinValidity}
	if t.ExpiresAt.IsZero() {
		e.Message = "the token's expiry cannot be known: the server sent no expires_in and the token is not a JWT with an exp claim"
		return e
	}
	if left := t.ExpiresAt.Sub(now); left < r.MinValidity {
		e.Lifetime = lifetime(t)
		e.Message = fmt.Sprintf("%s issues tokens valid for %s, less than the minimum validity of %s asked for",
			r.API.Title, e.Lifetime, r.MinValidity)
		return e
	}
	return nil
}

// lifetime is how long the server makes its tokens live: exp - iat when the token is a JWT that
// has both (exact, whatever the clocks), else the lifetime the answer stated.
func lifetime(t *Token) time.Duration {
	var claims struct {
		Exp, Iat json.Number
	}
	if jwtClaims(t.AccessToken, &claims) {
		exp, errExp := claims.Exp.Float64()
		iat, errIat := claims.Iat.Float64()
		if errExp == nil && errIat == nil && exp > iat {
			return time.Duration((exp - iat) * float64(time.Second)).Round(time.Second)
		}
	}
	return time.Duration(t.ExpiresIn) * time.Second
}
