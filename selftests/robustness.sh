#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# robustness - what a hostile or unlucky user does to lvctl: a destroy
# racing pending shutdowns of a paused guest, waits that are stopped,
# continued and killed, a daemon that stops answering or dies, FIFOs and
# directories for files, a create interrupted or killed half-way, racing
# destroys, and values of the wrong kind. Each must end in a clear answer
# that matches what happened, and nothing left behind.

. "$(dirname "$0")/lib.sh"

work=$(mktemp -d)
daemon_pid=
trap 'stop_daemon; rm -rf "$work"' EXIT

exists() { lvctl list | grep -qE "^$1 "; }
alive() { kill -0 "$1" 2>/dev/null; }
dead() { ! alive "$1"; }
now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
# Domains lvctl list shows without a name: not lvctl guests, or half-built.
nameless() { lvctl list | awk '$1 == "-"' | wc -l; }
saved_configs() { ls /run/lightvm/guests 2>/dev/null | wc -l; }
daemon_log=/run/lightvm/daemon.log

start_daemon() {
	lvctl daemon "$@" || return 1
	daemon_pid=$(cat /run/lightvm/daemon.pid)
}
stop_daemon() {
	[ -n "$daemon_pid" ] || return 0
	kill -CONT "$daemon_pid" 2>/dev/null
	kill "$daemon_pid" 2>/dev/null
	wait_until 10 dead "$daemon_pid"
	daemon_pid=
}

plan 32

noxs0=$(noxs_state)
domains0=$(domain_count)

# --- a destroy wins over shutdowns pending on a paused guest -------------------
linux_cfg=$(write_cfg victim 'name = "victim"' \
	"kernel = \"$GUEST_DIR/vmlinux.gz\"" "ramdisk = \"$GUEST_DIR/initrd.gz\"" \
	'memory = 128' 'extra = "console=hvc0 lightvm.guest=shell"')
lvctl create "$linux_cfg" >/dev/null
wait_console victim 'sysctl_front: connected to domain 0' 120 && lvctl pause victim
ok $? "a Linux guest with sysctl-front connected, then paused"

# Stopped and continued, a waiting shutdown goes on waiting: the ioctl is
# restarted, not failed with EINTR.
lvctl shutdown -t 60 victim 2>"$work/sd.stopped" &
stopped=$!
sleep 1
kill -STOP "$stopped"; sleep 0.5; kill -CONT "$stopped"; sleep 1
alive "$stopped"
ok $? "a waiting shutdown, stopped and continued, still waits ($(cat "$work/sd.stopped"))"

lvctl shutdown -t 60 victim 2>/dev/null &
killed=$!
sleep 1
kill -9 "$killed"
{ wait "$killed"; } 2>/dev/null
wait_until 3 dead "$killed"
ok $? "kill -9 ends another waiting shutdown at once"

for i in 1 2 3; do
	lvctl shutdown -t 60 victim 2>"$work/sd.$i" &
	eval "sd$i=$!"
done
sleep 1
start=$(now_ms)
timeout 30 lvctl destroy victim
status=$?
took=$(($(now_ms) - start))
[ "$status" -eq 0 ] && [ "$took" -lt 5000 ]
ok $? "destroy with four shutdowns pending returns at once (status $status, $took ms)"
wait_until 5 sh -c "! kill -0 $stopped $sd1 $sd2 $sd3 2>/dev/null"
ok $? "the pending shutdowns end with it"
failed=0
for f in "$work/sd.stopped" "$work/sd.1" "$work/sd.2" "$work/sd.3"; do
	grep -q 'destroyed before it answered' "$f" || failed=$((failed + 1))
done
ok $failed "each says the guest was destroyed before it answered ($(head -n 1 "$work/sd.1"))"
! exists victim && [ "$(nameless)" -eq 0 ] && [ "$(noxs_state)" = "$noxs0" ]
ok $? "nothing of the guest is left: no nameless domain, noxs as before"

# --- a daemon that stops answering, or dies ------------------------------------
pooled_cfg=$(write_cfg pooled 'name = "pooled"' "kernel = \"$GUEST_DIR/noop\"" \
	'memory = 8' 'extra = "noop=block"')
pool_ready() {
	[ "$(lvctl pool 2>/dev/null | awk '$1 == 8 { print $4 }')" = 2 ]
}
rm -f "$daemon_log"
start_daemon --pool 8:1:2 && wait_until 60 pool_ready
ok $? "a daemon in the background with 2 shells of 8 MiB"
grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} lvctl: daemon [0-9]+ started' "$daemon_log"
ok $? "its log has its first line, with the time, while it runs ($(head -n 1 "$daemon_log"))"

