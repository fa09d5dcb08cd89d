#!/bin/bash
# Builds the xenherd lab's Dom0 image set into OUT (a fresh, empty directory): the Xen 4.17
# hypervisor, the Debian 12 Dom0 kernel + initrd, one ext4 root disk per host (dom0a, dom0b) with
# xl, DRBD 8.4 tools, sshd, systemd and Debian's own nodejs, the DRBD resource r0, the PVH guest
# "tiny" (guarded: /etc/xen/drbd-auto/tiny.cfg) and a diskless PV guest "tinypv" (/etc/xen/tinypv.cfg).
# Called by image.ts, which keys the cache directory by a hash of this file; nothing is installed on
# the host except the QEMU/debootstrap tooling (apt-get). Chroot mounts are always undone.
# Usage: build-image.sh OUT
set -euo pipefail
OUT=${1:?usage: build-image.sh OUT}
mkdir -p "$OUT"; cd "$OUT"
R=$OUT/rootfs
umount_all() { for m in dev/pts dev sys proc; do mountpoint -q "$R/$m" 2>/dev/null && umount -l "$R/$m" || true; done; }
trap umount_all EXIT
trap 'umount_all; exit 130' INT TERM

SRC=/etc/apt/sources.list.d/debian.sources
MIRROR=$(awk '/^URIs:/{u=$2} /^Suites:/ && !/security/{print u; exit}' $SRC 2>/dev/null || true)
SECURITY=$(awk '/^URIs:/{u=$2} /^Suites:.*security/{print u; exit}' $SRC 2>/dev/null || true)
[ -n "$MIRROR" ] || MIRROR=$(awk '$1=="deb" && $3!~/security/{print $2; exit}' /etc/apt/sources.list)
[ -n "$SECURITY" ] || SECURITY=$(awk '$1=="deb" && $3~/security/{print $2; exit}' /etc/apt/sources.list)
[ -n "$MIRROR" ] || { echo "no Debian mirror in the host apt sources" >&2; exit 1; }

step() { echo "[build $(date +%T)] $*"; }
step "host tools"
need=""; for p in qemu-system-x86 qemu-utils debootstrap cpio e2fsprogs; do dpkg -s $p >/dev/null 2>&1 || need="$need $p"; done
[ -z "$need" ] || DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $need >/dev/null

step "debootstrap bookworm from $MIRROR"
debootstrap --variant=minbase \
  --include=xen-utils-4.17,xenstore-utils,drbd-utils,kmod,iproute2,openssh-server,openssh-client,systemd-sysv,udev,procps,busybox-static,cpio \
  bookworm "$R" "$MIRROR" > debootstrap.log 2>&1 || { tail -20 debootstrap.log; exit 1; }
cat > "$R/etc/apt/sources.list" <<EOF
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
${SECURITY:+deb $SECURITY bookworm-security main}
EOF
mount --bind /proc "$R/proc"; mount --bind /sys "$R/sys"; mount --bind /dev "$R/dev"; mount --bind /dev/pts "$R/dev/pts"
step "upgrade + kernel + nodejs"
chroot "$R" apt-get update >/dev/null
DEBIAN_FRONTEND=noninteractive chroot "$R" apt-get -y upgrade >/dev/null
# linux-image-amd64 resolves to the current bookworm kernel ABI; xen-hypervisor matches xen-utils (same source version)
DEBIAN_FRONTEND=noninteractive chroot "$R" apt-get -y install --no-install-recommends \
  linux-image-amd64 initramfs-tools zstd xen-hypervisor-4.17-amd64 nodejs >/dev/null
