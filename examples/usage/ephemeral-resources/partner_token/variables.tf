variable "partner_api_url" {
  type        = string
  description = "The partner API's base URL, such as https://partner-api.example.com."
}

variable "partner_client_id" {
  type = string
}

variable "partner_client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}
