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

# GitHub Enterprise Server: api_url is the server's REST API, https://HOST/api/v3. The data
# source stores the token in the state; use it only where an ephemeral value cannot go, and
# prefer the ephemeral resource for provider blocks, as here when Terraform is 1.10 or later.
data "github_app_token" "ghes" {
  provider = authtoken

  api_url         = "https://github.example.com/api/v3"
  app_id          = var.github_app_app_id
  private_key_pem = var.github_app_private_key_pem
  owner           = "platform"
  repositories    = ["infra"]
  permissions     = { contents = "read" }
}

provider "github" {
  base_url = "https://github.example.com/"
  owner    = "platform"
  token    = data.github_app_token.ghes.access_token
}

data "github_repository" "infra" {
  name = "infra"
}

variable "github_app_app_id" {
  type = string
}

variable "github_app_private_key_pem" {
  type      = string
  sensitive = true
}
