terraform {
  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

data "tenn_token" "this" {
  provider = authtoken
}
