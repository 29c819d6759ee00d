package grant

import (
	"slices"
	"testing"
)

// TestFederatedMethodIsPrivateKeyJWT: metadata names a federated client's method private_key_jwt
// (Entra's does); federated_jwt is this provider's name, which no server lists.
func TestFederatedMethodIsPrivateKeyJWT(t *testing.T) {
	r := Request{API: OAuth2, ClientAuth: ClientAuthFederatedJWT, ClientID: "c"}
	if got := (Metadata{AuthMethodsSupported: []string{ClientAuthPrivateKeyJWT}}).caveats(r); len(got) != 0 {
		t.Errorf("caveats %+v for a server that lists private_key_jwt", got)
	}
	got := (Metadata{AuthMethodsSupported: []string{ClientAuthBasic}}).caveats(r)
	if len(got) != 1 || got[0].Want != ClientAuthPrivateKeyJWT || !slices.Equal(got[0].Have, []string{ClientAuthBasic}) {
		t.Errorf("caveats %+v, want private_key_jwt missing", got)
	}
}
