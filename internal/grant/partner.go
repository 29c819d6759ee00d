package grant

import (
	"encoding/json"
	"net/http"
)

// Partner is the partner authentication API: a client credentials grant with a JSON body, on a
// host each partner runs itself (no default URL). Its tokens are JWTs with fractional exp, iat and
// nbf claims, and name the granted scopes only in a "scopes" claim. They cannot be refreshed:
// every token is a new grant.
var Partner = register(&API{
	Name:  "partner",
	Title: "Partner",
	encode: func(r Request) ([]byte, http.Header, error) {
		// The partner API takes the client secret in the JSON body.
		body, err := json.Marshal(partnerBody{"client_credentials", r.ClientID, r.ClientSecret, r.Scope}) //nolint:gosec // the secret belongs in this body
		h := http.Header{}
		h.Set("Content-Type", "application/json")
		h.Set("Accept", "application/json")
		return body, h, err
	},
})

type partnerBody struct {
	GrantType    string `json:"grant_type"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	Scope        string `json:"scope,omitempty"`
}
