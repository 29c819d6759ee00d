package grant

import "net/http"

// Tenn is the Tenn / 10npay merchant authentication API: a password grant that sends the client
// twice, client_id in the form body and client_id:client_secret as HTTP Basic credentials.
//
// Its quirk: the documented response has access_token and scope only, no expires_in and no
// token_type. The access token is a JWT, so the expiry comes from its exp claim (see
// ParseTokenResponse).
var Tenn = register(&API{ //nolint:gosec // G101: a documented public URL, no credential
	Name:  "tenn",
	Title: "Tenn",
	// The only host the docs name: Tenn's test environment.
	DefaultTokenURL: "https://auth-test.10npay.com/connect/token",
	NeedsUser:       true,
	basic:           docsBasic,
	// Tenn's docs name no revocation endpoint; IdentityServer serves RFC 7009 at
	// /connect/revocation with the token endpoint's client authentication.
	authenticate: basicAuthentication,
	encode: func(r Request) ([]byte, http.Header, error) {
		// The fields go in the documented order, so the request reads like the docs' curl sample.
		return formEncoded(r, formBody("client_id", r.ClientID, "grant_type", "password",
			"username", r.Username, "password", r.Password, "scope", r.Scope))
	},
})
