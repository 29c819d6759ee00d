package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// server is a run of the command in this process, listening on loopback.
type server struct {
	base   string
	stderr *testsupport.LockedBuffer
	stop   func() error // cancels the run and returns its error
}

// start runs the command with args (and an -addr-file), and waits for it to listen.
func start(t *testing.T, args ...string) *server {
	t.Helper()
	addrFile := filepath.Join(t.TempDir(), "addr")
	s := &server{stderr: &testsupport.LockedBuffer{}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"-addr-file", addrFile}, args...), &bytes.Buffer{}, s.stderr) }()
	stopped := false
	s.stop = func() error {
		cancel()
		if stopped {
			return nil
		}
		stopped = true
		select {
		case err := <-done:
			return err
		case <-time.After(time.Minute):
			t.Fatal("run did not return after cancel")
			return nil
		}
	}
	t.Cleanup(func() { _ = s.stop() })
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		select {
		case err := <-done:
			stopped = true
			t.Fatalf("run ended before listening: %v\n%s", err, s.stderr.String())
		default:
		}
		if b, err := os.ReadFile(addrFile); err == nil {
			s.base = string(b)
			return s
		}
	}
	t.Fatalf("no address in -addr-file after a minute:\n%s", s.stderr.String())
	return nil
}

// answer is a token endpoint's answer.
// fields are an answer's keys with the values that carry no token, for failure messages: a
// failing test must not print the tokens it was given.
func (a answer) fields() map[string]any {
	out := map[string]any{}
	for k, v := range a.body {
		if strings.Contains(k, "token") {
			v = "(withheld)"
		}
		out[k] = v
	}
	return out
}

type answer struct {
	status int
	header http.Header
	body   map[string]any
}

// post sends a form to url (with the JSON Accept header RFC 6749 clients send) and decodes the answer.
func post(t *testing.T, url string, form url.Values, basicID, basicSecret string) answer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if basicID != "" {
		req.Header.Set("Authorization", testsupport.Basic(basicID, basicSecret))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, header: resp.Header}
	_ = json.NewDecoder(resp.Body).Decode(&a.body)
	return a
}

func tennLogin(t *testing.T, base string) answer {
	t.Helper()
	return post(t, tokenserver.TokenURL(base, tokenserver.Tenn), url.Values{"client_id": {tokenserver.TennClientID},
		"grant_type": {"password"}, "username": {tokenserver.TennUsername}, "password": {tokenserver.TennPassword}},
		tokenserver.TennClientID, tokenserver.TennClientSecret)
}

func testiniumLogin(t *testing.T, base string) answer {
	t.Helper()
	return post(t, tokenserver.TokenURL(base, tokenserver.Testinium), url.Values{"grant_type": {"password"},
		"username": {tokenserver.TestiniumUsername}, "password": {tokenserver.TestiniumPassword}},
		tokenserver.TestiniumClientID, tokenserver.TestiniumClientSecret)
}

// lifetime is exp - iat of a JWT access token (Tenn's answer has no expires_in).
func lifetime(t *testing.T, a answer) time.Duration {
	t.Helper()
	token, _ := a.body["access_token"].(string)
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT (%d bytes, value withheld)", len(token))
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	var claims struct{ Exp, Iat int64 }
	if err == nil {
		err = json.Unmarshal(payload, &claims)
	}
	if err != nil {
		t.Fatalf("JWT payload: %v", err)
	}
	return time.Duration(claims.Exp-claims.Iat) * time.Second
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:0": true, "127.0.0.2:8080": true, "[::1]:0": true, "localhost:0": true,
		":0": false, "0.0.0.0:0": false, "[::]:0": false, "192.168.1.10:80": false, "example.com:80": false,
	} {
		if got, err := isLoopback(addr); err != nil || got != want {
			t.Errorf("isLoopback(%q) = %v, %v; want %v", addr, got, err, want)
		}
	}
	if _, err := isLoopback("127.0.0.1"); err == nil {
		t.Error("isLoopback accepts an address without a port")
	}
}

