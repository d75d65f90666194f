#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# save - lvctl save, restore and resume of a Debian-kernel guest that
# counts (lightvm.guest=counter): the same process goes on counting after
# a restore, in a chain, through a pipe, and after a checkpoint; saves
# that fail leave the guest running; restores of bad files take nothing;
# and save/restore cycles leave Xen's memory and noxs as they were.

. "$(dirname "$0")/lib.sh"

CYCLES=${SAVE_CYCLES:-30}
work=$(mktemp -d)
trap 'umount "$work/small" 2>/dev/null; rm -rf "$work"' EXIT

exists() { lvctl list | grep -qE "^$1 "; }
# count NAME: "PID N" of the last count on its console.
count() {
	lvctl console -d "$1" 2>/dev/null | tr -d '\r' |
		sed -n 's/^lightvm-count: \([0-9]* [0-9]*\)$/\1/p' | tail -n 1
}
count_pid() { set -- $(count "$1"); echo "$1"; }
count_n() { set -- $(count "$1"); echo "${2:-0}"; }
# counts_past NAME N: its last count is past N.
counts_past() { [ "$(count_n "$1")" -gt "$2" ]; }
# counting NAME: it counts on within 10 s.
counting() { wait_until 10 counts_past "$1" "$(count_n "$1")"; }
# relay_ready NAME: its relay is connected and passes on poweroff, reboot,
# suspend and sysrq, vCPU and memory settings (features 0x3001e), as
# dom0's sysctl-back sees it.
relay_ready() {
	local id
	id=$(lvctl list | awk -v n="$1" '$1 == n { print $2 }')
	[ -n "$id" ] && noxs_query "$id" 1 0 2>/dev/null |
		grep -q '^state 1 features 0x3001e '
}
wait_relay() { wait_until "$2" relay_ready "$1"; }
# goes_on NAME PID N: after a restore, PID counts on from just after N.
goes_on() {
	local pid n
	wait_until 20 sh -c "lvctl console -d $1 | grep -q 'lightvm-count: '" || return 1
	set -- "$1" "$2" "$3" $(lvctl console -d "$1" | tr -d '\r' |
		sed -n 's/^lightvm-count: \([0-9]* [0-9]*\)$/\1/p' | head -n 1)
	pid=$4 n=$5
	diag "before: $2 $3, first after: $pid $n"
	[ "$pid" = "$2" ] && [ "$n" -gt "$3" ] && [ "$n" -le $(($3 + 5)) ]
}

plan 26

cfg=$(write_cfg saved 'name = "saved"' "kernel = \"$GUEST_DIR/vmlinux.gz\"" \
	"ramdisk = \"$GUEST_DIR/initrd.gz\"" 'memory = 128' \
	'extra = "console=hvc0 lightvm.guest=counter"')
noxs_empty=$(noxs_state)

lvctl create "$cfg" >/dev/null &&
	wait_console saved 'lightvm-count: [0-9]* 2' 120 &&
	wait_relay saved 10
ok $? "a Linux guest counts ($(count saved)) and handles suspend"

# --- save, restore, and a chain of them -------------------------------------------
set -- $(count saved)
lvctl save saved "$work/s1.sav" && ! exists saved && [ -s "$work/s1.sav" ]
ok $? "lvctl save: the file is written, the domain is gone ($(stat -c %s "$work/s1.sav") bytes)"
id=$(lvctl restore "$work/s1.sav")
ok $? "lvctl restore: domain ${id:-none}"
goes_on saved "$1" "$2"
ok $? "the same process counts on from where it was"
wait_relay saved 20
ok $? "the restored guest's relay reconnects to its new directory"

set -- $(count saved)
lvctl save saved "$work/s2.sav" && lvctl restore "$work/s2.sav" >/dev/null &&
	goes_on saved "$1" "$2"
ok $? "save and restore again: a chain"

# On one host the name is in use until the save ends: the pipe renames.
set -- $(count saved)
rm -f "$work/s1.sav"
lvctl save saved - | lvctl restore --name piped - >/dev/null &&
	goes_on piped "$1" "$2" && wait_relay piped 20 &&
	lvctl save piped - | lvctl restore --name saved - >/dev/null &&
	goes_on saved "$1" "$2"
ok $? "save to a pipe, restore from it (what a migration does), there and back"

# --- a checkpoint -------------------------------------------------------------------
id=$(lvctl list | awk '$1 == "saved" { print $2 }')
lvctl save -c saved "$work/c.sav" &&
	[ "$(lvctl list | awk '$1 == "saved" { print $2 }')" = "$id" ] &&
	wait_relay saved 20 &&
	counting saved
ok $? "save -c: the guest runs on under its domid ($id) and counts"
pid=$(count_pid saved)
lvctl restore --name copy "$work/c.sav" >/dev/null &&
	wait_until 20 sh -c "lvctl console -d copy | grep -q 'lightvm-count: $pid '"
