#!/bin/sh
# Build images/initrd.cpio.gz: the default guest's initramfs.
#
#   scripts/make-initramfs.sh [OUTPUT]
#
# The tree of scripts/guest-tree.sh (busybox-static, guest/, the Xen
# frontends and ext4 as modules) as a newc cpio archive. Its /init boots
# to a shell, or mounts root= and switches to it (guest/init).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/images/initrd.cpio.gz}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
what=$("$root/scripts/guest-tree.sh" "$stage")

mkdir -p "$(dirname "$out")"
tmp="$out.tmp.$$"
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0 --reproducible) | gzip -9 -n >"$tmp"
mv "$tmp" "$out"
echo "make-initramfs: $out ($(du -k "$out" | cut -f1) KiB, $what)"
