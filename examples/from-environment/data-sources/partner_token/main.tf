terraform {
  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

data "partner_token" "this" {
  provider = authtoken
}
