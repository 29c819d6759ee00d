package acctest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/go-version"

	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport"
)

// PluginDirsEnv names, when set, the local plugin directories (filesystem mirrors) that
// FindLocalProvider searches instead of the usual ones, separated by the path list separator; set
// to a directory without providers, it shows what a machine without them does.
const PluginDirsEnv = "AUTHTOKEN_TEST_PLUGIN_DIRS"

// PluginDirs are the local plugin directories FindLocalProvider searches, in order: the machine
// image's /opt/tf-plugins (which holds a hashicorp/aws release for offline tests), and the implied
// local mirror directories Terraform itself searches on Unix; or those PluginDirsEnv names.
func PluginDirs() []string {
	if dirs := os.Getenv(PluginDirsEnv); dirs != "" {
		return filepath.SplitList(dirs)
	}
	dirs := []string{"/opt/tf-plugins"}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, ".terraform.d", "plugins"), filepath.Join(home, ".local", "share", "terraform", "plugins"))
	}
	return append(dirs, "/usr/local/share/terraform/plugins", "/usr/share/terraform/plugins")
}

// LocalProvider is a release of a provider in a local plugin directory, in the unpacked layout
// <mirror>/<host>/<namespace>/<type>/<version>/<os>_<arch>/terraform-provider-<type>*.
type LocalProvider struct {
	Source  string // host/namespace/type, such as registry.terraform.io/hashicorp/aws
	Version string
	Mirror  string // the directory a filesystem_mirror block names
	Dir     string // the package directory
	Binary  string // the provider's executable in Dir
}

// FindLocalProvider returns the newest release of source (host/namespace/type) for this platform
// in the first of PluginDirs that has one.
func FindLocalProvider(source string) (LocalProvider, bool) {
	platform := runtime.GOOS + "_" + runtime.GOARCH
	typ := source[strings.LastIndex(source, "/")+1:]
	for _, mirror := range PluginDirs() {
		versionsDir := filepath.Join(mirror, filepath.FromSlash(source))
		entries, err := os.ReadDir(versionsDir)
		if err != nil {
			continue
		}
		var found []*version.Version
		binaries := map[string]string{}
		for _, e := range entries {
			v, err := version.NewVersion(e.Name())
			if err != nil {
				continue
			}
			bins, _ := filepath.Glob(filepath.Join(versionsDir, e.Name(), platform, "terraform-provider-"+typ+"*"))
			if len(bins) > 0 {
				found = append(found, v)
				binaries[e.Name()] = bins[0]
			}
		}
		if len(found) == 0 {
			continue
		}
		sort.Sort(version.Collection(found))
		newest := found[len(found)-1].Original()
		return LocalProvider{Source: source, Version: newest, Mirror: mirror,
			Dir: filepath.Join(versionsDir, newest, platform), Binary: binaries[newest]}, true
	}
	return LocalProvider{}, false
}

// MirrorPackage is a provider binary to put into a filesystem mirror under a source and version.
type MirrorPackage struct {
	Source  string // host/namespace/type
	Version string
	Binary  string // the path of the binary
}

// Mirror makes dir a filesystem mirror in the unpacked layout holding each package (a symbolic
// link to its binary), so that `terraform init` can install providers that dev_overrides serve
// when the configuration also needs a provider that only a mirror has.
func Mirror(tb testing.TB, dir string, packages ...MirrorPackage) {
	tb.Helper()
	platform := runtime.GOOS + "_" + runtime.GOARCH
	for _, p := range packages {
		pkgDir := filepath.Join(dir, filepath.FromSlash(p.Source), p.Version, platform)
		if err := os.MkdirAll(pkgDir, 0o750); err != nil {
			tb.Fatal(err)
		}
		if err := os.Symlink(p.Binary, filepath.Join(pkgDir, filepath.Base(p.Binary))); err != nil {
			tb.Fatal(err)
		}
	}
}

// FilesystemMirror is a filesystem_mirror block of a CLI configuration.
type FilesystemMirror struct {
	Path    string
	Include []string // source addresses (host/namespace/type)
}

// CLIConfig writes a CLI configuration into dir that serves authtoken/authtoken from the provider
// built by ProviderDir and each of overrides from its directory (dev_overrides), and installs the
// providers of mirrors from their directories (filesystem_mirror, for `terraform init`), and
// returns its path. With no mirrors it is DevOverridesConfig's configuration.
func CLIConfig(tb testing.TB, dir string, overrides []Override, mirrors ...FilesystemMirror) string {
	tb.Helper()
	if len(mirrors) == 0 {
		return DevOverridesConfig(tb, dir, overrides...)
	}
	var b strings.Builder
	b.WriteString("provider_installation {\n  dev_overrides {\n")
	for _, o := range append([]Override{
		{"registry.terraform.io/authtoken/authtoken", ProviderDir(tb)},
		{"registry.opentofu.org/authtoken/authtoken", ProviderDir(tb)},
	}, overrides...) {
		fmt.Fprintf(&b, "    %q = %q\n", o.Source, o.Dir)
	}
	b.WriteString("  }\n")
	for _, m := range mirrors {
		fmt.Fprintf(&b, "  filesystem_mirror {\n    path    = %q\n    include = [", m.Path)
		for i, s := range m.Include {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%q", s)
		}
		b.WriteString("]\n  }\n")
	}
	b.WriteString("}\n")
	path := filepath.Join(dir, ".terraformrc")
	testsupport.WriteFile(tb, path, b.String())
	return path
}
