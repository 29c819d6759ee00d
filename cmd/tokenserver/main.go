// Command tokenserver is a local token server for testing configurations that use the
// authtoken provider: it speaks every token API the provider knows (tokenserver.APIs: the typed
// APIs and a generic RFC 6749 authorization server, oauth2) as their docs describe them, with
// test clients and users, each API's protected resource, revocation endpoint and metadata, and
// a CI job token issuer. Tokens it issues work only against itself. Install it with
//
//	go install github.com/authtoken/terraform-provider-authtoken/cmd/tokenserver@latest
//
// or take the tokenserver archive of a release. -config declares a module's own clients, users,
// scopes and lifetimes; -fault makes an API's token endpoint fail as real servers do; -credentials
// prints the test secrets. It listens on loopback unless -allow-remote says otherwise, logs one
// line per request (never a secret or a token), and writes its base URL to -addr-file for scripts.
package main

import (
	"context"
	"crypto/tls"
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
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver/hostile"
)

// mtlsClientID is the oauth2 client -tls-dir registers for its client certificate.
const mtlsClientID = "oauth2-mtls-client"

// version is set by the release build (-X main.version); go install @version records it in the
// build info instead.
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "tokenserver:", err)
		os.Exit(1)
	}
}

const usageHead = `Usage: tokenserver [flags]

A local token server for testing Terraform and OpenTofu configurations that use the authtoken
provider. It speaks every token API the provider knows (%s)
with test clients and users, and prints each API's token, resource and revocation URLs at startup. Its tokens are good
only against itself. Stop it with Ctrl-C or SIGTERM.

Examples:
  tokenserver -listen 127.0.0.1:8080 -credentials
  tokenserver -addr-file /tmp/tokenserver.addr -config testdata/tokenserver.json &
  tokenserver -fault api=oauth2,status=503,times=2,retry-after=1 -fault api=tenn,delay=2s
  tokenserver -key-dir /tmp/keys -fault api=github_app,fail=secondary-rate-limit,times=1,retry-after=5

Flags:
`

// options are the command line's flags.
type options struct {
	listen, addrFile, keyDir, tlsDir, configPath, logFormat string
	lifetime                                                time.Duration
	allowRemote, credentials, version                       bool
	faults                                                  faultFlags
}

// faultFlags collects the repeatable -fault flag, one API each.
type faultFlags map[tokenserver.API]hostile.Fault

func (f faultFlags) String() string { return "" }

func (f faultFlags) Set(spec string) error {
	api, fault, err := hostile.ParseFault(spec)
	if err != nil {
		return err
	}
	if _, dup := f[api]; dup {
		return fmt.Errorf("a second fault for api=%s: give one -fault per API", api)
	}
	f[api] = fault
	return nil
}

func parseFlags(args []string, stdout io.Writer) (*options, error) {
	o := &options{faults: faultFlags{}}
	fs := flag.NewFlagSet("tokenserver", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned; -h writes the usage to stdout
	fs.StringVar(&o.listen, "listen", "127.0.0.1:0", "`address` to listen on; port 0 picks a free one. A non-loopback address needs -allow-remote")
	fs.BoolVar(&o.allowRemote, "allow-remote", false, "allow a -listen address beyond loopback, such as 0.0.0.0:8080 in a CI service container: "+
		"anyone who reaches it gets tokens for the test clients")
	fs.StringVar(&o.addrFile, "addr-file", "", "write the base URL (http://127.0.0.1:PORT) to this `file` once listening, and remove it at shutdown")
	fs.DurationVar(&o.lifetime, "lifetime", 0, "lifetime of issued tokens (default 1h, or the -config file's token_lifetime)")
	fs.StringVar(&o.configPath, "config", "", "read clients, users, scopes, token lifetimes and APIs from this JSON `file` "+
		"(see the guide \"Testing configurations that use tokens\")")
	fs.Var(o.faults, "fault", "make one API's token endpoint fail or stall; a `spec` is "+hostile.FaultSyntax+
		", such as api=tenn,status=503,times=2,retry-after=3. Repeatable, one per API. FAILURE is one of "+
		strings.Join(hostile.Failures(), ", "))
	fs.BoolVar(&o.credentials, "credentials", false, "print every client's secret and user's password at startup (they are test values)")
	fs.StringVar(&o.tlsDir, "tls-dir", "", "serve https with a CA made for this run, and write to this existing `directory` its "+
		"ca.pem (the provider's ca_cert_pem), and client.pem and client-key.pem, a client certificate of it (CN "+tlsClientSubject+
		") for client_cert_pem: the oauth2 API's oauth2-mtls-client authenticates with it (tls_client_auth). Removed at shutdown")
	fs.StringVar(&o.keyDir, "key-dir", "", "write the oauth2 key clients' private keys (PEM PKCS#8) to this existing `directory`, "+
		"as <client_id>.pem, and the GitHub App's (PEM PKCS#1, as GitHub issues them) as "+gitHubKeyFile+", and remove them at shutdown")
	fs.StringVar(&o.logFormat, "log-format", "text", "log `format`: text or json (one JSON object per line)")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	fs.Usage = func() {
		fmt.Fprintf(stdout, usageHead, tokenserver.APINames())
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) { // Parse has written the usage
			return nil, err
		}
		return nil, fmt.Errorf("%w (tokenserver -h lists the flags)", err)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q (tokenserver -h lists the flags)", fs.Args())
	}
	if o.logFormat != "text" && o.logFormat != "json" {
		return nil, fmt.Errorf("-log-format %q: want text or json", o.logFormat)
	}
	if o.lifetime < 0 {
		return nil, fmt.Errorf("-lifetime %s: want a positive duration", o.lifetime)
	}
	return o, nil
}

