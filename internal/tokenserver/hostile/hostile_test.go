package hostile_test

import (
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver/hostile"
)

// TestFaults sets each failure once, checks the faulted answer, and then
// checks that the next request succeeds (FailTimes counted down).
func TestFaults(t *testing.T) {
	t.Parallel()
	// wantRetryAfter7 checks the Retry-After the faults below are set with (RetryAfter: "7").
	wantRetryAfter7 := func(t *testing.T, resp *http.Response, _ []byte) { wantHeader(t, resp, "Retry-After", "7") }
	tests := []struct {
		failure hostile.Failure
		status  int
		code    string                                               // the error code the body must name; "" to check none
		check   func(t *testing.T, resp *http.Response, body []byte) // the fault's other checks, if any
	}{
		{hostile.Fail503, 503, "temporarily_unavailable", wantRetryAfter7},
		{hostile.Fail429, 429, "", wantRetryAfter7},
		{hostile.Fail500, 500, "server_error", nil},
		{hostile.Fail501, 501, "", nil},
		{hostile.FailHTML502, 502, "", func(t *testing.T, resp *http.Response, body []byte) {
			wantHeader(t, resp, "Content-Type", "text/html")
			if !strings.Contains(string(body), "<title>502 Bad Gateway</title>") {
				t.Errorf("body %q", body)
			}
		}},
		{hostile.FailTruncatedJSON, 200, "", func(t *testing.T, resp *http.Response, body []byte) {
			var v any
			if string(body) != hostile.TruncatedJSONBody || json.Unmarshal(body, &v) == nil {
				t.Errorf("body %q, want truncated JSON", body)
			}
		}},
		{hostile.FailNoAccessToken, 200, "", func(t *testing.T, resp *http.Response, body []byte) {
			if m := decodeObject(t, body); m["access_token"] != nil {
				t.Errorf("body %s has access_token", body)
			}
		}},
		{hostile.FailErrorIn200, 200, "invalid_grant", nil},
		{hostile.FailHugeBody, 200, "", func(t *testing.T, resp *http.Response, body []byte) {
			wantHugeBody(t, resp, body)
			var v any
			if err := json.Unmarshal(body, &v); err != nil {
				t.Errorf("huge body is not JSON: %v", err)
			}
		}},
		{hostile.FailRedirect, 302, "", func(t *testing.T, resp *http.Response, body []byte) {
			wantHeader(t, resp, "Location", "https://elsewhere.example.invalid/connect/token")
		}},
		{hostile.FailEchoCredentials, 400, "invalid_request", func(t *testing.T, resp *http.Response, body []byte) {
			desc, _ := decodeObject(t, body)["error_description"].(string)
			// Tenn's documented request: the Basic string, its secret and the form's password.
			basic := strings.TrimPrefix(testsupport.Basic(tokenserver.TennClientID, tokenserver.TennClientSecret), "Basic ")
			for i, want := range []string{tokenserver.TennClientSecret, basic, strings.ToUpper(basic),
				tokenserver.TennPassword, "Ttest%402S", "TTEST@2S"} {
				if !strings.Contains(desc, want) {
					t.Errorf("error_description (%d bytes, withheld: it echoes credentials) lacks form #%d", len(desc), i+1)
				}
			}
		}},
		{hostile.FailControlChars, 400, "invalid_request", nil},
		{hostile.Fail500InvalidGrant, 500, "", func(t *testing.T, resp *http.Response, body []byte) {
			m := decodeObject(t, body)
			if m["error"] != "invalid_grant" || m["error_description"] != "The user name or password is incorrect." || len(m) != 2 {
				t.Errorf("body %s", body)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
		}},
		{hostile.Fail503HugeBody, 503, "temporarily_unavailable", func(t *testing.T, resp *http.Response, body []byte) {
			wantHeader(t, resp, "Retry-After", "7")
			wantHugeBody(t, resp, body)
		}},
		{hostile.FailRedirectUserinfo, 302, "", func(t *testing.T, resp *http.Response, body []byte) {
			want := "https://" + tokenserver.TennClientSecret + "@elsewhere.example.invalid/x"
			wantHeader(t, resp, "Location", want)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.failure.String(), func(t *testing.T) {
			t.Parallel()
			s, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
			c := noRedirects(ts)
			s.SetFault(tokenserver.Tenn, hostile.Fault{FailTimes: 1, FailWith: tc.failure, RetryAfter: "7"})

			resp, body := send(t, c, ts, validRequest(tokenserver.Tenn))
			wantStatus(t, resp, tc.status)
			if tc.code != "" {
				wantError(t, body, tc.code)
			}
			if tc.check != nil {
				tc.check(t, resp, body)
			}

			resp, body = send(t, c, ts, validRequest(tokenserver.Tenn))
			if resp.StatusCode != 200 || decodeObject(t, body)["access_token"] == nil {
				t.Errorf("after the fault: status %d: %.200s", resp.StatusCode, body)
			}
			if got := s.Requests(tokenserver.Tenn); got != 2 {
				t.Errorf("Requests %d, want 2", got)
			}
		})
	}
}

func wantStatus(t *testing.T, resp *http.Response, status int) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d", resp.StatusCode, status)
	}
}

