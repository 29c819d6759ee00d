terraform {
  required_version = ">= 1.10"

  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

# The results, access_token included, are stored in the state: prefer the github_app_token
# ephemeral resource wherever the consumer accepts ephemeral values. A read-only token keeps what
# the state holds as weak as it can be.
data "github_app_token" "read_only" {
  provider = authtoken # required: without it, Terraform hands the block to integrations/github

  app_id          = var.github_app_app_id
  private_key_pem = var.github_app_private_key_pem
  installation_id = var.github_app_installation_id
  permissions     = { contents = "read", metadata = "read" }
}

output "github_token_expires_at" {
  value = data.github_app_token.read_only.expires_at
}

output "github_token_repositories" {
  value = data.github_app_token.read_only.repositories
}

# Secrets given to a data source cannot be ephemeral variables: a data source's arguments are
# saved in the state, so Terraform accepts no ephemeral value there. Mark them sensitive, or
# leave them out and set GITHUB_APP_PRIVATE_KEY_PEM in the environment instead.

variable "github_app_app_id" {
  type        = string
  description = "The app's numeric App ID, from the app's settings page."
}

variable "github_app_installation_id" {
  type        = string
  description = "The installation's ID: the number at the end of its settings URL."
}

variable "github_app_private_key_pem" {
  type        = string
  description = "The app's private key, the .pem file generated on the app's settings page."
  sensitive   = true
}
