package testsupport

import (
	"os/exec"
	"strings"
	"testing"
)

// TestBinariesLinkNoTestCode: no package of this module that the provider or the token server
// binary links imports testing or httptest, or anything under internal/testsupport (the test-only
// consumer provider among them); test support lives in _test.go files and here.
// (The provider binary links the testing package all the same, through hashicorp/go-plugin,
// which every Terraform provider serves with; that is not ours to change.)
func TestBinariesLinkNoTestCode(t *testing.T) {
	const module = "github.com/authtoken/terraform-provider-authtoken"
	for _, binary := range []string{module, module + "/internal/tokenserver/cmd/tokenserver"} {
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
				if imp == "testing" || imp == "net/http/httptest" || imp == module+"/internal/testsupport" ||
					strings.HasPrefix(imp, module+"/internal/testsupport/") {
					t.Errorf("%s links %s, which imports %s", binary, pkg, imp)
				}
			}
		}
	}
}
