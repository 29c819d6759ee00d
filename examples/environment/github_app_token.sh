# Required, unless set in the block:
export GITHUB_APP_CLIENT_ID="Iv23li..." # or GITHUB_APP_APP_ID="123456"
export GITHUB_APP_PRIVATE_KEY_PEM="$(cat my-app.private-key.pem)"
export GITHUB_APP_OWNER="octo-org" # or GITHUB_APP_INSTALLATION_ID="12345678", which integrations/github's app_auth reads too
# Optional:
export GITHUB_APP_REPOSITORIES="infra website"                # default: every repository of the installation
export GITHUB_APP_PERMISSIONS="contents=read&issues=write"    # default: every permission of the installation
export GITHUB_APP_API_URL="https://github.example.com/api/v3" # default: https://api.github.com
export GITHUB_APP_REVOKE_ON_CLOSE="true"                      # ephemeral resource only
export GITHUB_APP_MIN_VALIDITY="30m"                          # default: the provider's min_validity
export GITHUB_APP_CLIENT_CERT_PEM="$(cat client.pem)"    # mutual TLS (a gateway in front of GitHub Enterprise Server)
export GITHUB_APP_CLIENT_KEY_PEM="$(cat client-key.pem)" # and its unencrypted key
