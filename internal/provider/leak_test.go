package provider

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"

	"github.com/authtoken/terraform-provider-authtoken/internal/acctest"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver/hostile"
)

// The secret-leak tests drive the terraform binary itself (terraform-exec), with TF_LOG=trace, a
// saved plan file and a built provider binary, so that they can scan every byte Terraform and the
// provider write.

// leakRun is a terraform working directory whose every output is kept for the scan.
type leakRun struct {
	t       *testing.T
	tf      *tfexec.Terraform
	env     map[string]string
	outputs map[string][]byte // everything written, by a name for failure messages
}

func newLeakRun(t *testing.T, config string, env map[string]string) *leakRun {
	t.Helper()
	return &leakRun{t: t, tf: acctest.Terraform(t, config, env), env: env, outputs: map[string][]byte{}}
}

// run runs one terraform command with its own trace log and keeps all it wrote.
func (r *leakRun) run(name string, wantSuccess bool, command func(context.Context) error) {
	r.t.Helper()
	var stdout, stderr bytes.Buffer
	logPath := filepath.Join(r.tf.WorkingDir(), name+".log")
	r.tf.SetStdout(&stdout)
	r.tf.SetStderr(&stderr)
	if err := r.tf.SetLog("TRACE"); err != nil {
		r.t.Fatal(err)
	}
	if err := r.tf.SetLogPath(logPath); err != nil {
		r.t.Fatal(err)
	}
	err := command(context.Background())
	r.outputs[name+" stdout"], r.outputs[name+" stderr"] = stdout.Bytes(), stderr.Bytes()
	if log, readErr := os.ReadFile(logPath); readErr == nil {
		r.outputs[name+" log"] = log
	}
	if (err == nil) != wantSuccess {
		// Terraform's own output masks sensitive values; the scan below checks that it does.
		r.t.Fatalf("terraform %s: error %v, want success %v\nstdout:\n%s\nstderr:\n%s", name, r.redacted(errString(err)),
			wantSuccess, r.redacted(stdout.String()), r.redacted(stderr.String()))
	}
}

func errString(err error) string {
	if err == nil {
		return "none"
	}
	return err.Error()
}

// redacted hides the credentials this run put in the environment, in every form a request
// carries or a server echoes them (grant.SecretForms), and each line of a PEM, so that a failure
// message cannot print one even if Terraform did.
func (r *leakRun) redacted(s string) string {
	for name, value := range r.env {
		secret := strings.HasSuffix(name, "_PASSWORD") || strings.HasSuffix(name, "_SECRET") || strings.HasSuffix(name, "_PEM")
		if value == "" || !secret {
			continue
		}
		forms := grant.SecretForms(value)
		for line := range strings.SplitSeq(value, "\n") {
			if len(line) >= 16 && !strings.HasPrefix(line, "-----") {
				forms = append(forms, line)
			}
		}
		slices.SortFunc(forms, func(a, b string) int { return len(b) - len(a) }) // a form holding another first
		for _, form := range forms {
			s = strings.ReplaceAll(s, form, "<"+name+">")
		}
	}
	return s
}

// plan runs terraform plan, saving the plan to tfplan, as a pipeline's plan job does.
func (r *leakRun) plan(wantSuccess bool) {
	r.t.Helper()
	r.run("plan", wantSuccess, func(ctx context.Context) error {
		_, err := r.tf.Plan(ctx, tfexec.Out("tfplan"))
		return err
	})
}

// applyPlan applies the saved plan, as a pipeline's apply job does.
func (r *leakRun) applyPlan() {
	r.t.Helper()
	r.run("apply", true, func(ctx context.Context) error { return r.tf.Apply(ctx, tfexec.DirOrPlan("tfplan")) })
}

// addFile keeps a file of the working directory; plan files are zip archives, kept member by member.
func (r *leakRun) addFile(name string) {
	r.t.Helper()
	data, err := os.ReadFile(filepath.Join(r.tf.WorkingDir(), name))
	if err != nil {
		r.t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		r.outputs[name] = data
		return
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			r.t.Fatal(err)
		}
		var b bytes.Buffer
		_, err = b.ReadFrom(rc)
		rc.Close()
		if err != nil {
			r.t.Fatal(err)
		}
		r.outputs[name+"!"+f.Name] = b.Bytes()
	}
}

