package testsupport

import (
	"os/exec"
	"strings"
	"testing"
)

// TestBinariesLinkNoTestCode: no package of this module that the provider or the token server
// binary links imports testing or httptest, or anything under internal/testsupport or
// internal/acctest (the test-only consumer and stand-in providers among them); test support lives
// in _test.go files and there. depguard (.golangci.yml) checks the same of every non-test file.
// (The provider binary links the testing package all the same, through hashicorp/go-plugin,
// which every Terraform provider serves with; that is not ours to change.)
func TestBinariesLinkNoTestCode(t *testing.T) {
	const module = "github.com/authtoken/terraform-provider-authtoken"
	for _, binary := range []string{module, module + "/cmd/tokenserver"} {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}:{{join .Imports \" \"}}", binary).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", binary, err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			pkg, imports, _ := strings.Cut(line, ":")
			if !strings.HasPrefix(pkg, module) {
				continue
			}
			for _, imp := range strings.Fields(imports) {
				if imp == "testing" || imp == "net/http/httptest" || testSupport(module, imp) {
					t.Errorf("%s links %s, which imports %s", binary, pkg, imp)
				}
			}
		}
	}
}

// testSupport reports whether imp is one of the module's test support packages.
func testSupport(module, imp string) bool {
	for _, dir := range []string{"/internal/testsupport", "/internal/acctest"} {
		if imp == module+dir || strings.HasPrefix(imp, module+dir+"/") {
			return true
		}
	}
	return false
}
