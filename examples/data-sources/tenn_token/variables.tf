# Secrets given to a data source cannot be ephemeral variables: a data source's arguments are
# saved in the state, so Terraform accepts no ephemeral value there. Mark them sensitive, or
# leave them out and set TENN_CLIENT_SECRET and TENN_PASSWORD in the environment instead.

variable "tenn_client_id" {
  type        = string
  description = "The OAuth client ID Tenn issued to the merchant."
}

variable "tenn_client_secret" {
  type        = string
  description = "The OAuth client secret."
  sensitive   = true
}

variable "tenn_username" {
  type        = string
  description = "The merchant user to log in as."
}

variable "tenn_password" {
  type        = string
  description = "The merchant user's password."
  sensitive   = true
}
