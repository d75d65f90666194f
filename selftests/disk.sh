#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# disk - vbds over NoXS, with Debian's own xen-blkback in dom0 and
# xen-blkfront in the guests, and no xenstored: a guest writes a file on an
# ext4 disk image and shuts down, dom0 finds the file in the image, and
# later guests read it back; read-only disks are read-only everywhere; an
# image in use read-write is refused to anyone else; bad disk specs take
# nothing; a guest destroyed while writing leaves a usable image; and no
# way out leaves a loop device, store node or Xen memory behind.

. "$(dirname "$0")/lib.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

XVDA=51712	# xvda's virtual-device number
XVDB=51728

vbd_connected() { device_connected "$1" 3 "$2"; }
disk_line() { console_line "$1" lightvm-disk "$2"; }
# The loop devices bound to a file, by name.
loops() {
	local l
	for l in /sys/block/loop*; do
		[ -e "$l/loop/backing_file" ] && printf '%s ' "${l##*/}"
	done
}
no_disk_left() {
	[ "$(loops)" = "$loops0" ] && ! store_has /local/domain/0/backend/vbd
}
disk_leftovers() { echo "loops: $(loops)$(store_protocol dir /local/domain/0/backend/vbd 2>/dev/null | tr '\n' ' ')"; }
# guest_cfg NAME DISKS EXTRA: a Debian-kernel guest with those disks.
guest_cfg() {
	write_cfg "$1" "name = \"$1\"" "kernel = \"$GUEST_DIR/vmlinux.gz\"" \
		"ramdisk = \"$GUEST_DIR/initrd.gz\"" 'memory = 128' \
		"disk = [ $2 ]" "extra = \"console=hvc0 $3\""
}
noop_cfg() {
	write_cfg "$1" "name = \"$1\"" "kernel = \"$GUEST_DIR/noop\"" \
		'memory = 4' "disk = [ $2 ]" 'extra = "noop=block"'
}
# image_file PATH: the content of /lightvm.txt in the ext4 image PATH.
image_file() { debugfs -R 'cat /lightvm.txt' "$1" 2>/dev/null; }
# What expect_fail compares with: as things are now, or with no guest.
baseline_now() { domains0=$(domain_count) noxs0=$(noxs_state); }
baseline_empty() { domains0=$domains_base noxs0=$noxs_base; }

plan 45

# --- dom0: the stock backend, loop devices, the relay, an image ----------------------
out=$(modprobe xen-blkback 2>&1 && modprobe loop 2>&1 && modprobe ext4 2>&1 &&
	modprobe split-back 2>&1)
ok $? "xen-blkback, loop, ext4 and split-back load ${out:+($out)}"
img=$work/disk.img
mke2fs -q -t ext4 -F "$img" 32M >/dev/null 2>&1
ok $? "a 32 MiB ext4 disk image is made"
loops0=$(loops)
truncate -s 1M "$work/rw.img" "$work/ro.img"
rwdev=$(losetup -f) && losetup "$rwdev" "$work/rw.img" &&
	rodev=$(losetup -f) && losetup -r "$rodev" "$work/ro.img" &&
	out=$(noxs_device vbd "$rwdev" "$rodev" 2>&1)
status=$?
ok $status "vbd parameters and sharing are checked by the kernel (noxs_device vbd)"
[ "$status" -eq 0 ] || diag "$out"
losetup -d "$rwdev"
losetup -d "$rodev"

# --- bad disk specs take nothing ---------------------------------------------------
baseline_now
domains_base=$domains0 noxs_base=$noxs0
expect_fail 1 "disk 0 (xvda): $work/none.img: No such file or directory" "a missing image" -- \
	create "$(noop_cfg bad "'$work/none.img,raw,xvda,w'")"
expect_fail 1 "format qcow2 is not supported" "a format other than raw" -- \
	create "$(noop_cfg bad "'$img,qcow2,xvda,w'")"
expect_fail 1 "cdrom is not supported" "a cdrom" -- \
	create "$(noop_cfg bad "'$img,raw,xvdc,r,devtype=cdrom'")"
