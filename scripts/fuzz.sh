#!/usr/bin/env bash
# Runs every fuzz target for a fixed time (FUZZTIME, default 10s each).
# New inputs that make a target fail are written to the package's
# testdata/fuzz/<target>/ and fail the script; `go test` then replays
# them on every run.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-10s}

# package target
targets=(
  "./migrations FuzzSplit"
  "./migrations FuzzSumFile"
  "./migrations FuzzParseFile"
  "./internal/atlashcl FuzzProjectFile"
  "./schema FuzzSchemaHCL"
  "./internal/pgurl FuzzURL"
  "./internal/pin FuzzPin"
)

for t in "${targets[@]}"; do
  set -- $t
  printf '== fuzz %s %s for %s\n' "$1" "$2" "$FUZZTIME"
  "$GO" test -run '^$' -fuzz "^$2\$" -fuzztime "$FUZZTIME" "$1"
done