// wantHeader fails the test unless the answer's header name is want.
func wantHeader(t *testing.T, resp *http.Response, name, want string) {
	t.Helper()
	if got := resp.Header.Get(name); got != want {
		t.Errorf("%s %q, want %q", name, got, want)
	}
}

// wantHugeBody fails the test unless the answer's body, and its Content-Length, are HugeBodySize.
func wantHugeBody(t *testing.T, resp *http.Response, body []byte) {
	t.Helper()
	if len(body) != hostile.HugeBodySize || resp.ContentLength != hostile.HugeBodySize {
		t.Errorf("body %d bytes, Content-Length %d, want %d", len(body), resp.ContentLength, hostile.HugeBodySize)
	}
}

func wantError(t *testing.T, body []byte, code string) {
	t.Helper()
	if got := decodeObject(t, body)["error"]; got != code {
		t.Errorf("error %v, want %s", got, code)
	}
}

func TestFailTimesCountdown(t *testing.T) {
	t.Parallel()
	s, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
	c := ts.Client()
	s.SetFault(tokenserver.Partner, hostile.Fault{FailTimes: 2, FailWith: hostile.Fail503})

	var got []int
	for range 4 {
		resp, _ := send(t, c, ts, validRequest(tokenserver.Partner))
		got = append(got, resp.StatusCode)
	}
	if want := []int{503, 503, 200, 200}; !slices.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	// Faults belong to one API.
	if resp, _ := send(t, c, ts, validRequest(tokenserver.Tenn)); resp.StatusCode != 200 {
		t.Errorf("tenn status %d, want 200", resp.StatusCode)
	}
	if s.Requests(tokenserver.Partner) != 4 || s.LastRequest(tokenserver.Partner) == nil {
		t.Errorf("partner requests %d, want 4", s.Requests(tokenserver.Partner))
	}

	s.SetFault(tokenserver.Partner, hostile.Fault{FailTimes: hostile.Always, FailWith: hostile.Fail500})
	for range 3 {
		if resp, _ := send(t, c, ts, validRequest(tokenserver.Partner)); resp.StatusCode != 500 {
			t.Errorf("Always: status %d, want 500", resp.StatusCode)
		}
	}
	s.SetFault(tokenserver.Partner, hostile.Fault{})
	if resp, _ := send(t, c, ts, validRequest(tokenserver.Partner)); resp.StatusCode != 200 {
		t.Errorf("after clearing: status %d", resp.StatusCode)
	}
}

// TestFailFor: failures last FailFor from the first one, then requests succeed. Only the end of
// a short window is awaited, and the inside of a long one is checked: no timing is close.
func TestFailFor(t *testing.T) {
	t.Parallel()
	s, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
	c := ts.Client()
	s.SetFault(tokenserver.Partner, hostile.Fault{FailTimes: hostile.Always, FailWith: hostile.Fail429, FailFor: time.Hour})
	for range 3 {
		if resp, _ := send(t, c, ts, validRequest(tokenserver.Partner)); resp.StatusCode != 429 {
			t.Errorf("inside the window: status %d, want 429", resp.StatusCode)
		}
	}
	s.SetFault(tokenserver.Partner, hostile.Fault{FailTimes: hostile.Always, FailWith: hostile.Fail429, FailFor: 50 * time.Millisecond})
	if resp, _ := send(t, c, ts, validRequest(tokenserver.Partner)); resp.StatusCode != 429 {
		t.Errorf("the first request: status %d, want 429", resp.StatusCode)
	}
	time.Sleep(100 * time.Millisecond)
	for range 2 {
		if resp, _ := send(t, c, ts, validRequest(tokenserver.Partner)); resp.StatusCode != 200 {
			t.Errorf("after the window: status %d, want 200", resp.StatusCode)
		}
	}
}

