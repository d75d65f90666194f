#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# sysctl - the NoXS sysctl device end to end: lvctl shutdown, reboot and
# sysrq of a Debian-kernel guest through sysctl-back, sysctl-front and the
# stock kernel's manage.c on the guest's own store, a guest without the
# frontend (clear error, --force), the daemon acting on on_poweroff and
# on_crash, and 100 shutdown cycles that leak nothing.

. "$(dirname "$0")/lib.sh"

CYCLES=${SYSCTL_CYCLES:-100}
work=$(mktemp -d)
daemon_pid=
trap '[ -n "$daemon_pid" ] && kill $daemon_pid 2>/dev/null; rm -rf "$work"' EXIT

exists() { lvctl list | grep -qE "^$1 "; }

plan 27

noxs0=$(noxs_state)
linux_cfg=$(write_cfg linux 'name = "lin"' \
	"kernel = \"$GUEST_DIR/vmlinux.gz\"" "ramdisk = \"$GUEST_DIR/initrd.gz\"" \
	'memory = 128' 'extra = "console=hvc0 lightvm.guest=shell"')

# --- shutdown -w: the guest's init runs its shutdown --------------------------
id=$(lvctl create "$linux_cfg")
wait_console lin 'sysctl_front: connected to domain 0' 120
ok $? "the Linux guest's sysctl-front connects (domain $id)"
lvctl console -d lin | grep -q "noxs_store: serving domain $id's store" &&
	! lvctl console -d lin | grep -q 'Unable to read cpu state'
ok $? "noxs-store serves the guest's own xenbus, cpu state and all"
lvctl console -d lin | grep -qE 'sysctl_front: connected to domain 0: features 0x3001e'
ok $? "its kernel's manage.c handles poweroff, reboot, suspend and sysrq ($(lvctl console -d lin | grep -o 'features 0x[0-9a-f]*' | head -n 1))"
lvctl sysrq lin h && wait_console lin 'sysrq: HELP' 20
ok $? "lvctl sysrq lin h: the guest kernel prints its SysRq help"
out=$(lvctl sysrq lin hh 2>&1)
[ $? -eq 2 ] && echo "$out" | grep -q "expected one printable character"
ok $? "a key of two characters is a usage error: $out"
timeout 120 lvctl console lin </dev/null >"$work/shutdown.out" &
follower=$!
out=$(lvctl shutdown -w --timeout 60 lin 2>&1)
ok $? "lvctl shutdown -w lin ${out:+($out)}"
wait "$follower"
grep -q 'lightvm-guest: poweroff' "$work/shutdown.out"
ok $? "its init ran its shutdown (console says so)"
! exists lin
ok $? "the domain is gone"

# --- reboot -w: back under the same name, with a working console ---------------
id=$(lvctl create "$linux_cfg")
wait_console lin 'sysctl_front: connected' 120
new_id=$(lvctl reboot -w --timeout 120 lin)
[ $? -eq 0 ] && [ -n "$new_id" ] && [ "$new_id" != "$id" ]
ok $? "lvctl reboot -w lin: domain $id came back as ${new_id:-nothing}"
wait_console lin 'lightvm-guest: up' 120
ok $? "the rebooted guest prints its marker on its new console"
wait_console lin 'sysctl_front: connected' 60 &&
	lvctl shutdown -w --timeout 60 lin && ! exists lin
ok $? "and shuts down again"

# --- a guest without sysctl-front -----------------------------------------------
noop_cfg=$(write_cfg noop 'name = "nofront"' "kernel = \"$GUEST_DIR/noop\"" \
	'memory = 8' 'extra = "noop=block"')
lvctl create "$noop_cfg" >/dev/null
out=$(lvctl shutdown --timeout 2 nofront 2>&1)
status=$?
[ "$status" -eq 1 ] && echo "$out" | grep -q 'no sysctl frontend' && exists nofront
ok $? "shutdown of a guest without sysctl-front fails clearly: $out"
out=$(lvctl reboot -w --timeout 2 nofront 2>&1)
[ $? -eq 1 ] && exists nofront
ok $? "so does reboot: $out"
lvctl shutdown --force --timeout 2 nofront 2>/dev/null && ! exists nofront
ok $? "shutdown --force destroys it"

# --- a hostile frontend -----------------------------------------------------------
# The noop guest in noop=hostile mode maps its sysctl control page, writes
# garbage states, features and acknowledgements, and floods the sysctl and
# console event channels. Grants go to the guest, so the hostile frontend
# must be a guest: a dom0 program could not map them.
hostile_id=$(lvctl create "$(write_cfg hostile 'name = "hostile"' \
	"kernel = \"$GUEST_DIR/noop\"" 'memory = 8' 'extra = "noop=hostile"')")
