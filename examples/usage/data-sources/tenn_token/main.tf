terraform {
  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
    http = {
      source  = "hashicorp/http"
      version = "~> 3.4"
    }
  }
}

# The http data source is not an ephemeral context, so it needs the data source form of the
# token, which is stored in the state.
data "tenn_token" "merchant" {
  provider = authtoken

  client_id     = var.tenn_client_id
  client_secret = var.tenn_client_secret
  username      = var.tenn_username
  password      = var.tenn_password
}

data "http" "merchant" {
  url = var.tenn_api_url

  request_headers = {
    Accept        = "application/json"
    Authorization = "Bearer ${data.tenn_token.merchant.access_token}"
  }
}

output "tenn_api_status" {
  value = data.http.merchant.status_code
}

variable "tenn_api_url" {
  type        = string
  description = "The Tenn API endpoint to call with the token."
}

variable "tenn_client_id" {
  type = string
}

# Sensitive, but not ephemeral: data sources accept no ephemeral values.
variable "tenn_client_secret" {
  type      = string
  sensitive = true
}

variable "tenn_username" {
  type = string
}

variable "tenn_password" {
  type      = string
  sensitive = true
}
