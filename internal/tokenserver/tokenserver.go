// Package tokenserver is a local HTTP server that speaks every token API the provider knows
// exactly as its docs describe it (Tenn, Testinium, partner, ...) and a generic RFC 6749
// authorization server (oauth2) exactly as the RFCs do, and checks every request strictly. Each
// API lives in a file of its own (tenn.go, oauth2.go, ...); the core
// (tokenserver.go, http.go, protected.go, revocation.go) looks APIs up and never switches on
// them. Tests use it to prove the client sends the documented request byte for byte; package
// hostile wraps it with faults, through Config.Intercept, to exercise the failure paths.
package tokenserver

import (
	"crypto/x509"
	"log"
	"maps"
	"net/http"
	"strings"
	"sync"
	"time"
)

// API names one of the token APIs the server speaks. Each API has a file of its own (tenn.go,
// testinium.go, partner.go) holding its name, path, test credentials, handler and spec.
type API string

// apiSpec is everything the core knows about one API. The core looks an API up in specs and
// never asks which API it is.
type apiSpec struct {
	api API
	// path is the documented token endpoint path. It may have {name} segments, each matching one
	// non-empty segment (pathMatches), because GitHub puts the installation in the token
	// endpoint's path: /app/installations/{installation_id}/access_tokens.
	path        string
	credentials Credentials // the documented test client and user, for DefaultConfig
	// serve answers a POST to path without a query string; body is the whole request body.
	serve func(s *Server, w *response, r *http.Request, body []byte)
	// tokenEndpoints are the API's further token endpoints, each answered by a serve of its own
	// (the oauth2 API's Entra-like one, oauth2_entra.go). A request to one is a request to the
	// API's token endpoint in every other way: counted by Requests, intercepted, behind the
	// gateway, and refused as path's are when it is not a POST.
	tokenEndpoints []tokenEndpoint
	// checksMethod makes serve answer every method and any URL query itself, in its API's error
	// shape (GitHub answers 404, not RFC 6749's 405, to a GET of its token endpoint); otherwise
	// the core refuses them as an RFC 6749 endpoint does.
	checksMethod bool
	// resource is the API's protected resource endpoint (protected.go).
	resource resourceSpec
	// revocation is the API's RFC 7009 token revocation endpoint (revocation.go); zero for none.
	revocation revocationSpec
	// routes are the API's further endpoints, by path (with {name} segments, as path may have),
	// such as its discovery documents (discovery.go) or GitHub's installation lookups. Each
	// answers the whole request itself, whatever its method; none is counted by Requests.
	routes []route
	// clients returns every documented test client, client_id to what Config.Clients holds for
	// it, for DefaultConfig; nil means the one client of credentials.
	clients func() map[string]string
}

// tokenEndpoint is a further token endpoint of an API: its path, which may have {name} segments
// (pathMatches), and what answers a POST to it, as apiSpec.serve answers one to the API's path.
type tokenEndpoint struct {
	path  string
	serve func(s *Server, w *response, r *http.Request, body []byte)
}

// specs holds every API the server speaks. Each API's file registers its spec, so adding an API
// touches no file but its own.
var specs []*apiSpec

func register(sp apiSpec) *apiSpec {
	specs = append(specs, &sp)
	return &sp
}

// APIs lists every API the server speaks, in the order their files register them (by file name).
var APIs []API

// init runs after every package-level variable, so after every register call.
func init() {
	for _, sp := range specs {
		APIs = append(APIs, sp.api)
	}
}

// APINames lists APIs' names, comma-separated, for messages and usage texts.
func APINames() string {
	names := make([]string, len(APIs))
	for i, a := range APIs {
		names[i] = string(a)
	}
	return strings.Join(names, ", ")
}

// spec returns the API's spec, or the zero spec for an API the server does not speak.
func (a API) spec() apiSpec {
	for _, sp := range specs {
		if sp.api == a {
			return *sp
		}
	}
	return apiSpec{}
}

// Path returns the API's token endpoint path ("" for an unknown API).
func (a API) Path() string { return a.spec().path }

// Credentials are an API's documented test client and user (no user for client-credentials APIs).
type Credentials struct{ ClientID, ClientSecret, Username, Password string }

// Credentials returns the API's documented test client and user, the ones DefaultConfig accepts
// (zero for an unknown API).
func (a API) Credentials() Credentials { return a.spec().credentials }

// TokenURL joins a server base URL (such as httptest.Server.URL) and the API's path.
func TokenURL(base string, api API) string { return base + api.Path() }

// ResourcePath returns the path of the API's protected resource endpoint ("" for an unknown API).
func (a API) ResourcePath() string { return a.spec().resource.path }

// ResourceURL joins a server base URL and the API's protected resource path.
func ResourceURL(base string, api API) string { return base + api.ResourcePath() }

// DefaultTokenLifetime is the lifetime of issued tokens when Config leaves it zero.
const DefaultTokenLifetime = time.Hour

// MaxBodyBytes bounds the request body the server reads.
const MaxBodyBytes = 64 << 10

