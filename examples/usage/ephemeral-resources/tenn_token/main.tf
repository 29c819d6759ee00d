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

ephemeral "tenn_token" "merchant" {
  provider = authtoken

  client_id     = var.tenn_client_id
  client_secret = var.tenn_client_secret
  username      = var.tenn_username
  password      = var.tenn_password
}

# A provider block accepts ephemeral values: Terraform fetches a token during plan and another
# during apply, and writes neither to the plan or the state.
provider "restapi" {
  uri                  = var.tenn_api_url
  write_returns_object = true

  headers = {
    Authorization = "Bearer ${ephemeral.tenn_token.merchant.access_token}"
    Content-Type  = "application/json"
  }
}

# Every restapi_object of this configuration now calls the Tenn API as the merchant.

variable "tenn_api_url" {
  type        = string
  description = "The base URL of the Tenn API to call with the token."
}

variable "tenn_client_id" {
  type = string
}

variable "tenn_client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "tenn_username" {
  type = string
}

variable "tenn_password" {
  type      = string
  sensitive = true
  ephemeral = true
}