expect_fail 1 "vdev hda: expected xvda" "an emulated disk name" -- \
	create "$(noop_cfg bad "'$img,raw,hda,w'")"
expect_fail 1 "is neither a file nor a block device" "a directory as target" -- \
	create "$(noop_cfg bad "'$work,raw,xvda,w'")"
printf 'not a kernel\n' >"$work/junk"
expect_fail 1 "is not a Xen PV kernel" "a failed build after its disks were made" -- \
	create "$(write_cfg bad 'name = "bad"' "kernel = \"$work/junk\"" 'memory = 4' \
		"disk = [ '$img,raw,xvda,w' ]")"
wait_until 10 no_disk_left
ok $? "nothing of them is left: no loop device or store node ($(disk_leftovers))"

free0=$(info_value free_pages)

# --- a guest writes a file, shuts down; dom0 finds it in the image --------------------
token=lightvm-$$-$(date +%s)
lvctl create "$(guest_cfg writer "'format=raw,vdev=xvda,access=rw,target=$img'" \
	"lightvm.guest=disk-write:xvda:$token")" >/dev/null &&
	wait_console writer 'lightvm-disk: ' 180 && wait_until 10 vbd_connected writer $XVDA
ok $? "a guest's xen-blkfront connects to dom0's xen-blkback over NoXS"
writer=$(domid_of writer)
[ "$(disk_line writer wrote)" = "$token" ]
status=$?
ok $status "it mounts the ext4 image and writes a file ($(disk_line writer ''))"
[ "$status" -eq 0 ] || show_console writer
loop=$(store_protocol read "/local/domain/0/backend/vbd/$writer/$XVDA/physical-device")
[ "$(store_protocol read "/local/domain/0/backend/vbd/$writer/$XVDA/mode")" = w ] &&
	[ -n "$loop" ] && [ "$(loops)" != "$loops0" ]
ok $? "its backend reads and writes loop device $loop ($(loops))"
baseline_now
lvctl console -d writer 2>/dev/null | grep -q 'blkfront: xvda: flush diskcache: enabled' &&
	[ "$(store_protocol read "/local/domain/0/backend/vbd/$writer/$XVDA/feature-flush-cache")" = 1 ]
ok $? "flushes cross: xen-blkback offers them over the loop device, xen-blkfront uses them"
expect_fail 1 "is in use read-write by /dev/loop" "a second read-write user of the image" -- \
	create "$(noop_cfg second "'$img,raw,xvda,w'")"
expect_fail 1 "is in use read-write by /dev/loop" "a read-only user while it is written" -- \
	create "$(noop_cfg second "'$img,raw,xvda,r'")"
baseline_empty
lvctl shutdown -w writer >/dev/null 2>&1
ok $? "the guest shuts down (shutdown -w)"
wait_until 10 no_disk_left
ok $? "its loop device and store nodes are gone ($(disk_leftovers))"
[ "$(image_file "$img")" = "$token" ]
ok $? "dom0 finds the file in the image, with its content ($(image_file "$img"))"
e2fsck -fn "$img" >/dev/null 2>&1
ok $? "the image is clean (e2fsck -fn)"

# --- read-only: shared, and read-only in the guest and the backend --------------------
cfg=$(guest_cfg reader "'$img,raw,xvda,r'" 'lightvm.guest=disk-read:xvda') &&
	echo 'vcpus = 2' >>"$cfg" && lvctl create "$cfg" >/dev/null &&
	lvctl create "$(guest_cfg rotest "'$img,raw,xvda,ro'" 'lightvm.guest=disk-ro:xvda')" >/dev/null &&
	wait_console reader 'lightvm-disk: ' 180 && wait_console rotest 'lightvm-disk: ' 180
ok $? "two guests share the image read-only"
[ "$(disk_line reader read)" = "$token" ]
status=$?
ok $status "a second boot reads the file back ($(disk_line reader ''))"
[ "$status" -eq 0 ] || show_console reader
reader=$(domid_of reader)
front=/local/domain/$reader/device/vbd/$XVDA
wait_until 10 vbd_connected reader $XVDA &&
	[ "$(store_protocol read "$front/multi-queue-num-queues")" = 2 ] &&
	[ -n "$(store_protocol read "$front/queue-1/ring-ref")" ] &&
	[ -n "$(store_protocol read "$front/queue-1/event-channel")" ]
