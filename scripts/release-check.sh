#!/usr/bin/env bash
# Checks the release configuration with goreleaser itself (pinned in tools/goreleaser/go.mod), and
# what goreleaser cannot know: that terraform-registry-manifest.json declares the protocol main.go
# serves, and that CHANGELOG.md's first heading follows the provider convention.
#
#   scripts/release-check.sh             goreleaser check, manifest, changelog (CI runs this)
#   scripts/release-check.sh --snapshot  the same, then a snapshot release of every target into
#                                        dist/ (not signed, not published), and a check that dist/
#                                        holds what the Terraform Registry expects (make release-check)
#
# Set GORELEASER to use an installed goreleaser v2.
set -euo pipefail
cd "$(dirname "$0")/.."

GORELEASER=${GORELEASER:-go tool -modfile=tools/goreleaser/go.mod goreleaser}
MANIFEST=terraform-registry-manifest.json

snapshot=false
case "${1:-}" in
"") ;;
--snapshot) snapshot=true ;;
*)
  echo "usage: $0 [--snapshot]" >&2
  exit 2
  ;;
esac
command -v jq >/dev/null || {
  echo "$0: jq is not on PATH" >&2
  exit 1
}
fail() {
  echo "$0: $*" >&2
  exit 1
}

echo "==> goreleaser check"
$GORELEASER check

echo "==> $MANIFEST declares the protocol main.go serves"
served=$(sed -nE 's/^[[:space:]]*ProtocolVersion:[[:space:]]*([0-9]+),.*/\1/p' main.go)
[ -n "$served" ] || fail "main.go sets no literal ProtocolVersion in providerserver.ServeOpts"
jq -e --arg p "$served.0" '.version == 1 and (.metadata.protocol_versions | index($p) != null)' \
  "$MANIFEST" >/dev/null || fail "$MANIFEST must have version 1 and list protocol $served.0 (main.go serves $served)"

echo "==> CHANGELOG.md's first heading is like '## 0.1.0 (Unreleased)' or '## 0.1.0 (May 4, 2026)'"
heading=$(grep -m1 '^## ' CHANGELOG.md || true)
grep -qE '^## [0-9]+\.[0-9]+\.[0-9]+ \((Unreleased|[A-Z][a-z]+ [0-9]{1,2}, [0-9]{4})\)$' <<<"$heading" ||
  fail "CHANGELOG.md's first release heading is '${heading:-missing}'"

$snapshot || exit 0

echo "==> goreleaser release --snapshot (every target, no signing, no publishing) into dist/"
start=$SECONDS
$GORELEASER release --snapshot --clean --skip=sign,publish
echo "    snapshot took $((SECONDS - start))s"

echo "==> dist/ holds what the Terraform Registry expects"
project=$(jq -r .project_name dist/metadata.json)
version=$(jq -r .version dist/metadata.json)
prefix="${project}_${version}"
[ "$project" = terraform-provider-authtoken ] || fail "artifacts are named $project, not terraform-provider-authtoken"
# The platforms the provider is published for; a change to .goreleaser.yml's targets must change this.
platforms="darwin_amd64 darwin_arm64 freebsd_386 freebsd_amd64 freebsd_arm freebsd_arm64
linux_386 linux_amd64 linux_arm linux_arm64 windows_386 windows_amd64 windows_arm64"
got=$(cd dist && ls "${prefix}"_*.zip | sed "s/^${prefix}_//; s/\.zip\$//" | sort)
[ "$got" = "$(tr ' ' '\n' <<<"$platforms" | sort)" ] ||
  fail "dist/ has zip archives for: $(echo $got); expected: $(echo $platforms)"
for platform in $platforms; do
  binary="${project}_v${version}"
  [[ $platform == windows_* ]] && binary+=.exe
  unzip -Z1 "dist/${prefix}_${platform}.zip" | grep -qxF "$binary" ||
    fail "${prefix}_${platform}.zip does not hold $binary at its top level"
done
# One binary looked at closely: static, built with -trimpath, and -X main.version took effect (the
# linker ignores -X for a variable main.go does not declare, and build info records no -X value).
binary=$(jq -r '.[] | select(.type == "Binary" and .goos == "linux" and .goarch == "amd64" and (.name | startswith("terraform-provider-"))) | .path' dist/artifacts.json)
go version -m "$binary" | grep -qE '^[[:space:]]+build[[:space:]]+CGO_ENABLED=0$' || fail "$binary was built with cgo"
go version -m "$binary" | grep -qE '^[[:space:]]+build[[:space:]]+-trimpath=true$' || fail "$binary was built without -trimpath"
grep -qaF "$version" "$binary" || fail "$binary does not hold its version $version: is main.version gone?"
sums="dist/${prefix}_SHA256SUMS"
[ -f "$sums" ] || fail "$sums is missing"
# The release uploads terraform-registry-manifest.json as <prefix>_manifest.json (release.extra_files):
# the signed sums must hold that file's sum under that name, and the sums of all the archives.
grep -qxF "$(sha256sum <"$MANIFEST" | cut -d' ' -f1)  ${prefix}_manifest.json" "$sums" ||
  fail "$sums does not list $MANIFEST as ${prefix}_manifest.json"
for zip in "dist/${prefix}"_*.zip; do
  grep -q "  ${zip#dist/}\$" "$sums" || fail "$sums does not list ${zip#dist/}"
done
# The token server ships beside the provider, in archives of its own (tokenserver_<version>_<os>_<arch>,
# zip for windows, tar.gz elsewhere) holding the tokenserver binary; the Registry ignores them.
for platform in $platforms; do
  if [[ $platform == windows_* ]]; then
    archive="dist/tokenserver_${version}_${platform}.zip"
    unzip -Z1 "$archive" 2>/dev/null | grep -qxF tokenserver.exe || fail "$archive does not hold tokenserver.exe"
  else
    archive="dist/tokenserver_${version}_${platform}.tar.gz"
    tar -tzf "$archive" 2>/dev/null | grep -qxF tokenserver || fail "$archive does not hold tokenserver"
  fi
  grep -q "  ${archive#dist/}\$" "$sums" || fail "$sums does not list ${archive#dist/}"
done
(cd dist && grep -E '\.(zip|tar\.gz)$' "${sums#dist/}" | sha256sum --quiet -c -) || fail "$sums does not match the archives"
[ "$(wc -l <"$sums")" = 27 ] || fail "$sums lists $(wc -l <"$sums") files, expected 13 provider archives, 13 tokenserver archives and the manifest"
echo "    ok: 13 provider zips, 13 tokenserver archives and the manifest in ${sums#dist/} (signature skipped), all in dist/"
