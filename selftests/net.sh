#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# net - vifs over NoXS, with Debian's own xen-netback in dom0 and
# xen-netfront in the guests, and no xenstored: guests on a bridge ping
# dom0 and each other, a 20 MB TCP stream crosses from guest to guest
# intact, a guest has two vifs on two bridges and two queues each, the
# network survives a save and restore, bad vif specs take nothing, and
# every way a guest goes (destroy, shutdown, crash, a failed build) leaves
# no interface, bridge port, store node or Xen memory behind.

. "$(dirname "$0")/lib.sh"

work=$(mktemp -d)
daemon_pid=
trap '[ -n "$daemon_pid" ] && kill $daemon_pid 2>/dev/null; rm -rf "$work"' EXIT

vif_connected() { device_connected "$1" 2 "$2"; }
net_line() { console_line "$1" lightvm-net "$2"; }
# What a vif leaves in dom0 while it lives: interfaces, bridge ports, nodes.
vif_netdevs() { ls /sys/class/net | grep -E '^(vif[0-9]|lvt)' | tr '\n' ' '; }
bridge_ports() {
	local b
	for b in br0 br1; do
		ls "/sys/class/net/$b/brif" 2>/dev/null
	done | tr '\n' ' '
}
# vif_leftovers: what no_vif_left found, for a failure's message.
vif_leftovers() {
	echo "$(vif_netdevs)$(bridge_ports)$(store_protocol dir /local/domain/0/backend/vif 2>/dev/null | tr '\n' ' ')"
}
no_vif_left() {
	[ -z "$(vif_netdevs)" ] && [ -z "$(bridge_ports)" ] &&
		! store_has /local/domain/0/backend/vif
}
# guest_cfg NAME VCPUS VIFS EXTRA: a Debian-kernel guest's config.
# memory_back: Xen's free memory is back to free0, but for the few pages
# of grant maptrack dom0 grew into while xen-netback mapped the guests'
# rings (Xen keeps them until dom0 dies); a dying 128 MiB guest would
# still hold 32768.
memory_back() {
	now=$(free_pages_settle "$free0")
	[ $((free0 - now)) -lt 256 ]
}
guest_cfg() {
	write_cfg "$1" "name = \"$1\"" "kernel = \"$GUEST_DIR/vmlinux.gz\"" \
		"ramdisk = \"$GUEST_DIR/initrd.gz\"" 'memory = 128' "vcpus = $2" \
		"vif = [ $3 ]" "extra = \"console=hvc0 $4\""
}
noop_cfg() {
	write_cfg "$1" "name = \"$1\"" "kernel = \"$GUEST_DIR/noop\"" \
		'memory = 4' "vif = [ $2 ]" 'extra = "noop=block"'
}

plan 38

# --- dom0: the stock backend, the relay, two bridges ------------------------------
out=$(modprobe xen-netback 2>&1 && modprobe bridge 2>&1 && modprobe split-back 2>&1)
ok $? "xen-netback, the bridge and split-back load ${out:+($out)}"
out=$(noxs_device vif 2>&1)
status=$?
ok $status "vif parameters are checked by the kernel (noxs_device vif)"
[ "$status" -eq 0 ] || diag "$out"
brctl addbr br0 && ip addr add 10.0.0.1/24 dev br0 && ip link set br0 up &&
	brctl addbr br1 && ip addr add 10.1.0.1/24 dev br1 && ip link set br1 up
ok $? "bridges br0 (10.0.0.1) and br1 (10.1.0.1) are up"

# --- bad vif specs take nothing ---------------------------------------------------
domains0=$(domain_count)
noxs0=$(noxs_state)
expect_fail 1 "unknown vif key 'color'" "an unknown vif key" -- \
	create "$(noop_cfg bad "'bridge=br0,color=red'")"
expect_fail 1 "vif mac=00:16:3e:zz:00:01: expected six hex octets" "a malformed MAC" -- \
	create "$(noop_cfg bad "'mac=00:16:3e:zz:00:01,bridge=br0'")"
expect_fail 1 "vif 0: bridge nobr0 does not exist" "a missing bridge" -- \
	create "$(noop_cfg bad "'bridge=nobr0'")"
expect_fail 1 "vif 1: bridge xenbr0 does not exist" "no bridge given, and no xenbr0" -- \
	create "$(noop_cfg bad "'bridge=br0', 'mac=00:16:3e:00:00:09'")"
expect_fail 1 "lvt0 is vif 0's already" "a vifname twice" -- \
	create "$(noop_cfg bad "'bridge=br0,vifname=lvt0', 'bridge=br1,vifname=lvt0'")"
