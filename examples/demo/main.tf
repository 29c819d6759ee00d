# The demo `make demo` applies: every token type against the bundled local token server
# (internal/tokenserver), each type as an ephemeral resource and as a data source, and every token
# USED during apply: a terraform_data's local-exec provisioner calls the API's protected endpoint
# with it, the way any consumer would, and writes what the endpoint answered (HTTP status, and who
# the token belongs to; never the token) to var.answers_dir.
#
# The token blocks are in tokens.tf, which make docs writes from the provider's token types, so a
# new type joins the demo by itself. A module can require authtoken/authtoken under one local name
# only, so when a module uses several of the token types, each block names the provider with
# `provider = authtoken`.
#
# mtls.tf adds mutual TLS: an oauth2_token whose client authenticates with a TLS client
# certificate alone, against a second token server that serves https with a CA of its own.

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
    state holds none of them and that the revoked ones are refused. Empty: no hand-over.
  EOT
  type        = string
  default     = ""
}

locals {
  # The consumer: the token travels in the environment, so it is never in the command that
  # Terraform shows and logs, and reaches curl on its standard input (-H @-), so it is never in a
  # process's arguments either; curl -f makes a refused token fail the apply. Over https (mtls.tf)
  # it trusts the CA in CACERT and presents the client certificate in the files CERT and KEY.
  use_token = <<-EOT
    set -eu
    mkdir -p "$ANSWERS"
    set --
    if [ -n "$${CACERT:-}" ]; then set -- "$@" --cacert "$CACERT"; fi
    if [ -n "$${CERT:-}" ]; then set -- "$@" --cert "$CERT" --key "$KEY"; fi
    printf 'Authorization: Bearer %s\n' "$TOKEN" |
      curl -fsS "$@" -H @- -o "$ANSWERS/$NAME.json" -w '%%{http_code}\n' "$URL" >"$ANSWERS/$NAME.status"
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