// A non-loopback address needs -allow-remote, and then gets a warning.
func TestListenBeyondLoopback(t *testing.T) {
	err := run(context.Background(), []string{"-listen", "0.0.0.0:0"}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "loopback") || !strings.Contains(err.Error(), "-allow-remote") {
		t.Errorf("run = %v, want an error naming loopback and -allow-remote", err)
	}
	s := start(t, "-listen", "0.0.0.0:0", "-allow-remote")
	_, port, _ := strings.Cut(strings.TrimPrefix(s.base, "http://"), "]:")
	if !strings.Contains(s.base, "]:") {
		_, port, _ = strings.Cut(strings.TrimPrefix(s.base, "http://"), ":")
	}
	if a := tennLogin(t, "http://127.0.0.1:"+port); a.status != 200 {
		t.Errorf("login through 127.0.0.1:%s: status %d", port, a.status)
	}
	if log := s.stderr.String(); !strings.Contains(log, "WARNING: listening on 0.0.0.0:0, beyond this machine") {
		t.Errorf("no warning in:\n%s", log)
	}
}

func TestHelpAndVersion(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"-h"}, &stdout, &stderr); err != nil {
		t.Errorf("-h: %v", err)
	}
	for _, want := range []string{"Usage: tokenserver", "-fault", "api=NAME", "echo-credentials", "-config", "-allow-remote",
		"-credentials", "-log-format", "-addr-file"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("-h output lacks %q:\n%s", want, stdout.String())
		}
	}
	if n := strings.Count(stdout.String(), "Usage: tokenserver"); n != 1 {
		t.Errorf("-h prints the usage %d times", n)
	}
	if stderr.Len() != 0 {
		t.Errorf("-h wrote to stderr: %s", stderr.String())
	}
	stdout.Reset()
	if err := run(context.Background(), []string{"-version"}, &stdout, &stderr); err != nil || stdout.String() != "tokenserver dev\n" {
		t.Errorf("-version: %q, %v", stdout.String(), err)
	}
	err := run(context.Background(), []string{"-nope"}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "-nope") || !strings.Contains(err.Error(), "tokenserver -h") {
		t.Errorf("unknown flag: %v", err)
	}
}

// The documented install from a clone, `go install ./cmd/tokenserver`, gives a command whose -h
// exits 0.
func TestGoInstall(t *testing.T) {
	gobin := t.TempDir()
	cmd := exec.Command("go", "install", "./cmd/tokenserver")
	cmd.Dir = testsupport.RepoRoot()
	cmd.Env = append(os.Environ(), "GOBIN="+gobin)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go install ./cmd/tokenserver: %v\n%s", err, out)
	}
	out, err := exec.Command(filepath.Join(gobin, "tokenserver"), "-h").Output()
	if err != nil || !strings.HasPrefix(string(out), "Usage: tokenserver") {
		t.Errorf("tokenserver -h: %v\n%s", err, out)
	}
	if err := exec.Command(filepath.Join(gobin, "tokenserver"), "-listen", "0.0.0.0:0").Run(); err == nil {
		t.Error("tokenserver -listen 0.0.0.0:0 exits 0")
	}
}

