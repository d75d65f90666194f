#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# migrate - lvctl migrate between the two hosts of `tools/testbed/run
# --hosts 2` (this is host-a; host-b is reached by ssh). A Debian-kernel
# guest with a vif on xenbr0 and a counter moves to host-b while host-a
# pings it, and back over a keyed TCP link; migrations that fail (no
# receiver, wrong key, receiver killed mid-stream, host-b out of memory)
# leave it running on host-a and nothing on host-b; round trips leak
# nothing on either host.

. "$(dirname "$0")/lib.sh"

ROUNDS=${MIGRATE_ROUNDS:-10}
LIB=/usr/lib/lightvm/selftests/lib.sh
GUEST_IP=10.9.0.10
work=$(mktemp -d)
trap 'kill $pinger $recv 2>/dev/null; rm -rf "$work"' EXIT

on_b() { ssh host-b "$@"; }
# b_lib CMD: CMD on host-b with lib.sh's helpers.
b_lib() { ssh host-b ". $LIB; $*"; }
# where_is NAME: a, b, both or none.
where_is() {
	local a= b=
	lvctl list | grep -q "^$1 " && a=a
	on_b lvctl list | grep -q "^$1 " && b=b
	case $a$b in ab) echo both ;; a | b) echo "$a$b" ;; *) echo none ;; esac
}
is_at() { [ "$(where_is "$2")" = "$1" ]; }
# count HOST NAME: "PID N", the last count on its console there.
count() {
	local run=
	[ "$1" = b ] && run=on_b
	$run lvctl console -d "$2" 2>/dev/null | tr -d '\r' |
		sed -n 's/^lightvm-count: \([0-9]* [0-9]*\)$/\1/p' | tail -n 1
}
# counts_on HOST NAME PID N: that process counts past N there (within 20 s).
counts_past() {
	local pid=$3 n=${4:-0}
	set -- $(count "$1" "$2")
	[ -n "$pid" ] && [ "$1" = "$pid" ] && [ "${2:-0}" -gt "$n" ]
}
counts_on() { wait_until 20 counts_past "$@"; }
pings() { ping -c 1 -W 1 "$GUEST_IP" >/dev/null 2>&1; }
# migrate_fails PATTERN DESC -- ARGS: lvctl migrate ARGS fails with one
# line matching PATTERN; the guest counts on on host-a; host-b unchanged.
migrate_fails() {
	local pattern=$1 what=$2 out status pid n
	shift 3
	read -r pid n <<<"$(count a mover)"
	out=$(lvctl migrate "$@" 2>&1 >/dev/null)
	status=$?
	[ "$status" -eq 1 ] && [ "$(printf '%s\n' "$out" | grep -c .)" -eq 1 ] &&
		printf '%s\n' "$out" | grep -q -- "$pattern" &&
		counts_on a mover "$pid" "$n" && wait_until 15 b_same
	ok $? "$what: exit $status, '$out'"
}
a_same() { [ "$(host_state)" = "$a_state0" ]; }
b_same() { [ "$(b_lib host_state)" = "$b_state0" ]; }

plan 22

# --- two hosts, a guest on host-a --------------------------------------------------
modprobe xen-netback && modprobe split-back &&
	on_b 'modprobe xen-netback && modprobe split-back' &&
	on_b 'lvctl daemon </dev/null >/dev/null 2>&1' &&
	head -c 32 /dev/urandom >"$work/key" && chmod 600 "$work/key" &&
	on_b "umask 077; cat >/root/key" <"$work/key" &&
	head -c 32 /dev/urandom >"$work/other.key" && chmod 600 "$work/other.key"
ok $? "both hosts: xen-netback and split-back loaded; host-b's daemon up; a shared key"
a_state0=$(host_state)
b_state0=$(b_lib host_state)

cfg=$(write_cfg mover 'name = "mover"' "kernel = \"$GUEST_DIR/vmlinux.gz\"" \
	"ramdisk = \"$GUEST_DIR/initrd.gz\"" 'memory = 128' "vif = [ 'bridge=xenbr0' ]" \
	"extra = \"console=hvc0 lightvm.ip=eth0:$GUEST_IP/24 lightvm.guest=counter\"")
