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

variable "partner_api_url" {
  type        = string
  description = "The partner API's base URL, such as https://partner-api.example.com."
}

variable "partner_client_id" {
  type = string
}

# Sensitive but not ephemeral: a data source's arguments are saved in the state.
variable "partner_client_secret" {
  type      = string
  sensitive = true
}

# The http data source is not an ephemeral context, so it takes the data source's token, which
# is stored in the state.
data "partner_token" "api" {
  provider = authtoken

  token_url     = "${var.partner_api_url}/api/oauth/token"
  client_id     = var.partner_client_id
  client_secret = var.partner_client_secret
}

data "http" "bookings" {
  url = "${var.partner_api_url}/api/bookings"

  request_headers = {
    Accept        = "application/json"
    Authorization = "Bearer ${data.partner_token.api.access_token}"
  }
}

output "bookings_status" {
  value = data.http.bookings.status_code
}