expect_fail 1 "vifname br1: dom0 has an interface of that name" "a vifname dom0 has" -- \
	create "$(noop_cfg bad "'bridge=br0,vifname=br1'")"
printf 'not a kernel\n' >"$work/junk"
expect_fail 1 "is not a Xen PV kernel" "a failed build after its vifs were made" -- \
	create "$(write_cfg bad 'name = "bad"' "kernel = \"$work/junk\"" 'memory = 4' \
		"vif = [ 'bridge=br0,vifname=lvt0', 'bridge=br1' ]")"
wait_until 10 no_vif_left
ok $? "nothing of them is left: no interface, bridge port or store node ($(vif_leftovers))"

free0=$(info_value free_pages)

# --- two guests on br0: ping, and 20 MB from one to the other -----------------------
lvctl create "$(guest_cfg rx 1 "'bridge=br0'" \
	'lightvm.ip=eth0:10.0.0.3/24 lightvm.guest=net-recv')" >/dev/null &&
	wait_console rx 'lightvm-net: eth0 queues' 120 && wait_until 10 vif_connected rx 0
ok $? "a guest's xen-netfront connects to dom0's xen-netback over NoXS ($(net_line rx eth0))"
rx=$(domid_of rx)
[ -d "/sys/class/net/br0/brif/vif$rx.0" ] &&
	[ "$(store_protocol read "/local/domain/0/backend/vif/$rx/0/hotplug-status")" = connected ]
ok $? "its interface vif$rx.0 is on br0, and the hotplug step is done"
ping -c 3 -W 5 10.0.0.3 >/dev/null
ok $? "dom0 pings the guest"

lvctl create "$(guest_cfg tx 1 "'bridge=br0'" \
	'lightvm.ip=eth0:10.0.0.2/24 lightvm.ping=10.0.0.1,10.0.0.3 lightvm.guest=net-send:10.0.0.3')" >/dev/null &&
	wait_console tx 'lightvm-net: sending' 180
ok $? "a second guest comes up on br0"
[ "$(net_line tx 'ping 10.0.0.1')" = ok ] && [ "$(net_line tx 'ping 10.0.0.3')" = ok ]
ok $? "it pings dom0 and the first guest"
wait_console rx 'lightvm-net: received' 300
sent=$(net_line tx sending) received=$(net_line rx received)
[ -n "$sent" ] && [ "$sent" = "$received" ] && [ "${sent#* }" = 20971520 ]
status=$?
ok $status "20 MB cross from guest to guest intact (sent $sent, received $received)"
[ "$status" -eq 0 ] || { show_console tx; show_console rx; }

# --- two vifs on two bridges, two queues each -----------------------------------------
lvctl create "$(guest_cfg multi 2 "'bridge=br0,vifname=lvt0', 'bridge=br1'" \
	'lightvm.ip=eth0:10.0.0.4/24 lightvm.ip=eth1:10.1.0.4/24')" >/dev/null &&
	wait_console multi 'lightvm-net: eth1 queues' 120 &&
	wait_until 10 vif_connected multi 0 && wait_until 10 vif_connected multi 1
ok $? "a guest with 2 vCPUs and two vifs comes up"
multi=$(domid_of multi)
[ -d /sys/class/net/br0/brif/lvt0 ] && [ -d "/sys/class/net/br1/brif/vif$multi.1" ]
ok $? "its vifs are lvt0 on br0 and vif$multi.1 on br1"
[ "$(net_line multi 'eth0 queues')" = 2 ] && [ "$(net_line multi 'eth1 queues')" = 2 ] &&
	[ -d /sys/class/net/lvt0/queues/tx-1 ] && [ ! -d /sys/class/net/lvt0/queues/tx-2 ]
ok $? "each runs two queues, in the guest and in dom0"
ping -c 3 -W 5 10.0.0.4 >/dev/null && ping -c 3 -W 5 10.1.0.4 >/dev/null
ok $? "dom0 pings it on both bridges"

# --- every way out leaves nothing -----------------------------------------------------
lvctl destroy rx && lvctl destroy tx
wait_until 10 sh -c "[ ! -e /sys/class/net/vif$rx.0 ] && [ ! -e /sys/class/net/vif$tx.0 ]"
ok $? "destroy: the guests' interfaces go"
! store_has "/local/domain/0/backend/vif/$rx" && ! store_has "/local/domain/$rx"
ok $? "destroy: their store nodes go (backend and frontend)"
lvctl shutdown -w multi >/dev/null 2>&1
ok $? "shutdown -w of the guest with two vifs"
wait_until 10 no_vif_left
ok $? "shutdown: its interfaces, bridge ports and nodes go ($(vif_leftovers))"
memory_back
ok $? "Xen's free memory is back (no dying domain holds grants): $now of $free0 pages"

