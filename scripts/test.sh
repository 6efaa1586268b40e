#!/usr/bin/env bash
# The whole test run: installs the host packages and npm dependencies, builds
# the package and the fixture images (cached), then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run --silent build
bash scripts/fixtures.sh
# The LVM, LUKS and RAID images need a kernel with device-mapper and md: built once in the harness VM, cached.
npx tsx test/vm/build-fixtures.ts --built || npx tsx test/vm/run.ts --timeout 1800 -- npx tsx test/vm/build-fixtures.ts
npx tsc --noEmit -p .
npx typedoc --logLevel Warn
exec npx vitest run "$@"
