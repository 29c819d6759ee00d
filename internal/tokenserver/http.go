package tokenserver

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// response remembers what was answered, for the request log.
type response struct {
	http.ResponseWriter
	status   int
	errCode  string
	fault    string // the name of the fault that answered (a DiscoveryFault, or an Intercept hook's)
	resource string // the resource endpoint's path, for a call to one; "" for the token endpoints
	route    string // the kind of route (revocation, metadata) for a call to one, logged with its path
}

func (w *response) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *response) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach Flush and Hijack.
func (w *response) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// ServeHTTP routes by path (pathMatches). A token endpoint request is recorded, goes to the Intercept hook
// if there is one, and then to the API's strict handler; a resource endpoint call is checked for a
// live token of its API (protected.go) and neither counted nor intercepted; the other routes
// (revocation, discovery) answer by themselves, never intercepted.
func (s *Server) ServeHTTP(hw http.ResponseWriter, r *http.Request) {
	w := &response{ResponseWriter: hw}
	sp := specForPath(r.URL.Path)
	var rt route
	if sp.serve == nil {
		if rs := specForResource(r.URL.Path); rs.api != "" {
			sp, w.resource = rs, rs.resource.path
		} else if other, o := specForRoute(r.URL.Path); o.serve != nil {
			sp, rt, w.route = other, o, o.kind
		}
	}
	api := sp.api // "" when no API serves the path
	start := time.Now()
	defer func() { s.logRequest(api, r, w, time.Since(start)) }()

	if w.resource != "" {
		s.serveResource(w, r, sp)
		return
	}
	// The client certificate gateway guards the token and revocation endpoints (gateway.go).
	guarded := (rt.serve == nil && sp.serve != nil) || rt.kind == "revocation"
	if guarded && s.gatewayRefuses(w, r, api) {
		return
	}
	if rt.serve != nil {
		rt.serve(s, w, r, sp)
		return
	}
	if sp.serve == nil {
		writeError(w, http.StatusNotFound, "invalid_request", fmt.Sprintf(
			"no token endpoint at %q; endpoints are %s; resource endpoints are %s; revocation endpoints are %s",
			r.URL.Path, endpointList(func(sp *apiSpec) string { return sp.path }),
			endpointList(func(sp *apiSpec) string { return sp.resource.path }),
			endpointList(func(sp *apiSpec) string { return sp.revocation.path })))
		return
	}

	body, ok := s.readBody(w, r, &s.requests, api)
	if !ok {
		return
	}

	if s.intercepted(w, r, api, body) {
		return
	}

	if !sp.checksMethod && rejectNotPost(w, r, "token") {
		return
	}

	sp.serve(s, w, r, body)
}

// intercepted hands a recorded token endpoint request to the Intercept hook, notes what the hook
// says of its answer for the log, and reports whether the hook answered.
func (s *Server) intercepted(w *response, r *http.Request, api API, body []byte) bool {
	if s.cfg.Intercept == nil {
		return false
	}
	i := s.cfg.Intercept(w, r, api, body)
	w.fault = i.Fault
	if i.ErrorCode != "" {
		w.errCode = i.ErrorCode
	}
	if i.Status != 0 {
		w.status = i.Status
	}
	return i.Answered
}

// readBody reads r's body, at most MaxBodyBytes of it, and records the request in l as one to
// api's endpoint, with what was read. It answers 413 to a larger body. ok is false when the request
// goes no further: it has been answered, or the client went away mid-body and there is nobody to
// answer.
func (s *Server) readBody(w *response, r *http.Request, l *requestLog, api API) (body []byte, ok bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	s.record(l, api, r, body)
	if err != nil {
		if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
			writeError(w, http.StatusRequestEntityTooLarge, "invalid_request",
				fmt.Sprintf("request body is larger than %d bytes", MaxBodyBytes))
		}
		return nil, false
	}
	return body, true
}

// rejectNotPost answers 405 to a request that is not a POST and 400 to one with a URL query, and
// reports whether it answered; endpoint names the endpoint in the 405's message ("token").
func rejectNotPost(w *response, r *http.Request, endpoint string) bool {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, "invalid_request",
			fmt.Sprintf("method %s not allowed; the %s endpoint takes POST", r.Method, endpoint))
		return true
	}
	if r.URL.RawQuery != "" {
		writeError(w, http.StatusBadRequest, "invalid_request",
			"parameters must be sent in the request body, not in the URL query")
		return true
	}
	return false
}

// specForPath returns the spec of the API whose token path matches p, or the zero spec. For one
// of the API's further token endpoints, the spec's serve is that endpoint's.
func specForPath(p string) apiSpec {
	for _, sp := range specs {
		if pathMatches(sp.path, p) {
			return *sp
		}
		for _, e := range sp.tokenEndpoints {
			if pathMatches(e.path, p) {
				found := *sp
				found.serve = e.serve
				return found
			}
		}
	}
	return apiSpec{}
}

// pathMatches reports whether the request path p matches pattern, whose {name} segments each
// match one non-empty segment. Most paths are fixed; GitHub's name an installation, an owner or a
// repository (/repos/{owner}/{repo}/installation).
func pathMatches(pattern, p string) bool {
	_, ok := pathParams(pattern, p)
	return ok
}