func TestRun(t *testing.T) {
	keyDir := t.TempDir()
	s := start(t, "-lifetime", "2m", "-key-dir", keyDir)
	base := s.base
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("addr file holds %q", base)
	}
	a := tennLogin(t, base)
	token, _ := a.body["access_token"].(string)
	if a.status != 200 || token == "" || lifetime(t, a) != 2*time.Minute {
		t.Fatalf("login: status %d, %v", a.status, a.fields())
	}
	// The resource endpoint takes the token, and refuses a call without one.
	for auth, want := range map[string]int{"Bearer " + token: 200, "": 401} {
		req, _ := http.NewRequest(http.MethodGet, tokenserver.ResourceURL(base, tokenserver.Tenn), nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("resource call: status %d, want %d", resp.StatusCode, want)
		}
	}
	// Revocation.
	if a := post(t, tokenserver.RevocationURL(base, tokenserver.Tenn), url.Values{"token": {token}, "token_type_hint": {"access_token"}},
		tokenserver.TennClientID, tokenserver.TennClientSecret); a.status != 200 {
		t.Errorf("revocation: status %d", a.status)
	}
	// The key clients' private keys, for the demo, while the server runs.
	for id, want := range map[string]string{
		tokenserver.OAuth2RSAClientID: tokenserver.OAuth2RSAKeyPEM(), tokenserver.OAuth2ECClientID: tokenserver.OAuth2ECKeyPEM(),
	} {
		path := filepath.Join(keyDir, id+".pem")
		b, err := os.ReadFile(path)
		if err != nil || string(b) != want || !strings.HasPrefix(want, "-----BEGIN PRIVATE KEY-----") {
			t.Errorf("%s: %v, or not the client's PKCS#8 key", path, err)
		}
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, %v; want 0600", path, fi.Mode(), err)
		}
	}

	if err := s.stop(); err != nil {
		t.Fatalf("run: %v", err)
	}
	if left, _ := os.ReadDir(keyDir); len(left) != 0 {
		t.Errorf("key files left behind: %v", left)
	}
	log := s.stderr.String()
	for _, want := range []string{
		"api=tenn method=POST status=200",
		"api=tenn method=GET status=200 resource=/connect/userinfo",
		"api=tenn method=GET status=401 resource=/connect/userinfo",
		"tenn: resource " + tokenserver.ResourceURL(base, tokenserver.Tenn),
		"tenn: revocation " + base + "/connect/revocation",
		"api=tenn method=POST status=200 revocation=/connect/revocation",
		"oauth2: " + base + "/oauth2/token",
		"oauth2: revocation " + base + "/oauth2/revoke",
		"oauth2: issuer " + base + "/oauth2 (metadata at " + base + "/.well-known/oauth-authorization-server/oauth2 and " +
			base + "/oauth2/.well-known/openid-configuration)",
		"oauth2: client oauth2-client (secret: run with -credentials to print it)",
		"oauth2: client oauth2-public (public: client_auth none)",
		"oauth2: client oauth2-rsa-client (private_key_jwt, private key in " + filepath.Join(keyDir, "oauth2-rsa-client.pem") + ")",
		"oauth2: user oauth2-user (password: run with -credentials to print it)",
		"oauth2: Entra-like token endpoint " + base + "/{tenant}/oauth2/v2.0/token (client credentials of oauth2-cert-client",
		"oauth2: client oauth2-cert-client (private_key_jwt naming its certificate by x5t or x5t#S256, as Entra wants; private key in " +
			filepath.Join(keyDir, "oauth2-cert-client.pem") + ", certificate in " + filepath.Join(keyDir, "oauth2-cert-client.crt") + ")",
		"oauth2: client oauth2-federated-client (federated_jwt: a CI job token whose sub is repo:authtoken/demo:ref:refs/heads/main)",
		"tenn: user testinguser@10npay.com (password: run with -credentials to print it)",
		"Accept: application/json",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("no %q line in log:\n%s", want, log)
		}
	}
	testsupport.AssertNoSecret(t, "log", log, tokenserver.TennClientSecret, tokenserver.TennPassword, "eyJ", token,
		tokenserver.OAuth2ClientSecret, tokenserver.OAuth2Password, "PRIVATE KEY", "PUBLIC KEY")
}

// -credentials prints every test secret, so that a user need not read Go source for them.
func TestCredentials(t *testing.T) {
	s := start(t, "-credentials")
	_ = s.stop()
	log := s.stderr.String()
	def := tokenserver.DefaultConfig()
	for _, api := range tokenserver.APIs {
		for id, secret := range def.Clients[api] {
			if secret != "" && !strings.Contains(secret, "-----BEGIN") && !strings.HasPrefix(secret, tokenserver.FederatedPrefix) && !strings.Contains(log, string(api)+": client "+id+" secret \""+secret+"\"") {
				t.Errorf("-credentials does not print %s client %s's secret:\n%s", api, id, log)
			}
		}
		for name, password := range def.Users[api] {
			if !strings.Contains(log, string(api)+": user "+name+" password \""+password+"\"") {
				t.Errorf("-credentials does not print %s user %s's password:\n%s", api, name, log)
			}
		}
	}
}

