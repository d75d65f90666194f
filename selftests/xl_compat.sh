#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# xl_compat - what an xl user writes and types: /etc/xen/xlexample.pvlinux
# with uuid, builder, root, cpus, maxvcpus and maxmem added creates a
# Debian-kernel guest unchanged (but for the testbed's paths); keys lvctl
# does not take are named in one message; KEY=VALUE overrides and -n; then
# xl's everyday commands on that guest: mem-set shrinks and grows it (seen
# in its /proc/meminfo and in Xen), vcpu-set takes a vCPU offline and back
# (seen in its /proc/cpuinfo and in Xen), vcpu-pin, vcpu-list, pause,
# unpause, top, uptime, domid, domname, rename, list -l; nothing left
# behind.

. "$(dirname "$0")/lib.sh"

work=$(mktemp -d)
made_bridge=
cleanup() {
	lvctl destroy example.pvlinux >/dev/null 2>&1
	lvctl destroy renamed.pv >/dev/null 2>&1
	lvctl destroy other >/dev/null 2>&1
	[ -z "$made_bridge" ] || { ip link set xenbr0 down; brctl delbr xenbr0; } 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

plan 37

# xlexample.pvlinux's vif = [ '' ] joins xenbr0, as xl's does.
out=$(modprobe xen-netback 2>&1 && modprobe xen-blkback 2>&1 && modprobe bridge 2>&1 &&
	modprobe loop 2>&1 && modprobe ext4 2>&1 && modprobe split-back 2>&1)
status=$?
if [ "$status" -eq 0 ] && ! ip link show xenbr0 >/dev/null 2>&1; then
	brctl addbr xenbr0 && ip link set xenbr0 up && made_bridge=1 || status=1
fi
ok $status "the stock backends and split-back load; xenbr0 is up ${out:+($out)}"

noxs0=$(noxs_state)
domains0=$(domain_count)
cp "$GUEST_DIR/rootfs.img" "$work/root.img"
uuid=5b2f0d34-0c1e-4a8a-9d3e-7b1c2f9e8a61

# xlexample.pvlinux's settings, its paths made the testbed's, plus the keys
# xl users add; the console and init's action ride on extra.
cfg=$(write_cfg example \
	'name = "example.pvlinux"' \
	"uuid = \"$uuid\"" \
	'type = "pv"' \
	'builder = "generic"' \
	"kernel = \"$GUEST_DIR/vmlinux.gz\"" \
	"ramdisk = \"$GUEST_DIR/initrd.gz\"" \
	'root = "/dev/xvda rw"' \
	'extra = "console=hvc0 lightvm.guest=shell"' \
	'memory = 128' \
	'maxmem = 192' \
	'vcpus = 2' \
	'maxvcpus = 3' \
	'cpus = "all"' \
	'cpu_weight = 512' \
	'cap = 0' \
	'max_grant_frames = 32' \
	'max_event_channels = 1023' \
	'localtime = 0' \
	'on_watchdog = "destroy"' \
	"vif = [ '' ]" \
	"disk = [ '$work/root.img,raw,xvda,rw' ]")

# guest_says NAME CMD: runs CMD in the guest's console shell, whose output
# must print "lvq:VALUE" (the echoed command line never has a digit right
# after "lvq:"); prints VALUE.
guest_says() {
	local out
	out=$(printf '%s\n' "$2" | timeout 8 lvctl console "$1" 2>/dev/null |
		tr -d '\r' | sed -n 's/.*lvq:\([0-9][0-9]*\).*/\1/p' | tail -n 1)
	echo "$out"
}
guest_mem_kib() { guest_says example.pvlinux "awk '/MemTotal/ { print \"lvq:\" \$2 }' /proc/meminfo"; }
guest_cpus() { guest_says example.pvlinux 'echo lvq:$(grep -c ^processor /proc/cpuinfo)'; }
# refused STATUS PATTERN DESC -- ARGS: lvctl ARGS, with the guest running,
# exits STATUS with one line on stderr matching PATTERN.
refused() {
	local want=$1 pattern=$2 what=$3 out status
	shift 4
	out=$(lvctl "$@" 2>&1 >/dev/null)
	status=$?
	[ "$status" -eq "$want" ] && [ "$(printf '%s\n' "$out" | grep -c .)" -eq 1 ] &&
		printf '%s\n' "$out" | grep -q -- "$pattern"
	ok $? "$what: exit $status, '$out'"
}
xen_mem_mib() { lvctl list | awk '$1 == "example.pvlinux" { print $3 }'; }
online_vcpus() { lvctl vcpu-list example.pvlinux | awk 'NR > 1 && $4 != "-"' | wc -l; }

# --- the config ------------------------------------------------------------------------
out=$(lvctl create -n "$cfg")
echo "$out" | grep -q '^extra = "root=/dev/xvda rw console=hvc0 lightvm.guest=shell"$' &&
	echo "$out" | grep -q '^maxvcpus = 3$' && echo "$out" | grep -q "^uuid = \"$uuid\"$" &&
	[ "$(domain_count)" -eq "$domains0" ]
ok $? "create -n prints the config as read (root= before extra, as xl) and builds nothing"
out=$(lvctl create -n "$cfg" vcpus=1 'name="other"')
echo "$out" | grep -q '^vcpus = 1$' && echo "$out" | grep -q '^name = "other"$'
ok $? "KEY=VALUE after the config overrides it"
bad=$(write_cfg bad 'name = "bad"' "kernel = \"$GUEST_DIR/vmlinux.gz\"" \
	'bootloader = "pygrub"' "vfb = [ 'vnc=1' ]" 'pci = [ "01:00.0" ]' 'frobnicate = 1')
expect_fail 1 'bootloader (line 3: .*vfb (line 4: .*pci (line 5: .*frobnicate (line 6: unknown)' \
	"every key lvctl does not take, in one message" -- create "$bad"
expect_fail 1 "builder = 'hvm'" "builder = hvm is refused" -- create "$cfg" 'builder="hvm"'
expect_fail 1 'maxvcpus (1) is less than vcpus (2)' "maxvcpus below vcpus is refused" -- \
	create "$cfg" maxvcpus=1
expect_fail 1 "CPU 7: this host has CPUs 0-" "cpus beyond the host's is refused" -- \
	create "$cfg" 'cpus="7"'
expect_fail 2 "expected KEY=VALUE" "an operand that is no KEY=VALUE is a usage error" -- \
	create "$cfg" junk

id=$(lvctl create -q "$cfg"; domid_of example.pvlinux)
wait_console example.pvlinux 'sysctl_front: settings' 180 &&
	wait_console example.pvlinux 'lightvm-guest: root /dev/xvda ext4' 60
ok $? "the config creates the guest (domain $id), root from its disk"
lvctl list -l | awk -v u="$uuid" '$1 == "example.pvlinux" && $NF == u' | grep -q .
ok $? "its UUID is the config's (list -l)"
[ "$(lvctl domid example.pvlinux)" = "$id" ] && [ "$(lvctl domname "$id")" = example.pvlinux ]
ok $? "domid and domname"
[ "$(lvctl vcpu-list example.pvlinux | awk 'NR > 1' | wc -l)" -eq 3 ] &&
	wait_until 30 sh -c "[ \$(lvctl vcpu-list example.pvlinux | awk 'NR > 1 && \$4 != \"-\"' | wc -l) -eq 2 ]"
ok $? "3 vCPUs (maxvcpus), 2 online: more than this host's $(nproc) CPUs is allowed"
cpus=$(guest_cpus)
[ "$cpus" = 2 ]
ok $? "the guest's kernel has 2 CPUs up (/proc/cpuinfo: ${cpus:-nothing})"

# --- memory ----------------------------------------------------------------------------
mem0=$(guest_mem_kib)
xen0=$(xen_mem_mib)
lvctl mem-set example.pvlinux 96m &&
	wait_until 60 sh -c "[ \$(lvctl list | awk '\$1 == \"example.pvlinux\" { print \$3 }') -le 97 ]"
ok $? "mem-set 96m: Xen gives it back ($xen0 -> $(xen_mem_mib) MiB)"
mem1=$(guest_mem_kib)
[ -n "$mem0" ] && [ -n "$mem1" ] && [ $((mem0 - mem1)) -ge 30000 ]
ok $? "the guest's MemTotal shrank by 32 MiB ($mem0 -> ${mem1:-nothing} KiB)"
lvctl mem-set example.pvlinux 160m &&
	wait_until 60 sh -c "[ \$(lvctl list | awk '\$1 == \"example.pvlinux\" { print \$3 }') -ge 159 ]"
ok $? "mem-set 160m (above its first 128): Xen gives it more ($(xen_mem_mib) MiB)"
mem2=$(guest_mem_kib)
[ -n "$mem2" ] && [ $((mem2 - mem1)) -ge 60000 ]
ok $? "the guest's MemTotal grew by 64 MiB (${mem1:-?} -> ${mem2:-nothing} KiB)"
refused 1 "more than its maxmem, 192 MiB" "mem-set above maxmem is refused" -- \
	mem-set example.pvlinux 256m
lvctl mem-max example.pvlinux 256m && lvctl mem-set example.pvlinux 200m &&
	grep -q '^maxmem = 256$' /run/lightvm/guests/example.pvlinux.cfg &&
	grep -q '^memory = 200$' /run/lightvm/guests/example.pvlinux.cfg
ok $? "mem-max 256m, then mem-set 200m; its saved config keeps both"
refused 2 "expected a size" "a size that is no size is a usage error" -- \
	mem-set example.pvlinux 12q

# --- vCPUs -----------------------------------------------------------------------------
lvctl vcpu-set example.pvlinux 1 && wait_until 30 sh -c "[ \$(lvctl vcpu-list example.pvlinux | awk 'NR > 1 && \$4 != \"-\"' | wc -l) -eq 1 ]"
ok $? "vcpu-set 1: Xen sees one vCPU online"
cpus=$(guest_cpus)
[ "$cpus" = 1 ]
ok $? "the guest's kernel took vCPU 1 offline (${cpus:-nothing} CPUs)"
lvctl vcpu-set example.pvlinux 3 && wait_until 30 sh -c "[ \$(lvctl vcpu-list example.pvlinux | awk 'NR > 1 && \$4 != \"-\"' | wc -l) -eq 3 ]"
ok $? "vcpu-set 3: all three online in Xen"
cpus=$(guest_cpus)
[ "$cpus" = 3 ]
ok $? "and in the guest (${cpus:-nothing} CPUs)"
refused 1 "at most 3 vCPUs" "vcpu-set above maxvcpus is refused" -- vcpu-set example.pvlinux 4
lvctl vcpu-pin example.pvlinux 0 1 &&
	lvctl vcpu-list example.pvlinux | awk '$3 == 0 { print $7 }' | grep -qx 1
ok $? "vcpu-pin 0 1: vCPU 0's hard affinity is CPU 1"

# --- pause, unpause, top, uptime --------------------------------------------------------
lvctl pause example.pvlinux && lvctl list | awk '$1 == "example.pvlinux" { print $5 }' | grep -qx paused &&
	lvctl unpause example.pvlinux && ! lvctl list | awk '$1 == "example.pvlinux" { print $5 }' | grep -qx paused
ok $? "pause and unpause"
out=$(lvctl top -b -d 1 -n 2)
[ "$(echo "$out" | grep -c '^lvctl top:')" -eq 2 ] && echo "$out" | grep -q "^example.pvlinux  *$id " &&
	echo "$out" | grep -q '^Domain-0 '
ok $? "top -b -n 2 prints two tables with every domain"
lvctl uptime | grep -qE "^example.pvlinux +$id +0:[0-5][0-9]:[0-9][0-9]$"
ok $? "uptime counts from its creation ($(lvctl uptime | awk '$1 == "example.pvlinux" { print $3 }'))"
lvctl list --json | grep '"example.pvlinux"' | grep -q '"cpu_time_s": [0-9]'
ok $? "list --json has its CPU time"

# --- rename ------------------------------------------------------------------------------
up0=$(lvctl uptime | awk '$1 == "example.pvlinux" { print $3 }')
lvctl rename example.pvlinux renamed.pv && [ "$(lvctl domname "$id")" = renamed.pv ] &&
	[ "$(lvctl domid renamed.pv)" = "$id" ] && [ -z "$(domid_of example.pvlinux)" ]
ok $? "rename example.pvlinux renamed.pv: the same domain $id, by its new name only"
[ ! -e /run/lightvm/guests/example.pvlinux.cfg ] &&
	grep -q '^name = "renamed.pv"$' /run/lightvm/guests/renamed.pv.cfg &&
	grep -q '^maxmem = 256$' /run/lightvm/guests/renamed.pv.cfg
ok $? "its saved config moved with it, settings kept"
up1=$(lvctl uptime | awk '$1 == "renamed.pv" { print $3 }')
[ -n "$up1" ] && [ "$(echo "$up1" | tr -d :)" -ge "$(echo "$up0" | tr -d :)" ]
ok $? "its uptime still counts from its creation ($up0 -> ${up1:-nothing})"
noop_cfg=$(write_cfg other 'name = "other"' "kernel = \"$GUEST_DIR/noop\"" 'memory = 8')
lvctl create -q "$noop_cfg" >/dev/null
refused 1 "the name 'other' is in use" "a name another guest has is refused" -- \
	rename renamed.pv other
lvctl destroy other >/dev/null
lvctl rename "$id" example.pvlinux && [ "$(lvctl domname "$id")" = example.pvlinux ] &&
	grep -q '^name = "example.pvlinux"$' /run/lightvm/guests/example.pvlinux.cfg &&
	[ ! -e /run/lightvm/guests/renamed.pv.cfg ] && lvctl mem-set example.pvlinux 192m
ok $? "renamed back by domid; mem-set finds it under its name again"

# --- gone --------------------------------------------------------------------------------
lvctl destroy example.pvlinux && [ "$(domain_count)" -eq "$domains0" ] &&
	wait_until 10 sh -c "[ \"\$(lvctl info | grep '^noxs_' | tr -s ' \n' ' ')\" = \"$noxs0\" ]"
ok $? "destroyed: noxs holds what it held before"
[ ! -e /run/lightvm/guests/example.pvlinux.cfg ] && ! losetup -a | grep -q "$work/root.img"
ok $? "no saved config, no loop device left"

done_testing
