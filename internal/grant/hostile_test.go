package grant_test

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver/hostile"
)

// Tests of the promises that hostile or broken servers and settings once broke (issue
// "Hostile and broken token servers"). Each fails on the code before that fixes.

// TestLoopbackBypassesTheProxy: with proxy_url set, a loopback token URL (plain http is allowed
// there) is reached directly: the proxy would receive the credentials in clear text.
func TestLoopbackBypassesTheProxy(t *testing.T) {
	var proxied atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		proxied.Add(1)
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer proxy.Close()
	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	c := newClient(t, func(c *grant.Config) { c.ProxyURL = proxy.URL })
	if _, err := c.Grant(context.Background(), testsupport.Request(grant.Tenn, ts.URL)); err != nil {
		t.Fatalf("grant through a proxy setting to loopback: %v", err)
	}
	if n := proxied.Load(); n != 0 || srv.Requests(tokenserver.Tenn) != 1 {
		t.Errorf("the proxy saw %d requests and the server %d; want 0 and 1", n, srv.Requests(tokenserver.Tenn))
	}
}

// TestCanceledGrantSendsNothing: a caller that has already given up starts no request, whether
// identical grants share one (reuse on) or not.
func TestCanceledGrantSendsNothing(t *testing.T) {
	for _, reuseTokens := range []bool{false, true} {
		srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := newClient(t, reuse(reuseTokens)).Grant(ctx, testsupport.Request(grant.Tenn, ts.URL))
		var ge *grant.Error
		if !errors.As(err, &ge) || ge.Kind != grant.KindCanceled {
			t.Errorf("reuse %v: want KindCanceled, got %v", reuseTokens, err)
		}
		if n := srv.Requests(tokenserver.Tenn); n != 0 {
			t.Errorf("reuse %v: a canceled grant sent %d requests, want 0", reuseTokens, n)
		}
	}
}

// TestCertificateForAnotherHost: a trusted certificate issued for another name is reported as a
// host mismatch (check the URL's host), not as an untrusted CA, and is not retried.
func TestCertificateForAnotherHost(t *testing.T) {
	srv, ts := testsupport.TokenServerTLS(t, tokenserver.DefaultConfig())
	caPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}))
	req := testsupport.Request(grant.Tenn, ts.URL)
	// httptest's certificate names 127.0.0.1 and example.com, not localhost.
	req.TokenURL = strings.Replace(req.TokenURL, "127.0.0.1", "localhost", 1)
	_, err := newClient(t, func(c *grant.Config) { c.CACertPEM = caPEM }).Grant(context.Background(), req)
	var ge *grant.Error
	if !errors.As(err, &ge) || ge.Reason() != grant.ReasonCertificateHostMismatch || ge.Attempts != 1 {
		t.Fatalf("want one attempt ending in a certificate host mismatch, got %v", err)
	}
	if n := srv.Requests(tokenserver.Tenn); n != 0 {
		t.Errorf("the handshake failed, yet the server saw %d requests", n)
	}
}

// TestShortSecretsKeepErrorsReadable: a one-character password cannot be masked inside text
// without garbling it. The OAuth code stays whole (so the hint is right) and the server's free
// text is withheld instead of shown with the secret in it.
func TestShortSecretsKeepErrorsReadable(t *testing.T) {
	for _, password := range []string{"e", "  ", "ab"} {
		srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
		req := testsupport.Request(grant.Tenn, ts.URL)
		req.Password = password
		_, err := newClient(t).Grant(context.Background(), req)
		var ge *grant.Error
		if !errors.As(err, &ge) {
			t.Fatalf("password %q: want *grant.Error, got %v", password, err)
		}
		if ge.Code != "invalid_grant" || ge.Reason() != grant.ReasonUserCredentials {
			t.Errorf("password %q: code %q reason %d, want invalid_grant and the credentials reason", password, ge.Code, ge.Reason())
		}
		if strings.Contains(ge.Description, "user name") || !strings.Contains(ge.Description, "withheld") {
			t.Errorf("a %d-character password: the description is not withheld (%d bytes, not shown: it may hold the password)", len(password), len(ge.Description))
		}
		if strings.Contains(ge.Error(), "***") {
			t.Errorf("password %q: the error was masked inside its words: %s", password, ge.Error())
		}
		if srv.Requests(tokenserver.Tenn) != 1 {
			t.Errorf("password %q: %d requests, want 1", password, srv.Requests(tokenserver.Tenn))
		}
	}
}

