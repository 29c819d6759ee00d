package provider

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/provider"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
)

// oauthWireNames are the schema's names that are also protocol parameters (OAuth 2.0: RFC 6749,
// 7009, 7523, 8693, 8707; GitHub's REST API): the grant core sends them on the wire, so they are
// its words too.
var oauthWireNames = map[string]bool{
	"client_id": true, "client_secret": true, "username": true, "password": true, "scope": true,
	"grant_type": true, "refresh_token": true, "access_token": true, "token_type": true, "expires_in": true,
	"id_token": true, "audience": true, "resource": true, "jti": true, "issuer": true,
	"scopes": true, // the partner API's JWT claim
	// RFC 8693 token exchange
	"subject_token": true, "subject_token_type": true, "requested_token_type": true, "actor_token": true,
	"actor_token_type": true, "issued_token_type": true,
	// GitHub's REST API: the access_tokens request and answer, and the lookups' {owner}
	"repositories": true, "permissions": true, "repository_selection": true, "expires_at": true, "owner": true,
}

// TestGrantSpeaksItsOwnLanguage: no string in internal/grant's code (comments aside) names an
// attribute of the provider's schema, unless it is also an OAuth protocol parameter; grant's errors
// carry a Setting, and diagnostics.go names the attribute.
func TestGrantSpeaksItsOwnLanguage(t *testing.T) {
	names := map[string]bool{}
	var resp provider.SchemaResponse
	(&authtokenProvider{}).Schema(context.Background(), provider.SchemaRequest{}, &resp)
	for name := range resp.Schema.Attributes {
		names[name] = true
	}
	for _, tt := range tokenTypes() {
		for name := range tt.ephemeralSchema().Attributes {
			names[name] = true
		}
	}
	files, err := filepath.Glob(filepath.Join(testsupport.RepoRoot(), "internal", "grant", "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no grant sources: %v", err)
	}
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, 0) // no comments
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, _ := strconv.Unquote(lit.Value)
			if slices.Contains(grant.ClientAuthMethods, s) {
				return true // a token_endpoint_auth_method value (RFC 7591 2, RFC 8705 2) such as tls_client_auth
			}
			for name := range names {
				if !oauthWireNames[name] && strings.Contains(s, name) {
					t.Errorf("%s: the string %q names the attribute %s", fset.Position(lit.Pos()), s, name)
				}
			}
			return true
		})
	}
}