// secret is a value that must appear nowhere, except where allowedIn says.
type secret struct {
	label     string
	value     string
	allowedIn func(output string) bool
}

// scan fails the test for every secret found outside where it is allowed, naming the secret by
// its label and the place by output name and offset, never printing the value.
func (r *leakRun) scan(secrets []secret) {
	r.t.Helper()
	scanned := 0
	for name, data := range r.outputs {
		scanned += len(data)
		for _, s := range secrets {
			if s.value == "" || (s.allowedIn != nil && s.allowedIn(name)) {
				continue
			}
			if i := bytes.Index(data, []byte(s.value)); i >= 0 {
				r.t.Errorf("%s found in %s at byte %d (value withheld)", s.label, name, i)
			}
		}
	}
	r.t.Logf("scanned %d bytes in %d outputs for %d secret values", scanned, len(r.outputs), len(secrets))
}

// credentialSecrets are a type's test credentials in every form a request carries or a server
// may echo them.
func credentialSecrets(tt tokenType, base string, mutate func(*grant.Request)) []secret {
	req := testsupport.Request(tt.api, base)
	if mutate != nil {
		mutate(&req)
	}
	var out []secret
	for _, v := range testsupport.SecretForms(req) {
		out = append(out, secret{label: tt.name + " credential", value: v})
	}
	for _, s := range req.Secrets() { // the forms the token server echoes, written independently
		for _, v := range hostile.EchoedForms(s) {
			out = append(out, secret{label: tt.name + " credential as the server echoes it", value: v})
		}
	}
	return out
}

// receivedSecrets is the Basic credentials the token server last received for tt's API, in every
// form: what really went on the wire, found independently of what grant.Request.Secrets says
// (the two once differed for oauth2's form-encoded client_secret_basic).
func receivedSecrets(srv *tokenserver.Server, tt tokenType) []secret {
	last := srv.LastRequest(tt.server())
	if last == nil {
		return nil
	}
	label := " Basic credentials as received"
	cred, ok := strings.CutPrefix(last.Header.Get("Authorization"), "Basic ")
	if !ok {
		// A JWT the client signed (GitHub's app JWT): for its ten minutes it gets tokens.
		if cred, ok = strings.CutPrefix(last.Header.Get("Authorization"), "Bearer "); !ok {
			return nil
		}
		label = " app JWT as received"
	}
	var out []secret
	for _, v := range append(grant.SecretForms(cred), hostile.EchoedForms(cred)...) {
		out = append(out, secret{label: tt.name + label, value: v})
	}
	return out
}

// TestAccNoSecretLeaks runs plan (saved to a file) and apply for every type in both kinds with
// TF_LOG=trace, then scans stdout, stderr, the trace logs, the state and every member of the plan
// file for every credential and every token the server issued. The only place a secret may be is
// the data sources' own sensitive results, in state and the state snapshots inside the plan file.
func TestAccNoSecretLeaks(t *testing.T) {
	t.Parallel()
	srv, ts := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	// Credentials come from the environment, as in a pipeline: a literal in a .tf file would be
	// copied into the plan file's configuration snapshot by design.
	env := map[string]string{}
	// Default provider settings: token reuse is on, as users run it.
	config := "terraform {\n  required_providers {\n    authtoken = { source = \"authtoken/authtoken\" }\n  }\n}\n"
	for _, tt := range tokenTypes() {
		for k, v := range tt.testEnv(ts.URL) {
			env[k] = v
		}
		config += block("ephemeral", tt.name, "leak", nil, "provider = authtoken") +
			block("data", tt.name, "leak", nil, "provider = authtoken")
	}

	r := newLeakRun(t, config, env)
	r.plan(true)
	r.applyPlan()
	r.addFile("tfplan")
	r.addFile("terraform.tfstate")

	// Each block was opened or read at least once.
	for _, tt := range tokenTypes() {
		if n := srv.Requests(tt.server()); n < 2 {
			t.Errorf("%s: the server saw %d requests, want at least 2 (the ephemeral and the data source block)", tt.name, n)
		}
	}

	dataTokens := dataSourceTokens(t, r.tf)
	inState := func(name string) bool {
		return name == "terraform.tfstate" || strings.HasPrefix(name, "tfplan!tfstate")
	}
	var secrets []secret
	for _, tok := range srv.Issued() {
		s := secret{label: "an issued token", value: tok}
		if dataTokens[tok] {
			s.label, s.allowedIn = "a data source's token", inState
		}
		secrets = append(secrets, s)
	}
	if len(dataTokens) < len(tokenTypes())+1 { // every access token and Testinium's refresh token
		t.Errorf("found %d data-source tokens in state, want at least %d", len(dataTokens), len(tokenTypes())+1)
	}
	for _, tt := range tokenTypes() {
		secrets = append(secrets, credentialSecrets(tt, ts.URL, nil)...)
	}
	r.scan(secrets)
}

