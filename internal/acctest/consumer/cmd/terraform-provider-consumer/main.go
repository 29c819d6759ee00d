// Command terraform-provider-consumer serves the test-only consumer provider (package consumer)
// for terraform runs through dev_overrides. Tests build it; it is never released.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/authtoken/terraform-provider-authtoken/internal/acctest/consumer"
)

func main() {
	err := providerserver.Serve(context.Background(), consumer.New, providerserver.ServeOpts{
		Address:         consumer.Address,
		ProtocolVersion: 6,
	})
	if err != nil {
		log.Fatal(err)
	}
}
