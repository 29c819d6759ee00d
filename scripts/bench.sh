#!/usr/bin/env bash
# make bench: how long `terraform plan` takes with N ephemeral token blocks, next to the floor of the
# same plan over N terraform_data resources; how many requests the token server sees per plan; and
# the provider's peak RSS. Builds the provider and the token server, serves the tokens on loopback,
# and never goes online (dev_overrides: plan needs no init). A measurement: it reports the targets,
# it never fails on them. Figures and how to read them: BENCHMARKS.md.
#
#   BENCH_RUNS=5            timed plans per case; the median is reported
#   BENCH_SIZES="1 10 100"  block counts; the targets are checked at the largest
#
# Cases, each a directory with one main.tf:
#   floor       N terraform_data resources: Terraform alone, no plugin process
#   noop        N partner_token blocks of a do-nothing terraform-plugin-framework provider
#               (internal/bench/noopprovider: the real schema, no validators, HTTP or logging of its
#               own): what any framework provider's ephemeral resources cost (reference)
#   noopq       noop with the SDK's logs off (see quiet): the least a framework provider can cost
#   distinct    N partner_token ephemeral blocks with distinct scopes: N grants
#   quiet       distinct, with the SDK's and the provider's own logs off (TF_LOG_SDK=OFF,
#               TF_LOG_SDK_FRAMEWORK=OFF, TF_LOG_SDK_PROTO=OFF, TF_LOG_PROVIDER=OFF) (reference)
#   identical   N partner_token ephemeral blocks that are all the same grant: coalesced into one
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${BENCH_RUNS:-5}
sizes=${BENCH_SIZES:-"1 10 100"}
max_size=0
for n in $sizes; do ((n > max_size)) && max_size=$n; done

command -v terraform >/dev/null || { echo "make bench needs terraform >= 1.10 on PATH" >&2; exit 1; }

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "==> Building the provider, the token server, the RSS probe and the no-op provider"
mkdir -p "$work/bin" "$work/probe-bin" "$work/noop-bin" "$work/cases"
go build -o "$work/bin/terraform-provider-authtoken" .
go build -o "$work/tokenserver" ./cmd/tokenserver

# The RSS probe (internal/bench/rssprobe), named like the provider: the measuring run's CLI
# configuration points dev_overrides at it, and it runs the real provider as its child and records
# its peak RSS and CPU time. The no-op provider (internal/bench/noopprovider): the real provider's
# ephemeral resources and schemas with no validators and an Open that does nothing.
go build -o "$work/probe-bin/terraform-provider-authtoken" ./internal/bench/rssprobe
go build -o "$work/noop-bin/terraform-provider-noop" ./internal/bench/noopprovider

echo "==> Starting the token server on loopback"
"$work/tokenserver" -listen 127.0.0.1:0 -addr-file "$work/addr" 2>"$work/tokenserver.log" &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/addr" ] && break; sleep 0.1; done
[ -s "$work/addr" ] || { echo "the token server did not start:" >&2; cat "$work/tokenserver.log" >&2; exit 1; }
base=$(cat "$work/addr")
echo "    $base"

# Two CLI configurations: timed runs load the provider itself, the measuring run loads it through
# the probe. The no-op provider is never probed.
for v in bin probe-bin; do
  cat >"$work/$v.tfrc" <<RC
provider_installation {
  dev_overrides {
    "authtoken/authtoken" = "$work/$v"
    "bench/noop"          = "$work/noop-bin"
  }
  direct {}
}
RC
done
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_CLI_CONFIG_FILE="$work/bin.tfrc"
export AUTHTOKEN_BENCH_PROVIDER="$work/bin/terraform-provider-authtoken"
unset TF_LOG TF_LOG_CORE TF_LOG_PROVIDER TF_LOG_SDK TF_LOG_SDK_FRAMEWORK TF_LOG_SDK_PROTO TF_LOG_PATH

