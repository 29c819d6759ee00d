# Required, unless set in the block:
export TENN_CLIENT_ID="TennTesting"
export TENN_CLIENT_SECRET="..."
export TENN_USERNAME="merchant@example.com"
export TENN_PASSWORD="..."
# Optional:
export TENN_TOKEN_URL="https://auth-test.10npay.com/connect/token" # the default
export TENN_SCOPE="openid Tenn.Payment"                           # default: the server's scopes