// TestFailTimesConcurrent: with N failures and many parallel requests, exactly N fail.
func TestFailTimesConcurrent(t *testing.T) {
	t.Parallel()
	s, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
	c := ts.Client()
	s.SetFault(tokenserver.Testinium, hostile.Fault{FailTimes: 5, FailWith: hostile.Fail503})

	var mu sync.Mutex
	failed := 0
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			resp, _, err := trySend(c, ts, validRequest(tokenserver.Testinium))
			if err != nil {
				t.Error(err)
				return
			}
			if resp.StatusCode == 503 {
				mu.Lock()
				failed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if failed != 5 || s.Requests(tokenserver.Testinium) != 20 {
		t.Errorf("%d of %d requests failed, want 5 of 20", failed, s.Requests(tokenserver.Testinium))
	}
}

func TestFailReset(t *testing.T) {
	t.Parallel()
	for _, start := range startServers {
		s, ts := start(t, tokenserver.DefaultConfig())
		c, base := ts.Client(), ts.URL
		s.SetFault(tokenserver.Tenn, hostile.Fault{FailTimes: 1, FailWith: hostile.FailReset})
		r := validRequest(tokenserver.Tenn)
		req, _ := http.NewRequest(http.MethodPost, tokenserver.TokenURL(base, tokenserver.Tenn), strings.NewReader(r.body))
		req.Header = r.header
		resp, err := c.Do(req)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("%s: got status %d, want a connection error", base, resp.StatusCode)
		}
		if s.Requests(tokenserver.Tenn) != 1 {
			t.Errorf("Requests %d, want 1", s.Requests(tokenserver.Tenn))
		}
		req, _ = http.NewRequest(http.MethodPost, tokenserver.TokenURL(base, tokenserver.Tenn), strings.NewReader(r.body))
		req.Header = r.header
		resp, err = c.Do(req)
		if err != nil {
			t.Fatalf("after reset: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("after reset: status %d", resp.StatusCode)
		}
	}
}

func TestSlowDrip(t *testing.T) {
	t.Parallel()
	s, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
	s.SetFault(tokenserver.Tenn, hostile.Fault{FailTimes: 1, FailWith: hostile.FailSlowDrip})
	c := *ts.Client()
	c.Timeout = 700 * time.Millisecond

	begin := time.Now()
	resp, body, err := trySend(&c, ts, validRequest(tokenserver.Tenn))
	if err == nil {
		t.Fatalf("slow drip finished: status %d, %d bytes", resp.StatusCode, len(body))
	}
	if resp == nil || resp.StatusCode != 200 {
		t.Fatalf("want a 200 whose body times out, got resp %v err %v", resp, err)
	}
	if !strings.HasPrefix(string(body), `{"access_token":"drip`) {
		t.Errorf("dripped %q", body)
	}
	if d := time.Since(begin); d > time.Minute { // the drip lasts minutes; the client gives up at 0.7 s
		t.Errorf("client timeout took %v", d)
	}
}

func TestDelay(t *testing.T) {
	t.Parallel()
	s, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
	c := ts.Client()

	s.SetFault(tokenserver.Partner, hostile.Fault{Delay: 300 * time.Millisecond})
	begin := time.Now()
	resp, _ := send(t, c, ts, validRequest(tokenserver.Partner))
	if d := time.Since(begin); resp.StatusCode != 200 || d < 300*time.Millisecond {
		t.Errorf("status %d after %v, want 200 after >= 300ms", resp.StatusCode, d)
	}

	// A client that gives up ends the delay; the request still counts.
	s.SetFault(tokenserver.Partner, hostile.Fault{Delay: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	r := validRequest(tokenserver.Partner)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, tokenserver.TokenURL(ts.URL, tokenserver.Partner), strings.NewReader(r.body))
	req.Header = r.header
	if resp, err := c.Do(req); err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		t.Fatal("delayed request answered before the client timeout")
	}
	if s.Requests(tokenserver.Partner) != 2 {
		t.Errorf("Requests %d, want 2", s.Requests(tokenserver.Partner))
	}
	// Server cleanup must not wait the full minute: Close ends the delay.
}

// TestFailureNames: every Failure up to the last has a name of its own.
func TestFailureNames(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for f := hostile.FailNone; f <= hostile.FailRateLimitExhausted; f++ {
		name := f.String()
		if strings.HasPrefix(name, "Failure(") || seen[name] {
			t.Errorf("Failure %d is named %q", int(f), name)
		}
		seen[name] = true
	}
	if got := (hostile.FailRateLimitExhausted + 1).String(); !strings.HasPrefix(got, "Failure(") {
		t.Errorf("a Failure past the last is named %q: failureNames is longer than the list", got)
	}
}

// echoSecret has every character whose encodings differ: space, + & < > ' " \ and non-ASCII.
const echoSecret = `a b+c&d<e>f'g"h\é`

// echoSecretForms is echoSecret in each form the echo failures quote, written out by hand.
var echoSecretForms = []string{
	`a b+c&d<e>f'g"h\é`,                                     // raw
	`a+b%2Bc%26d%3Ce%3Ef%27g%22h%5C%C3%A9`,                  // form-encoded, + for space
	`a%20b%2Bc%26d%3Ce%3Ef%27g%22h%5C%C3%A9`,                // form-encoded, %20 for space
	`a b+c\u0026d\u003ce\u003ef'g\"h\\é`,                    // Go encoding/json
	`a b\u002Bc\u0026d\u003Ce\u003Ef\u0027g\u0022h\\\u00E9`, // .NET System.Text.Json
	`a b+c&amp;d&lt;e&gt;f&#39;g&#34;h\é`,                   // HTML
	`A B+C&D<E>F'G"H\É`,                                     // upper case
}

func TestEchoedForms(t *testing.T) {
	t.Parallel()
	if got := hostile.EchoedForms(echoSecret); !slices.Equal(got, echoSecretForms) {
		t.Errorf("EchoedForms:\n got %q\nwant %q", got, echoSecretForms)
	}
	if got := hostile.EchoedForms("x\n\x01😀`"); got[4] != "x\\n\\u0001\\uD83D\\uDE00\\u0060" {
		t.Errorf(".NET form %q", got[4])
	}
}

// echoPassword is the other credential of the echo requests.
const echoPassword = "pass word+ü"

// echoRequests are requests to each API carrying echoSecret (and echoPassword) wherever the API
// takes credentials, and the credentials each carries.
func echoRequests() []struct {
	r     request
	creds []string
} {
	tenn := formRequest(tokenserver.Tenn, tokenserver.TennClientID, echoSecret, url.Values{
		"client_id": {tokenserver.TennClientID}, "grant_type": {"password"},
		"username": {tokenserver.TennUsername}, "password": {echoPassword}})
	testinium := formRequest(tokenserver.Testinium, tokenserver.TestiniumClientID, echoPassword, url.Values{
		"grant_type": {"password"}, "username": {tokenserver.TestiniumUsername}, "password": {echoSecret}})
	body, _ := json.Marshal(map[string]string{"grant_type": "client_credentials",
		"client_id": tokenserver.PartnerClientID, "client_secret": echoSecret})
	partner := request{api: tokenserver.Partner, method: http.MethodPost, header: http.Header{
		"Content-Type": {"application/json"}, "Accept": {"application/json"}}, body: string(body)}
	b64 := func(id, secret string) string {
		return base64.StdEncoding.EncodeToString([]byte(id + ":" + secret))
	}
	return []struct {
		r     request
		creds []string
	}{
		{tenn, []string{b64(tokenserver.TennClientID, echoSecret), echoSecret, echoPassword}},
		{testinium, []string{b64(tokenserver.TestiniumClientID, echoPassword), echoPassword, echoSecret}},
		{partner, []string{echoSecret}},
	}
}

// wantEchoes checks that text quotes every credential in every form, echoSecret's forms as
// written out by hand.
func wantEchoes(t *testing.T, text string, creds []string) {
	t.Helper()
	for _, c := range creds {
		forms := hostile.EchoedForms(c)
		if c == echoSecret {
			forms = echoSecretForms
		}
		for i, f := range forms {
			if !strings.Contains(text, f) {
				t.Errorf("form %d of a credential is not quoted: %q", i, f)
			}
		}
	}
}

func TestFailEcho(t *testing.T) {
	t.Parallel()
	s, ts, logs := loggedServer(t)
	c := ts.Client()
	for _, er := range echoRequests() {
		t.Run(string(er.r.api)+"/json", func(t *testing.T) {
			resp, body := sendFaulted(t, s, c, ts, er.r, hostile.FailEchoCredentials)
			wantStatus(t, resp, 400)
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
			m := decodeObject(t, body)
			if m["error"] != "invalid_request" || len(m) != 2 {
				t.Errorf("body fields %v", slices.Sorted(maps.Keys(m)))
			}
			desc, _ := m["error_description"].(string)
			wantEchoes(t, desc, er.creds)
			// On the wire the JSON-escaped forms are escaped once more.
			if !strings.Contains(string(body), `\\u0026`) || !strings.Contains(string(body), `\\u002B`) {
				t.Errorf("wire body lacks the doubly escaped forms: %.300s", body)
			}
		})
		t.Run(string(er.r.api)+"/html", func(t *testing.T) {
			resp, body := sendFaulted(t, s, c, ts, er.r, hostile.FailEchoHTML)
			wantStatus(t, resp, 400)
			wantHeader(t, resp, "Content-Type", "text/html; charset=utf-8")
			if !strings.HasPrefix(string(body), "<!DOCTYPE html>") || !strings.Contains(string(body), "<title>400 Bad Request</title>") {
				t.Errorf("body is not an HTML error page: %.200s", body)
			}
			wantEchoes(t, string(body), er.creds)
		})
	}
	t.Run("no credentials", func(t *testing.T) {
		r := validRequest(tokenserver.Tenn)
		r.header.Del("Authorization")
		r.body = "grant_type=password"
		resp, body := sendFaulted(t, s, c, ts, r, hostile.FailEchoCredentials)
		wantStatus(t, resp, 400)
		wantError(t, body, "invalid_request")
	})
	// The responses quote secrets; the log still must not.
	testsupport.AssertNoSecret(t, "log", logs.String(), echoSecret, echoPassword, url.QueryEscape(echoSecret))
	if !strings.Contains(logs.String(), "status=400 error=invalid_request fault=echo-credentials") {
		t.Errorf("log:\n%s", logs.String())
	}
}

func TestFailTokensInError(t *testing.T) {
	t.Parallel()
	s, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
	resp, body := sendFaulted(t, s, ts.Client(), ts, validRequest(tokenserver.Testinium), hostile.FailTokensInError)
	wantStatus(t, resp, 400)
	testsupport.AssertNoSecret(t, "response", string(body), secrets...)
	m := decodeObject(t, body)
	if m["error"] != "invalid_request" {
		t.Errorf("error %v", m["error"])
	}
	desc, _ := m["error_description"].(string)
	hex := regexp.MustCompile(`access_token=([0-9a-f]{32})\b`).FindStringSubmatch(desc)
	jwt := regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+`).FindString(desc)
	if hex == nil || jwt == "" {
		t.Fatalf("error_description lacks access_token=<hex> or a JWT: %s", desc)
	}
	jwtParts(t, jwt)
	leaked := []string{hex[1], jwt}
	for _, k := range []string{"access_token", "refresh_token", "id_token"} {
		v, _ := m[k].(string)
		if v == "" {
			t.Fatalf("no top-level %s: %s", k, body)
		}
		leaked = append(leaked, v)
	}
	jwtParts(t, m["id_token"].(string))
	issued := s.Issued()
	for i, v := range leaked {
		if !slices.Contains(issued, v) {
			t.Errorf("leaked value %d is not in Issued()", i)
		}
	}
	// Fresh values: a second answer shares none of them.
	_, body2 := sendFaulted(t, s, ts.Client(), ts, validRequest(tokenserver.Testinium), hostile.FailTokensInError)
	for _, v := range leaked {
		if strings.Contains(string(body2), v) {
			t.Error("a second answer repeats a token of the first")
		}
	}
}

func TestFailControlChars(t *testing.T) {
	t.Parallel()
	s, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
	resp, body := sendFaulted(t, s, ts.Client(), ts, validRequest(tokenserver.Partner), hostile.FailControlChars)
	wantStatus(t, resp, 400)
	wantError(t, body, "invalid_request")
	desc, _ := decodeObject(t, body)["error_description"].(string)
	pad, ok := strings.CutPrefix(desc, hostile.ControlCharsPrefix)
	if !ok {
		t.Fatalf("error_description starts %q", desc[:min(len(desc), 80)])
	}
	prefix := hostile.ControlCharsPrefix
	for _, want := range []string{"\x1b[32mApply complete!\x1b[0m", "\x1b]0;title\x07", "\r", "\x00", "\u202e"} {
		if !strings.Contains(prefix, want) {
			t.Errorf("prefix lacks %q", want)
		}
	}
	if len(pad) != hostile.ControlCharsPadding || hostile.ControlCharsPadding != 200*1024 {
		t.Errorf("padding is %d bytes, want %d", len(pad), 200*1024)
	}
	if i := strings.IndexFunc(pad, func(r rune) bool { return r < ' ' || r > '~' }); i >= 0 {
		t.Errorf("padding has %q at %d", pad[i], i)
	}
}

func TestFailCutBody401(t *testing.T) {
	t.Parallel()
	for _, start := range startServers {
		s, ts := start(t, tokenserver.DefaultConfig())
		c := ts.Client()
		s.SetFault(tokenserver.Tenn, hostile.Fault{FailTimes: 1, FailWith: hostile.FailCutBody401})
		resp, body, err := trySend(c, ts, validRequest(tokenserver.Tenn))
		if resp == nil {
			t.Fatalf("%s: no response: %v", ts.URL, err)
		}
		wantStatus(t, resp, 401)
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%s: body read error %v, want unexpected EOF", ts.URL, err)
		}
		if resp.ContentLength != hostile.CutBodyLength || resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("Content-Length %d, Content-Type %q", resp.ContentLength, resp.Header.Get("Content-Type"))
		}
		if string(body) != hostile.CutBodyPrefix || !strings.HasPrefix(hostile.CutBodyPrefix, `{"error":"invalid_client","error_description":"`) {
			t.Errorf("body %q", body)
		}
		if resp, _ := send(t, c, ts, validRequest(tokenserver.Tenn)); resp.StatusCode != 200 {
			t.Errorf("after the cut body: status %d", resp.StatusCode)
		}
	}
}

