#!/usr/bin/env bash
# make demo: build the provider and the local token server, start the server on loopback, and
# run a real `terraform init` + `apply` of examples/demo against it: every token type as an
# ephemeral resource and as a data source, each token used during apply by a local-exec
# provisioner that calls the API's protected endpoint with it. Ends with a summary: what each
# endpoint answered, whether the state holds the token, that the revoked token is dead after
# apply, and how many token requests the run made and why. Never prints a token or a secret.
#
# Needs go, terraform >= 1.10, curl and jq on PATH; nothing from the network but Go modules.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in go terraform curl jq; do
  command -v "$tool" >/dev/null || { echo "make demo needs $tool on PATH (and terraform >= 1.10)" >&2; exit 1; }
done

# The caller's environment must not change what the demo's blocks do: the provider reads
# TENN_*, TESTINIUM_*, PARTNER_*, OAUTH2_* and AUTHTOKEN_*, and Terraform TF_VAR_* and the rest.
for v in $(compgen -e); do
  case $v in
    TENN_* | TESTINIUM_* | PARTNER_* | OAUTH2_* | AUTHTOKEN_* | TF_VAR_* | TF_CLI_ARGS* | TF_DATA_DIR | TF_WORKSPACE) unset "$v" ;;
  esac
done

work=$(mktemp -d)
server_pid=""
cleanup() {
  local rc=$?
  if [ "$rc" -ne 0 ] && [ -s "$work/tokenserver.log" ]; then
    echo "==> The token server's log" >&2
    sed 's/^/    /' "$work/tokenserver.log" >&2
  fi
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
die() {
  echo "make demo: $*" >&2
  exit 1
}

types=(tenn testinium partner oauth2)
version=0.1.0 # any release version: init does not pick pre-releases
plugin_dir="$work/plugins/registry.terraform.io/authtoken/authtoken/$version/$(go env GOOS)_$(go env GOARCH)"
mkdir -p "$work/bin" "$plugin_dir" "$work/config" "$work/answers" "$work/handover"
echo "==> Building the provider and the token server"
go build -o "$work/bin/terraform-provider-authtoken" .
cp "$work/bin/terraform-provider-authtoken" "$plugin_dir/terraform-provider-authtoken_v$version"
go build -o "$work/tokenserver" ./internal/tokenserver/cmd/tokenserver

echo "==> Starting the token server on loopback"
"$work/tokenserver" -listen 127.0.0.1:0 -addr-file "$work/addr" 2>"$work/tokenserver.log" &
server_pid=$!
for _ in $(seq 100); do
  [ -s "$work/addr" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
[ -s "$work/addr" ] || die "the token server did not start"
base=$(cat "$work/addr")
echo "    $base"
export TF_VAR_token_server="$base" TF_VAR_answers_dir="$work/answers" TF_VAR_handover_dir="$work/handover"
# The secret of the oauth2 API's confidential test client (tokenserver.OAuth2ClientSecret). The
# provider reads it from the environment, so it is in neither the configuration nor the state.
export OAUTH2_CLIENT_SECRET='s3cret:+&/%é'

# The ephemeral tokens reach this script through named pipes, held open here so that the
# provisioners' writes never block: they stay in memory, never in a file, and serve the checks
# after apply (the state holds none of them; the revoked one is refused).
for t in "${types[@]}"; do mkfifo -m 600 "$work/handover/$t"; done
exec 3<>"$work/handover/tenn" 4<>"$work/handover/testinium" 5<>"$work/handover/partner" 6<>"$work/handover/oauth2"

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

color=()
[ -t 1 ] || color=(-no-color) # no escape codes in a log
echo "==> terraform init (offline, from a local plugin directory)"
terraform init -input=false -plugin-dir="$work/plugins" ${color[@]+"${color[@]}"} >/dev/null
echo "==> terraform apply (each token is used by a local-exec provisioner; Terraform hides their output)"
terraform apply -input=false -auto-approve -compact-warnings ${color[@]+"${color[@]}"}

# The checks. Tokens go only into shell variables and pipes, never into a command line or a file.
# shellcheck disable=SC2034 # read below as ${!name}
token_tenn="" token_testinium="" token_partner="" token_oauth2=""
fd=3
for t in "${types[@]}"; do
  IFS= read -r -t 10 "token_$t" <&"$fd" || die "the ephemeral $t token was not handed over by its provisioner"
  fd=$((fd + 1))
done
exec 3<&- 4<&- 5<&- 6<&-

# Tenn's ephemeral token was revoked when the apply closed it: the same call is refused now.
after_status=$(printf 'Authorization: Bearer %s\n' "$token_tenn" |
  curl -sS -H @- -D "$work/answers/after-tenn.headers" -o "$work/answers/after-tenn.json" -w '%{http_code}' "$base/connect/userinfo")
after_challenge=$(tr -d '\r' <"$work/answers/after-tenn.headers" | sed -n 's/^[Ww][Ww][Ww]-[Aa]uthenticate: *//p')
after_why=$(jq -r '.error_description // empty' "$work/answers/after-tenn.json")

terraform show -json >"$work/show.json" # holds the data sources' tokens, like the state: never printed
state=$(cat terraform.tfstate "$work/show.json")
answers=$(cat "$work"/answers/*)

# answer KIND TYPE: the endpoint's answer to the provisioner: HTTP status and who the token is for.
answer() {
  local f="$work/answers/$1-$2"
  if [ ! -s "$f.status" ] || [ ! -s "$f.json" ]; then die "no answer recorded for the $1 $2 token"; fi
  printf 'HTTP %s, %s' "$(cat "$f.status")" "$(jq -r '"\(.api) sub=\(.sub)"' "$f.json")"
}
# in_state_data TYPE: whether the state holds the data source's token, and marked sensitive.
in_state_data() {
  jq -r --arg type "$1_token" '
    [.values.root_module.resources[]? | select(.mode == "data" and .type == $type)] |
    if length == 0 or (.[0].values.access_token // "") == "" then "no"
    elif .[0].sensitive_values.access_token == true then "yes, marked sensitive"
    else "yes, NOT marked sensitive" end' "$work/show.json"
}

echo "==> Requests the token server answered"
sed 's/^/    /' "$work/tokenserver.log"

echo "==> Summary (the tokens themselves are never printed)"
row='    %-10s %-16s %-46s %s\n'
# shellcheck disable=SC2059 # row is the format
printf "$row" kind type "endpoint answer during apply" "token in state"
for t in "${types[@]}"; do
  name="token_$t"
  token=${!name}
  [ -n "$token" ] || die "the ephemeral $t token handed over is empty"
  case $state in *"$token"*) die "the state holds the ephemeral $t token" ;; esac
  case $answers in *"$token"*) die "an answer file holds the ephemeral $t token" ;; esac
  # shellcheck disable=SC2059
  printf "$row" ephemeral "${t}_token" "$(answer ephemeral "$t")" none
done
for t in "${types[@]}"; do
  data_token=$(jq -r --arg type "${t}_token" \
    '.values.root_module.resources[]? | select(.mode == "data" and .type == $type) | .values.access_token // empty' "$work/show.json")
  if [ -n "$data_token" ]; then
    case $answers in *"$data_token"*) die "an answer file holds the $t data source's token" ;; esac
  fi
  # shellcheck disable=SC2059
  printf "$row" data "${t}_token" "$(answer data "$t")" "$(in_state_data "$t")"
done
unset data_token token
[ "$after_status" = 401 ] || die "the revoked tenn token got HTTP $after_status after apply, not 401"
echo "    after apply: the ephemeral tenn_token (revoke_on_close) gets HTTP $after_status, $after_challenge: $after_why"

# Token requests: the log lines of the token endpoints, which name no resource, revocation or
# metadata path.
log_lines() { grep -E ' api=[^ ]+ method=[A-Z]+ status=' "$work/tokenserver.log" || true; }
count() { grep -c -- "$1" || true; }
token_lines=$(log_lines | grep -Ev ' (resource|revocation|metadata)=' || true)
total=$(printf '%s' "$token_lines" | count 'api=')
per_api=""
for t in "${types[@]}"; do
  per_api+="${per_api:+, }$t $(printf '%s' "$token_lines" | count " api=$t ")"
done
n=${#types[@]}
if [ "$total" -eq $((2 * n + n)) ]; then
  echo "    $total token requests ($per_api): each ephemeral resource is opened at plan and again at apply" \
    "($n × 2), each data source is read once at plan ($n × 1); an ephemeral resource never shares a data source's token."
else
  echo "    $total token requests ($per_api), where $((2 * n + n)) were expected: $n ephemeral resources opened at plan" \
    "and again at apply, $n data sources read once at plan; this Terraform opened them otherwise (see the log above)."
fi
echo "    Besides: $(log_lines | count ' resource=') protected endpoint calls (the provisioners', then the check" \
  "after apply), $(log_lines | count ' revocation=') revocations (revoke_on_close: tenn's ephemeral token, each time" \
  "it is closed), $(log_lines | count ' metadata=') issuer metadata requests (oauth2 discovery)."
