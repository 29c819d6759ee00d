terraform {
  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}
