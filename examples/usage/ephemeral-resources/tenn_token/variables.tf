variable "tenn_api_url" {
  type        = string
  description = "The base URL of the Tenn API to call with the token."
}

variable "tenn_client_id" {
  type = string
}

variable "tenn_client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "tenn_username" {
  type = string
}

variable "tenn_password" {
  type      = string
  sensitive = true
  ephemeral = true
}