wait_console hostile 'lightvm-noop: hostile done' 120
ok $? "the hostile frontend did its worst ($(lvctl console -d hostile | tail -n 1 | tr -d '\r'))"
seen=$(noxs_query "$hostile_id" 1 0)
diag "sysctl-back saw: $seen"
set -- $seen
[ "$2" -eq 0 ] && [ "$6" -gt 0 ] && [ "$8" -gt 0 ]
ok $? "sysctl-back rejected it and never took it as connected ($seen)"
out=$(lvctl shutdown --timeout 2 hostile 2>&1)
s1=$?
lvctl sysrq hostile h 2>/dev/null
s2=$?
lvctl save hostile "$work/hostile.sav" 2>/dev/null
s3=$?
[ "$s1$s2$s3" = 111 ] && [ ! -e "$work/hostile.sav" ] &&
	lvctl list >/dev/null && lvctl destroy hostile
ok $? "dom0 is fine: shutdown, sysrq and save refused ($out), list and destroy work"
[ "$(noxs_state)" = "$noxs0" ]
ok $? "nothing of the hostile guest is left in noxs"

# A Linux guest whose root writes garbage into its own store (bad values,
# malformed requests, a flood of feature changes) hurts only itself: the
# relay advertises what is left, dom0 sees nothing else.
garbage_id=$(lvctl create "$(write_cfg garbage 'name = "garbage"' \
	"kernel = \"$GUEST_DIR/vmlinux.gz\"" "ramdisk = \"$GUEST_DIR/initrd.gz\"" \
	'memory = 128' 'extra = "console=hvc0 lightvm.guest=store-garbage"')")
wait_console garbage 'lightvm-guest: store garbage done' 120 &&
	wait_until 10 sh -c "noxs_query $garbage_id 1 0 | grep -q '^state 1 features 0x30018 '"
ok $? "garbage in the guest's store: dom0 sees only suspend, sysrq, vCPUs and the memory target ($(noxs_query "$garbage_id" 1 0))"
lvctl sysrq garbage h && wait_console garbage 'sysrq: HELP' 20 &&
	lvctl destroy garbage && [ "$(noxs_state)" = "$noxs0" ]
ok $? "its store still serves its kernel (sysrq works); destroyed, it leaves nothing"

# --- the daemon: on_poweroff, on_crash -------------------------------------------
lvctl daemon -F 2>"$work/daemon.log" &
daemon_pid=$!
sleep 1
kill -0 "$daemon_pid"
ok $? "lvctl daemon runs"
lvctl create "$(write_cfg off 'name = "selfoff"' "kernel = \"$GUEST_DIR/noop\"" \
	'memory = 8' 'on_poweroff = "destroy"')" >/dev/null
wait_until 20 sh -c '! lvctl list | grep -q "^selfoff "'
ok $? "a guest that powers itself off is destroyed (on_poweroff = destroy)"
lvctl create "$(write_cfg crash 'name = "selfcrash"' "kernel = \"$GUEST_DIR/noop\"" \
	'memory = 8' 'extra = "noop=crash"' 'on_crash = "preserve"')" >/dev/null
wait_until 20 sh -c 'lvctl list | grep -qE "^selfcrash .* crashed "'
ok $? "a crashed guest is kept (on_crash = preserve)"
lvctl destroy selfcrash
kill "$daemon_pid"
wait "$daemon_pid"
ok $? "the daemon stops cleanly on SIGTERM"
daemon_pid=
[ "$(noxs_state)" = "$noxs0" ]
ok $? "noxs holds nothing more than before ($(noxs_state))"

# --- shutdown cycles leak nothing --------------------------------------------------
# Guests that answer quickly: the noop guest has no frontend, so these
# are --force shutdowns of it, which take the refusal path every time.
# As in guests.sh: measure after a few cycles have warmed Xen up.
for ((i = 0; i < 5; i++)); do
	on_each_cpu sh -c "lvctl create '$noop_cfg' >/dev/null &&
		lvctl shutdown --force --timeout 1 nofront 2>/dev/null"
done
sleep 1
free0=$(info_value free_pages)
failures=0
for ((i = 0; i < CYCLES; i++)); do
	lvctl create "$noop_cfg" >/dev/null &&
		lvctl shutdown --force --timeout 1 nofront 2>/dev/null ||
		failures=$((failures + 1))
done
ok $failures "$CYCLES create/shutdown cycles ($failures failed)"
[ "$(free_pages_settle "$free0")" -eq "$free0" ] && [ "$(noxs_state)" = "$noxs0" ] &&
	[ -z "$(ls /run/lightvm/guests 2>/dev/null)" ]
ok $? "after them Xen's free pages, noxs state and saved configs are as before"

done_testing
