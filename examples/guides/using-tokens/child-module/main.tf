terraform {
  required_version = ">= 1.10"
}

variable "partner_client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

module "partner_token" {
  source = "./modules/partner-token"

  client_secret = var.partner_client_secret
}

resource "terraform_data" "sync" {
  provisioner "local-exec" {
    command     = "printf 'Authorization: %s\\n' \"$AUTHORIZATION\" | curl -fsS -H @- https://partner-api.example.com/api/bookings"
    environment = { AUTHORIZATION = module.partner_token.authorization }
  }
}
