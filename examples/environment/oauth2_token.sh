# The endpoint, one of:
export OAUTH2_TOKEN_URL="https://login.example.com/oauth2/token"
export OAUTH2_ISSUER="https://login.example.com" # instead: read the endpoint from the metadata
# The client:
export OAUTH2_CLIENT_ID="inventory-sync"
export OAUTH2_CLIENT_SECRET="..."            # client_secret_basic (the default) and client_secret_post
export OAUTH2_CLIENT_AUTH="client_secret_basic"
export OAUTH2_PRIVATE_KEY_PEM="$(cat key.pem)" # private_key_jwt
export OAUTH2_PRIVATE_KEY_ID="2B1C0E3F9A"
export OAUTH2_PRIVATE_KEY_CERT_PEM="$(cat cert.pem)" # private_key_jwt, for Entra: its thumbprint as x5t
# The grant, client_credentials by default:
export OAUTH2_GRANT_TYPE="client_credentials"
export OAUTH2_USERNAME="user@example.com" # password grant
export OAUTH2_PASSWORD="..."
export OAUTH2_CURRENT_REFRESH_TOKEN="..." # refresh_token grant
# Secretless pipelines: the CI job's own token, for token_exchange, jwt_bearer or federated_jwt; one of:
export OAUTH2_SUBJECT_TOKEN_SOURCE="type=github_actions&audience=api://AzureADTokenExchange" # form-encoded
export OAUTH2_SUBJECT_TOKEN_FILE="/var/run/secrets/tokens/oidc-token"                        # read at every open
export OAUTH2_SUBJECT_TOKEN="$JOB_OIDC_TOKEN"
export OAUTH2_SUBJECT_TOKEN_TYPE="jwt" # token_exchange: jwt (the default), id_token, access_token or a URI
export OAUTH2_REQUESTED_TOKEN_TYPE="access_token"
export OAUTH2_ACTOR_TOKEN="..." # token_exchange delegation
export OAUTH2_ACTOR_TOKEN_TYPE="jwt"
# Optional:
export OAUTH2_SCOPE="inventory.read"
export OAUTH2_AUDIENCE="https://inventory.example.com"
export OAUTH2_RESOURCE="https://inventory.example.com https://orders.example.com" # separated by spaces
export OAUTH2_EXTRA_PARAMS="organization=acme&prompt=none"                         # form-encoded
export OAUTH2_MIN_VALIDITY="30m"
export OAUTH2_CLIENT_CERT_PEM="$(cat client.pem)"    # mutual TLS: the client certificate
export OAUTH2_CLIENT_KEY_PEM="$(cat client-key.pem)" # and its unencrypted key
export OAUTH2_REVOKE_ON_CLOSE="true" # ephemeral resource only
export OAUTH2_REVOCATION_URL="https://login.example.com/oauth2/revoke"
