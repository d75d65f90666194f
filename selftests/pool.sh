#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# pool - the split toolstack: `lvctl daemon --pool` keeps pre-created shells
# (domain, NoXS record and devices, memory) and `lvctl create` finishes one.
# Pooled noop and Debian-kernel guests, refill, sizes the pool does not
# hold, errors that must not hand out (or lose) a shell, a shell size that
# cannot be built, and a stop that leaves nothing behind.

. "$(dirname "$0")/lib.sh"

work=$(mktemp -d)
daemon_pid=
trap '[ -n "$daemon_pid" ] && kill $daemon_pid 2>/dev/null; rm -rf "$work"' EXIT

# pool_field MEMORY FIELD: a column of `lvctl pool` for that size.
pool_field() {
	lvctl pool | awk -v m="$1" -v f="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$1 == m { print $col[f] }'
}
pool_ready() { [ "$(pool_field "$1" Ready)" = "$2" ]; }
guest_count() { lvctl list | tail -n +3 | wc -l; }

plan 24

noop_cfg=$(write_cfg noop 'name = "pooled"' "kernel = \"$GUEST_DIR/noop\"" \
	'memory = 4' 'extra = "noop=block"')
# As in guests.sh: Xen keeps a page or so of dom0 bookkeeping after the
# first guests of a boot; measure after a few.
for ((i = 0; i < 10; i++)); do
	lvctl create "$noop_cfg" >/dev/null && lvctl destroy pooled
done
sleep 1
free0=$(info_value free_pages)
noxs0=$(noxs_state)
domains0=$(domain_count)

lvctl pool >/dev/null 2>"$work/err"
[ $? -eq 1 ] && grep -q 'no lvctl daemon is running' "$work/err"
ok $? "lvctl pool without a daemon: $(cat "$work/err")"
lvctl daemon --pool 4:1:x 2>"$work/err"
[ $? -eq 2 ] && grep -q "expected MEMORY:VCPUS:COUNT" "$work/err"
ok $? "a bad --pool size is a usage error: $(cat "$work/err")"

# --- the pool fills, and its shells are not guests --------------------------
lvctl daemon -F --pool 4:1:3 --pool 128:1:1 --pool 100000:1:1 \
	2>"$work/daemon.log" &
daemon_pid=$!
wait_until 60 pool_ready 4 3 && wait_until 60 pool_ready 128 1
ok $? "the pool fills: 3 shells of 4 MiB, 1 of 128 MiB"
[ "$(guest_count)" -eq 0 ]
ok $? "shells are not listed as guests by lvctl list"
[ "$(domain_count)" -eq "$domains0" ]
ok $? "nor in lvctl list --json"
huge_failed() { [ "$(pool_field 100000 Failed)" -ge 1 ]; }
wait_until 20 huge_failed
ok $? "a shell that cannot be built (100000 MiB) counts as failed"
pool_ready 100000 0
ok $? "and is not in the pool"
shells=$(pool_field 4 Shells)
shell=${shells%%,*}
lvctl destroy "$shell" 2>"$work/err"
[ $? -eq 1 ] && grep -q "is a shell of the daemon's pool" "$work/err"
ok $? "lvctl destroy refuses a shell: $(cat "$work/err")"

# --- a pooled noop guest ----------------------------------------------------------
id=$(lvctl create --profile "$noop_cfg" 2>"$work/profile")
ok $? "create a 4 MiB noop guest (domain $id)"
grep -q 'pool shell' "$work/profile" && [ "$id" = "$shell" ]
ok $? "it was the oldest shell of its size ($(cat "$work/profile"))"
wait_console pooled 'lightvm-noop: up' 20
ok $? "the pooled guest runs: its marker is on its console"
lvctl list | grep -qE "^pooled +$id +4 "
ok $? "lvctl list shows it by name"
wait_until 20 pool_ready 4 3 && [ "$(pool_field 4 Used)" = 1 ]
ok $? "the pool refills behind it"

# --- errors: a shell is neither handed out nor lost -------------------------------
lvctl create "$noop_cfg" 2>"$work/err" >/dev/null
[ $? -eq 1 ] && grep -q "the name 'pooled' is in use" "$work/err" &&
	pool_ready 4 3 && [ "$(pool_field 4 Used)" = 1 ]
ok $? "a name in use: clear error, no shell taken: $(cat "$work/err")"
printf 'not a kernel\n' >"$work/bad-kernel"
bad_cfg=$(write_cfg bad 'name = "bad"' "kernel = \"$work/bad-kernel\"" 'memory = 4')
lvctl create "$bad_cfg" 2>"$work/err" >/dev/null
[ $? -eq 1 ] && [ "$(grep -c . "$work/err")" -eq 1 ] && ! lvctl list | grep -q '^bad '
ok $? "a kernel that does not load: one line, no guest: $(cat "$work/err")"
wait_until 20 pool_ready 4 3 && [ "$(guest_count)" -eq 1 ]
ok $? "its shell was destroyed and replaced, not handed out"

# --- sizes the pool does not hold ------------------------------------------------
id=$(lvctl create --profile "$(write_cfg eight 'name = "eight"' \
	"kernel = \"$GUEST_DIR/noop\"" 'memory = 8' 'extra = "noop=block"')" 2>"$work/profile")
grep -q 'from scratch' "$work/profile" && wait_console eight 'lightvm-noop: up' 20
ok $? "an 8 MiB guest, a size the pool does not hold, is built from scratch"
lvctl create "$(write_cfg huge 'name = "huge"' "kernel = \"$GUEST_DIR/noop\"" \
	'memory = 100000')" 2>"$work/err" >/dev/null
[ $? -eq 1 ] && grep -q 'Xen is out of memory' "$work/err"
ok $? "a size whose shells fail falls back and fails clearly: $(cat "$work/err")"

# --- a pooled Debian-kernel guest finds its devices and shuts down -------------
id=$(lvctl create --profile "$(write_cfg linux 'name = "plinux"' \
	"kernel = \"$GUEST_DIR/vmlinux.gz\"" "ramdisk = \"$GUEST_DIR/initrd.gz\"" \
	'memory = 128' 'extra = "console=hvc0 lightvm.guest=shell"')" 2>"$work/profile")
grep -q 'pool shell' "$work/profile" &&
	wait_console plinux 'sysctl_front: connected to domain 0' 120
ok $? "a pooled Linux guest finds its directory and its sysctl device connects"
lvctl shutdown -w --timeout 60 plinux && ! lvctl list | grep -q '^plinux '
ok $? "and shuts down through it (lvctl shutdown -w)"

lvctl create -p "$(write_cfg paused 'name = "ppaused"' \
	"kernel = \"$GUEST_DIR/noop\"" 'memory = 4')" >/dev/null &&
	lvctl list | grep -qE '^ppaused .* paused '
ok $? "create -p from a shell leaves the guest paused"

# --- stop: the shells go, nothing is left --------------------------------------
kill "$daemon_pid"
wait "$daemon_pid"
ok $? "the daemon stops cleanly on SIGTERM"
daemon_pid=
[ ! -e /run/lightvm/daemon.sock ] && [ "$(domain_count)" -eq $((domains0 + 3)) ]
ok $? "its shells are destroyed and its socket removed; the 3 guests stay"
lvctl destroy pooled && lvctl destroy eight && lvctl destroy ppaused
free1=$(free_pages_settle "$free0")
[ "$free1" -ge "$free0" ] && [ "$(noxs_state)" = "$noxs0" ] &&
	[ "$(domain_count)" -eq "$domains0" ]
ok $? "then Xen's free pages ($free0 -> $free1), noxs state and domains are as before"

done_testing
