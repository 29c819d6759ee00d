package provider

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
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
	return tfsdk.Config{Schema: schema, Raw: rawConfig(schema.Type(), inputs)}
}

// ephemeralConfig is config for the ephemeral resource's schema, which has the inputs only it
// takes (revoke_on_close).
func ephemeralConfig(t *testing.T, tt tokenType, inputs map[string]tftypes.Value) tfsdk.Config {
	t.Helper()
	schema := tt.ephemeralSchema()
	return tfsdk.Config{Schema: schema, Raw: rawConfig(schema.Type(), inputs)}
}

// rawConfig is an object of the schema's type with the given attributes set, every other null.
func rawConfig(schemaType attr.Type, inputs map[string]tftypes.Value) tftypes.Value {
	objType := schemaType.TerraformType(context.Background()).(tftypes.Object) //nolint:forcetypeassert // a schema's type is an object
	values := map[string]tftypes.Value{}
	for name, typ := range objType.AttributeTypes {
		values[name] = tftypes.NewValue(typ, nil)
	}
	for name, v := range inputs {
		values[name] = v
	}
	return tftypes.NewValue(objType, values)
}

func str(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

// TestResolveRequest: configuration, then the environment, then the default; each missing or
// unusable input is an error on its attribute that names the variable.
func TestResolveRequest(t *testing.T) {
	clearInputEnvironment(t)
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
	cfg := config(t, testiniumToken, nil)
	diags := testiniumToken.writeResult(ctx, &cfg, &state, &grant.Token{
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

// TestEnvironmentParsedLikeConfiguration: every value from the environment is parsed by one rule
// per kind of input, and an invalid one is an error on the attribute that names the variable,
// never a silent default. TENN_REVOKE_ON_CLOSE=TRUE once turned revocation off, and a malformed
// pair in OAUTH2_EXTRA_PARAMS was dropped.
func TestEnvironmentParsedLikeConfiguration(t *testing.T) {
	ctx := context.Background()
	clearInputEnvironment(t)
	tenn := map[string]tftypes.Value{"client_id": str("c"), "client_secret": str("s"), "username": str("u"), "password": str("p")}
	oauth2 := map[string]tftypes.Value{"token_url": str("https://auth.example.com/token"), "client_id": str("c"), "client_secret": str("s")}

	for _, tc := range []struct{ value, want string }{{"true", "true"}, {"TRUE", "true"}, {"1", "true"}, {"false", "false"}, {"0", "false"}} {
		t.Setenv("TENN_REVOKE_ON_CLOSE", tc.value)
		r, diags := tennToken.resolveRequest(ctx, ephemeralConfig(t, tennToken, tenn), true)
		if diags.HasError() || strconv.FormatBool(r.RevokeOnClose) != tc.want {
			t.Errorf("TENN_REVOKE_ON_CLOSE=%q: revoke %v (%v), want %s", tc.value, r.RevokeOnClose, diags, tc.want)
		}
	}
	for name, tc := range map[string]struct {
		tt           tokenType
		inputs       map[string]tftypes.Value
		env, value   string
		wantDetail   string
		mustNotQuote string
	}{
		"yes as a bool":          {tennToken, tenn, "TENN_REVOKE_ON_CLOSE", "yes", `revoke_on_close (from TENN_REVOKE_ON_CLOSE) must be true or false, not "yes"`, ""},
		"a bool with a space":    {tennToken, tenn, "TENN_REVOKE_ON_CLOSE", " true", "revoke_on_close (from TENN_REVOKE_ON_CLOSE) must be true or false", ""},
		"a malformed pair":       {oauth2Token, oauth2, "OAUTH2_EXTRA_PARAMS", "tenant=contoso%zz&prompt=none", "extra_params (from OAUTH2_EXTRA_PARAMS) is not form-encoded", "contoso"},
		"an unknown grant type":  {oauth2Token, oauth2, "OAUTH2_GRANT_TYPE", "clientcredentials", `grant_type (from OAUTH2_GRANT_TYPE) must be one of "client_credentials"`, ""},
		"an unknown client auth": {oauth2Token, oauth2, "OAUTH2_CLIENT_AUTH", "basic", "client_auth (from OAUTH2_CLIENT_AUTH) must be one of", ""},
		"not a duration":         {tennToken, tenn, "TENN_MIN_VALIDITY", "soon", "min_validity (from TENN_MIN_VALIDITY) must be a duration", ""},
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(tc.env, tc.value)
			_, diags := tc.tt.resolveRequest(ctx, ephemeralConfig(t, tc.tt, tc.inputs), true)
			if !diags.HasError() || !strings.Contains(diags[0].Detail(), tc.wantDetail) {
				t.Fatalf("diagnostics %v, want an error saying %q", diags, tc.wantDetail)
			}
			if tc.mustNotQuote != "" && strings.Contains(diags[0].Detail(), tc.mustNotQuote) {
				t.Error("the error quotes the value, which may hold a secret")
			}
		})
	}
}

// clearInputEnvironment unsets every input's variable for the test.
func clearInputEnvironment(t *testing.T) {
	for _, tt := range tokenTypes() {
		for _, in := range tt.inputs {
			t.Setenv(tt.envVar(in), "")
		}
	}
}

// TestTypedValuesStayTyped: a configured list element with a space stays one resource indicator
// (and grant then refuses it as no URI), and "0s" turns the provider's min_validity off.
func TestTypedValuesStayTyped(t *testing.T) {
	ctx := context.Background()
	clearInputEnvironment(t)
	list := tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, []tftypes.Value{str("https://api.example.com/a b"), str("https://api.example.com/c")})
	r, diags := oauth2Token.resolveRequest(ctx, config(t, oauth2Token, map[string]tftypes.Value{
		"token_url": str("https://auth.example.com/token"), "client_id": str("c"), "client_secret": str("s"),
		"resource": list, "min_validity": str("0s"),
	}), false)
	if diags.HasError() {
		t.Fatal(diags)
	}
	if len(r.Resource) != 2 || r.Resource[0] != "https://api.example.com/a b" {
		t.Errorf("resource %q, want the two configured elements as they are", r.Resource)
	}
	if !r.minValiditySet || r.MinValidity != 0 {
		t.Errorf("min_validity = \"0s\": set %v, %s; want set, zero", r.minValiditySet, r.MinValidity)
	}
	c, err := grant.NewClient(grant.Config{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Grant(ctx, r.Request)
	var ge *grant.Error
	if !errors.As(err, &ge) || ge.Setting != grant.SettingResource {
		t.Errorf("a resource with a space: want a configuration error on resource, got %v", err)
	}
}

// TestEndpointNeededFromOneOf: oauth2_token with neither token_url nor issuer names both and
// both of their variables.
func TestEndpointNeededFromOneOf(t *testing.T) {
	clearInputEnvironment(t)
	_, diags := oauth2Token.resolveRequest(context.Background(), config(t, oauth2Token, map[string]tftypes.Value{
		"client_id": str("c"), "client_secret": str("s"),
	}), false)
	if !diags.HasError() {
		t.Fatal("no error without token_url and issuer")
	}
	for _, want := range []string{"token_url or issuer", "OAUTH2_TOKEN_URL or OAUTH2_ISSUER"} {
		if !strings.Contains(diags[0].Summary()+" "+diags[0].Detail(), want) {
			t.Errorf("the diagnostic does not say %q: %s: %s", want, diags[0].Summary(), diags[0].Detail())
		}
	}
}

// TestResultsAreNotInputs: a block that sets a result gets an error on it that names it, and
// oauth2_token's refresh_token points to current_refresh_token, the input that takes the value.
func TestResultsAreNotInputs(t *testing.T) {
	ctx := context.Background()
	diags := oauth2Token.resultsNotSet(ctx, config(t, oauth2Token, map[string]tftypes.Value{"refresh_token": str("r")}))
	if len(diags) != 1 || !strings.Contains(diags[0].Detail(), "set current_refresh_token instead") {
		t.Fatalf("want one error pointing to current_refresh_token, got %v", diags)
	}
	if on, ok := diags[0].(interface{ Path() path.Path }); !ok || !on.Path().Equal(path.Root("refresh_token")) {
		t.Errorf("the error is not on refresh_token: %v", diags)
	}
	diags = tennToken.resultsNotSet(ctx, ephemeralConfig(t, tennToken, map[string]tftypes.Value{"access_token": str("a")}))
	if len(diags) != 1 || !strings.Contains(diags[0].Detail(), "access_token is a result of tenn_token") ||
		strings.Contains(diags[0].Detail(), "current_") {
		t.Errorf("want one error naming access_token as a result, got %v", diags)
	}
	for _, tt := range tokenTypes() {
		if diags := tt.resultsNotSet(ctx, config(t, tt, nil)); diags.HasError() {
			t.Errorf("%s: an error for a block that sets no result: %v", tt.name, diags)
		}
	}
}
