#!/usr/bin/env bash
# The index benchmark at 2k and 20k articles; the log also goes to bench/out/bench_index.log.
# Usage: [PYTHON=/path/to/venv/bin/python] bench/run_all.sh [bench_index options, e.g. --keep /tmp/brief-bench]
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out
"${PYTHON:-python}" -m bench.bench_index --sizes 2000,20000 "$@" 2>&1 | tee bench/out/bench_index.log
