terraform {
  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

data "oauth2_token" "this" {
  provider = authtoken
}
