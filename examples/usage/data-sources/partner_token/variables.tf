variable "partner_api_url" {
  type        = string
  description = "The partner API's base URL, such as https://partner-api.example.com."
}

variable "partner_api_path" {
  type        = string
  description = "The path of the partner API endpoint to call with the token."
}

variable "partner_client_id" {
  type = string
}

# Sensitive, but not ephemeral: data sources accept no ephemeral values.
variable "partner_client_secret" {
  type      = string
  sensitive = true
}
