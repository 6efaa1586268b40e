#!/usr/bin/env bash
# Runs the benchmarks (each prints ratios against bare tools run in the same process).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/fixtures.sh
for b in bench/launch.ts bench/convert.ts bench/pipeline.ts bench/guest-command.ts bench/find.ts; do
  [ -f "$b" ] && npx tsx "$b"
done
