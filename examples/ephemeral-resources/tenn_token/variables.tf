variable "tenn_client_id" {
  type        = string
  description = "The OAuth client ID Tenn issued to the merchant."
}

variable "tenn_client_secret" {
  type        = string
  description = "The OAuth client secret."
  sensitive   = true
  ephemeral   = true # never written to the plan or the state
}

variable "tenn_username" {
  type        = string
  description = "The merchant user to log in as."
}

variable "tenn_password" {
  type        = string
  description = "The merchant user's password."
  sensitive   = true
  ephemeral   = true
}
