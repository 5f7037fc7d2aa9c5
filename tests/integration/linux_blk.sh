#!/bin/bash
# Linux's own xen-blkfront (the Debian kernel in images/) against our
# blkback, driven over the guest's console:
#  - an ext4 image made on the host (mke2fs -d) as xvda, read-write: the
#    guest mounts it and reads the host's files intact, writes a file and
#    syncs; after `xl destroy` the file is in the image (e2fsck replays the
#    journal as the next mount would, debugfs reads the file);
#  - a second image as xvdb, read-only: readable, every write refused, the
#    image unchanged;
#  - xl block-attach / block-detach of a third image while the guest runs:
#    the guest sees xvdc appear, mounts it, and sees it go;
#  - a second boot: after the guest's sync, kill -9 of the monitor loses
#    nothing.
# Exit 0 all passed, 77 cannot run here (no /dev/kvm, no images), else 1.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
B=${XENO_BUILD:-$root/build}
XL=$B/bin/xl
# shellcheck source=lib/host.bash
. "$root/tests/integration/lib/host.bash"
need_host vmlinuz initrd.cpio.gz
need_tools mke2fs e2fsck debugfs md5sum cpio
zcat "$root/images/initrd.cpio.gz" | cpio -t 2>/dev/null | grep -q '/ext4\.ko' ||
	{ echo "SKIP: images/initrd.cpio.gz has no ext4 module: an older image (rerun scripts/setup.sh)"; exit 77; }

one_guest_test lxblk

# Host-made file systems with known content.
mkdir -p "$tmp/a" "$tmp/b/sub" "$tmp/c"
echo "written by the host for xvda" >"$tmp/a/hello.txt"
head -c 3000000 /dev/urandom >"$tmp/a/random.bin"
head -c 200000 /dev/urandom >"$tmp/b/sub/ro.bin"
echo "hot-plugged" >"$tmp/c/hot.txt"
mke2fs -q -F -t ext4 -d "$tmp/a" "$tmp/a.img" 64M &&
	mke2fs -q -F -t ext4 -d "$tmp/b" "$tmp/b.img" 16M &&
	mke2fs -q -F -t ext4 -d "$tmp/c" "$tmp/c.img" 8M || { echo "FAIL mke2fs"; exit 1; }
b_md5=$(md5sum <"$tmp/b.img")

cat >"$tmp/g.cfg" <<CFG
name = "$name"
type = "pv"
kernel = "$root/images/vmlinuz"
ramdisk = "$root/images/initrd.cpio.gz"
extra = "console=hvc0"
memory = 256
vcpus = 1
disk = [ 'format=raw, vdev=xvda, access=rw, target=$tmp/a.img',
         'format=raw, vdev=xvdb, access=ro, target=$tmp/b.img' ]
CFG

# The guest's md5sum of FILE against the host's of HOSTFILE.
same_md5() {
	lx_run "md5sum $1" || return 1
	[ "$(lx_output | cut -d' ' -f1)" = "$(md5sum <"$2" | cut -d' ' -f1)" ]
}
# In the guest: until test ARGS holds, for up to 20 s.
guest_until() { lx_run "for i in \$(seq 200); do [ $* ] && break; sleep 0.1; done; [ $* ]"; }

if ! lx_start "$tmp/g.cfg"; then
	fail "the guest did not reach a shell: $(lx_why)"
	finish
fi
pass "the Debian kernel reached a shell"

guest_until -b /dev/xvda -a -b /dev/xvdb
check $? "xvda and xvdb appear"
lx_run cat /sys/block/xvda/size /sys/block/xvdb/size
[ "$(lx_output | tr '\n' ' ')" = "$((64 * 2048)) $((16 * 2048)) " ]
check $? "their sizes in sectors are the images' ($(lx_output | tr '\n' ' '))"

lx_run mkdir -p /mnt/a /mnt/b /mnt/c "&&" mount -t ext4 /dev/xvda /mnt/a
check $? "ext4 on xvda mounts read-write"
same_md5 /mnt/a/hello.txt "$tmp/a/hello.txt" && same_md5 /mnt/a/random.bin "$tmp/a/random.bin"
check $? "the host's files read back intact (md5)"
lx_run "seq 1 150000 > /mnt/a/guest.txt && sync"
check $? "the guest writes a file and syncs"
want=$(seq 1 150000 | md5sum | cut -d' ' -f1)

