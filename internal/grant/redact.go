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

// expression compiles the secrets' expression once.
func (r *redactor) expression() *regexp.Regexp {
	r.once.Do(func() {
		var forms []string
		for _, s := range r.maskable {
			forms = append(forms, SecretForms(s)...)
		}
		if len(forms) == 0 {
			return
		}
		// Longest first: when one secret contains another, the whole of it goes.
		slices.SortFunc(forms, func(a, b string) int { return len(b) - len(a) })
		forms = slices.Compact(forms)
		for i, f := range forms {
			forms[i] = regexp.QuoteMeta(f)
		}
		r.secrets = regexp.MustCompile("(?i)" + strings.Join(forms, "|"))
	})
	return r.secrets
}

// SecretForms is every form in which a server may echo secret back: raw; form-encoded, with + or
// %20 for a space; JSON-escaped the way Go and .NET escape; HTML-escaped. Matching is also
// case-insensitive. Log masks and redaction both use it.
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
	return slices.Compact(slices.Sorted(slices.Values(forms)))
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

func utf16Surrogates(r rune) (rune, rune) {
	r -= 0x10000
	return 0xd800 + (r>>10)&0x3ff, 0xdc00 + r&0x3ff
}

// Tokens in server text: the fields of a token response, in JSON or form encoding, and anything
// shaped like a JWT.
var (
	tokenField = regexp.MustCompile(`(?i)("?(?:access_token|refresh_token|id_token)"?\s*[:=]\s*"?)([^"&\s,}]+)`)
	jwtShape   = regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`)
	// ansiEscape is a terminal escape sequence: CSI (ESC [ ... final) or OSC (ESC ] ... BEL or ST).
	ansiEscape = regexp.MustCompile(`\x1b\[[0-?]*[\x20-\x2f]*[\x40-\x7e]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b.?`)
)

// redact removes the secrets and any token from s.
func (r *redactor) redact(s string) string {
	if re := r.expression(); re != nil {
		s = re.ReplaceAllString(s, "***")
	}
	s = tokenField.ReplaceAllString(s, "${1}***")
	return jwtShape.ReplaceAllString(s, "***")
}

// text makes server text safe to show: secrets and tokens redacted (or all of it withheld when a
// secret is too short to mask), terminal escapes and control characters removed, white space
// folded, and cut at max characters, saying so.
func (r *redactor) text(s string, limit int) string {
	if s == "" {
		return ""
	}
	if r.withhold {
		return "[withheld: a credential of this request is too short to be masked in server text]"
	}
	return clean(r.redact(s), limit)
}

// clean removes terminal escapes and control characters, folds white space, and cuts s at max
// characters, saying so.
func clean(s string, limit int) string {
	s = ansiEscape.ReplaceAllString(s, "")
	var b strings.Builder
	n, space := 0, false
	for i, c := range s {
		switch {
		case c == utf8.RuneError:
			continue
		case unicode.IsSpace(c):
			space = b.Len() > 0
			continue
		case unicode.IsControl(c) || unicode.Is(unicode.Cf, c): // C0, C1, DEL, bidi overrides
			continue
		}
		if n == limit {
			fmt.Fprintf(&b, "... [cut: the server sent %d more bytes]", len(s)-i)
			break
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(c)
		n++
	}
	return b.String()
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
	if !plainHost.MatchString(host) || r.withhold || r.redact(host) != host {
		return ""
	}
	return host
}
