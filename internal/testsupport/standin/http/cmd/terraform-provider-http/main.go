// Command terraform-provider-http serves the test-only stand-in of hashicorp/http (package http) for
// terraform validate through dev_overrides. Tests build it; it is never released.
package main

import (
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport/standin"
	"github.com/authtoken/terraform-provider-authtoken/internal/testsupport/standin/http"
)

func main() { standin.Serve(http.New()) }
