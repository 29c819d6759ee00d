terraform {
  required_version = ">= 1.11" # write-only arguments

  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.88" # the first release with secret_string_wo
    }
  }
}

variable "partner_client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "token_version" {
  type        = number
  description = "Change it (1, 2, ...) to write a fresh token into the secret."
  default     = 1
}

ephemeral "partner_token" "api" {
  provider = authtoken

  token_url     = "https://partner-api.example.com/api/oauth/token"
  client_id     = "inventory-sync"
  client_secret = var.partner_client_secret
}

resource "aws_secretsmanager_secret" "partner_token" {
  name = "inventory-sync/partner-token"
}

# secret_string_wo is write-only: Terraform sends it to AWS and stores it nowhere. It is sent when
# the version is created and whenever secret_string_wo_version changes, not on every apply.
resource "aws_secretsmanager_secret_version" "partner_token" {
  secret_id                = aws_secretsmanager_secret.partner_token.id
  secret_string_wo         = ephemeral.partner_token.api.access_token
  secret_string_wo_version = var.token_version
}
