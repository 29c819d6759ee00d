terraform {
  required_version = ">= 1.10"

  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

# The results, access_token included, are stored in the state: prefer the oauth2_token
# ephemeral resource wherever the consumer accepts ephemeral values.
data "oauth2_token" "api" {
  provider = authtoken # the type name does not start with "authtoken"

  token_url     = "https://login.example.com/oauth2/token"
  client_id     = var.oauth2_client_id
  client_secret = var.oauth2_client_secret
  resource      = ["https://inventory.example.com"]
}

output "oauth2_token_expires_at" {
  value = data.oauth2_token.api.expires_at
}

variable "oauth2_client_id" {
  type        = string
  description = "The OAuth client ID the authorization server issued."
}

variable "oauth2_client_secret" {
  type        = string
  description = "The OAuth client secret."
  sensitive   = true
}
