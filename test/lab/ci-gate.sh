#!/bin/bash
# CI gate for the real-Xen lab: runs `npm run test:lab` when this machine has the room for two
# emulated Dom0s (free disk >= 12 GB where the image cache and the overlays live, available memory
# >= 6 GB, root, x86_64), installing the host tools it needs from Debian's mirror; otherwise prints
# one line `lab: skipped: <why>` and exits 0. Exit status otherwise is test:lab's.
# Usage (from the repository root): test/lab/ci-gate.sh
set -uo pipefail
MIN_DISK_GB=${XENHERD_LAB_MIN_DISK_GB:-12}
MIN_MEM_GB=${XENHERD_LAB_MIN_MEM_GB:-6}
CACHE=${XENHERD_LAB_CACHE:-/var/cache/xenherd-lab}

skip() { echo "lab: skipped: $*"; exit 0; }

[ "${XENHERD_LAB:-}" = "skip" ] && skip "XENHERD_LAB=skip"
[ "$(id -u)" = 0 ] || skip "needs root (debootstrap, chroot)"
[ "$(uname -m)" = x86_64 ] || skip "needs an x86_64 host, this is $(uname -m)"
command -v apt-get >/dev/null || skip "needs a Debian host (no apt-get)"

free_gb() { # free GB on the filesystem holding $1 (or its nearest existing parent)
  local p=$1; while [ ! -e "$p" ]; do p=$(dirname "$p"); done
  df -P -B1G "$p" | awk 'NR==2{print $4}'
}
disk_cache=$(free_gb "$CACHE"); disk_tmp=$(free_gb "${TMPDIR:-/tmp}")
[ "$disk_cache" -ge "$MIN_DISK_GB" ] || skip "only ${disk_cache} GB free under $CACHE (need ${MIN_DISK_GB} GB)"
[ "$disk_tmp" -ge 2 ] || skip "only ${disk_tmp} GB free under ${TMPDIR:-/tmp} (overlays need 2 GB)"
mem_gb=$(awk '/^MemAvailable:/{printf "%d", $2/1048576}' /proc/meminfo)
[ "$mem_gb" -ge "$MIN_MEM_GB" ] || skip "only ${mem_gb} GB memory available (need ${MIN_MEM_GB} GB)"

need=""
for p in qemu-system-x86 qemu-utils debootstrap cpio e2fsprogs openssh-client; do
  dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"
done
if [ -n "$need" ]; then
  echo "lab: installing host tools:$need"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $need >/dev/null 2>&1 ||
    { apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $need >/dev/null; } ||
    { echo "lab: FAILED: could not install$need"; exit 1; }
fi

echo "lab: running npm run test:lab (disk ${disk_cache} GB free, memory ${mem_gb} GB available)"
exec npm run test:lab