lvctl create "$cfg" >/dev/null && wait_console mover 'lightvm-count: [0-9]* 2' 120 &&
	wait_until 30 pings
ok $? "a Debian-kernel guest on host-a counts ($(count a mover)) and answers pings"

out=$(lvctl migrate --live mover host-b 2>&1)
[ $? -eq 1 ] && printf '%s\n' "$out" | grep -q 'log-dirty' && [ "$(where_is mover)" = a ]
ok $? "--live is refused on a Xen without PV log-dirty, the guest untouched: '$out'"

# --- host-a -> host-b over ssh, pinged all along -------------------------------------
read -r pid n <<<"$(count a mover)"
ping -i 0.5 "$GUEST_IP" >"$work/ping.log" 2>&1 &
pinger=$!
sleep 2
out=$(lvctl migrate mover host-b 2>&1)
status=$?
diag "$out"
[ $status -eq 0 ] && wait_until 10 is_at b mover
ok $? "lvctl migrate mover host-b (ssh): it runs on host-b, not on host-a"
counts_on b mover "$pid" "$n"
ok $? "the same process counts on on host-b (before: $pid $n, now: $(count b mover))"
replies=$(grep -c 'bytes from' "$work/ping.log")
wait_until 20 sh -c "[ \$(grep -c 'bytes from' $work/ping.log) -gt $replies ]"
ok $? "host-a's pings, answered before ($replies), are answered again from host-b"
kill $pinger; pinger=
wait_until 15 a_same
ok $? "nothing of it is left on host-a ($(host_state))"
# Each host's free memory is taken once the guest has lived there and
# left. Xen keeps a page of grant maptrack for each dom0 vCPU that ever
# mapped a grant, for good (see on_each_cpu in lib.sh): up to that many
# pages may go later without being a leak; ten migrations leaking would
# cost far more.
SLACK=$(nproc)
a_free0=$(($(free_pages_settle 999999999 5) - SLACK))	# 5 s for the source to go

# --- back over TCP with the key ------------------------------------------------------
read -r pid n <<<"$(count b mover)"
lvctl migrate-receive --listen 8002 --key "$work/key" --once 2>"$work/recv.log" &
recv=$!
wait_until 10 sh -c 'netstat -ltn | grep -q ":8002 "'
out=$(on_b lvctl migrate --tcp --key /root/key mover 10.9.0.1 2>&1)
status=$?
wait $recv
diag "$out"
[ $status -eq 0 ] && wait_until 10 is_at a mover && counts_on a mover "$pid" "$n" && wait_until 20 pings
ok $? "back to host-a over TCP with the key: it counts on ($(count a mover)) and answers pings"
wait_until 15 b_same
ok $? "nothing of it is left on host-b"
b_free0=$(($(b_lib free_pages_settle 999999999 5) - SLACK))

# --- failures: it keeps running on host-a, host-b holds nothing ---------------------
migrate_fails "no migration receiver answered" "no receiver (ssh runs 'false')" -- -s '' mover false
migrate_fails "cannot connect to 10.9.0.2" "no receiver listening on TCP" -- --tcp --key "$work/key" mover 10.9.0.2
on_b "lvctl migrate-receive --listen 8002 --key /root/key >/dev/null 2>&1 &"
wait_until 10 on_b 'netstat -ltn | grep -q ":8002 "'
migrate_fails "wrong key" "a key host-b does not hold" -- --tcp --key "$work/other.key" mover 10.9.0.2
out=$(lvctl migrate --tcp mover 10.9.0.2 2>&1)
[ $? -eq 2 ] && printf '%s\n' "$out" | grep -q 'unauthenticated'
ok $? "--tcp without a key is a usage error: '$out'"
b_lib "kill_matching -TERM '[m]igrate-receive --listen'"