// -fault fails an API's token endpoint as the project's own tests do: here two 503s with
// Retry-After, then success; another API is untouched.
func TestFault(t *testing.T) {
	s := start(t, "-fault", "api=tenn,status=503,times=2,retry-after=3", "-fault", "api=testinium,delay=300ms")
	for i, want := range []int{503, 503, 200} {
		a := tennLogin(t, s.base)
		if a.status != want || (want == 503 && a.header.Get("Retry-After") != "3") {
			t.Errorf("request %d: status %d, Retry-After %q; want %d", i+1, a.status, a.header.Get("Retry-After"), want)
		}
	}
	began := time.Now()
	a := testiniumLogin(t, s.base)
	if took := time.Since(began); took < 300*time.Millisecond || a.status != 200 {
		t.Errorf("delayed testinium login: status %d after %s, want 200 after 300ms or more", a.status, took)
	}
	_ = s.stop()
	log := s.stderr.String()
	for _, want := range []string{"tenn: fault the next 2 requests fail with 503 (Retry-After: 3)",
		"testinium: fault every token request waits 300ms", "api=tenn method=POST status=503 error=temporarily_unavailable fault=503"} {
		if !strings.Contains(log, want) {
			t.Errorf("no %q in log:\n%s", want, log)
		}
	}
	for args, want := range map[string]string{
		"api=tenn,status=418":                   "invalid value \"api=tenn,status=418\" for flag -fault: status=418",
		"api=tenn,status=503 api=tenn,delay=1s": "a second fault for api=tenn",
	} {
		var flags []string
		for _, spec := range strings.Fields(args) {
			flags = append(flags, "-fault", spec)
		}
		if err := run(context.Background(), flags, &bytes.Buffer{}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("-fault %s: %v, want %q", args, err, want)
		}
	}
}

// -config declares a module's own clients, users, scopes, lifetimes and APIs.
func TestConfigFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokenserver.json")
	testsupport.WriteFile(t, path, `{
  "apis": ["oauth2", "tenn"],
  "clients": {"oauth2": {"inventory-ci": "inventory-test-secret"}},
  "users": {"oauth2": {"alice": "alice-test-password"}},
  "oauth2_scopes": ["inventory.read", "inventory.write"],
  "token_lifetime": "15m",
  "token_lifetimes": {"tenn": "5m"}
}`)
	s := start(t, "-config", path)
	tokenURL := tokenserver.TokenURL(s.base, tokenserver.OAuth2)
	a := post(t, tokenURL, url.Values{"grant_type": {"client_credentials"}, "client_id": {"inventory-ci"},
		"client_secret": {"inventory-test-secret"}}, "", "")
	if a.status != 200 || a.body["scope"] != "inventory.read" || a.body["expires_in"] != 900.0 {
		t.Errorf("own client: status %d, %v; want the first scope, 15 minutes", a.status, a.fields())
	}
	a = post(t, tokenURL, url.Values{"grant_type": {"password"}, "client_id": {"inventory-ci"}, "client_secret": {"inventory-test-secret"},
		"username": {"alice"}, "password": {"alice-test-password"}, "scope": {"inventory.write"}}, "", "")
	if a.status != 200 || a.body["scope"] != "inventory.write" {
		t.Errorf("own user: status %d, %v", a.status, a.fields())
	}
	a = post(t, tokenURL, url.Values{"grant_type": {"client_credentials"}, "client_id": {"inventory-ci"},
		"client_secret": {"inventory-test-secret"}, "scope": {"api.read"}}, "", "")
	if a.status != 400 || a.body["error"] != "invalid_scope" {
		t.Errorf("a built-in scope the file left out: status %d, %v", a.status, a.body)
	}
	a = post(t, tokenURL, url.Values{"grant_type": {"client_credentials"}, "client_id": {tokenserver.OAuth2ClientID},
		"client_secret": {tokenserver.OAuth2ClientSecret}}, "", "")
	if a.status != 401 {
		t.Errorf("the replaced test client: status %d, want 401", a.status)
	}
	if a := tennLogin(t, s.base); a.status != 200 || lifetime(t, a) != 5*time.Minute {
		t.Errorf("tenn: status %d, %v; want its test user and 5 minutes", a.status, a.fields())
	}
	a = testiniumLogin(t, s.base)
	if a.status != 401 {
		t.Errorf("testinium, not in apis: status %d, want 401", a.status)
	}
	resp, err := http.Get(tokenserver.OAuth2MetadataURL(s.base))
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		Scopes []string `json:"scopes_supported"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&meta)
	resp.Body.Close()
	if strings.Join(meta.Scopes, " ") != "inventory.read inventory.write" {
		t.Errorf("metadata scopes_supported = %v", meta.Scopes)
	}
	_ = s.stop()
	if log := s.stderr.String(); !strings.Contains(log, "testinium: no clients: every login is refused") ||
		!strings.Contains(log, "oauth2: client inventory-ci (secret: run with -credentials to print it)") {
		t.Errorf("startup lines do not show the configured clients:\n%s", log)
	}
}

func TestConfigFileErrors(t *testing.T) {
	for content, want := range map[string]string{
		`{"client": {}}`:                            `unknown field "client"`,
		`{"clients": {"github": {"a": "b"}}}`:       `clients: unknown API "github"; the APIs are`,
		`{"users": {"partner": {"a": "b"}}}`:        `API "partner" has no users`,
		`{"apis": ["oauth3"]}`:                      `apis: unknown API "oauth3"`,
		`{"token_lifetime": "soon"}`:                `"soon" is not a positive duration`,
		`{"token_lifetime": 60}`:                    `want a duration string`,
		`{"oauth2_scopes": ["a b"]}`:                `"a b" is not a scope token`,
		`{"oauth2_default_scope": "inventory.all"}`: `oauth2_default_scope "inventory.all" is not one of the scopes openid`,
	} {
		path := filepath.Join(t.TempDir(), "bad.json")
		testsupport.WriteFile(t, path, content)
		err := run(context.Background(), []string{"-config", path}, &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
			t.Errorf("-config with %s: %v, want an error naming the file and %q", content, err, want)
		}
	}
}

// -log-format json writes one JSON object per line; a request's key=value pairs become fields.
func TestJSONLog(t *testing.T) {
	s := start(t, "-log-format", "json")
	tennLogin(t, s.base)
	_ = s.stop()
	var requests int
	for line := range strings.Lines(s.stderr.String()) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON line: %q: %v", line, err)
		}
		if rec["msg"] == "request" && rec["api"] == "tenn" && rec["method"] == "POST" && rec["status"] == "200" && rec["duration"] != nil {
			requests++
		}
	}
	if requests != 1 {
		t.Errorf("%d JSON request records for the one login:\n%s", requests, s.stderr.String())
	}
}

// Every tokenserver command line in the docs (README.md, templates/) parses: a user copying one
// gets a server, not a usage error.
func TestDocumentedCommandLinesParse(t *testing.T) {
	root := testsupport.RepoRoot()
	pages, _ := filepath.Glob(filepath.Join(root, "templates", "guides", "*.md.tmpl"))
	pages = append(pages, filepath.Join(root, "README.md"))
	found := 0
	for _, page := range pages {
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		for line := range strings.Lines(string(b)) {
			line = strings.TrimSpace(line)
			line, _, _ = strings.Cut(line, " #") // a shell comment
			line = strings.TrimSuffix(strings.TrimSpace(line), "&")
			args := strings.Fields(line)
			if len(args) == 0 || args[0] != "tokenserver" || strings.ContainsAny(line, "`|") {
				continue
			}
			found++
			if _, err := parseFlags(args[1:], &bytes.Buffer{}); err != nil && !errors.Is(err, flag.ErrHelp) {
				t.Errorf("%s: %q: %v", filepath.Base(page), line, err)
			}
		}
	}
	if found < 3 {
		t.Errorf("found %d tokenserver command lines in the docs; the guide shows more", found)
	}
}

