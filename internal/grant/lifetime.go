package grant

import (
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
	e.Expiry = t.ExpiresAt
	left := t.ExpiresAt.Sub(now) // saturates rather than overflows for a far expiry
	if left >= r.MinValidity {
		return nil
	}
	// The time left decides, so it is what the message names: a JWT's exp - iat can differ from
	// the expires_in the expiry came from. Rounded up: a token valid for 60 s is "1m0s" a moment later.
	e.Lifetime = (left + time.Second - 1).Truncate(time.Second)
	if e.Lifetime >= r.MinValidity {
		e.Lifetime = left.Truncate(time.Second)
	}
	if left <= 0 {
		e.Message = fmt.Sprintf("%s issued a token that had already expired when it arrived (check the clocks); "+
			"the minimum validity asked for is %s", r.API.Title, r.MinValidity)
		return e
	}
	e.Message = fmt.Sprintf("%s issues tokens valid for %s, less than the minimum validity of %s asked for",
		r.API.Title, e.Lifetime, r.MinValidity)
	return e
}