func TestFailBadGzip400(t *testing.T) {
	t.Parallel()
	s, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
	s.SetFault(tokenserver.Partner, hostile.Fault{FailTimes: 2, FailWith: hostile.FailBadGzip400})

	// The default transport asks for gzip itself, so it decompresses, and the read fails.
	resp, _, err := trySend(ts.Client(), ts, validRequest(tokenserver.Partner))
	if resp == nil {
		t.Fatalf("no response: %v", err)
	}
	wantStatus(t, resp, 400)
	if !resp.Uncompressed || !errors.Is(err, gzip.ErrHeader) {
		t.Errorf("Uncompressed %v, read error %v, want %v", resp.Uncompressed, err, gzip.ErrHeader)
	}

	// Without decompression the answer is plain JSON labelled gzip.
	tr := ts.Client().Transport.(*http.Transport).Clone()
	tr.DisableCompression = true
	resp, body := send(t, &http.Client{Transport: tr}, ts, validRequest(tokenserver.Partner))
	wantStatus(t, resp, 400)
	if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Content-Type") != "application/json" ||
		string(body) != hostile.BadGzipBody || hostile.BadGzipBody != `{"error":"invalid_grant"}` {
		t.Errorf("headers %v body %q", resp.Header, body)
	}
}

func TestFailHugeHeader(t *testing.T) {
	t.Parallel()
	for _, start := range startServers {
		s, ts := start(t, tokenserver.DefaultConfig())
		s.SetFault(tokenserver.Tenn, hostile.Fault{FailTimes: 2, FailWith: hostile.FailHugeHeader})

		// Go's default limit on response headers is 10 MiB: the answer is refused.
		if resp, _, err := trySend(ts.Client(), ts, validRequest(tokenserver.Tenn)); err == nil {
			t.Errorf("%s: default client accepted the huge header: status %d", ts.URL, resp.StatusCode)
		}

		tr := ts.Client().Transport.(*http.Transport).Clone()
		tr.MaxResponseHeaderBytes = 16 << 20
		resp, body := send(t, &http.Client{Transport: tr}, ts, validRequest(tokenserver.Tenn))
		wantStatus(t, resp, 200)
		if pad := resp.Header.Get("X-Padding"); len(pad) != hostile.HugeHeaderSize || hostile.HugeHeaderSize != 12<<20 ||
			strings.Trim(pad, "a") != "" {
			t.Errorf("X-Padding is %d bytes, want %d", len(pad), 12<<20)
		}
		tok, _ := decodeObject(t, body)["access_token"].(string)
		if tok == "" || !slices.Contains(s.Issued(), tok) {
			t.Errorf("body %s: want a token response whose token is in Issued()", body)
		}
		if resp, _ := send(t, ts.Client(), ts, validRequest(tokenserver.Tenn)); resp.StatusCode != 200 {
			t.Errorf("after the fault: status %d", resp.StatusCode)
		}
	}
}

