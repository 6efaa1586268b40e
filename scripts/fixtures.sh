#!/usr/bin/env bash
# Builds the test fixture images (cached in $VMCRAFT_FIXTURES, default /var/cache/vmcraft/fixtures).
set -euo pipefail
cd "$(dirname "$0")/.."
# Registry hives of real Windows installs, from Debian source packages (test/fixtures/real-hives.ts).
npx tsx test/fixtures/real-hives.ts
exec npx tsx test/fixtures/build.ts
