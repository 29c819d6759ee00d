terraform {
  required_version = ">= 1.10"

  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

variable "client_secret" {
  type      = string
  sensitive = true
  ephemeral = true # may receive an ephemeral value
}

ephemeral "partner_token" "this" {
  provider = authtoken

  token_url     = "https://partner-api.example.com/api/oauth/token"
  client_id     = "inventory-sync"
  client_secret = var.client_secret
}

output "authorization" {
  value     = "Bearer ${ephemeral.partner_token.this.access_token}"
  sensitive = true
  ephemeral = true # may return an ephemeral value; only a child module's outputs can
}
