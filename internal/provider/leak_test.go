package provider_test

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// The secret-leak test drives the terraform binary itself, with TF_LOG=trace, a saved plan file
// and a built provider binary, so that it can scan every byte Terraform and the provider write.

var (
	buildOnce   sync.Once
	builtDir    string
	errBuilding error
)

// providerDir builds the provider binary once per test run and returns its directory.
func providerDir(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		builtDir, errBuilding = os.MkdirTemp("", "authtoken-provider") //nolint:usetesting // shared by every test of the run
		if errBuilding != nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", filepath.Join(builtDir, "terraform-provider-authtoken"),
			"github.com/authtoken/terraform-provider-authtoken").CombinedOutput()
		if err != nil {
			errBuilding = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if errBuilding != nil {
		t.Fatal(errBuilding)
	}
	return builtDir
}

// terraformRun is a working directory whose terraform uses the freshly built provider.
type terraformRun struct {
	t       *testing.T
	dir     string
	env     []string
	outputs map[string][]byte // everything written, by a name for failure messages
}

func newTerraformRun(t *testing.T, config string, env ...string) *terraformRun {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run tests that drive the terraform binary")
	}
	dir := t.TempDir()
	cli := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"authtoken/authtoken\" = %q\n  }\n  direct {}\n}\n", providerDir(t))
	write(t, filepath.Join(dir, "terraform.rc"), cli)
	write(t, filepath.Join(dir, "main.tf"), config)
	return &terraformRun{t: t, dir: dir, outputs: map[string][]byte{}, env: append([]string{
		"TF_CLI_CONFIG_FILE=" + filepath.Join(dir, "terraform.rc"),
		"CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_LOG=trace",
	}, env...)}
}

// run runs one terraform command with its own trace log and keeps all it wrote.
func (r *terraformRun) run(name string, wantSuccess bool, args ...string) {
	r.t.Helper()
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		bin = "terraform"
	}
	var stdout, stderr bytes.Buffer
	logPath := filepath.Join(r.dir, name+".log")
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = r.dir, &stdout, &stderr
	cmd.Env = append(append(os.Environ(), r.env...), "TF_LOG_PATH="+logPath)
	err := cmd.Run()
	r.outputs[name+" stdout"], r.outputs[name+" stderr"] = stdout.Bytes(), stderr.Bytes()
	if log, readErr := os.ReadFile(logPath); readErr == nil {
		r.outputs[name+" log"] = log
	}
	if (err == nil) != wantSuccess {
		// Terraform's own output masks sensitive values; the scan below checks that it does.
		r.t.Fatalf("terraform %s: error %v, want success %v\nstdout:\n%s\nstderr:\n%s", name, err, wantSuccess,
			r.redacted(stdout.String()), r.redacted(stderr.String()))
	}
}

// redacted hides the credentials this run put in the environment, so that a failure message
// cannot print one even if Terraform did.
func (r *terraformRun) redacted(s string) string {
	for _, kv := range r.env {
		name, value, _ := strings.Cut(kv, "=")
		if value != "" && (strings.HasSuffix(name, "_PASSWORD") || strings.HasSuffix(name, "_SECRET")) {
			s = strings.ReplaceAll(s, value, "<"+name+">")
		}
	}
	return s
}

