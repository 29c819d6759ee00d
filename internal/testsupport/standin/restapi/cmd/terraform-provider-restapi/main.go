// Command terraform-provider-restapi serves the test-only stand-in of Mastercard/restapi (package restapi) for
// terraform validate through dev_overrides. Tests build it; it is never released.
package main

import (
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport/standin"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport/standin/restapi"
)

func main() { standin.Serve(restapi.New()) }
