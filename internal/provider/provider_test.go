package provider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/authtoken/terraform-provider-authtoken/internal/acctest"
	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// The acceptance tests (TestAcc*) drive the real terraform binary through terraform-plugin-testing
// against internal/tokenserver on loopback; each type's own tests are in <type>_test.go. Tests
// without the prefix need no terraform and run under plain `go test`.

// TestMain starts every test without the provider's environment variables: the provider runs in
// this process and reads its environment, so a developer's TENN_PASSWORD must not change a
// result, and a test that needs a variable unset need not set it to "" (t.Setenv keeps a test
// out of the parallel ones).
func TestMain(m *testing.M) {
	for _, name := range providerEnvVars() {
		os.Unsetenv(name)
	}
	acctest.Main(m)
}

// providerEnvVars are the environment variables the provider reads: every input of every type
// (<API>_<INPUT>) and every provider setting (AUTHTOKEN_<SETTING>).
func providerEnvVars() []string {
	var out []string
	for _, tt := range tokenTypes() {
		for i := range tt.inputs {
			out = append(out, tt.envVar(tt.inputs[i]))
		}
	}
	for _, f := range reflect.VisibleFields(reflect.TypeFor[providerModel]()) {
		out = append(out, settingEnvPrefix+strings.ToUpper(f.Tag.Get("tfsdk")))
	}
	return out
}

// factories serves this provider under every local name the test configurations use: the
// name before the first underscore of each type's name, and authtoken for `provider = authtoken`. echo exposes
// ephemeral values to state checks.
func factories() map[string]func() (tfprotov6.ProviderServer, error) {
	server := providerserver.NewProtocol6WithError(New("test")())
	f := map[string]func() (tfprotov6.ProviderServer, error){
		"authtoken": server,
		"echo":      echoprovider.NewProviderServer(),
	}
	for _, t := range tokenTypes() {
		f[strings.SplitN(t.name, "_", 2)[0]] = server // the local name Terraform infers from the type
	}
	return f
}

var ephemeralOnly = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)}

// accTest is resource.Test with one allowance for OpenTofu 1.11, whose JSON plan lists every
// ephemeral resource with the action "open": the plan after a successful apply then reads as
// not empty, though it changes nothing.
func accTest(t *testing.T, tc resource.TestCase) {
	t.Helper()
	if acctest.ListsEphemeralResourcesInPlan() {
		for i := range tc.Steps {
			if step := &tc.Steps[i]; step.ExpectError == nil && !step.PlanOnly && strings.Contains(step.Config, "ephemeral ") {
				tc.Steps[i].ExpectNonEmptyPlan = true
			}
		}
	}
	resource.Test(t, tc)
}

// server is the token server's side of a token type.
func (t tokenType) server() tokenserver.API { return testsupport.ServerAPI(t.api) }

// testInputs are the type's inputs for the documented test account of the token server at base.
func (t tokenType) testInputs(base string) map[string]string {
	r := testsupport.Request(t.api, base)
	values := map[string]string{"token_url": r.TokenURL, "client_id": r.ClientID, "client_secret": r.ClientSecret,
		"username": r.Username, "password": r.Password, "private_key_pem": r.PrivateKeyPEM,
		"api_url": r.APIURL, "app_id": r.AppID, "installation_id": r.InstallationID, "owner": r.Owner}
	inputs := map[string]string{}
	for i := range t.inputs {
		if v := values[t.inputs[i].name]; v != "" {
			inputs[t.inputs[i].name] = v
		}
	}
	return inputs
}

// testEnv is testInputs as the environment variables a pipeline would set.
func (t tokenType) testEnv(base string) map[string]string {
	inputs := t.testInputs(base)
	env := map[string]string{}
	for i := range t.inputs {
		if v, ok := inputs[t.inputs[i].name]; ok {
			env[t.envVar(t.inputs[i])] = v
		}
	}
	return env
}

