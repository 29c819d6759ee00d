terraform {
  required_version = ">= 1.10"

  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
    http = {
      source  = "hashicorp/http"
      version = "~> 3.4"
    }
  }
}

# The http data source accepts no ephemeral value, so it takes the data source form of the
# token (stored in the state, marked sensitive). client_id and client_secret come from
# PARTNER_CLIENT_ID and PARTNER_CLIENT_SECRET.
data "partner_token" "api" {
  provider  = authtoken
  token_url = "https://partner.example.com/api/oauth/token"
}

data "http" "bookings" {
  url             = "https://partner.example.com/api/bookings"
  request_headers = { Authorization = "Bearer ${data.partner_token.api.access_token}" }
}

# A provisioner accepts the ephemeral form: never stored. The password comes from
# TESTINIUM_PASSWORD.
ephemeral "testinium_token" "ci" {
  provider = authtoken
  username = "ci@example.com"
}

# The token travels in the environment and reaches curl on its standard input, so it is in
# neither the command Terraform shows nor a process's arguments.
resource "terraform_data" "start_run" {
  provisioner "local-exec" {
    command     = "printf 'Authorization: Bearer %s\\n' \"$TOKEN\" | curl -fsS -X POST -H @- https://testinium.example.com/api/runs"
    environment = { TOKEN = ephemeral.testinium_token.ci.access_token }
  }
}
