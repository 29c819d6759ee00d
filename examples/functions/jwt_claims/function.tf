terraform {
  required_version = ">= 1.10" # provider functions need 1.8, ephemeral resources 1.10

  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

variable "partner_client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

ephemeral "partner_token" "api" {
  provider = authtoken

  token_url     = "https://partner-api.example.com/api/oauth/token"
  client_id     = "inventory-sync"
  client_secret = var.partner_client_secret
}

# jwt_claims decodes the token WITHOUT verifying its signature. Use it to read a token this
# configuration obtained itself; never to decide whether to trust a token from elsewhere.
# The result is ephemeral and sensitive, like the token it came from.
locals {
  partner_claims = provider::authtoken::jwt_claims(ephemeral.partner_token.api.access_token)

  # Claims without a result attribute of their own are in claims, the payload as JSON.
  partner_tenant = try(jsondecode(local.partner_claims.claims).tenant, null)
}

check "partner_token" {
  assert {
    condition     = contains(local.partner_claims.scopes, "bookings:create")
    error_message = "The partner token lacks the bookings:create scope."
  }

  assert {
    condition     = timecmp(local.partner_claims.exp, timeadd(plantimestamp(), "15m")) > 0
    error_message = "The partner token expires within 15 minutes."
  }
}