rm -f "$R"/etc/apt/apt.conf.d/*proxy* 2>/dev/null || true
chroot "$R" apt-get clean
# without package lists, apt in a Dom0 works from dpkg's status alone: `apt install ./x.deb` of a
# package whose dependencies are installed (the lab's agent .deb) then takes seconds under TCG
# instead of the minute or more spent rebuilding apt's cache from bookworm's lists
rm -rf "$R"/var/lib/apt/lists/*
umount_all
KVER=$(ls "$R/lib/modules" | sort -V | tail -1)
cp "$R/boot/vmlinuz-$KVER" vmlinuz; cp "$R/boot/initrd.img-$KVER" initrd.img
gunzip -c "$R/boot/xen-4.17-amd64.gz" > xen.elf 2>/dev/null || gunzip -c "$R"/boot/xen-4.17*-amd64.gz > xen.elf  # QEMU multiboot needs the plain ELF

step "configure (kernel $KVER)"
chroot "$R" sh -c 'echo root:root | chpasswd'
printf '/dev/vda / ext4 defaults,noatime 0 1\n' > "$R/etc/fstab"
chroot "$R" systemctl enable ssh.service systemd-networkd.service >/dev/null 2>&1
chroot "$R" systemctl disable systemd-networkd-wait-online.service >/dev/null 2>&1 || true
chroot "$R" systemctl mask systemd-timesyncd.service apt-daily.timer apt-daily-upgrade.timer e2scrub_reap.service man-db.timer fstrim.timer >/dev/null 2>&1 || true
ssh-keygen -q -t ed25519 -N '' -C xenherd-lab -f key
mkdir -p "$R/root/.ssh"; cp key "$R/root/.ssh/id_ed25519"; cp key.pub "$R/root/.ssh/authorized_keys"
printf 'Host *\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n' > "$R/root/.ssh/config"
chmod 700 "$R/root/.ssh"; chmod 600 "$R"/root/.ssh/*
printf 'UseDNS no\n' > "$R/etc/ssh/sshd_config.d/lab.conf"
printf '10.0.0.1 dom0a\n10.0.0.2 dom0b\n' >> "$R/etc/hosts"
printf '[Match]\nMACAddress=52:54:00:00:00:01\n[Network]\nDHCP=ipv4\n' > "$R/etc/systemd/network/10-mgmt.network"
echo 'XENCONSOLED_ARGS="--log=guest --log-dir=/var/log/xen/console"' >> "$R/etc/default/xen"
mkdir -p "$R/var/log/xen/console"
cat > "$R/etc/drbd.d/r0.res" <<'EOF'
resource r0 {
  net {
    protocol C;
    allow-two-primaries yes;
  }
  device    /dev/drbd0;
  disk      /dev/vdb;
  meta-disk internal;
  on dom0a { address 10.0.0.1:7789; }
  on dom0b { address 10.0.0.2:7789; }
}
EOF

step "tiny guest"
# tiny guest: Debian kernel + busybox initrd that ticks to the console and writes the tick into
# sector 0 of xvda; /sbin/poweroff makes `xl shutdown` work (the kernel runs it on a Xen shutdown request)
T=$OUT/tiny; rm -rf "$T"; mkdir -p "$T/bin" "$T/sbin" "$T/proc" "$T/sys" "$T/dev"
cp "$R/bin/busybox" "$T/bin/"; cp "$R/lib/modules/$KVER/kernel/drivers/block/xen-blkfront.ko" "$T/"
printf '#!/bin/busybox sh\nexec /bin/busybox poweroff -f\n' > "$T/sbin/poweroff"
printf '#!/bin/busybox sh\nexec /bin/busybox reboot -f\n' > "$T/sbin/reboot"
cat > "$T/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
insmod /xen-blkfront.ko; sleep 1
echo "tiny: booted, uptime $(cut -d' ' -f1 /proc/uptime)"
i=0
while true; do
  i=$((i+1))
  echo "tiny tick $i up=$(cut -d' ' -f1 /proc/uptime)"
  [ -b /dev/xvda ] && printf 'tick %08d\n' $i | dd of=/dev/xvda bs=512 count=1 conv=sync,notrunc,fsync 2>/dev/null
  sleep 2
done
EOF
chmod +x "$T/init" "$T/sbin/poweroff" "$T/sbin/reboot"
(cd "$T" && find . | cpio -o -H newc 2>/dev/null | gzip -1) > "$R/root/tiny-initrd.gz"
rm -rf "$T"
mkdir -p "$R/etc/xen/drbd-auto"
cat > "$R/etc/xen/drbd-auto/tiny.cfg" <<EOF
name     = "tiny"
type     = "pvh"          # PV cannot be live-migrated: Debian's xen is built without CONFIG_SHADOW_PAGING
tsc_mode = "native"       # avoids QEMU-TCG nested-SVM bug on RDTSCP intercept
kernel   = "/boot/vmlinuz-$KVER"
ramdisk  = "/root/tiny-initrd.gz"
extra    = "console=hvc0 quiet"
memory   = 96           # 64 is too little for the Debian kernel (a 58 MiB segment); migrations send all of it, ~1 MiB/s under TCG
vcpus    = 1
disk     = [ 'drbd:r0,xvda,w' ]
on_crash = "preserve"
EOF
cat > "$R/etc/xen/tinypv.cfg" <<EOF
name     = "tinypv"
type     = "pv"           # PV: live migration fails here (no shadow paging): a real failure mode to capture
tsc_mode = "native"
kernel   = "/boot/vmlinuz-$KVER"
ramdisk  = "/root/tiny-initrd.gz"
extra    = "console=hvc0 quiet"
memory   = 96
vcpus    = 1
on_crash = "preserve"
EOF
# the agent starts no domU config others can change (agent/decide/config-safety.ts): whatever the umask
chmod 755 "$R/etc/xen" "$R/etc/xen/drbd-auto"
chmod 644 "$R/etc/xen/drbd-auto/tiny.cfg" "$R/etc/xen/tinypv.cfg"

step "versions"
v() { chroot "$R" dpkg-query -W -f '${Version}' "$1" 2>/dev/null || echo unknown; }
cat > versions.json <<EOF
{
  "debian": "$(cat "$R/etc/debian_version")",
  "kernel": "$KVER",
  "kernelPackage": "$(v linux-image-$KVER)",
  "xenHypervisorPackage": "$(v xen-hypervisor-4.17-amd64)",
  "xenUtilsPackage": "$(v xen-utils-4.17)",
  "drbdUtils": "$(v drbd-utils)",
  "nodejs": "$(v nodejs)",
  "mirror": "$MIRROR"
}
EOF
cat versions.json

step "disk images"
for h in a b; do
  n=$([ $h = a ] && echo 1 || echo 2)
  echo dom0$h > "$R/etc/hostname"
  printf '[Match]\nMACAddress=52:54:00:00:01:0%s\n[Network]\nAddress=10.0.0.%s/24\n' $n $n > "$R/etc/systemd/network/20-repl.network"
  mkfs.ext4 -q -F -L rootfs -d "$R" "disk-$h.img" 3G
done
rm -rf --one-file-system "$R"
step "done: $OUT"
