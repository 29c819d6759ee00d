package provider

import (
	"bytes"
	"context"
	"crypto/sha1" //nolint:gosec // G505: x5t, the thumbprint under test, is SHA-1 by definition
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/authtoken/terraform-provider-authtoken/internal/acctest"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// The registry page's Entra example: the "entra" block of the oauth2_token page's example, which
// TestAccExamples validates only (its other blocks cannot run), taken from the file as it is and
// run through terraform against the token server's Entra-like endpoint (tokenserver/oauth2_entra.go),
// which stands in for login.microsoftonline.com through the host proxy.
const (
	entraExampleFile  = "examples/ephemeral-resources/oauth2_token/ephemeral-resource.tf"
	entraExampleBlock = "entra"
)

// TestAccEntraExample: the block as documented gets a token from the Entra-like endpoint, its
// assertion naming the certificate by both thumbprints; without private_key_cert_pem the same
// block sends no thumbprint, and the endpoint refuses it, as Entra does.
func TestAccEntraExample(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run tests that drive the terraform binary")
	}
	t.Parallel()
	block, _ := pem.Decode([]byte(tokenserver.OAuth2RSACertPEM()))
	sha1Sum, sha256Sum := sha1.Sum(block.Bytes), sha256.Sum256(block.Bytes) //nolint:gosec // G401: as above
	x5t, x5t256 := base64.RawURLEncoding.EncodeToString(sha1Sum[:]), base64.RawURLEncoding.EncodeToString(sha256Sum[:])

	t.Run("as documented", func(t *testing.T) {
		t.Parallel()
		run := runEntraExample(t, nil)
		if len(run.problems) > 0 {
			t.Fatalf("the Entra example failed against the Entra-like endpoint:\n  %s", strings.Join(run.problems, "\n  "))
		}
		if !run.applied {
			t.Fatal("the Entra example was planned but not applied")
		}
		header := run.assertionHeader(t)
		if header["x5t"] != x5t || header["x5t#S256"] != x5t256 {
			t.Errorf("the client assertion's header is %v; want x5t %s and x5t#S256 %s, the thumbprints of "+
				"oauth2_certificate_pem", header, x5t, x5t256)
		}
		if n := len(run.srv.IssuedFor(tokenserver.OAuth2)); n == 0 {
			t.Error("the token server issued no oauth2 token")
		}
	})

	t.Run("without private_key_cert_pem", func(t *testing.T) {
		t.Parallel()
		run := runEntraExample(t, func(b *hclwrite.Body) { b.RemoveAttribute("private_key_cert_pem") })
		text := strings.Join(run.problems, "\n")
		t.Logf("refused, as it should be:\n%s", text)
		for _, want := range []string{"plan against the token server failed", "HTTP 401 invalid_client", "neither x5t nor x5t#S256"} {
			if !strings.Contains(text, want) {
				t.Errorf("the problems do not mention %q:\n%s", want, text)
			}
		}
		header := run.assertionHeader(t)
		for _, k := range []string{"x5t", "x5t#S256"} {
			if _, has := header[k]; has {
				t.Errorf("the client assertion's header is %v: without private_key_cert_pem it names no certificate", header)
			}
		}
		if n := len(run.srv.IssuedFor(tokenserver.OAuth2)); n != 0 {
			t.Errorf("the token server issued %d oauth2 tokens to an assertion that names no certificate", n)
		}
	})
}

// entraRun is how a run of the Entra example went.
type entraRun struct {
	srv      *tokenserver.Server
	problems []string // what failed or warned, as TestAccExamples words it
	applied  bool
}

// assertionHeader is the JWS header of the client assertion of the token server's last oauth2
// request, which must have reached the Entra-like endpoint through the proxy.
func (run entraRun) assertionHeader(t *testing.T) map[string]any {
	t.Helper()
	last := run.srv.LastRequest(tokenserver.OAuth2)
	if last == nil {
		t.Fatal("no oauth2 token request reached the token server")
	}
	if last.Host != tokenserver.EntraHost || !strings.HasSuffix(last.Path, "/oauth2/v2.0/token") {
		t.Fatalf("the token request went to %s%s, not to Entra's token endpoint", last.Host, last.Path)
	}
	form, err := url.ParseQuery(string(last.Body))
	if err != nil {
		t.Fatalf("the token request's body is not a form: %v", err)
	}
	seg, _, _ := strings.Cut(form.Get("client_assertion"), ".")
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	var header map[string]any
	if err != nil || json.Unmarshal(raw, &header) != nil {
		t.Fatalf("the token request's client_assertion has no JWS header (client_assertion_type %q)",
			form.Get("client_assertion_type"))
	}
	return header
}

