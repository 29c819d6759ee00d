package provider

import (
	"context"
	"encoding/pem"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	tfconfig "github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// Acceptance tests of mutual TLS (client_cert_pem, client_key_pem): Tenn's token endpoint stands
// behind a gateway that admits only a certificate the test CA issued to one subject, and the
// provider trusts the test CA through ca_cert_pem.

const mtlsSubject = "merchant-1"

// mtlsTennServer serves the token server over TLS with Tenn behind the client certificate gateway.
func mtlsTennServer(t *testing.T, ca *testsupport.CA) (*tokenserver.Server, string) {
	t.Helper()
	cfg := tokenserver.DefaultConfig()
	cfg.ClientCertSubject = map[tokenserver.API]string{tokenserver.Tenn: mtlsSubject}
	srv, ts := testsupport.TokenServerMTLS(t, cfg, ca)
	return srv, ts.URL
}

// TestAccClientCertificate: the ephemeral resource, with the key from an ephemeral variable, and
// the data source both get a token from the endpoint that asks for the certificate.
func TestAccClientCertificate(t *testing.T) {
	t.Parallel()
	ca := testsupport.NewCA(t)
	srv, base := mtlsTennServer(t, ca)
	cert, key := ca.Issue(t, testsupport.CertOptions{CommonName: mtlsSubject})
	ephemeralInputs := tennToken.testInputs(base)
	ephemeralInputs["client_cert_pem"], ephemeralInputs["client_key_pem"] = "=var.client_cert", "=var.client_key"
	dataInputs := with(with(tennToken.testInputs(base), "client_cert_pem", cert), "client_key_pem", key)
	cfg := fmt.Sprintf("provider \"tenn\" {\n  ca_cert_pem = %q\n}\n", ca.CertPEM) +
		"variable \"client_cert\" {\n  type      = string\n  ephemeral = true\n}\n" +
		"variable \"client_key\" {\n  type      = string\n  ephemeral = true\n  sensitive = true\n}\n" +
		block("ephemeral", "tenn_token", "test", ephemeralInputs) + block("data", "tenn_token", "test", dataInputs) +
		echoConfig("tenn_token", "test")
	accTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		TerraformVersionChecks:   ephemeralOnly,
		Steps: []resource.TestStep{{
			Config:          cfg,
			ConfigVariables: tfconfig.Variables{"client_cert": tfconfig.StringVariable(cert), "client_key": tfconfig.StringVariable(key)},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.test", echoData("access_token"), issuedBy{srv}),
				statecheck.ExpectKnownValue("data.tenn_token.test", tfjsonpath.New("access_token"), issuedBy{srv}),
			},
		}},
	})
	if got := srv.ClientCertificates(tokenserver.Tenn); len(got) < 2 || srv.GatewayRefusals(tokenserver.Tenn) != 0 {
		t.Errorf("the gateway admitted %v and refused %d requests; want both blocks admitted, none refused",
			got, srv.GatewayRefusals(tokenserver.Tenn))
	}
}

// TestAccClientCertificateNoLeaks: the certificate and key from the environment, plan to a file
// and apply with TF_LOG=trace; neither PEM is anywhere in the output, the logs, the plan or the
// state. The certificate expires in 10 days: each block warns, and gets its token.
func TestAccClientCertificateNoLeaks(t *testing.T) {
	t.Parallel()
	ca := testsupport.NewCA(t)
	srv, base := mtlsTennServer(t, ca)
	cert, key := ca.Issue(t, testsupport.CertOptions{CommonName: mtlsSubject, NotAfter: time.Now().Add(10 * 24 * time.Hour)})
	env := tennToken.testEnv(base)
	env["AUTHTOKEN_CA_CERT_PEM"], env["TENN_CLIENT_CERT_PEM"], env["TENN_CLIENT_KEY_PEM"] = ca.CertPEM, cert, key
	cfg := "terraform {\n  required_providers {\n    authtoken = { source = \"authtoken/authtoken\" }\n  }\n}\n" +
		block("ephemeral", "tenn_token", "leak", nil, "provider = authtoken") +
		block("data", "tenn_token", "leak", nil, "provider = authtoken")
	r := newLeakRun(t, cfg, env)
	r.plan(true)
	r.applyPlan()
	r.addFile("tfplan")
	r.addFile("terraform.tfstate")
	warning := regexp.MustCompile(`(?s)Warning: The TLS client certificate expires soon.*client_cert_pem\s+expires\s+on`)
	if n := len(warning.FindAllIndex(r.outputs["plan stdout"], -1)); n < 1 {
		t.Errorf("plan shows no expiry warning:\n%s", r.redacted(string(r.outputs["plan stdout"])))
	}
	if n := len(srv.ClientCertificates(tokenserver.Tenn)); n < 2 {
		t.Errorf("the gateway admitted %d requests, want at least 2", n)
	}
	r.scan(pemSecrets(cert, key))
}

