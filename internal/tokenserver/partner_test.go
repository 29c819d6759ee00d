package tokenserver_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

var partnerTest = apiTest{
	credentials:  tokenserver.Credentials{ClientID: tokenserver.PartnerClientID, ClientSecret: tokenserver.PartnerClientSecret},
	request:      partnerRequest,
	success:      partnerSuccess,
	strict:       partnerStrict,
	basicClient:  false, // the client travels in the JSON body
	resourcePath: "/api/me",
	subject:      tokenserver.PartnerClientID, // a client credentials grant has no user
	who: func(t *testing.T, m map[string]any) {
		if !isSet(m["partner_id"]) || !isSet(m["user_id"]) || m["is_test"] != true {
			t.Errorf("partner_id %v user_id %v is_test %v", m["partner_id"], m["user_id"], m["is_test"])
		}
	},
}

func partnerRequest() request {
	r := request{api: tokenserver.Partner, method: http.MethodPost, header: http.Header{}}
	r.header.Set("Content-Type", "application/json")
	r.header.Set("Accept", "application/json")
	r.body = `{"grant_type":"client_credentials","client_id":"` + tokenserver.PartnerClientID +
		`","client_secret":"` + tokenserver.PartnerClientSecret + `"}`
	return r
}

func partnerSuccess(t *testing.T, c *http.Client, ts *httptest.Server) {
	t.Run("partner", func(t *testing.T) {
		m := sendOK(t, c, ts, partnerRequest())
		if ks := keys(m); len(ks) != 3 || m["token_type"] != "Bearer" || m["expires_in"] != json.Number("3600") {
			t.Fatalf("body fields %v token_type %v expires_in %v", ks, m["token_type"], m["expires_in"])
		}
		header, claims := jwtParts(t, m["access_token"].(string))
		if header != `{"typ":"JWT","alg":"RS256"}` {
			t.Errorf("header %s", header)
		}
		for _, k := range []string{"exp", "iat", "nbf"} {
			n := claims[k].(json.Number).String()
			if i := strings.IndexByte(n, '.'); i < 0 || len(n)-i-1 != 6 {
				t.Errorf("%s = %s, want fractional with microseconds", k, n)
			}
		}
		if sc, ok := claims["scopes"].([]any); !ok || len(sc) == 0 {
			t.Errorf("scopes claim %v", claims["scopes"])
		}
		for _, k := range []string{"jti", "partner_id"} {
			if claims[k] == nil || claims[k] == "" {
				t.Errorf("claim %s missing", k)
			}
		}
	})

	t.Run("partner scope and accept list", func(t *testing.T) {
		r := partnerRequest()
		r.header.Set("Accept", "text/plain, application/json;q=0.9")
		r.body = strings.Replace(r.body, "}", `,"scope":"a:read b:write"}`, 1)
		_, claims := jwtParts(t, sendOK(t, c, ts, r)["access_token"].(string))
		if sc := claims["scopes"].([]any); len(sc) != 2 || sc[0] != "a:read" {
			t.Errorf("scopes %v", sc)
		}
	})
}

var partnerStrict = []strictCase{
	{"partner form content type", setHeader("Content-Type", "application/x-www-form-urlencoded"), 415, "invalid_request",
		"Content-Type must be application/json, got application/x-www-form-urlencoded"},
	{"partner no accept", setHeader("Accept", ""), 406, "invalid_request", "got none"},
	{"partner wildcard accept", setHeader("Accept", "*/*"), 406, "invalid_request", "application/json"},
	{"partner not an object", setBody(`["client_credentials"]`), 400, "invalid_request", "JSON object"},
	{"partner invalid json", setBody(`{"grant_type":`), 400, "invalid_request", "JSON"},
	{"partner trailing data", func(r *request) { r.body += "{}" }, 400, "invalid_request", "after the JSON object"},
	{"partner unknown field", replaceInBody("{", `{"audience":"x",`), 400, "invalid_request", `unexpected field "audience"`},
	{"partner number value", replaceInBody("{", `{"scope":5,`), 400, "invalid_request", `"scope" must be a JSON string`},
	{"partner null value", replaceInBody("{", `{"scope":null,`), 400, "invalid_request", `"scope" must be a JSON string`},
	{"partner duplicate field", replaceInBody("{", `{"client_id":"x",`), 400, "invalid_request", "more than once"},
	{"partner password grant", replaceInBody("client_credentials", "password"), 400, "unsupported_grant_type", `got "password"`},
	{"partner missing secret", setBody(`{"grant_type":"client_credentials","client_id":"partner-client"}`), 400, "invalid_request", "client_secret"},
	{"partner unknown client", replaceInBody(tokenserver.PartnerClientID, "someone-else"), 401, "invalid_client", "unknown client_id"},
	{"partner wrong secret", replaceInBody(tokenserver.PartnerClientSecret, "wrong-secret"), 401, "invalid_client", "client_secret is incorrect"},
}