// pathParams returns the values of pattern's {name} segments in the request path p, by name, and
// whether p matches pattern at all. An empty pattern matches nothing.
func pathParams(pattern, p string) (map[string]string, bool) {
	if pattern == "" {
		return nil, false
	}
	if !strings.Contains(pattern, "{") {
		return nil, pattern == p
	}
	want, got := strings.Split(pattern, "/"), strings.Split(p, "/")
	if len(want) != len(got) {
		return nil, false
	}
	params := map[string]string{}
	for i, seg := range want {
		name, isParam := strings.CutPrefix(seg, "{")
		name, closed := strings.CutSuffix(name, "}")
		switch {
		case isParam && closed && got[i] != "":
			params[name] = got[i]
		case seg != got[i]:
			return nil, false
		}
	}
	return params, true
}

// route is one of an API's endpoints besides its token and resource endpoints.
type route struct {
	path  string // a path, which may have {name} segments (pathMatches)
	kind  string // what the log calls it: "revocation", "metadata", "lookup"
	serve func(s *Server, w *response, r *http.Request, sp apiSpec)
}

// specForRoute returns the spec of the API that has a revocation endpoint or a further route at
// p, and that route; the zero values when none has. A revocation endpoint is RFC 7009's
// (serveRevocation) unless its spec serves it another way.
func specForRoute(p string) (apiSpec, route) {
	for _, sp := range specs {
		if pathMatches(sp.revocation.path, p) {
			serve := sp.revocation.serve
			if serve == nil {
				serve = (*Server).serveRevocation
			}
			return *sp, route{path: p, kind: "revocation", serve: serve}
		}
		for _, rt := range sp.routes {
			if pathMatches(rt.path, p) {
				return *sp, rt
			}
		}
	}
	return apiSpec{}, route{}
}

// endpointList names one path of every API, in the registry's order: "/a, /b and /c".
func endpointList(path func(*apiSpec) string) string {
	var paths []string
	for _, sp := range specs {
		if p := path(sp); p != "" {
			paths = append(paths, p)
		}
	}
	if len(paths) < 2 {
		return strings.Join(paths, "")
	}
	return strings.Join(paths[:len(paths)-1], ", ") + " and " + paths[len(paths)-1]
}

// logRequest writes one line per request, to a token or a resource endpoint; it names no secret
// and no token.
func (s *Server) logRequest(api API, r *http.Request, w *response, d time.Duration) {
	if s.cfg.Logger == nil {
		return
	}
	name := string(api)
	if name == "" {
		name = "unknown"
	}
	status := "none"
	if w.status != 0 {
		status = strconv.Itoa(w.status)
	}
	line := fmt.Sprintf("api=%s method=%s status=%s", name, r.Method, status)
	if w.errCode != "" {
		line += " error=" + w.errCode
	}
	if w.fault != "" {
		line += " fault=" + w.fault
	}
	if w.resource != "" {
		line += " resource=" + w.resource
	}
	if w.route != "" {
		// Escaped: a route's {name} segments are the client's, and a decoded newline would forge a line.
		line += " " + w.route + "=" + r.URL.EscapedPath()
	}
	s.cfg.Logger.Printf("%s duration=%s", line, d.Round(time.Millisecond))
}

// writeJSON answers with v as JSON, uncached as RFC 6749 5.1 asks.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeRaw(w http.ResponseWriter, status int, contentType, body string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// writeError answers in the RFC 6749 5.2 shape. desc must never hold a secret.
func writeError(w *response, status int, code, desc string) {
	w.errCode = code
	if code == "invalid_client" && status == http.StatusUnauthorized {
		// RFC 6749 5.2: a 401 invalid_client names the scheme the client should use.
		w.Header().Set("WWW-Authenticate", `Basic realm="tokenserver"`)
	}
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

// reject answers with an RFC 6749 error when problem is not "", and reports whether it did.
func reject(w *response, status int, code, problem string) bool {
	if problem == "" {
		return false
	}
	writeError(w, status, code, problem)
	return true
}

// missing names the first of the required keys that is absent or empty, or "".
func missing(m map[string]string, keys ...string) string {
	for _, k := range keys {
		if m[k] == "" {
			return fmt.Sprintf("missing required parameter %s", k)
		}
	}
	return ""
}

// checkGrant answers 400 unless the request's fields name grant_type want and hold every one
// of required, and reports whether it answered.
func checkGrant(w *response, fields map[string]string, want string, required ...string) bool {
	if reject(w, http.StatusBadRequest, "invalid_request", missing(fields, "grant_type")) {
		return true
	}
	if gt := fields["grant_type"]; gt != want {
		writeError(w, http.StatusBadRequest, "unsupported_grant_type", fmt.Sprintf("grant_type must be %q, got %q", want, gt))
		return true
	}
	return reject(w, http.StatusBadRequest, "invalid_request", missing(fields, required...))
}

const formType = "application/x-www-form-urlencoded"

// formClient checks what both form APIs require first: a form Content-Type (else 400) and a
// known client in the Basic header (else 401 invalid_client). It has answered the request
// when ok is false.
func (s *Server) formClient(w *response, r *http.Request, api API) (clientID string, ok bool) {
	if reject(w, http.StatusBadRequest, "invalid_request", checkContentType(r.Header, formType)) {
		return "", false
	}
	return s.basicClient(w, r, api)
}

// basicClient authenticates the client of the request's HTTP Basic credentials, compared as decoded
// (parseBasic), as one of api's: else it answers 401 invalid_client. It has answered the request
// when ok is false.
func (s *Server) basicClient(w *response, r *http.Request, api API) (clientID string, ok bool) {
	id, secret, p := parseBasic(r.Header)
	if p == "" {
		p = s.checkClient(api, id, secret)
	}
	if reject(w, http.StatusUnauthorized, "invalid_client", p) {
		return "", false
	}
	return id, true
}

// checkContentType reports what is wrong with the request's media type, or "".
// A charset parameter is fine if it is UTF-8; other parameters are not.
func checkContentType(h http.Header, want string) string {
	ct := h.Get("Content-Type")
	if ct == "" {
		return fmt.Sprintf("Content-Type must be %s, got none", want)
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != want {
		return fmt.Sprintf("Content-Type must be %s, got %s", want, ct)
	}
	for p, v := range params {
		if p != "charset" {
			return fmt.Sprintf("Content-Type must be %s, got unexpected parameter %q", want, p)
		}
		if !strings.EqualFold(v, "utf-8") {
			return fmt.Sprintf("Content-Type charset must be utf-8, got %q", v)
		}
	}
	return ""
}

// parseBasic decodes "Authorization: Basic base64(client_id:client_secret)".
// The doc says base64(username:password) with nothing else, so the id and
// secret are compared as decoded, without the form-decoding RFC 6749 2.3.1 adds.
// problem is "" on success; it never quotes the header, which holds the secret.
func parseBasic(h http.Header) (id, secret, problem string) {
	vals := h.Values("Authorization")
	switch {
	case len(vals) == 0:
		return "", "", "missing Authorization header; expected Basic base64(client_id:client_secret)"
	case len(vals) > 1:
		return "", "", "more than one Authorization header"
	}
	scheme, cred, ok := strings.Cut(vals[0], " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return "", "", "Authorization header must use the Basic scheme: Basic base64(client_id:client_secret)"
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(cred)
	if err != nil {
		return "", "", "Authorization Basic credentials are not valid standard base64"
	}
	id, secret, ok = strings.Cut(string(raw), ":")
	if !ok {
		return "", "", "decoded Authorization Basic credentials have no ':' between client_id and client_secret"
	}
	return id, secret, ""
}

// checkClient reports what is wrong with a client's credentials, or "".
func (s *Server) checkClient(api API, id, secret string) string {
	if id == "" {
		return "client_id is empty"
	}
	want, ok := s.cfg.Clients[api][id]
	if !ok {
		return "unknown client_id"
	}
	if !equal(secret, want) {
		return "client_secret is incorrect for this client_id"
	}
	return ""
}

// checkUser reports whether username and password match a configured user.
func (s *Server) checkUser(api API, username, password string) bool {
	want, ok := s.cfg.Users[api][username]
	return ok && equal(password, want)
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// parseForm decodes an x-www-form-urlencoded body strictly: only the allowed
// parameters, each at most once. An empty value counts as absent (RFC 6749 3.2).
func parseForm(body []byte, allowed ...string) (map[string]string, string) {
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, "body is not valid application/x-www-form-urlencoded: " + err.Error()
	}
	out := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(vals)) {
		if !slices.Contains(allowed, k) {
			return nil, fmt.Sprintf("unexpected parameter %q; allowed parameters are %s", k, strings.Join(allowed, ", "))
		}
		if n := len(vals[k]); n > 1 {
			return nil, fmt.Sprintf("parameter %q appears %d times; send it once", k, n)
		}
		if v := vals[k][0]; v != "" {
			out[k] = v
		}
	}
	return out, ""
}

// parseJSONObject decodes a body that must be one JSON object whose values are
// all strings, with only the allowed keys, each at most once.
func parseJSONObject(body []byte, allowed ...string) (map[string]string, string) {
	const notObject = "body must be a JSON object"
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, notObject
	}
	out := map[string]string{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, "body is not valid JSON: " + err.Error()
		}
		key, _ := tok.(string) // inside an object, Token yields keys as strings
		if !slices.Contains(allowed, key) {
			return nil, fmt.Sprintf("unexpected field %q; allowed fields are %s", key, strings.Join(allowed, ", "))
		}
		if _, dup := out[key]; dup {
			return nil, fmt.Sprintf("field %q appears more than once", key)
		}
		tok, err = dec.Token()
		if err != nil {
			return nil, "body is not valid JSON: " + err.Error()
		}
		v, ok := tok.(string)
		if !ok {
			return nil, fmt.Sprintf("field %q must be a JSON string", key)
		}
		out[key] = v
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, notObject
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, "unexpected data after the JSON object"
	}
	return out, ""
}
