#!/bin/sh
# Fill a folder with the default guest's file tree, shared by the initramfs
# (scripts/make-initramfs.sh) and the ext4 root image (scripts/make-rootfs.sh):
#
#   scripts/guest-tree.sh DIR
#
# busybox-static with a link per applet, the files under guest/ (guest/init
# becomes /init), and the kernel modules the guest needs from the kernel
# that scripts/setup.sh unpacked into images/ (images/modules,
# images/kernel-version): the Xen split-driver frontends, and ext4 so that
# a guest can mount a disk or its root. Prints the modules it copied.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
images="$root/images"
stage=${1:?usage: guest-tree.sh DIR}
busybox=/bin/busybox

# Modules by name: the frontends guest/init loads, ext4 for disks and the
# root, and the checksum module ext4's metadata checksums need, which no
# modinfo dependency names.
modules="xen-blkfront xen-netfront ext4 crc32c_generic"

# The tree has no C library: busybox must be the static build.
if ! dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' ||
	! [ -x "$busybox" ]; then
	echo "guest-tree: install busybox-static (scripts/setup.sh)" >&2
	exit 1
fi
if [ ! -s "$images/kernel-version" ] || [ ! -d "$images/modules" ]; then
	echo "guest-tree: no kernel in $images: run scripts/setup.sh first" >&2
	exit 1
fi
kver=$(cat "$images/kernel-version")

mkdir -p "$stage/bin" "$stage/sbin" "$stage/usr/bin" "$stage/usr/sbin" \
	"$stage/dev" "$stage/proc" "$stage/sys" "$stage/tmp" "$stage/run" \
	"$stage/etc" "$stage/root" "$stage/mnt"
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

# Modules with what they depend on, and a modules.dep from busybox's
# depmod so that busybox's modprobe finds them.
moddir="$stage/lib/modules/$kver"
mkdir -p "$moddir"
modpath() {
	find "$images/modules/kernel" -name "$1.ko*" | head -n 1
}
queue=$modules
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
		echo "guest-tree: module $m not found in $images/modules" >&2
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

# The kernel's built-in initramfs already provides /dev/console, and the
# guest mounts devtmpfs; make it here too when we may, so that the tree
# does not depend on either.
mknod -m 600 "$stage/dev/console" c 5 1 2>/dev/null || true

echo "kernel $kver, modules:$copied"
