# Mutual TLS (RFC 8705) in make demo, against a second token server, started with -tls-dir: it
# serves https with a CA made for the run, and writes that CA (ca.pem) and a client certificate
# of it (client.pem, client-key.pem; CN tokenserver-client). Its oauth2 API registers the client
# oauth2-mtls-client for that certificate: the client authenticates with it alone
# (client_auth = "tls_client_auth", no secret), and its tokens are bound to it (cnf x5t#S256), so
# the protected endpoint accepts one only from a connection that presents the same certificate.
#
# The files reach Terraform as paths, never as values: the key is read by file() into the
# ephemeral resource, which Terraform writes to neither the plan nor the state.

variable "mtls_token_server" {
  description = "Base URL of the token server that serves https with its own CA (tokenserver -tls-dir), e.g. https://127.0.0.1:8443."
  type        = string
}

variable "ca_cert_file" {
  description = "The token server's CA certificate (PEM), its -tls-dir's ca.pem: the provider and the consumer trust it."
  type        = string
}

variable "client_cert_file" {
  description = "The client certificate (PEM) of oauth2-mtls-client, the -tls-dir's client.pem."
  type        = string
}

variable "client_key_file" {
  description = "The client certificate's private key (PEM), the -tls-dir's client-key.pem."
  type        = string
}

# The blocks of tokens.tf use the default provider configuration, over http; this one also trusts
# the token server's CA (ca_cert_pem adds it to the system's CAs; verification is always on).
provider "authtoken" {
  alias       = "mtls"
  ca_cert_pem = file(var.ca_cert_file)
}

ephemeral "oauth2_token" "mtls" {
  provider = authtoken.mtls

  token_url       = "${var.mtls_token_server}/oauth2/token"
  client_id       = "oauth2-mtls-client"
  client_auth     = "tls_client_auth"
  client_cert_pem = file(var.client_cert_file)
  client_key_pem  = file(var.client_key_file)
  revoke_on_close = true
  revocation_url  = "${var.mtls_token_server}/oauth2/revoke"
}

locals {
  mtls_endpoint = "${var.mtls_token_server}/oauth2/userinfo"
}

# The consumer, the same as the other tokens', presenting the certificate the token is bound to.
resource "terraform_data" "use_mtls_token" {
  provisioner "local-exec" {
    command = local.use_token
    environment = {
      TOKEN    = ephemeral.oauth2_token.mtls.access_token
      URL      = local.mtls_endpoint
      CACERT   = var.ca_cert_file
      CERT     = var.client_cert_file
      KEY      = var.client_key_file
      ANSWERS  = var.answers_dir
      NAME     = "mtls-oauth2_token"
      HANDOVER = var.handover_dir == "" ? "" : "${var.handover_dir}/mtls"
    }
  }
}

# What a consumer that forgets the certificate gets: the endpoint refuses the bound token (401).
# Without curl -f, so that the refusal is recorded for make demo's summary and fails nothing.
resource "terraform_data" "use_mtls_token_without_certificate" {
  provisioner "local-exec" {
    command = <<-EOT
      set -eu
      mkdir -p "$ANSWERS"
      printf 'Authorization: Bearer %s\n' "$TOKEN" |
        curl -sS --cacert "$CACERT" -H @- -o "$ANSWERS/$NAME.json" -w '%%{http_code}\n' "$URL" >"$ANSWERS/$NAME.status"
    EOT
    environment = {
      TOKEN   = ephemeral.oauth2_token.mtls.access_token
      URL     = local.mtls_endpoint
      CACERT  = var.ca_cert_file
      ANSWERS = var.answers_dir
      NAME    = "mtls-without-certificate-oauth2_token"
    }
  }
}

# For make demo's summary, as output "demo" is for the blocks of tokens.tf.
output "mtls" {
  value = { api = "oauth2", client_id = "oauth2-mtls-client", endpoint = local.mtls_endpoint, revoked = true }
}
