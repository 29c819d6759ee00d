terraform {
  required_version = ">= 1.10"

  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = ">= 2.36"
    }
  }
}

# A cluster that trusts the authorization server (OIDC authentication) takes its tokens as bearer
# tokens. The provider block accepts the ephemeral value: a fresh token at plan and at apply,
# written to neither.
ephemeral "oauth2_token" "cluster" {
  provider = authtoken

  issuer        = var.oauth2_issuer
  client_id     = var.oauth2_client_id
  client_secret = var.oauth2_client_secret
  scope         = "openid"
  min_validity  = "30m" # the longest apply expected
}

provider "kubernetes" {
  host                   = var.cluster_endpoint
  cluster_ca_certificate = var.cluster_ca_certificate
  token                  = ephemeral.oauth2_token.cluster.access_token
}

variable "oauth2_issuer" {
  type        = string
  description = "The authorization server's issuer identifier."
}

variable "oauth2_client_id" {
  type = string
}

variable "oauth2_client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "cluster_endpoint" {
  type = string
}

variable "cluster_ca_certificate" {
  type = string
}
