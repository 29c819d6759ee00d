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
data "oauth2_token" "api" {
  provider = authtoken

  token_url     = var.oauth2_token_url
  client_id     = var.oauth2_client_id
  client_secret = var.oauth2_client_secret
}

data "http" "api" {
  url = var.oauth2_api_url

  request_headers = {
    Accept        = "application/json"
    Authorization = "Bearer ${data.oauth2_token.api.access_token}"
  }
}

output "oauth2_api_status" {
  value = data.http.api.status_code
}

variable "oauth2_api_url" {
  type        = string
  description = "The API endpoint to call with the token."
}

variable "oauth2_token_url" {
  type = string
}

variable "oauth2_client_id" {
  type = string
}

# Sensitive, but not ephemeral: data sources accept no ephemeral values.
variable "oauth2_client_secret" {
  type      = string
  sensitive = true
}
