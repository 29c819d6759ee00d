terraform {
  required_version = ">= 1.10"

  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

# The client certificate and its key come from ephemeral variables (TF_VAR_client_cert_pem, ...):
# neither is written to the plan or the state. Both are checked at plan: the key must belong to
# the certificate, and an expired certificate fails before any request.
variable "client_cert_pem" {
  type      = string
  ephemeral = true
}

variable "client_key_pem" {
  type      = string
  sensitive = true
  ephemeral = true
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

# A typed API behind a gateway that asks for a client certificate: the certificate is presented
# in the TLS handshake, and the grant is the API's own.
ephemeral "tenn_token" "merchant" {
  provider = authtoken

  client_id       = "TennTesting"
  client_secret   = var.tenn_client_secret
  username        = "merchant@example.com"
  password        = var.tenn_password
  client_cert_pem = var.client_cert_pem
  client_key_pem  = var.client_key_pem
}

# RFC 8705: the certificate alone authenticates the client (no secret), and the server may bind
# the token to it. With an issuer, its mtls_endpoint_aliases are used.
ephemeral "oauth2_token" "payments" {
  provider = authtoken

  issuer          = "https://login.example.com/realms/payments"
  client_id       = "payments-batch"
  client_auth     = "tls_client_auth"
  client_cert_pem = var.client_cert_pem
  client_key_pem  = var.client_key_pem
  scope           = "payments.read"
}

# A certificate-bound token is good only together with its certificate: the consumer presents it
# too. curl reads the certificate and key from files, written for the command and removed after.
resource "terraform_data" "payments_report" {
  provisioner "local-exec" {
    interpreter = ["bash", "-c"]
    command     = <<-EOT
      set -euo pipefail
      dir=$(mktemp -d) && trap 'rm -rf "$dir"' EXIT
      umask 077
      printf '%s' "$CERT" >"$dir/cert.pem"
      printf '%s' "$KEY" >"$dir/key.pem"
      printf 'Authorization: Bearer %s\n' "$TOKEN" |
        curl -fsS -H @- --cert "$dir/cert.pem" --key "$dir/key.pem" https://payments.example.com/reports
    EOT
    environment = {
      TOKEN = ephemeral.oauth2_token.payments.access_token
      CERT  = var.client_cert_pem
      KEY   = var.client_key_pem
    }
  }
}
