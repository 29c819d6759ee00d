variable "testinium_api_url" {
  type        = string
  description = "The base URL of the Testinium API to call with the token."
}

variable "testinium_username" {
  type = string
}

variable "testinium_password" {
  type      = string
  sensitive = true
  ephemeral = true
}
