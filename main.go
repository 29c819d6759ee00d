// Command terraform-provider-authtoken serves the authtoken provider over plugin protocol 6
// (internal/provider); -debug serves it for a debugger.
package main

import (
	"context"
	"flag"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/authtoken/terraform-provider-authtoken/internal/provider"
)

// version is set by goreleaser at build time.
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()
	quietUnlessLogging(debug)

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address:         "registry.terraform.io/authtoken/authtoken",
		Debug:           debug,
		ProtocolVersion: 6,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}

// quietUnlessLogging turns the plugin SDK's own logs off when Terraform will discard them
// anyway (neither TF_LOG nor TF_LOG_PROVIDER is set). The SDK formats every call at TRACE
// regardless: measured at a third of the provider's CPU in a plan of 100 tokens (BENCHMARKS.md).
// A variable the user set is left alone.
func quietUnlessLogging(debug bool) {
	if debug || os.Getenv("TF_LOG") != "" || os.Getenv("TF_LOG_PROVIDER") != "" {
		return
	}
	for _, name := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"} {
		if _, set := os.LookupEnv(name); !set {
			_ = os.Setenv(name, "OFF")
		}
	}
}