# The configurations: partner_token blocks, of the provider or of the no-op one. The server
# accepts any partner scope, so `scope` makes N distinct grants (distinct for the provider's
# coalescing too) with the one documented client.
token_blocks() { # source n distinct
  local i scope
  printf 'terraform {\n  required_providers {\n    partner = { source = "%s" }\n  }\n}\n' "$1"
  for ((i = 1; i <= $2; i++)); do
    scope="bench:read"
    [ "$3" = yes ] && scope="bench:read bench:$i"
    cat <<EOF

ephemeral "partner_token" "t$i" {
  token_url     = "$base/api/oauth/token"
  client_id     = "partner-client"
  client_secret = "partner-secret"
  scope         = "$scope"
}
EOF
  done
}
generate() { # case n dir
  local i
  case $1 in
    floor) for ((i = 1; i <= $2; i++)); do printf 'resource "terraform_data" "r%d" {\n  input = "%d"\n}\n\n' "$i" "$i"; done ;;
    noop | noopq) token_blocks bench/noop "$2" yes ;;
    distinct | quiet) token_blocks authtoken/authtoken "$2" yes ;;
    identical) token_blocks authtoken/authtoken "$2" no ;;
  esac >"$3/main.tf"
}

requests_so_far() { grep -c ' api=' "$work/tokenserver.log" || true; }

# plan CASE DIR [CLI config]: one terraform plan; the script stops if a plan fails.
plan() {
  local env=()
  case $1 in quiet | noopq) env=(TF_LOG_SDK=OFF TF_LOG_SDK_FRAMEWORK=OFF TF_LOG_SDK_PROTO=OFF TF_LOG_PROVIDER=OFF) ;; esac
  if ! env "${env[@]}" TF_CLI_CONFIG_FILE="${3:-$work/bin.tfrc}" \
    terraform -chdir="$2" plan -input=false -no-color -lock=false >"$work/plan.out" 2>&1; then
    echo "terraform plan failed in $2:" >&2
    cat "$work/plan.out" >&2
    exit 1
  fi
}

cases=()
for kind in floor noop noopq distinct quiet identical; do
  for n in $sizes; do
    [ "$kind" = identical ] && ((n == 1)) && continue # one identical token is one distinct token
    cases+=("$kind-$n")
  done
done

# Every case first gets one untimed run, the warm-up, which for the authtoken cases goes through
# the probe: procs (provider processes the plan started), rss (MiB, the largest peak of them) and
# cpu (s, their CPU time summed).
echo "==> Warm-up and probe run of each case"
declare -A procs rss cpu times counts
for c in "${cases[@]}"; do
  dir="$work/cases/$c"
  mkdir -p "$dir"
  generate "${c%-*}" "${c##*-}" "$dir"
  procs[$c]=- rss[$c]=- cpu[$c]=-
  case ${c%-*} in
    floor | noop*) plan "${c%-*}" "$dir" ;;
    *)
      : >"$work/rss"
      AUTHTOKEN_BENCH_RSS_FILE="$work/rss" plan "${c%-*}" "$dir" "$work/probe-bin.tfrc"
      [ -s "$work/rss" ] || { echo "the RSS probe recorded nothing for $c" >&2; exit 1; }
      procs[$c]=$(wc -l <"$work/rss")
      rss[$c]=$(awk '$1 > m {m = $1} END {printf "%.1f", m / 1024}' "$work/rss")
      cpu[$c]=$(awk '{s += $2} END {printf "%.2f", s}' "$work/rss")
      ;;
  esac
done

# The timed runs go round-robin over the cases, so a burst of load elsewhere on the machine hits
# every case alike rather than one of them.
echo "==> terraform plan: $runs timed rounds over all cases, default -parallelism (10)"
for ((r = 1; r <= runs; r++)); do
  for c in "${cases[@]}"; do
    before=$(requests_so_far)
    t0=$EPOCHREALTIME
    plan "${c%-*}" "$work/cases/$c"
    t1=$EPOCHREALTIME
    times[$c]+="$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b - a}') "
    counts[$c]+="$(($(requests_so_far) - before)) "
  done
  echo "    round $r of $runs done"
done

