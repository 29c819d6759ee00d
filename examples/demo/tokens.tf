# Written by make docs from the provider's token types and the token server's documented test
# accounts (internal/provider/docs_generate_test.go): do not edit. main.tf uses what it defines.

# github_app_token, as an ephemeral resource and as a data source.
locals {
  github_app_token_private_key_pem = <<-EOT
-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEAz4LByYixXfGkqB+fXSnVT2J4F3K8Ja8n+0s0it1oaVSNTsah
Jvi3J+VI8jJzbMXE7iuAwS/66yOaPX33RqSIVhp/qiuFf9kW2EAfe++RLq8uYur2
gwmr1mPQtlsvLlknc3jGe0/n9iMHVGePVGLGhsfRp/oQjHd8n+oC9Zh15AjZmvZY
S6oQGj3uKoO1Yrz0AnV8jIfxqE/0YF2r7O9gvUpfjqP9NzgTkYmpv5u3j2ieDfjs
a1GY7ckLdMXZQk1BBkQeJ7kOuxEs46Ns939gO8AGaBw7GY7qJc/0qmSkUC8+eGJr
7eWpP12EUiRwb5Jf6BFKVaHwyyF6r4W/5Ji42QIDAQABAoIBAAGggFLLWrymUt4A
lXgeW65KKC/i4JJuZk1ZlcQK9VvHY8OSL3GbR0Wto13xbac/gQpEVreXtTYXwDNV
jqqZSqUGLdRl5Uo50lcytYHRazLRq8xEaay1rDO7nPIjvTcgpXxfHjXu9p4e6y/1
uebK+XcqujxAwSrLcF4z8FRVnthWrSBUnYpXDjEjuSN4+KQDKelEXDFSl2HXrEDv
PiEnuyrjbFpufHMTh2NZdBm+5HzDxVkNS4T3/vChxQ3L2Fky1iRN/yfZ1X2qE0NY
7MdEfrIob5TohMQkoYzU547ukHm0r1gUc3xUls8xLMKaFjEKIGXMkGybqtPoD6Hw
6Ezj7wsCgYEA/m/FIEa/Eqaly8coSe1LT6JPGSnikChDPErrAUXtYYne5qYrjO/O
8rw1aYpmGFLHS9GuqpA37qvinR8v14ca55bh9rt2YrrA7Fc2bpYV1DErH5HpoPdZ
n0SUpTPUhJwD/ba7LU8SvjNSA8gto8EobaJne1Omo9RqFjzxbFAXfg8CgYEA0Mks
Ioj7AAL06b46EN/pFgDbAvj3PEAAYcGAFibeoPp+swXHdw6KsUsnL+qlhYAXweyW
XZ/jUmy5qkDglYN4baAjuw3FSIZiOVzrJU/BatV0uv0CMC6huWtX2LhZcwU3Gi3J
AfJnZmGptaCLCeYjeudFOUqCbqO8WuW6++lqwpcCgYEA/av54WAniDTWAAEjzfDj
sRWlvvTfidJalnYrLy3EqgaHUXZC3VUKA0BaEEuH1qBRSupXNn5rBW4hlX1OeZed
31+zEgd81JpVVkztW/wO72vGDsevImj51azOdpbiPwQ9hmr02wuHKFKKZnLh7e3a
nNPaUD7qWVSiIGHKYa7IfUkCgYBowSblxPi6zsD3LjyQDugx5Af++8+AaVRHuAB+
HM6C0mwTgojL0X4A6oYk4oRd8SD6aawgGYLC7k5Rf++u1KHtzvVeetBLTTGnOlm5
BMU0xxikYSFh72OxVoxi7kvjC/DTr7k0wtziX4n42S4pr1CJ79OppRrATGLK8Iza
rAimzQKBgCVG2GmUQqZdMAQmhk9qi/PBHf6NZrymVAr8dIut9n8vG32ZpAr4rayU
MMFZyq4K9LMTBRK8f8z+sk+SqFc4X5qy8y7+o12kuWESjhHKEmc25MDiVoZWzOab
22EsBGaX7HO61BVIx2k24TJjedoAxxpzMlQS08QFHHTbjbNImpvH
-----END RSA PRIVATE KEY-----
EOT
}

ephemeral "github_app_token" "demo" {
  provider = authtoken

  app_id          = "424242"
  client_id       = "Iv23liAuthtokenTestApp"
  private_key_pem = local.github_app_token_private_key_pem
  installation_id = "1001"
  owner           = "authtoken-test-org"
  api_url         = var.token_server
  revoke_on_close = true
}

data "github_app_token" "demo" {
  provider = authtoken

  app_id          = "424242"
  client_id       = "Iv23liAuthtokenTestApp"
  private_key_pem = local.github_app_token_private_key_pem
  installation_id = "1001"
  owner           = "authtoken-test-org"
  api_url         = var.token_server
}

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
    github_app_token = "${var.token_server}/installation/repositories"
    oauth2_token     = "${var.token_server}/oauth2/userinfo"
    partner_token    = "${var.token_server}/api/me"
    tenn_token       = "${var.token_server}/connect/userinfo"
    testinium_token  = "${var.token_server}/uaa/userinfo"
  }

  ephemeral_tokens = {
    github_app_token = ephemeral.github_app_token.demo.access_token
    oauth2_token     = ephemeral.oauth2_token.demo.access_token
    partner_token    = ephemeral.partner_token.demo.access_token
    tenn_token       = ephemeral.tenn_token.demo.access_token
    testinium_token  = ephemeral.testinium_token.demo.access_token
  }

  data_tokens = {
    github_app_token = data.github_app_token.demo.access_token
    oauth2_token     = data.oauth2_token.demo.access_token
    partner_token    = data.partner_token.demo.access_token
    tenn_token       = data.tenn_token.demo.access_token
    testinium_token  = data.testinium_token.demo.access_token
  }
}

# For make demo's summary: each type's API (as the token server logs it), its protected endpoint,
# and whether its ephemeral token is revoked when the run closes it.
output "demo" {
  value = {
    github_app_token = { api = "github_app", endpoint = local.endpoints.github_app_token, revoked = true }
    oauth2_token     = { api = "oauth2", endpoint = local.endpoints.oauth2_token, revoked = true }
    partner_token    = { api = "partner", endpoint = local.endpoints.partner_token, revoked = false }
    tenn_token       = { api = "tenn", endpoint = local.endpoints.tenn_token, revoked = true }
    testinium_token  = { api = "testinium", endpoint = local.endpoints.testinium_token, revoked = false }
  }
}

# What the data sources returned, but the tokens.
output "data_sources" {
  value = {
    github_app_token = {
      expires_at           = data.github_app_token.demo.expires_at
      repository_selection = data.github_app_token.demo.repository_selection
    }
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
