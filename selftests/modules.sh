#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# modules - the lightvm modules in a Xen dom0: loaded at boot, unload and
# load again cleanly, the device node follows the module, and the guest
# module refuses to load in dom0.

. "$(dirname "$0")/lib.sh"

loaded() { [ -d "/sys/module/$1" ]; }

plan 11

loaded noxs
ok $? "noxs is loaded at boot"
loaded sysctl_back
ok $? "sysctl-back is loaded at boot"

out=$(rmmod sysctl_back 2>&1 && rmmod noxs 2>&1)
ok $? "sysctl-back and noxs unload ${out:+($out)}"

! loaded noxs && [ ! -e /dev/xen/noxs ]
ok $? "after unload, noxs is gone and /dev/xen/noxs with it"

out=$(modprobe noxs 2>&1)
ok $? "noxs loads again ${out:+($out)}"

[ -c /dev/xen/noxs ]
ok $? "/dev/xen/noxs is back"

out=$(lvctl version 2>&1)
ok $? "lvctl version talks to the reloaded module ${out:+($(echo "$out" | tr '\n' ' '))}"

out=$(modprobe sysctl-back 2>&1)
ok $? "sysctl-back loads again ${out:+($out)}"

# With no xenstored, dom0 runs xenbus locally too: noxs-store serves
# dom0's own store from here on (store_protocol talks to it).
dmesg -c >/dev/null
out=$(modprobe noxs-store 2>&1)
loaded noxs_store && dmesg | grep -q "noxs_store: serving domain 0's store" &&
	[ "$(cat /sys/module/noxs_store/parameters/served_by)" = noxs-store ] &&
	[ "$(info_value dom0_store)" = noxs-store ]
ok $? "noxs-store serves dom0's own store (no xenstored runs; served_by and lvctl info say so) ${out:+($out)}"

# A frontend has no business in dom0: the module must say so and refuse.
dmesg -c >/dev/null
modprobe sysctl-front >/dev/null 2>&1
status=$?
# (modprobe loads noxs-front first, which refuses: either says why.)
! loaded sysctl_front && [ "$status" -ne 0 ] &&
	dmesg | grep -qE '(sysctl_front|noxs_front): not running in a Xen'
ok $? "sysctl-front refuses to load in dom0 (modprobe status $status)"


dmesg -c >/dev/null
modprobe noxs-front >/dev/null 2>&1
status=$?
! loaded noxs_front && [ "$status" -ne 0 ] &&
	dmesg | grep -q 'noxs_front: not running in a Xen PV guest'
ok $? "noxs-front refuses to load in dom0 (modprobe status $status)"

done_testing
