package acctest

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/authtoken/terraform-provider-authtoken/internal/acctest/standin"
)

// StandIn is a test-only provider with the schema of a real third-party provider (package
// standin), for validating configurations that use the real one when no offline copy of it exists.
type StandIn struct{ *standin.Provider }

// StandIns lists every stand-in provider.
func StandIns() []StandIn {
	var out []StandIn
	for _, p := range standin.All() {
		out = append(out, StandIn{p})
	}
	return out
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

// standInLinks guards the per-stand-in directories Dir makes.
var standInLinks sync.Mutex

// Dir returns a directory holding terraform-provider-<type>, for dev_overrides: a hard link to the
// one stand-in command, built once per test process, which serves the stand-in its name names.
// Tests that use it must run under Main, which removes it.
func (s StandIn) Dir(tb testing.TB) string {
	tb.Helper()
	const command = "terraform-provider-standin"
	built := filepath.Join(buildOnce(tb, "github.com/authtoken/terraform-provider-authtoken/internal/acctest/standin/cmd/"+command, command), command)
	name := "terraform-provider-" + s.TypeName
	dir := filepath.Join(workDir, "standin-"+s.TypeName)
	standInLinks.Lock()
	defer standInLinks.Unlock()
	if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
		return dir
	}
	// A hard link, not a symbolic one: the command reads its name from os.Args[0], and a
	// symbolic link that something resolves would name the command itself.
	if err := os.MkdirAll(dir, 0o750); err != nil {
		tb.Fatal(err)
	}
	if err := os.Link(built, filepath.Join(dir, name)); err != nil {
		tb.Fatal(err)
	}
	return dir
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
