package hostile_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver/hostile"
)

// gitHubToken sends the documented GitHub App token request for the organization's
// installation, with a fresh JWT of the test app, and returns the answer with its body read.
func gitHubToken(t *testing.T, c *http.Client, ts *httptest.Server) (*http.Response, []byte) {
	t.Helper()
	block, _ := pem.Decode([]byte(tokenserver.GitHubAppKeyPEM()))
	if block == nil {
		t.Fatal("GitHubAppKeyPEM is not PEM")
	}
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	claims, _ := json.Marshal(map[string]any{"iss": tokenserver.GitHubAppClientID, "iat": now - 30, "exp": now + 540})
	enc := base64.RawURLEncoding
	input := enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc.EncodeToString(claims)
	digest := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, ts.URL+tokenserver.GitHubAppTokenPath(tokenserver.GitHubOrgInstallationID), nil)
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	req.Header.Set("User-Agent", "authtoken-test/1.0")
	req.Header.Set("Authorization", "Bearer "+input+"."+enc.EncodeToString(sig))
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// TestGitHubRateLimitFaults: GitHub's two rate limit answers on the token endpoint, then the
// strict server's token once the fault has run out.
func TestGitHubRateLimitFaults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		fault      hostile.Fault
		retryAfter string // the Retry-After header; "" for none
		remaining  string
		resetIn    int64 // seconds from now to x-ratelimit-reset, at least
		message    string
		doc        string
	}{
		{"secondary", hostile.Fault{FailWith: hostile.FailSecondaryRateLimit, FailTimes: 1, RetryAfter: "7"}, "7", "4990", 3000,
			hostile.SecondaryRateLimitMessage, "#about-secondary-rate-limits"},
		{"secondary, default wait", hostile.Fault{FailWith: hostile.FailSecondaryRateLimit, FailTimes: 1}, "60", "4990", 3000,
			hostile.SecondaryRateLimitMessage, "#about-secondary-rate-limits"},
		{"exhausted", hostile.Fault{FailWith: hostile.FailRateLimitExhausted, FailTimes: 1, RetryAfter: "120"}, "", "0", 119,
			"API rate limit exceeded for installation ID 1001.", "#about-primary-rate-limits"},
		{"exhausted, default reset", hostile.Fault{FailWith: hostile.FailRateLimitExhausted, FailTimes: 1}, "", "0", 59,
			"API rate limit exceeded for installation ID 1001.", "#about-primary-rate-limits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
			s.SetFault(tokenserver.GitHubApp, tc.fault)
			sent := time.Now().Unix() // the server's reset counts from after this, whole seconds
			resp, body := gitHubToken(t, ts.Client(), ts)
			wantStatus(t, resp, http.StatusForbidden)
			wantHeader(t, resp, "Retry-After", tc.retryAfter)
			wantHeader(t, resp, "X-RateLimit-Remaining", tc.remaining)
			wantHeader(t, resp, "X-RateLimit-Limit", "5000")
			wantHeader(t, resp, "X-RateLimit-Resource", "core")
			reset, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64)
			if err != nil || reset < sent+tc.resetIn || reset > time.Now().Unix()+tc.resetIn+3600 {
				t.Errorf("X-RateLimit-Reset %q, want %d s or more from now", resp.Header.Get("X-RateLimit-Reset"), tc.resetIn)
			}
			m := decodeObject(t, body)
			msg, _ := m["message"].(string)
			doc, _ := m["documentation_url"].(string)
			if !strings.HasPrefix(msg, tc.message) || m["status"] != "403" || !strings.HasPrefix(doc, "https://docs.github.com/") ||
				!strings.HasSuffix(doc, tc.doc) || len(m) != 3 {
				t.Errorf("body %s, want message %q", body, tc.message)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}

			resp, body = gitHubToken(t, ts.Client(), ts)
			if resp.StatusCode != http.StatusCreated || decodeObject(t, body)["token"] == nil {
				t.Errorf("after the fault: status %d: %.200s", resp.StatusCode, body)
			}
			if s.Requests(tokenserver.GitHubApp) != 2 || len(s.IssuedFor(tokenserver.GitHubApp)) != 1 {
				t.Errorf("Requests %d, IssuedFor %d; want 2 and 1", s.Requests(tokenserver.GitHubApp), len(s.IssuedFor(tokenserver.GitHubApp)))
			}
		})
	}
}

// TestGitHubRateLimitFaultsParse: the -fault syntax of the tokenserver command reaches the
// GitHub faults, and the log names them.
func TestGitHubRateLimitFaultsParse(t *testing.T) {
	t.Parallel()
	api, f, err := hostile.ParseFault("api=github_app,fail=secondary-rate-limit,times=2,retry-after=30")
	if err != nil || api != tokenserver.GitHubApp || f != (hostile.Fault{FailWith: hostile.FailSecondaryRateLimit, FailTimes: 2, RetryAfter: "30"}) {
		t.Fatalf("ParseFault: %s %+v %v", api, f, err)
	}
	s, ts, logs := loggedServer(t)
	s.SetFault(api, f)
	for i, want := range []int{403, 403, 201} {
		if resp, body := gitHubToken(t, ts.Client(), ts); resp.StatusCode != want || (want == 403 && resp.Header.Get("Retry-After") != "30") {
			t.Errorf("request %d: status %d Retry-After %q: %.200s", i+1, resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
	}
	wantLine := "api=github_app method=POST status=403 fault=secondary-rate-limit"
	if out := logs.String(); !strings.Contains(out, wantLine) || !strings.Contains(out, "api=github_app method=POST status=201") {
		t.Errorf("log lacks %q or the 201:\n%s", wantLine, out)
	}
}
