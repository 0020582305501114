#!/usr/bin/env bash
# Runs the Go benchmarks and prints each schemactl figure beside its floor
# (the same job done by PostgreSQL's own programs in the same run) and the
# ratio. Benchmarks pair up by name: X/schemactl with X/floor, or X with
# XFloor / XPsqlFloor; a benchmark that times its floor in the same
# iterations reports it as floor-ns/op.
set -euo pipefail
cd "$(dirname "$0")/.."
pkgs=("$@")
[ ${#pkgs[@]} -gt 0 ] || pkgs=(./...)
mkdir -p .bench
out=.bench/bench.txt
go test -run '^$' -bench "${BENCH:-.}" -benchtime "${BENCHTIME:-5x}" -timeout 30m "${pkgs[@]}" | tee "$out" >&2
awk '
/^Benchmark/ && $0 ~ /ns\/op/ {
  name = $1; sub(/-[0-9]+$/, "", name)
  for (i = 2; i <= NF; i++) {
    if ($(i+1) == "ns/op") { ns[name] = $i }
    if ($(i+1) == "peak-MiB") { peak[name] = $i }
    if ($(i+1) == "floor-ns/op") { own[name] = $i }
  }
  order[++n] = name
}
function human(v) {
  if (v >= 1e9) return sprintf("%.2f s", v / 1e9)
  if (v >= 1e6) return sprintf("%.1f ms", v / 1e6)
  if (v >= 1e3) return sprintf("%.1f us", v / 1e3)
  return sprintf("%d ns", v)
}
END {
  printf "\n%-46s %12s %12s %8s\n", "benchmark", "schemactl", "floor", "ratio"
  for (i = 1; i <= n; i++) {
    f = order[i]; base = ""
    if (f in own) {
      printf "%-46s %12s %12s %7.2fx\n", f, human(ns[f]), human(own[f]), ns[f] / own[f]
      continue
    }
    if (f ~ /\/floor$/) {
      base = f; sub(/\/floor$/, "", base); s = base "/schemactl"
      if (s in ns) printf "%-46s %12s %12s %7.2fx\n", base, human(ns[s]), human(ns[f]), ns[s] / ns[f]
      continue
    }
    if (f ~ /PsqlFloor$/) { base = f; sub(/PsqlFloor$/, "", base) }
    else if (f ~ /Floor$/) { base = f; sub(/Floor$/, "", base) }
    else continue
    # One floor may serve several benchmarks: X, and XAll, XLatest50, ...
    for (j = 1; j <= n; j++) {
      s = order[j]
      if (s == f || index(s, base) != 1 || s ~ /[Ff]loor$/ || s ~ /\//) continue
      printf "%-46s %12s %12s %7.2fx\n", s, human(ns[s]), human(ns[f]), ns[s] / ns[f]
    }
  }
  for (i = 1; i <= n; i++) if (order[i] in peak) printf "%-46s %9.0f MiB peak resident memory\n", order[i], peak[order[i]]
}' "$out"
