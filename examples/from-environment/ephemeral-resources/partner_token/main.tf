terraform {
  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

ephemeral "partner_token" "this" {
  provider = authtoken
}
