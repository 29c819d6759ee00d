terraform {
  required_version = ">= 1.10"

  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

# token_url, client_id and client_secret come from the PARTNER_ environment variables.
ephemeral "partner_token" "api" {
  provider = authtoken

  lifecycle {
    postcondition {
      condition     = contains(provider::authtoken::jwt_claims(self.access_token).scopes, "bookings:create")
      error_message = "The partner token lacks the bookings:create scope."
    }
  }
}
