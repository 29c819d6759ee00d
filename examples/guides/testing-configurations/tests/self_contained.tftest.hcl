# Starts its own token server (the setup module in tests/token-server), so it needs no wrapper
# script: `terraform test -filter=tests/self_contained.tftest.hcl`, with tokenserver on PATH.
run "start_token_server" {
  module {
    source = "./tests/token-server"
  }
}

run "api_accepts_the_token" {
  variables {
    issuer        = "${run.start_token_server.base_url}/oauth2"
    client_id     = "inventory-ci"
    client_secret = "inventory-test-secret" # the token server's test value, from tokenserver.json
    api_url       = "${run.start_token_server.base_url}/oauth2/userinfo"
  }

  # The reporting module reads its secret from OAUTH2_CLIENT_SECRET, which a test file cannot
  # set: its outputs are overridden here (it has tests of its own, with a mock provider).
  override_module {
    target = module.reporting
    outputs = {
      scopes     = ["api.read"]
      expires_at = "2030-01-01T00:00:00Z"
    }
  }

  assert {
    condition     = terraform_data.inventory_check.id != ""
    error_message = "The consumer of the ephemeral token did not run."
  }
}
