# Runs against a token server started before `terraform test` (run-tests.sh, or a CI step), which
# sets TF_VAR_issuer, TF_VAR_client_id, TF_VAR_client_secret and TF_VAR_api_url, and
# OAUTH2_CLIENT_SECRET for the data source.

run "api_accepts_the_token" {
  # The apply runs the consumer: it fails unless the API accepts the ephemeral token.
  assert {
    condition     = terraform_data.inventory_check.id != ""
    error_message = "The consumer of the ephemeral token did not run."
  }

  assert {
    condition     = output.reporting_scopes == tolist(["api.read"])
    error_message = "The reporting token has scopes ${jsonencode(output.reporting_scopes)}, not [\"api.read\"]."
  }
}

run "short_lived_tokens_are_caught" {
  command = plan

  variables {
    min_token_lifetime = 86400 # the token server issues tokens for an hour
  }

  expect_failures = [check.token_lifetime]
}
