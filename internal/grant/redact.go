package grant

import (
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// A server may echo what it received, in any encoding, and may send tokens, terminal escapes or
// megabytes of text in an error. Server text reaches an error (and so a diagnostic or a log line)
// only through a redactor's text method.

// minMaskable is the shortest secret that can be masked inside text: a shorter one matches
// everywhere and garbles every word ("inv***lid_gr***nt"). With such a secret in the request, the
// server's free text is withheld instead.
const minMaskable = 3

// maxServerText is how much of one piece of server text an error quotes.
const maxServerText = 300

// redactor removes a request's secrets, in every form a server might echo them, from server text.
// Its expression is compiled on first use: a grant that succeeds never needs it.
type redactor struct {
	maskable []string // secrets long enough to mask
	withhold bool     // a secret is too short to mask: withhold free text
	once     sync.Once
	secrets  *regexp.Regexp // every form of every maskable secret, longest first; nil if none
	longest  int            // the length of its longest form
}

func newRedactor(secrets []string) *redactor {
	r := &redactor{}
	for _, s := range secrets {
		switch {
		case len(strings.TrimSpace(s)) >= minMaskable:
			r.maskable = append(r.maskable, s)
		case s != "":
			r.withhold = true
		}
	}
	return r
}

// expression compiles the secrets' expression once: every form of every secret as it may travel
// (for the log masks) and as readable leaves it (for server text, which is cleaned first).
func (r *redactor) expression() *regexp.Regexp {
	r.once.Do(func() {
		forms := r.forms()
		if len(forms) == 0 {
			return
		}
		r.longest = len(forms[0])
		for i, f := range forms {
			forms[i] = regexp.QuoteMeta(f)
		}
		r.secrets = regexp.MustCompile("(?i)" + strings.Join(forms, "|"))
	})
	return r.secrets
}

// forms lists what expression matches, longest first: when one secret contains another, the
// whole of it goes.
func (r *redactor) forms() []string {
	var forms []string
	for _, s := range r.maskable {
		for _, f := range SecretForms(s) {
			cleaned, _ := readable(f, len(f))
			forms = append(forms, f, cleaned, strings.TrimSpace(cleaned))
		}
	}
	forms = slices.DeleteFunc(forms, func(f string) bool { return len(strings.TrimSpace(f)) < minMaskable })
	slices.SortFunc(forms, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	return slices.Compact(forms)
}

// longestForm is the length of the longest form the expression matches (0 without secrets).
func (r *redactor) longestForm() int {
	r.expression()
	return r.longest
}

// SecretForms is every form in which a server may echo secret back: raw; form-encoded, with + or
// %20 for a space; JSON-escaped the way Go and .NET escape; HTML-escaped; and for a secret
// outside ASCII, its UTF-8 bytes misread as ISO-8859-1 ("é" as "Ã©") and its ISO-8859-1 bytes
// form-encoded ("%E9"). Matching is also case-insensitive. Log masks and redaction both use it.
func SecretForms(secret string) []string {
	query := url.QueryEscape(secret)
	forms := []string{
		secret,
		query,
		strings.ReplaceAll(query, "+", "%20"),
		url.PathEscape(secret),
		jsonEscape(secret, true),
		jsonEscape(secret, false),
		dotNetJSONEscape(secret),
		html.EscapeString(secret),
		strings.NewReplacer("&#34;", "&quot;", "&#39;", "&#x27;").Replace(html.EscapeString(secret)),
	}
	if misread := latin1Misread(secret); misread != secret {
		forms = append(forms, misread)
	}
	if latin1, ok := latin1Bytes(secret); ok && latin1 != secret {
		q := url.QueryEscape(latin1)
		forms = append(forms, q, strings.ReplaceAll(q, "+", "%20"))
	}
	return slices.Compact(slices.Sorted(slices.Values(forms)))
}

// latin1Misread is s's UTF-8 bytes read as ISO-8859-1, as a server that assumes that charset
// decodes a request: "é" becomes "Ã©".
func latin1Misread(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteRune(rune(s[i]))
	}
	return b.String()
}

// latin1Bytes is s encoded in ISO-8859-1, byte per character; ok is false when s has a character
// outside it.
func latin1Bytes(s string) (string, bool) {
	b := make([]byte, 0, len(s))
	for _, c := range s {
		if c > 0xff {
			return "", false
		}
		b = append(b, byte(c)) //nolint:gosec // c <= 0xff, checked above
	}
	return string(b), true
}

// jsonEscape is how Go's encoding/json writes s inside a string, with or without HTML escaping.
func jsonEscape(s string, escapeHTML bool) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(s) // a string always encodes
	out := strings.TrimSuffix(b.String(), "\n")
	return out[1 : len(out)-1]
}

