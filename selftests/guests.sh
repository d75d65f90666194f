#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# guests - lvctl create, console, list and destroy of real guests, with no
# XenStore anywhere: a stock Debian kernel with a busybox initramfs, and
# the noop guest. Then every create error case (one-line message, exit
# status, nothing left behind), and 100 create/destroy cycles that must
# leave Xen's free memory and the noxs state where they started.

. "$(dirname "$0")/lib.sh"

CYCLES=${GUEST_CYCLES:-100}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

no_xenstore() { ! pidof xenstored >/dev/null && ! pidof xenconsoled >/dev/null; }

plan 29

no_xenstore
ok $? "no xenstored or xenconsoled runs"
domains0=$(domain_count)
noxs0=$(noxs_state)

noop_cfg=$(write_cfg noop 'name = "noop1"' "kernel = \"$GUEST_DIR/noop\"" \
	'memory = 8' 'extra = "noop=block"')
linux_cfg=$(write_cfg linux 'name = "linux1"' \
	"kernel = \"$GUEST_DIR/vmlinux.gz\"" "ramdisk = \"$GUEST_DIR/initrd.gz\"" \
	'memory = 128' 'vcpus = 1' 'extra = "console=hvc0 lightvm.guest=shell"')

# --- a noop guest and a Linux guest, side by side ---------------------------
noop_id=$(lvctl create "$noop_cfg")
ok $? "create the noop guest (domain $noop_id)"
wait_console noop1 'lightvm-noop: up' 20
ok $? "the noop guest prints its marker on its console"

linux_id=$(lvctl create "$linux_cfg")
ok $? "create the Linux guest (domain $linux_id)"
wait_console linux1 'lightvm-guest: up' 120
ok $? "the Linux guest reaches its init and prints its marker"
lvctl console --no-follow linux1 | grep -q 'noxs_front: device directory from domain 0'
ok $? "the Linux guest found its NoXS device directory without XenStore"
kept=$(lvctl console --no-follow linux1 | wc -c)
[ "$kept" -gt 8192 ]
ok $? "its console was drained past the 2 KiB ring and kept ($kept bytes)"

list=$(lvctl list)
diag "$list"
echo "$list" | grep -qE "^noop1 +$noop_id +[0-9]+ +1 " &&
	echo "$list" | grep -qE "^linux1 +$linux_id +12[0-9] +1 "
ok $? "lvctl list shows both guests with their domid, memory and vcpus"
lvctl list --json | grep -q "\"name\": \"linux1\", \"domid\": $linux_id"
ok $? "lvctl list --json shows them too"

no_xenstore
ok $? "still no xenstored or xenconsoled with guests running"

# A follower stops on ^] in its input, and when the guest goes.
printf 'x\035' | timeout 10 lvctl console noop1 >/dev/null
ok $? "lvctl console detaches on ^]"
timeout 30 lvctl console noop1 </dev/null >"$work/follow.out" &
follower=$!
sleep 1
lvctl destroy noop1 && lvctl destroy "$linux_id"
ok $? "destroy both, by name and by domid"
wait "$follower"
status=$?
[ "$status" -eq 0 ] && grep -q 'lightvm-noop: up' "$work/follow.out"
ok $? "a console follower ends cleanly when its guest is destroyed (status $status)"
[ "$(domain_count)" -eq "$domains0" ] && ! lvctl list | grep -qE '^(noop1|linux1) '
ok $? "they are gone from lvctl list"
[ "$(noxs_state)" = "$noxs0" ]
ok $? "noxs holds nothing for them ($(noxs_state))"

# --- errors: one line, the right status, nothing left behind -----------------
expect_fail 1 "cannot read kernel $work/none" "a missing kernel" -- \
	create "$(write_cfg e1 'name = "e1"' "kernel = \"$work/none\"")"
expect_fail 1 "memory = lots" "a bad memory value" -- \
	create "$(write_cfg e2 'name = "e2"' "kernel = \"$GUEST_DIR/noop\"" 'memory = "lots"')"