// TestAccClientCertificateBadInput: each unusable certificate or key is an error at plan that
// names the attribute, sends no request and quotes neither PEM; a missing certificate where the
// gateway wants one is refused by the gateway, before the token endpoint, and names
// client_cert_pem.
func TestAccClientCertificateBadInput(t *testing.T) {
	t.Parallel()
	ca := testsupport.NewCA(t)
	cert, key := ca.Issue(t, testsupport.CertOptions{CommonName: mtlsSubject})
	_, otherKey := ca.Issue(t, testsupport.CertOptions{CommonName: mtlsSubject})
	expired, expiredKey := ca.Issue(t, testsupport.CertOptions{CommonName: mtlsSubject,
		NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-time.Hour)})
	block, _ := pem.Decode([]byte(key))
	encrypted := string(pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: block.Bytes}))
	for name, tc := range map[string]struct {
		cert, key string
		want      string
		refusals  int // requests the gateway refuses
	}{
		"mismatched key":      {cert: cert, key: otherKey, want: `(?s)Invalid client_key_pem.*does\s+not\s+belong\s+to\s+the\s+client\s+certificate`},
		"expired certificate": {cert: expired, key: expiredKey, want: `(?s)Invalid client_cert_pem.*client\s+certificate\s+expired\s+on`},
		"encrypted key":       {cert: cert, key: encrypted, want: `(?s)Invalid client_key_pem.*openssl\s+pkey\s+-in\s+key.pem\s+-out\s+key-plain.pem`},
		"missing certificate": {want: `(?s)wants\s+a\s+TLS\s+client\s+certificate.*Set\s+client_cert_pem\s+and\s+client_key_pem`, refusals: 2},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, base := mtlsTennServer(t, ca)
			env := tennToken.testEnv(base)
			env["AUTHTOKEN_CA_CERT_PEM"] = ca.CertPEM
			if tc.cert != "" {
				env["TENN_CLIENT_CERT_PEM"], env["TENN_CLIENT_KEY_PEM"] = tc.cert, tc.key
			}
			cfg := "terraform {\n  required_providers {\n    authtoken = { source = \"authtoken/authtoken\" }\n  }\n}\n" +
				blockWithProvider("ephemeral") + blockWithProvider("data")
			r := newLeakRun(t, cfg, env)
			r.run("plan", false, func(ctx context.Context) error {
				_, err := r.tf.Plan(ctx)
				return err
			})
			stderr := string(r.outputs["plan stderr"])
			if n := len(regexp.MustCompile(tc.want).FindAllStringIndex(stderr, -1)); n < 1 {
				t.Errorf("the diagnostics do not match %s:\n%s", tc.want, r.redacted(stderr))
			}
			for _, kind := range []string{"ephemeral", "data"} {
				if !strings.Contains(stderr, kind+`.tenn_token.bad`) && !strings.Contains(stderr, `in `+kind+` "tenn_token" "bad"`) {
					t.Errorf("no diagnostic names the %s block", kind)
				}
			}
			if n, refused := srv.Requests(tokenserver.Tenn), srv.GatewayRefusals(tokenserver.Tenn); n != 0 || refused != tc.refusals {
				t.Errorf("%d requests reached the token endpoint and the gateway refused %d; want 0 and %d", n, refused, tc.refusals)
			}
			r.scan(pemSecrets(tc.cert, tc.key))
		})
	}
}

func blockWithProvider(kind string) string {
	return block(kind, "tenn_token", "bad", nil, "provider = authtoken")
}

