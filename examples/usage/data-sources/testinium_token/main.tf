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
data "testinium_token" "ci" {
  provider = authtoken

  username = var.testinium_username
  password = var.testinium_password
  scope    = "api"
}

data "http" "testinium" {
  url = var.testinium_api_url

  request_headers = {
    Accept        = "application/json"
    Authorization = "Bearer ${data.testinium_token.ci.access_token}"
  }
}

output "testinium_api_status" {
  value = data.http.testinium.status_code
}

variable "testinium_api_url" {
  type        = string
  description = "The Testinium API endpoint to call with the token."
}

variable "testinium_username" {
  type = string
}

# Sensitive, but not ephemeral: data sources accept no ephemeral values.
variable "testinium_password" {
  type      = string
  sensitive = true
}
