#!/usr/bin/env bash
# make demo: build the provider and the local token server, start the server on loopback, and
# run a real `terraform init` + `apply` of examples/demo against it: every token type as an
# ephemeral resource and as a data source, each token used during apply by a local-exec
# provisioner that calls the API's protected endpoint with it. And mutual TLS (examples/demo/mtls.tf):
# a second token server serves https with a CA of its own (-tls-dir), which the provider trusts
# through ca_cert_pem, and an oauth2_token authenticates with its client certificate alone
# (tls_client_auth); its token is bound to the certificate, so its consumer presents it too. Ends
# with a summary: what each endpoint answered, whether the state holds the token, that the token
# is bound to the certificate, that the revoked tokens are dead after apply, and how many token
# requests the run made and why. Never prints a token, a secret or the client certificate's key.
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
server_pids=()
cleanup() {
  local rc=$? log pid
  for log in "$work/tokenserver.log" "$work/tokenserver-mtls.log"; do
    if [ "$rc" -ne 0 ] && [ -s "$log" ]; then
      echo "==> The token server's log ${log##*/}" >&2
      sed 's/^/    /' "$log" >&2
    fi
  done
  for pid in ${server_pids[@]+"${server_pids[@]}"}; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
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
mkdir -p "$work/bin" "$plugin_dir" "$work/config" "$work/answers" "$work/handover" "$work/tls"
echo "==> Building the provider and the token server"
go build -o "$work/bin/terraform-provider-authtoken" .
cp "$work/bin/terraform-provider-authtoken" "$plugin_dir/terraform-provider-authtoken_v$version"
go build -o "$work/tokenserver" ./cmd/tokenserver

# start_server LOG FLAGS... -- FILES...: starts a token server on a free loopback port, logging to
# LOG, and waits until it has written every one of FILES (its address file among them).
start_server() {
  local log=$1 pid f ready
  shift
  local flags=() files=()
  while [ "$1" != -- ]; do flags+=("$1") && shift; done
  shift
  files=("$@")
  "$work/tokenserver" -listen 127.0.0.1:0 "${flags[@]}" 2>"$log" &
  pid=$!
  server_pids+=("$pid")
  # Up to 60 s: a busy machine, and -tls-dir makes a CA and two certificates before it listens.
  for _ in $(seq 600); do
    ready=true
    for f in "${files[@]}"; do [ -s "$f" ] || ready=false; done
    $ready && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  die "the token server ${log##*/} did not start"
}

echo "==> Starting the token servers on loopback: one over http, one over https with mutual TLS"
start_server "$work/tokenserver.log" -addr-file "$work/addr" -- "$work/addr"
# -tls-dir: https with a CA made for this run, whose files the server writes (and removes at
# shutdown): ca.pem, and the client certificate client.pem with its key client-key.pem, which
# authenticate its oauth2 client oauth2-mtls-client (tls_client_auth).
tls="$work/tls"
start_server "$work/tokenserver-mtls.log" -addr-file "$work/mtls-addr" -tls-dir "$tls" -- \
  "$work/mtls-addr" "$tls/ca.pem" "$tls/client.pem" "$tls/client-key.pem"
base=$(cat "$work/addr")
mtls_base=$(cat "$work/mtls-addr")
echo "    $base"
echo "    $mtls_base (its CA and client certificate in $tls)"

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
  TF_VAR_token_server="$base" TF_VAR_answers_dir="$work/answers" TF_VAR_handover_dir="$work/handover"
  TF_VAR_mtls_token_server="$mtls_base" TF_VAR_ca_cert_file="$tls/ca.pem"
  TF_VAR_client_cert_file="$tls/client.pem" TF_VAR_client_key_file="$tls/client-key.pem")