// Config says who may log in.
type Config struct {
	// Clients maps client_id to client_secret, per API. An API missing from the
	// map (or a nil map) gets the documented default client; an empty inner map
	// means no client can log in to that API. For OAuth2 (oauth2.go) the value also says how
	// the client authenticates: a secret (client_secret_basic or client_secret_post), "" (a
	// public client: client_id only) or a PEM "PUBLIC KEY" block (private_key_jwt with that key).
	Clients map[API]map[string]string
	// Users maps username to password, per API that has users (password grants), filled the same way.
	Users map[API]map[string]string
	// TokenLifetime is the lifetime of issued tokens; zero means DefaultTokenLifetime.
	// TokenLifetimes overrides it per API.
	TokenLifetime  time.Duration
	TokenLifetimes map[API]time.Duration
	// OAuth2Scopes are the scopes the oauth2 API knows, and OAuth2DefaultScope the one it grants
	// to a request that names none; nil and "" mean the package's OAuth2Scopes and
	// OAuth2DefaultScope.
	OAuth2Scopes       []string
	OAuth2DefaultScope string
	// KeepRefreshTokens makes oauth2 refresh tokens reusable: a refresh answers with the same refresh
	// token, which stays valid, as servers without rotation do. By default they rotate: each works once.
	KeepRefreshTokens bool
	// JobSubject is the sub of the job tokens the CI mint endpoints hand out (ci.go); empty means
	// CIJobSubject. JobTokenLifetime is their lifetime; zero means DefaultJobTokenLifetime.
	JobSubject       string
	JobTokenLifetime time.Duration
	// TrustedJobSubjects are the job token subs the oauth2 API exchanges (token_exchange and
	// jwt_bearer), matched exactly; nil means CIJobSubject alone.
	TrustedJobSubjects []string
	// RefuseAuthorization makes the oauth2 token endpoint refuse any Authorization header, as
	// Google's STS does: a token exchange there takes no client authentication.
	RefuseAuthorization bool
	// ClientCAs are the CAs whose client certificates the oauth2 API's tls_client_auth clients may
	// present (RFC 8705 2.1); the TLS listener must request certificates without verifying them
	// itself (tls.RequestClientCert), so that self-signed ones reach self_signed_tls_client_auth.
	ClientCAs *x509.CertPool
	// ClientCertSubject puts an API's token and revocation endpoints behind a TLS-terminating
	// gateway that admits only a verified client certificate (mutual TLS) whose subject CommonName
	// is the value (gateway.go). The server must be served with a tls.Config that asks for and
	// verifies client certificates (testsupport.TokenServerMTLS). nil: no API asks for one.
	ClientCertSubject map[API]string
	// Logger, if set, gets one line per request: API, method, status, error code,
	// fault. Never a secret or a token.
	Logger *log.Logger
	// Intercept, if set, sees each token endpoint request once it is read and recorded (Requests
	// and LastRequest count it), before any check of the API's, and may answer it instead; it
	// says what it did. Package hostile answers with its faults here; nothing else sets it.
	Intercept func(w http.ResponseWriter, r *http.Request, api API, body []byte) Interception
}

// Interception is what a Config.Intercept hook did with a request, for the request log.
type Interception struct {
	Answered  bool   // the hook answered the request (or dropped it): the API's handler does not run
	Fault     string // the name of the fault that answered
	ErrorCode string // the OAuth error code of the answer, if any
	Status    int    // the status of an answer the hook wrote past w (on a hijacked connection)
}

// DefaultConfig returns every API's documented credentials and a one-hour lifetime.
func DefaultConfig() Config {
	cfg := Config{
		Clients:       map[API]map[string]string{},
		Users:         map[API]map[string]string{},
		TokenLifetime: DefaultTokenLifetime,
	}
	for _, sp := range specs {
		c := sp.credentials
		cfg.Clients[sp.api] = map[string]string{c.ClientID: c.ClientSecret}
		if sp.clients != nil {
			cfg.Clients[sp.api] = sp.clients()
		}
		if c.Username != "" {
			cfg.Users[sp.api] = map[string]string{c.Username: c.Password}
		}
	}
	return cfg
}

// tokenLifetime is the lifetime of the tokens the API issues.
func (c Config) tokenLifetime(api API) time.Duration {
	if d := c.TokenLifetimes[api]; d > 0 {
		return d
	}
	return c.TokenLifetime
}

// RecordedRequest is a copy of a request as the server received it.
type RecordedRequest struct {
	Method   string
	Path     string
	RawQuery string
	Host     string
	Header   http.Header
	Body     []byte // raw bytes, as read (at most MaxBodyBytes+1)
}

