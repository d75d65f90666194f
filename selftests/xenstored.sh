#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# xenstored - lightvm on a host where xenstored and xl run, as on a stock
# Debian Xen host (a boot of its own: make check's third part). noxs-store
# finds xenstored serving dom0's store and goes beside it (its log, its
# served_by, lvctl info); lvctl guests keep NoXS and their own stores, and
# the stock xen-netback reads their backend nodes from xenstored; `xl list`
# names them; an lvctl guest and an xl guest on one bridge ping each other;
# the daemon, which cannot have VIRQ_DOM_EXC beside xenstored, still acts
# on on_poweroff; xl's own create and destroy still work; nothing of
# lightvm's is left in xenstored or noxs at the end; with xenstored gone,
# a guest with devices is refused (dom0's store cannot change hands).

. "$(dirname "$0")/lib.sh"

XEN_BIN=/usr/lib/xen-4.17/bin
XL_LOGS=/var/log/xen/console
work=$(mktemp -d)
daemon_pid=
cleanup() {
	lvctl destroy lvnet >/dev/null 2>&1
	# xl without xenstored waits on the kernel's xenbus for good.
	if pidof xenstored >/dev/null; then
		xl destroy xlnet >/dev/null 2>&1
		xl destroy xlnoop >/dev/null 2>&1
	fi
	[ -z "$daemon_pid" ] || kill "$daemon_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

plan 15

# xs_has PATH: xenstored has that node.
xs_has() { xenstore-exists "$1" 2>/dev/null; }
xl_named() { xl list 2>/dev/null | awk -v n="$1" '$1 == n' | grep -q .; }
xl_console_has() { grep -q "$2" "$XL_LOGS/guest-$1.log" 2>/dev/null; }
net_line() { console_line "$1" lightvm-net "$2"; }

# --- the stock toolstack first, as Debian starts it at boot --------------------
"$XEN_BIN/xenstored" --pid-file /run/xenstored.pid &&
	"$XEN_BIN/xen-init-dom0" >/dev/null && mkdir -p "$XL_LOGS" &&
	"$XEN_BIN/xenconsoled" --pid-file=/run/xenconsoled.pid --log=guest --log-dir="$XL_LOGS" &&
	xl list | grep -q '^Domain-0 '
ok $? "xenstored, xen-init-dom0 and xenconsoled run; xl list works"

# --- lightvm goes beside it ------------------------------------------------------
out=$(modprobe noxs-store 2>&1)
status=$?
[ "$status" -eq 0 ] && [ "$(cat /sys/module/noxs_store/parameters/served_by)" = xenstored ] &&
	dmesg | grep -q "noxs_store: dom0's store is xenstored's" &&
	[ "$(info_value dom0_store)" = xenstored ]
ok $? "noxs-store goes beside xenstored: its log, served_by and lvctl info say so ${out:+($out)}"
out=$(modprobe xen-netback 2>&1 && modprobe bridge 2>&1 && modprobe split-back 2>&1)
status=$?
if [ "$status" -eq 0 ]; then
	brctl addbr xenbr0 && ip link set xenbr0 up && ip addr add 10.7.0.1/24 dev xenbr0 || status=1
fi
ok $status "xen-netback and split-back load; xenbr0 up ${out:+($out)}"
noxs0=$(noxs_state)

lvctl daemon -F 2>"$work/daemon.log" &
daemon_pid=$!
wait_until 10 grep -q "domain deaths from xenstored's @releaseDomain" "$work/daemon.log" &&
	kill -0 "$daemon_pid"
ok $? "the daemon runs beside xenstored ($(head -n 1 "$work/daemon.log" | cut -c1-160))"

# --- an lvctl guest and an xl guest on one bridge ------------------------------------
lvcfg=$(write_cfg lvnet 'name = "lvnet"' "kernel = \"$GUEST_DIR/vmlinux.gz\"" \
	"ramdisk = \"$GUEST_DIR/initrd.gz\"" 'memory = 128' "vif = [ 'bridge=xenbr0' ]" \
	'extra = "console=hvc0 lightvm.ip=eth0:10.7.0.2/24 lightvm.guest=shell"')
lvid=$(lvctl create "$lvcfg")
wait_console lvnet 'lightvm-net: eth0 queues' 180 && wait_until 60 device_connected lvnet 2 0
ok $? "an lvctl guest with a vif on xenbr0 connects (domain $lvid), its backend fed through xenstored"
xs_has "/local/domain/0/backend/vif/$lvid/0/state" &&
	[ "$(xenstore-read "/local/domain/0/backend/vif/$lvid/0/state")" = 4 ]
ok $? "xen-netback's node for it is in xenstored, Connected"
xl_named lvnet && [ "$(xenstore-read "/local/domain/$lvid/name")" = lvnet ]
ok $? "xl list names the lvctl guest"

cat >"$work/xlnet.cfg" <<EOF
name = "xlnet"
type = "pv"
kernel = "$GUEST_DIR/vmlinux.gz"
ramdisk = "$GUEST_DIR/initrd.gz"
memory = 128
vif = [ 'bridge=xenbr0' ]
extra = "console=hvc0 lightvm.ip=eth0:10.7.0.3/24 lightvm.ping=10.7.0.2,10.7.0.1 lightvm.guest=shell"
on_poweroff = "destroy"
EOF
xl create -q "$work/xlnet.cfg" >/dev/null 2>&1 &&
	wait_until 240 xl_console_has xlnet 'lightvm-net: ping 10.7.0.1 ' &&
	xl_console_has xlnet 'lightvm-net: ping 10.7.0.2 ok'
ok $? "an xl guest on the same bridge pings the lvctl guest ($(grep -ao 'lightvm-net: ping 10.7.0.2 [a-z]*' "$XL_LOGS/guest-xlnet.log" 2>/dev/null | tail -n 1))"
printf 'ping -c 3 -W 5 10.7.0.3 >/dev/null && echo lvq:$((40+2))\n' |
	timeout 30 lvctl console lvnet 2>/dev/null | tr -d '\r' | grep -q 'lvq:42'
ok $? "and the lvctl guest pings the xl guest"

# --- the daemon's on_poweroff; the guests go ---------------------------------------
lvctl create "$(write_cfg off 'name = "off"' "kernel = \"$GUEST_DIR/noop\"" \
	'memory = 8' 'on_poweroff = "destroy"')" >/dev/null
