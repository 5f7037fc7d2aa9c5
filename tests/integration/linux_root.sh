#!/bin/bash
# The Debian kernel from an ext4 root on xvda (examples/debian-root.cfg's
# setup, on a copy of images/rootfs.ext4), and a file system the guest makes
# itself on a second disk:
#  - the initramfs switches to xvda: / is /dev/xvda, ext4, read-write;
#  - the guest writes a file with unique content to its root, makes an ext2
#    file system on an empty raw image (xvdb) with busybox mke2fs, writes
#    files there and notes their md5;
#  - `reboot -f` (on_reboot = restart, same console): both are still there,
#    same md5;
#  - leaving the shell (guest/init syncs, remounts / read-only, powers off),
#    then a new `xl create`: both are there once more;
#  - on the host, e2fsck -fn finds both images clean and debugfs reads the
#    guest's files with the guest's md5.
# Exit 0 all passed, 77 cannot run here (no /dev/kvm, no images), else 1.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
B=${XENO_BUILD:-$root/build}
XL=$B/bin/xl
# shellcheck source=lib/host.bash
. "$root/tests/integration/lib/host.bash"
need_host vmlinuz initrd.cpio.gz rootfs.ext4
need_tools e2fsck debugfs md5sum

one_guest_test lxroot

cp "$root/images/rootfs.ext4" "$tmp/root.img"
truncate -s 64M "$tmp/data.img"
cat >"$tmp/g.cfg" <<CFG
name = "$name"
type = "pv"
kernel = "$root/images/vmlinuz"
ramdisk = "$root/images/initrd.cpio.gz"
extra = "console=hvc0 root=/dev/xvda"
memory = 256
vcpus = 1
on_reboot = "restart"
disk = [ 'format=raw, vdev=xvda, access=rw, target=$tmp/root.img',
         'format=raw, vdev=xvdb, access=rw, target=$tmp/data.img' ]
CFG

token="xeno-root-$$-$(head -c 12 /dev/urandom | md5sum | cut -c1-16)"
seq_md5=$(seq 1 100000 | md5sum | cut -d' ' -f1)
# In the guest: until test ARGS holds, for up to 20 s.
guest_until() { lx_run "for i in \$(seq 200); do [ $* ] && break; sleep 0.1; done; [ $* ]"; }
marks() { tr -d '\r' <"$LX_CONSOLE" | grep -c XENO-INIT-READY; }

# What one boot checks: the root, the token file, xvdb's files.
check_boot() {	# LABEL
	lx_run "awk '\$2 == \"/\" { print \$1, \$3, substr(\$4, 1, 2) }' /proc/mounts"
	[ "$(lx_output)" = "/dev/xvda ext4 rw" ]
	check $? "$1: / is /dev/xvda, ext4, read-write ($(lx_output | tr '\n' ' '))"
	lx_run cat /root/token.txt
	[ "$(lx_output)" = "$token" ]
	check $? "$1: the file written to the root in the first boot is there, same content"
	guest_until -b /dev/xvdb
	lx_run mount /dev/xvdb /mnt "&&" md5sum /mnt/rand.bin /mnt/sub/seq.txt "&&" umount /mnt
	[ $? -eq 0 ] && [ "$(lx_output)" = "$b_md5s" ]
	check $? "$1: xvdb mounts, its files have the md5 they had when written"
}

if ! lx_start "$tmp/g.cfg"; then
	fail "the guest did not reach a shell: $(lx_why)"
	finish
fi
pass "the Debian kernel reached a shell"
lx_run "awk '\$2 == \"/\" { print \$1, \$3, substr(\$4, 1, 2) }' /proc/mounts"
[ "$(lx_output)" = "/dev/xvda ext4 rw" ]
check $? "/ is /dev/xvda, ext4, read-write ($(lx_output | tr '\n' ' '))"
lx_run "echo $token > /root/token.txt && sync"
check $? "the guest writes a file to its root and syncs"

guest_until -b /dev/xvdb
lx_run mke2fs -q /dev/xvdb
check $? "the guest makes a file system on the empty xvdb (busybox mke2fs)"
lx_run mount /dev/xvdb /mnt "&&" mkdir /mnt/sub "&&" \
	dd if=/dev/urandom of=/mnt/rand.bin bs=64k count=48 2>/dev/null "&&" \
	seq 1 100000 ">" /mnt/sub/seq.txt "&&" sync
check $? "it mounts it and writes files there"
lx_run md5sum /mnt/rand.bin /mnt/sub/seq.txt
b_md5s=$(lx_output)
[ "$(echo "$b_md5s" | sed -n '2s/ .*//p')" = "$seq_md5" ]
check $? "the guest's md5 of the file it wrote is the host's of the same content"
lx_run umount /mnt
check $? "xvdb unmounts"

lx_type 'reboot -f'
for ((i = 0; i < 2400 && $(marks) < 2; i++)); do sleep 0.1; done
[ "$(marks)" -ge 2 ]
check $? "reboot -f restarts the guest (on_reboot = restart) on the same console"
sleep 1
lx_run dmesg -n 1
check_boot "after reboot -f"

# Leaving the shell: guest/init syncs and remounts / read-only first.
lx_type exit
lx_close
check $? "leaving the shell powers the guest off"
timeout 10 "$XL" destroy "$name" >/dev/null 2>&1
e2fsck -fn "$tmp/root.img" >"$tmp/fsck-root" 2>&1
check $? "e2fsck -fn: the root image is clean after the guest's own poweroff ($(tail -n 1 "$tmp/fsck-root"))"

if ! lx_start "$tmp/g.cfg"; then
	fail "the guest did not reach a shell the second time: $(lx_why)"
	finish
fi
check_boot "a new xl create"
lx_stop
timeout 10 "$XL" destroy "$name" >/dev/null 2>&1

e2fsck -fn "$tmp/data.img" >"$tmp/fsck-data" 2>&1
check $? "e2fsck -fn: the guest-made file system is clean ($(tail -n 1 "$tmp/fsck-data"))"
[ "$(debugfs -R 'cat /rand.bin' "$tmp/data.img" 2>/dev/null | md5sum | cut -d' ' -f1)" = \
	"$(echo "$b_md5s" | sed -n '1s/ .*//p')" ]
check $? "the host reads the guest's random file with the guest's md5 (debugfs)"
finish