[ -z "${TMPDIR:-}" ] || tf_env+=(TMPDIR="$TMPDIR")
tf() { env -i "${tf_env[@]}" terraform "$@"; }
cp examples/demo/*.tf "$work/config/"
cd "$work/config"

color=()
[ -t 1 ] || color=(-no-color) # no escape codes in a log
echo "==> terraform init (offline, from a local plugin directory)"
tf init -input=false ${color[@]+"${color[@]}"} >/dev/null

# The types the provider serves, from its schema.
mapfile -t types < <(tf providers schema -json | jq -r '.provider_schemas[].ephemeral_resource_schemas // {} | keys[]')
[ "${#types[@]}" -gt 0 ] || die "the provider's schema lists no ephemeral resources"
for t in "${types[@]}"; do
  grep -q "^ephemeral \"$t\" " tokens.tf || die "examples/demo/tokens.tf has no $t: run make docs"
done

# The ephemeral tokens reach this script through named pipes, held open here so that the
# provisioners' writes never block: they stay in memory, never in a file, and serve the checks
# after apply (the state holds none of them; the revoked ones are refused).
declare -A handover_fd token
for t in "${types[@]}" mtls; do
  mkfifo -m 600 "$work/handover/$t"
  exec {fd}<>"$work/handover/$t"
  handover_fd[$t]=$fd
done

echo "==> terraform apply (each token is used by a local-exec provisioner; Terraform hides their output)"
tf apply -input=false -auto-approve -compact-warnings ${color[@]+"${color[@]}"} 2>&1 | tee "$work/apply.log"
# The provider comes from a mirror, as a user's would: no "development overrides" warning.
! grep -qi 'development overrides' "$work/apply.log" || die "terraform warned of development overrides"

# The checks. Tokens go only into shell variables and pipes, never into a command line or a file.
for t in "${types[@]}" mtls; do
  IFS= read -r -t 10 "token[$t]" <&"${handover_fd[$t]}" || die "the ephemeral $t token was not handed over by its provisioner"
  fd=${handover_fd[$t]}
  exec {fd}<&-
done
tf output -json demo >"$work/demo.json"
tf output -json mtls >"$work/mtls.json"
fact() { jq -r --arg t "$1" ".[\$t].$2" "$work/demo.json"; }
mtls_fact() { jq -r ".$1" "$work/mtls.json"; }

# A token revoked when the apply closed it (revoke_on_close): the same call is refused now.
# after TYPE URL [CURL FLAGS...]: its endpoint's HTTP status, then the WWW-Authenticate challenge
# and why.
after() {
  local t=$1 url=$2
  local f="$work/answers/after-$t"
  shift 2
  after_status=$(printf 'Authorization: Bearer %s\n' "${token[$t]}" |
    curl -sS "$@" -H @- -D "$f.headers" -o "$f.json" -w '%{http_code}' "$url")
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

# cert_thumbprint FILE: the x5t#S256 of a PEM certificate, base64url of its DER's SHA-256 (RFC 8705 3.1).
cert_thumbprint() {
  local hex bin="" i
  hex=$(sed '/^-----/d' "$1" | base64 -d | sha256sum | cut -d' ' -f1)
  for ((i = 0; i < ${#hex}; i += 2)); do bin+="\\x${hex:i:2}"; done
  # shellcheck disable=SC2059 # bin is the bytes, as printf escapes
  printf "$bin" | base64 | tr '+/' '-_' | tr -d '=\n'
}
# jwt_cnf JWT: the x5t#S256 of the JWT's cnf claim, the certificate it is bound to ("" if none).
jwt_cnf() {
  local p=${1#*.}
  p=${p%%.*}
  p=$(printf '%s' "$p" | tr '_-' '/+')
  while ((${#p} % 4)); do p+='='; done
  printf '%s' "$p" | base64 -d | jq -r '.cnf."x5t#S256" // empty'
}

echo "==> Requests the token servers answered"
echo "    $base:"
sed 's/^/    /' "$work/tokenserver.log"
echo "    $mtls_base (mutual TLS):"
sed 's/^/    /' "$work/tokenserver-mtls.log"

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
# Mutual TLS: the consumer presented the certificate; without it the endpoint refused the token.
echo "    over mutual TLS, at $mtls_base, whose CA the provider trusts through ca_cert_pem:"
[ -n "${token[mtls]}" ] || die "the ephemeral mtls token handed over is empty"
case $state in *"${token[mtls]}"*) die "the state holds the ephemeral mtls token" ;; esac
case $answers in *"${token[mtls]}"*) die "an answer file holds the ephemeral mtls token" ;; esac
# The client certificate's key reached the provider through file(): no line of it is in the state,
# the answers or what terraform printed.
printed="$state$answers$(cat "$work/apply.log")"
while IFS= read -r line; do
  case $line in -----*) continue ;; esac
  case $printed in *"$line"*) die "the state, an answer or terraform's output holds the client key" ;; esac
done <"$tls/client-key.pem"
unset printed line
# shellcheck disable=SC2059
printf "$row" ephemeral oauth2_token "$(answer mtls oauth2_token)" none
mtls_client=$(mtls_fact client_id)
[ "$(jq -r .sub "$work/answers/mtls-oauth2_token.json")" = "$mtls_client" ] || die "the mtls token is not $mtls_client's"
thumbprint=$(cert_thumbprint "$tls/client.pem")
[ "$(jwt_cnf "${token[mtls]}")" = "$thumbprint" ] || die "the mtls token is not bound to the client certificate (cnf x5t#S256)"
# The subject the server registered the client for, from its startup line.
subject=$(sed -n "s/.* client $mtls_client (tls_client_auth: .* with CN \([^)]*\)).*/\1/p" "$work/tokenserver-mtls.log")
[ -n "$subject" ] || die "the token server at $mtls_base did not register $mtls_client for tls_client_auth"
echo "    $mtls_client authenticated with its client certificate alone (client_auth = \"tls_client_auth\", CN $subject);" \
  "its token is bound to the certificate (cnf x5t#S256 $thumbprint, the SHA-256 of client.pem)," \
  "so the consumer presented it too (curl --cert, --key, --cacert)."