ok $? "the checkpoint restores beside it under --name copy, the same process in it"
wait_relay copy 30 && lvctl shutdown -w --timeout 60 copy && ! exists copy &&
	rm "$work/c.sav"
ok $? "shutdown -w of the restored copy: its init shuts it down"

# --- saves that fail leave the guest running ----------------------------------------
out=$(lvctl save saved /nonexistent/dir/x.sav 2>&1)
[ $? -eq 1 ] && [ "$(echo "$out" | grep -c .)" -eq 1 ] && exists saved && counting saved
ok $? "save into a missing directory: one line, the guest counts on: $out"
mkdir "$work/small" && mount -t tmpfs -o size=16m tmpfs "$work/small"
out=$(lvctl save saved "$work/small/x.sav" 2>&1)
status=$?
[ "$status" -eq 1 ] && [ "$(echo "$out" | grep -c .)" -eq 1 ] &&
	[ -z "$(ls "$work/small")" ] && exists saved &&
	wait_relay saved 70 &&
	counting saved
ok $? "save onto a full tmpfs: one line, no file left, the guest resumed and counts on: $out"
umount "$work/small"

# Killed outright, a save cannot resume the guest: it stays suspended, and
# says so, until lvctl resume, or the daemon's sweep, resumes it.
suspended() { lvctl list | grep -qE "^$1 .* suspended "; }
kill_save() {
	local pid
	lvctl save saved "$work/k.sav" 2>/dev/null &
	pid=$!
	wait_until 20 suspended saved
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	rm -f "$work"/k.sav*
	suspended saved
}
kill_save
ok $? "a save killed with kill -9 leaves the guest suspended, and lvctl list says so"
lvctl resume saved && wait_relay saved 30 && counting saved
ok $? "lvctl resume resumes it; it counts on"
kill_save && lvctl daemon &&
	wait_until 20 sh -c '! lvctl list | grep -q " suspended "' &&
	wait_relay saved 30 && counting saved &&
	grep -q 'resumed domain .* (saved): its save died' /run/lightvm/daemon.log
ok $? "the daemon's sweep resumes another such guest by itself"
kill "$(cat /run/lightvm/daemon.pid)"
wait_until 10 sh -c '[ ! -e /run/lightvm/daemon.pid ]'

# --- restores of bad files take nothing ---------------------------------------------
domains0=$(domain_count)
noxs0=$(noxs_state)
head -c 1000000 "$work/s2.sav" >"$work/trunc.sav"
expect_fail 1 "is truncated or damaged" "a truncated save file" -- restore "$work/trunc.sav"
head -c 65536 /dev/urandom >"$work/random.sav"
expect_fail 1 "is not an lvctl save file" "a file of random bytes" -- restore "$work/random.sav"
: >"$work/empty.sav"
expect_fail 1 "is empty" "an empty file" -- restore "$work/empty.sav"
out=$(head -c 50000000 "$work/s2.sav" | lvctl restore --name cut - 2>&1)
[ $? -eq 1 ] && [ "$(domain_count)" -eq "$domains0" ] && [ "$(noxs_state)" = "$noxs0" ] &&
	[ "$(lvctl list | awk '$1 == "-"' | wc -l)" -eq 0 ]
ok $? "a stream cut short through a pipe: the restore undoes itself ($(echo "$out" | head -n 1))"
expect_fail 1 "the name 'saved' is in use" "a restore under a name in use" -- restore "$work/s2.sav"

# --- resume -------------------------------------------------------------------------
expect_fail 1 "is not suspended" "resume of a guest that runs" -- resume saved

# --- shutdown and reboot after a restore --------------------------------------------
new_id=$(lvctl reboot -w --timeout 120 saved)
[ $? -eq 0 ] && [ -n "$new_id" ] && wait_console saved 'lightvm-count: [0-9]* 2' 120
ok $? "reboot -w of a restored guest: back as domain ${new_id:-none}, counting anew"
wait_relay saved 30 &&
	lvctl shutdown -w --timeout 60 saved && ! exists saved
ok $? "and shutdown -w"

# --- cycles leave nothing behind ----------------------------------------------------
rm -f "$work"/*.sav	# dom0's /tmp holds a few 128 MiB images at most
free0=$(info_value free_pages)
lvctl create "$cfg" >/dev/null &&
	wait_relay saved 120
failures=0
for ((i = 0; i < CYCLES; i++)); do
	lvctl save saved "$work/cycle.sav" &&
		lvctl restore "$work/cycle.sav" >/dev/null &&
		wait_relay saved 30 ||
		failures=$((failures + 1))
done
ok $failures "$CYCLES save/restore cycles ($failures failed)"
counting saved
ok $? "the guest still counts after them ($(count saved))"
lvctl destroy saved
free1=$(free_pages_settle "$free0")
[ "$free1" -eq "$free0" ] && [ "$(noxs_state)" = "$noxs_empty" ] &&
	[ -z "$(ls /run/lightvm/guests 2>/dev/null)" ]
ok $? "after them Xen's free pages ($free0 -> $free1), noxs and saved configs are as before"

done_testing
