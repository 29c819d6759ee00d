package acctest

import (
	"testing"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/authtoken/terraform-provider-authtoken/internal/acctest/consumer"
)

// ConsumerSource is the source address configurations give the test-only consumer provider
// (package consumer) when terraform runs it from ConsumerDir through dev_overrides:
//
//	consumer = { source = "example.test/test/consumer" }
const ConsumerSource = consumer.Address

// ConsumerDir builds the consumer provider binary once per test process and returns its
// directory, for dev_overrides. Tests that use it must run under Main, which removes it.
func ConsumerDir(tb testing.TB) string {
	tb.Helper()
	return buildOnce(tb, "github.com/authtoken/terraform-provider-authtoken/internal/acctest/consumer/cmd/terraform-provider-consumer",
		"terraform-provider-"+consumer.TypeName)
}

// TerraformWithConsumer is Terraform with the consumer provider served too, under ConsumerSource.
func TerraformWithConsumer(tb testing.TB, config string, env map[string]string) *tfexec.Terraform {
	tb.Helper()
	return Terraform(tb, config, env, Override{ConsumerSource, ConsumerDir(tb)})
}
