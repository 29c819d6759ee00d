variable "oauth2_client_id" {
  type        = string
  description = "The OAuth client ID the authorization server issued."
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