// block renders `<kind> "<type>" "<label>" { ... }` with the given inputs (HCL expressions
// for values that start with '=', quoted strings otherwise) and extra raw lines.
func block(kind, typeName, label string, inputs map[string]string, extra ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %q %q {\n", kind, typeName, label)
	for _, k := range slices.Sorted(maps.Keys(inputs)) {
		if expr, ok := strings.CutPrefix(inputs[k], "="); ok {
			fmt.Fprintf(&b, "  %s = %s\n", k, expr)
		} else {
			fmt.Fprintf(&b, "  %s = %q\n", k, inputs[k])
		}
	}
	for _, line := range extra {
		fmt.Fprintf(&b, "  %s\n", line)
	}
	b.WriteString("}\n")
	return b.String()
}

// with returns a copy of m with key set to value.
func with(m map[string]string, key, value string) map[string]string {
	out := maps.Clone(m)
	out[key] = value
	return out
}

// without returns a copy of m without the given keys.
func without(m map[string]string, keys ...string) map[string]string {
	out := maps.Clone(m)
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

// echoConfig exposes an ephemeral token to state checks through the echo provider.
func echoConfig(typeName, label string) string {
	return fmt.Sprintf("provider \"echo\" {\n  data = ephemeral.%s.%s\n}\nresource \"echo\" \"test\" {}\n", typeName, label)
}

func echoData(attr string) tfjsonpath.Path { return tfjsonpath.New("data").AtMapKey(attr) }

// issuedBy checks that a value is a token the server issued, without ever printing it.
type issuedBy struct{ srv *tokenserver.Server }

func (c issuedBy) CheckValue(v any) error {
	s, ok := v.(string)
	if !ok || s == "" {
		return fmt.Errorf("want a non-empty string, got %T", v)
	}
	if !slices.Contains(c.srv.Issued(), s) {
		return errors.New("the value is not a token the test server issued (value withheld)")
	}
	return nil
}

func (c issuedBy) String() string { return "a token issued by the test server" }

// expectations are what a type's successful grant returns beyond what every type does.
type expectations struct {
	tokenType knownvalue.Check // token_type as the API reports it
	refresh   bool             // a refresh token is issued
	jti       bool             // the type has a jti output, and it is set
	// more are the checks of the type's own outputs, by name.
	more map[string]knownvalue.Check
}

var rfc3339UTC = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$`)

// resultChecks are the checks a successful grant's outputs pass, at base (the echo resource's
// data, or the data source itself) in resource address. Only the outputs tt has are checked: a
// type may have no refresh_token, token_type or scopes.
func resultChecks(tt tokenType, want expectations, srv *tokenserver.Server, address string, base func(string) tfjsonpath.Path) []statecheck.StateCheck {
	refresh := knownvalue.Check(knownvalue.Null())
	if want.refresh {
		refresh = issuedBy{srv}
	}
	byOutput := map[string]knownvalue.Check{
		"access_token":  issuedBy{srv},
		"refresh_token": refresh,
		"token_type":    want.tokenType,
		"expires_at":    knownvalue.StringRegexp(rfc3339UTC),
		"expires_in": knownvalue.Int64Func(func(v int64) error {
			if v < 3500 || v > 3600 {
				return fmt.Errorf("expires_in %d, want about 3600", v)
			}
			return nil
		}),
		"scopes": knownvalue.NotNull(),
	}
	if want.jti {
		byOutput["jti"] = knownvalue.NotNull()
	}
	maps.Copy(byOutput, want.more)
	var checks []statecheck.StateCheck
	for _, out := range tt.outputs {
		if check, ok := byOutput[out.name]; ok {
			checks = append(checks, statecheck.ExpectKnownValue(address, base(out.name), check))
		}
	}
	for name := range want.more {
		if !slices.ContainsFunc(tt.outputs, func(o output) bool { return o.name == name }) {
			panic(tt.name + " has no output " + name)
		}
	}
	return checks
}

var userAgent = regexp.MustCompile(`^terraform-provider-authtoken/test Terraform/\d+\.\d+\.\d+`)

// testEphemeral opens the type as an ephemeral resource with its documented test account and
// checks every output through the echo provider.
func testEphemeral(t *testing.T, tt tokenType, want expectations) {
	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	accTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		TerraformVersionChecks:   ephemeralOnly,
		Steps: []resource.TestStep{{
			Config:            block("ephemeral", tt.name, "test", tt.testInputs(ts.URL)) + echoConfig(tt.name, "test"),
			ConfigStateChecks: resultChecks(tt, want, srv, "echo.test", echoData),
		}},
	})
	// The User-Agent names the provider and the Terraform version the framework reports.
	if ua := srv.LastRequest(tt.server()).Header.Get("User-Agent"); !userAgent.MatchString(ua) {
		t.Errorf("User-Agent %q, want terraform-provider-authtoken/<version> Terraform/<version>", ua)
	}
}

// testDataSource reads the type as a data source and checks its outputs and sensitivity in state.
func testDataSource(t *testing.T, tt tokenType, want expectations) {
	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	address := "data." + tt.name + ".test"
	checks := append(resultChecks(tt, want, srv, address, tfjsonpath.New),
		statecheck.ExpectSensitiveValue(address, tfjsonpath.New("access_token")))
	inputs := tt.testInputs(ts.URL)
	for _, in := range tt.inputs {
		if _, set := inputs[in.name]; set && in.sensitive {
			checks = append(checks, statecheck.ExpectSensitiveValue(address, tfjsonpath.New(in.name)))
		}
	}
	if want.refresh {
		checks = append(checks, statecheck.ExpectSensitiveValue(address, tfjsonpath.New("refresh_token")))
	}
	accTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config:            block("data", tt.name, "test", tt.testInputs(ts.URL)),
			ConfigStateChecks: checks,
		}},
	})
}

// TestProviderDescriptionNamesEveryType: the provider's description lists the registry's types,
// oauth2_token among them, and a type added to the registry is listed with no edit to it.
func TestProviderDescriptionNamesEveryType(t *testing.T) {
	var resp provider.SchemaResponse
	(&authtokenProvider{}).Schema(context.Background(), provider.SchemaRequest{}, &resp)
	for _, tt := range tokenTypes() {
		if want := fmt.Sprintf("`%s` (%s)", tt.name, tt.api.Title); !strings.Contains(resp.Schema.MarkdownDescription, want) {
			t.Errorf("the provider's description does not name %s:\n%s", want, resp.Schema.MarkdownDescription)
		}
	}
	if !strings.Contains(resp.Schema.MarkdownDescription, "`oauth2_token`") {
		t.Errorf("the provider's description does not name oauth2_token:\n%s", resp.Schema.MarkdownDescription)
	}
	added := append(tokenTypes(), tokenType{name: "example_token", api: &grant.API{Title: "Example"}})
	if d := providerDescription(added); !strings.Contains(d, "`example_token` (Example)") {
		t.Errorf("a new type is not named:\n%s", d)
	}
}
