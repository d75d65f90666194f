#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench-migrate.sh - the migration series of `make bench`, on host-a of a
# two-host testbed (tools/testbed/run --hosts 2): one Debian-kernel guest
# that counts, moved back and forth between the hosts, with lvctl, then
# with xl, in one run. Prints CSV sections (=== FILE) like bench-dom0.sh.
#
#   bench-migrate.sh COUNT MEMORY_MB
#
# lvctl first, with no xenstored anywhere: COUNT migrations over ssh and
# COUNT over keyed TCP, each line the command's wall time and the time
# the guest was suspended as lvctl reports it (suspend to the receiver's
# "running": the guest's downtime); then COUNT cold migrations through a
# pipe (save - | ssh restore -). Then xenstored, xenconsoled and xl on both
# hosts: `xl migrate` of the same guest (which asks for a live save: on a
# Xen without PV log-dirty it fails, and the line says so), and COUNT cold
# migrations `xl save | ssh xl restore`, the nearest xl comes.
# The guests have no vif: lvctl's vifs need dom0's own store served by
# noxs-store, after which xenstored cannot run in the same boot.
set -uo pipefail
# Each section says whether a daemon runs; lvctl create starts none itself.
export LVCTL_AUTODAEMON=0

COUNT=${1:?usage: bench-migrate.sh COUNT MEMORY_MB}
MEM=${2:?usage: bench-migrate.sh COUNT MEMORY_MB}
GUEST=/usr/lib/lightvm/guest
XEN_BIN=/usr/lib/xen-4.17/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

section() { echo "=== $1"; }
# busybox date has no %N: bash's clock, in microseconds.
now_ms() { local t=${EPOCHREALTIME/./}; echo $((10#$t / 1000)); }
on_b() { ssh host-b "$@"; }
die() { echo "bench-migrate: $*" >&2; exit 1; }

# here NAME: this host runs NAME (per lvctl, or xl when $XL).
lv_here() { lvctl list | grep -q "^$1 "; }
# wait_count CMD...: the guest's console (through CMD) shows a count.
wait_count() {
	local i
	for i in $(seq 1 600); do
		"$@" 2>/dev/null | grep -q 'lightvm-count: [0-9]* [2-9]' && return 0
		sleep 0.5
	done
	return 1
}

cat >"$work/m1.cfg" <<EOF
name = "m1"
type = "pv"
kernel = "$GUEST/vmlinux.gz"
ramdisk = "$GUEST/initrd.gz"
memory = $MEM
extra = "console=hvc0 lightvm.guest=counter"
EOF
on_b "cat >/tmp/m1.cfg" <"$work/m1.cfg"
head -c 32 /dev/urandom >"$work/key" && chmod 600 "$work/key"
on_b "umask 077; cat >/root/key" <"$work/key"

echo "# bench-migrate: memory $MEM"

# --- lvctl -------------------------------------------------------------------------
lvctl create "$work/m1.cfg" >/dev/null || die "lvctl create m1 failed"
wait_count lvctl console -d m1 || die "m1 did not count"
lvctl migrate-receive --listen 8002 --key "$work/key" 2>/dev/null &
recv=$!
on_b "lvctl migrate-receive --listen 8002 --key /root/key >/dev/null 2>&1 &"
sleep 2

# lv_move N TRANSPORT: one migration away from where m1 is; a CSV line.
lv_move() {
	local args=() out t0 t1
	if [[ $2 == tcp ]]; then
		args=(--tcp --key)
	fi
	t0=$(now_ms)
	if lv_here m1; then
		[[ $2 == tcp ]] && args+=("$work/key" m1 10.9.0.2) || args+=(m1 host-b)
		out=$(lvctl migrate "${args[@]}" 2>&1)
	else
		[[ $2 == tcp ]] && args+=(/root/key m1 10.9.0.1) || args+=(m1 host-a)
		out=$(on_b lvctl migrate "${args[@]}" 2>&1)
	fi || die "lvctl migrate ($2): $out"
	t1=$(now_ms)
	sed -n "s/.* in \([0-9.]*\) ms, suspended for \([0-9.]*\) ms$/$1,$2,$((t1 - t0)),\1,\2/p" <<<"$out"
}

section lvctl-migrate.csv
echo "n,transport,wall_ms,lvctl_ms,suspended_ms"
for i in $(seq 1 "$COUNT"); do lv_move "$i" ssh; done
for i in $(seq 1 "$COUNT"); do lv_move "$i" tcp; done
kill "$recv"
on_b 'for p in /proc/[0-9]*; do tr "\0" " " <$p/cmdline 2>/dev/null | grep -q "[m]igrate-receive --listen" && kill ${p#/proc/}; done'

# Cold: the save stream through ssh, restored there; the wall time is the
# guest's downtime.
section lvctl-cold.csv
echo "n,wall_ms"
for i in $(seq 1 "$COUNT"); do
	t0=$(now_ms)
	if lv_here m1; then
		lvctl save m1 - | on_b lvctl restore - >/dev/null
	else
		on_b "lvctl save m1 - | ssh host-a lvctl restore - >/dev/null"
	fi || die "lvctl cold migration failed"
	echo "$i,$(($(now_ms) - t0))"
done
if lv_here m1; then lvctl destroy m1; else on_b lvctl destroy m1; fi

# --- xl ----------------------------------------------------------------------------
start_xl='/usr/lib/xen-4.17/bin/xenstored --pid-file /run/xenstored.pid &&
	/usr/lib/xen-4.17/bin/xen-init-dom0 >/dev/null &&
	mkdir -p /var/log/xen/console &&
	/usr/lib/xen-4.17/bin/xenconsoled --pid-file=/run/xenconsoled.pid --log=guest --log-dir=/var/log/xen/console'
sh -c "$start_xl" && on_b "$start_xl" >/dev/null 2>&1 || die "cannot start xl's toolstack"
xl_here() { xl list m1 >/dev/null 2>&1; }
xl_log() { cat /var/log/xen/console/guest-m1.log; }

xl create -q "$work/m1.cfg" || die "xl create m1 failed"
wait_count xl_log || die "m1 (xl) did not count"

section xl-migrate.csv
echo "n,result,wall_ms,why"
t0=$(now_ms)
out=$(xl migrate m1 host-b 2>&1)
rc=$?
t1=$(now_ms)
why=$(grep -m1 -iE 'log.?dirty|error|fail' <<<"$out" | tr -d ',\r' | cut -c1-160)
echo "1,$([[ $rc -eq 0 ]] && echo ok || echo failed),$((t1 - t0)),$why"
# Wherever it is now, it comes back to host-a for the cold series.
if ! xl_here; then
	on_b "xl save m1 /dev/stdout | ssh host-a xl restore /dev/stdin" >/dev/null 2>&1
fi

section xl-cold.csv
echo "n,wall_ms"
for i in $(seq 1 "$COUNT"); do
	t0=$(now_ms)
	if xl_here; then
		xl save m1 /dev/stdout 2>/dev/null | on_b "xl restore /dev/stdin" >/dev/null 2>&1
	else
		on_b "xl save m1 /dev/stdout 2>/dev/null | ssh host-a xl restore /dev/stdin" >/dev/null 2>&1
	fi || die "xl cold migration failed"
	echo "$i,$(($(now_ms) - t0))"
done
xl destroy m1 2>/dev/null || on_b xl destroy m1
echo "# bench-migrate: done" >&2
