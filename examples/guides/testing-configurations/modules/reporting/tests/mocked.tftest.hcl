# No token server: a mock provider answers the data source. mock_data sets the results it
# returns; anything left out gets a made-up value of its type.
mock_provider "authtoken" {
  mock_data "oauth2_token" {
    defaults = {
      scopes     = ["api.read"]
      expires_at = "2030-01-01T00:00:00Z"
    }
  }
}

variables {
  issuer    = "https://login.example.com"
  client_id = "reporting"
}

run "reads_the_token" {
  command = plan

  assert {
    condition     = output.scopes == tolist(["api.read"])
    error_message = "The mocked token's scopes did not reach the output."
  }
}
