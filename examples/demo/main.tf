# The demo `make demo` applies: all three token types against the bundled local token server
# (internal/tokenserver), whose documented test credentials are the defaults below.
#
# A module can require authtoken/authtoken under one local name only, so when a module uses
# several of the token types, each block names the provider with `provider = authtoken`.

terraform {
  required_version = ">= 1.10"
  required_providers {
    authtoken = { source = "authtoken/authtoken" }
  }
}

variable "token_server" {
  description = "Base URL of the local token server, e.g. http://127.0.0.1:8080."
  type        = string
}

# Ephemeral resources: opened during plan and again during apply, never stored.
ephemeral "tenn_token" "demo" {
  provider      = authtoken
  token_url     = "${var.token_server}/connect/token"
  client_id     = "TennTesting"
  client_secret = "43579AF6F9BF4E259BD58F3DA730A717"
  username      = "testinguser@10npay.com"
  password      = "Ttest@2S"
}

ephemeral "testinium_token" "demo" {
  provider  = authtoken
  token_url = "${var.token_server}/uaa/oauth/token"
  username  = "user@example.com"
  password  = "testinium-pass"
}

ephemeral "partner_token" "demo" {
  provider      = authtoken
  token_url     = "${var.token_server}/api/oauth/token"
  client_id     = "partner-client"
  client_secret = "partner-secret"
}

# Data sources: the same grants, for consumers that cannot take ephemeral values. Their
# results sit in state (the tokens marked sensitive); the outputs below show only metadata.
data "tenn_token" "demo" {
  provider      = authtoken
  token_url     = "${var.token_server}/connect/token"
  client_id     = "TennTesting"
  client_secret = "43579AF6F9BF4E259BD58F3DA730A717"
  username      = "testinguser@10npay.com"
  password      = "Ttest@2S"
}

data "testinium_token" "demo" {
  provider  = authtoken
  token_url = "${var.token_server}/uaa/oauth/token"
  username  = "user@example.com"
  password  = "testinium-pass"
}

data "partner_token" "demo" {
  provider      = authtoken
  token_url     = "${var.token_server}/api/oauth/token"
  client_id     = "partner-client"
  client_secret = "partner-secret"
}

output "tenn" {
  value = {
    token_type = data.tenn_token.demo.token_type
    expires_at = data.tenn_token.demo.expires_at
    scopes     = join(" ", data.tenn_token.demo.scopes)
  }
}

output "testinium" {
  value = {
    token_type = data.testinium_token.demo.token_type
    expires_at = data.testinium_token.demo.expires_at
    scopes     = join(" ", data.testinium_token.demo.scopes)
  }
}

output "partner" {
  value = {
    token_type = data.partner_token.demo.token_type
    expires_at = data.partner_token.demo.expires_at
    scopes     = join(" ", data.partner_token.demo.scopes)
  }
}
