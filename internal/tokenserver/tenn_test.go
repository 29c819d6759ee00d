package tokenserver_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

var tennTest = apiTest{
	credentials: tokenserver.Credentials{
		ClientID: tokenserver.TennClientID, ClientSecret: tokenserver.TennClientSecret,
		Username: tokenserver.TennUsername, Password: tokenserver.TennPassword,
	},
	request:     tennRequest,
	success:     tennSuccess,
	strict:      tennStrict,
	basicClient: true,
	// IdentityServer's userinfo endpoint.
	resourcePath: "/connect/userinfo",
	subject:      tokenserver.TennUsername,
	who: func(t *testing.T, m map[string]any) {
		if m["name"] != tokenserver.TennUsername || m["client_id"] != tokenserver.TennClientID || !isSet(m["user_id"]) {
			t.Errorf("userinfo name %v client_id %v user_id %v", m["name"], m["client_id"], m["user_id"])
		}
	},
}

func tennRequest() request {
	return formRequest(tokenserver.Tenn, tokenserver.TennClientID, tokenserver.TennClientSecret, url.Values{
		"client_id": {tokenserver.TennClientID}, "grant_type": {"password"},
		"username": {tokenserver.TennUsername}, "password": {tokenserver.TennPassword},
	})
}

// tennForm is the documented form body plus extra key/value pairs.
func tennForm(extra ...string) string {
	return form(append([]string{"client_id", tokenserver.TennClientID, "grant_type", "password",
		"username", tokenserver.TennUsername, "password", tokenserver.TennPassword}, extra...)...)
}

func tennSuccess(t *testing.T, c *http.Client, ts *httptest.Server) {
	t.Run("tenn", func(t *testing.T) {
		m := sendOK(t, c, ts, tennRequest())
		if ks := keys(m); len(ks) != 2 || m["access_token"] == nil || m["scope"] == nil {
			t.Fatalf("fields %v, want only access_token and scope", ks)
		}
		if m["scope"] != tokenserver.TennScopes {
			t.Errorf("scope %q, want the documented list", m["scope"])
		}
		header, claims := jwtParts(t, m["access_token"].(string))
		if header != `{"alg":"RS256","typ":"JWT"}` {
			t.Errorf("header %s", header)
		}
		exp, iat := claims["exp"].(json.Number), claims["iat"].(json.Number)
		if strings.Contains(exp.String(), ".") || strings.Contains(iat.String(), ".") {
			t.Errorf("exp %s / iat %s must be integers", exp, iat)
		}
		e, _ := exp.Int64()
		i, _ := iat.Int64()
		if e-i != 3600 {
			t.Errorf("exp-iat = %d, want 3600", e-i)
		}
		for _, k := range []string{"nbf", "sub", "client_id", "jti"} {
			if claims[k] == nil || claims[k] == "" {
				t.Errorf("claim %s missing", k)
			}
		}
		if claims["client_id"] != tokenserver.TennClientID {
			t.Errorf("client_id claim %v", claims["client_id"])
		}
	})

	t.Run("tenn scope subset", func(t *testing.T) {
		r := tennRequest()
		r.body += "&scope=" + url.QueryEscape("openid Tenn.Payment openid")
		if got := sendOK(t, c, ts, r)["scope"]; got != "openid Tenn.Payment" {
			t.Errorf("scope %q", got)
		}
	})

	t.Run("tenn charset", func(t *testing.T) {
		r := tennRequest()
		r.header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
		sendOK(t, c, ts, r)
	})
}

var tennStrict = []strictCase{
	{"tenn json content type", setHeader("Content-Type", "application/json"), 400, "invalid_request",
		"Content-Type must be application/x-www-form-urlencoded, got application/json"},
	{"tenn no content type", setHeader("Content-Type", ""), 400, "invalid_request", "got none"},
	{"tenn latin1 charset", setHeader("Content-Type", "application/x-www-form-urlencoded; charset=latin1"), 400, "invalid_request", "charset"},
	{"tenn no authorization", setHeader("Authorization", ""), 401, "invalid_client", "missing Authorization"},
	{"tenn bearer scheme", setHeader("Authorization", "Bearer abc"), 401, "invalid_client", "Basic scheme"},
	{"tenn bad base64", setHeader("Authorization", "Basic !!!"), 401, "invalid_client", "base64"},
	{"tenn no colon", setHeader("Authorization", "Basic VGVubkVzdGluZw=="), 401, "invalid_client", "no ':'"},
	{"tenn doc sample header (TennEsting)",
		setHeader("Authorization", "Basic VGVubkVzdGluZzo0MzU3OUFGNkY5QkY0RTI1OUJENThGM0RBNzMwQTcxNw=="),
		401, "invalid_client", "unknown client_id"},
	{"tenn wrong secret", setHeader("Authorization", testsupport.Basic(tokenserver.TennClientID, "wrong-secret")), 401, "invalid_client", "client_secret is incorrect"},
	{"tenn unknown field", setBody(tennForm("client_secret", "wrong-secret")), 400, "invalid_request", `unexpected parameter "client_secret"`},
	{"tenn duplicate field", setBody(tennForm("username", "x@example.com")), 400, "invalid_request", `"username" appears 2 times`},
	{"tenn bad encoding", setBody(tennForm() + "&%zz=1"), 400, "invalid_request", "not valid application/x-www-form-urlencoded"},
	{"tenn missing client_id", setBody(form("grant_type", "password", "username", tokenserver.TennUsername, "password", tokenserver.TennPassword)),
		400, "invalid_request", "missing required parameter client_id"},
	{"tenn client_id mismatch", replaceInBody("client_id="+tokenserver.TennClientID, "client_id=TennEsting"), 401, "invalid_client", "does not match"},
	{"tenn client_credentials", replaceInBody("grant_type=password", "grant_type=client_credentials"), 400, "unsupported_grant_type", `got "client_credentials"`},
	{"tenn missing password", setBody(form("client_id", tokenserver.TennClientID, "grant_type", "password", "username", tokenserver.TennUsername)),
		400, "invalid_request", "missing required parameter password"},
	{"tenn empty username", setBody(form("client_id", tokenserver.TennClientID, "grant_type", "password", "username", "", "password", tokenserver.TennPassword)),
		400, "invalid_request", "missing required parameter username"},
	{"tenn wrong password", replaceInBody("password=Ttest%402S", "password=wrong-pass"), 400, "invalid_grant", "The user name or password is incorrect."},
	{"tenn wrong user", replaceInBody("username=testinguser", "username=nobody"), 400, "invalid_grant", "The user name or password is incorrect."},
	{"tenn unknown scope", setBody(tennForm("scope", "openid Tenn.Nope")), 400, "invalid_scope", `"Tenn.Nope"`},
}
