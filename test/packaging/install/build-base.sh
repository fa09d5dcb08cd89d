#!/bin/bash
# The install test's base tree: a minimal Debian 12 (debootstrap --variant=minbase) with what the
# packages depend on (Debian's own nodejs, and openssh-client for the agent), so dpkg -i needs no
# network, and systemd for
# what a Dom0 has that the maintainer scripts and unit checks use (deb-systemd-helper, systemctl,
# systemd-analyze). Built into OUT/rootfs; base-tree.ts caches OUT by a hash of this file. Mounts
# debootstrap leaves behind on failure are undone.
# Usage: build-base.sh OUT
set -euo pipefail
OUT=${1:?usage: build-base.sh OUT}
R=$OUT/rootfs
mkdir -p "$OUT"
umount_all() { for m in dev/pts dev sys proc; do if mountpoint -q "$R/$m" 2>/dev/null; then umount -l "$R/$m" || true; fi; done; }
trap umount_all EXIT
trap 'umount_all; exit 130' INT TERM

# the host's own Debian mirror (deb822 sources first, then the one-line format)
SRC=/etc/apt/sources.list.d/debian.sources
MIRROR=$(awk '/^URIs:/{u=$2} /^Suites:/ && !/security/{print u; exit}' $SRC 2>/dev/null || true)
[ -n "$MIRROR" ] || MIRROR=$(awk '$1=="deb" && $3!~/security/{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
MIRROR=${MIRROR:-http://deb.debian.org/debian}

echo "[base $(date +%T)] debootstrap bookworm from $MIRROR"
debootstrap --variant=minbase --include=nodejs,openssh-client,systemd bookworm "$R" "$MIRROR" > "$OUT/debootstrap.log" 2>&1 ||
  { tail -20 "$OUT/debootstrap.log" >&2; exit 1; }
# the downloaded .debs are not needed again
rm -f "$R"/var/cache/apt/archives/*.deb
printf '{"nodejs": "%s", "mirror": "%s"}\n' "$(chroot "$R" node --version)" "$MIRROR" > "$OUT/versions.json"
echo "[base $(date +%T)] done: nodejs $(chroot "$R" node --version)"
