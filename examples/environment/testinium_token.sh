# Required, unless set in the block:
export TESTINIUM_USERNAME="user@example.com"
export TESTINIUM_PASSWORD="..."
# Optional:
export TESTINIUM_CLIENT_ID="testiniumSuiteTrustedClient"                 # the default
export TESTINIUM_CLIENT_SECRET="..."                                     # default: the public client's secret
export TESTINIUM_TOKEN_URL="https://account.testinium.com/uaa/oauth/token" # the default
export TESTINIUM_SCOPE="api"                                             # default: the server's scopes
export TESTINIUM_MIN_VALIDITY="30m" # default: the provider's min_validity
export TESTINIUM_CLIENT_CERT_PEM="$(cat client.pem)"    # mutual TLS: the client certificate
export TESTINIUM_CLIENT_KEY_PEM="$(cat client-key.pem)" # and its unencrypted key
