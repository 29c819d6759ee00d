terraform {
  required_version = ">= 1.10"

  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

# token_url defaults to Tenn's documented (test) host.
ephemeral "tenn_token" "merchant" {
  provider = authtoken # the type name does not start with "authtoken"

  client_id     = var.tenn_client_id
  client_secret = var.tenn_client_secret
  username      = var.tenn_username
  password      = var.tenn_password
}

# Values derived from an ephemeral resource are ephemeral too: they can go to provider blocks
# and other ephemeral contexts, and are never written to the plan or the state.
locals {
  tenn_authorization = "Bearer ${ephemeral.tenn_token.merchant.access_token}"
}

variable "tenn_client_id" {
  type        = string
  description = "The OAuth client ID Tenn issued to the merchant."
}

variable "tenn_client_secret" {
  type        = string
  description = "The OAuth client secret."
  sensitive   = true
  ephemeral   = true # never written to the plan or the state
}

variable "tenn_username" {
  type        = string
  description = "The merchant user to log in as."
}

variable "tenn_password" {
  type        = string
  description = "The merchant user's password."
  sensitive   = true
  ephemeral   = true
}
