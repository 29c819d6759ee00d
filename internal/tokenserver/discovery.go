package tokenserver

import (
	"net/http"
	"strconv"
	"strings"
)

// The oauth2 API's authorization server metadata: RFC 8414 puts the well-known segment between
// the host and the issuer's path, OpenID Connect Discovery 4 appends it to the issuer. Both
// documents are the same JSON. SetDiscoveryFault makes them misbehave.

// The paths of the oauth2 API's metadata documents.
const (
	OAuth2MetadataPath     = "/.well-known/oauth-authorization-server" + OAuth2IssuerPath // RFC 8414 3.1
	OAuth2OIDCMetadataPath = OAuth2IssuerPath + "/.well-known/openid-configuration"       // OpenID Connect Discovery 4
)

// OAuth2Issuer is the oauth2 API's issuer identifier on the server at base (scheme://host:port, as
// the client reaches it): base followed by OAuth2IssuerPath.
func OAuth2Issuer(base string) string { return base + OAuth2IssuerPath }

// OAuth2MetadataURL is the RFC 8414 metadata URL of the oauth2 issuer on the server at base.
func OAuth2MetadataURL(base string) string { return base + OAuth2MetadataPath }

// OAuth2OIDCMetadataURL is the OpenID Connect Discovery URL of the oauth2 issuer on the server at
// base.
func OAuth2OIDCMetadataURL(base string) string { return base + OAuth2OIDCMetadataPath }

// RedirectBase is where DiscoveryRedirect (and package hostile's redirects) point: a host that
// can never resolve.
const RedirectBase = "https://elsewhere.example.invalid"

// DiscoveryFault is a way the oauth2 metadata documents misbehave.
type DiscoveryFault int

// The ways the metadata documents misbehave; DiscoveryOK is none.
const (
	DiscoveryOK            DiscoveryFault = iota // both documents are served, right
	DiscoveryOtherIssuer                         // both name the issuer <base>/other: not the one asked for (RFC 8414 3.3)
	DiscoveryTrailingSlash                       // both name the issuer with a trailing slash, <base>/oauth2/: not the same string
	DiscoveryOnlyOIDC                            // the RFC 8414 document is missing (404); the OpenID Connect one is served
	DiscoveryRedirect                            // both answer 302 to RedirectBase followed by the document's path
)

var discoveryFaultNames = [...]string{"none", "discovery-other-issuer", "discovery-trailing-slash",
	"discovery-only-oidc", "discovery-redirect"}

func (f DiscoveryFault) String() string {
	if f >= 0 && int(f) < len(discoveryFaultNames) {
		return discoveryFaultNames[f]
	}
	return "DiscoveryFault(" + strconv.Itoa(int(f)) + ")"
}

// SetDiscoveryFault makes the oauth2 metadata documents misbehave as f says, until it is set to
// DiscoveryOK or Reset.
func (s *Server) SetDiscoveryFault(f DiscoveryFault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.discovery = f
}

// MetadataRequests returns how many requests reached the metadata documents (Reset clears it).
func (s *Server) MetadataRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.metadataReq
}

// metadata serves one of the metadata documents: RFC 8414's (oidc false) or OpenID Connect's.
// It takes GET without a query string only.
func metadata(oidc bool) func(s *Server, w *response, r *http.Request, sp apiSpec) {
	return func(s *Server, w *response, r *http.Request, _ apiSpec) {
		s.mu.Lock()
		s.metadataReq++
		fault := s.discovery
		s.mu.Unlock()
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", http.MethodGet)
			writeError(w, http.StatusMethodNotAllowed, "invalid_request",
				"method "+r.Method+" not allowed; the metadata document takes GET")
			return
		}
		if r.URL.RawQuery != "" {
			writeError(w, http.StatusBadRequest, "invalid_request", "the metadata URL takes no query string")
			return
		}
		if fault != DiscoveryOK {
			w.fault = fault.String()
		}
		base := issuer(r)
		iss := OAuth2Issuer(base)
		switch fault {
		case DiscoveryOnlyOIDC:
			if !oidc {
				writeRaw(w, http.StatusNotFound, "text/plain; charset=utf-8", "404 page not found\n")
				return
			}
		case DiscoveryRedirect:
			w.Header().Set("Location", RedirectBase+r.URL.Path)
			w.WriteHeader(http.StatusFound)
			return
		case DiscoveryOtherIssuer:
			iss = base + "/other"
		case DiscoveryTrailingSlash:
			iss += "/"
		}
		methods := OAuth2ClientAuthMethods
		algs := []string{"RS256", "ES256", "HS256"}
		m := map[string]any{
			"issuer":                                iss,
			"token_endpoint":                        base + OAuth2Path,
			"revocation_endpoint":                   base + OAuth2RevocationPath,
			"userinfo_endpoint":                     base + OAuth2ResourcePath,
			"grant_types_supported":                 OAuth2GrantTypes,
			"response_types_supported":              []string{}, // no authorization endpoint
			"scopes_supported":                      s.cfg.oauth2Scopes(),
			"token_endpoint_auth_methods_supported": methods,
			"token_endpoint_auth_signing_alg_values_supported":      algs,
			"revocation_endpoint_auth_methods_supported":            methods,
			"revocation_endpoint_auth_signing_alg_values_supported": algs,
			"subject_types_supported":                               []string{"public"},
			"id_token_signing_alg_values_supported":                 []string{"RS256"},
		}
		if alias := MTLSAliasBase(base); alias != "" {
			// RFC 8705 5: where clients with a certificate go. Real servers name a host whose TLS
			// layer asks for it; here it is the same listener under the name localhost, so that a
			// test can tell which endpoint a client used (RecordedRequest.Host).
			m["mtls_endpoint_aliases"] = map[string]string{"token_endpoint": alias + OAuth2Path,
				"revocation_endpoint": alias + OAuth2RevocationPath}
		}
		writeJSON(w, http.StatusOK, m)
	}
}

// MTLSAliasBase is the base URL of the oauth2 API's mtls_endpoint_aliases for a server reached
// over TLS at base https://127.0.0.1:PORT: https://localhost:PORT; "" for any other base.
func MTLSAliasBase(base string) string {
	if rest, ok := strings.CutPrefix(base, "https://127.0.0.1:"); ok {
		return "https://localhost:" + rest
	}
	return ""
}
