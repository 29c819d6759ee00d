// Command terraform-provider-kubernetes serves the test-only stand-in of hashicorp/kubernetes (package kubernetes) for
// terraform validate through dev_overrides. Tests build it; it is never released.
package main

import (
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport/standin"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport/standin/kubernetes"
)

func main() { standin.Serve(kubernetes.New()) }
