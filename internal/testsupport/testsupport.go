// Package testsupport is what the tests of every package share: the token server started per
// test, the documented test accounts of each API, secret assertions, and the terraform binary
// with a provider built once per test run. Only _test.go files import it, so no production binary
// links it (or the testing package it needs).
package testsupport

import (
	"bytes"
	"encoding/base64"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// TokenServer serves a new tokenserver.Server for cfg on a loopback port (http) and closes both
// when the test ends.
func TokenServer(tb testing.TB, cfg tokenserver.Config) (*tokenserver.Server, *httptest.Server) {
	tb.Helper()
	s := tokenserver.New(cfg)
	ts := httptest.NewUnstartedServer(s)
	start(tb, s, ts, ts.Start)
	return s, ts
}

// TokenServerTLS is TokenServer over HTTPS with httptest's self-signed certificate;
// ts.Certificate() is the certificate to trust, ts.Client() a client trusting it.
func TokenServerTLS(tb testing.TB, cfg tokenserver.Config) (*tokenserver.Server, *httptest.Server) {
	tb.Helper()
	s := tokenserver.New(cfg)
	ts := httptest.NewUnstartedServer(s)
	start(tb, s, ts, ts.StartTLS)
	return s, ts
}

func start(tb testing.TB, s *tokenserver.Server, ts *httptest.Server, run func()) {
	// Tests that check certificate rejection make the server log TLS handshake errors; those are
	// expected, so keep them out of the test output.
	ts.Config.ErrorLog = log.New(dropHandshakeErrors{}, "", log.LstdFlags)
	run()
	tb.Cleanup(func() {
		s.Close() // end slow drips and delays first: ts.Close waits for handlers
		ts.Close()
	})
}

type dropHandshakeErrors struct{}

func (dropHandshakeErrors) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte("TLS handshake error")) {
		return len(p), nil
	}
	return os.Stderr.Write(p)
}

// Basic is the value of an HTTP Basic Authorization header.
func Basic(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
}

// AssertNoSecret fails the test for every secret found in text, naming where and which secret by
// its position in the list, never printing it.
func AssertNoSecret(tb testing.TB, where, text string, secrets ...string) {
	tb.Helper()
	for i, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			tb.Errorf("%s: secret #%d of %d appears in it (value withheld)", where, i+1, len(secrets))
		}
	}
}

// LockedBuffer is a bytes.Buffer safe for concurrent writers, such as a logger and the test.
type LockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *LockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// RepoRoot is the repository's top directory, found from this file's place in it.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// WriteFile writes content to path or fails the test.
func WriteFile(tb testing.TB, path, content string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		tb.Fatal(err)
	}
}
