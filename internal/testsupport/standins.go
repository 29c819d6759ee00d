package testsupport

import (
	"strings"
	"testing"

	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport/standin/helm"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport/standin/http"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport/standin/kubernetes"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport/standin/restapi"
)

// StandIn is a test-only provider with the schema of a real third-party provider (package
// standin), for validating configurations that use the real one when no offline copy of it exists.
type StandIn struct {
	Source  string // the real provider's source address, such as "hashicorp/kubernetes"
	Version string // the release whose documented schema it copies
	Docs    string // the registry docs the schema was taken from
	Probe   string // a valid block of one of its types, with %s for the provider reference
	name    string // the provider's type name: package standin/<name>, binary terraform-provider-<name>
}

// StandIns lists every stand-in provider.
func StandIns() []StandIn {
	return []StandIn{
		{Source: helm.Source, Version: helm.Version, Docs: helm.Docs, Probe: helm.Probe, name: "helm"},
		{Source: http.Source, Version: http.Version, Docs: http.Docs, Probe: http.Probe, name: "http"},
		{Source: kubernetes.Source, Version: kubernetes.Version, Docs: kubernetes.Docs, Probe: kubernetes.Probe, name: "kubernetes"},
		{Source: restapi.Source, Version: restapi.Version, Docs: restapi.Docs, Probe: restapi.Probe, name: "restapi"},
	}
}

// StandInFor returns the stand-in of a source address given as namespace/type or
// host/namespace/type, on the Terraform or the OpenTofu registry, in any case.
func StandInFor(source string) (StandIn, bool) {
	short := strings.ToLower(source)
	for _, host := range []string{"registry.terraform.io/", "registry.opentofu.org/"} {
		short = strings.TrimPrefix(short, host)
	}
	for _, s := range StandIns() {
		if strings.EqualFold(s.Source, short) {
			return s, true
		}
	}
	return StandIn{}, false
}

// Dir builds the stand-in's binary once per test process and returns its directory, for
// dev_overrides. Tests that use it must run under Main, which removes it.
func (s StandIn) Dir(tb testing.TB) string {
	tb.Helper()
	return buildOnce(tb, "github.com/authtoken/terraform-provider-authtoken/internal/testsupport/standin/"+s.name+
		"/cmd/terraform-provider-"+s.name, "terraform-provider-"+s.name)
}

// Overrides serve the stand-in under the real provider's source address on both registries.
func (s StandIn) Overrides(tb testing.TB) []Override {
	tb.Helper()
	dir := s.Dir(tb)
	return []Override{
		{"registry.terraform.io/" + s.Source, dir},
		{"registry.opentofu.org/" + s.Source, dir},
	}
}
