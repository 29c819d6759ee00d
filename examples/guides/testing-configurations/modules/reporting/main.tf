# A module that uses only the data source form: a mock provider can stand in for this provider
# in its tests (tests/mocked.tftest.hcl), on every Terraform and OpenTofu version.
terraform {
  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

variable "issuer" {
  type = string
}

variable "client_id" {
  type = string
}

# client_secret comes from OAUTH2_CLIENT_SECRET: a data source's arguments are saved in the
# state, so it takes no ephemeral variable.
data "oauth2_token" "reporting" {
  provider = authtoken

  issuer    = var.issuer
  client_id = var.client_id
  scope     = "api.read"
}

output "scopes" {
  value = data.oauth2_token.reporting.scopes
}

output "expires_at" {
  value = data.oauth2_token.reporting.expires_at
}
