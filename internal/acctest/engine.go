package acctest

import (
	"testing"

	"github.com/hashicorp/go-version"
)

// CurrentEngine is the binary the tests drive (TF_ACC_TERRAFORM_PATH, else terraform on PATH).
func CurrentEngine() Engine { return detectEngine() }

// SkipBelow skips the test on Terraform older than terraform and on OpenTofu older than tofu
// (versions such as "1.11.0"); an engine whose version could not be read runs the test.
func SkipBelow(tb testing.TB, terraform, tofu string) {
	tb.Helper()
	e := detectEngine()
	if e.Version == nil {
		return
	}
	name, least := "Terraform", terraform
	if e.OpenTofu {
		name, least = "OpenTofu", tofu
	}
	if e.Version.LessThan(version.Must(version.NewVersion(least))) {
		tb.Skipf("%s %s is older than %s", name, e.Version, least)
	}
}