// -tls-dir serves https with a CA of the run's own, and writes the CA and a client certificate
// that authenticates oauth2-mtls-client (tls_client_auth): a user can test a configuration with
// client_cert_pem against it. The files go at shutdown.
func TestTLSDir(t *testing.T) {
	dir := t.TempDir()
	s := start(t, "-tls-dir", dir)
	if !strings.HasPrefix(s.base, "https://127.0.0.1:") {
		t.Fatalf("base %q, want https", s.base)
	}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(read("ca.pem")) {
		t.Fatal("ca.pem holds no certificate")
	}
	pair, err := tls.X509KeyPair(read("client.pem"), read("client-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {mtlsClientID}}.Encode()
	for name, tc := range map[string]struct {
		certs []tls.Certificate
		want  int
	}{"with the client certificate": {[]tls.Certificate{pair}, 200}, "without it": {nil, 401}} {
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, Certificates: tc.certs, MinVersion: tls.VersionTLS12}}}
		req, _ := http.NewRequest(http.MethodPost, tokenserver.TokenURL(s.base, tokenserver.OAuth2), strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s: status %d, want %d", name, resp.StatusCode, tc.want)
		}
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("files left behind: %v", left)
	}
	if log := s.stderr.String(); !strings.Contains(log, "TLS: the CA is "+filepath.Join(dir, "ca.pem")) ||
		!strings.Contains(log, "oauth2: client oauth2-mtls-client (tls_client_auth: a client certificate of the -tls-dir CA with CN tokenserver-client)") {
		t.Errorf("no TLS line in the log:\n%s", log)
	}
}

