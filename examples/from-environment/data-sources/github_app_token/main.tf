terraform {
  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

data "github_app_token" "this" {
  provider = authtoken
}
