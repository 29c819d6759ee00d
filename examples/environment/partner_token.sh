# Required, unless set in the block:
export PARTNER_TOKEN_URL="https://partner-api.example.com/api/oauth/token"
export PARTNER_CLIENT_ID="..."
export PARTNER_CLIENT_SECRET="..."
# Optional:
export PARTNER_SCOPE="bookings:create" # default: the server's scopes
export PARTNER_MIN_VALIDITY="30m" # default: the provider's min_validity
export PARTNER_CLIENT_CERT_PEM="$(cat client.pem)"    # mutual TLS: the client certificate
export PARTNER_CLIENT_KEY_PEM="$(cat client-key.pem)" # and its unencrypted key
