terraform {
  required_version = ">= 1.10"

  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

# The results, access_token included, are stored in the state: prefer the tenn_token
# ephemeral resource wherever the consumer accepts ephemeral values.
data "tenn_token" "merchant" {
  provider = authtoken # the type name does not start with "authtoken"

  client_id     = var.tenn_client_id
  client_secret = var.tenn_client_secret
  username      = var.tenn_username
  password      = var.tenn_password
}

output "tenn_token_scopes" {
  value = data.tenn_token.merchant.scopes
}

# Secrets given to a data source cannot be ephemeral variables: a data source's arguments are
# saved in the state, so Terraform accepts no ephemeral value there. Mark them sensitive, or
# leave them out and set TENN_CLIENT_SECRET and TENN_PASSWORD in the environment instead.

variable "tenn_client_id" {
  type        = string
  description = "The OAuth client ID Tenn issued to the merchant."
}

variable "tenn_client_secret" {
  type        = string
  description = "The OAuth client secret."
  sensitive   = true
}

variable "tenn_username" {
  type        = string
  description = "The merchant user to log in as."
}

variable "tenn_password" {
  type        = string
  description = "The merchant user's password."
  sensitive   = true
}
