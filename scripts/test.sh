#!/usr/bin/env bash
# The project's whole test run: formatting, vet, staticcheck, and the race-
# enabled tests including the real-homeserver (Dendrite) integration tests,
# on a throw-away PostgreSQL cluster (scripts/postgres.sh).
# It installs what it needs itself, so it works on a fresh machine and in CI.
set -euo pipefail
cd "$(dirname "$0")/.."

export BRIEFBOT_CACHE="${BRIEFBOT_CACHE:-$HOME/.cache/briefbot}"
STATICCHECK_VERSION=v0.7.0
GOBIN_DIR="$(go env GOPATH)/bin"

step() { printf '\n== %s\n' "$*"; }

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.cache/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change these files:"; echo "$unformatted"; exit 1
fi

step "go vet"
go vet -tags goolm ./...

step "staticcheck $STATICCHECK_VERSION"
if ! "$GOBIN_DIR/staticcheck" -version 2>/dev/null | grep -q "${STATICCHECK_VERSION#v}"; then
  go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION"
fi
"$GOBIN_DIR/staticcheck" -tags goolm ./...

step "Dendrite homeserver for the Matrix integration tests"
if [ -x .ci/dendrite.sh ] || [ -f .ci/dendrite.sh ]; then
  BRIEFBOT_DENDRITE_BIN="$(bash .ci/dendrite.sh | tail -n 1)"
  export BRIEFBOT_DENDRITE_BIN
  # in CI a missing homeserver is a failure, not a skip
  if [ "${CI:-}" = "true" ]; then export BRIEFBOT_REQUIRE_DENDRITE=1; fi
fi

step "Frog (Dutch linguistic analysis) for the analysis tests"
frog_bin="$(bash .ci/frog.sh | tail -n 1)"
export BRIEFBOT_FROG_BIN="$frog_bin"
# in CI a missing Frog is a failure, not a skip
if [ "${CI:-}" = "true" ]; then export BRIEFBOT_REQUIRE_FROG=1; fi

step "go test -race"
# in CI a missing PostgreSQL is a failure, not a skip (postgres.sh always
# provides one; this guards against a test run outside it)
if [ "${CI:-}" = "true" ]; then export BRIEFBOT_REQUIRE_POSTGRES=1; fi
# scripts/postgres.sh starts a throw-away PostgreSQL cluster for the tests
# (the Dendrite homeservers keep their data there) and exports
# BRIEFBOT_TEST_DATABASE_URL; it stops it and removes its files when the
# tests end. An already set BRIEFBOT_TEST_DATABASE_URL is used as it is.
bash scripts/postgres.sh go test -race -tags goolm -timeout 15m ./...