lx_run cat /sys/block/xvdb/ro
[ "$(lx_output)" = 1 ]
check $? "xvdb is read-only in the guest"
lx_refused dd if=/dev/zero of=/dev/xvdb bs=4096 count=1
check $? "writing to xvdb is refused"
lx_run mount -t ext4 -o ro /dev/xvdb /mnt/b
check $? "ext4 on xvdb mounts read-only"
same_md5 /mnt/b/sub/ro.bin "$tmp/b/sub/ro.bin"
check $? "xvdb's file reads back intact"
lx_refused touch /mnt/b/new
check $? "a file cannot be created on xvdb"
lx_refused mount -o remount,rw /mnt/b
check $? "xvdb cannot be remounted read-write"

# Hot plug while the guest runs.
"$XL" block-attach "$name" "format=raw, vdev=xvdc, access=rw, target=$tmp/c.img"
check $? "xl block-attach xvdc"
guest_until -b /dev/xvdc
check $? "the guest sees xvdc appear"
"$XL" block-list "$name" | grep -Eq "^51744 +0 +[0-9]+ +4 "
check $? "block-list shows xvdc Connected"
lx_run mount -t ext4 /dev/xvdc /mnt/c "&&" cat /mnt/c/hot.txt "&&" umount /mnt/c
[ $? -eq 0 ] && [ "$(lx_output)" = hot-plugged ]
check $? "xvdc mounts and its file reads back"
timeout 60 "$XL" block-detach "$name" xvdc
check $? "xl block-detach xvdc"
guest_until ! -e /sys/block/xvdc
check $? "the guest sees xvdc go"
"$XL" block-list "$name" | grep -q "^51744 "
[ $? -ne 0 ]
check $? "xvdc is gone from block-list"

# xl destroy with xvda still mounted: what sync wrote must be in the image.
timeout 30 "$XL" destroy "$name"
check $? "xl destroy"
lx_stop
[ "$(md5sum <"$tmp/b.img")" = "$b_md5" ]
check $? "the read-only image is unchanged"
e2fsck -fy "$tmp/a.img" >"$tmp/fsck1" 2>&1
[ $? -le 1 ]
check $? "e2fsck accepts xvda's image after destroy ($(tail -n 1 "$tmp/fsck1"))"
[ "$(debugfs -R 'cat /guest.txt' "$tmp/a.img" 2>/dev/null | md5sum | cut -d' ' -f1)" = "$want" ]
check $? "the guest's synced file is in the image after destroy"

# Second boot: kill -9 of the monitor right after the guest's sync.
if ! lx_start "$tmp/g.cfg"; then
	fail "the guest did not reach a shell the second time: $(lx_why)"
	finish
fi
guest_until -b /dev/xvda
lx_run mkdir -p /mnt/a "&&" mount -t ext4 /dev/xvda /mnt/a "&&" cat /mnt/a/guest.txt "|" md5sum
[ $? -eq 0 ] && [ "$(lx_output | cut -d' ' -f1)" = "$want" ]
check $? "the second boot reads the file the first one wrote"
lx_run "seq 7 250007 > /mnt/a/killed.txt && sync"
check $? "the guest writes a second file and syncs"
pid=$(pgrep -f "xeno-monitor .*--name $name( |$)")
[ -n "$pid" ] && kill -9 "$pid"
check $? "kill -9 of the monitor (pid ${pid:-none})"
lx_stop
timeout 10 "$XL" destroy "$name" >/dev/null 2>&1
e2fsck -fy "$tmp/a.img" >"$tmp/fsck2" 2>&1
[ $? -le 1 ]
check $? "e2fsck accepts xvda's image after kill -9 ($(tail -n 1 "$tmp/fsck2"))"
[ "$(debugfs -R 'cat /killed.txt' "$tmp/a.img" 2>/dev/null | md5sum | cut -d' ' -f1)" = \
	"$(seq 7 250007 | md5sum | cut -d' ' -f1)" ]
check $? "the file synced before kill -9 is in the image"
finish
