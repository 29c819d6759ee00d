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

variable "cluster_endpoint" {
  type        = string
  description = "The Kubernetes API server, such as https://k8s.example.com:6443."
}

variable "cluster_ca_certificate" {
  type        = string
  description = "The cluster's CA certificate, PEM-encoded."
}

variable "oidc_client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

# The cluster trusts this authorization server's JWTs (OIDC authentication). The provider block
# accepts the ephemeral token: a fresh one at plan and another at apply, written to neither.
ephemeral "oauth2_token" "cluster" {
  provider = authtoken

  issuer        = "https://login.example.com/realms/platform"
  client_id     = "terraform"
  client_secret = var.oidc_client_secret
  scope         = "openid"
  min_validity  = "30m" # the longest apply expected
}

provider "kubernetes" {
  host                   = var.cluster_endpoint
  cluster_ca_certificate = var.cluster_ca_certificate
  token                  = ephemeral.oauth2_token.cluster.access_token
}

resource "kubernetes_namespace_v1" "team" {
  metadata {
    name = "team-a"
  }
}
