package testsupport

import (
	"strconv"
	"strings"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// ServerAPI is the token server's side of a grant API. The two packages keep their own names and
// paths on purpose: a wrong path in both would otherwise agree and hide the bug.
func ServerAPI(api *grant.API) tokenserver.API { return tokenserver.API(api.Name) }

// Request is the documented test account of api, as the token server at base knows it.
func Request(api *grant.API, base string) grant.Request {
	s := ServerAPI(api)
	c := s.Credentials()
	r := grant.Request{API: api, TokenURL: tokenserver.TokenURL(base, s), ClientID: c.ClientID, ClientSecret: c.ClientSecret}
	if api.NeedsUser {
		r.Username, r.Password = c.Username, c.Password
	}
	if api == grant.GitHubApp {
		// Not OAuth: the app's key signs a JWT, and the API URL is the server's root. Both the
		// installation and its owner, so that a test can drop either.
		r.TokenURL, r.APIURL, r.AppID, r.PrivateKeyPEM = "", base, tokenserver.GitHubAppID, tokenserver.GitHubAppKeyPEM()
		r.Owner, r.InstallationID = tokenserver.GitHubOrg, strconv.Itoa(tokenserver.GitHubOrgInstallationID)
	}
	return r
}

// SecretForms is every form in which a request's secrets may travel or be echoed back (see
// grant.SecretForms), each also in upper and lower case. A leak scan looks for all of them.
func SecretForms(r grant.Request) []string {
	var out []string
	for _, s := range r.Secrets() {
		for _, form := range grant.SecretForms(s) {
			out = append(out, form, strings.ToUpper(form), strings.ToLower(form))
		}
	}
	return out
}
