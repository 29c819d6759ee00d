terraform {
  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

ephemeral "oauth2_token" "this" {
  provider = authtoken
}