# host-b short of memory: a ballast guest takes all but 32 MiB of it.
free_mb=$(( $(b_lib info_value free_pages) / 256 ))
on_b "printf '%s\n' 'name = \"ballast\"' 'kernel = \"$GUEST_DIR/noop\"' 'memory = $((free_mb - 32))' >/tmp/ballast.cfg && lvctl create -p /tmp/ballast.cfg" >/dev/null
ok $? "host-b: a ballast guest leaves 32 MiB free ($((free_mb - 32)) MiB)"
b_state0=$(b_lib host_state)
migrate_fails "out of memory" "host-b out of memory" -- mover host-b
on_b lvctl destroy ballast
# Xen gives back 2 GiB slowly under TCG: wait for it before going on.
diag "host-b free pages: $b_free0 at first, $(b_lib free_pages_settle "$b_free0" 180) after the ballast"
b_state0=$(b_lib host_state)

# The receiver killed while the stream flows (its saved config appears
# when the restore begins).
read -r pid n <<<"$(count a mover)"
lvctl migrate mover host-b >"$work/killed.out" 2>&1 &
mig=$!
wait_until 60 on_b 'test -e /run/lightvm/guests/mover.cfg' &&
	b_lib "kill_matching -KILL 'lvctl [m]igrate-receive'"
wait $mig
status=$?
diag "$(cat "$work/killed.out")"
[ $status -eq 1 ] && counts_on a mover "$pid" "$n" && wait_until 20 pings
ok $? "receiver killed mid-stream: lvctl migrate fails, the guest counts on on host-a"
wait_until 30 b_same
ok $? "host-b's daemon sweeps what the killed receiver left ($(b_lib host_state))"

# --- round trips, over TCP (ssh's ciphers are slow under TCG) ---------------------
lvctl migrate-receive --listen 8002 --key "$work/key" 2>/dev/null &
recv=$!
on_b "lvctl migrate-receive --listen 8002 --key /root/key >/dev/null 2>&1 &"
wait_until 10 sh -c 'netstat -ltn | grep -q ":8002 "' &&
	wait_until 10 on_b 'netstat -ltn | grep -q ":8002 "'
good=0
for i in $(seq 1 "$ROUNDS"); do
	if [ $((i % 2)) -eq 1 ]; then
		lvctl migrate --tcp --key "$work/key" mover 10.9.0.2 >/dev/null &&
			wait_until 10 is_at b mover || break
	else
		on_b lvctl migrate --tcp --key /root/key mover 10.9.0.1 >/dev/null &&
			wait_until 10 is_at a mover || break
	fi
	good=$i
done
[ "$good" -eq "$ROUNDS" ]
ok $? "$good of $ROUNDS migrations back and forth"
is_at b mover && on_b lvctl migrate --tcp --key /root/key mover 10.9.0.1 >/dev/null
read -r pid n <<<"$(count a mover)"
counts_on a mover "$pid" "$n" && wait_until 20 pings
ok $? "after them, the guest counts ($(count a mover)) and answers pings on host-a"

# Once more to host-b, where it ends as an operator would end it.
lvctl migrate --tcp --key "$work/key" mover 10.9.0.2 >/dev/null &&
	wait_until 10 is_at b mover && on_b lvctl shutdown -w mover >/dev/null &&
	wait_until 10 is_at none mover
ok $? "moved to host-b, it answers 'lvctl shutdown -w' there"
kill $recv
b_lib "kill_matching -TERM '[m]igrate-receive --listen'"

wait_until 15 a_same
a_ok=$?
a_free=$(free_pages_settle "$a_free0")
[ $a_ok -eq 0 ] && [ "$a_free" -ge "$a_free0" ]
ok $? "host-a: no domain, device, interface, saved config or Xen memory left"
[ $a_ok -eq 0 ] || diag "host-a before: $a_state0" "host-a now:    $(host_state)"
diag "host-a free pages: $a_free0 before, $a_free now"
wait_until 15 b_same
b_ok=$?
b_free=$(b_lib free_pages_settle "$b_free0")
[ $b_ok -eq 0 ] && [ "$b_free" -ge "$b_free0" ]
ok $? "host-b: no domain, device, interface, saved config or Xen memory left"
[ $b_ok -eq 0 ] || diag "host-b before: $b_state0" "host-b now:    $(b_lib host_state)"
diag "host-b free pages: $b_free0 before, $b_free now"

done_testing
