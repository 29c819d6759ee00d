#!/usr/bin/env bash
# Runs this module's tests, and its reporting module's, with `terraform test` against a local
# token server that knows the module's own client (tokenserver.json); the self-contained test
# file starts a second one itself, on TOKEN_SERVER_PORT (default 18089):
#
#   ./run-tests.sh                 with terraform
#   TF=tofu ./run-tests.sh         with OpenTofu (`tofu test`)
#   TOKENSERVER_FLAGS='-fault api=oauth2,status=503' ./run-tests.sh
#                                  with the token endpoint failing: the tests must fail
#
# It needs the tokenserver command on PATH, or its path in TOKENSERVER:
#   go install github.com/authtoken/terraform-provider-authtoken/cmd/tokenserver@latest
set -euo pipefail
cd "$(dirname "$0")"
TF=${TF:-terraform}
TOKENSERVER=${TOKENSERVER:-tokenserver}

work=$(mktemp -d)
pid=
cleanup() {
  [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
  [ -z "$pid" ] || wait "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# shellcheck disable=SC2086 # TOKENSERVER_FLAGS holds several flags
"$TOKENSERVER" -config tokenserver.json -addr-file "$work/addr" ${TOKENSERVER_FLAGS:-} 2>"$work/tokenserver.log" &
pid=$!
# The server writes its base URL to the address file once it listens.
until [ -s "$work/addr" ]; do
  if ! kill -0 "$pid" 2>/dev/null; then
    cat "$work/tokenserver.log" >&2
    echo "$0: the token server did not start" >&2
    exit 1
  fi
  sleep 0.1
done
base=$(cat "$work/addr")

# The module's inputs, as a pipeline would set them; the secret is the test client's.
export TF_VAR_issuer="$base/oauth2"
export TF_VAR_client_id=inventory-ci
export TF_VAR_client_secret=inventory-test-secret
export OAUTH2_CLIENT_SECRET=inventory-test-secret
export TF_VAR_api_url="$base/oauth2/userinfo" # the token server's own protected resource
export TF_IN_AUTOMATION=1
# tests/self_contained.tftest.hcl starts a token server of its own, from PATH, on this port.
export TF_VAR_token_server_port=${TOKEN_SERVER_PORT:-18089}
PATH="$(dirname "$(command -v "$TOKENSERVER")"):$PATH"

status=0
for dir in . modules/reporting; do
  echo "==> $TF test in $dir"
  "$TF" -chdir="$dir" init -input=false -no-color >/dev/null
  "$TF" -chdir="$dir" test -no-color || status=1
done
if [ "$status" -ne 0 ]; then
  echo "==> token server log" >&2
  cat "$work/tokenserver.log" >&2
fi
exit "$status"
