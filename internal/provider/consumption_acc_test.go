package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/authtoken/terraform-provider-authtoken/internal/acctest"
	"github.com/authtoken/terraform-provider-authtoken/internal/acctest/consumer"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// Acceptance tests of every documented way of consuming a token: each proves that the token
// server's protected resource endpoint of the token's API (tokenserver, protected.go) accepted a
// token the server issued for that API, handed over by the real terraform binary. For ephemeral
// tokens, the accepted token was issued during the apply (it is not the plan's), and no issued
// token is in the state, the saved plan file, terraform's output or its trace log: those tests run
// plan -out and apply of the plan file through terraform-exec (leakRun), with the provider and the
// test-only consumer provider (internal/acctest/consumer) built and served by dev_overrides.
//
//	way                                        test                                          types
//	(a) another provider's provider block      TestAccConsumeEphemeralInProviderBlock        tenn, testinium, partner
//	    refused: wrong API's endpoint, no token TestAccConsumeEphemeralInProviderBlockRefused tenn (in-process consumer)
//	(b) local-exec environment (curl)          TestAccConsumeEphemeralInProvisioner          testinium (and refused at Tenn's endpoint)
//	(c) a child module's ephemeral output      TestAccConsumeEphemeralModuleOutput           partner, into (a) and (b)
//	(d) a write-only argument (token_wo)       TestAccConsumeEphemeralWriteOnly              tenn (and a refused testinium token)
//	(e) a data source's token, in state        TestAccConsumeDataSourceToken                 partner (in-process consumer)
//
// None of them counts token requests: engines open ephemeral resources different numbers of times.

// consumerFactories serves the provider as factories() does, and the consumer in-process.
func consumerFactories() map[string]func() (tfprotov6.ProviderServer, error) {
	f := factories()
	f[consumer.TypeName] = providerserver.NewProtocol6WithError(consumer.New())
	return f
}

// subject is who the resource endpoint says a type's documented test account is: the user of a
// password grant, the client of a client credentials grant.
func (t tokenType) subject() string {
	c := t.server().Credentials()
	if t.api.NeedsUser {
		return c.Username
	}
	return c.ClientID
}

// resourceURL is the type's API's protected resource endpoint on the token server at base.
func (t tokenType) resourceURL(base string) string { return tokenserver.ResourceURL(base, t.server()) }

// consumerTerraform is the terraform block of the terraform-exec runs: the provider under the
// name authtoken (so blocks say provider = authtoken) and, when asked for, the built consumer.
func consumerTerraform(withConsumer bool) string {
	providers := `    authtoken = { source = "authtoken/authtoken" }` + "\n"
	if withConsumer {
		providers += fmt.Sprintf("    consumer  = { source = %q }\n", acctest.ConsumerSource)
	}
	return "terraform {\n  required_providers {\n" + providers + "  }\n}\n"
}

// applyTime is a resource created by the run: a data source that depends on it is read at apply,
// with the providers configured from ephemeral values opened at apply, so the token a data source
// sends is the apply's.
const applyTime = "resource \"terraform_data\" \"apply_time\" {}\n"

// curlProvisioner is a terraform_data whose local-exec provisioner calls endpoint with the token
// expression in its environment; curl -f makes a refused call fail the apply.
func curlProvisioner(name, tokenExpr, endpoint string) string {
	return fmt.Sprintf(`resource "terraform_data" %q {
  provisioner "local-exec" {
    command     = %q
    environment = { TOKEN = %s }
  }
}
`, name, `curl -fsS -H "Authorization: Bearer $TOKEN" `+endpoint, tokenExpr)
}

// consumerRun is a leakRun whose terraform serves the consumer too, against one token server,
// remembering what the server had issued and accepted around the last plan.
type consumerRun struct {
	*leakRun
	srv   *tokenserver.Server
	base  string      // the token server's URL
	types []tokenType // the types whose test accounts the environment holds
	// per API: accepted calls when the last plan started, and issued tokens and accepted calls
	// when it ended
	acceptedBeforePlan, issuedAtPlan, acceptedAtPlan map[tokenserver.API]int
}

