#!/usr/bin/env bash
# Installs everything vmcraft and its tests need on a Debian/Ubuntu host: the host
# tools (apt) and the npm dependencies. Idempotent: a second run installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  qemu-utils qemu-system-common qemu-system-x86 fuse3 util-linux fdisk gdisk
  e2fsprogs xfsprogs btrfs-progs dosfstools ntfs-3g fusefat mtools exfatprogs exfat-fuse zerofree
  lvm2 cryptsetup-bin mdadm libhivex-bin libwin-hivex-perl augeas-tools augeas-lenses
  bubblewrap rpm
  debootstrap busybox-static linux-image-amd64 kmod cpio file tmux gcc libc6-dev
  attr zstd xz-utils bzip2 lzop
  libxml2-utils
  redis-server chromium
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "setup: run as root to install: ${missing[*]}" >&2; exit 1; fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm dependencies: only when the lock file changed since the last install.
stamp=node_modules/.vmcraft-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  # npm 11.19 rejects its own lock file in `npm ci` (optional platform packages of rollup
  # are left out of it), so install from the lock file with `npm install`.
  npm install --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
