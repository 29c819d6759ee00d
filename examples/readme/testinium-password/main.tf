terraform {
  required_version = ">= 1.10"

  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

variable "testinium_password" {
  type      = string
  sensitive = true
  ephemeral = true
  default   = null # unset: TESTINIUM_PASSWORD applies
}

ephemeral "testinium_token" "ci" {
  provider = authtoken
  username = "ci@example.com"
  password = var.testinium_password
}

# Values computed from an ephemeral token are ephemeral too: for provider blocks, provisioners,
# write-only arguments and other ephemeral contexts.
locals {
  testinium_authorization = "Bearer ${ephemeral.testinium_token.ci.access_token}"
}