expect_fail 1 "vcpus = 200: expected a whole number from 1 to 128" \
	"more vcpus than a PV guest can have (more than the host has is allowed, as xl allows it)" -- \
	create "$(write_cfg e3 'name = "e3"' "kernel = \"$GUEST_DIR/noop\"" 'vcpus = 200')"
expect_fail 1 "colour (line 3: unknown)" "an unknown key" -- \
	create "$(write_cfg e4 'name = "e4"' "kernel = \"$GUEST_DIR/noop\"" 'colour = "blue"')"
expect_fail 1 "Xen is out of memory" "more memory than Xen has" -- \
	create "$(write_cfg e5 'name = "e5"' "kernel = \"$GUEST_DIR/noop\"" 'memory = 65536')"
# Fails after the domain and its noxs record exist: the undo path.
echo "not a kernel" >"$work/junk"
expect_fail 1 "is not a Xen PV kernel" "a kernel that is no PV image" -- \
	create "$(write_cfg e6 'name = "e6"' "kernel = \"$work/junk\"")"
expect_fail 1 "vif: the NoXS vif backend is not loaded (modprobe split-back)" "a vif without split-back loaded (net.sh loads it)" -- \
	create "$(write_cfg e7 'name = "e7"' "kernel = \"$GUEST_DIR/noop\"" "vif = [ 'bridge=br0' ]")"
expect_fail 1 "unknown vif key 'colour'" "a vif spec with an unknown key" -- \
	create "$(write_cfg e8 'name = "e8"' "kernel = \"$GUEST_DIR/noop\"" "vif = [ 'colour=red' ]")"
expect_fail 1 "disk: the NoXS vbd backend is not loaded (modprobe split-back)" "a disk without split-back loaded (disk.sh loads it)" -- \
	create "$(write_cfg e9 'name = "e9"' "kernel = \"$GUEST_DIR/noop\"" "disk = [ '$work/junk,,xvda,w' ]")"
expect_fail 1 "format qcow2 is not supported" "a disk spec xl takes and lvctl does not" -- \
	create "$(write_cfg e10 'name = "e10"' "kernel = \"$GUEST_DIR/noop\"" "disk = [ '$work/junk,qcow2,xvda,w' ]")"
expect_fail 2 "expected a CONFIG file" "create without a config is a usage error" -- create

dup_id=$(lvctl create "$noop_cfg")
domains0=$((domains0 + 1)) noxs0=$(noxs_state)
expect_fail 1 "the name 'noop1' is in use by domain $dup_id" "a duplicate name" -- \
	create "$noop_cfg"
lvctl destroy noop1
domains0=$((domains0 - 1)) noxs0=$(noxs_state)

# --- create/destroy cycles leak nothing ----------------------------------------
cycle_cfg=$(write_cfg cycle 'name = "cycle"' "kernel = \"$GUEST_DIR/noop\"" 'memory = 8')
# The first cycles may grow what Xen keeps for dom0 for good, once: a page
# of grant maptrack per dom0 vCPU the mapping ran on, of event channel
# buckets. Warm up on every vCPU, then measure: a leak would show in
# every cycle.
for ((i = 0; i < 5; i++)); do
	on_each_cpu sh -c "lvctl create '$cycle_cfg' >/dev/null && lvctl destroy cycle"
done
free0=$(free_pages_settle 0)
failures=0
for ((i = 0; i < CYCLES; i++)); do
	lvctl create "$cycle_cfg" >/dev/null && lvctl destroy cycle ||
		failures=$((failures + 1))
done
ok $failures "$CYCLES create/destroy cycles of the noop guest ($failures failed)"
free1=$(free_pages_settle "$free0")
[ "$free1" -eq "$free0" ] && [ "$(noxs_state)" = "$noxs0" ] &&
	[ "$(domain_count)" -eq "$domains0" ]
ok $? "after them Xen's free pages ($free0 -> $free1), noxs and the domain list are as before"

done_testing
