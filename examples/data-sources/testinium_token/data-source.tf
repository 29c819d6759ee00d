# The results, access_token and refresh_token included, are stored in the state: prefer the
# testinium_token ephemeral resource wherever the consumer accepts ephemeral values.
data "testinium_token" "ci" {
  provider = authtoken # the type name does not start with "authtoken"

  username = var.testinium_username
  password = var.testinium_password
  scope    = "api"
}

output "testinium_token_expires_at" {
  value = data.testinium_token.ci.expires_at
}
