#!/usr/bin/env bash
# Runs golangci-lint with the repository's .golangci.yml, installing the pinned version into
# $(go env GOPATH)/bin first when it is missing or a different version.
#
#   scripts/lint.sh                 lint ./...
#   scripts/lint.sh ./internal/...  lint some packages
#   GOLANGCI_LINT_VERSION=v2.x.y scripts/lint.sh
set -euo pipefail

version="${GOLANGCI_LINT_VERSION:-v2.15.0}"
bin="$(go env GOPATH)/bin/golangci-lint"

installed=""
if [[ -x "$bin" ]]; then
  # "golangci-lint has version 2.15.0 built with go1.26.8 from ..." (or "v2.15.0" for go install builds)
  installed="$("$bin" version 2>/dev/null | sed -nE 's/.*has version v?([0-9][^ ]*).*/\1/p')"
fi
if [[ "$installed" != "${version#v}" ]]; then
  echo "Installing golangci-lint ${version} (found: ${installed:-none}) into $(dirname "$bin")" >&2
  GOBIN="$(dirname "$bin")" go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@${version}"
fi

cd "$(dirname "$0")/.."
if [[ $# -eq 0 ]]; then
  set -- ./...
fi
exec "$bin" run "$@"