// TestSecretForms: the forms a server may echo a secret in, written out by hand so that the
// generator cannot agree with itself on a wrong form.
func TestSecretForms(t *testing.T) {
	forms := grant.SecretForms(`Ttest@2S&x <y>"'+`)
	for _, want := range []string{
		`Ttest@2S&x <y>"'+`,
		`Ttest%402S%26x+%3Cy%3E%22%27%2B`,                 // form-encoded, + for a space
		`Ttest%402S%26x%20%3Cy%3E%22%27%2B`,               // form-encoded, %20 for a space
		`Ttest@2S\u0026x \u003cy\u003e\"'+`,               // Go's encoding/json
		`Ttest@2S\u0026x \u003Cy\u003E\u0022\u0027\u002B`, // .NET's System.Text.Json
		`Ttest@2S&amp;x &lt;y&gt;&#34;&#39;+`,             // html.EscapeString
		`Ttest@2S&amp;x &lt;y&gt;&quot;&#x27;+`,           // named and hex entities
	} {
		found := false
		for _, f := range forms {
			found = found || f == want
		}
		if !found {
			t.Errorf("SecretForms lacks %s", want)
		}
	}
}

// TestTokenURLWithCredentialsIsNeverQuoted: a token URL that fails to parse is not quoted when
// it may carry user:password@.
func TestTokenURLWithCredentialsIsNeverQuoted(t *testing.T) {
	for _, raw := range []string{"https://user:p%ss@auth.example.com/token", "https://user:hunter2@auth.example.com/token"} {
		err := grant.CheckTokenURL(raw)
		if err == nil {
			t.Fatalf("%s accepted", raw)
		}
		if strings.Contains(err.Error(), "p%ss") || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("the error quotes the URL's password (error withheld)")
		}
	}
}

// hostileGrant runs the documented grant of api against a token server that answers with fault,
// with the given request changes, and returns the typed error and the requests the server saw.
func hostileGrant(t *testing.T, api *grant.API, fault hostile.Failure, mutate func(*grant.Request)) (grant.Request, *grant.Error, *hostile.Server) {
	t.Helper()
	srv, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
	srv.SetFault(testsupport.ServerAPI(api), hostile.Fault{FailTimes: hostile.Always, FailWith: fault})
	req := testsupport.Request(api, ts.URL)
	if mutate != nil {
		mutate(&req)
	}
	_, err := newClient(t).Grant(context.Background(), req)
	var ge *grant.Error
	if !errors.As(err, &ge) {
		t.Fatalf("want *grant.Error, got %v", err)
	}
	return req, ge, srv
}

// assertClean fails when the error text holds a secret of the request (in every form the
// redactor knows and every form the token server echoes), an issued token, or a control
// character, or is longer than a diagnostic should be.
func assertClean(t *testing.T, req grant.Request, ge *grant.Error, srv *hostile.Server) {
	t.Helper()
	text := ge.Error()
	secrets := testsupport.SecretForms(req)
	// What the server really received, not only what the client thinks it sent: they once differed.
	received := req.Secrets()
	if last := srv.LastRequest(testsupport.ServerAPI(req.API)); last != nil {
		if cred, ok := strings.CutPrefix(last.Header.Get("Authorization"), "Basic "); ok {
			received = append(received, cred)
		}
	}
	for _, s := range received {
		secrets = append(secrets, hostile.EchoedForms(s)...)
	}
	testsupport.AssertNoSecret(t, "the error", text, secrets...)
	testsupport.AssertNoSecret(t, "the error (tokens)", text, srv.Issued()...)
	if strings.Contains(text, "eyJ") {
		t.Error("the error holds a JWT-shaped string")
	}
	for _, r := range text {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u202e' {
			t.Fatalf("the error holds control character %U", r)
		}
	}
	if len(text) > 1500 {
		t.Errorf("the error is %d bytes long", len(text))
	}
}

