# The demo `make demo` applies: all four token types against the bundled local token server
# (internal/tokenserver), whose documented test credentials are the values below, each type as
# an ephemeral resource and as a data source, and every token USED during apply: a
# terraform_data's local-exec provisioner calls the API's protected endpoint with it, the way any
# consumer would, and writes what the endpoint answered (HTTP status, and who the token belongs
# to; never the token) to var.answers_dir.
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

variable "answers_dir" {
  description = "Directory the provisioners write each protected endpoint's answer to: <kind>-<type>.status and .json."
  type        = string
  default     = "answers"
}

variable "handover_dir" {
  description = <<-EOT
    For make demo's checks after apply: a directory of named pipes, one per type, through which
    each ephemeral token reaches the demo script's memory (never a file), so that it can show the
    state holds none of them and that the revoked one is refused. Empty: no hand-over.
  EOT
  type        = string
  default     = ""
}

# Ephemeral resources: opened during plan and again during apply, never stored.
ephemeral "tenn_token" "demo" {
  provider      = authtoken
  token_url     = "${var.token_server}/connect/token"
  client_id     = "TennTesting"
  client_secret = "43579AF6F9BF4E259BD58F3DA730A717"
  username      = "testinguser@10npay.com"
  password      = "Ttest@2S"
  # Revoked (RFC 7009) when the run is done with it: used during apply, dead afterwards.
  revoke_on_close = true
  revocation_url  = "${var.token_server}/connect/revocation"
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

# The token endpoint comes from the issuer's metadata (RFC 8414); the confidential client's
# secret comes from OAUTH2_CLIENT_SECRET in the environment.
ephemeral "oauth2_token" "demo" {
  provider  = authtoken
  issuer    = "${var.token_server}/oauth2"
  client_id = "oauth2-client"
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

data "oauth2_token" "demo" {
  provider  = authtoken
  issuer    = "${var.token_server}/oauth2"
  client_id = "oauth2-client"
}

locals {
  # Each API's protected endpoint: it answers 200 and who the token belongs to for a live token
  # it issued, else 401 with WWW-Authenticate: Bearer error="invalid_token".
  endpoints = {
    tenn      = "${var.token_server}/connect/userinfo"
    testinium = "${var.token_server}/uaa/userinfo"
    partner   = "${var.token_server}/api/me"
    oauth2    = "${var.token_server}/oauth2/userinfo"
  }
  ephemeral_tokens = {
    tenn      = ephemeral.tenn_token.demo.access_token
    testinium = ephemeral.testinium_token.demo.access_token
    partner   = ephemeral.partner_token.demo.access_token
    oauth2    = ephemeral.oauth2_token.demo.access_token
  }
  data_tokens = {
    tenn      = data.tenn_token.demo.access_token
    testinium = data.testinium_token.demo.access_token
    partner   = data.partner_token.demo.access_token
    oauth2    = data.oauth2_token.demo.access_token
  }

  # The consumer: the token travels in the environment, so it is never in the command that
  # Terraform shows and logs, and reaches curl on its standard input (-H @-), so it is never in a
  # process's arguments either; curl -f makes a refused token fail the apply.
  use_token = <<-EOT
    set -eu
    mkdir -p "$ANSWERS"
    printf 'Authorization: Bearer %s\n' "$TOKEN" |
      curl -fsS -H @- -o "$ANSWERS/$NAME.json" -w '%%{http_code}\n' "$URL" >"$ANSWERS/$NAME.status"
    if [ -n "$HANDOVER" ]; then printf '%s\n' "$TOKEN" >"$HANDOVER"; fi
  EOT
}

resource "terraform_data" "use_ephemeral_token" {
  for_each = local.endpoints

  provisioner "local-exec" {
    command = local.use_token
    environment = {
      TOKEN    = local.ephemeral_tokens[each.key]
      URL      = each.value
      ANSWERS  = var.answers_dir
      NAME     = "ephemeral-${each.key}"
      HANDOVER = var.handover_dir == "" ? "" : "${var.handover_dir}/${each.key}"
    }
  }
}

resource "terraform_data" "use_data_source_token" {
  for_each = local.endpoints

  provisioner "local-exec" {
    command = local.use_token
    environment = {
      TOKEN    = local.data_tokens[each.key]
      URL      = each.value
      ANSWERS  = var.answers_dir
      NAME     = "data-${each.key}"
      HANDOVER = ""
    }
  }
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

output "oauth2" {
  value = {
    token_type = data.oauth2_token.demo.token_type
    expires_at = data.oauth2_token.demo.expires_at
    scopes     = join(" ", data.oauth2_token.demo.scopes)
  }
}
