#!/usr/bin/env bash
# make demo: build the provider and the local token server, start the server on loopback, and
# run a real `terraform init` + `apply` of examples/demo against it: every token type as an
# ephemeral resource and as a data source, each token used during apply by a local-exec
# provisioner that calls the API's protected endpoint with it. Ends with a summary: what each
# endpoint answered, whether the state holds the token, that the revoked tokens are dead after
# apply, and how many token requests the run made and why. Never prints a token or a secret.
#
# The types are the provider's: the script reads them from its schema, and
# examples/demo/tokens.tf (written by make docs from the registry) has their blocks and the facts
# the summary needs (output "demo"), so a new type needs no edit here.
#
# Needs go, terraform >= 1.10, curl and jq on PATH; nothing from the network but Go modules.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in go terraform curl jq; do
  command -v "$tool" >/dev/null || { echo "make demo needs $tool on PATH (and terraform >= 1.10)" >&2; exit 1; }
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

version=0.1.0 # any release version: init does not pick pre-releases
plugin_dir="$work/plugins/registry.terraform.io/authtoken/authtoken/$version/$(go env GOOS)_$(go env GOARCH)"
mkdir -p "$work/bin" "$plugin_dir" "$work/config" "$work/answers" "$work/handover"
echo "==> Building the provider and the token server"
go build -o "$work/bin/terraform-provider-authtoken" .
cp "$work/bin/terraform-provider-authtoken" "$plugin_dir/terraform-provider-authtoken_v$version"
go build -o "$work/tokenserver" ./cmd/tokenserver

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

# Our own CLI config: the machine's may be missing, and the provider comes from this build, in a
# filesystem mirror as README.md's `make install-mirror` does it (dev_overrides would warn on
# every command).
cat >"$work/terraform.rc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$work/plugins"
    include = ["registry.terraform.io/authtoken/authtoken"]
  }
  direct {
    exclude = ["registry.terraform.io/authtoken/authtoken"]
  }
}
RC
# terraform runs with this environment only: the caller's must not change what the demo's blocks
# do (the provider reads <API>_* and AUTHTOKEN_* variables, Terraform TF_VAR_*, TF_CLI_ARGS and
# the rest).
tf_env=(PATH="$PATH" HOME="$HOME" TF_CLI_CONFIG_FILE="$work/terraform.rc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
  TF_VAR_token_server="$base" TF_VAR_answers_dir="$work/answers" TF_VAR_handover_dir="$work/handover")
[ -z "${TMPDIR:-}" ] || tf_env+=(TMPDIR="$TMPDIR")
tf() { env -i "${tf_env[@]}" terraform "$@"; }
cp examples/demo/*.tf "$work/config/"
cd "$work/config"

color=()
[ -t 1 ] || color=(-no-color) # no escape codes in a log
echo "==> terraform init (offline, from a local plugin directory)"
tf init -input=false ${color[@]+"${color[@]}"} >/dev/null

# The types the provider serves, from its schema.
mapfile -t types < <(tf providers schema -json | jq -r '.provider_schemas[].ephemeral_resource_schemas | keys[]')
[ "${#types[@]}" -gt 0 ] || die "the provider's schema lists no ephemeral resources"
for t in "${types[@]}"; do
  grep -q "^ephemeral \"$t\" " tokens.tf || die "examples/demo/tokens.tf has no $t: run make docs"
done

# The ephemeral tokens reach this script through named pipes, held open here so that the
# provisioners' writes never block: they stay in memory, never in a file, and serve the checks
# after apply (the state holds none of them; the revoked ones are refused).
declare -A handover_fd token
for t in "${types[@]}"; do
  mkfifo -m 600 "$work/handover/$t"
  exec {fd}<>"$work/handover/$t"
  handover_fd[$t]=$fd
done

echo "==> terraform apply (each token is used by a local-exec provisioner; Terraform hides their output)"
tf apply -input=false -auto-approve -compact-warnings ${color[@]+"${color[@]}"} 2>&1 | tee "$work/apply.log"
# The provider comes from a mirror, as a user's would: no "development overrides" warning.
! grep -qi 'development overrides' "$work/apply.log" || die "terraform warned of development overrides"

# The checks. Tokens go only into shell variables and pipes, never into a command line or a file.
for t in "${types[@]}"; do
  IFS= read -r -t 10 "token[$t]" <&"${handover_fd[$t]}" || die "the ephemeral $t token was not handed over by its provisioner"
  fd=${handover_fd[$t]}
  exec {fd}<&-
done
tf output -json demo >"$work/demo.json"
fact() { jq -r --arg t "$1" ".[\$t].$2" "$work/demo.json"; }

# A token revoked when the apply closed it (revoke_on_close): the same call is refused now.
# after TYPE: its endpoint's HTTP status, then the WWW-Authenticate challenge and why.
after() {
  local f="$work/answers/after-$1"
  after_status=$(printf 'Authorization: Bearer %s\n' "${token[$1]}" |
    curl -sS -H @- -D "$f.headers" -o "$f.json" -w '%{http_code}' "$(fact "$1" endpoint)")
  after_challenge=$(tr -d '\r' <"$f.headers" | sed -n 's/^[Ww][Ww][Ww]-[Aa]uthenticate: *//p')
  after_why=$(jq -r '.error_description // .message // empty' "$f.json") # OAuth's, or a REST API's (GitHub's)
}

