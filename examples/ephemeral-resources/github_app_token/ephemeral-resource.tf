terraform {
  required_version = ">= 1.10"

  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

# An installation token for the app's installation on an organization, narrowed to one
# repository and two permissions, and revoked when the run is done with it.
ephemeral "github_app_token" "infra" {
  provider = authtoken # required: without it, Terraform hands the block to integrations/github

  client_id       = var.github_app_client_id
  private_key_pem = var.github_app_private_key_pem
  owner           = var.github_app_owner
  repositories    = ["infra"]
  permissions     = { contents = "write", pull_requests = "write" }
  revoke_on_close = true
}

# The token is ephemeral: it can go to provider blocks (such as integrations/github's token),
# provisioners, locals and other ephemeral contexts, and is never written to the plan or the state.
locals {
  github_authorization = "Bearer ${ephemeral.github_app_token.infra.access_token}"
}

variable "github_app_client_id" {
  type        = string
  description = "The app's client ID (Iv23li...), from the app's settings page."
}

variable "github_app_owner" {
  type        = string
  description = "The organization or user that installed the app."
}

variable "github_app_private_key_pem" {
  type        = string
  description = "The app's private key, the .pem file generated on the app's settings page."
  sensitive   = true
  ephemeral   = true # never written to the plan or the state
}
