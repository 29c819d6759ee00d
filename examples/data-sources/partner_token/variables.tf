# Secrets given to a data source cannot be ephemeral variables: a data source's arguments are
# saved in the state, so Terraform accepts no ephemeral value there. Mark them sensitive, or
# leave them out and set PARTNER_CLIENT_SECRET in the environment instead.

variable "partner_client_id" {
  type        = string
  description = "The Client ID issued to the partner."
}

variable "partner_client_secret" {
  type        = string
  description = "The Client Secret that goes with the Client ID."
  sensitive   = true
}
