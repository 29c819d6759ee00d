terraform {
  required_version = ">= 1.10"

  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

# In the workspace, the environment variable TFC_WORKLOAD_IDENTITY_AUDIENCE_INVENTORY =
# "https://login.example.com" makes HCP Terraform put a job token in
# TFC_WORKLOAD_IDENTITY_TOKEN_INVENTORY, a new one in each run phase (its sub ends with
# run_phase:plan or run_phase:apply, so the trust can tell the phases apart).
ephemeral "oauth2_token" "inventory" {
  provider = authtoken

  token_url   = "https://login.example.com/oauth2/token"
  client_id   = "hcp-terraform-inventory"
  client_auth = "federated_jwt"
  scope       = "inventory.write"

  subject_token_source = {
    type     = "hcp_terraform"
    tag      = "inventory"
    audience = "https://login.example.com"
  }
}

resource "terraform_data" "inventory" {
  provisioner "local-exec" {
    command     = "printf 'Authorization: Bearer %s\\n' \"$TOKEN\" | curl -fsS -X POST -H @- https://inventory.example.com/api/sync"
    environment = { TOKEN = ephemeral.oauth2_token.inventory.access_token }
  }
}
