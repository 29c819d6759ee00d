terraform {
  required_version = ">= 1.10"

  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

# Client credentials against an Okta, Auth0 or Keycloak style authorization server, found through
# its issuer's metadata. audience (Auth0, Okta) or resource (RFC 8707) names the API.
ephemeral "oauth2_token" "api" {
  provider = authtoken # the type name does not start with "authtoken"

  issuer        = "https://login.example.com/realms/platform"
  client_id     = var.oauth2_client_id
  client_secret = var.oauth2_client_secret
  scope         = "inventory.read"
  audience      = "https://inventory.example.com"
}

# An Entra ID app with a certificate credential proves itself with the certificate's key (RFC 7523
# private_key_jwt) instead of a secret; the token endpoint is given directly. Entra finds the
# credential by the certificate's thumbprint, which the assertion carries as x5t and x5t#S256 when
# private_key_cert_pem is set. (Okta, Auth0 and Keycloak look keys up by private_key_id, the kid.)
ephemeral "oauth2_token" "entra" {
  provider = authtoken

  token_url            = "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/oauth2/v2.0/token"
  client_id            = var.oauth2_client_id
  client_auth          = "private_key_jwt"
  private_key_pem      = var.oauth2_private_key_pem
  private_key_cert_pem = var.oauth2_certificate_pem
  scope                = "https://graph.microsoft.com/.default"
}

# A refresh token exchanged for an access token. Many servers rotate refresh tokens (each works
# once), and an ephemeral resource is opened at plan and again at apply: the second exchange then
# fails with invalid_grant. Use it only with servers that keep refresh tokens valid.
ephemeral "oauth2_token" "refreshed" {
  provider = authtoken

  token_url             = "https://login.example.com/oauth2/token"
  grant_type            = "refresh_token"
  client_id             = var.oauth2_client_id
  client_auth           = "client_secret_post"
  client_secret         = var.oauth2_client_secret
  current_refresh_token = var.oauth2_refresh_token
}

variable "oauth2_client_id" {
  type        = string
  description = "The OAuth client ID the authorization server issued."
}

variable "oauth2_certificate_pem" {
  type        = string
  description = "The PEM X.509 certificate uploaded to the Entra app registration, of oauth2_private_key_pem's key."
}

variable "oauth2_client_secret" {
  type        = string
  description = "The OAuth client secret."
  sensitive   = true
  ephemeral   = true # never written to the plan or the state
}

variable "oauth2_private_key_pem" {
  type        = string
  description = "The client's PEM private key (RSA or P-256), for private_key_jwt."
  sensitive   = true
  ephemeral   = true
}

variable "oauth2_refresh_token" {
  type        = string
  description = "A refresh token to exchange."
  sensitive   = true
  ephemeral   = true
}