// TestEchoedSecretsAreRedacted: a server that quotes the rejected request back, raw,
// form-encoded, JSON- or HTML-escaped or in another case, shows none of it; a secret that holds
// another is redacted whole (longest first).
func TestEchoedSecretsAreRedacted(t *testing.T) {
	nested := func(r *grant.Request) {
		// A newline too: .NET writes it as \n, not \u000A.
		// The secret changes when form-encoded, as oauth2's Basic credentials encode it.
		r.ClientSecret, r.Password = "S3cret+&/", "hunter2-S3cret+&/-tail <&>\"'+ é\nline2"
	}
	for _, api := range []*grant.API{grant.Tenn, grant.Testinium, grant.Partner, grant.OAuth2} {
		for _, fault := range []hostile.Failure{hostile.FailEchoCredentials, hostile.FailEchoHTML} {
			t.Run(api.Name+" "+fault.String(), func(t *testing.T) {
				req, ge, srv := hostileGrant(t, api, fault, nested)
				assertClean(t, req, ge, srv)
				if strings.Contains(ge.Error(), "hunter2") || strings.Contains(ge.Error(), "tail") {
					t.Errorf("part of a secret that contains another is left in the error (withheld)")
				}
				if fault == hostile.FailEchoCredentials && !strings.Contains(ge.Error(), "***") {
					t.Errorf("nothing was redacted from the %d-byte error; did the server echo? (withheld)", len(ge.Error()))
				}
				if srv.Requests(testsupport.ServerAPI(api)) != 1 {
					t.Errorf("%d requests for a 400, want 1", srv.Requests(testsupport.ServerAPI(api)))
				}
			})
		}
	}
}

// TestHostileAnswers covers the other broken and hostile answers: each is classified by what it
// is, costs the requests its status allows, and shows no secret, token or control character.
func TestHostileAnswers(t *testing.T) {
	tests := []struct {
		fault        hostile.Failure
		wantKind     grant.Kind
		wantReason   grant.Reason
		wantRequests int
		wantText     string
	}{
		{hostile.FailTokensInError, grant.KindStatus, grant.ReasonBadRequest, 1, "***"},
		{hostile.FailControlChars, grant.KindStatus, grant.ReasonBadRequest, 1, "[cut: the server sent"},
		// The status is known even when the body cannot be read: a wrong client stays one request.
		{hostile.FailCutBody401, grant.KindStatus, grant.ReasonClientCredentials, 1, "could not be read"},
		{hostile.FailBadGzip400, grant.KindStatus, grant.ReasonBadRequest, 1, "could not be read"},
		// A credentials error is final whatever the status.
		{hostile.Fail500InvalidGrant, grant.KindStatus, grant.ReasonUserCredentials, 1, "invalid_grant"},
		// An oversized error body does not change the retry decision, nor claim success.
		{hostile.Fail503HugeBody, grant.KindStatus, grant.ReasonServerFailure, 1 + grant.DefaultMaxRetries, "error body is larger"},
		{hostile.FailHugeHeader, grant.KindResponse, grant.ReasonNotATokenResponse, 1, "headers are larger than 65536 bytes"},
		{hostile.FailRedirectUserinfo, grant.KindRedirect, grant.ReasonRedirect, 1, "redirects to elsewhere.example.invalid"},
		{hostile.FailRedirectOddHost, grant.KindRedirect, grant.ReasonRedirect, 1, "redirects to another address"},
	}
	for _, tt := range tests {
		t.Run(tt.fault.String(), func(t *testing.T) {
			t.Parallel()
			req, ge, srv := hostileGrant(t, grant.Tenn, tt.fault, nil)
			if ge.Kind != tt.wantKind || ge.Reason() != tt.wantReason {
				t.Errorf("kind %d reason %d, want %d %d: %s", ge.Kind, ge.Reason(), tt.wantKind, tt.wantReason, ge.Error())
			}
			if n := srv.Requests(tokenserver.Tenn); n != tt.wantRequests {
				t.Errorf("%d requests, want %d", n, tt.wantRequests)
			}
			if !strings.Contains(ge.Error(), tt.wantText) {
				t.Errorf("error %q does not contain %q", ge.Error(), tt.wantText)
			}
			assertClean(t, req, ge, srv)
		})
	}
}

