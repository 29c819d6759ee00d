terraform {
  required_version = ">= 1.10"

  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

# A Keycloak client whose credentials are "Signed JWT - Federated": Keycloak trusts the identity
# provider named in the client (GitHub Actions here) and checks the job token's sub against it.
# The issuer's metadata names the token endpoint.
ephemeral "oauth2_token" "keycloak" {
  provider = authtoken

  issuer      = "https://keycloak.example.com/realms/ci"
  client_id   = "github-deployer"
  client_auth = "federated_jwt"
  scope       = "deploy"

  subject_token_source = {
    type     = "github_actions"
    audience = "https://keycloak.example.com/realms/ci"
  }
}

resource "terraform_data" "deploy" {
  provisioner "local-exec" {
    command     = "printf 'Authorization: Bearer %s\\n' \"$TOKEN\" | curl -fsS -X POST -H @- https://deploy.example.com/api/releases"
    environment = { TOKEN = ephemeral.oauth2_token.keycloak.access_token }
  }
}
