# Required, unless set in the block:
export TESTINIUM_USERNAME="user@example.com"
export TESTINIUM_PASSWORD="..."
# Optional:
export TESTINIUM_CLIENT_ID="testiniumSuiteTrustedClient"                 # the default
export TESTINIUM_CLIENT_SECRET="..."                                     # default: the public client's secret
export TESTINIUM_TOKEN_URL="https://account.testinium.com/uaa/oauth/token" # the default
export TESTINIUM_SCOPE="api"                                             # default: the server's scopes
export TESTINIUM_MIN_VALIDITY="30m" # default: the provider's min_validity
