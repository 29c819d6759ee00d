terraform {
  required_version = ">= 1.10"

  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

# The client defaults to Testinium's documented public client, and token_url to
# https://account.testinium.com/uaa/oauth/token.
ephemeral "testinium_token" "ci" {
  provider = authtoken # the type name does not start with "authtoken"

  username = var.testinium_username
  password = var.testinium_password
  scope    = "api"
}

# Values derived from an ephemeral resource are ephemeral too: they can go to provider blocks
# and other ephemeral contexts, and are never written to the plan or the state.
locals {
  testinium_authorization = "Bearer ${ephemeral.testinium_token.ci.access_token}"
}

variable "testinium_username" {
  type        = string
  description = "The Testinium user's email address or username."
}

variable "testinium_password" {
  type        = string
  description = "The Testinium user's password."
  sensitive   = true
  ephemeral   = true # never written to the plan or the state
}
