terraform {
  required_providers {
    authtoken = {
      source  = "authtoken/authtoken"
      version = "~> 0.1"
    }
  }
}
