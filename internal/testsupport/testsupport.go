// Package testsupport is what the tests of every package share: the token server, strict or
// hostile, started per test; the documented test accounts of each API; secret assertions; and
// small helpers (LockedBuffer, RepoRoot, WriteFile). The acceptance-test harness, which only the
// provider's tests need, is package acctest. Only _test.go files import either, so no production
// binary links them (or the testing package they need).
package testsupport

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver/hostile"
)

// TokenServer serves a new tokenserver.Server for cfg on a loopback port (http) and closes it
// when the test ends.
func TokenServer(tb testing.TB, cfg tokenserver.Config) (*tokenserver.Server, *httptest.Server) {
	tb.Helper()
	s := tokenserver.New(cfg)
	return s, serve(tb, s, nil, false)
}

// TokenServerTLS is TokenServer over HTTPS with httptest's self-signed certificate;
// ts.Certificate() is the certificate to trust, ts.Client() a client trusting it.
func TokenServerTLS(tb testing.TB, cfg tokenserver.Config) (*tokenserver.Server, *httptest.Server) {
	tb.Helper()
	s := tokenserver.New(cfg)
	return s, serve(tb, s, nil, true)
}

// HostileServer is TokenServer with the hostile server (package hostile) around the strict one:
// SetFault makes its token endpoints fail.
func HostileServer(tb testing.TB, cfg tokenserver.Config) (*hostile.Server, *httptest.Server) {
	tb.Helper()
	s := hostile.New(cfg)
	return s, serve(tb, s, s.Close, false)
}

// HostileServerTLS is HostileServer over HTTPS, as TokenServerTLS is TokenServer.
func HostileServerTLS(tb testing.TB, cfg tokenserver.Config) (*hostile.Server, *httptest.Server) {
	tb.Helper()
	s := hostile.New(cfg)
	return s, serve(tb, s, s.Close, true)
}

// serve starts h on loopback and closes it when the test ends, calling stop first if there is
// one (hostile.Server.Close: it ends slow drips and delays, which ts.Close would wait for).
func serve(tb testing.TB, h http.Handler, stop func(), useTLS bool) *httptest.Server {
	if useTLS {
		return serveWith(tb, h, stop, &tls.Config{}) //nolint:gosec // httptest's own settings, as StartTLS makes them
	}
	return serveWith(tb, h, stop, nil)
}

// serveWith is serve over HTTPS with tlsConfig (httptest fills in its certificate when the
// config has none), or over http when tlsConfig is nil.
func serveWith(tb testing.TB, h http.Handler, stop func(), tlsConfig *tls.Config) *httptest.Server {
	useTLS := tlsConfig != nil
	ts := httptest.NewUnstartedServer(h)
	ts.TLS = tlsConfig
	// Tests that check certificate rejection make the server log TLS handshake errors; those are
	// expected, so keep them out of the test output.
	ts.Config.ErrorLog = log.New(dropHandshakeErrors{}, "", log.LstdFlags)
	if useTLS {
		ts.StartTLS()
	} else {
		ts.Start()
	}
	tb.Cleanup(func() {
		if stop != nil {
			stop()
		}
		ts.Close()
	})
	return ts
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
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		tb.Fatal(err)
	}
}
