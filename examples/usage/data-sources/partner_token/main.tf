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
data "partner_token" "bookings" {
  provider = authtoken

  token_url     = "${var.partner_api_url}/api/oauth/token"
  client_id     = var.partner_client_id
  client_secret = var.partner_client_secret
}

data "http" "partner" {
  url = "${var.partner_api_url}/${var.partner_api_path}"

  request_headers = {
    Accept        = "application/json"
    Authorization = "Bearer ${data.partner_token.bookings.access_token}"
  }
}

output "partner_api_status" {
  value = data.http.partner.status_code
}

variable "partner_api_url" {
  type        = string
  description = "The partner API's base URL, such as https://partner-api.example.com."
}

variable "partner_api_path" {
  type        = string
  description = "The path of the partner API endpoint to call with the token."
}

variable "partner_client_id" {
  type = string
}

# Sensitive, but not ephemeral: data sources accept no ephemeral values.
variable "partner_client_secret" {
  type      = string
  sensitive = true
}
