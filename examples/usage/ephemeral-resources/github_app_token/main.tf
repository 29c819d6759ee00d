terraform {
  required_version = ">= 1.10"

  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
    github = {
      source  = "integrations/github"
      version = "~> 6.0"
    }
  }
}

ephemeral "github_app_token" "platform" {
  provider = authtoken # required: the local name github is integrations/github's

  client_id       = var.github_app_client_id
  private_key_pem = var.github_app_private_key_pem
  owner           = "octo-org"
  permissions     = { administration = "write", contents = "write", metadata = "read" }
}

# integrations/github takes the installation token in its provider block, which accepts ephemeral
# values: Terraform gets a token at plan and another at apply, and writes neither to the plan or
# the state. The token lives an hour; set min_validity to the longest apply you expect.
provider "github" {
  owner = "octo-org"
  token = ephemeral.github_app_token.platform.access_token
}

resource "github_repository" "service" {
  name       = "payments-service"
  visibility = "private"
  auto_init  = true
}

variable "github_app_client_id" {
  type = string
}

variable "github_app_private_key_pem" {
  type      = string
  sensitive = true
  ephemeral = true
}