// run serves until ctx ends, then shuts down and removes the files it wrote.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	} else if err != nil {
		return err
	}
	if o.version {
		fmt.Fprintln(stdout, "tokenserver", versionString())
		return nil
	}
	loopback, err := isLoopback(o.listen)
	if err != nil {
		return err
	}
	if !loopback && !o.allowRemote {
		return fmt.Errorf("-listen %q: the host must be a loopback address such as 127.0.0.1; "+
			"add -allow-remote to listen beyond this machine", o.listen)
	}

	cfg := tokenserver.DefaultConfig()
	if o.configPath != "" {
		if err := loadConfig(o.configPath, &cfg); err != nil {
			return err
		}
	}
	if o.lifetime > 0 {
		cfg.TokenLifetime = o.lifetime
	}
	var tlsFiles *tlsMaterial
	if o.tlsDir != "" {
		if tlsFiles, err = newTLSMaterial(o.tlsDir); err != nil {
			return fmt.Errorf("-tls-dir: %w", err)
		}
		cfg.ClientCAs = tlsFiles.pool
		// Not into an API whose clients -config turned off: every login there stays refused.
		if _, taken := cfg.Clients[tokenserver.OAuth2][mtlsClientID]; !taken && len(cfg.Clients[tokenserver.OAuth2]) > 0 {
			cfg.Clients[tokenserver.OAuth2][mtlsClientID] = tokenserver.TLSClientAuthPrefix + tlsClientSubject
		}
	}
	logger := newLogger(stderr, o.logFormat)
	cfg.Logger = logger
	var handler http.Handler
	var faulty *hostile.Server
	if len(o.faults) > 0 {
		faulty = hostile.New(cfg)
		for api, f := range o.faults {
			faulty.SetFault(api, f)
		}
		handler = faulty
	} else {
		handler = tokenserver.New(cfg)
	}

	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ErrorLog: logger}
	if tlsFiles != nil {
		base, srv.TLSConfig = "https://"+ln.Addr().String(), tlsFiles.config()
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	var written []string
	defer func() { // a stale address would mislead the next reader; the keys die with this process
		for _, path := range written {
			os.Remove(path)
		}
	}()
	keys, err := writeFiles(o, cfg, base)
	written = keys
	if err == nil && tlsFiles != nil {
		for path, content := range tlsFiles.files {
			if err = writeAtomic(path, content); err != nil {
				break
			}
			written = append(written, path)
		}
	}
	if err != nil {
		_ = srv.Close()
		return err
	}

	logger.Printf("tokenserver %s listening on %s", versionString(), base)
	if !loopback {
		logger.Printf("WARNING: listening on %s, beyond this machine (-allow-remote): anyone who can reach it "+
			"gets tokens for the test clients. Use it only on a private network, such as a CI job's service container", o.listen)
	}
	logEndpoints(logger, base)
	if tlsFiles != nil {
		logger.Printf("TLS: the CA is %s (the provider's ca_cert_pem); the client certificate %s and its key %s "+
			"(CN %s) authenticate %s with tls_client_auth", filepath.Join(o.tlsDir, "ca.pem"), filepath.Join(o.tlsDir, "client.pem"),
			filepath.Join(o.tlsDir, "client-key.pem"), tlsClientSubject, mtlsClientID)
	}
	logCredentials(logger, cfg, o)
	for api, f := range o.faults {
		logger.Printf("%s: fault %s", api, describeFault(f))
	}

	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
	}
	logger.Printf("shutting down")
	if faulty != nil {
		faulty.Close() // ends delays and stalled answers, so that Shutdown does not wait on them
	}
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

// gitHubKeyFile is the name -key-dir gives the GitHub App's private key.
const gitHubKeyFile = "github-app.pem"

