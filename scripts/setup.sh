#!/bin/sh
# Prepare a Debian 12 host for building and testing xeno.
#
#   scripts/setup.sh              packages, the Debian guest kernel, the initramfs
#   scripts/setup.sh --deps-only  packages only (CI that builds and unit-tests)
#
# Idempotent: packages already installed are not touched (and apt-get update
# runs only when something is missing); the kernel is fetched again only
# when images/ lacks it or Debian's linux-image-amd64 points at a newer one.
#
# The guest kernel is never installed into the host's /boot: installing it
# would run the host's initramfs and bootloader hooks. It is downloaded as a
# .deb and unpacked into images/ (gitignored):
#   images/vmlinuz          the bzImage as Debian ships it
#   images/modules/         lib/modules/<version>/ of that kernel
#   images/kernel-version   <version>
#   images/config           that kernel's build configuration
#   images/initrd.cpio.gz   busybox initramfs (scripts/make-initramfs.sh)
#   images/rootfs.ext4      the same userland as an ext4 root for xvda
#                           (scripts/make-rootfs.sh; examples/debian-root.cfg)
set -eu

deps_only=0
case "${1:-}" in
"") ;;
--deps-only) deps_only=1 ;;
-h | --help)
	sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
	;;
*)
	echo "usage: $0 [--deps-only]" >&2
	exit 2
	;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)

# Build: compilers, unit tests, fuzzers, and the libraries the programs link.
# Kernel decompression: every format Xen's bzImage loader accepts.
# Guest images: busybox initramfs, ext4 images without mounting.
# Tests and benchmarks: Debian's xenstore clients, qemu (TCG comparison),
# fio, iperf3, ip.
packages="
gcc make clang libcmocka-dev
liburing-dev libseccomp-dev
zlib1g-dev liblzma-dev libzstd-dev libbz2-dev liblzo2-dev liblz4-dev
busybox-static cpio e2fsprogs
xenstore-utils qemu-system-x86 fio iperf3 iproute2
"

# Only apt-get update/install need root; sudo is used when not root.
as_root=
[ "$(id -u)" -eq 0 ] || as_root=sudo

missing=
for p in $packages; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
		missing="$missing $p"
	fi
done

apt_updated=0
apt_update() {
	if [ "$apt_updated" -eq 0 ]; then
		$as_root apt-get update -qq
		apt_updated=1
	fi
}

if [ -n "$missing" ]; then
	if [ -n "$as_root" ] && ! command -v sudo >/dev/null; then
		echo "setup: missing packages:$missing; install them as root (no sudo here)" >&2
		exit 1
	fi
	echo "setup: installing:$missing"
	apt_update
	# shellcheck disable=SC2086 # word splitting of the list is intended
	DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

[ "$deps_only" -eq 1 ] && exit 0

# ---- the Debian guest kernel ----------------------------------------------
images="$root/images"
mkdir -p "$images"

# linux-image-amd64 is a metapackage; the kernel is the concrete
# linux-image-<version>-amd64 it depends on.
concrete_kernel_package() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1
}

pkg=$(concrete_kernel_package)
if [ -z "$pkg" ]; then
	apt_update
	pkg=$(concrete_kernel_package)
fi
if [ -z "$pkg" ]; then
	echo "setup: apt knows no linux-image-amd64 package" >&2
	exit 1
fi
kver=${pkg#linux-image-}

if [ ! -s "$images/vmlinuz" ] || [ "$(cat "$images/kernel-version" 2>/dev/null)" != "$kver" ]; then
	echo "setup: fetching $pkg into images/"
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	# As root, apt downloads as user _apt: let it write there.
	if [ -z "$as_root" ] && id _apt >/dev/null 2>&1; then
		chown _apt "$work"
	fi
	# A failed download usually means stale package lists: update, retry.
	if ! (cd "$work" && apt-get download -qq "$pkg" 2>/dev/null); then
		apt_update
		(cd "$work" && apt-get download -qq "$pkg")
	fi
	dpkg-deb -x "$work"/"$pkg"_*.deb "$work/root"
	rm -rf "$images/modules" "$images/vmlinuz"
	cp "$work/root/boot/vmlinuz-$kver" "$images/vmlinuz"
	cp "$work/root/boot/config-$kver" "$images/config"
	mv "$work/root/lib/modules/$kver" "$images/modules"
	echo "$kver" >"$images/kernel-version"
	rm -rf "$work"
	trap - EXIT
fi

# ---- the default guest's initramfs ----------------------------------------
# Rebuilt when missing or older than what goes into it.
initrd="$images/initrd.cpio.gz"
if [ ! -s "$initrd" ] ||
	[ -n "$(find "$root/guest" "$root/scripts/make-initramfs.sh" "$root/scripts/guest-tree.sh" \
		"$images/kernel-version" -newer "$initrd" 2>/dev/null | head -n 1)" ]; then
	"$root/scripts/make-initramfs.sh"
fi

# ---- the default guest's ext4 root ----------------------------------------
# Rebuilt likewise; a rebuild replaces whatever guests wrote to it (what
# they write makes the image newer than its inputs, so only a change to
# those rebuilds it).
rootfs="$images/rootfs.ext4"
if [ ! -s "$rootfs" ] ||
	[ -n "$(find "$root/guest" "$root/scripts/make-rootfs.sh" "$root/scripts/guest-tree.sh" \
		"$images/kernel-version" -newer "$rootfs" 2>/dev/null | head -n 1)" ]; then
	"$root/scripts/make-rootfs.sh"
fi