ok $? "with 2 vCPUs, xen-blkfront runs 2 queues, relayed per queue to xen-blkback"
[ "$(disk_line rotest ro)" = "1 write refused" ]
status=$?
ok $status "the disk is read-only in the guest: writes are refused ($(disk_line rotest ''))"
[ "$status" -eq 0 ] || show_console rotest
rotest=$(domid_of rotest)
loop=$(store_protocol read "/local/domain/0/backend/vbd/$rotest/$XVDA/physical-device")
[ "$(store_protocol read "/local/domain/0/backend/vbd/$rotest/$XVDA/mode")" = r ] &&
	for l in $(loops); do
		[ "$(cat "/sys/block/$l/dev")" = "$((0x${loop%:*})):$((0x${loop#*:}))" ] &&
			[ "$(cat "/sys/block/$l/ro")" = 1 ] && echo yes
	done | grep -q yes
ok $? "and in the backend: mode r, over a read-only loop device ($loop)"
baseline_now
expect_fail 1 "is in use by /dev/loop" "a read-write user while others read" -- \
	create "$(noop_cfg second "'$img,raw,xvda,w'")"
dev=$(losetup -f) && losetup "$dev" "$img" &&
	expect_fail 1 "is in use read-write by $dev" "a read-only user while dom0 writes it too (losetup)" -- \
		create "$(noop_cfg second "'$img,raw,xvda,r'")"
losetup -d "$dev"
baseline_empty
lvctl destroy reader && lvctl destroy rotest && wait_until 10 no_disk_left
ok $? "destroyed: their loop devices and nodes go ($(disk_leftovers))"

# --- a block device: phy:, and a device dom0 has mounted -----------------------------
dev=$(losetup -f) && losetup "$dev" "$img"
ok $? "a block device of dom0 ($dev over the image)"
lvctl create "$(guest_cfg phy "'phy:$dev,xvdb,w'" 'lightvm.guest=disk-read:xvdb')" >/dev/null &&
	wait_console phy 'lightvm-disk: ' 180 && [ "$(disk_line phy read)" = "$token" ]
ok $? "a guest reads it as xvdb ($(disk_line phy ''))"
phy=$(domid_of phy)
[ "$(store_protocol read "/local/domain/0/backend/vbd/$phy/$XVDB/dev")" = xvdb ]
ok $? "its backend node names xvdb"
baseline_now
expect_fail 1 "in use read-write by another guest, or mounted in dom0" "a block device in use read-write" -- \
	create "$(noop_cfg second "'phy:$dev,xvda,r'")"
lvctl destroy phy
baseline_empty
mkdir -p "$work/mnt"
out=$(mount -t ext4 -o ro "$dev" "$work/mnt" 2>&1) || diag "cannot mount $dev in dom0: $out"
expect_fail 1 "in use read-write by another guest, or mounted in dom0" "a block device dom0 has mounted" -- \
	create "$(noop_cfg second "'phy:$dev,xvda,w'")"
umount "$work/mnt" 2>/dev/null
losetup -d "$dev"
baseline_empty

# --- a Tinyx-style guest boots from its disk -------------------------------------------
lvctl create "$(write_cfg rootdisk 'name = "rootdisk"' "kernel = \"$GUEST_DIR/vmlinux.gz\"" \
	"ramdisk = \"$GUEST_DIR/initrd.gz\"" 'memory = 128' \
	"disk = [ '$GUEST_DIR/rootfs.img,raw,xvda,r' ]" \
	'extra = "console=hvc0 root=/dev/xvda ro lightvm.guest=counter"')" >/dev/null &&
	wait_console rootdisk 'lightvm-count: [0-9]* 1' 180