# --- a crash: the daemon destroys the guest, and its vif goes with it ----------------
lvctl daemon -F 2>"$work/daemon.log" &
daemon_pid=$!
lvctl create "$(write_cfg crasher 'name = "crasher"' "kernel = \"$GUEST_DIR/vmlinux.gz\"" \
	"ramdisk = \"$GUEST_DIR/initrd.gz\"" 'memory = 128' "vif = [ 'bridge=br0' ]" \
	'on_crash = "destroy"' 'extra = "console=hvc0 lightvm.ip=eth0:10.0.0.6/24 lightvm.guest=counter"')" \
	>/dev/null && wait_console crasher 'lightvm-count: [0-9]* 1' 120 &&
	wait_until 10 vif_connected crasher 0
ok $? "a guest with a vif comes up beside the daemon"
lvctl sysrq crasher c >/dev/null &&
	wait_until 30 sh -c '! lvctl list | grep -q "^crasher "' && wait_until 10 no_vif_left
ok $? "it crashes (sysrq c), the daemon destroys it (on_crash = destroy), its vif goes"

# --- a template with a vif: its shells' vifs are made ahead, each its own MAC -------
tpl=$(write_cfg vtpl 'name = "vtpl"' "kernel = \"$GUEST_DIR/noop\"" 'memory = 4' \
	"vif = [ 'bridge=br0' ]" 'extra = "noop=block"')
tpl_ready() { lvctl pool | awk -v n="$1" '$1 == "vtpl" && $5 == n { f = 1 } END { exit !f }'; }
lvctl pool --template "$tpl:2" && wait_until 60 tpl_ready 2
ok $? "a template with a vif fills: 2 shells, their vifs made and on br0 ($(bridge_ports))"
lvctl create --profile "$(noop_cfg vt1 "'bridge=br0'")" >/dev/null 2>"$work/vt1.prof" &&
	lvctl create --profile "$(noop_cfg vt2 "'bridge=br0'")" >/dev/null 2>"$work/vt2.prof" &&
	grep -q 'daemon, template shell' "$work/vt1.prof" &&
	grep -q 'daemon, template shell' "$work/vt2.prof" &&
	wait_console vt1 'lightvm-noop: up' 20 && wait_console vt2 'lightvm-noop: up' 20
ok $? "two guests of its kernel, size and vif are made from its shells and run"
mac1=$(store_protocol read "/local/domain/0/backend/vif/$(domid_of vt1)/0/mac" 2>/dev/null)
mac2=$(store_protocol read "/local/domain/0/backend/vif/$(domid_of vt2)/0/mac" 2>/dev/null)
case "$mac1$mac2" in 00:16:3e:*00:16:3e:*) [ "$mac1" != "$mac2" ] ;; *) false ;; esac
ok $? "each has a MAC of its own ($mac1, $mac2)"
lvctl destroy vt1 && lvctl destroy vt2 && lvctl pool --template "$tpl:0" &&
	wait_until 10 no_vif_left
ok $? "guests destroyed, template dropped: no interface, port or node left ($(vif_leftovers))"
kill "$daemon_pid"
wait "$daemon_pid"
daemon_pid=

# --- save and restore keep the network -------------------------------------------------
lvctl create "$(guest_cfg mover 1 "'bridge=br0'" 'lightvm.ip=eth0:10.0.0.5/24 lightvm.guest=counter')" \
	>/dev/null && wait_console mover 'lightvm-count: [0-9]* 2' 120 &&
	wait_until 10 vif_connected mover 0 && ping -c 2 -W 5 10.0.0.5 >/dev/null
ok $? "a guest to move answers ping"
old=$(domid_of mover)
out=$(lvctl save mover "$work/mover.save" 2>&1) &&
	out=$(lvctl restore "$work/mover.save" 2>&1)
ok $? "it is saved and restored ${out:+($out)}"
new=$(domid_of mover)
wait_until 30 ping -c 1 -W 2 10.0.0.5 >/dev/null
ok $? "it answers ping again after the restore (domain $old, now $new)"
[ -d "/sys/class/net/br0/brif/vif$new.0" ] && [ ! -e "/sys/class/net/vif$old.0" ] &&
	! store_has "/local/domain/0/backend/vif/$old"
ok $? "its new vif is on br0, nothing of the old one is left"
lvctl destroy mover && wait_until 10 no_vif_left
ok $? "destroyed: nothing is left ($(vif_leftovers))"
memory_back && [ "$(noxs_state)" = "$noxs0" ]
ok $? "Xen's memory and noxs are as before the guests ($now of $free0 pages)"

done_testing