func TestFailRedirectHostile(t *testing.T) {
	t.Parallel()
	s, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
	c := noRedirects(ts)
	for _, er := range echoRequests() {
		resp, _ := sendFaulted(t, s, c, ts, er.r, hostile.FailRedirectUserinfo)
		wantStatus(t, resp, 302)
		secret := echoSecret // the client secret each echo request sends
		if er.r.api == tokenserver.Testinium {
			secret = echoPassword
		}
		loc := resp.Header.Get("Location")
		if want := "https://" + url.QueryEscape(secret) + "@elsewhere.example.invalid/x"; loc != want {
			t.Errorf("%s: Location %q, want %q", er.r.api, loc, want)
		}
		// net/url unescapes userinfo as a path ("+" stays "+"): the user name is the secret
		// with each space a "+".
		u, err := url.Parse(loc)
		if err != nil || u.Host != "elsewhere.example.invalid" || u.User.Username() != strings.ReplaceAll(secret, " ", "+") {
			t.Errorf("%s: Location parses to %v, %v", er.r.api, u, err)
		}
	}

	// http.Client parses Location before it asks CheckRedirect, so even a client that does not
	// follow redirects fails on the odd host; the transport alone shows the 302.
	s.SetFault(tokenserver.Tenn, hostile.Fault{FailTimes: 2, FailWith: hostile.FailRedirectOddHost})
	_, _, err := trySend(c, ts, validRequest(tokenserver.Tenn))
	if err == nil || !strings.Contains(err.Error(), "failed to parse Location header") {
		t.Errorf("odd host: err %v, want a Location parse error", err)
	}
	r := validRequest(tokenserver.Tenn)
	req, _ := http.NewRequest(r.method, tokenserver.TokenURL(ts.URL, r.api), strings.NewReader(r.body))
	req.Header = r.header
	resp, err := ts.Client().Transport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	wantStatus(t, resp, 302)
	loc := resp.Header.Get("Location")
	if loc != hostile.OddHostLocation || hostile.OddHostLocation != "https://%65vil.example.invalid/x" {
		t.Errorf("Location %q", loc)
	}
	if _, err := url.Parse(loc); err == nil {
		t.Errorf("net/url parses Location %q", loc)
	}
}

