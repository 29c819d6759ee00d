terraform {
  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

data "testinium_token" "this" {
  provider = authtoken
}
