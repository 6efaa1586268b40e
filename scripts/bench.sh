#!/usr/bin/env bash
# Runs the benchmarks (each prints ratios against bare tools run in the same process).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/fixtures.sh
npm run build >/dev/null # bench/cold-start.ts measures the built package
for b in bench/launch.ts bench/convert.ts bench/pipeline.ts bench/guest-command.ts bench/find.ts bench/cold-start.ts bench/vm-launch.ts bench/scale-queue.ts; do
  [ -f "$b" ] && npx tsx "$b"
done
