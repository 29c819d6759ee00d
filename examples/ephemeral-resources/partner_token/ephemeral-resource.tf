terraform {
  required_version = ">= 1.10"

  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

# Each partner runs the API on its own host: token_url has no default.
ephemeral "partner_token" "bookings" {
  provider = authtoken # the type name does not start with "authtoken"

  token_url     = "https://partner-api.example.com/api/oauth/token"
  client_id     = var.partner_client_id
  client_secret = var.partner_client_secret
}

# Values derived from an ephemeral resource are ephemeral too: they can go to provider blocks
# and other ephemeral contexts, and are never written to the plan or the state.
locals {
  partner_authorization = "Bearer ${ephemeral.partner_token.bookings.access_token}"
}

variable "partner_client_id" {
  type        = string
  description = "The Client ID issued to the partner."
}

variable "partner_client_secret" {
  type        = string
  description = "The Client Secret that goes with the Client ID."
  sensitive   = true
  ephemeral   = true # never written to the plan or the state
}
