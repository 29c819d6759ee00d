// Command terraform-provider-helm serves the test-only stand-in of hashicorp/helm (package helm) for
// terraform validate through dev_overrides. Tests build it; it is never released.
package main

import (
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport/standin"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport/standin/helm"
)

func main() { standin.Serve(helm.New()) }