median() { tr ' ' '\n' | grep . | sort -n |
  awk '{v[NR] = $1} END {printf "%.3f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
declare -A floor_median result
rows=()
for c in "${cases[@]}"; do
  kind=${c%-*} n=${c##*-}
  m=$(median <<<"${times[$c]}")
  [ "$kind" = floor ] && floor_median[$n]=$m
  ratio=$(awk -v m="$m" -v f="${floor_median[$n]}" 'BEGIN{printf "%.2f", m / f}')
  lo=$(tr ' ' '\n' <<<"${counts[$c]}" | grep . | sort -n | head -1)
  hi=$(tr ' ' '\n' <<<"${counts[$c]}" | grep . | sort -n | tail -1)
  if [ "$lo" = "$hi" ]; then reqs=$lo; else reqs="$lo-$hi"; fi
  case $kind in floor | noop*) reqs=- ;; esac
  rows+=("$kind|$n|$m|$ratio|$reqs|${procs[$c]}|${cpu[$c]}|${rss[$c]}")
  result[$c]="$ratio|$reqs|${rss[$c]}"
  printf '    %-9s N=%-3s median %ss  (runs: %s)\n' "$kind" "$n" "$m" "${times[$c]% }"
done

if grep ' api=' "$work/tokenserver.log" | grep -qv ' status=200 '; then
  echo "the token server answered some requests with an error:" >&2
  grep ' api=' "$work/tokenserver.log" | grep -v ' status=200 ' >&2
  exit 1
fi

echo
echo "==> Results: terraform $(terraform version | awk 'NR == 1 {print $2}'), $(go env GOVERSION), $(nproc) cores"
fmt='%-50s %4s %9s %8s %9s %6s %9s %9s\n'
printf "$fmt" "case" N "median s" "x floor" "requests" "procs" "prov CPU" "peak RSS"
printf "$fmt" "" "" "" "" "per plan" "" "s" "MiB"
for row in "${rows[@]}"; do
  IFS='|' read -r kind n median ratio reqs procs cpu rss <<<"$row"
  case $kind in
    floor) label="terraform_data resources (floor)" ;;
    noop) label="no-op framework ephemeral (reference)" ;;
    noopq) label="no-op framework ephemeral, SDK logs off (ref.)" ;;
    distinct) label="distinct partner_token (ephemeral)" ;;
    quiet) label="distinct partner_token, SDK logs off (ref.)" ;;
    identical) label="identical partner_token (ephemeral)" ;;
  esac
  printf "$fmt" "$label" "$n" "$median" "$ratio" "$reqs" "$procs" "$cpu" "$rss"
done
echo "  procs: provider processes one plan starts; prov CPU and peak RSS: over those processes (one probed run)"

echo
echo "==> Targets at N = $max_size (reported, not enforced)"
verdict() { if [ "$1" = 1 ]; then echo holds; else echo "does NOT hold"; fi; }
N=$max_size
if [ -n "${result[distinct-$N]:-}" ]; then
  IFS='|' read -r _ ireqs _ <<<"${result[identical-$N]:-||}"
  IFS='|' read -r dratio _ drss <<<"${result[distinct-$N]}"
  IFS='|' read -r nratio _ _ <<<"${result[noop-$N]}"
  IFS='|' read -r qratio _ _ <<<"${result[quiet-$N]}"
  IFS='|' read -r nqratio _ _ <<<"${result[noopq-$N]}"
  tfmt='  %-64s %-13s %s\n'
  [ -n "$ireqs" ] && printf "$tfmt" "$N identical tokens: exactly 1 request per plan" "got $ireqs" \
    "$(verdict "$([ "$ireqs" = 1 ] && echo 1)")"
  printf "$tfmt" "$N distinct tokens: plan <= 1.5x the $N x terraform_data floor" "got ${dratio}x" \
    "$(verdict "$(awk -v r="$dratio" 'BEGIN{print (r <= 1.5) ? 1 : 0}')")"
  printf "$tfmt" "provider peak RSS <= 64 MiB at N = $N" "got $drss MiB" \
    "$(verdict "$(awk -v r="$drss" 'BEGIN{print (r <= 64) ? 1 : 0}')")"
  printf '  for reference at N = %s: no-op framework provider %sx the floor (%sx with SDK logs off);\n' "$N" "$nratio" "$nqratio"
  printf '  partner_token with SDK logs off %sx\n' "$qratio"
fi
