variable "oauth2_api_url" {
  type        = string
  description = "The API endpoint to call with the token."
}

variable "oauth2_token_url" {
  type = string
}

variable "oauth2_client_id" {
  type = string
}

# Sensitive, but not ephemeral: data sources accept no ephemeral values.
variable "oauth2_client_secret" {
  type      = string
  sensitive = true
}
