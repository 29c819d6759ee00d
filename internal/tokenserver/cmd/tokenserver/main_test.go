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
	var stderr testsupport.LockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-addr-file", addrFile, "-lifetime", "2m"}, &stderr) }()

	var base string
	for deadline := time.Now().Add(5 * time.Second); base == "" && time.Now().Before(deadline); {
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

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	if _, err := os.Stat(addrFile); !os.IsNotExist(err) {
		t.Errorf("addr file left behind: %v", err)
	}
	log := stderr.String()
	for _, want := range []string{
		"api=tenn method=POST status=200",
		"api=tenn method=GET status=200 resource=/connect/userinfo",
		"api=tenn method=GET status=401 resource=/connect/userinfo",
		"tenn: resource " + tokenserver.ResourceURL(base, tokenserver.Tenn),
	} {
		if !strings.Contains(log, want) {
			t.Errorf("no %q line in log:\n%s", want, log)
		}
	}
	testsupport.AssertNoSecret(t, "log", log, tokenserver.TennClientSecret, tokenserver.TennPassword, "eyJ", answer.AccessToken)
}
