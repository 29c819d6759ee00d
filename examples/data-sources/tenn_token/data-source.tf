# The results, access_token included, are stored in the state: prefer the tenn_token
# ephemeral resource wherever the consumer accepts ephemeral values.
data "tenn_token" "merchant" {
  provider = authtoken # the type name does not start with "authtoken"

  client_id     = var.tenn_client_id
  client_secret = var.tenn_client_secret
  username      = var.tenn_username
  password      = var.tenn_password
}

output "tenn_token_scopes" {
  value = data.tenn_token.merchant.scopes
}
