package grant

import "net/http"

// Testinium is Testinium's login API: a password grant with the client as HTTP Basic credentials
// and the user in the form body. The docs' curl sample labels the user's credentials as client
// id and secret; the parameter table above it is right, and this follows the table.
var Testinium = register(&API{ //nolint:gosec // G101: the public client the docs publish for everyone
	Name:            "testinium",
	Title:           "Testinium",
	DefaultTokenURL: "https://account.testinium.com/uaa/oauth/token",
	// The public client of the docs' sample Basic header.
	DefaultClientID:     "testiniumSuiteTrustedClient",
	DefaultClientSecret: "testiniumSuiteSecretKey",
	NeedsUser:           true,
	basic:               docsBasic,
	encode: func(r Request) ([]byte, http.Header, error) {
		return formEncoded(r, formBody("grant_type", "password", "username", r.Username,
			"password", r.Password, "scope", r.Scope))
	},
	// Testinium answers a wrong password with 403 access_denied, where RFC 6749 servers say
	// 400 invalid_grant: it is the user's credentials, not a missing permission.
	quirk: func(e *Error) Reason {
		if e.Status == http.StatusForbidden {
			return ReasonUserCredentials
		}
		return ReasonUnknown
	},
})
