#!/usr/bin/env bash
# Generates docs/ from templates/, examples/ and the provider's schema with tfplugindocs, then
# validates the result. Needs go, terraform (>= 1.10) and jq, and no network but the Go module
# proxy, for the tfplugindocs pinned in tools/tfplugindocs/go.mod, which `go tool` builds on first
# use (set TFPLUGINDOCS to use an installed tfplugindocs).
#
#   scripts/docs.sh          format examples/, write the parts that follow the provider's registry,
#                            regenerate docs/, validate them
#   scripts/docs.sh --check  the same, then fail if that changed README.md or anything under docs/,
#                            examples/ or templates/
#
# The registry's part. README.md's tables, the index template's types table and environment
# scripts, and examples/from-environment/ list the token types (and README.md's HCL blocks are
# copies of examples/ files):
# TestDocsFollowTheRegistry (internal/provider/docs_generate_test.go) writes them from the
# provider's registry, so a new type needs no edit to them. In README.md and the templates it
# writes only between "<!-- begin NAME: written by make docs -->" and "<!-- end NAME -->".
#
# The bridge. tfplugindocs renders templates/<kind>/X.md.tmpl with the schema of the type
# "<provider>_X", falling back to the type named exactly "<provider>" (resourceSchema in its
# internal/provider/util.go); when neither exists it warns and renders the page without a schema.
# Our type names (tenn_token, ...) do not start with "authtoken_". So the schema handed to
# `generate` is the real one with every type renamed authtoken_<type>: a type's template (copied
# from templates/<kind>.md.tmpl, one per kind) is still named <type>.md.tmpl, finds
# authtoken_<type>, and renders to docs/<kind>/<type>.md; the templates show the real name by
# cutting the prefix off .Name. `validate` gets the schema with the real names, so the pages must
# match the types users actually write.
set -euo pipefail
cd "$(dirname "$0")/.."

TFPLUGINDOCS=${TFPLUGINDOCS:-go tool -modfile=tools/tfplugindocs/go.mod tfplugindocs}
PROVIDER=authtoken
ADDRESS=registry.terraform.io/authtoken/authtoken

check=false
case "${1:-}" in
"") ;;
--check) check=true ;;
*)
  echo "usage: $0 [--check]" >&2
  exit 2
  ;;
esac
for tool in go terraform jq; do
  command -v "$tool" >/dev/null || {
    echo "$0: $tool is not on PATH" >&2
    exit 1
  }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Our own CLI config: the environment's TF_CLI_CONFIG_FILE may name a missing file.
: >"$tmp/terraform.rc"
export TF_CLI_CONFIG_FILE="$tmp/terraform.rc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
unset TF_CLI_ARGS TF_CLI_ARGS_init TF_CLI_ARGS_providers TF_PLUGIN_CACHE_DIR

# quiet runs a command and shows its output only when it fails.
quiet() {
  if ! "$@" >"$tmp/out" 2>&1; then
    cat "$tmp/out" >&2
    echo "$0: failed: $*" >&2
    exit 1
  fi
}

# --check compares the tree before and after, so it also works with uncommitted changes.
snapshot() {
  mkdir -p "$1/docs" "$1/examples" "$1/templates"
  for d in docs examples templates; do
    if [ -d "$d" ]; then tar -C "$d" -cf - --exclude=.terraform . | tar -C "$1/$d" -xf -; fi
  done
  cp README.md "$1/README.md"
}
if $check; then snapshot "$tmp/before"; fi

terraform fmt -recursive examples >/dev/null
# After fmt: README.md copies the examples as they are formatted.
quiet go test -count=1 -run '^TestDocsFollowTheRegistry$' ./internal/provider -update

# The schema, from a build of this tree installed the way users install it (offline).
platform="$(go env GOOS)_$(go env GOARCH)"
quiet go build -o "$tmp/plugins/$ADDRESS/0.0.1/$platform/terraform-provider-${PROVIDER}_v0.0.1" .
mkdir "$tmp/schema"
printf 'terraform {\n  required_providers {\n    %s = { source = "%s" }\n  }\n}\n' "$PROVIDER" "$ADDRESS" >"$tmp/schema/main.tf"
quiet terraform -chdir="$tmp/schema" init -input=false -no-color -plugin-dir="$tmp/plugins"
terraform -chdir="$tmp/schema" providers schema -json >"$tmp/providers.json"

# tfplugindocs looks the provider up as "authtoken" (or registry.terraform.io/hashicorp/authtoken).
jq --arg p "$PROVIDER" --arg a "$ADDRESS" \
  '{format_version, provider_schemas: {($p): .provider_schemas[$a]}}' \
  "$tmp/providers.json" >"$tmp/real.json"
jq --arg p "$PROVIDER" '
  .provider_schemas[$p] |= with_entries(
    if .key | endswith("_schemas") then .value |= with_entries(.key = $p + "_" + .key) else . end)' \
  "$tmp/real.json" >"$tmp/bridged.json"

quiet $TFPLUGINDOCS generate --provider-name "$PROVIDER" --providers-schema "$tmp/bridged.json"
quiet $TFPLUGINDOCS validate --provider-name "$PROVIDER" --providers-schema "$tmp/real.json"

if $check; then
  snapshot "$tmp/after"
  if ! (cd "$tmp" && diff -ruN before after) >"$tmp/diff"; then
    cat "$tmp/diff" >&2
    echo "$0: README.md, docs/, examples/ or templates/ were not up to date (diff above): run $0 and commit the result." >&2
    exit 1
  fi
fi
