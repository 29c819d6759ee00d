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

ephemeral "partner_token" "bookings" {
  provider = authtoken

  token_url     = "${var.partner_api_url}/api/oauth/token"
  client_id     = var.partner_client_id
  client_secret = var.partner_client_secret
}

# A provider block accepts ephemeral values: Terraform fetches a token during plan and another
# during apply, and writes neither to the plan or the state. Partner tokens cannot be
# refreshed; every run gets new ones.
provider "restapi" {
  uri                  = var.partner_api_url
  write_returns_object = true

  headers = {
    Authorization = "Bearer ${ephemeral.partner_token.bookings.access_token}"
    Content-Type  = "application/json"
    Accept        = "application/json"
  }
}

# Every restapi_object of this configuration now calls the partner API as this partner.

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
