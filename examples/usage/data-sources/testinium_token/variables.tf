variable "testinium_api_url" {
  type        = string
  description = "The Testinium API endpoint to call with the token."
}

variable "testinium_username" {
  type = string
}

# Sensitive, but not ephemeral: data sources accept no ephemeral values.
variable "testinium_password" {
  type      = string
  sensitive = true
}
