#!/bin/sh
# Build images/initrd.cpio.gz: the default guest's initramfs.
#
#   scripts/make-initramfs.sh [OUTPUT]
#
# busybox-static, the files under guest/ (guest/init becomes /init), the
# Xen split-driver frontends of the kernel that scripts/setup.sh unpacked
# into images/ (images/modules, images/kernel-version), and ext4 so that a
# guest can mount a disk image.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
images="$root/images"
out=${1:-$images/initrd.cpio.gz}
busybox=/bin/busybox

# The frontends the guest loads at boot (guest/init), by module name.
frontends="xen-blkfront xen-netfront"
# Loaded on demand (mount -t ext4 asks for it): ext4 with the checksum
# module its metadata checksums need, which no modinfo dependency names.
on_demand="ext4 crc32c_generic"

# The image has no C library: busybox must be the static build.
if ! dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' ||
	! [ -x "$busybox" ]; then
	echo "make-initramfs: install busybox-static (scripts/setup.sh)" >&2
	exit 1
fi
if [ ! -s "$images/kernel-version" ] || [ ! -d "$images/modules" ]; then
	echo "make-initramfs: no kernel in $images: run scripts/setup.sh first" >&2
	exit 1
fi
kver=$(cat "$images/kernel-version")

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage/bin" "$stage/sbin" "$stage/usr/bin" "$stage/usr/sbin" \
	"$stage/dev" "$stage/proc" "$stage/sys" "$stage/tmp" "$stage/run" \
	"$stage/etc" "$stage/root"
cp "$busybox" "$stage/bin/busybox"
for applet in $("$busybox" --list-full); do
	[ -e "$stage/$applet" ] && continue
	case "$applet" in
	bin/*) ln -s busybox "$stage/$applet" ;;
	*) ln -s /bin/busybox "$stage/$applet" ;;
	esac
done

# guest/ is the root of the guest's file tree.
cp -R "$root/guest/." "$stage/"
chmod 755 "$stage/init"

# Modules: the frontends with what they depend on, and a modules.dep from
# busybox's depmod so that busybox's modprobe finds them.
moddir="$stage/lib/modules/$kver"
mkdir -p "$moddir"
modpath() {
	find "$images/modules/kernel" -name "$1.ko*" | head -n 1
}
queue="$frontends $on_demand"
copied=
while [ -n "$queue" ]; do
	# shellcheck disable=SC2086 # split the queue into words
	set -- $queue
	m=$1
	shift
	queue=$*
	case " $copied " in *" $m "*) continue ;; esac
	# modinfo names dependencies with '_' where files may have '-'.
	src=$(modpath "$m")
	[ -n "$src" ] || src=$(modpath "$(echo "$m" | tr _ -)")
	if [ -z "$src" ]; then
		echo "make-initramfs: module $m not found in $images/modules" >&2
		exit 1
	fi
	rel=${src#"$images/modules/"}
	mkdir -p "$moddir/$(dirname "$rel")"
	cp "$src" "$moddir/$rel"
	copied="$copied $m"
	# The .modinfo section holds NUL-separated "key=value" strings.
	deps=$(tr '\0' '\n' <"$src" | sed -n 's/^depends=//p' | tr , ' ')
	# shellcheck disable=SC2086 # re-join as words, dropping blanks
	queue=$(echo $queue $deps)
done
cp "$images/modules/modules.builtin" "$images/modules/modules.order" "$moddir/" 2>/dev/null || true
"$busybox" depmod -b "$stage" "$kver"

# The kernel's built-in initramfs already provides /dev/console; make it
# here too when we may, so that the image does not depend on that.
mknod -m 600 "$stage/dev/console" c 5 1 2>/dev/null || true

mkdir -p "$(dirname "$out")"
tmp="$out.tmp.$$"
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0 --reproducible) | gzip -9 -n >"$tmp"
mv "$tmp" "$out"
echo "make-initramfs: $out ($(du -k "$out" | cut -f1) KiB, kernel $kver, modules:$copied)"