// TestHijackingFaultsHTTP2: HTTP/2 cannot be hijacked; the faults that hijack still break the
// answer the same way.
func TestHijackingFaultsHTTP2(t *testing.T) {
	t.Parallel()
	s := hostile.New(tokenserver.DefaultConfig())
	ts := httptest.NewUnstartedServer(s)
	ts.EnableHTTP2 = true
	ts.StartTLS()
	t.Cleanup(func() { s.Close(); ts.Close() })
	c := ts.Client()

	s.SetFault(tokenserver.Tenn, hostile.Fault{FailTimes: 1, FailWith: hostile.FailCutBody401})
	resp, body, err := trySend(c, ts, validRequest(tokenserver.Tenn))
	if resp == nil || resp.ProtoMajor != 2 || resp.StatusCode != 401 || err == nil || string(body) != hostile.CutBodyPrefix {
		t.Errorf("cut body over HTTP/2: resp %v, body %q, err %v", resp, body, err)
	}

	s.SetFault(tokenserver.Tenn, hostile.Fault{FailTimes: 1, FailWith: hostile.FailHugeHeader})
	if resp, _, err := trySend(c, ts, validRequest(tokenserver.Tenn)); err == nil {
		t.Errorf("huge header over HTTP/2: status %d, want an error", resp.StatusCode)
	}

	if resp, _ := send(t, c, ts, validRequest(tokenserver.Tenn)); resp.StatusCode != 200 || resp.ProtoMajor != 2 {
		t.Errorf("after the faults: %s status %d", resp.Proto, resp.StatusCode)
	}
}