// TestCleaningCannotRebuildASecret: server text is cleaned before it is redacted. A character
// that cleaning removes (zero-width space, soft hyphen, NUL, a terminal escape), or a byte that is
// not UTF-8 (an ISO-8859-1 page), once kept the mask from matching an echoed secret, and cleaning
// then put the secret back together in the diagnostic.
func TestCleaningCannotRebuildASecret(t *testing.T) {
	const password = "Ttest@2Sé-Kennwort"
	latin1 := "Ttest@2S\xe9-Kennwort" // how an ISO-8859-1 page writes it
	for name, echo := range map[string]string{
		"zero-width space":            "Ttest@2S\u200bé-Kennwort",
		"soft hyphen":                 "Ttest@2\u00adSé-Kennwort",
		"NUL":                         "Ttest@2S\x00é-Kennwort",
		"ANSI escape":                 "Ttest@2S\x1b[0mé-Kennwort",
		"bidi override":               "Ttest@2S\u202eé-Kennwort",
		"ISO-8859-1":                  latin1,
		"ISO-8859-1 and a C1 control": "Ttest@2S\x9b\xe9-Kennwort",
		"UTF-8 read as ISO-8859-1":    "Ttest@2SÃ©-Kennwort",
		"ISO-8859-1 form-encoded":     "Ttest%402S%E9-Kennwort",
	} {
		for _, html := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s html=%v", name, html), func(t *testing.T) {
				ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
					if html {
						w.Header().Set("Content-Type", "text/html; charset=ISO-8859-1")
						w.WriteHeader(http.StatusBadRequest)
						fmt.Fprintf(w, "<html><body>Login failed for password %s</body></html>", echo)
						return
					}
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusBadRequest)
					fmt.Fprintf(w, `{"error":"invalid_grant","error_description":"wrong password %s"}`, jsonBytes(echo))
				}))
				defer ts.Close()
				req := grant.Request{API: grant.Tenn, TokenURL: ts.URL + "/connect/token", ClientID: "c",
					ClientSecret: "client-secret", Username: "u", Password: password}
				var logged testsupport.LockedBuffer
				c := newClient(t, func(c *grant.Config) {
					c.OnAttempt = func(_ context.Context, a grant.Attempt) { fmt.Fprintln(&logged, a.Err) }
				})
				_, err := c.Grant(context.Background(), req)
				var ge *grant.Error
				if !errors.As(err, &ge) {
					t.Fatalf("want *grant.Error, got %v", err)
				}
				for where, text := range map[string]string{"the error": ge.Error(), "the attempt log": logged.String()} {
					testsupport.AssertNoSecret(t, where, text, testsupport.SecretForms(req)...)
					testsupport.AssertNoSecret(t, where+" (folded)", strings.ToLower(text), strings.ToLower(password), "ttest@2s-kennwort")
				}
				if !strings.Contains(ge.Error(), "***") {
					t.Errorf("nothing was masked in the %d-byte error (text withheld)", len(ge.Error()))
				}
			})
		}
	}
}

