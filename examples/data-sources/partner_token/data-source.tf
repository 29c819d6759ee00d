terraform {
  required_version = ">= 1.10"

  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

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

# Secrets given to a data source cannot be ephemeral variables: a data source's arguments are
# saved in the state, so Terraform accepts no ephemeral value there. Mark them sensitive, or
# leave them out and set PARTNER_CLIENT_SECRET in the environment instead.

variable "partner_client_id" {
  type        = string
  description = "The Client ID issued to the partner."
}

variable "partner_client_secret" {
  type        = string
  description = "The Client Secret that goes with the Client ID."
  sensitive   = true
}
