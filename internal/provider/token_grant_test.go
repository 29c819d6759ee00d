package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
)

// config builds a data-source configuration of tt with the given inputs set and every other
// attribute null.
func config(t *testing.T, tt tokenType, inputs map[string]tftypes.Value) tfsdk.Config {
	t.Helper()
	schema := tt.dataSourceSchema()
	objType := schema.Type().TerraformType(context.Background()).(tftypes.Object) //nolint:forcetypeassert // a schema's type is an object
	values := map[string]tftypes.Value{}
	for name, typ := range objType.AttributeTypes {
		values[name] = tftypes.NewValue(typ, nil)
	}
	for name, v := range inputs {
		values[name] = v
	}
	return tfsdk.Config{Schema: schema, Raw: tftypes.NewValue(objType, values)}
}

func str(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

// TestResolveRequest: configuration, then the environment, then the default; each missing or
// unusable input is an error on its attribute that names the variable.
func TestResolveRequest(t *testing.T) {
	for _, tt := range tokenTypes() {
		for _, in := range tt.inputs {
			t.Setenv(tt.envVar(in), "")
		}
	}
	ctx := context.Background()

	t.Run("configuration and defaults", func(t *testing.T) {
		r, diags := testiniumToken.resolveRequest(ctx, config(t, testiniumToken, map[string]tftypes.Value{
			"username": str("u@example.com"), "password": str("pw"),
		}), false)
		if diags.HasError() {
			t.Fatal(diags)
		}
		if r.API != grant.Testinium || r.TokenURL != grant.Testinium.DefaultTokenURL ||
			r.ClientID != grant.Testinium.DefaultClientID || r.Username != "u@example.com" || r.Password != "pw" {
			t.Errorf("request %+v", r)
		}
	})

	t.Run("the environment fills what the block leaves out, and loses to it", func(t *testing.T) {
		t.Setenv("PARTNER_TOKEN_URL", "https://partner.example.com/api/oauth/token")
		t.Setenv("PARTNER_CLIENT_ID", "env-client")
		t.Setenv("PARTNER_CLIENT_SECRET", "env-secret")
		r, diags := partnerToken.resolveRequest(ctx, config(t, partnerToken, map[string]tftypes.Value{"client_id": str("block-client")}), false)
		if diags.HasError() {
			t.Fatal(diags)
		}
		if r.ClientID != "block-client" || r.ClientSecret != "env-secret" || r.TokenURL != "https://partner.example.com/api/oauth/token" {
			t.Errorf("request %+v", r)
		}
	})

	t.Run("missing inputs name the attribute and the variable", func(t *testing.T) {
		_, diags := tennToken.resolveRequest(ctx, config(t, tennToken, nil), false)
		var details []string
		for _, d := range diags {
			details = append(details, d.Summary()+": "+d.Detail())
		}
		all := strings.Join(details, "\n")
		for _, want := range []string{"Missing client_id", "TENN_CLIENT_ID", "Missing password", "TENN_PASSWORD"} {
			if !strings.Contains(all, want) {
				t.Errorf("diagnostics do not mention %q:\n%s", want, all)
			}
		}
		if strings.Contains(all, "Missing token_url") {
			t.Error("token_url has a default for Tenn but was reported missing")
		}
	})

	t.Run("an unsafe URL from the environment", func(t *testing.T) {
		t.Setenv("PARTNER_TOKEN_URL", "http://partner.example.com/api/oauth/token")
		_, diags := partnerToken.resolveRequest(ctx, config(t, partnerToken, map[string]tftypes.Value{
			"client_id": str("c"), "client_secret": str("s"),
		}), false)
		if !diags.HasError() || !strings.Contains(diags[0].Detail(), "token_url (from PARTNER_TOKEN_URL)") {
			t.Errorf("diagnostics %v, want an invalid token URL from PARTNER_TOKEN_URL", diags)
		}
	})
}

// TestWriteResult: every output gets its typed value, null where the token has none.
func TestWriteResult(t *testing.T) {
	ctx := context.Background()
	schema := testiniumToken.dataSourceSchema()
	state := tfsdk.State{Schema: schema, Raw: config(t, testiniumToken, nil).Raw}
	expires := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	diags := testiniumToken.writeResult(ctx, &state, &grant.Token{
		AccessToken: "at", Scopes: []string{"a", "b"}, ExpiresIn: 60, ExpiresAt: expires, JTI: "j",
	})
	if diags.HasError() {
		t.Fatal(diags)
	}
	var got struct {
		TokenType    *string  `tfsdk:"token_type"`
		RefreshToken *string  `tfsdk:"refresh_token"`
		ExpiresAt    string   `tfsdk:"expires_at"`
		ExpiresIn    int64    `tfsdk:"expires_in"`
		Scopes       []string `tfsdk:"scopes"`
		JTI          string   `tfsdk:"jti"`
	}
	for name, target := range map[string]any{"token_type": &got.TokenType, "refresh_token": &got.RefreshToken,
		"expires_at": &got.ExpiresAt, "expires_in": &got.ExpiresIn, "scopes": &got.Scopes, "jti": &got.JTI} {
		if d := state.GetAttribute(ctx, path.Root(name), target); d.HasError() {
			t.Fatal(d)
		}
	}
	if got.TokenType != nil || got.RefreshToken != nil || got.ExpiresAt != "2030-01-02T03:04:05Z" ||
		got.ExpiresIn != 60 || strings.Join(got.Scopes, " ") != "a b" || got.JTI != "j" {
		t.Errorf("outputs %+v", got)
	}
}