// dotNetJSONEscape is how .NET's System.Text.Json writes s by default: \uXXXX for HTML-sensitive
// characters, + and the backtick too, and for everything outside ASCII.
func dotNetJSONEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case dotNetShort[r] != "":
			b.WriteString(dotNetShort[r])
		case strings.ContainsRune("\"&'+<>`", r) || r < 0x20 || r > 0x7e:
			if r > 0xffff {
				r1, r2 := utf16Surrogates(r)
				fmt.Fprintf(&b, `\u%04X\u%04X`, r1, r2)
			} else {
				fmt.Fprintf(&b, `\u%04X`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// dotNetShort are the two-character escapes System.Text.Json writes instead of \uXXXX.
var dotNetShort = map[rune]string{'\b': `\b`, '\t': `\t`, '\n': `\n`, '\f': `\f`, '\r': `\r`}

func utf16Surrogates(r rune) (rune, rune) {
	r -= 0x10000
	return 0xd800 + (r>>10)&0x3ff, 0xdc00 + r&0x3ff
}

// Tokens in server text: the fields of a token response, in JSON or form encoding, and anything
// shaped like a JWT (or its first two parts).
var (
	tokenField = regexp.MustCompile(`(?i)("?(?:access_token|refresh_token|id_token)"?\s*[:=]\s*"?)([^"&\s,}]+)`)
	// The signature part is optional: a JWT longer than what the redactor reads is cut before it.
	jwtShape = regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?`)
	// ansiEscape is a terminal escape sequence: CSI (ESC [ ... final) or OSC (ESC ] ... BEL or ST).
	ansiEscape = regexp.MustCompile(`\x1b\[[0-?]*[\x20-\x2f]*[\x40-\x7e]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b.?`)
)

// redact removes the secrets and any token from s, which readable has already cleaned.
func (r *redactor) redact(s string) string {
	if re := r.expression(); re != nil {
		s = re.ReplaceAllString(s, "***")
	}
	s = tokenField.ReplaceAllString(s, "${1}***")
	return jwtShape.ReplaceAllString(s, "***")
}

// withheldText stands for server text that a too-short secret keeps from being shown.
const withheldText = "[withheld: a credential of this request is too short to be masked in server text]"

// text makes server text safe to show: cleaned (readable), secrets and tokens redacted (or all of
// it withheld when a secret is too short to mask), and cut at limit characters, saying so.
func (r *redactor) text(s string, limit int) string {
	if s == "" {
		return ""
	}
	if r.withhold {
		return withheldText
	}
	return r.show(s, limit)
}

// show is text without the withholding, for messages of our own that quote names from the
// server (TLS errors). Cleaning comes first: removing a character after redaction could put back
// together a secret that the character had kept the mask from matching. Only what can be shown is
// scanned (plus room for a secret or token that starts inside it), so a huge body costs no more
// than a short one.
func (r *redactor) show(s string, limit int) string {
	visible, rest := readable(s, limit+r.longestForm()+scanSlack)
	shown := []rune(r.redact(visible))
	if len(shown) <= limit && rest == 0 {
		return string(shown)
	}
	if len(shown) > limit {
		shown = shown[:limit]
	}
	return strings.TrimRight(string(shown), " ") + fmt.Sprintf("... [cut: the server sent %d bytes in all]", len(s))
}

// scanSlack is how far past what is shown the redactor reads, so that a token that starts inside
// the shown part is recognised whole (tokenField, jwtShape) and masked.
const scanSlack = 4 << 10

// readable cleans server text for showing, and for matching secrets against: bytes that are not
// UTF-8 are read as ISO-8859-1 (old servlet and IIS pages answer in it, so an echoed "é" arrives as
// one byte); terminal escapes, control characters and invisible format characters (zero-width
// space, soft hyphen, bidi overrides) are removed; runs of white space become one space. It stops
// after limit runes and returns how many bytes of s it did not read.
func readable(s string, limit int) (string, int) {
	var b strings.Builder
	n, space := 0, false
	for i := 0; i < len(s); {
		if s[i] == 0x1b {
			if loc := ansiEscape.FindStringIndex(s[i:]); len(loc) > 0 && loc[0] == 0 {
				i += loc[1]
				continue
			}
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size <= 1 {
			c = rune(s[i]) // ISO-8859-1: each byte is the code point of the same number
		}
		i += max1(size)
		switch {
		case unicode.IsSpace(c):
			space = true
			continue
		case unicode.IsControl(c) || unicode.Is(unicode.Cf, c) || c == utf8.RuneError:
			continue
		}
		if n >= limit {
			return b.String(), len(s) - i + max1(size)
		}
		if space {
			if b.Len() > 0 {
				b.WriteByte(' ')
				n++
			}
			space = false
		}
		b.WriteRune(c)
		n++
	}
	if space && b.Len() > 0 {
		b.WriteByte(' ')
	}
	return b.String(), 0
}

func max1(n int) int { return max(n, 1) }

// asUTF8 is body with every byte that is not part of valid UTF-8 read as ISO-8859-1, as readable
// reads it, for a body that must be decoded (JSON) before its text is cleaned: the decoder would
// turn such bytes into U+FFFD and lose the character an echoed secret had there.
func asUTF8(body []byte) []byte {
	if utf8.Valid(body) {
		return body
	}
	out := make([]byte, 0, len(body)+len(body)/8)
	for i := 0; i < len(body); {
		c, size := utf8.DecodeRune(body[i:])
		if c == utf8.RuneError && size <= 1 {
			c, size = rune(body[i]), 1
		}
		out = utf8.AppendRune(out, c)
		i += size
	}
	return out
}

// oauthCodes are the error codes RFC 6749 (5.2, 4.1.2.1) and RFC 6750 define. A server's code
// that is one of them is shown as it is: it is not an echo, and masking inside it would hide the
// hint it gives. Any other code is server text.
var oauthCodes = []string{"invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
	"unsupported_grant_type", "invalid_scope", "access_denied", "unsupported_response_type",
	"server_error", "temporarily_unavailable", "invalid_token", "insufficient_scope"}

func (r *redactor) code(code string) string {
	for _, c := range oauthCodes {
		if strings.EqualFold(code, c) {
			return c
		}
	}
	return r.text(code, 64)
}

// plainHost reports whether host is a host name or address with an optional port, and nothing
// else: a redirect target is server text, shown only when it can hold nothing more.
var plainHost = regexp.MustCompile(`^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$`)

// logMask matches every form of every maskable secret, for the log masks; nil when there is none.
func (r *redactor) logMask() *regexp.Regexp { return r.expression() }

// host is a redirect target's host when it is plain and holds no secret, else "".
func (r *redactor) host(host string) string {
	if !plainHost.MatchString(host) || r.withhold || r.show(host, len(host)) != host {
		return ""
	}
	return host
}
