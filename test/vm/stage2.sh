#!/bin/sh
# Second stage inside the VM (copied into the results share by the harness):
# a working userland over the host's own root, the kernel modules the kernel
# tests need, then the command; its exit code goes back through the share.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
# The project may live under /tmp (a CI clone): keep its share visible above the VM's own /tmp.
PROJECT=$(sed -n 's/.*vmcraft\.project=\([^ ]*\).*/\1/p' /proc/cmdline)
case "$PROJECT" in /tmp/*) mkdir -p /.vmcraft-project && mount --move "$PROJECT" /.vmcraft-project ;; esac
mount -t tmpfs tmpfs /tmp
case "$PROJECT" in /tmp/*) mkdir -p "$PROJECT" && mount --move /.vmcraft-project "$PROJECT" ;; esac
mount -t tmpfs tmpfs /run
mkdir -p /run/lock
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
hostname vmcraft-vm
for m in loop fuse "nbd max_part=16 nbds_max=16" dm-mod dm-crypt raid1 md-mod xfs btrfs; do
  modprobe $m 2>/dev/null || echo "vmcraft-vm: modprobe $m failed"
done
. /vmcraft-results/env.sh
# The host takes the boot time from this line and leaves it out of the output.
echo "$VMCRAFT_BOOT_MARKER"
cd "$VMCRAFT_CWD" && sh /vmcraft-results/cmd.sh
echo $? > /vmcraft-results/exit-code
sync
poweroff -f