// newConsumerRun writes config as main.tf and files (a child module, say) into a new working
// directory, with the test accounts of types in the environment (no credential in a .tf file: the
// plan file keeps the configuration), and installs the modules when there are files.
func newConsumerRun(t *testing.T, srv *tokenserver.Server, base string, types []tokenType, config string, files map[string]string) *consumerRun {
	t.Helper()
	acctest.SkipBelow(t, "1.10.0", "1.11.0") // ephemeral resources
	env := map[string]string{}
	for _, tt := range types {
		for k, v := range tt.testEnv(base) {
			env[k] = v
		}
	}
	r := &consumerRun{
		leakRun: &leakRun{t: t, tf: acctest.TerraformWithConsumer(t, config, env), env: env, outputs: map[string][]byte{}},
		srv:     srv, base: base, types: types,
	}
	for name, content := range files {
		testsupport.WriteFile(t, filepath.Join(r.tf.WorkingDir(), name), content)
	}
	if len(files) > 0 {
		// Modules need installing; `get` does only that, offline (init would ask the registry).
		r.run("get", true, func(ctx context.Context) error { return r.tf.Get(ctx) })
	}
	return r
}

// snapshot counts, per API, what the server has issued or accepted so far.
func (r *consumerRun) snapshot(count func(tokenserver.API) []string) map[tokenserver.API]int {
	m := map[tokenserver.API]int{}
	for _, api := range tokenserver.APIs {
		m[api] = len(count(api))
	}
	return m
}

// planAndApply runs plan -out <name>.tfplan and apply of that file; the apply must succeed or
// fail as applySucceeds says.
func (r *consumerRun) planAndApply(name string, applySucceeds bool) {
	r.t.Helper()
	planFile := name + ".tfplan"
	r.acceptedBeforePlan = r.snapshot(r.srv.Accepted)
	r.run(name+" plan", true, func(ctx context.Context) error {
		_, err := r.tf.Plan(ctx, tfexec.Out(planFile))
		return err
	})
	r.issuedAtPlan, r.acceptedAtPlan = r.snapshot(r.srv.IssuedFor), r.snapshot(r.srv.Accepted)
	r.run(name+" apply", applySucceeds, func(ctx context.Context) error {
		return r.tf.Apply(ctx, tfexec.DirOrPlan(planFile))
	})
	r.addFile(planFile)
}

// deliveredAtApply checks that api's resource endpoint accepted at least one call during the last
// apply and none during its plan, and that every token it accepted then is one the server issued
// for api during that apply: not the plan's, not another API's.
func (r *consumerRun) deliveredAtApply(api tokenserver.API) {
	r.t.Helper()
	accepted := r.srv.Accepted(api)
	if len(accepted) == 0 {
		r.t.Errorf("%s: the resource endpoint accepted no token", api)
		return
	}
	if r.acceptedAtPlan[api] != r.acceptedBeforePlan[api] {
		r.t.Errorf("%s: the resource endpoint accepted a call during plan; the consumers here call at apply", api)
	}
	sinceApply := accepted[r.acceptedAtPlan[api]:]
	if len(sinceApply) == 0 {
		r.t.Errorf("%s: the resource endpoint accepted no token during the apply", api)
	}
	issuedAtApply := r.srv.IssuedFor(api)[r.issuedAtPlan[api]:]
	for i, tok := range sinceApply {
		if !slices.Contains(issuedAtApply, tok) {
			r.t.Errorf("%s: accepted token #%d was not issued for %s during the apply (value withheld)", api, i+1, api)
		}
	}
}

// nothingAccepted checks that no resource endpoint accepted any call.
func (r *consumerRun) nothingAccepted() {
	r.t.Helper()
	for _, api := range tokenserver.APIs {
		if n := len(r.srv.Accepted(api)); n != 0 {
			r.t.Errorf("%s: the resource endpoint accepted %d calls, want none", api, n)
		}
	}
}