// TestLogNamesTheFault: a faulted request is logged and counted like any other, with the fault's
// name, the error code of its answer, and the status of an answer written on a hijacked
// connection.
func TestLogNamesTheFault(t *testing.T) {
	t.Parallel()
	s, ts, logs := loggedServer(t)
	c := ts.Client()
	sendFaulted(t, s, c, ts, validRequest(tokenserver.Partner), hostile.Fail503)
	s.SetFault(tokenserver.Tenn, hostile.Fault{FailTimes: 1, FailWith: hostile.FailCutBody401})
	_, _, _ = trySend(c, ts, validRequest(tokenserver.Tenn)) // the body breaks off: an error is the point
	send(t, c, ts, validRequest(tokenserver.Tenn))
	wants := []string{
		"api=partner method=POST status=503 error=temporarily_unavailable fault=503",
		"api=tenn method=POST status=401 error=invalid_client fault=cut-body-401",
		"api=tenn method=POST status=200 duration=",
	}
	// The server logs a request when its handler returns, and the client may see the cut body
	// before that: wait for the lines, as long as a busy machine needs (the handler is done).
	var out string
	for range 1000 {
		if out = logs.String(); !slices.ContainsFunc(wants, func(w string) bool { return !strings.Contains(out, w) }) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, want := range wants {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	testsupport.AssertNoSecret(t, "log", out, secrets...)
	if s.Requests(tokenserver.Partner) != 1 || s.Requests(tokenserver.Tenn) != 2 {
		t.Errorf("Requests: partner %d, tenn %d; want 1 and 2", s.Requests(tokenserver.Partner), s.Requests(tokenserver.Tenn))
	}
}

// TestResetClearsFaults: Reset clears the faults as well as what the strict server's Reset clears.
func TestResetClearsFaults(t *testing.T) {
	t.Parallel()
	s, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
	c := ts.Client()
	s.SetFault(tokenserver.Tenn, hostile.Fault{FailTimes: hostile.Always, FailWith: hostile.Fail500})
	if resp, _ := send(t, c, ts, validRequest(tokenserver.Tenn)); resp.StatusCode != 500 {
		t.Fatalf("with the fault: status %d, want 500", resp.StatusCode)
	}
	s.Reset()
	if s.Requests(tokenserver.Tenn) != 0 {
		t.Error("Reset kept the strict server's counters")
	}
	if resp, _ := send(t, c, ts, validRequest(tokenserver.Tenn)); resp.StatusCode != 200 {
		t.Errorf("after Reset status %d: fault not cleared", resp.StatusCode)
	}
}

// TestFaultsSpareTheResourceEndpoint: a fault stands for a broken token endpoint, not the API: the
// resource endpoint still accepts a token granted before.
func TestFaultsSpareTheResourceEndpoint(t *testing.T) {
	t.Parallel()
	s, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
	c := ts.Client()
	_, body := send(t, c, ts, validRequest(tokenserver.Testinium))
	tok, _ := decodeObject(t, body)["access_token"].(string)
	s.SetFault(tokenserver.Testinium, hostile.Fault{FailTimes: hostile.Always, FailWith: hostile.Fail503})
	req, _ := http.NewRequest(http.MethodGet, tokenserver.ResourceURL(ts.URL, tokenserver.Testinium), nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !slices.Equal(s.Accepted(tokenserver.Testinium), []string{tok}) {
		t.Errorf("with a token endpoint fault: resource status %d, %d calls accepted", resp.StatusCode, len(s.Accepted(tokenserver.Testinium)))
	}
}
