variable "testinium_username" {
  type        = string
  description = "The Testinium user's email address or username."
}

variable "testinium_password" {
  type        = string
  description = "The Testinium user's password."
  sensitive   = true
  ephemeral   = true # never written to the plan or the state
}
