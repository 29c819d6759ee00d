variable "partner_client_id" {
  type        = string
  description = "The Client ID issued to the partner."
}

variable "partner_client_secret" {
  type        = string
  description = "The Client Secret that goes with the Client ID."
  sensitive   = true
  ephemeral   = true # never written to the plan or the state
}