// Server implements the token endpoints and the endpoints around them. It is safe for
// concurrent use.
type Server struct {
	cfg Config

	mu       sync.Mutex
	requests requestLog // requests to the token endpoints
	issued   []string
	grants   map[string]grantRecord // access tokens of successful grants, by value (protected.go)
	granted  map[API][]string       // the same tokens per API, in the order they were issued
	accepted map[API][]string       // tokens the resource endpoints accepted, in order

	revocations requestLog                // requests to the revocation endpoints (revocation.go)
	revoked     map[API][]string          // tokens revocations revoked, in order
	dead        map[string]bool           // every revoked token, access or refresh
	refresh     map[string]*refreshRecord // oauth2 refresh tokens, by value (oauth2.go)
	families    map[string][]string       // oauth2 grant family: its tokens, in the order issued
	jtis        map[string]time.Time      // client assertion jti (per client) to its exp (oauth2_client.go)
	discovery   DiscoveryFault            // how the oauth2 metadata documents misbehave (discovery.go)
	metadataReq int                       // requests to the metadata documents
	jobMints    int                       // job tokens the CI mint endpoints handed out (ci.go)
	gateway     map[API]int               // requests the client certificate gateway refused (gateway.go)
	clientCerts map[API][]string          // the client certificate CommonNames the gateway admitted, in order
	// states holds what an API's own file keeps per server besides these records, such as
	// github_app.go's rate limit windows; the file owns the value's type (apiState).
	states map[API]any
}

// New returns a server for cfg, with empty parts filled from DefaultConfig.
func New(cfg Config) *Server {
	def := DefaultConfig()
	cfg.Clients = fillPerAPI(cfg.Clients, def.Clients)
	cfg.Users = fillPerAPI(cfg.Users, def.Users)
	if cfg.TokenLifetime <= 0 {
		cfg.TokenLifetime = DefaultTokenLifetime
	}
	return &Server{
		cfg:      cfg,
		requests: newRequestLog(),
		grants:   map[string]grantRecord{},
		granted:  map[API][]string{},
		accepted: map[API][]string{},

		revocations: newRequestLog(),
		revoked:     map[API][]string{},
		dead:        map[string]bool{},
		refresh:     map[string]*refreshRecord{},
		families:    map[string][]string{},
		jtis:        map[string]time.Time{},
		gateway:     map[API]int{},
		clientCerts: map[API][]string{},
		states:      map[API]any{},
	}
}

// apiState returns the API's own state on this server, made by fresh when there is none yet (at
// first use and after Reset). The caller holds s.mu while it uses it.
func (s *Server) apiState(api API, fresh func() any) any {
	st, ok := s.states[api]
	if !ok {
		st = fresh()
		s.states[api] = st
	}
	return st
}

// fillPerAPI copies m (so callers may not race us by mutating it) and fills
// APIs it does not mention from def.
func fillPerAPI(m, def map[API]map[string]string) map[API]map[string]string {
	out := map[API]map[string]string{}
	for api, d := range def {
		inner, ok := m[api]
		if !ok || inner == nil {
			inner = d
		}
		out[api] = maps.Clone(inner)
	}
	for api, inner := range m {
		if _, ok := out[api]; !ok {
			out[api] = maps.Clone(inner)
		}
	}
	return out
}

// Requests returns how many requests reached the API's token endpoint, failed and intercepted ones
// included. Calls to the API's resource endpoint do not count (see Accepted), nor do revocations
// (see Revocations) or metadata requests (see MetadataRequests).
func (s *Server) Requests(api API) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests.count[api]
}

// Issued returns every token value the server has handed out so far: access, refresh and id
// tokens (Reset does not clear it, so a leak scan sees every token of a test).
func (s *Server) Issued() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.issued...)
}

// LastRequest returns a copy of the last request to the API, or nil if none.
func (s *Server) LastRequest(api API) *RecordedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests.last[api].clone()
}

// Reset clears request counters, recorded requests, the discovery fault, the records of accepted
// resource calls and of revocations, and what the APIs keep of their own (such as GitHub's rate
// limit windows). Issued tokens stay issued, live ones stay valid, and revoked ones stay revoked.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests.clear()
	clear(s.accepted)
	s.revocations.clear()
	clear(s.revoked)
	s.discovery, s.metadataReq = DiscoveryOK, 0
	clear(s.gateway)
	clear(s.clientCerts)
	clear(s.states)
}

// recordRequest is a copy of r as the server received it, body being what was read of its body.
func recordRequest(r *http.Request, body []byte) *RecordedRequest {
	rr := RecordedRequest{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Host: r.Host,
		Header: r.Header, Body: body}
	return rr.clone()
}

// clone returns a copy of rr that shares nothing with it, or nil for nil.
func (rr *RecordedRequest) clone() *RecordedRequest {
	if rr == nil {
		return nil
	}
	c := *rr
	c.Header = rr.Header.Clone()
	c.Body = append([]byte(nil), rr.Body...)
	return &c
}

// requestLog counts the requests to one kind of endpoint, per API, and keeps the last of each. The
// Server's mutex guards it.
type requestLog struct {
	count map[API]int
	last  map[API]*RecordedRequest
}

func newRequestLog() requestLog {
	return requestLog{count: map[API]int{}, last: map[API]*RecordedRequest{}}
}

func (l requestLog) clear() {
	clear(l.count)
	clear(l.last)
}

// record counts a request of api in l and keeps a copy of it, body being what was read of its
// body.
func (s *Server) record(l *requestLog, api API, r *http.Request, body []byte) {
	rr := recordRequest(r, body)
	s.mu.Lock()
	defer s.mu.Unlock()
	l.count[api]++
	l.last[api] = rr
}
