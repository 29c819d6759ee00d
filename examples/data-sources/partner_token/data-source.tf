# The results, access_token included, are stored in the state: prefer the partner_token
# ephemeral resource wherever the consumer accepts ephemeral values.
data "partner_token" "bookings" {
  provider = authtoken # the type name does not start with "authtoken"

  token_url     = "https://partner-api.example.com/api/oauth/token"
  client_id     = var.partner_client_id
  client_secret = var.partner_client_secret
}

output "partner_token_expires_at" {
  value = data.partner_token.bookings.expires_at
}
