# The module under test: it gets an ephemeral token for an inventory API, calls the API with it
# during apply, and checks the token's lifetime. Its tests (tests/) run it against a local token
# server; modules/reporting, which uses only a data source, is tested with a mock provider too.
terraform {
  required_version = ">= 1.10"

  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

variable "issuer" {
  type        = string
  description = "The authorization server's issuer; its metadata gives the token endpoint."
}

variable "client_id" {
  type = string
}

variable "client_secret" {
  type      = string
  sensitive = true
  ephemeral = true # never written to the plan or the state
}

variable "api_url" {
  type        = string
  description = "The inventory API endpoint the token is for: it answers a GET with the token."
}

variable "min_token_lifetime" {
  type        = number
  default     = 300
  description = "The seconds a token must be valid for when it is issued."
}

ephemeral "oauth2_token" "inventory" {
  provider = authtoken

  issuer        = var.issuer
  client_id     = var.client_id
  client_secret = var.client_secret
  scope         = "api.read"
}

# The consumer: curl -f fails the apply, and so the test run, when the API refuses the token.
resource "terraform_data" "inventory_check" {
  triggers_replace = [var.api_url]

  provisioner "local-exec" {
    command = <<-EOT
      printf 'Authorization: Bearer %s\n' "$TOKEN" | curl -fsS -o /dev/null -H @- "$API_URL"
    EOT
    environment = {
      TOKEN   = ephemeral.oauth2_token.inventory.access_token
      API_URL = var.api_url
    }
  }
}

# A test cannot assert on an ephemeral resource, but a check block can, and a run block can
# expect it to fail (expect_failures).
check "token_lifetime" {
  assert {
    condition     = ephemeral.oauth2_token.inventory.expires_in >= var.min_token_lifetime
    error_message = "The token is valid for less than min_token_lifetime (${var.min_token_lifetime} s)."
  }
}

module "reporting" {
  source = "./modules/reporting"

  issuer    = var.issuer
  client_id = var.client_id
}

output "reporting_scopes" {
  value = module.reporting.scopes
}
