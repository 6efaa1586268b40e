#!/usr/bin/env bash
# Remakes test/fixtures/virt-inspector/debian12.xml: virt-inspector's own output for the
# debian12 fixture, the oracle test/integration/cli/inspect-xml.test.ts compares
# `vmcraft inspect --xml` with. Needs libguestfs-tools (an oracle here, never a dependency).
# TCG is forced: /dev/kvm hangs on these machines, and libguestfs would wait on it.
set -euo pipefail
cd "$(dirname "$0")/.."
image="${VMCRAFT_FIXTURES:-/var/cache/vmcraft/fixtures}/debian12.qcow2"
copy=$(mktemp --suffix=.qcow2)
trap 'rm -f "$copy"' EXIT
cp "$image" "$copy"  # virt-inspector opens it read-only; a copy keeps the cached fixture out of its reach anyway
LIBGUESTFS_BACKEND=direct LIBGUESTFS_BACKEND_SETTINGS=force_tcg \
  virt-inspector --format=qcow2 -a "$copy" > test/fixtures/virt-inspector/debian12.xml
echo "wrote test/fixtures/virt-inspector/debian12.xml"
