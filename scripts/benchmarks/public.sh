#!/usr/bin/env bash
# Upstream's standalone linker and Splink on public person-data benchmarks
# (FEBRL 3, FEBRL 4, pseudopeople's Census and Social Security files):
# pairwise precision, recall and F1 of each against the truth, with timings.
# See docs/benchmarks.md. The data comes from PyPI packages at run time and
# is never stored in this repository.
#
#   scripts/benchmarks/public.sh                 # everything
#   scripts/benchmarks/public.sh --only febrl3   # one benchmark
#   scripts/benchmarks/public.sh --skip-splink   # Upstream alone
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
# The versions the figures in docs/benchmarks.md were made with.
"$venv/bin/pip" install --quiet "splink==5.0.0" "duckdb==2.0.1" "recordlinkage==0.16" \
  "pseudopeople==1.3.1" "pandas==2.3.3"
if [ -z "${UPSTREAM_BIN:-}" ]; then
  (cd "$root" && cargo build --release -p upstream-cli)
  UPSTREAM_BIN="$root/target/release/upstream"
fi
exec "$venv/bin/python" "$root/scripts/benchmarks/public.py" --upstream "$UPSTREAM_BIN" "$@"
