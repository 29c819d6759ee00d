terraform {
  required_version = ">= 1.10"

  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
    restapi = {
      source  = "Mastercard/restapi"
      version = ">= 1.18"
    }
  }
}

# client_id and client_secret come from OAUTH2_CLIENT_ID and OAUTH2_CLIENT_SECRET. The issuer must
# equal the metadata's issuer exactly: Auth0's ends with a slash.
ephemeral "oauth2_token" "inventory" {
  provider = authtoken

  issuer   = "https://example.eu.auth0.com/"
  audience = "https://inventory.example.com"
  scope    = "inventory:read"
}

provider "restapi" {
  uri     = "https://inventory.example.com"
  headers = { Authorization = "Bearer ${ephemeral.oauth2_token.inventory.access_token}" }
}
