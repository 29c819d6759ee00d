# Required, unless set in the block:
export TENN_CLIENT_ID="TennTesting"
export TENN_CLIENT_SECRET="..."
export TENN_USERNAME="merchant@example.com"
export TENN_PASSWORD="..."
# Optional:
export TENN_TOKEN_URL="https://auth-test.10npay.com/connect/token" # the default
export TENN_SCOPE="openid Tenn.Payment"                           # default: the server's scopes
export TENN_MIN_VALIDITY="30m" # default: the provider's min_validity
export TENN_CLIENT_CERT_PEM="$(cat client.pem)"    # mutual TLS: the client certificate
export TENN_CLIENT_KEY_PEM="$(cat client-key.pem)" # and its unencrypted key
export TENN_REVOKE_ON_CLOSE="true"                                      # ephemeral resource only
export TENN_REVOCATION_URL="https://auth-test.10npay.com/connect/revocation" # for revoke_on_close