status=$?
root=$(lvctl console -d rootdisk 2>/dev/null | tr -d '\r' | sed -n 's/^lightvm-guest: root //p')
[ "$status" -eq 0 ] && [ "$root" = "/dev/xvda ext4" ]
status=$?
ok $status "a guest boots from its disk image: root=/dev/xvda, ext4 (root: $root)"
[ "$status" -eq 0 ] || show_console rootdisk
lvctl shutdown -w rootdisk >/dev/null 2>&1 && wait_until 10 no_disk_left
ok $? "it shuts down, its disk goes ($(disk_leftovers))"

# --- save and restore keep the disk ----------------------------------------------------
lvctl create "$(guest_cfg mover "'$img,raw,xvda,w'" 'lightvm.guest=disk-count:xvda')" >/dev/null &&
	wait_console mover 'lightvm-disk: count 2' 180
ok $? "a guest counts onto its disk"
old=$(domid_of mover)
saved=$(disk_line mover count)
out=$(lvctl save mover "$work/mover.save" 2>&1) &&
	wait_until 10 no_disk_left && out=$(lvctl restore "$work/mover.save" 2>&1)
ok $? "it is saved (its loop device goes) and restored ${out:+($out)}"
new=$(domid_of mover)
wait_console mover 'lightvm-disk: count' 60 && sleep 2 &&
	[ "$(disk_line mover count)" -gt "$saved" ] && wait_until 10 vbd_connected mover $XVDA
status=$?
ok $status "it goes on counting onto its disk after the restore ($saved, now $(disk_line mover count); domain $old, now $new)"
[ "$status" -eq 0 ] || show_console mover
# Each count is synced before the guest prints it: xen-blkfront's flush
# must have reached the image, even with the guest destroyed at once.
last=$(disk_line mover count)
lvctl destroy mover && wait_until 10 no_disk_left
status=$?
e2fsck -fy "$img" >/dev/null 2>&1
fsck=$?
[ "$status" -eq 0 ] && [ "$fsck" -le 1 ] &&
	[ "$(debugfs -R 'cat /count' "$img" 2>/dev/null)" -ge "$last" ]
ok $? "destroyed: the image holds every count it synced ($last printed, $(debugfs -R 'cat /count' "$img" 2>/dev/null) on the image)"

# --- destroyed in the middle of writing ----------------------------------------------
lvctl create "$(guest_cfg stress "'$img,raw,xvda,w'" 'lightvm.guest=disk-stress:xvda')" >/dev/null &&
	wait_console stress 'lightvm-disk: writing' 180 && sleep 3 && lvctl destroy stress
ok $? "a guest writing to its disk is destroyed"
wait_until 10 no_disk_left
ok $? "its loop device and nodes go ($(disk_leftovers))"
e2fsck -fy "$img" >/dev/null 2>&1
[ $? -le 1 ] && e2fsck -fn "$img" >/dev/null 2>&1 && [ "$(image_file "$img")" = "$token" ]
ok $? "the image is usable: e2fsck repairs it, the file written before is there"

# --- 50 create/destroy cycles with a disk --------------------------------------------
for i in 1 2 3; do
	lvctl create "$(noop_cfg warm "'$img,raw,xvda,w'")" >/dev/null && lvctl destroy warm
done
wait_until 10 no_disk_left
free1=$(info_value free_pages)
noxs1=$(noxs_state)
fails=0
for i in $(seq 50); do
	{ lvctl create "$(noop_cfg cycle "'$img,raw,xvda,w'")" >/dev/null &&
		lvctl destroy cycle; } || fails=$((fails + 1))
done
[ "$fails" -eq 0 ]
ok $? "50 create/destroy cycles of a guest with a disk ($fails failed)"
wait_until 10 no_disk_left && [ "$(noxs_state)" = "$noxs1" ] &&
	[ "$(free_pages_settle "$free1")" -ge "$free1" ]
ok $? "no loop device, store node, noxs state or Xen memory is left ($(disk_leftovers))"
now=$(free_pages_settle "$free0")
[ $((free0 - now)) -lt 256 ] && [ "$(noxs_state)" = "$noxs0" ]
ok $? "Xen's memory and noxs are as before the guests ($now of $free0 pages)"

done_testing
