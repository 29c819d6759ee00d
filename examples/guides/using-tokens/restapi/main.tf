terraform {
  required_version = ">= 1.10"

  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
    restapi = {
      source  = "Mastercard/restapi"
      version = ">= 1.18"
    }
  }
}

variable "partner_api_url" {
  type        = string
  description = "The partner API's base URL, such as https://partner-api.example.com."
}

variable "partner_client_id" {
  type = string
}

variable "partner_client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

ephemeral "partner_token" "api" {
  provider = authtoken

  token_url     = "${var.partner_api_url}/api/oauth/token"
  client_id     = var.partner_client_id
  client_secret = var.partner_client_secret
}

# Every request the restapi provider sends carries the token; the header map is part of the
# provider block, so it may hold an ephemeral value.
provider "restapi" {
  uri                  = var.partner_api_url
  write_returns_object = true

  headers = {
    Authorization = "Bearer ${ephemeral.partner_token.api.access_token}"
    Content-Type  = "application/json"
  }
}

resource "restapi_object" "webhook" {
  path = "/api/webhooks"
  data = jsonencode({
    id  = "bookings"
    url = "https://hooks.example.com/bookings"
  })
}
