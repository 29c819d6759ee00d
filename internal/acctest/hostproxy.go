package acctest

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// HostProxy is an HTTP proxy on loopback that stands in for documented HTTPS hosts: it accepts
// CONNECT to port 443 of the hosts its allow function accepts, and only those, terminates TLS
// there with a certificate for the host signed by a CA of its own, and serves the requests with
// a handler (a token server). A client that trusts CAPEM and uses URL as its proxy reaches the
// handler through a configuration that names the documented host, unchanged. The provider takes
// both through its environment (AUTHTOKEN_PROXY_URL, AUTHTOKEN_CA_CERT_PEM).
type HostProxy struct {
	URL   string // http://127.0.0.1:<port>
	CAPEM string // the CA certificate, PEM

	allow   func(host string) bool
	handler http.Handler
	ca      *x509.Certificate
	caKey   *ecdsa.PrivateKey
	inner   *http.Server
	conns   chan net.Conn
	done    chan struct{}
	mu      sync.Mutex
	certs   map[string]*tls.Certificate
	refused []string
}

// NewHostProxy starts a HostProxy serving handler for the hosts allow accepts, and stops it when
// the test ends.
func NewHostProxy(tb testing.TB, handler http.Handler, allow func(host string) bool) *HostProxy {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "authtoken test host proxy CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(der)
	p := &HostProxy{
		CAPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		allow: allow, handler: handler, ca: ca, caKey: key,
		conns: make(chan net.Conn), done: make(chan struct{}), certs: map[string]*tls.Certificate{},
	}
	p.inner = &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go p.inner.Serve(connListener{p}) //nolint:errcheck // ends with Close
	outer := httptest.NewServer(http.HandlerFunc(p.connect))
	p.URL = outer.URL
	tb.Cleanup(func() {
		outer.Close()
		close(p.done)
		p.inner.Close()
	})
	return p
}

// Refused lists the host:port targets the proxy refused, in order.
func (p *HostProxy) Refused() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.refused...)
}

func (p *HostProxy) connect(w http.ResponseWriter, r *http.Request) {
	host, port, err := net.SplitHostPort(r.Host)
	if r.Method != http.MethodConnect || err != nil || port != "443" || !p.allow(host) {
		p.mu.Lock()
		p.refused = append(p.refused, r.Host)
		p.mu.Unlock()
		http.Error(w, "this test proxy serves CONNECT to documented hosts only", http.StatusForbidden)
		return
	}
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	if _, err := conn.Write([]byte("HTTP/1.1 200 Connection Established\r\n\r\n")); err != nil {
		conn.Close()
		return
	}
	tlsConn := tls.Server(bufferedConn{conn, buf.Reader}, &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			if hello.ServerName != host {
				return nil, errors.New("SNI does not match the CONNECT target")
			}
			return p.certificate(host)
		},
	})
	select {
	case p.conns <- tlsConn:
	case <-p.done:
		conn.Close()
	}
}

// certificate returns a leaf certificate for host, signed by the proxy's CA.
func (p *HostProxy) certificate(host string) (*tls.Certificate, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.certs[host]; ok {
		return c, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: host}, DNSNames: []string{host},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.ca, &key.PublicKey, p.caKey)
	if err != nil {
		return nil, err
	}
	c := &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	p.certs[host] = c
	return c, nil
}

// connListener hands the inner HTTP server the proxied TLS connections.
type connListener struct{ p *HostProxy }

func (l connListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.p.conns:
		return c, nil
	case <-l.p.done:
		return nil, net.ErrClosed
	}
}

func (l connListener) Close() error   { return nil }
func (l connListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }

// bufferedConn reads what the hijacked connection's reader already buffered first.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c bufferedConn) Read(b []byte) (int, error) { return c.r.Read(b) }
