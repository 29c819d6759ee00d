terraform {
  required_version = ">= 1.10"

  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

variable "github_app_client_id" {
  type = string
}

variable "github_app_private_key_pem" {
  type      = string
  sensitive = true
  ephemeral = true
}

# Only what the command needs: one repository, and writing its releases.
ephemeral "github_app_token" "release" {
  provider = authtoken

  client_id       = var.github_app_client_id
  private_key_pem = var.github_app_private_key_pem
  owner           = "octo-org"
  repositories    = ["website"]
  permissions     = { contents = "write" }
  revoke_on_close = true
}

# gh reads the token from GH_TOKEN (GH_ENTERPRISE_TOKEN and GH_HOST for GitHub Enterprise
# Server), so it is in neither the command nor a process's arguments. Terraform hides the
# command's output, since its configuration holds an ephemeral value.
resource "terraform_data" "release" {
  triggers_replace = ["v1.4.0"]

  provisioner "local-exec" {
    command = "gh release create v1.4.0 --repo octo-org/website --generate-notes"
    environment = {
      GH_TOKEN = ephemeral.github_app_token.release.access_token
    }
  }
}
