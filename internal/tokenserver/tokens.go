package tokenserver

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// randomHex returns n random bytes (crypto/rand) as hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

// derivedUUID gives a stable UUID-shaped id for a name, so the same user or
// client gets the same sub/partner_id in every token.
func derivedUUID(name string) string {
	h := sha256.Sum256([]byte(name))
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// makeJWT builds a token shaped like an RS256 JWT. The signature segment is
// random bytes of an RSA-2048 signature's length: nobody verifies it.
func makeJWT(header string, claims any) string {
	payload, err := json.Marshal(claims)
	if err != nil {
		panic(err) // claims are our own structs
	}
	sig := make([]byte, 256)
	_, _ = rand.Read(sig)
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString(payload) + "." + enc.EncodeToString(sig)
}
