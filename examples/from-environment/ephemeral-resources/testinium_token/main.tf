terraform {
  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

ephemeral "testinium_token" "this" {
  provider = authtoken
}
