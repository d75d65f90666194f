#!/bin/bash
# The xl baseline inside the testbed's dom0:
#   tools/testbed/run tools/testbed/examples/xl-guest.sh [KERNEL]
# Starts the stock toolstack (xenstored, xen-init-dom0, xenconsoled), boots a
# PV guest with `xl create` (the testbed's guest kernel + initramfs, 128 MB)
# and passes when the guest's console log shows `lightvm-guest: up`.
# KERNEL defaults to the bzImage /usr/lib/lightvm/guest/vmlinuz; the same
# kernel as /usr/lib/lightvm/guest/vmlinux.gz loads ~3 s faster under TCG
# (gunzip in place of libxenguest's xz decoder).
set -euo pipefail

XEN_BIN=/usr/lib/xen-4.17/bin
GUEST=/usr/lib/lightvm/guest
CONSOLE_LOGS=/var/log/xen/console
NAME=xl-baseline
KERNEL=${1:-$GUEST/vmlinuz}

# Seconds since boot, for timing lines.
now() { cut -d' ' -f1 /proc/uptime; }

# wait_for SECONDS CMD...: poll CMD until it succeeds.
wait_for() {
	local tries=$(($1 * 10)); shift
	until "$@" 2>/dev/null; do
		((--tries > 0)) || return 1
		sleep 0.1
	done
}

start_toolstack() {
	"$XEN_BIN/xenstored" --pid-file /run/xenstored.pid
	# xen-init-dom0 writes dom0's xenstore entries (and needs xenstored up).
	"$XEN_BIN/xen-init-dom0"
	mkdir -p "$CONSOLE_LOGS"
	"$XEN_BIN/xenconsoled" --pid-file=/run/xenconsoled.pid \
		--log=guest --log-dir="$CONSOLE_LOGS"
}

write_config() {
	cat >/tmp/$NAME.cfg <<EOF
name = "$NAME"
type = "pv"
kernel = "$KERNEL"
ramdisk = "$GUEST/initrd.gz"
extra = "console=hvc0 lightvm.guest=poweroff"
memory = 128
vcpus = 1
on_poweroff = "destroy"
EOF
}

main() {
	local t0 t1 log=$CONSOLE_LOGS/guest-$NAME.log
	start_toolstack
	write_config
	t0=$(now)
	xl create /tmp/$NAME.cfg
	t1=$(now)
	echo "xl create took $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s"
	if ! wait_for 120 grep -q 'lightvm-guest: up' "$log"; then
		echo "FAIL: no 'lightvm-guest: up' in $log"
		cat "$log" 2>/dev/null || true
		xl list || true
		exit 1
	fi
	echo "guest console: $(grep -m1 'lightvm-guest: up' "$log")"
	# lightvm.guest=poweroff: the guest goes away by itself.
	if wait_for 60 sh -c "! xl list $NAME >/dev/null 2>&1"; then
		echo "guest powered off"
	else
		echo "FAIL: guest still there after poweroff"
		xl list
		exit 1
	fi
	echo "PASS: xl baseline"
}

main "$@"
