# Secrets given to a data source cannot be ephemeral variables: a data source's arguments are
# saved in the state, so Terraform accepts no ephemeral value there. Mark them sensitive, or
# leave them out and set TESTINIUM_PASSWORD in the environment instead.

variable "testinium_username" {
  type        = string
  description = "The Testinium user's email address or username."
}

variable "testinium_password" {
  type        = string
  description = "The Testinium user's password."
  sensitive   = true
}
