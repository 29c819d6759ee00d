#!/usr/bin/env bash
# make demo: build the provider and the local token server, start the server on loopback, and
# run a real `terraform init` + `apply` of examples/demo against it. Prints each token's
# token_type, expires_at and scopes; never a token.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v terraform >/dev/null || { echo "make demo needs terraform >= 1.10 on PATH" >&2; exit 1; }

work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

version=0.1.0 # any release version: init does not pick pre-releases
plugin_dir="$work/plugins/registry.terraform.io/authtoken/authtoken/$version/$(go env GOOS)_$(go env GOARCH)"
mkdir -p "$work/bin" "$plugin_dir" "$work/config"
echo "==> Building the provider and the token server"
go build -o "$work/bin/terraform-provider-authtoken" .
cp "$work/bin/terraform-provider-authtoken" "$plugin_dir/terraform-provider-authtoken_v$version"
go build -o "$work/tokenserver" ./internal/tokenserver/cmd/tokenserver

echo "==> Starting the token server on loopback"
"$work/tokenserver" -listen 127.0.0.1:0 -addr-file "$work/addr" 2>"$work/tokenserver.log" &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/addr" ] && break; sleep 0.1; done
[ -s "$work/addr" ] || { echo "the token server did not start:" >&2; cat "$work/tokenserver.log" >&2; exit 1; }
export TF_VAR_token_server
TF_VAR_token_server=$(cat "$work/addr")
echo "    $TF_VAR_token_server"

# Our own CLI config: the machine's may be missing, and the provider comes from this build.
cat >"$work/terraform.rc" <<RC
provider_installation {
  dev_overrides {
    "authtoken/authtoken" = "$work/bin"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE="$work/terraform.rc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
cp examples/demo/*.tf "$work/config/"
cd "$work/config"

echo "==> terraform init (offline, from a local plugin directory)"
terraform init -input=false -plugin-dir="$work/plugins" >/dev/null
echo "==> terraform apply"
terraform apply -input=false -auto-approve -compact-warnings
echo "==> Token metadata (the tokens themselves are sensitive and never printed)"
terraform output
echo "==> Requests the token server answered"
sed 's/^/    /' "$work/tokenserver.log"
