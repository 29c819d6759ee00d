// Command tokenserver serves the token APIs (see package tokenserver) on a
// loopback port, with the documented default credentials, and each API's
// protected resource endpoint, revocation endpoint and metadata. It logs one
// line per request (no secret, no token). `make demo` runs it and reads the
// base URL from -addr-file; -key-dir hands it the oauth2 key clients' private
// keys, which are made anew by each run.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "tokenserver:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends, then shuts down and removes the address file.
func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("tokenserver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:0", "loopback `address` to listen on")
	addrFile := fs.String("addr-file", "", "write the base URL (http://127.0.0.1:PORT) to this `file` once listening")
	lifetime := fs.Duration("lifetime", tokenserver.DefaultTokenLifetime, "lifetime of issued tokens")
	keyDir := fs.String("key-dir", "", "write the oauth2 key clients' private keys (PEM PKCS#8) to this existing `directory`, "+
		"as <client_id>.pem, and remove them at shutdown")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if err := checkLoopback(*listen); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()

	logger := log.New(stderr, "tokenserver: ", log.LstdFlags)
	cfg := tokenserver.DefaultConfig()
	cfg.TokenLifetime = *lifetime
	cfg.Logger = logger
	ts := tokenserver.New(cfg)
	srv := &http.Server{Handler: ts, ReadHeaderTimeout: 10 * time.Second, ErrorLog: logger}

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	if *addrFile != "" {
		if err := writeAtomic(*addrFile, base); err != nil {
			_ = srv.Close()
			return err
		}
		defer os.Remove(*addrFile) // a stale address would mislead the next reader
	}
	if *keyDir != "" {
		var written []string
		defer func() { // the keys die with this process's key pairs
			for _, path := range written {
				os.Remove(path)
			}
		}()
		for _, k := range []struct{ id, pem string }{
			{tokenserver.OAuth2RSAClientID, tokenserver.OAuth2RSAKeyPEM()},
			{tokenserver.OAuth2ECClientID, tokenserver.OAuth2ECKeyPEM()},
		} {
			path := filepath.Join(*keyDir, k.id+".pem")
			if err := writeAtomic(path, k.pem); err != nil {
				_ = srv.Close()
				return err
			}
			written = append(written, path)
		}
	}
	logger.Printf("listening on %s", base)
	for _, api := range tokenserver.APIs {
		logger.Printf("%s: %s", api, tokenserver.TokenURL(base, api))
		logger.Printf("%s: resource %s (GET with Authorization: Bearer <access token>)", api, tokenserver.ResourceURL(base, api))
		if api.RevocationPath() != "" {
			logger.Printf("%s: revocation %s", api, tokenserver.RevocationURL(base, api))
		}
	}
	logger.Printf("%s: issuer %s (metadata at %s and %s)", tokenserver.OAuth2, tokenserver.OAuth2Issuer(base),
		tokenserver.OAuth2MetadataURL(base), tokenserver.OAuth2OIDCMetadataURL(base))
	logger.Printf("%s: test clients %s (client_secret_basic or client_secret_post), %s (public: none), "+
		"%s (private_key_jwt, RS256), %s (private_key_jwt, ES256); test user %s", tokenserver.OAuth2,
		tokenserver.OAuth2ClientID, tokenserver.OAuth2PublicClientID, tokenserver.OAuth2RSAClientID,
		tokenserver.OAuth2ECClientID, tokenserver.OAuth2Username)
	if *keyDir != "" {
		logger.Printf("%s: the key clients' private keys are in %s", tokenserver.OAuth2, *keyDir)
	}

	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
	}
	logger.Printf("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-serveErr; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// checkLoopback refuses addresses that would expose the server beyond this
// machine: the host must be a loopback IP or "localhost".
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-listen %q: %v", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-listen %q: host must be a loopback address such as 127.0.0.1", addr)
	}
	return nil
}

// writeAtomic writes data to a temporary file next to path and renames it, so
// a reader polling for path never sees it half written.
func writeAtomic(path, data string) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tokenserver-addr-*")
	if err != nil {
		return err
	}
	_, err = f.WriteString(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
