package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// configFile is what -config reads: a module's own clients, users, scopes, token lifetimes and
// APIs, so that its tests use the inputs production does, with test secrets. Every field is
// optional; what it leaves out keeps the documented test values.
type configFile struct {
	// APIs, when set, are the only APIs that accept a login: the others refuse every client.
	APIs []string `json:"apis"`
	// Clients replace an API's test clients: client_id to client_secret. For oauth2 the value may
	// also be "" (a public client), a PEM "PUBLIC KEY" block (private_key_jwt with that key) or a
	// PEM "CERTIFICATE" (private_key_jwt whose assertions name it by x5t or x5t#S256, as Entra's do), or
	// "tls_client_auth:<CN>" (a certificate of the -tls-dir CA with that subject) or
	// "self_signed_tls_client_auth:<PEM>" (that very certificate), RFC 8705. For github_app the
	// key is an app's client ID (or numeric app ID) and the value its PEM "PUBLIC KEY" (RSA), which
	// verifies the app's JWTs.
	Clients map[string]map[string]string `json:"clients"`
	// Users replace an API's test users: username to password (APIs with a password grant).
	Users map[string]map[string]string `json:"users"`
	// TokenLifetime is the lifetime of issued tokens, such as "15m"; TokenLifetimes per API.
	TokenLifetime  duration            `json:"token_lifetime"`
	TokenLifetimes map[string]duration `json:"token_lifetimes"`
	// OAuth2Scopes are the scopes the oauth2 API knows; OAuth2DefaultScope is granted to a request
	// that names none (default: the first of OAuth2Scopes).
	OAuth2Scopes       []string `json:"oauth2_scopes"`
	OAuth2DefaultScope string   `json:"oauth2_default_scope"`
	// KeepRefreshTokens makes oauth2 refresh tokens reusable instead of rotating them.
	KeepRefreshTokens bool `json:"keep_refresh_tokens"`
	// TrustedJobSubjects are the CI job token subs the oauth2 API exchanges for access tokens.
	TrustedJobSubjects []string `json:"trusted_job_subjects"`
}

// duration is a time.Duration written as in Go ("90s", "15m").
type duration time.Duration

func (d *duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("want a duration string such as \"15m\"")
	}
	v, err := time.ParseDuration(s)
	if err != nil || v <= 0 {
		return fmt.Errorf("%q is not a positive duration such as \"15m\"", s)
	}
	*d = duration(v)
	return nil
}

// loadConfig applies the configuration file at path to cfg.
func loadConfig(path string, cfg *tokenserver.Config) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var f configFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields() // a misspelt key would otherwise be ignored silently
	if err := dec.Decode(&f); err != nil {
		return fmt.Errorf("-config %s: %w", path, err)
	}
	if err := f.apply(cfg); err != nil {
		return fmt.Errorf("-config %s: %w", path, err)
	}
	return nil
}

func (f configFile) apply(cfg *tokenserver.Config) error {
	var err error
	api := func(name, where string) tokenserver.API {
		a := tokenserver.API(name)
		if err == nil && !slices.Contains(tokenserver.APIs, a) {
			err = fmt.Errorf("%s: unknown API %q; the APIs are %s", where, name, tokenserver.APINames())
		}
		return a
	}
	for name, clients := range f.Clients {
		cfg.Clients[api(name, "clients")] = clients
	}
	for name, users := range f.Users {
		a := api(name, "users")
		if _, ok := cfg.Users[a]; !ok && err == nil {
			err = fmt.Errorf("users: API %q has no users: it takes client credentials only", name)
		}
		cfg.Users[a] = users
	}
	if f.TokenLifetime > 0 {
		cfg.TokenLifetime = time.Duration(f.TokenLifetime)
	}
	for name, d := range f.TokenLifetimes {
		if cfg.TokenLifetimes == nil {
			cfg.TokenLifetimes = map[tokenserver.API]time.Duration{}
		}
		cfg.TokenLifetimes[api(name, "token_lifetimes")] = time.Duration(d)
	}
	if f.APIs != nil {
		var served []tokenserver.API
		for _, name := range f.APIs {
			served = append(served, api(name, "apis"))
		}
		for _, a := range tokenserver.APIs {
			if !slices.Contains(served, a) {
				cfg.Clients[a], cfg.Users[a] = map[string]string{}, map[string]string{}
			}
		}
	}
	if err != nil {
		return err
	}
	if len(f.OAuth2Scopes) > 0 {
		for _, sc := range f.OAuth2Scopes {
			if sc == "" || strings.ContainsAny(sc, " \"\\") {
				return fmt.Errorf("oauth2_scopes: %q is not a scope token (RFC 6749 3.3)", sc)
			}
		}
		cfg.OAuth2Scopes, cfg.OAuth2DefaultScope = f.OAuth2Scopes, f.OAuth2Scopes[0]
	}
	if f.OAuth2DefaultScope != "" {
		known := cfg.OAuth2Scopes
		if known == nil {
			known = strings.Fields(tokenserver.OAuth2Scopes)
		}
		if !slices.Contains(known, f.OAuth2DefaultScope) {
			return fmt.Errorf("oauth2_default_scope %q is not one of the scopes %s", f.OAuth2DefaultScope, strings.Join(known, " "))
		}
		cfg.OAuth2DefaultScope = f.OAuth2DefaultScope
	}
	cfg.KeepRefreshTokens = cfg.KeepRefreshTokens || f.KeepRefreshTokens
	if f.TrustedJobSubjects != nil {
		cfg.TrustedJobSubjects = f.TrustedJobSubjects
	}
	return nil
}

// sortedKeys returns m's keys in order, so that the startup lines are stable.
func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }
