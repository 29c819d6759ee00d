package tokenserver

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// The oauth2 API's Entra-like mode: its token endpoint also answers at Microsoft Entra ID's v2.0
// path, /{tenant}/oauth2/v2.0/token, the client credentials grant of an app with a certificate
// credential, as Entra documents it (MicrosoftDocs/entra-docs, identity-platform/
// v2-oauth2-client-creds-grant-flow.md, "Second case", and certificate-credentials.md):
//
//   - the tenant is a GUID or a domain name: "common", "organizations" and "consumers" name no
//     tenant, and the grant needs one;
//   - grant_type client_credentials, client_id, scope, and a private_key_jwt assertion of a client
//     registered by its certificate (OAuth2CertClientID), checked as at the oauth2 token endpoint
//     (oauth2_client.go): signed by the certificate's key, its header naming the certificate by
//     x5t or x5t#S256, iss = sub = the client, and aud this endpoint's URL, such as
//     https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token;
//   - scope is one resource's application ID URI followed by /.default (OpenID Connect's openid,
//     profile and offline_access may come along, as MSAL sends them, and are ignored);
//   - the answer is Entra's: token_type, expires_in, ext_expires_in and access_token, no scope;
//     Entra's refusals carry their AADSTS code, in error_description and error_codes.
//
// A request to it is an oauth2 token request (Requests(OAuth2) counts it); its access tokens are
// the oauth2 API's, for the resource endpoint and revocation.

// OAuth2EntraPath is the path of the oauth2 API's Entra-like token endpoint, {tenant} the tenant's
// ID or domain name.
const OAuth2EntraPath = "/{tenant}/oauth2/v2.0/token"

// EntraHost is the host of Entra ID's token endpoints: through a proxy that stands in for it, the
// token server's Entra-like endpoint is https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token.
const EntraHost = "login.microsoftonline.com"

// OAuth2EntraTokenURL joins a server base URL and the Entra-like token endpoint path of tenant.
func OAuth2EntraTokenURL(base, tenant string) string {
	return base + strings.Replace(OAuth2EntraPath, "{tenant}", tenant, 1)
}

// entraParams are the body parameters of Entra's client credentials grant. client_secret is among
// them so that a secret is refused as the wrong credential, not as an unknown parameter.
var entraParams = []string{"grant_type", "client_id", "scope", "client_secret", "client_assertion_type", "client_assertion"}

// entraIgnoredScopes are the OpenID Connect scopes Entra lets a client credentials grant carry
// beside its resource's /.default, and ignores.
var entraIgnoredScopes = []string{"openid", "profile", "offline_access"}

var (
	entraGUID   = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	entraDomain = regexp.MustCompile(`^(?i:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.(?i:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?))+$`)
)

// oauth2Entra serves the Entra-like token endpoint.
func (s *Server) oauth2Entra(w *response, r *http.Request, body []byte) {
	w.route = "entra" // the log names the path: entra=/{tenant}/oauth2/v2.0/token
	params, _ := pathParams(OAuth2EntraPath, r.URL.Path)
	tenant := params["tenant"]
	if reject(w, http.StatusBadRequest, "invalid_request", checkContentType(r.Header, formType)) {
		return
	}
	form, p := parseStrictForm(body, entraParams)
	if reject(w, http.StatusBadRequest, "invalid_request", p) {
		return
	}
	switch {
	case slices.Contains([]string{"common", "organizations", "consumers"}, strings.ToLower(tenant)):
		writeError(w, http.StatusBadRequest, "invalid_request", fmt.Sprintf("the client credentials grant needs the "+
			"tenant's ID or domain name in the path, and /%s/ names no tenant", tenant))
		return
	case !entraGUID.MatchString(tenant) && !entraDomain.MatchString(tenant):
		entraError(w, http.StatusBadRequest, "invalid_request", 900023, fmt.Sprintf(
			"Specified tenant identifier '%s' is neither a valid DNS name, nor a valid external domain.", tenant))
		return
	}
	for _, k := range []string{"grant_type", "client_id", "scope"} {
		if form.Get(k) == "" {
			entraError(w, http.StatusBadRequest, "invalid_request", 900144,
				fmt.Sprintf("The request body must contain the following parameter: '%s'.", k))
			return
		}
	}
	if gt := form.Get("grant_type"); gt != "client_credentials" {
		writeError(w, http.StatusBadRequest, "unsupported_grant_type", fmt.Sprintf(
			"this Entra-like endpoint serves the client_credentials grant only, got %q", gt))
		return
	}
	client, ok := s.oauth2Authenticate(w, r, form, issuer(r)+r.URL.Path)
	if !ok {
		return
	}
	if reg, _ := s.oauth2Registered(client.id); client.method != "private_key_jwt" || reg.cert == nil {
		writeError(w, http.StatusUnauthorized, "invalid_client", "this Entra-like endpoint takes certificate "+
			"credentials only: a private_key_jwt client assertion of a client registered by its certificate, "+
			"which the assertion names by x5t or x5t#S256; this client authenticated with "+client.method)
		return
	}
	resource, aadsts, p := entraScope(form.Get("scope"))
	if p != "" {
		entraError(w, http.StatusBadRequest, "invalid_scope", aadsts, p)
		return
	}
	issued := s.oauth2Issue(r, oauth2Grant{clientID: client.id, subject: client.id,
		scopes: []string{resource + "/.default"}, audience: []string{resource}})
	writeJSON(w, http.StatusOK, struct {
		TokenType    string `json:"token_type"`
		ExpiresIn    int64  `json:"expires_in"`
		ExtExpiresIn int64  `json:"ext_expires_in"`
		AccessToken  string `json:"access_token"`
	}{issued.TokenType, issued.ExpiresIn, issued.ExpiresIn, issued.AccessToken})
}

// entraScope checks a client credentials grant's scope as Entra does, and returns its resource
// (the scope without /.default), or the AADSTS code and text of the refusal.
func entraScope(scope string) (resource string, aadsts int, problem string) {
	var resources []string
	for _, sc := range strings.Fields(scope) {
		if slices.Contains(entraIgnoredScopes, sc) {
			continue
		}
		if !strings.HasSuffix(sc, "/.default") || sc == "/.default" {
			return "", 1002012, fmt.Sprintf("The provided value for scope %s is not valid. Client credential flows "+
				"must have a scope value with /.default suffixed to the resource identifier (application ID URI).", sc)
		}
		resources = append(resources, sc)
	}
	switch len(resources) {
	case 0:
		return "", 1002012, fmt.Sprintf("The provided value for scope %s is not valid. Client credential flows "+
			"must have a scope value with /.default suffixed to the resource identifier (application ID URI).", scope)
	case 1:
		return strings.TrimSuffix(resources[0], "/.default"), 0, ""
	}
	return "", 70011, fmt.Sprintf("The provided value for the input parameter 'scope' is not valid. The scope %s "+
		"is not valid: the scopes of a client credentials grant are for a single resource.", scope)
}

// entraError answers as Entra does (the client credentials article's "Error response"): RFC 6749
// 5.2's error, an error_description that starts with the AADSTS code and ends with the trace and
// correlation IDs and the time, and the code again in error_codes. desc must never hold a secret.
func entraError(w *response, status int, code string, aadsts int, desc string) {
	w.errCode = code
	trace, correlation := entraID(), entraID()
	now := time.Now().UTC().Format("2006-01-02 15:04:05Z")
	writeJSON(w, status, map[string]any{
		"error": code,
		"error_description": fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s",
			aadsts, desc, trace, correlation, now),
		"error_codes":    []int{aadsts},
		"timestamp":      now,
		"trace_id":       trace,
		"correlation_id": correlation,
	})
}

// entraID is a random ID in the GUID form Entra's trace and correlation IDs have.
func entraID() string {
	h := randomHex(16)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
