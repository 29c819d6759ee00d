package tokenserver

import (
	"bytes"
	"log"
	"net/http/httptest"
	"os"
	"testing"
)

// Start serves a new Server for cfg on a loopback port (http) and closes both
// when the test ends. Use TokenURL(ts.URL, api) for an endpoint's URL.
func Start(tb testing.TB, cfg Config) (*Server, *httptest.Server) {
	tb.Helper()
	s := New(cfg)
	ts := httptest.NewUnstartedServer(s)
	start(tb, s, ts, ts.Start)
	return s, ts
}

// StartTLS is Start over HTTPS with httptest's self-signed certificate;
// ts.Certificate() is the certificate to trust, ts.Client() a client trusting it.
func StartTLS(tb testing.TB, cfg Config) (*Server, *httptest.Server) {
	tb.Helper()
	s := New(cfg)
	ts := httptest.NewUnstartedServer(s)
	start(tb, s, ts, ts.StartTLS)
	return s, ts
}

func start(tb testing.TB, s *Server, ts *httptest.Server, run func()) {
	// Tests that check certificate rejection make the server log TLS handshake
	// errors; those are expected, so keep them out of the test output.
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
