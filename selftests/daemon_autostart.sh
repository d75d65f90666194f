#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# daemon_autostart - xl keeps a monitor process per guest so that its
# on_poweroff, on_reboot and on_crash are honoured; lvctl has one daemon for
# all guests, and create and restore start it when none runs. Here: create
# -e starts none; create -c of a guest that powers itself off starts the
# daemon, follows the console, and returns when the daemon has destroyed
# the guest (on_poweroff = "destroy"); a second create finds the daemon and
# starts no other; nothing left behind.

. "$(dirname "$0")/lib.sh"

# This test is about what lib.sh turns off for the others.
unset LVCTL_AUTODAEMON

work=$(mktemp -d)
cleanup() {
	lvctl destroy auto-block >/dev/null 2>&1
	lvctl destroy auto-lin >/dev/null 2>&1
	[ ! -s /run/lightvm/daemon.pid ] || kill "$(cat /run/lightvm/daemon.pid)" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

plan 8

daemon_up() { lvctl pool >/dev/null 2>&1; }
daemon_pid() { cat /run/lightvm/daemon.pid 2>/dev/null; }
count_daemons() {
	local p n=0
	for p in /proc/[0-9]*; do
		tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qx '[^ ]*lvctl daemon ' && n=$((n + 1))
	done
	echo "$n"
}

noxs0=$(noxs_state)
domains0=$(domain_count)
block_cfg=$(write_cfg block 'name = "auto-block"' "kernel = \"$GUEST_DIR/noop\"" \
	'memory = 8' 'extra = "noop=block"')
linux_cfg=$(write_cfg linux 'name = "auto-lin"' \
	"kernel = \"$GUEST_DIR/vmlinux.gz\"" "ramdisk = \"$GUEST_DIR/initrd.gz\"" \
	'memory = 128' 'extra = "console=hvc0 lightvm.guest=poweroff"' \
	'on_poweroff = "destroy"')

! daemon_up
ok $? "no daemon runs before the test"

lvctl create -e -q "$block_cfg" && [ -n "$(domid_of auto-block)" ] && ! daemon_up
ok $? "create -e: the guest runs, no daemon was started"
lvctl destroy auto-block

# The console's input stays open: only the guest's end may end the command.
start=$SECONDS
out=$(timeout 300 lvctl create -c "$linux_cfg" < <(sleep 400) 2>&1)
status=$?
echo "$out" | grep -q 'lightvm-guest: up' && [ "$status" -eq 0 ]
ok $? "create -c follows the guest's console and returns when it is gone (status $status, $((SECONDS - start)) s)"
daemon_up && pid=$(daemon_pid) && [ -n "$pid" ] && kill -0 "$pid"
ok $? "create started the daemon (pid ${pid:-none})"
id=$(echo "$out" | head -n 1)
# Each line of the log: the time, then the guest's domid and name.
stamp='^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} lvctl: '
[ -z "$(domid_of auto-lin)" ] && [ ! -e /run/lightvm/guests/auto-lin.cfg ] &&
	grep -Eq "${stamp}domain $id \(auto-lin\): shut down \(poweroff\)\$" /run/lightvm/daemon.log &&
	grep -Eq "${stamp}domain $id \(auto-lin\): poweroff: destroy\$" /run/lightvm/daemon.log &&
	grep -Eq "${stamp}domain $id \(auto-lin\): destroyed\$" /run/lightvm/daemon.log
ok $? "the daemon destroyed the powered-off guest (on_poweroff = destroy), and logged it with the time, domid and name"

lvctl create -q "$block_cfg" && [ -n "$(domid_of auto-block)" ] && [ "$(daemon_pid)" = "$pid" ] &&
	[ "$(count_daemons)" -eq 1 ]
ok $? "a create with the daemon running starts no other"
lvctl destroy auto-block

kill "$pid" && wait_until 10 sh -c '! kill -0 '"$pid"' 2>/dev/null' && ! daemon_up
ok $? "the daemon stops on SIGTERM"
[ "$(domain_count)" -eq "$domains0" ] &&
	wait_until 10 sh -c "[ \"\$(lvctl info | grep '^noxs_' | tr -s ' \n' ' ')\" = \"$noxs0\" ]"
ok $? "noxs and Xen hold what they held before"

done_testing