// TestAccNoSecretLeaksOnFailure: a rejected login, and servers that echo the request back in
// any encoding or put tokens in their errors, leak nothing into terraform's output or trace log.
func TestAccNoSecretLeaksOnFailure(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		fault      hostile.Failure
		password   string // replaces the documented password, when set
		wantStderr string
	}{
		"wrong password":   {password: "Wr0ng-Passw0rd!", wantStderr: "invalid_grant"},
		"echo":             {fault: hostile.FailEchoCredentials, password: "hunter2-S3cret <&>\"'+ é", wantStderr: "***"},
		"echo in HTML":     {fault: hostile.FailEchoHTML, wantStderr: "HTTP 400"},
		"tokens in errors": {fault: hostile.FailTokensInError, wantStderr: "***"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, ts := testsupport.HostileServer(t, tokenserver.DefaultConfig())
			env := map[string]string{}
			config := "terraform {\n  required_providers {\n    authtoken = { source = \"authtoken/authtoken\" }\n  }\n}\n"
			var secrets []secret
			for _, tt := range tokenTypes() {
				if tc.fault != hostile.FailNone {
					srv.SetFault(tt.server(), hostile.Fault{FailTimes: hostile.Always, FailWith: tc.fault})
				} else if tt.name != tennToken.name {
					continue
				}
				for k, v := range tt.testEnv(ts.URL) {
					env[k] = v
				}
				mutate := func(*grant.Request) {}
				if tc.password != "" && tt.api.NeedsUser {
					env[tt.envPrefix+"_PASSWORD"] = tc.password
					mutate = func(r *grant.Request) { r.Password = tc.password }
				}
				config += block("ephemeral", tt.name, "leak", nil, "provider = authtoken")
				if tc.fault != hostile.FailNone {
					config += block("data", tt.name, "leak", nil, "provider = authtoken")
				}
				secrets = append(secrets, credentialSecrets(tt, ts.URL, mutate)...)
			}
			r := newLeakRun(t, config, env)
			r.plan(false)
			if !bytes.Contains(r.outputs["plan stderr"], []byte(tc.wantStderr)) {
				t.Errorf("the diagnostics do not show %q:\n%s", tc.wantStderr, r.redacted(string(r.outputs["plan stderr"])))
			}
			if tc.fault == hostile.FailNone {
				if n := srv.Requests(tokenserver.Tenn); n != 1 {
					t.Errorf("a wrong password cost %d requests, want exactly 1", n)
				}
			}
			for _, tok := range srv.Issued() {
				secrets = append(secrets, secret{label: "a token in an error body", value: tok})
			}
			for _, tt := range tokenTypes() {
				secrets = append(secrets, receivedSecrets(srv.Server, tt)...)
			}
			r.scan(secrets)
		})
	}
}

// dataSourceTokens returns the access and refresh tokens the state holds for data sources.
func dataSourceTokens(t *testing.T, tf *tfexec.Terraform) map[string]bool {
	t.Helper()
	state, err := tf.Show(context.Background())
	if err != nil {
		t.Fatalf("terraform show: %v", err)
	}
	tokens := map[string]bool{}
	if state.Values == nil {
		return tokens
	}
	for _, res := range state.Values.RootModule.Resources {
		if res.Mode != "data" {
			continue
		}
		for _, attr := range []string{"access_token", "refresh_token"} {
			if v, ok := res.AttributeValues[attr].(string); ok && v != "" {
				tokens[v] = true
			}
		}
	}
	return tokens
}
