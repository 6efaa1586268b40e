#!/usr/bin/env bash
# Builds the test fixture images (cached in $VMCRAFT_FIXTURES, default /var/cache/vmcraft/fixtures).
set -euo pipefail
cd "$(dirname "$0")/.."
exec npx tsx test/fixtures/build.ts
