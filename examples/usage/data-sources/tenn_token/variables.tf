variable "tenn_api_url" {
  type        = string
  description = "The Tenn API endpoint to call with the token."
}

variable "tenn_client_id" {
  type = string
}

# Sensitive, but not ephemeral: data sources accept no ephemeral values.
variable "tenn_client_secret" {
  type      = string
  sensitive = true
}

variable "tenn_username" {
  type = string
}

variable "tenn_password" {
  type      = string
  sensitive = true
}