// runEntraExample writes a configuration of the example file's terraform block, its entra block
// (changed by edit, when set) and the variables that block uses, and plans (to a file) and applies
// it against a token server of its own, with this provider from a filesystem mirror: the requests
// to login.microsoftonline.com go to the token server through the host proxy, and the variables
// are the token server's certificate client.
func runEntraExample(t *testing.T, edit func(*hclwrite.Body)) entraRun {
	t.Helper()
	dir := t.TempDir()
	config := entraExampleConfig(t, edit)
	t.Logf("the configuration made of %s:\n%s", entraExampleFile, config)
	testsupport.WriteFile(t, filepath.Join(dir, "main.tf"), config)
	cfg, err := readExample(dir)
	if err != nil {
		t.Fatalf("the configuration made of %s is not parseable: %v", entraExampleFile, err)
	}
	var r exampleResult
	mirror, _, cannotApply := exampleMirror(t, cfg, &r)
	if len(r.problems) > 0 || len(cannotApply) > 0 {
		t.Fatalf("the Entra example needs more than this provider: %v %v", r.problems, cannotApply)
	}
	srv, _ := testsupport.TokenServer(t, tokenserver.DefaultConfig())
	proxy := acctest.NewHostProxy(t, srv, func(host string) bool { return host == tokenserver.EntraHost })
	cliConfig := cliConfigWithMirror(t, mirror)
	tf := exampleTerraform(t, dir, cliConfig, map[string]string{
		"AUTHTOKEN_PROXY_URL": proxy.URL, "AUTHTOKEN_CA_CERT_PEM": proxy.CAPEM,
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := tf.Init(ctx, tfexec.Backend(false)); err != nil {
		t.Fatalf("terraform init (offline, from the mirror) failed: %s", firstLines(err.Error(), 30))
	}
	values := map[string]string{
		"oauth2_client_id":       tokenserver.OAuth2CertClientID,
		"oauth2_private_key_pem": tokenserver.OAuth2RSAKeyPEM(),
		"oauth2_certificate_pem": tokenserver.OAuth2RSACertPEM(),
	}
	planVars, applyVars, missing := splitVariables(cfg.variables, values)
	if len(missing) > 0 {
		t.Fatalf("the entra block uses var.%s, which this test has no value for", strings.Join(missing, ", var."))
	}
	run := entraRun{srv: srv}
	step := func(name string, command func(w *bytes.Buffer) error) bool {
		errs, warnings, ok := jsonStep(tf, func(s string) string { return redactValues(s, planVars) }, command)
		for _, w := range warnings {
			run.problems = append(run.problems, name+" warned: "+w)
		}
		for _, e := range errs {
			run.problems = append(run.problems, name+" against the token server failed: "+e)
		}
		return ok
	}
	if !step("plan", func(w *bytes.Buffer) error {
		_, err := tf.PlanJSON(ctx, w, tfexec.Out("entra.tfplan"), tfexec.VarFile(writeVarFile(t, planVars)))
		return err
	}) {
		return run
	}
	if refused := proxy.Refused(); len(refused) > 0 {
		run.problems = append(run.problems, "the proxy refused "+strings.Join(refused, ", "))
	}
	run.applied = step("apply", func(w *bytes.Buffer) error {
		return tf.ApplyJSON(ctx, w, tfexec.DirOrPlan("entra.tfplan"), tfexec.VarFile(writeVarFile(t, applyVars)))
	})
	return run
}

// entraExampleConfig is the example file's terraform block, its ephemeral "oauth2_token" "entra"
// block, changed by edit when set, and the variable blocks that block refers to, as the file
// writes them.
func entraExampleConfig(t *testing.T, edit func(*hclwrite.Body)) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(testsupport.RepoRoot(), filepath.FromSlash(entraExampleFile)))
	if err != nil {
		t.Fatal(err)
	}
	file, diags := hclwrite.ParseConfig(src, entraExampleFile, hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("%s: %v", entraExampleFile, diags)
	}
	var settings, entra *hclwrite.Block
	variables := map[string]*hclwrite.Block{}
	for _, b := range file.Body().Blocks() {
		switch labels := b.Labels(); {
		case b.Type() == "terraform":
			settings = b
		case b.Type() == "ephemeral" && slices.Equal(labels, []string{"oauth2_token", entraExampleBlock}):
			entra = b
		case b.Type() == "variable" && len(labels) == 1:
			variables[labels[0]] = b
		}
	}
	if settings == nil || entra == nil {
		t.Fatalf("%s has no terraform block or no ephemeral \"oauth2_token\" %q block", entraExampleFile, entraExampleBlock)
	}
	if edit != nil {
		edit(entra.Body())
	}
	out := hclwrite.NewEmptyFile()
	out.Body().AppendBlock(settings)
	out.Body().AppendNewline()
	out.Body().AppendBlock(entra)
	var used []string
	for _, a := range entra.Body().Attributes() {
		for _, tr := range a.Expr().Variables() {
			ref := strings.Fields(string(tr.BuildTokens(nil).Bytes()))
			if name, ok := strings.CutPrefix(strings.Join(ref, ""), "var."); ok && !slices.Contains(used, name) {
				used = append(used, name)
			}
		}
	}
	slices.Sort(used)
	for _, name := range used {
		v, ok := variables[name]
		if !ok {
			t.Fatalf("%s: the entra block uses var.%s, which the file does not declare", entraExampleFile, name)
		}
		out.Body().AppendNewline()
		out.Body().AppendBlock(v)
	}
	return string(hclwrite.Format(out.Bytes()))
}
