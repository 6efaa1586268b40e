#!/usr/bin/env bash
# The main job on an embedded default: installs what is needed, then opens a disk
# image (the one given, or a freshly built sample guest), inspects it and prints
# a few of its files. Usage: npm run demo [-- image]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec npx tsx examples/basic.ts "$@"