// The GitHub App API from the command line: -key-dir writes the app's private key, which signs
// the JWT a client trades for an installation token; -fault gives its token endpoint GitHub's
// rate limits.
func TestGitHubApp(t *testing.T) {
	keyDir := t.TempDir()
	s := start(t, "-key-dir", keyDir, "-fault", "api=github_app,fail=rate-limit-exhausted,times=1,retry-after=30")
	keyPEM, err := os.ReadFile(filepath.Join(keyDir, "github-app.pem"))
	if err != nil || string(keyPEM) != tokenserver.GitHubAppKeyPEM() || !strings.HasPrefix(string(keyPEM), "-----BEGIN RSA PRIVATE KEY-----") {
		t.Fatalf("github-app.pem: %v, or not the app's PKCS#1 key", err)
	}
	block, _ := pem.Decode(keyPEM)
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	claims, _ := json.Marshal(map[string]any{"iss": 424242, "iat": now - 30, "exp": now + 540}) // the app ID, as a number
	enc := base64.RawURLEncoding
	input := enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc.EncodeToString(claims)
	digest := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	call := func(method, path, auth string) answer {
		t.Helper()
		req, _ := http.NewRequest(method, s.base+path, nil)
		req.Header.Set("Accept", "application/vnd.github+json")
		req.Header.Set("User-Agent", "tokenserver-test")
		req.Header.Set("Authorization", auth)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		a := answer{status: resp.StatusCode, header: resp.Header}
		_ = json.NewDecoder(resp.Body).Decode(&a.body)
		return a
	}
	jwt := "Bearer " + input + "." + enc.EncodeToString(sig)
	if a := call(http.MethodGet, "/orgs/"+tokenserver.GitHubOrg+"/installation", jwt); a.status != 200 || a.body["id"] != 1001.0 ||
		a.body["access_tokens_url"] != s.base+tokenserver.GitHubAppTokenPath(1001) {
		t.Errorf("lookup: status %d, %v", a.status, a.body)
	}
	tokenPath := tokenserver.GitHubAppTokenPath(tokenserver.GitHubOrgInstallationID)
	if a := call(http.MethodPost, tokenPath, jwt); a.status != 403 || a.header.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("the faulted token request: status %d, remaining %q", a.status, a.header.Get("X-RateLimit-Remaining"))
	}
	a := call(http.MethodPost, tokenPath, jwt)
	token, _ := a.body["token"].(string)
	if a.status != 201 || !strings.HasPrefix(token, "ghs_") {
		t.Fatalf("token request: status %d, %v", a.status, a.fields())
	}
	if a := call(http.MethodGet, tokenserver.GitHubAppResourcePath, "token "+token); a.status != 200 || a.body["total_count"] != 3.0 {
		t.Errorf("resource: status %d, %v", a.status, a.body)
	}
	if a := call(http.MethodDelete, tokenserver.GitHubAppRevocationPath, "Bearer "+token); a.status != 204 {
		t.Errorf("revocation: status %d", a.status)
	}
	if a := call(http.MethodGet, tokenserver.GitHubAppResourcePath, "Bearer "+token); a.status != 401 || a.body["message"] != "Bad credentials" {
		t.Errorf("resource after the revocation: status %d, %v", a.status, a.body)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(keyDir); len(left) != 0 {
		t.Errorf("key files left behind: %v", left)
	}
	log := s.stderr.String()
	for _, want := range []string{
		"github_app: " + s.base + "/app/installations/{installation_id}/access_tokens",
		"github_app: app ID 424242, client ID Iv23liAuthtokenTestApp (the JWT's iss is either; private key in " +
			filepath.Join(keyDir, "github-app.pem") + ")",
		"github_app: installations 1001 (organization authtoken-test-org, selected repositories) and 1002 (user authtoken-test-user",
		"github_app: fault the next 1 requests fail with rate-limit-exhausted (x-ratelimit-reset 30 s ahead)",
		"api=github_app method=GET status=200 lookup=/orgs/authtoken-test-org/installation",
		"api=github_app method=POST status=403 fault=rate-limit-exhausted",
		"api=github_app method=POST status=201",
		"api=github_app method=DELETE status=204 revocation=/installation/token",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("no %q in log:\n%s", want, log)
		}
	}
	testsupport.AssertNoSecret(t, "log", log, token, input, "PRIVATE KEY", "PUBLIC KEY")
}
