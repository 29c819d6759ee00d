terraform {
  required_providers {
    # The local name is the types' prefix, so Terraform picks this provider for every
    # tenn_token block by itself.
    tenn = {
      source = "authtoken/authtoken"
    }
  }
}

# Provider settings go in a block named after the local name.
provider "tenn" {
  request_timeout = "1m"
}

# No provider argument needed. The credentials come from the TENN_ environment variables.
ephemeral "tenn_token" "merchant" {}
