terraform {
  required_version = ">= 1.10"

  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

variable "tenn_client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "tenn_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

ephemeral "tenn_token" "merchant" {
  provider = authtoken

  client_id     = "TennTesting"
  client_secret = var.tenn_client_secret
  username      = "merchant@example.com"
  password      = var.tenn_password

  # A postcondition stops the plan (or the apply) when the token lacks what the run needs.
  # jwt_claims decodes the token without verifying it: fine for reading your own token.
  lifecycle {
    postcondition {
      condition     = contains(provider::authtoken::jwt_claims(self.access_token).scopes, "Tenn.Payment")
      error_message = "The Tenn token lacks the Tenn.Payment scope: ask for it, or have the client granted it."
    }
  }
}

# A check block only warns.
check "tenn_token_lifetime" {
  assert {
    condition     = timecmp(provider::authtoken::jwt_claims(ephemeral.tenn_token.merchant.access_token).exp, timeadd(plantimestamp(), "30m")) > 0
    error_message = "The Tenn token expires within 30 minutes: a long apply may outlive it."
  }
}
