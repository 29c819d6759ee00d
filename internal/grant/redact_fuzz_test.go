package grant

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzRedactorOrder: a secret echoed with anything at all slipped inside it (an invisible
// character, an escape, a byte that is not UTF-8) and anything around it never reaches the shown
// text whole, however cleaning treats the extra bytes. Redacting before cleaning failed this in
// seconds. The seeds run with every `go test`; `make fuzz` explores further.
func FuzzRedactorOrder(f *testing.F) {
	const secret = "Ttest@2Sé-Kennwort"
	for _, junk := range []string{"\u200b", "\u00ad", "\x00", "\x1b[0m", "\xe0", "\x9b", "\u202e", " \n", "\x1b]0;t\x07"} {
		f.Add("wrong password ", junk, 8, " for user")
	}
	f.Add(`Pa$$w0rd+&`, "\xe0", 3, `<X>'y@2S`)
	red := newRedactor([]string{secret})
	f.Fuzz(func(t *testing.T, before, junk string, at int, after string) {
		at = (at%len(secret) + len(secret)) % len(secret)
		for !utf8.RuneStart(secret[at]) {
			at--
		}
		shown := red.text(before+secret[:at]+junk+secret[at:]+after, maxServerText)
		if strings.Contains(strings.ToLower(shown), strings.ToLower(secret)) {
			t.Fatalf("the secret is in the shown text (%d bytes; withheld)", len(shown))
		}
	})
}