sleep 3	# the shells grow older than the guest will be
lvctl create "$pooled_cfg" >/dev/null &&
	uptime=$(lvctl list | awk '$1 == "pooled" { print $6 }') &&
	lvctl destroy pooled
awk -v u="$uptime" 'BEGIN { exit !(u != "" && u < 3) }'
ok $? "a pooled guest's uptime counts from its create (${uptime:-none} s)"
wait_until 30 pool_ready

kill -STOP "$daemon_pid"
start=$(date +%s)
out=$(LVCTL_DAEMON_TIMEOUT=2 timeout 20 lvctl create "$pooled_cfg" 2>&1)
status=$?
took=$(($(date +%s) - start))
[ "$status" -eq 1 ] && [ "$took" -le 6 ] &&
	echo "$out" | grep -q 'did not answer within 2 s.*no guest was created'
ok $? "create with the daemon stopped gives up (status $status, $took s): $out"
out=$(LVCTL_DAEMON_TIMEOUT=2 timeout 20 lvctl pool 2>&1)
status=$?
[ "$status" -eq 1 ] && echo "$out" | grep -q 'did not answer within 2 s'
ok $? "so does lvctl pool (status $status): $out"
kill -CONT "$daemon_pid"
sleep 3
! exists pooled && lvctl pool >/dev/null
ok $? "continued, the daemon does not create the abandoned guest, and answers again"
grep -q 'gave up' "$daemon_log"
ok $? "its log says why ($(grep 'gave up' "$daemon_log" | head -n 1))"

# Killed, it leaves its shells behind; the next daemon sweeps them away.
wait_until 30 pool_ready
kill -9 "$daemon_pid"
wait_until 10 dead "$daemon_pid"
daemon_pid=
wait_until 10 sh -c '[ "$(lvctl list | awk "\$1 == \"-\"" | wc -l)" -eq 2 ]'
ok $? "a daemon killed with kill -9 leaves its 2 shells as nameless domains"
start_daemon && wait_until 10 sh -c '[ "$(lvctl list | awk "\$1 == \"-\"" | wc -l)" -eq 0 ]'
ok $? "the next daemon destroys them ($(grep -c 'build died half-way' "$daemon_log") logged)"
stop_daemon

# --- files that are not regular files ----------------------------------------------
mkfifo "$work/fifo"
expect_fail 1 "kernel $work/fifo is not a regular file" "a FIFO as kernel" -- \
	create "$(write_cfg f1 'name = "f1"' "kernel = \"$work/fifo\"")"
expect_fail 1 "ramdisk $work/fifo is not a regular file" "a FIFO as ramdisk" -- \
	create "$(write_cfg f2 'name = "f2"' "kernel = \"$GUEST_DIR/noop\"" \
		"ramdisk = \"$work/fifo\"")"
expect_fail 1 "config $work/fifo is not a regular file" "a FIFO as config" -- \
	create "$work/fifo"
expect_fail 1 "kernel /tmp is not a regular file" "a directory as kernel" -- \
	create "$(write_cfg f3 'name = "f3"' 'kernel = "/tmp"')"

# --- a create interrupted, or killed, half-way --------------------------------------
# A big ramdisk makes the build long enough to land a signal inside it.
dd if=/dev/urandom of="$work/big" bs=1M count=48 2>/dev/null
slow_cfg=$(write_cfg slow 'name = "slow"' "kernel = \"$GUEST_DIR/noop\"" \
	"ramdisk = \"$work/big\"" 'memory = 96' 'extra = "noop=block"')
# interrupt_create SIGNAL: signals creates at growing delays, destroys
# those that finished first; prints how many said they were interrupted.
interrupt_create() {
	local sig=$1 delay n=0 pid
	for delay in 0.02 0.05 0.08 0.1 0.13 0.16 0.2 0.25; do
		lvctl create "$slow_cfg" >/dev/null 2>"$work/int.err" &
		pid=$!
		sleep "$delay"
		kill "-$sig" "$pid" 2>/dev/null
		{ wait "$pid"; } 2>/dev/null
		grep -q "interrupted by SIG$sig" "$work/int.err" && n=$((n + 1))
		if exists slow; then
			lvctl destroy slow
		fi
	done
	echo "$n"
}
n=$(interrupt_create TERM)
[ "$n" -ge 1 ] && [ "$(nameless)" -eq 0 ] && [ "$(saved_configs)" -eq 0 ] &&
	[ "$(noxs_state)" = "$noxs0" ] && [ "$(domain_count)" -eq "$domains0" ]