// scanAll keeps the state files and scans everything the run wrote for every token the server
// issued and every form of the credentials of the run's types: none may be anywhere.
func (r *consumerRun) scanAll() {
	r.t.Helper()
	for _, f := range []string{"terraform.tfstate", "terraform.tfstate.backup"} {
		if _, err := os.Stat(filepath.Join(r.tf.WorkingDir(), f)); err == nil {
			r.addFile(f)
		}
	}
	if _, ok := r.outputs["terraform.tfstate"]; !ok {
		r.t.Error("no state file to scan")
	}
	var secrets []secret
	for _, tok := range r.srv.Issued() {
		secrets = append(secrets, secret{label: "an issued token", value: tok})
	}
	for _, tt := range r.types {
		secrets = append(secrets, credentialSecrets(tt, r.base, nil)...)
	}
	r.scan(secrets)
}

// stateAttributes returns the attributes of every resource in state, modules included, by address.
func (r *leakRun) stateAttributes() map[string]map[string]any {
	r.t.Helper()
	state, err := r.tf.Show(context.Background())
	if err != nil {
		r.t.Fatalf("show: %v", err)
	}
	out := map[string]map[string]any{}
	var walk func(*tfjson.StateModule)
	walk = func(m *tfjson.StateModule) {
		if m == nil {
			return
		}
		for _, res := range m.Resources {
			out[res.Address] = res.AttributeValues
		}
		for _, c := range m.ChildModules {
			walk(c)
		}
	}
	if state.Values != nil {
		walk(state.Values.RootModule)
	}
	return out
}

// answered checks what a consumer kept in state of the endpoint's answer: status 200, and the
// sub (and api, when the consumer keeps it) of the type's test account.
func (r *consumerRun) answered(state map[string]map[string]any, address string, tt tokenType) {
	r.t.Helper()
	attrs, ok := state[address]
	if !ok {
		r.t.Errorf("%s is not in state", address)
		return
	}
	if fmt.Sprint(attrs["status"]) != "200" {
		r.t.Errorf("%s: status is not 200 (value withheld)", address)
	}
	if tt.server() == tokenserver.GitHubApp {
		return // GitHub's endpoint lists repositories and names no one: deliveredAtApply's record is the check
	}
	// The values found are not printed: a broken consumer could have put a token there.
	if attrs["sub"] != tt.subject() {
		r.t.Errorf("%s: sub is not %s (value withheld)", address, tt.subject())
	}
	if api, kept := attrs["api"]; kept && api != string(tt.server()) {
		r.t.Errorf("%s: api is not %s (value withheld)", address, tt.server())
	}
}

// TestAccConsumeEphemeralInProviderBlock (a): an ephemeral token configures another provider,
// whose data source calls the API with it. Every type, each through its own consumer provider
// alias; the endpoint comes from the provider block for some and from the data source for others.
func TestAccConsumeEphemeralInProviderBlock(t *testing.T) {
	t.Parallel()
	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	config := consumerTerraform(true) + applyTime
	consumedTypes := tokenTypes() // every type: the token server has a resource endpoint for each API
	for i, tt := range consumedTypes {
		short := strings.TrimSuffix(tt.name, "_token")
		endpoint := fmt.Sprintf("  endpoint = %q\n", tt.resourceURL(ts.URL))
		providerEndpoint, dataEndpoint := endpoint, ""
		if i%2 == 1 {
			providerEndpoint, dataEndpoint = "", endpoint
		}
		config += block("ephemeral", tt.name, "x", nil, "provider = authtoken") +
			fmt.Sprintf("provider \"consumer\" {\n  alias = %q\n  token = ephemeral.%s.x.access_token\n%s}\n",
				short, tt.name, providerEndpoint) +
			fmt.Sprintf("data \"consumer_whoami\" %q {\n  provider   = consumer.%s\n%s  depends_on = [terraform_data.apply_time]\n}\n",
				short, short, dataEndpoint)
	}
	r := newConsumerRun(t, srv, ts.URL, consumedTypes, config, nil)
	r.planAndApply("first", true)
	state := r.stateAttributes()
	for _, tt := range consumedTypes {
		r.deliveredAtApply(tt.server())
		r.answered(state, "data.consumer_whoami."+strings.TrimSuffix(tt.name, "_token"), tt)
	}
	r.scanAll()
}

