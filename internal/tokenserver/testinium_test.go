package tokenserver_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"

	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

var testiniumTest = apiTest{
	credentials: tokenserver.Credentials{
		ClientID: tokenserver.TestiniumClientID, ClientSecret: tokenserver.TestiniumClientSecret,
		Username: tokenserver.TestiniumUsername, Password: tokenserver.TestiniumPassword,
	},
	request:     testiniumRequest,
	success:     testiniumSuccess,
	strict:      testiniumStrict,
	basicClient: true,
	// Spring UAA's userinfo endpoint.
	resourcePath: "/uaa/userinfo",
	subject:      tokenserver.TestiniumUsername,
	who: func(t *testing.T, m map[string]any) {
		if m["user_name"] != tokenserver.TestiniumUsername || !isSet(m["user_id"]) {
			t.Errorf("userinfo user_name %v user_id %v", m["user_name"], m["user_id"])
		}
	},
}

func testiniumRequest() request {
	return formRequest(tokenserver.Testinium, tokenserver.TestiniumClientID, tokenserver.TestiniumClientSecret, url.Values{
		"grant_type": {"password"}, "username": {tokenserver.TestiniumUsername}, "password": {tokenserver.TestiniumPassword},
	})
}

func testiniumSuccess(t *testing.T, c *http.Client, ts *httptest.Server) {
	t.Run("testinium", func(t *testing.T) {
		m := sendOK(t, c, ts, testiniumRequest())
		want := []string{"access_token", "expires_in", "jti", "refresh_token", "scope", "token_type"}
		got := keys(m)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("fields %v, want %v", got, want)
		}
		if m["token_type"] != "bearer" || m["scope"] != "openid" || m["expires_in"] != json.Number("3600") {
			t.Errorf("token_type %v scope %v expires_in %v", m["token_type"], m["scope"], m["expires_in"])
		}
		if m["access_token"] == m["refresh_token"] {
			t.Error("access and refresh token are equal")
		}
	})

	t.Run("testinium scope", func(t *testing.T) {
		r := testiniumRequest()
		r.body += "&scope=api"
		if got := sendOK(t, c, ts, r)["scope"]; got != "api" {
			t.Errorf("scope %v, want api", got)
		}
	})
}

var testiniumStrict = []strictCase{
	{"testinium json content type", setHeader("Content-Type", "application/json"), 400, "invalid_request", "got application/json"},
	{"testinium no authorization", setHeader("Authorization", ""), 401, "invalid_client", "missing Authorization"},
	{"testinium wrong secret", setHeader("Authorization", testsupport.Basic(tokenserver.TestiniumClientID, "wrong-secret")), 401, "invalid_client", "client_secret"},
	{"testinium client_id in body", func(r *request) { r.body += "&client_id=" + tokenserver.TestiniumClientID }, 400, "invalid_request", `unexpected parameter "client_id"`},
	{"testinium missing grant_type", setBody(form("username", tokenserver.TestiniumUsername, "password", tokenserver.TestiniumPassword)), 400, "invalid_request", "grant_type"},
	{"testinium client_credentials", replaceInBody("grant_type=password", "grant_type=client_credentials"), 400, "unsupported_grant_type", "password"},
	{"testinium missing password", setBody(form("grant_type", "password", "username", tokenserver.TestiniumUsername)), 400, "invalid_request", "password"},
	{"testinium wrong password", replaceInBody("password=testinium-pass", "password=wrong-pass"), 403, "access_denied", "incorrect credentials"},
}
