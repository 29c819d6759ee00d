terraform {
  required_version = ">= 1.10"

  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

# Every token must stay valid for 20 minutes from the moment it is handed out, unless a block
# says otherwise. A server whose tokens live shorter is an error at plan.
provider "authtoken" {
  min_validity = "20m"
}

variable "oauth2_client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

ephemeral "oauth2_token" "deploy" {
  provider = authtoken

  issuer        = "https://login.example.com/realms/platform"
  client_id     = "deploy"
  client_secret = var.oauth2_client_secret
  min_validity  = "40m" # the applies that use this token run longer

  # Revoke the token (RFC 7009) when the run is done with it; the endpoint comes from the issuer's
  # metadata, or from revocation_url.
  revoke_on_close = true
}

locals {
  deploy_authorization = "Bearer ${ephemeral.oauth2_token.deploy.access_token}"
}