// TestAccConsumeEphemeralInProviderBlockRefused: the same way of consuming, with the consumer
// served in-process: a token sent to another API's endpoint, or no token at all, is refused with
// the endpoint's challenge, and the plan fails.
func TestAccConsumeEphemeralInProviderBlockRefused(t *testing.T) {
	t.Parallel()
	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	for name, tc := range map[string]struct {
		providerToken string
		want          string
	}{
		"another API's endpoint": {"  token = ephemeral.tenn_token.x.access_token\n",
			`(?s)HTTP\s+401;\s+WWW-Authenticate:\s+Bearer\s+error="invalid_token".*not\s+issued\s+for\s+this\s+API`},
		"no token": {"", `HTTP\s+401;\s+WWW-Authenticate:\s+Bearer;`},
	} {
		t.Run(name, func(t *testing.T) {
			accTest(t, resource.TestCase{
				ProtoV6ProviderFactories: consumerFactories(),
				TerraformVersionChecks:   ephemeralOnly,
				Steps: []resource.TestStep{{
					Config: block("ephemeral", tennToken.name, "x", tennToken.testInputs(ts.URL)) +
						"provider \"consumer\" {\n" + tc.providerToken + "}\n" +
						fmt.Sprintf("data \"consumer_whoami\" \"w\" {\n  endpoint = %q\n}\n", testiniumToken.resourceURL(ts.URL)),
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
	for _, api := range tokenserver.APIs {
		if n := len(srv.Accepted(api)); n != 0 {
			t.Errorf("%s: %d calls accepted, want none", api, n)
		}
	}
}

// TestAccConsumeEphemeralInProvisioner (b): an ephemeral token reaches a local-exec provisioner
// through its environment, and curl sends it; a refused call fails the apply.
func TestAccConsumeEphemeralInProvisioner(t *testing.T) {
	t.Parallel()
	tt := testiniumToken
	for name, tc := range map[string]struct {
		endpoint func(base string) string
		succeeds bool
	}{
		"own endpoint": {tt.resourceURL, true},
		// The Tenn endpoint refuses a Testinium token: curl -f fails and so does the apply.
		"another API's endpoint": {tennToken.resourceURL, false},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
			config := consumerTerraform(false) + block("ephemeral", tt.name, "x", nil, "provider = authtoken") +
				curlProvisioner("call", "ephemeral."+tt.name+".x.access_token", tc.endpoint(ts.URL))
			r := newConsumerRun(t, srv, ts.URL, []tokenType{tt}, config, nil)
			r.planAndApply("first", tc.succeeds)
			if tc.succeeds {
				r.deliveredAtApply(tt.server())
			} else {
				r.nothingAccepted()
				if stderr := r.outputs["first apply stderr"]; !regexp.MustCompile(`exit status 22`).Match(stderr) {
					t.Errorf("the apply failed, but not with curl's exit status 22 for an HTTP error:\n%s", stderr)
				}
			}
			r.scanAll()
		})
	}
}

// TestAccConsumeEphemeralModuleOutput (c): a child module opens the token and returns it as an
// ephemeral output; the root hands it to a provider block (a) and to a provisioner (b).
func TestAccConsumeEphemeralModuleOutput(t *testing.T) {
	t.Parallel()
	tt := partnerToken
	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	child := consumerTerraform(false) + block("ephemeral", tt.name, "x", nil, "provider = authtoken") +
		"output \"access_token\" {\n  value     = ephemeral." + tt.name + ".x.access_token\n  ephemeral = true\n}\n"
	config := consumerTerraform(true) + applyTime +
		"module \"auth\" {\n  source = \"./auth\"\n}\n" +
		fmt.Sprintf("provider \"consumer\" {\n  token    = module.auth.access_token\n  endpoint = %q\n}\n", tt.resourceURL(ts.URL)) +
		"data \"consumer_whoami\" \"w\" {\n  depends_on = [terraform_data.apply_time]\n}\n" +
		curlProvisioner("call", "module.auth.access_token", tt.resourceURL(ts.URL))
	r := newConsumerRun(t, srv, ts.URL, []tokenType{tt}, config, map[string]string{"auth/main.tf": child})
	r.planAndApply("first", true)
	r.deliveredAtApply(tt.server())
	if n := len(r.srv.Accepted(tt.server())); n < 2 {
		t.Errorf("the endpoint accepted %d calls, want one from the data source and one from curl", n)
	}
	r.answered(r.stateAttributes(), "data.consumer_whoami.w", tt)
	r.scanAll()
}

// TestAccConsumeEphemeralWriteOnly (d): an ephemeral token goes into the write-only argument
// token_wo of a managed resource, which calls the API at create and, with token_wo_version
// raised, again at update, each time with the token of that apply. Write-only arguments need
// Terraform 1.11; OpenTofu 1.11 and 1.12 take them too.
func TestAccConsumeEphemeralWriteOnly(t *testing.T) {
	t.Parallel()
	acctest.SkipBelow(t, "1.11.0", "1.11.0")
	config := func(tt tokenType, base string, version int) string {
		return consumerTerraform(true) + block("ephemeral", tt.name, "x", nil, "provider = authtoken") +
			fmt.Sprintf("resource \"consumer_call\" \"c\" {\n  endpoint         = %q\n  token_wo         = ephemeral.%s.x.access_token\n  token_wo_version = %d\n}\n",
				tennToken.resourceURL(base), tt.name, version)
	}

	t.Run("create and update", func(t *testing.T) {
		t.Parallel()
		srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
		r := newConsumerRun(t, srv, ts.URL, []tokenType{tennToken}, config(tennToken, ts.URL, 1), nil)
		r.planAndApply("create", true)
		r.deliveredAtApply(tokenserver.Tenn)
		r.answered(r.stateAttributes(), "consumer_call.c", tennToken)
		created := len(srv.Accepted(tokenserver.Tenn))

		testsupport.WriteFile(t, filepath.Join(r.tf.WorkingDir(), "main.tf"), config(tennToken, ts.URL, 2))
		r.planAndApply("update", true)
		r.deliveredAtApply(tokenserver.Tenn)
		if len(srv.Accepted(tokenserver.Tenn)) == created {
			t.Error("raising token_wo_version did not call the endpoint again")
		}
		state := r.stateAttributes()
		r.answered(state, "consumer_call.c", tennToken)
		if v, ok := state["consumer_call.c"]["token_wo"]; !ok || v != nil {
			t.Errorf("token_wo in state is not null (value withheld)")
		}
		r.scanAll()
	})

	t.Run("another API's token", func(t *testing.T) {
		t.Parallel()
		// A Testinium token in token_wo for the Tenn endpoint: the create fails with the challenge.
		srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
		r := newConsumerRun(t, srv, ts.URL, []tokenType{testiniumToken}, config(testiniumToken, ts.URL, 1), nil)
		r.planAndApply("create", false)
		r.nothingAccepted()
		if stderr := r.outputs["create apply stderr"]; !regexp.MustCompile(`invalid_token`).Match(stderr) {
			t.Errorf("the apply did not fail with the endpoint's invalid_token challenge:\n%s", stderr)
		}
		r.scanAll()
	})
}

// TestAccConsumeDataSourceToken (e): a data source's token goes into an ordinary argument of
// another data source. That works everywhere, at a price the checks record: the token is in
// state (sensitive), and every run reads a new one, so the consumer's input changes every time.
func TestAccConsumeDataSourceToken(t *testing.T) {
	t.Parallel()
	tt := partnerToken
	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	const whoami = "data.consumer_whoami.w"
	address := "data." + tt.name + ".x"
	config := block("data", tt.name, "x", tt.testInputs(ts.URL)) +
		fmt.Sprintf("data \"consumer_whoami\" \"w\" {\n  endpoint = %q\n  token    = %s.access_token\n}\n",
			tt.resourceURL(ts.URL), address)
	changes := statecheck.CompareValue(withheld{differ: true})
	checks := func() []statecheck.StateCheck {
		return []statecheck.StateCheck{
			// In state, by design, and marked sensitive there.
			statecheck.ExpectKnownValue(whoami, tfjsonpath.New("token"), issuedBy{srv}),
			statecheck.ExpectSensitiveValue(whoami, tfjsonpath.New("token")),
			statecheck.ExpectSensitiveValue(address, tfjsonpath.New("access_token")),
			statecheck.CompareValuePairs(whoami, tfjsonpath.New("token"), address, tfjsonpath.New("access_token"), withheld{}),
			// The endpoint accepted it, for the partner API.
			statecheck.ExpectKnownValue(whoami, tfjsonpath.New("token"), acceptedBy{srv, tt.server()}),
			statecheck.ExpectKnownValue(whoami, tfjsonpath.New("status"), knownvalue.Int64Exact(200)),
			statecheck.ExpectKnownValue(whoami, tfjsonpath.New("api"), knownvalue.StringExact(string(tt.server()))),
			statecheck.ExpectKnownValue(whoami, tfjsonpath.New("sub"), knownvalue.StringExact(tt.subject())),
			// A new token, so a new input, on every run.
			changes.AddStateValue(whoami, tfjsonpath.New("token")),
		}
	}
	accTest(t, resource.TestCase{
		ProtoV6ProviderFactories: consumerFactories(),
		Steps: []resource.TestStep{
			{Config: config, ConfigStateChecks: checks()},
			{Config: config, ConfigStateChecks: checks()},
		},
	})
	accepted := srv.Accepted(tt.server())
	distinct := slices.Compact(slices.Sorted(slices.Values(accepted)))
	t.Logf("the endpoint accepted %d calls with %d distinct tokens", len(accepted), len(distinct))
	if len(distinct) < 2 {
		t.Errorf("the endpoint saw %d distinct tokens over two runs, want a new one each run", len(distinct))
	}
}

// acceptedBy checks that a value is a token the API's resource endpoint accepted, without ever
// printing it.
type acceptedBy struct {
	srv *tokenserver.Server
	api tokenserver.API
}

func (c acceptedBy) CheckValue(v any) error {
	s, ok := v.(string)
	if !ok || s == "" {
		return fmt.Errorf("want a non-empty string, got %T", v)
	}
	if !slices.Contains(c.srv.Accepted(c.api), s) {
		return errors.New("the value is not a token the " + string(c.api) + " resource endpoint accepted (value withheld)")
	}
	return nil
}

func (c acceptedBy) String() string {
	return "a token the " + string(c.api) + " resource endpoint accepted"
}

// withheld is compare.ValuesSame (or, with differ, compare.ValuesDiffer) with failure messages
// that do not print the values, which are tokens.
type withheld struct{ differ bool }

var _ compare.ValueComparer = withheld{}

func (c withheld) CompareValues(values ...any) error {
	for i := 1; i < len(values); i++ {
		same := reflect.DeepEqual(values[i-1], values[i])
		switch {
		case c.differ && same:
			return fmt.Errorf("values #%d and #%d are the same, want them to differ (values withheld)", i, i+1)
		case !c.differ && !same:
			return fmt.Errorf("values #%d and #%d differ, want them the same (values withheld)", i, i+1)
		}
	}
	return nil
}