wait_until 20 sh -c '! lvctl list | grep -q "^off "' && ! xl_named off
ok $? "a guest that powers itself off is destroyed by the daemon, and leaves xl list"

lvctl destroy lvnet && xl destroy xlnet &&
	wait_until 20 sh -c "! xenstore-exists /local/domain/0/backend/vif/$lvid" &&
	! xs_has "/local/domain/$lvid"
ok $? "destroyed: nothing of the lvctl guest is left in xenstored"
wait_until 10 sh -c "[ \"\$(lvctl info | grep '^noxs_' | tr -s ' \n' ' ')\" = \"$noxs0\" ]" &&
	[ -z "$(ls /sys/class/net | grep '^vif')" ]
ok $? "noxs holds what it held before; no vif interface is left"

# --- xl's own create and destroy, as its selftests do them ---------------------------
cat >"$work/xlnoop.cfg" <<EOF
name = "xlnoop"
type = "pv"
kernel = "$GUEST_DIR/noop"
memory = 8
extra = "noop=block"
EOF
xl create -q "$work/xlnoop.cfg" >/dev/null 2>&1 && xl_named xlnoop &&
	lvctl list | grep -q '^xlnoop ' && xl destroy xlnoop && ! xl_named xlnoop
ok $? "xl create and xl destroy of an xl guest work beside lightvm (lvctl list names it too)"

kill "$daemon_pid" && wait "$daemon_pid"
status=$?
daemon_pid=
[ "$status" -eq 0 ] && [ "$(xl list | awk 'NR > 1' | wc -l)" -eq 1 ]
ok $? "the daemon stops cleanly; only Domain-0 is left"

# --- xenstored gone: dom0's store cannot change hands ----------------------------------
kill "$(cat /run/xenconsoled.pid)" "$(cat /run/xenstored.pid)" &&
	wait_until 10 sh -c '! pidof xenstored >/dev/null'
domains0=$(domain_count)
expect_fail 1 "xenstored does not answer: start it again" \
	"with xenstored stopped, a guest with a vif is refused before anything is taken" -- \
	create "$(write_cfg gone 'name = "gone"' "kernel = \"$GUEST_DIR/noop\"" 'memory = 8' \
		"vif = [ 'bridge=xenbr0' ]" 'extra = "noop=block"')"

done_testing