f="$work/answers/mtls-without-certificate-oauth2_token"
[ -s "$f.status" ] || die "no answer recorded for the mtls token without the certificate"
[ "$(cat "$f.status")" = 401 ] || die "the bound mtls token got HTTP $(cat "$f.status") without the certificate, not 401"
echo "    without the certificate, the same token got HTTP $(cat "$f.status") during apply: $(jq -r .error_description "$f.json")"
for t in "${types[@]}"; do
  [ "$(fact "$t" revoked)" = true ] || continue
  after "$t" "$(fact "$t" endpoint)"
  [ "$after_status" = 401 ] || die "the revoked $t token got HTTP $after_status after apply, not 401"
  echo "    after apply: the ephemeral $t (revoke_on_close) gets HTTP $after_status, ${after_challenge:-no challenge}: $after_why"
done
if [ "$(mtls_fact revoked)" = true ]; then
  after mtls "$(mtls_fact endpoint)" --cacert "$tls/ca.pem" --cert "$tls/client.pem" --key "$tls/client-key.pem"
  [ "$after_status" = 401 ] || die "the revoked mtls token got HTTP $after_status after apply, not 401"
  echo "    after apply: the ephemeral oauth2_token over mutual TLS (revoke_on_close) gets HTTP $after_status with its certificate," \
    "${after_challenge:-no challenge}: $after_why"
fi
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
mtls_lines() { grep -E ' api=[^ ]+ method=[A-Z]+ status=' "$work/tokenserver-mtls.log" || true; }
mtls_tokens=$(mtls_lines | grep -Ev ' (resource|revocation|metadata)=' | count 'api=')
mtls_shown="$mtls_tokens token requests"
[ "$mtls_tokens" -eq 2 ] || mtls_shown+=", where 2 were expected"
echo "    Over mutual TLS: $mtls_shown (the ephemeral oauth2_token, opened at plan and again at apply)," \
  "$(mtls_lines | count ' resource=') protected endpoint calls (with the certificate, without it, and the check after apply)," \
  "$(mtls_lines | count ' revocation=') revocations (revoke_on_close, over mutual TLS too)."
