#!/usr/bin/env bash
# Runs every fuzz target for FUZZTIME each. `go test -fuzz` takes one target per package per
# run, so the targets are found with `go test -list` and run one after another.
# A failure stops the run; its input is written to the package's testdata/fuzz/<FuzzName>/,
# where it becomes a seed that plain `go test` runs from then on.
set -euo pipefail
cd "$(dirname "$0")/.."
GO="${GO:-go}"
FUZZTIME="${FUZZTIME:-30s}"
PKGS=(./internal/alibaba ./internal/tencent ./internal/endpoint ./internal/provider ./internal/emulator)
start=$(date +%s)
count=0
for pkg in "${PKGS[@]}"; do
  for target in $("$GO" test -list '^Fuzz' "$pkg" | grep '^Fuzz'); do
    echo "== $pkg $target ($FUZZTIME)"
    "$GO" test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" "$pkg"
    count=$((count + 1))
  done
done
echo "fuzzed $count targets for $FUZZTIME each in $(( $(date +%s) - start ))s"
