# Written by make docs from the provider's token types and the token server's documented test
# accounts (internal/provider/docs_generate_test.go): do not edit. main.tf uses what it defines.

# oauth2_token, as an ephemeral resource and as a data source.
ephemeral "oauth2_token" "demo" {
  provider = authtoken

  token_url       = "${var.token_server}/oauth2/token"
  client_id       = "oauth2-client"
  client_secret   = "s3cret:+&/%é"
  revoke_on_close = true
  revocation_url  = "${var.token_server}/oauth2/revoke"
}

data "oauth2_token" "demo" {
  provider = authtoken

  token_url     = "${var.token_server}/oauth2/token"
  client_id     = "oauth2-client"
  client_secret = "s3cret:+&/%é"
}

# partner_token, as an ephemeral resource and as a data source.
ephemeral "partner_token" "demo" {
  provider = authtoken

  token_url     = "${var.token_server}/api/oauth/token"
  client_id     = "partner-client"
  client_secret = "partner-secret"
}

data "partner_token" "demo" {
  provider = authtoken

  token_url     = "${var.token_server}/api/oauth/token"
  client_id     = "partner-client"
  client_secret = "partner-secret"
}

# tenn_token, as an ephemeral resource and as a data source.
ephemeral "tenn_token" "demo" {
  provider = authtoken

  token_url       = "${var.token_server}/connect/token"
  client_id       = "TennTesting"
  client_secret   = "43579AF6F9BF4E259BD58F3DA730A717"
  username        = "testinguser@10npay.com"
  password        = "Ttest@2S"
  revoke_on_close = true
  revocation_url  = "${var.token_server}/connect/revocation"
}

data "tenn_token" "demo" {
  provider = authtoken

  token_url     = "${var.token_server}/connect/token"
  client_id     = "TennTesting"
  client_secret = "43579AF6F9BF4E259BD58F3DA730A717"
  username      = "testinguser@10npay.com"
  password      = "Ttest@2S"
}

# testinium_token, as an ephemeral resource and as a data source.
ephemeral "testinium_token" "demo" {
  provider = authtoken

  token_url     = "${var.token_server}/uaa/oauth/token"
  client_id     = "testiniumSuiteTrustedClient"
  client_secret = "testiniumSuiteSecretKey"
  username      = "user@example.com"
  password      = "testinium-pass"
}

data "testinium_token" "demo" {
  provider = authtoken

  token_url     = "${var.token_server}/uaa/oauth/token"
  client_id     = "testiniumSuiteTrustedClient"
  client_secret = "testiniumSuiteSecretKey"
  username      = "user@example.com"
  password      = "testinium-pass"
}

locals {
  # Each API's protected endpoint: it answers 200 and who the token belongs to for a live token
  # it issued, else 401 with WWW-Authenticate: Bearer error="invalid_token".
  endpoints = {
    oauth2_token    = "${var.token_server}/oauth2/userinfo"
    partner_token   = "${var.token_server}/api/me"
    tenn_token      = "${var.token_server}/connect/userinfo"
    testinium_token = "${var.token_server}/uaa/userinfo"
  }

  ephemeral_tokens = {
    oauth2_token    = ephemeral.oauth2_token.demo.access_token
    partner_token   = ephemeral.partner_token.demo.access_token
    tenn_token      = ephemeral.tenn_token.demo.access_token
    testinium_token = ephemeral.testinium_token.demo.access_token
  }

  data_tokens = {
    oauth2_token    = data.oauth2_token.demo.access_token
    partner_token   = data.partner_token.demo.access_token
    tenn_token      = data.tenn_token.demo.access_token
    testinium_token = data.testinium_token.demo.access_token
  }
}

# For make demo's summary: each type's API (as the token server logs it), its protected endpoint,
# and whether its ephemeral token is revoked when the run closes it.
output "demo" {
  value = {
    oauth2_token    = { api = "oauth2", endpoint = local.endpoints.oauth2_token, revoked = true }
    partner_token   = { api = "partner", endpoint = local.endpoints.partner_token, revoked = false }
    tenn_token      = { api = "tenn", endpoint = local.endpoints.tenn_token, revoked = true }
    testinium_token = { api = "testinium", endpoint = local.endpoints.testinium_token, revoked = false }
  }
}

# What the data sources returned, but the tokens.
output "data_sources" {
  value = {
    oauth2_token = {
      token_type = data.oauth2_token.demo.token_type
      expires_at = data.oauth2_token.demo.expires_at
      scopes     = join(" ", data.oauth2_token.demo.scopes)
    }
    partner_token = {
      token_type = data.partner_token.demo.token_type
      expires_at = data.partner_token.demo.expires_at
      scopes     = join(" ", data.partner_token.demo.scopes)
    }
    tenn_token = {
      token_type = data.tenn_token.demo.token_type
      expires_at = data.tenn_token.demo.expires_at
      scopes     = join(" ", data.tenn_token.demo.scopes)
    }
    testinium_token = {
      token_type = data.testinium_token.demo.token_type
      expires_at = data.testinium_token.demo.expires_at
      scopes     = join(" ", data.testinium_token.demo.scopes)
    }
  }
}
