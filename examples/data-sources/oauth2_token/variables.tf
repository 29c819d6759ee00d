variable "oauth2_client_id" {
  type        = string
  description = "The OAuth client ID the authorization server issued."
}

variable "oauth2_client_secret" {
  type        = string
  description = "The OAuth client secret."
  sensitive   = true
}