// writeFiles writes -addr-file and the -key-dir keys, returning the paths written.
func writeFiles(o *options, cfg tokenserver.Config, base string) ([]string, error) {
	var written []string
	if o.addrFile != "" {
		if err := writeAtomic(o.addrFile, base); err != nil {
			return written, err
		}
		written = append(written, o.addrFile)
	}
	if o.keyDir == "" {
		return written, nil
	}
	files := map[string]string{}
	for id, private := range keyClients(cfg) {
		files[id+".pem"] = private
		if id == tokenserver.OAuth2CertClientID { // its certificate too, for private_key_cert_pem
			files[id+".crt"] = tokenserver.OAuth2RSACertPEM()
		}
	}
	if builtInGitHubApp(cfg) {
		files[gitHubKeyFile] = tokenserver.GitHubAppKeyPEM()
	}
	for _, name := range sortedKeys(files) {
		path := filepath.Join(o.keyDir, name)
		if err := writeAtomic(path, files[name]); err != nil {
			return written, err
		}
		written = append(written, path)
	}
	return written, nil
}

// builtInGitHubApp reports whether cfg still registers the test GitHub App with its built-in key
// pair: a -config file may have replaced it.
func builtInGitHubApp(cfg tokenserver.Config) bool {
	key, ok := cfg.Clients[tokenserver.GitHubApp][tokenserver.GitHubAppClientID]
	return ok && key == tokenserver.GitHubAppPublicKeyPEM()
}

// keyClients returns the oauth2 key clients that cfg still accepts with their built-in key
// pairs, client_id to private key: a -config file may have replaced them.
func keyClients(cfg tokenserver.Config) map[string]string {
	def := tokenserver.DefaultConfig().Clients[tokenserver.OAuth2]
	out := map[string]string{}
	for id, private := range map[string]string{
		tokenserver.OAuth2RSAClientID:  tokenserver.OAuth2RSAKeyPEM(),
		tokenserver.OAuth2ECClientID:   tokenserver.OAuth2ECKeyPEM(),
		tokenserver.OAuth2CertClientID: tokenserver.OAuth2RSAKeyPEM(),
	} {
		if v, ok := cfg.Clients[tokenserver.OAuth2][id]; ok && v == def[id] {
			out[id] = private
		}
	}
	return out
}

// logEndpoints writes each API's URLs.
func logEndpoints(logger *log.Logger, base string) {
	for _, api := range tokenserver.APIs {
		logger.Printf("%s: %s", api, tokenserver.TokenURL(base, api))
		logger.Printf("%s: resource %s (GET with Authorization: Bearer <access token>)", api, tokenserver.ResourceURL(base, api))
		if api.RevocationPath() != "" {
			logger.Printf("%s: revocation %s", api, tokenserver.RevocationURL(base, api))
		}
	}
	logger.Printf("%s: issuer %s (metadata at %s and %s)", tokenserver.OAuth2, tokenserver.OAuth2Issuer(base),
		tokenserver.OAuth2MetadataURL(base), tokenserver.OAuth2OIDCMetadataURL(base))
	logger.Printf("%s: token requests need Accept: application/json (406 otherwise), as RFC 6749 clients send it", tokenserver.OAuth2)
	logger.Printf("%s: Entra-like token endpoint %s (client credentials of %s, its assertion naming the certificate by x5t "+
		"or x5t#S256 and aud that URL, scope <resource>/.default)", tokenserver.OAuth2,
		tokenserver.OAuth2EntraTokenURL(base, "{tenant}"), tokenserver.OAuth2CertClientID)
	logger.Printf("%s: installations %d (organization %s, selected repositories) and %d (user %s, all repositories); "+
		"lookups at /orgs/{org}/installation, /users/{username}/installation, /repos/{owner}/{repo}/installation and "+
		"/app/installations/{installation_id}", tokenserver.GitHubApp, tokenserver.GitHubOrgInstallationID, tokenserver.GitHubOrg,
		tokenserver.GitHubUserInstallationID, tokenserver.GitHubUser)
	logger.Printf("%s: requests need a User-Agent; lookups and token requests Accept: application/vnd.github+json and the app's JWT "+
		"(Authorization: Bearer, RS256, exp at most 10 minutes after iat); the resource and the revocation (DELETE) the installation token",
		tokenserver.GitHubApp)
}

