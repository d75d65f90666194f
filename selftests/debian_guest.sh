#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# debian_guest - a guest booted as a Debian guest image boots: Debian's
# kernel with the initramfs that initramfs-tools made with lightvm-guest's
# hook, in tools/deb/check's Debian 12 chroot, from the modules that
# lightvm-dkms built there. Its init (Debian's, with udev) loads them from
# /conf/modules, finds its root filesystem on xvda and its network on a
# vif, and switches to the root's /sbin/init; the guest answers a ping and
# powers off when asked; nothing is left.
# make check stages the kernel and initramfs (from `make deb` and
# tools/deb/check) in the guest directory's debian/.

. "$(dirname "$0")/lib.sh"

kernel=$GUEST_DIR/debian/vmlinuz
initrd=$GUEST_DIR/debian/initrd.img
if [ ! -s "$kernel" ] || [ ! -s "$initrd" ]; then
	echo "1..0 # SKIP no Debian guest staged in $GUEST_DIR/debian (make check stages it)"
	exit 0
fi

work=$(mktemp -d)
cleanup() {
	lvctl destroy debian >/dev/null 2>&1
	ip link del br9 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

plan 5

out=$(modprobe xen-netback 2>&1 && modprobe xen-blkback 2>&1 && modprobe loop 2>&1 &&
	modprobe bridge 2>&1 && modprobe split-back 2>&1)
status=$?
if [ "$status" -eq 0 ]; then
	brctl addbr br9 && ip addr add 10.9.9.1/24 dev br9 && ip link set br9 up || status=1
fi
ok $status "xen-netback, xen-blkback, split-back load; br9 up ${out:+($out)}"
domains0=$(domain_count)

cp "$GUEST_DIR/rootfs.img" "$work/root.img"
cfg=$(write_cfg debian 'name = "debian"' "kernel = \"$kernel\"" "ramdisk = \"$initrd\"" \
	'memory = 384' "disk = [ '$work/root.img,raw,xvda,w' ]" "vif = [ 'bridge=br9' ]" \
	'root = "/dev/xvda ro"' \
	'extra = "console=hvc0 lightvm.ip=enX0:10.9.9.2/24 lightvm.guest=shell"')
out=$(lvctl create "$cfg" 2>&1) && wait_console debian 'lightvm-guest: root' 600
status=$?
root=$(lvctl console -d debian 2>/dev/null | tr -d '\r' | sed -n 's/^lightvm-guest: root //p')
[ "$status" -eq 0 ] && [ "$root" = "/dev/xvda ext4" ]
status=$?
ok $status "Debian's initramfs with the hook's modules finds its root on xvda and switches to it (root: ${root:-none}; ${out:+domain }${out:-no domain})"
[ "$status" -eq 0 ] || show_console debian

wait_console debian 'lightvm-net: enX0 queues' 120 && ping -c 3 -W 5 10.9.9.2 >/dev/null
status=$?
ok $status "its network: enX0 (xen-netfront from the initramfs; Debian's udev names it) answers a ping from dom0"
[ "$status" -eq 0 ] || show_console debian

# sysctl-front came from the initramfs too: the guest powers off when asked.
lvctl shutdown -w -t 120 debian >/dev/null 2>&1 && [ -z "$(domid_of debian)" ]
ok $? "it powers off when asked (sysctl-front from the initramfs)"
nothing_left() {
	[ "$(domain_count)" -eq "$domains0" ] && ! compgen -G '/sys/class/net/vif*' >/dev/null &&
		[ -z "$(ls /sys/class/net/br9/brif 2>/dev/null)" ]
}
wait_until 20 nothing_left
ok $? "nothing is left: no domain, vif or bridge port"

done_testing
