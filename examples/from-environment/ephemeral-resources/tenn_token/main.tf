terraform {
  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

ephemeral "tenn_token" "this" {
  provider = authtoken
}