// pemSecrets are the PEMs' contents, line by line, for a leak scan: no output may hold a line of
// either, whatever it did to the line breaks.
func pemSecrets(pems ...string) []secret {
	var out []secret
	for i, p := range pems {
		for line := range strings.SplitSeq(p, "\n") {
			if len(line) >= 16 && !strings.HasPrefix(line, "-----") && !slices.ContainsFunc(out, func(s secret) bool { return s.value == line }) {
				out = append(out, secret{label: fmt.Sprintf("a line of PEM #%d", i+1), value: line})
			}
		}
	}
	return out
}

// TestAccTLSClientAuth: oauth2_token with client_auth = "tls_client_auth" (RFC 8705 2.1): the
// client certificate alone authenticates the client, through terraform, the ephemeral resource
// and the data source alike; without the certificate, the plan fails on client_cert_pem. A
// self_signed_tls_client_auth client found through its issuer gets its token from the metadata's
// mtls_endpoint_aliases (the token server's listener under the name localhost).
func TestAccTLSClientAuth(t *testing.T) {
	t.Parallel()
	ca := testsupport.NewCA(t)
	cert, key := ca.Issue(t, testsupport.CertOptions{CommonName: "inventory-mtls"})
	cfg := tokenserver.DefaultConfig()
	cfg.Clients[tokenserver.OAuth2]["mtls-client"] = tokenserver.TLSClientAuthPrefix + "inventory-mtls"
	selfCert, selfKey := testsupport.NewCA(t).Issue(t, testsupport.CertOptions{CommonName: "self-signed"})
	cfg.Clients[tokenserver.OAuth2]["self-signed-client"] = tokenserver.SelfSignedTLSPrefix + selfCert
	srv, ts := testsupport.TokenServerRFC8705(t, cfg, ca)
	selfSigned := map[string]string{"issuer": tokenserver.OAuth2Issuer(ts.URL), "client_id": "self-signed-client",
		"client_auth": "self_signed_tls_client_auth", "client_cert_pem": selfCert, "client_key_pem": selfKey}
	inputs := map[string]string{"token_url": tokenserver.TokenURL(ts.URL, tokenserver.OAuth2), "client_id": "mtls-client",
		"client_auth": "tls_client_auth", "client_cert_pem": cert, "client_key_pem": key}
	provider := fmt.Sprintf("provider \"oauth2\" {\n  ca_cert_pem = %q\n}\n", ca.CertPEM)
	noCert := maps.Clone(inputs)
	delete(noCert, "client_cert_pem")
	delete(noCert, "client_key_pem")
	accTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		TerraformVersionChecks:   ephemeralOnly,
		Steps: []resource.TestStep{{
			// First, so that the destroy at the end uses the configuration that works.
			Config:      provider + block("ephemeral", "oauth2_token", "test", noCert) + echoConfig("oauth2_token", "test"),
			ExpectError: regexp.MustCompile(`(?s)Invalid client_cert_pem.*tls_client_auth authenticates the client by\s+its\s+TLS\s+certificate`),
		}, {
			Config: provider + block("ephemeral", "oauth2_token", "test", inputs) + echoConfig("oauth2_token", "test") +
				block("data", "oauth2_token", "test", inputs),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.test", echoData("access_token"), issuedBy{srv}),
				statecheck.ExpectKnownValue("data.oauth2_token.test", tfjsonpath.New("access_token"), issuedBy{srv}),
			},
		}, {
			// Last, so that the last token request of the test is this client's.
			Config: provider + block("data", "oauth2_token", "self_signed", selfSigned),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.oauth2_token.self_signed", tfjsonpath.New("access_token"), issuedBy{srv}),
			},
		}},
	})
	last := srv.LastRequest(tokenserver.OAuth2)
	if alias := strings.TrimPrefix(tokenserver.MTLSAliasBase(ts.URL), "https://"); last == nil || last.Host != alias ||
		!strings.Contains(string(last.Body), "client_id=self-signed-client") {
		where := "nowhere"
		if last != nil {
			where = last.Host + last.Path // not the request: its header and body would be printed
		}
		t.Errorf("the self-signed client's last token request went to %s, want the mTLS alias %s", where, alias)
	}
}
