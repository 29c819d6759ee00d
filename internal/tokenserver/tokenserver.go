// Package tokenserver is a local HTTP server that speaks the three token APIs
// (Tenn, Testinium, partner) exactly as their docs describe them, and checks
// every request strictly. Tests use it to prove the client sends the documented
// request byte for byte; fault injection lets them exercise the failure paths.
package tokenserver

import (
	"log"
	"maps"
	"net/http"
	"sync"
	"time"
)

// API names one of the three token APIs.
type API string

const (
	Tenn      API = "tenn"
	Testinium API = "testinium"
	Partner   API = "partner"
)

// APIs lists every API the server speaks.
var APIs = []API{Tenn, Testinium, Partner}

// Token endpoint paths, as documented.
const (
	TennPath      = "/connect/token"
	TestiniumPath = "/uaa/oauth/token"
	PartnerPath   = "/api/oauth/token"
)

// Path returns the API's token endpoint path ("" for an unknown API).
func (a API) Path() string {
	switch a {
	case Tenn:
		return TennPath
	case Testinium:
		return TestiniumPath
	case Partner:
		return PartnerPath
	}
	return ""
}

// TokenURL joins a server base URL (such as httptest.Server.URL) and the API's path.
func TokenURL(base string, api API) string { return base + api.Path() }

// Documented credentials, used by DefaultConfig.
const (
	TennClientID     = "TennTesting"
	TennClientSecret = "43579AF6F9BF4E259BD58F3DA730A717"
	TennUsername     = "testinguser@10npay.com"
	TennPassword     = "Ttest@2S"

	TestiniumClientID     = "testiniumSuiteTrustedClient"
	TestiniumClientSecret = "testiniumSuiteSecretKey"
	TestiniumUsername     = "user@example.com"
	TestiniumPassword     = "testinium-pass"

	PartnerClientID     = "partner-client"
	PartnerClientSecret = "partner-secret"
)

// TennScopes is the documented scope list of a Tenn token; it is granted when
// the request names no scope, and requested scopes must be a subset of it.
// The two Tenn doc pages disagree: the text version lists TokenserverAPI.read, the page
// version leaves it out. A real IdentityServer client with TokenserverAPI.write is most likely
// to have .read too, so the longer list is used.
const TennScopes = "email IdentityServerApi offline_access openid phone platform profile roles tenant " +
	"Tenn.Administrative Tenn.Audit Tenn.CRM Tenn.Discuss Tenn.Entitlement Tenn.FileStorage Tenn.MS " +
	"Tenn.Payment Tenn.Recipient Tenn.Reporting Tenn.RiskService Tenn.Subscription " +
	"TokenserverAPI.read TokenserverAPI.write two_factor_enabled user_relation"

// TestiniumDefaultScope is the scope granted when a Testinium request names none.
const TestiniumDefaultScope = "openid"

// PartnerDefaultScopes are the scopes put in a partner token when the request names none (the doc's sample).
var PartnerDefaultScopes = []string{"bookings:create", "bookings:delete"}

// DefaultTokenLifetime is the lifetime of issued tokens when Config leaves it zero.
const DefaultTokenLifetime = time.Hour

// MaxBodyBytes bounds the request body the server reads.
const MaxBodyBytes = 64 << 10

// Config says who may log in.
type Config struct {
	// Clients maps client_id to client_secret, per API. An API missing from the
	// map (or a nil map) gets the documented default client; an empty inner map
	// means no client can log in to that API.
	Clients map[API]map[string]string
	// Users maps username to password, per API (tenn and testinium), filled the same way.
	Users map[API]map[string]string
	// TokenLifetime is the lifetime of issued tokens; zero means DefaultTokenLifetime.
	TokenLifetime time.Duration
	// Logger, if set, gets one line per request: API, method, status, error code,
	// fault. Never a secret or a token.
	Logger *log.Logger
}

// DefaultConfig returns the documented credentials and a one-hour lifetime.
func DefaultConfig() Config {
	return Config{
		Clients: map[API]map[string]string{
			Tenn:      {TennClientID: TennClientSecret},
			Testinium: {TestiniumClientID: TestiniumClientSecret},
			Partner:   {PartnerClientID: PartnerClientSecret},
		},
		Users: map[API]map[string]string{
			Tenn:      {TennUsername: TennPassword},
			Testinium: {TestiniumUsername: TestiniumPassword},
		},
		TokenLifetime: DefaultTokenLifetime,
	}
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

// Server implements the three token endpoints. It is safe for concurrent use.
type Server struct {
	cfg Config

	mu       sync.Mutex
	requests map[API]int
	last     map[API]*RecordedRequest
	faults   map[API]*faultState
	issued   []string

	done      chan struct{} // closed by Close: stops delays and slow drips
	closeOnce sync.Once
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
		requests: map[API]int{},
		last:     map[API]*RecordedRequest{},
		faults:   map[API]*faultState{},
		done:     make(chan struct{}),
	}
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

// Requests returns how many requests reached the API's path, failed and faulted ones included.
func (s *Server) Requests(api API) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[api]
}

// Issued returns every access_token and refresh_token value issued so far
// (Reset does not clear it, so a leak scan sees every token of a test).
func (s *Server) Issued() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.issued...)
}

// LastRequest returns a copy of the last request to the API, or nil if none.
func (s *Server) LastRequest(api API) *RecordedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	rr := s.last[api]
	if rr == nil {
		return nil
	}
	c := *rr
	c.Header = rr.Header.Clone()
	c.Body = append([]byte(nil), rr.Body...)
	return &c
}

// Reset clears request counters, recorded requests and faults.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.requests)
	clear(s.last)
	clear(s.faults)
}

// Close ends in-flight delays and slow drips so the HTTP server around s can
// shut down. Requests that arrive afterwards are still answered.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.done) })
}

func (s *Server) record(api API, r *http.Request, body []byte) {
	rr := &RecordedRequest{
		Method:   r.Method,
		Path:     r.URL.Path,
		RawQuery: r.URL.RawQuery,
		Host:     r.Host,
		Header:   r.Header.Clone(),
		Body:     append([]byte(nil), body...),
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[api]++
	s.last[api] = rr
}

func (s *Server) addIssued(tokens ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.issued = append(s.issued, tokens...)
}
