# The client defaults to Testinium's documented public client, and token_url to
# https://account.testinium.com/uaa/oauth/token.
ephemeral "testinium_token" "ci" {
  provider = authtoken # the type name does not start with "authtoken"

  username = var.testinium_username
  password = var.testinium_password
  scope    = "api"
}

# Values derived from an ephemeral resource are ephemeral too: they can go to provider blocks
# and other ephemeral contexts, and are never written to the plan or the state.
locals {
  testinium_authorization = "Bearer ${ephemeral.testinium_token.ci.access_token}"
}
