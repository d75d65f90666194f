#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench-dom0.sh - the part of `make bench` that runs inside the testbed's
# dom0 (tools/testbed/run). Prints CSV sections, each after a line
# "=== NAME.csv", which tools/bench/run splits into files.
#
# Usage: bench-dom0.sh N_LVCTL N_XL N_SHUTDOWN N_SAVE
set -euo pipefail

N=${1:?} NXL=${2:?} NSHUT=${3:?} NSAVE=${4:?}
# The Linux guest of the save/restore series: the testbed's Debian kernel
# is an uncompressed 58 MiB image, so 64 MiB is too small for it (measured:
# "segment kernel too large") and 128 MiB, what the selftests use, boots.
SAVE_MB=128
GUEST=/usr/lib/lightvm/guest
NOOP=$GUEST/noop
NOOP_MB=4
POOL_SHELLS=16
XEN_BIN=/usr/lib/xen-4.17/bin

section() { echo "=== $1"; }
free_kib() { lvctl info | awk '/^free_pages:/ { print $2 * 4 }'; }
dom0_avail_kib() { awk '/^MemAvailable:/ { print $2 }' /proc/meminfo; }

# memory_line TOOL COUNT XEN0 DOM00: KiB per guest, Xen's and dom0's.
memory_line() {
	echo "$1,$2,$(( ($3 - $(free_kib)) / $2 )),$(( ($4 - $(dom0_avail_kib)) / $2 ))"
}

start_xl_toolstack() {
	"$XEN_BIN/xenstored" --pid-file /run/xenstored.pid
	"$XEN_BIN/xen-init-dom0" >/dev/null
	mkdir -p /var/log/xen/console
	"$XEN_BIN/xenconsoled" --pid-file=/run/xenconsoled.pid \
		--log=guest --log-dir=/var/log/xen/console
}

stop_xl_toolstack() {
	kill "$(cat /run/xenconsoled.pid)" "$(cat /run/xenstored.pid)"
	sleep 1
}

echo "# bench: $N lvctl, $NXL xl noop guests ($NOOP_MB MiB), $NSHUT Linux guests for shutdown, $NSAVE save/restore cycles" >&2

# Until the kernel's random pool is initialised, every xl command blocks
# about 3 s on it (measured: `xl create -n` 3.1 s before, 0.1 s after),
# which is the testbed's youth, not xl's cost. A read of /dev/random makes
# the kernel gather its entropy now (about a second under TCG).
head -c 1 /dev/random >/dev/null

memory="toolstack,guests,xen_kib_per_guest,dom0_kib_per_guest"

# The floor: starting a program at all, and starting lvctl.
section exec-true.csv
echo "n,exec_ms"
lvbench exec 50 /bin/true
section exec-lvctl.csv
echo "n,exec_ms"
lvbench exec 50 lvctl help

# settle GUESTS: after GUESTS guests were destroyed. Xen scrubs their memory
# and finishes tearing them down in the background, and the series that
# follows would pay for it: measured, the first dozen pooled creations
# after a 30-guest series and one Linux guest took 43 ms (median) against
# 23 ms after a pause.
settle() {
	sleep $((5 + $1 / 100))
}

# create_series SERIES LABEL TOOL COUNT COLUMNS: COUNT noop guests created
# (SERIES-create.csv), the memory they use (as LABEL), then destroyed
# (SERIES-destroy.csv).
create_series() {
	local xen0 dom00
	xen0=$(free_kib) dom00=$(dom0_avail_kib)
	section "$1-create.csv"
	echo "$5"
	lvbench create "$3" "$4" "$NOOP" "$NOOP_MB"
	memory+=$'\n'$(memory_line "$2" "$4" "$xen0" "$dom00")
	section "$1-destroy.csv"
	echo "n,destroy_ms"
	lvbench destroy "$3" "$4"
}
LVCTL_COLUMNS="n,create_ms,exit_ms,prepare,domain,devices,load,memory,image,console,unpause,exec"

# pool_full: the daemon's pool holds POOL_SHELLS ready shells of NOOP_MB.
pool_full() {
	lvctl pool 2>/dev/null | awk -v m="$NOOP_MB" -v n="$POOL_SHELLS" \
		'$1 == m && $4 == n { found = 1 } END { exit !found }'
}

# lvctl first, with no xenstored or xenconsoled anywhere.
create_series lvctl lvctl lvctl "$N" "$LVCTL_COLUMNS"

settle "$N"
section lvctl-shutdown.csv
echo "n,shutdown_ms"
lvbench shutdown lvctl "$NSHUT" "$GUEST/vmlinux.gz" "$GUEST/initrd.gz"
settle "$NSHUT"
section lvctl-saverestore.csv
echo "n,save_ms,restore_ms"
lvbench saverestore lvctl "$NSAVE" "$GUEST/vmlinux.gz" "$GUEST/initrd.gz" "$SAVE_MB"
settle 1

# lvctl again, with the daemon keeping a pool of shells of the guests' size.
lvctl daemon -F --pool "$NOOP_MB:1:$POOL_SHELLS" 2>/tmp/bench-daemon.log &
daemon_pid=$!
for ((i = 0; i < 600; i++)); do
	pool_full && break
	sleep 0.1
done
pool_full || { echo "bench: the daemon's pool did not fill in 60 s" >&2; exit 1; }
create_series pool lvctl-pool lvctl "$N" "$LVCTL_COLUMNS"
kill "$daemon_pid"
wait "$daemon_pid"
settle "$N"

# Then xl, with its toolstack.
start_xl_toolstack
create_series xl xl xl "$NXL" "n,create_ms,exit_ms"

section xl-shutdown.csv
echo "n,shutdown_ms"
lvbench shutdown xl "$NSHUT" "$GUEST/vmlinux.gz" "$GUEST/initrd.gz"
section xl-saverestore.csv
echo "n,save_ms,restore_ms"
lvbench saverestore xl "$NSAVE" "$GUEST/vmlinux.gz" "$GUEST/initrd.gz" "$SAVE_MB"
stop_xl_toolstack

section memory.csv
echo "$memory"
section end
