#!/usr/bin/env bash
# The whole test run: installs the host packages and npm dependencies, builds
# the package and the fixture images (cached), then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run --silent build
bash scripts/fixtures.sh
npx tsc --noEmit -p .
npx typedoc --logLevel Warn
exec npx vitest run "$@"
