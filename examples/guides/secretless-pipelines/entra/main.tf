terraform {
  required_version = ">= 1.10"

  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
    restapi = {
      source  = "Mastercard/restapi"
      version = ">= 1.18"
    }
  }
}

variable "tenant_id" {
  type        = string
  description = "The Entra tenant, such as 72f988bf-86f1-41af-91ab-2d7cd011db47."
}

variable "client_id" {
  type        = string
  description = "The app registration whose federated credential trusts this repository's workflow."
}

# GitHub Actions mints the job token for Entra's audience; Entra checks it against the app's
# federated credential (issuer https://token.actions.githubusercontent.com, subject
# repo:<org>/<repo>:environment:<name>, exactly). No secret is stored anywhere.
ephemeral "oauth2_token" "graph" {
  provider = authtoken

  token_url   = "https://login.microsoftonline.com/${var.tenant_id}/oauth2/v2.0/token"
  client_id   = var.client_id
  client_auth = "federated_jwt"
  scope       = "https://graph.microsoft.com/.default"

  subject_token_source = {
    type     = "github_actions"
    audience = "api://AzureADTokenExchange"
  }
}

provider "restapi" {
  uri     = "https://graph.microsoft.com/v1.0"
  headers = { Authorization = "Bearer ${ephemeral.oauth2_token.graph.access_token}" }
}

data "restapi_object" "team" {
  path         = "/groups"
  search_key   = "displayName"
  search_value = "Platform"
}
