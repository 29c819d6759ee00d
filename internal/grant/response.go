package grant

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// tokenResponse is the union of the form and JSON APIs' success bodies (RFC 6749 5.1) and their error
// body (5.2), which some servers send with a 200.
type tokenResponse struct {
	AccessToken      string      `json:"access_token"`
	TokenType        string      `json:"token_type"`
	ExpiresIn        flexSeconds `json:"expires_in"`
	RefreshToken     string      `json:"refresh_token"`
	IDToken          string      `json:"id_token"`
	Scope            flexScope   `json:"scope"`
	JTI              string      `json:"jti"`
	IssuedTokenType  string      `json:"issued_token_type"`
	Error            string      `json:"error"`
	ErrorDescription string      `json:"error_description"`
}

// ParseTokenResponse turns a 2xx body into a Token. receivedAt is when the response arrived;
// expires_at counts from it. requestedScope stands in for the granted scope when the server leaves
// scope out, as RFC 6749 5.1 allows when it granted what was asked. The returned error is secret-free:
// it never quotes the body.
func ParseTokenResponse(body []byte, receivedAt time.Time, requestedScope string) (*Token, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, errors.New("the response body is empty")
	}
	var resp tokenResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, errors.New("the response is not a JSON token object: " + jsonErrorSummary(err, len(body)))
	}
	if resp.Error != "" {
		return nil, &oauthError{resp.Error, resp.ErrorDescription}
	}
	if resp.AccessToken == "" {
		return nil, errors.New("the response has no access_token")
	}
	t := &Token{
		AccessToken:  resp.AccessToken,
		TokenType:    resp.TokenType,
		RefreshToken: resp.RefreshToken,
		IDToken:      resp.IDToken,
		JTI:          resp.JTI,
		// RFC 8693 2.2.1; token_type is then often "N_A", which is kept as sent.
		IssuedTokenType: resp.IssuedTokenType,
		Scopes:          resp.Scope.list,
	}
	if !resp.Scope.set {
		// The partner API names the granted scopes only inside its JWT.
		t.Scopes = jwtScopes(resp.AccessToken)
	}
	if t.Scopes == nil {
		t.Scopes = strings.Fields(requestedScope)
	}
	if t.Scopes == nil {
		t.Scopes = []string{}
	}
	switch {
	case resp.ExpiresIn.set:
		t.ExpiresIn = resp.ExpiresIn.seconds
		t.ExpiresAt = receivedAt.Add(time.Duration(resp.ExpiresIn.seconds) * time.Second).UTC()
	default:
		// Tenn sends no expires_in; its access token is a JWT whose exp says when it ends.
		if exp, ok := JWTExpiry(resp.AccessToken); ok {
			t.ExpiresAt = exp.UTC()
			t.ExpiresIn = max(0, int64(exp.Sub(receivedAt)/time.Second))
		}
	}
	return t, nil
}

// oauthError is an RFC 6749 error object found in a 2xx body.
type oauthError struct{ code, description string }

func (e *oauthError) Error() string { return "the response carries OAuth error " + e.code }

// JWTExpiry reads the exp claim of a JWT without verifying it: the provider only needs to know
// when to stop trusting the token, and the issuer checks it anyway. exp may be fractional
// (the partner API sends 1710223631.577478). ok is false when the token is not a JWT or has no
// usable exp.
func JWTExpiry(token string) (exp time.Time, ok bool) {
	var claims struct {
		Exp json.Number `json:"exp"`
	}
	if !jwtClaims(token, &claims) || claims.Exp == "" {
		return time.Time{}, false
	}
	exp, ok = NumericDate(claims.Exp)
	if !ok || exp.Equal(time.Unix(0, 0)) { // an exp of 0 says nothing about when to stop
		return time.Time{}, false
	}
	return exp, true
}

// NumericDate reads a JWT NumericDate (RFC 7519 2: seconds since 1970, fractions allowed, as the
// partner API sends 1710223631.577478) in UTC, to the microsecond. ok is false for what is not a
// number, or lies before 1970 or past year 9999.
func NumericDate(n json.Number) (time.Time, bool) {
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || f < 0 || f > 253402300799 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1e6))*1e3).UTC(), true
}

// jwtScopes reads a JWT's "scopes" (a list, as the partner API sends) or "scope" claim;
// nil when the token is not a JWT or has neither.
func jwtScopes(token string) []string {
	var claims struct {
		Scopes flexScope `json:"scopes"`
		Scope  flexScope `json:"scope"`
	}
	if !jwtClaims(token, &claims) {
		return nil
	}
	if claims.Scopes.set {
		return claims.Scopes.list
	}
	return claims.Scope.list
}

// JWTPayload returns the decoded payload (claims) of a JWT, without verifying it; ok is false
// when token is not three dot-separated parts with a base64url JSON object in the middle.
func JWTPayload(token string) (payload []byte, ok bool) {
	payload, ok = jwtPayload(token)
	if !ok || !json.Valid(payload) || len(bytes.TrimSpace(payload)) == 0 || bytes.TrimSpace(payload)[0] != '{' {
		return nil, false
	}
	return payload, true
}

// jwtPayload is the base64url-decoded middle part of a three-part token, unchecked.
func jwtPayload(token string) ([]byte, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	return payload, err == nil
}

// jwtClaims decodes a JWT's payload into claims, numbers as json.Number where the target says so.
func jwtClaims(token string, claims any) bool {
	payload, ok := jwtPayload(token)
	return ok && json.Unmarshal(payload, claims) == nil // json.Number fields keep exp exact
}

// flexSeconds accepts expires_in as a JSON number (the RFC) or a numeric string (seen in the wild).
type flexSeconds struct {
	seconds int64
	set     bool
}

func (f *flexSeconds) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	s := strings.Trim(string(b), `"`)
	if s == "" {
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || v < 0 || v > math.MaxInt32 {
		return errors.New("expires_in is not a number of seconds")
	}
	f.seconds, f.set = int64(v), true
	return nil
}

// flexScope accepts scope as the RFC's space-separated string or as a JSON array of strings.
type flexScope struct {
	list []string
	set  bool
}

func (f *flexScope) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	// The usual case, a plain quoted string, without a second pass of the JSON decoder: Tenn's
	// scope list is long and this is on every grant's path.
	if n := len(b); n >= 2 && b[0] == '"' && b[n-1] == '"' && !bytes.ContainsRune(b, '\\') && utf8.Valid(b) {
		f.list, f.set = strings.Fields(string(b[1:n-1])), true
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		f.list, f.set = strings.Fields(s), true
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return errors.New("scope is neither a string nor a list of strings")
	}
	f.list, f.set = list, true
	return nil
}

// jsonErrorSummary describes a JSON decoding error without quoting the input.
func jsonErrorSummary(err error, bodyLen int) string {
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax) && syntax.Offset >= int64(bodyLen):
		return "the JSON ends early (truncated body)"
	case errors.As(err, &syntax):
		return "invalid JSON at byte " + strconv.FormatInt(syntax.Offset, 10)
	case errors.As(err, &typeErr):
		return "field " + typeErr.Field + " has the wrong type (" + typeErr.Value + ")"
	}
	// Errors from our own UnmarshalJSON methods are fixed strings without input.
	msg := err.Error()
	if strings.HasPrefix(msg, "expires_in ") || strings.HasPrefix(msg, "scope ") {
		return msg
	}
	return "invalid JSON"
}
