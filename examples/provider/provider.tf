terraform {
  required_providers {
    authtoken = {
      source = "authtoken/authtoken"
    }
  }
}

# Every setting is optional (these are the defaults), and each one can come from an
# AUTHTOKEN_ environment variable instead.
provider "authtoken" {
  request_timeout = "30s"
  max_retries     = 3
  reuse_tokens    = true
}

# The type names do not start with "authtoken", so each block names its provider. With the
# TENN_ and PARTNER_ environment variables set, the blocks need nothing else.
ephemeral "tenn_token" "merchant" {
  provider = authtoken
}

ephemeral "partner_token" "partner" {
  provider = authtoken
}
