#!/bin/sh
# Build images/rootfs.ext4: an ext4 root for the default guest
# (examples/debian-root.cfg boots from it as xvda).
#
#   scripts/make-rootfs.sh [OUTPUT [SIZE]]      SIZE as mke2fs takes it, default 128M
#
# The same tree as the initramfs (scripts/guest-tree.sh), written into the
# image by `mke2fs -d`: no mount, no loop device, no root needed. Files
# belong to whoever runs this (root under scripts/setup.sh).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/images/rootfs.ext4}
size=${2:-128M}

if ! command -v mke2fs >/dev/null; then
	echo "make-rootfs: install e2fsprogs (scripts/setup.sh)" >&2
	exit 1
fi

stage=$(mktemp -d)
tmp="$out.tmp.$$"
trap 'rm -rf "$stage" "$tmp"' EXIT
what=$("$root/scripts/guest-tree.sh" "$stage")

mkdir -p "$(dirname "$out")"
truncate -s "$size" "$tmp"
mke2fs -q -F -t ext4 -L xeno-root -E root_owner=0:0 -d "$stage" "$tmp"
mv "$tmp" "$out"
echo "make-rootfs: $out ($size, $what)"
