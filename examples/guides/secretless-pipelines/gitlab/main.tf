terraform {
  required_version = ">= 1.10"

  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

# The job declares the token in .gitlab-ci.yml:
#   id_tokens:
#     AUTHTOKEN_OIDC:
#       aud: https://login.example.com
# and GitLab puts it in $AUTHTOKEN_OIDC. A variable holds one token for the whole job, so run the
# plan and the apply as two jobs: a server that accepts each job token once refuses, at apply, the
# token the plan exchanged.
ephemeral "oauth2_token" "gitlab" {
  provider = authtoken

  issuer     = "https://login.example.com"
  grant_type = "jwt_bearer"
  scope      = "inventory.write"

  subject_token_source = {
    type     = "gitlab"
    env      = "AUTHTOKEN_OIDC"
    audience = "https://login.example.com"
  }
}

resource "terraform_data" "inventory" {
  provisioner "local-exec" {
    command     = "printf 'Authorization: Bearer %s\\n' \"$TOKEN\" | curl -fsS -X POST -H @- https://inventory.example.com/api/sync"
    environment = { TOKEN = ephemeral.oauth2_token.gitlab.access_token }
  }
}