// logCredentials writes every client and user, with their secrets when -credentials asks.
func logCredentials(logger *log.Logger, cfg tokenserver.Config, o *options) {
	keys := keyClients(cfg)
	for _, api := range tokenserver.APIs {
		clients := cfg.Clients[api]
		if len(clients) == 0 {
			logger.Printf("%s: no clients: every login is refused", api)
		}
		for _, id := range sortedKeys(clients) {
			secret := clients[id]
			switch {
			case api == tokenserver.GitHubApp:
				logger.Printf("%s: %s", api, gitHubAppLine(cfg, id, o))
			case api == tokenserver.OAuth2 && secret == "":
				logger.Printf("%s: client %s (public: client_auth none)", api, id)
			case api == tokenserver.OAuth2 && strings.HasPrefix(secret, tokenserver.TLSClientAuthPrefix):
				logger.Printf("%s: client %s (tls_client_auth: a client certificate of the -tls-dir CA with CN %s)", api, id,
					strings.TrimPrefix(secret, tokenserver.TLSClientAuthPrefix))
			case api == tokenserver.OAuth2 && strings.HasPrefix(secret, tokenserver.SelfSignedTLSPrefix):
				logger.Printf("%s: client %s (self_signed_tls_client_auth: the certificate of your -config file)", api, id)
			case api == tokenserver.OAuth2 && strings.HasPrefix(secret, tokenserver.FederatedPrefix):
				logger.Printf("%s: client %s (federated_jwt: a CI job token whose sub is %s)", api, id,
					strings.TrimPrefix(secret, tokenserver.FederatedPrefix))
			case api == tokenserver.OAuth2 && strings.Contains(secret, "BEGIN CERTIFICATE"):
				where := "registered by a certificate of your -config file"
				if keys[id] != "" {
					where = "built-in key and certificate; -key-dir writes both"
					if o.keyDir != "" {
						where = "private key in " + filepath.Join(o.keyDir, id+".pem") + ", certificate in " + filepath.Join(o.keyDir, id+".crt")
					}
				}
				logger.Printf("%s: client %s (private_key_jwt naming its certificate by x5t or x5t#S256, as Entra wants; %s)", api, id, where)
			case api == tokenserver.OAuth2 && strings.Contains(secret, "PUBLIC KEY"):
				where := "the key pair of your -config file"
				if keys[id] != "" {
					where = "built-in key; -key-dir writes its private key"
					if o.keyDir != "" {
						where = "private key in " + filepath.Join(o.keyDir, id+".pem")
					}
				}
				logger.Printf("%s: client %s (private_key_jwt, %s)", api, id, where)
			case o.credentials:
				logger.Printf("%s: client %s secret %q", api, id, secret)
			default:
				logger.Printf("%s: client %s (secret: run with -credentials to print it)", api, id)
			}
		}
		for _, name := range sortedKeys(cfg.Users[api]) {
			if o.credentials {
				logger.Printf("%s: user %s password %q", api, name, cfg.Users[api][name])
			} else {
				logger.Printf("%s: user %s (password: run with -credentials to print it)", api, name)
			}
		}
	}
}

// gitHubAppLine describes a GitHub App of cfg: its IDs, and where the private key its JWTs are
// signed with is. Its public key is no secret, and its private key too long for a line.
func gitHubAppLine(cfg tokenserver.Config, id string, o *options) string {
	if id != tokenserver.GitHubAppClientID || !builtInGitHubApp(cfg) {
		return fmt.Sprintf("app %s (JWTs signed with the private key of your -config file's public key)", id)
	}
	where := "built-in key; -key-dir writes it as " + gitHubKeyFile
	if o.keyDir != "" {
		where = "private key in " + filepath.Join(o.keyDir, gitHubKeyFile)
	}
	return fmt.Sprintf("app ID %s, client ID %s (the JWT's iss is either; %s)", tokenserver.GitHubAppID, id, where)
}

// describeFault says what a -fault does, for the startup log.
func describeFault(f hostile.Fault) string {
	var parts []string
	if f.Delay > 0 {
		parts = append(parts, "every token request waits "+f.Delay.String())
	}
	if f.FailWith != hostile.FailNone {
		times := "every request fails"
		if f.FailTimes > 0 {
			times = fmt.Sprintf("the next %d requests fail", f.FailTimes)
		}
		if f.FailFor > 0 {
			times += fmt.Sprintf(" for %s after the first failure", f.FailFor)
		}
		times += " with " + f.FailWith.String()
		switch {
		case f.FailWith == hostile.FailRateLimitExhausted && f.RetryAfter != "":
			times += " (x-ratelimit-reset " + f.RetryAfter + " s ahead)"
		case f.RetryAfter != "":
			times += " (Retry-After: " + f.RetryAfter + ")"
		}
		parts = append(parts, times)
	}
	return strings.Join(parts, "; ")
}

func versionString() string {
	if version != "dev" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return version
}

// isLoopback reports whether addr's host is a loopback IP or "localhost".
func isLoopback(addr string) (bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, fmt.Errorf("-listen %q: %v", addr, err)
	}
	if host == "localhost" {
		return true, nil
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback(), nil
}

// writeAtomic writes data to a temporary file next to path and renames it, so a reader polling
// for path never sees it half written. The file is readable by its owner only.
func writeAtomic(path, data string) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tokenserver-*")
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
