variable "oauth2_issuer" {
  type        = string
  description = "The authorization server's issuer identifier."
}

variable "oauth2_client_id" {
  type = string
}

variable "oauth2_client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "cluster_endpoint" {
  type = string
}

variable "cluster_ca_certificate" {
  type = string
}