// addFile keeps a file of the working directory; plan files are zip archives, kept member by member.
func (r *terraformRun) addFile(name string) {
	r.t.Helper()
	data, err := os.ReadFile(filepath.Join(r.dir, name))
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
func (r *terraformRun) scan(secrets []secret) {
	r.t.Helper()
	scanned := 0
	for name, data := range r.outputs {
		scanned += len(data)
		for _, s := range secrets {
			if s.value == "" || (s.allowedIn != nil && s.allowedIn(name)) {
				continue
			}
			if i := bytes.Index(data, []byte(s.value)); i >= 0 {
				r.t.Errorf("%s found in %q at byte %d", s.label, name, i)
			}
		}
	}
	r.t.Logf("scanned %d bytes in %d outputs for %d secrets", scanned, len(r.outputs), len(secrets))
}

// credentialSecrets are an API's credentials in every form a request carries them.
func credentialSecrets(api, id, clientSecret, password string) []secret {
	out := []secret{
		{label: api + " client secret", value: clientSecret},
		{label: api + " client secret, form-encoded", value: url.QueryEscape(clientSecret)},
		{label: api + " Basic credentials", value: base64.StdEncoding.EncodeToString([]byte(id + ":" + clientSecret))},
	}
	if password != "" {
		out = append(out,
			secret{label: api + " password", value: password},
			secret{label: api + " password, form-encoded", value: url.QueryEscape(password)})
	}
	return out
}

func credentialsEnv(c apiCase) []string {
	var env []string
	for attr, v := range c.inputs {
		env = append(env, c.env+"_"+strings.ToUpper(attr)+"="+v)
	}
	return env
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestAccNoSecretLeaks runs plan (saved to a file) and apply for all six types with TF_LOG=trace,
// then scans stdout, stderr, the trace logs, the state and every member of the plan file for
// every credential and every token the server issued. The only place a secret may be is the
// data sources' own sensitive results, in state and the state snapshots inside the plan file.
func TestAccNoSecretLeaks(t *testing.T) {
	srv, ts := tokenserver.Start(t, tokenserver.DefaultConfig())
	cases := apiCases(ts.URL)
	// Credentials come from the environment, as in a pipeline: a literal in a .tf file would be
	// copied into the plan file's configuration snapshot by design.
	var env []string
	config := "provider \"authtoken\" {\n  reuse_tokens = false\n}\n" // one request per block
	for _, name := range []string{"tenn_token", "testinium_token", "partner_token"} {
		env = append(env, credentialsEnv(cases[name])...)
		config += block("ephemeral", name, "leak", nil, "provider = authtoken") +
			block("data", name, "leak", nil, "provider = authtoken")
	}
	config = "terraform {\n  required_providers {\n    authtoken = { source = \"authtoken/authtoken\" }\n  }\n}\n" + config

	r := newTerraformRun(t, config, env...)
	r.run("plan", true, "plan", "-input=false", "-out=tfplan")
	r.run("apply", true, "apply", "-input=false", "tfplan")
	r.addFile("tfplan")
	r.addFile("terraform.tfstate")

	// Each block was opened or read: ephemeral in plan and apply, data sources in plan.
	for _, c := range cases {
		if n := srv.Requests(c.api); n < 3 {
			t.Errorf("%s: the server saw %d requests, want at least 3 (ephemeral at plan and apply, data source at plan)", c.api, n)
		}
	}

	dataTokens := dataSourceTokens(t, r.outputs["terraform.tfstate"])
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
	if len(dataTokens) < 4 { // 3 access tokens and Testinium's refresh token
		t.Errorf("found %d data-source tokens in state, want at least 4", len(dataTokens))
	}
	for _, c := range cases {
		secrets = append(secrets, credentialSecrets(string(c.api), c.inputs["client_id"], c.inputs["client_secret"], c.inputs["password"])...)
	}
	r.scan(secrets)
}

// TestAccNoSecretLeaksOnFailure: a rejected login leaks nothing either, and costs one request.
func TestAccNoSecretLeaksOnFailure(t *testing.T) {
	srv, ts := tokenserver.Start(t, tokenserver.DefaultConfig())
	c := apiCases(ts.URL)["tenn_token"]
	const wrongPassword = "Wr0ng-Passw0rd!"
	env := append(credentialsEnv(c), "TENN_PASSWORD="+wrongPassword)
	r := newTerraformRun(t, "terraform {\n  required_providers {\n    tenn = { source = \"authtoken/authtoken\" }\n  }\n}\n"+
		block("ephemeral", "tenn_token", "leak", nil), env...)
	r.run("plan", false, "plan", "-input=false", "-out=tfplan")

	if !bytes.Contains(r.outputs["plan stderr"], []byte("invalid_grant")) {
		t.Errorf("the diagnostic does not name invalid_grant:\n%s", r.outputs["plan stderr"])
	}
	if n := srv.Requests(tokenserver.Tenn); n != 1 {
		t.Errorf("a wrong password cost %d requests, want exactly 1", n)
	}
	r.scan(credentialSecrets("tenn", c.inputs["client_id"], c.inputs["client_secret"], wrongPassword))
}

// dataSourceTokens returns the access and refresh tokens the state holds for data sources.
func dataSourceTokens(t *testing.T, state []byte) map[string]bool {
	t.Helper()
	var s struct {
		Resources []struct {
			Mode      string `json:"mode"`
			Instances []struct {
				Attributes map[string]any `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(state, &s); err != nil {
		t.Fatalf("state is not JSON: %v", err)
	}
	tokens := map[string]bool{}
	for _, res := range s.Resources {
		for _, inst := range res.Instances {
			for _, attr := range []string{"access_token", "refresh_token"} {
				if v, ok := inst.Attributes[attr].(string); ok && res.Mode == "data" && v != "" {
					tokens[v] = true
				}
			}
		}
	}
	return tokens
}