ok $? "SIGTERM during create ($n of 8 interrupted mid-build): each build is undone, config and all"
n=$(interrupt_create HUP)
[ "$n" -ge 1 ] && [ "$(nameless)" -eq 0 ] && [ "$(saved_configs)" -eq 0 ]
ok $? "so is SIGHUP ($n of 8)"
left=0
for ((i = 0; i < 4 && left == 0; i++)); do
	interrupt_create KILL >/dev/null
	left=$(($(nameless) + $(saved_configs)))
done
ok $((left == 0)) "kill -9 during create leaves half-built domains or configs ($left)"
start_daemon && wait_until 10 sh -c '[ "$(lvctl list | awk "\$1 == \"-\"" | wc -l)" -eq 0 ] &&
	[ -z "$(ls /run/lightvm/guests)" ]'
ok $? "the daemon's sweep removes them ($(grep -cE 'build died half-way|was never built' "$daemon_log") logged)"
stop_daemon
[ "$(noxs_state)" = "$noxs0" ] && [ "$(domain_count)" -eq "$domains0" ]
ok $? "noxs and the domain list are as before"

# --- racing destroys: the loser says so -------------------------------------------
race_cfg=$(write_cfg race 'name = "race"' "kernel = \"$GUEST_DIR/noop\"" \
	'memory = 8' 'extra = "noop=block"')
silent=0 lost=0 winners_ok=1
# Three destroys start together, so that one looks the guest up while
# another destroys it: each opens a FIFO, says it is ready, and waits to
# read; the test holds the FIFO's only writer (the racers must not inherit
# it: {go}>&-) and closes it when all three are ready, and all three read
# EOF at once. They overlap only now and then under TCG: up to 200
# rounds, until one has lost 3 times. Exactly one may win each round. A
# racer that never gets to the FIFO or never ends is killed: the check
# fails instead of hanging.
all_dead() { for p; do ! alive "$p" || return 1; done; }
mkfifo "$work/race.go"
for ((i = 0; i < 200 && lost < 3; i++)); do
	lvctl create "$race_cfg" >/dev/null || break
	exec {go}<>"$work/race.go"
	rm -f "$work"/race.*.ready
	pids=()
	for r in 1 2 3; do
		sh -c 'exec 3<"$1"; : >"$2.ready"; read -r _ <&3; exec 3<&-; exec lvctl destroy race 2>"$2"' \
			race "$work/race.go" "$work/race.$r" {go}>&- &
		pids+=($!)
	done
	wait_until 10 test -e "$work/race.1.ready" -a -e "$work/race.2.ready" -a -e "$work/race.3.ready"
	exec {go}>&-
	wait_until 30 all_dead "${pids[@]}" || kill "${pids[@]}" 2>/dev/null
	won=0
	for r in 1 2 3; do
		wait "${pids[r - 1]}"
		if [ $? -eq 0 ]; then
			won=$((won + 1))
		elif grep -q 'another process destroyed it first' "$work/race.$r"; then
			lost=$((lost + 1))
		elif [ ! -s "$work/race.$r" ]; then
			silent=$((silent + 1))
		fi
	done
	[ "$won" -eq 1 ] || winners_ok=0
done
[ "$lost" -ge 1 ] && [ "$silent" -eq 0 ] && [ "$winners_ok" -eq 1 ]
ok $? "a destroy that loses the race says so ($lost lost in $i rounds, $silent silent, one winner each round: $winners_ok)"

# --- messages -------------------------------------------------------------------------
expect_fail 1 "there is no domain 777" "destroy -f of no domain" -- destroy -f 777
expect_fail 1 "there is no domain 777" "destroy of no domain" -- destroy 777
expect_fail 1 "there is no domain 777" "shutdown of no domain" -- shutdown 777
expect_fail 1 "memory: expected a single value, not a list" "a list for memory" -- \
	create "$(write_cfg l1 'name = "l1"' "kernel = \"$GUEST_DIR/noop\"" 'memory = [99999999]')"
expect_fail 1 "in its 1 MiB of memory" "a guest too small for its kernel" -- \
	create "$(write_cfg s1 'name = "s1"' "kernel = \"$GUEST_DIR/noop\"" 'memory = 1')"
echo "not a kernel" >"$work/junk"
out=$(lvctl create "$(write_cfg m1 'name = "m1"' "kernel = \"$work/junk\"")" 2>&1)
! echo "$out" | grep -qE 'panic|xg_dom|\.c:[0-9]' && echo "$out" | grep -q 'is not a Xen PV kernel'
ok $? "libxenguest's source locations stay out of messages: $out"

done_testing
