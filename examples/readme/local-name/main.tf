terraform {
  required_version = ">= 1.10"

  required_providers {
    tenn = {
      source = "authtoken/authtoken"
    }
    restapi = {
      source  = "Mastercard/restapi"
      version = ">= 1.18"
    }
  }
}

variable "tenn_api_url" {
  type        = string
  description = "The Tenn API to call, such as https://api.example.com."
}

variable "tenn_client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "tenn_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

# No provider argument: the local name "tenn" is the type's prefix.
ephemeral "tenn_token" "api" {
  client_id     = "TennTesting"
  client_secret = var.tenn_client_secret
  username      = "me@example.com"
  password      = var.tenn_password
}

# A provider block accepts the ephemeral token.
provider "restapi" {
  uri     = var.tenn_api_url
  headers = { Authorization = "Bearer ${ephemeral.tenn_token.api.access_token}" }
}
