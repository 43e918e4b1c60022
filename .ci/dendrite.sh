#!/usr/bin/env bash
# Builds the Dendrite homeserver binaries that the Matrix adapter's
# integration tests (adapters/matrix) start on loopback.
#
# Output: ${BRIEFBOT_CACHE:-$HOME/.cache/briefbot}/dendrite-v0.15.2/bin with
# dendrite, generate-keys, generate-config and create-account. A complete
# bin dir is reused; delete it to rebuild. The last line printed is the bin
# dir, so callers can do: export BRIEFBOT_DENDRITE_BIN=$(.ci/dendrite.sh | tail -n1)
#
# `go install …@v0.15.2` does not work through our module proxy (it asks for
# the version list), so the binaries are built from a throw-away helper module
# that requires Dendrite at the pinned version. Dendrite v0.15.2's go.mod has
# no replace directives, so none are copied.
set -euo pipefail

version=v0.15.2
cache="${BRIEFBOT_CACHE:-$HOME/.cache/briefbot}"
bin="$cache/dendrite-$version/bin"
tools=(dendrite generate-keys generate-config create-account)

complete=1
for t in "${tools[@]}"; do
	[[ -x "$bin/$t" ]] || complete=0
done
if [[ $complete == 1 ]]; then
	echo "dendrite.sh: $version already built" >&2
	echo "$bin"
	exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$bin"
cd "$work"

start=$SECONDS
go mod init briefbot.local/dendrite-build >/dev/null 2>&1
pkgs=()
for t in "${tools[@]}"; do
	pkgs+=("github.com/element-hq/dendrite/cmd/$t@$version")
done
# go get with package paths records the go.sum lines of every package the
# four commands import, which go build then checks.
GOFLAGS=-mod=mod go get "${pkgs[@]}" >&2
# Dendrite picks its SQLite driver by cgo: mattn/go-sqlite3 with cgo,
# modernc.org/sqlite without. CGO_ENABLED=0 builds faster and needs no C
# compiler; override with DENDRITE_CGO=1. The driver matters only for quick
# local runs: scripts/test.sh runs the homeservers on PostgreSQL (lib/pq,
# pure Go), because Dendrite on SQLite panics under concurrent writes.
for t in "${tools[@]}"; do
	CGO_ENABLED="${DENDRITE_CGO:-0}" go build -trimpath -o "$bin/$t.tmp" "github.com/element-hq/dendrite/cmd/$t" >&2
	mv "$bin/$t.tmp" "$bin/$t"
done
echo "dendrite.sh: built $version in $((SECONDS - start))s" >&2
echo "$bin"