tf show -json >"$work/show.json" # holds the data sources' tokens, like the state: never printed
state=$(cat terraform.tfstate "$work/show.json")
answers=$(cat "$work"/answers/*)

# answer KIND TYPE: the endpoint's answer to the provisioner: HTTP status and who the token is for.
answer() {
  local f="$work/answers/$1-$2"
  if [ ! -s "$f.status" ] || [ ! -s "$f.json" ]; then die "no answer recorded for the $1 $2 token"; fi
  # The OAuth APIs' endpoints say whose token it is; GitHub's lists the repositories it may see.
  printf 'HTTP %s, %s' "$(cat "$f.status")" "$(jq -r 'if .api then "\(.api) sub=\(.sub)"
    else "\(.total_count) repositories (\(.repository_selection))" end' "$f.json")"
}
# in_state_data TYPE: whether the state holds the data source's token, and marked sensitive.
in_state_data() {
  jq -r --arg type "$1" '
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
  [ -n "${token[$t]}" ] || die "the ephemeral $t token handed over is empty"
  case $state in *"${token[$t]}"*) die "the state holds the ephemeral $t token" ;; esac
  case $answers in *"${token[$t]}"*) die "an answer file holds the ephemeral $t token" ;; esac
  # shellcheck disable=SC2059
  printf "$row" ephemeral "$t" "$(answer ephemeral "$t")" none
done
for t in "${types[@]}"; do
  data_token=$(jq -r --arg type "$t" \
    '.values.root_module.resources[]? | select(.mode == "data" and .type == $type) | .values.access_token // empty' "$work/show.json")
  if [ -n "$data_token" ]; then
    case $answers in *"$data_token"*) die "an answer file holds the $t data source's token" ;; esac
  fi
  # shellcheck disable=SC2059
  printf "$row" data "$t" "$(answer data "$t")" "$(in_state_data "$t")"
done
unset data_token
for t in "${types[@]}"; do
  [ "$(fact "$t" revoked)" = true ] || continue
  after "$t"
  [ "$after_status" = 401 ] || die "the revoked $t token got HTTP $after_status after apply, not 401"
  echo "    after apply: the ephemeral $t (revoke_on_close) gets HTTP $after_status, ${after_challenge:-no challenge}: $after_why"
done
unset token

# Token requests: the log lines of the token endpoints, which name no resource, revocation or
# metadata path.
log_lines() { grep -E ' api=[^ ]+ method=[A-Z]+ status=' "$work/tokenserver.log" || true; }
count() { grep -c -- "$1" || true; }
token_lines=$(log_lines | grep -Ev ' (resource|revocation|metadata)=' || true)
total=$(printf '%s' "$token_lines" | count 'api=')
per_api=""
revoked=()
for t in "${types[@]}"; do
  per_api+="${per_api:+, }$t $(printf '%s' "$token_lines" | count " api=$(fact "$t" api) ")"
  [ "$(fact "$t" revoked)" != true ] || revoked+=("$t")
done
n=${#types[@]}
if [ "$total" -eq $((2 * n + n)) ]; then
  echo "    $total token requests ($per_api): each ephemeral resource is opened at plan and again at apply" \
    "($n × 2), each data source is read once at plan ($n × 1); an ephemeral resource never shares a data source's token."
else
  echo "    $total token requests ($per_api), where $((2 * n + n)) were expected: $n ephemeral resources opened at plan" \
    "and again at apply, $n data sources read once at plan; this Terraform opened them otherwise (see the log above)."
fi
echo "    Besides: $(log_lines | count ' resource=') protected endpoint calls (the provisioners', then the checks" \
  "after apply), $(log_lines | count ' revocation=') revocations (revoke_on_close: the ephemeral $(IFS=,; echo "${revoked[*]}" | sed 's/,/, /g'), each" \
  "time one is closed)."
