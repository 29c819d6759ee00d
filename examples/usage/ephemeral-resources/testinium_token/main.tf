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

ephemeral "testinium_token" "ci" {
  provider = authtoken

  username = var.testinium_username
  password = var.testinium_password
  scope    = "api"
}

# A provider block accepts ephemeral values: Terraform fetches a token during plan and another
# during apply, and writes neither to the plan or the state.
provider "restapi" {
  uri                  = var.testinium_api_url
  write_returns_object = true

  headers = {
    Authorization = "Bearer ${ephemeral.testinium_token.ci.access_token}"
    Content-Type  = "application/json"
  }
}

# Every restapi_object of this configuration now calls the Testinium API as this user.

variable "testinium_api_url" {
  type        = string
  description = "The base URL of the Testinium API to call with the token."
}

variable "testinium_username" {
  type = string
}

variable "testinium_password" {
  type      = string
  sensitive = true
  ephemeral = true
}
