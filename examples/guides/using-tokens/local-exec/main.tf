terraform {
  required_version = ">= 1.10"

  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

variable "tenn_client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "tenn_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "webhook_url" {
  type        = string
  description = "The Tenn API endpoint to register the webhook with."
}

ephemeral "tenn_token" "merchant" {
  provider = authtoken

  client_id     = "TennTesting"
  client_secret = var.tenn_client_secret
  username      = "merchant@example.com"
  password      = var.tenn_password
}

# The token reaches the command through the environment, so it is not in the command Terraform
# shows, and curl reads the header from its standard input (-H @-), so it is not in a process's
# arguments either. curl -f makes an HTTP error fail the apply. Terraform hides the command's
# output, since its configuration holds an ephemeral value.
resource "terraform_data" "register_webhook" {
  triggers_replace = [var.webhook_url]

  provisioner "local-exec" {
    command = <<-EOT
      printf 'Authorization: Bearer %s\n' "$TOKEN" |
        curl -fsS -H @- -H 'Content-Type: application/json' \
          -d '{"url": "https://hooks.example.com/tenn"}' "$WEBHOOK_URL"
    EOT
    environment = {
      TOKEN       = ephemeral.tenn_token.merchant.access_token
      WEBHOOK_URL = var.webhook_url
    }
  }
}