// TestRedactionScansWhatItShows: a huge error body is cleaned and redacted only as far as a
// diagnostic quotes it (with room for a secret or token that starts inside the shown part), and a
// secret right at the cut is still masked whole, not shown in part.
func TestRedactionScansWhatItShows(t *testing.T) {
	const secret = "S3cret-at-the-cut"
	for _, at := range []int{0, 250, 290, 299, 300} {
		desc := strings.Repeat("x", at) + secret + strings.Repeat("y", 200<<10)
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"error":"invalid_request","error_description":%q}`, desc)
		}))
		req := grant.Request{API: grant.Partner, TokenURL: ts.URL + "/api/oauth/token", ClientID: "c", ClientSecret: secret}
		_, err := newClient(t).Grant(context.Background(), req)
		ts.Close()
		var ge *grant.Error
		if !errors.As(err, &ge) {
			t.Fatalf("want *grant.Error, got %v", err)
		}
		for n := minMask; n <= len(secret); n++ {
			if strings.Contains(ge.Description, secret[:n]) && !strings.Contains(strings.Repeat("x", at), secret[:n]) {
				t.Errorf("secret at %d: the description shows its first %d characters", at, n)
				break
			}
		}
		if !strings.Contains(ge.Description, "[cut: the server sent") {
			t.Errorf("secret at %d: a %d-byte description is not cut, saying so", at, len(desc))
		}
	}
}

// minMask is the shortest prefix of a secret that TestRedactionScansWhatItShows calls a part of it.
const minMask = 4

// jsonBytes escapes what JSON requires in a string (quotes, backslashes, control characters) and
// leaves every other byte as it is, as a server that writes ISO-8859-1 text into JSON does.
func jsonBytes(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20:
			fmt.Fprintf(&b, `\u%04x`, c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// TestSecretFormsOutsideASCII: a newline the way .NET writes it, and the ISO-8859-1 forms of a
// non-ASCII secret, written out by hand.
func TestSecretFormsOutsideASCII(t *testing.T) {
	forms := grant.SecretForms("pé\nx")
	for _, want := range []string{
		`p\u00E9\nx`,  // .NET: \n, not \u000A
		"pÃ©\nx",      // UTF-8 read as ISO-8859-1
		"p%E9%0Ax",    // ISO-8859-1, form-encoded
		"p%C3%A9%0Ax", // UTF-8, form-encoded
	} {
		if !slices.Contains(forms, want) {
			t.Errorf("SecretForms lacks %q", want)
		}
	}
}

// TestSecretsAreWhatIsSent: the Basic credentials the masks and the redaction cover are the ones
// the request really carried, as the token server received them. oauth2's client_secret_basic
// form-encodes id and secret first (RFC 6749 2.3.1), so base64(id:secret) was the wrong form.
func TestSecretsAreWhatIsSent(t *testing.T) {
	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	c := newClient(t)
	for _, api := range tokenserver.APIs {
		req := testsupport.Request(grant.Lookup(string(api)), ts.URL)
		if _, err := c.Grant(context.Background(), req); err != nil {
			t.Fatalf("%s: %v", api, err)
		}
		header := srv.LastRequest(api).Header.Get("Authorization")
		cred, basic := strings.CutPrefix(header, "Basic ")
		if jwt, ok := strings.CutPrefix(header, "Bearer "); ok && req.PrivateKeyPEM != "" {
			// A JWT the request's key signed for this attempt (GitHub's app JWT): it is redacted from
			// server text as every JWT-shaped string is, and it ends within 10 minutes.
			if _, ok := grant.JWTPayload(jwt); !ok {
				t.Errorf("%s sent a Bearer credential that is not a JWT", api)
			}
			continue
		}
		if header != "" && !basic {
			t.Fatalf("%s sent an Authorization header that is not Basic", api)
		}
		if basic && !slices.Contains(req.Secrets(), cred) {
			t.Errorf("%s: the Basic credentials sent are not among the request's secrets", api)
		}
		if header == "" && req.ClientSecret != "" && api != tokenserver.Partner {
			t.Errorf("%s sent no Basic credentials", api)
		}
	}
}
