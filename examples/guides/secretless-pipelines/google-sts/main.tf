terraform {
  required_version = ">= 1.10"

  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

variable "workload_identity_provider" {
  type        = string
  description = "The workload identity pool provider, such as projects/123456789/locations/global/workloadIdentityPools/github/providers/my-repo."
}

# Google's Security Token Service takes no client authentication (client_auth defaults to none
# for token_exchange without a client_secret): the job token is the only credential. Its aud is
# the pool provider's full resource name; the exchange's audience names the same provider.
ephemeral "oauth2_token" "gcp" {
  provider = authtoken

  token_url            = "https://sts.googleapis.com/v1/token"
  grant_type           = "token_exchange"
  subject_token_type   = "jwt"
  requested_token_type = "access_token"
  audience             = "//iam.googleapis.com/${var.workload_identity_provider}"
  scope                = "https://www.googleapis.com/auth/cloud-platform"

  subject_token_source = {
    type     = "github_actions"
    audience = "https://iam.googleapis.com/${var.workload_identity_provider}"
  }
}

# The federated token goes to Google Cloud's APIs directly, or to the IAM Credentials API to
# impersonate a service account.
resource "terraform_data" "list_buckets" {
  provisioner "local-exec" {
    command     = "printf 'Authorization: Bearer %s\\n' \"$TOKEN\" | curl -fsS -H @- 'https://storage.googleapis.com/storage/v1/b?project=my-project'"
    environment = { TOKEN = ephemeral.oauth2_token.gcp.access_token }
  }
}
