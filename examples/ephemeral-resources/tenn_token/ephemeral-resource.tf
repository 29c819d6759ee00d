# token_url defaults to Tenn's documented (test) host.
ephemeral "tenn_token" "merchant" {
  provider = authtoken # the type name does not start with "authtoken"

  client_id     = var.tenn_client_id
  client_secret = var.tenn_client_secret
  username      = var.tenn_username
  password      = var.tenn_password
}

# Values derived from an ephemeral resource are ephemeral too: they can go to provider blocks
# and other ephemeral contexts, and are never written to the plan or the state.
locals {
  tenn_authorization = "Bearer ${ephemeral.tenn_token.merchant.access_token}"
}
