terraform {
  required_version = ">= 1.10"

  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

# The results, access_token and refresh_token included, are stored in the state: prefer the
# testinium_token ephemeral resource wherever the consumer accepts ephemeral values.
data "testinium_token" "ci" {
  provider = authtoken # the type name does not start with "authtoken"

  username = var.testinium_username
  password = var.testinium_password
  scope    = "api"
}

output "testinium_token_expires_at" {
  value = data.testinium_token.ci.expires_at
}

# Secrets given to a data source cannot be ephemeral variables: a data source's arguments are
# saved in the state, so Terraform accepts no ephemeral value there. Mark them sensitive, or
# leave them out and set TESTINIUM_PASSWORD in the environment instead.

variable "testinium_username" {
  type        = string
  description = "The Testinium user's email address or username."
}

variable "testinium_password" {
  type        = string
  description = "The Testinium user's password."
  sensitive   = true
}
