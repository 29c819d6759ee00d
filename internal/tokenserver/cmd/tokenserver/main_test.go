package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

func TestCheckLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:0": true, "127.0.0.2:8080": true, "[::1]:0": true, "localhost:0": true,
		":0": false, "0.0.0.0:0": false, "[::]:0": false, "192.168.1.10:80": false, "example.com:80": false, "127.0.0.1": false,
	} {
		if err := checkLoopback(addr); (err == nil) != ok {
			t.Errorf("checkLoopback(%q) = %v, want ok=%v", addr, err, ok)
		}
	}
}

func TestRefusesNonLoopback(t *testing.T) {
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"-listen", "0.0.0.0:0"}, &stderr)
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("run = %v, want a loopback error", err)
	}
}

func TestRun(t *testing.T) {
	addrFile := filepath.Join(t.TempDir(), "addr")
	keyDir := t.TempDir()
	var stderr testsupport.LockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr-file", addrFile, "-lifetime", "2m", "-key-dir", keyDir}, &stderr)
	}()

	var base string
	for deadline := time.Now().Add(time.Minute); base == "" && time.Now().Before(deadline); {
		if b, err := os.ReadFile(addrFile); err == nil {
			base = string(b)
		} else {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("addr file holds %q", base)
	}

	form := url.Values{"client_id": {tokenserver.TennClientID}, "grant_type": {"password"},
		"username": {tokenserver.TennUsername}, "password": {tokenserver.TennPassword}}.Encode()
	req, _ := http.NewRequest(http.MethodPost, tokenserver.TokenURL(base, tokenserver.Tenn), strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", testsupport.Basic(tokenserver.TennClientID, tokenserver.TennClientSecret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var answer struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&answer)
	resp.Body.Close()
	if resp.StatusCode != 200 || err != nil || answer.AccessToken == "" {
		t.Fatalf("status %d, decoding: %v", resp.StatusCode, err)
	}
	// The resource endpoint takes the token, and refuses a call without one.
	for auth, want := range map[string]int{"Bearer " + answer.AccessToken: 200, "": 401} {
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

	// Revocation: the resource endpoint refuses the token afterwards.
	req, _ = http.NewRequest(http.MethodPost, tokenserver.RevocationURL(base, tokenserver.Tenn),
		strings.NewReader(url.Values{"token": {answer.AccessToken}, "token_type_hint": {"access_token"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", testsupport.Basic(tokenserver.TennClientID, tokenserver.TennClientSecret))
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("revocation: status %d", resp.StatusCode)
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

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("run did not return after cancel")
	}
	if _, err := os.Stat(addrFile); !os.IsNotExist(err) {
		t.Errorf("addr file left behind: %v", err)
	}
	if left, _ := os.ReadDir(keyDir); len(left) != 0 {
		t.Errorf("key files left behind: %v", left)
	}
	log := stderr.String()
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
		"oauth2: test clients oauth2-client (client_secret_basic or client_secret_post), oauth2-public (public: none), " +
			"oauth2-rsa-client (private_key_jwt, RS256), oauth2-ec-client (private_key_jwt, ES256); test user oauth2-user",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("no %q line in log:\n%s", want, log)
		}
	}
	testsupport.AssertNoSecret(t, "log", log, tokenserver.TennClientSecret, tokenserver.TennPassword, "eyJ", answer.AccessToken,
		tokenserver.OAuth2ClientSecret, tokenserver.OAuth2Password, "PRIVATE KEY", "PUBLIC KEY")
}
