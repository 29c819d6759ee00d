terraform {
  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

ephemeral "github_app_token" "this" {
  provider = authtoken
}
