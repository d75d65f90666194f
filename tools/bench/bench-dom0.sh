#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench-dom0.sh - the part of `make bench` that runs inside the testbed's
# dom0 (tools/testbed/run). Prints CSV sections, each after a line
# "=== NAME.csv", which tools/bench/run splits into files.
#
# Usage: bench-dom0.sh N_LVCTL N_XL N_SHUTDOWN N_SAVE N_VIF ROUNDS
#        bench-dom0.sh --split-lvctl N_VIF ROUNDS
# The first boot runs everything but lvctl's vifs and disks: those need
# dom0's own store served by noxs-store, after which no xenstored can run,
# so they have a boot of their own (--split-lvctl), in the same `make
# bench` run. N_VIF is also the number of guests created with a disk.
set -euo pipefail
# Each section says whether a daemon runs; lvctl create starts none itself.
export LVCTL_AUTODAEMON=0

SPLIT_LVCTL=
if [[ ${1:-} == --split-lvctl ]]; then
	SPLIT_LVCTL=1
	shift
	set -- 0 0 0 0 "$@"
fi
N=${1:?} NXL=${2:?} NSHUT=${3:?} NSAVE=${4:?} NVIF=${5:?} ROUNDS=${6:?}
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

# --- networking: one series per toolstack -------------------------------------
# MiB each TCP transfer carries.
NET_MB=10

net_bridge() {
	modprobe xen-netback
	modprobe bridge
	brctl addbr xenbr0
	ip addr add 10.0.0.1/24 dev xenbr0
	ip link set xenbr0 up
}

# guest_console TOOL NAME: its console so far.
guest_console() {
	if [[ $1 == lvctl ]]; then
		lvctl console -d "$2" 2>/dev/null
	else
		cat "/var/log/xen/console/guest-$2.log" 2>/dev/null
	fi | tr -d '\r'
}

# wait_guest TOOL NAME PATTERN SECONDS
wait_guest() {
	local i
	for ((i = 0; i < $4 * 2; i++)); do
		guest_console "$1" "$2" | grep -q -- "$3" && return 0
		sleep 0.5
	done
	echo "bench: $2 never printed '$3'" >&2
	return 1
}

# net_guest TOOL NAME EXTRA: a Debian-kernel guest with a vif on xenbr0.
net_guest() {
	local cfg=/tmp/bench-$2.cfg
	printf '%s\n' "name = \"$2\"" "kernel = \"$GUEST/vmlinux.gz\"" \
		"ramdisk = \"$GUEST/initrd.gz\"" 'memory = 128' 'vcpus = 1' \
		"vif = [ 'bridge=xenbr0' ]" "extra = \"console=hvc0 $3\"" >"$cfg"
	[[ $1 == xl ]] && echo 'type = "pv"' >>"$cfg"
	if [[ $1 == lvctl ]]; then
		lvctl create "$cfg" >/dev/null
	else
		xl create -q "$cfg"
	fi
}

uptime_cs() {
	local up rest
	read -r up rest </proc/uptime
	echo $((10#${up%.*}${up#*.}))
}

# tcp_lines TOOL DIRECTION NAME: the "sent BYTES in S s" lines of a guest.
tcp_lines() {
	guest_console "$1" "$3" | sed -n 's/^lightvm-net: sent \([0-9]*\) in \([0-9.]*\) s$/\1,\2/p' |
		awk -F, -v t="$1" -v d="$2" '{ printf "%s,%s,%d,%s,%s\n", t, d, NR, $1, $2 }'
}

# net_series TOOL: creation with one vif (noop guests), then TCP through
# xenbr0: dom0 to a guest, guest to guest, guest to dom0, ROUNDS times each.
net_series() {
	local tool=$1 i t0 t1 sink_pid
	section "$tool-vif-create.csv"
	if [[ $tool == lvctl ]]; then
		echo "$LVCTL_COLUMNS"
	else
		echo "n,create_ms,exit_ms"
	fi
	lvbench create "$tool" "$NVIF" "$NOOP" "$NOOP_MB" vif:xenbr0
	section "$tool-vif-destroy.csv"
	echo "n,destroy_ms"
	lvbench destroy "$tool" "$NVIF"
	settle "$NVIF"

	section "$tool-tcp.csv"
	echo "toolstack,direction,round,bytes,seconds"
	net_guest "$tool" sink 'lightvm.ip=eth0:10.0.0.3/24 lightvm.guest=net-sink'
	wait_guest "$tool" sink 'lightvm-net: eth0 queues' 180
	sleep 2
	head -c $((NET_MB << 20)) /dev/urandom >/tmp/bench-tx
	for ((i = 1; i <= ROUNDS; i++)); do
		t0=$(uptime_cs)
		nc 10.0.0.3 5000 </tmp/bench-tx
		t1=$(uptime_cs)
		echo "$tool,dom0-guest,$i,$((NET_MB << 20)),$(((t1 - t0) / 100)).$(printf %02d $(((t1 - t0) % 100)))"
	done
	net_guest "$tool" source "lightvm.ip=eth0:10.0.0.2/24 lightvm.guest=net-source:10.0.0.3:5000:$ROUNDS:$NET_MB"
	wait_guest "$tool" source 'lightvm-net: source done' $((120 + ROUNDS * 120))
	tcp_lines "$tool" guest-guest source
	mkfifo /tmp/bench-hold
	(exec 3<>/tmp/bench-hold; while :; do nc -l -p 5001 <&3 >/dev/null; done) &
	sink_pid=$!
	net_guest "$tool" up "lightvm.ip=eth0:10.0.0.4/24 lightvm.guest=net-source:10.0.0.1:5001:$ROUNDS:$NET_MB"
	wait_guest "$tool" up 'lightvm-net: source done' $((120 + ROUNDS * 120))
	tcp_lines "$tool" guest-dom0 up
	kill "$sink_pid"
	rm -f /tmp/bench-hold
	for i in sink source up; do
		"$tool" destroy "$i"
	done
	settle 3
}

# --- disks: one series per toolstack ------------------------------------------
# MiB each sequential write and read of the throughput guest carries.
DISK_MB=32
DISKS=/tmp/bench-disks

disk_modules() {
	modprobe xen-blkback
	modprobe loop
}

# disk_lines TOOL NAME: the "write|read BYTES in S s" lines of a guest.
disk_lines() {
	guest_console "$1" "$2" |
		sed -n 's/^lightvm-disk: \(write\|read\) \([0-9]*\) in \([0-9.]*\) s$/\1,\2,\3/p' |
		awk -F, -v t="$1" '{ n[$1]++; printf "%s,%s,%d,%s,%s\n", t, $1, n[$1], $2, $3 }'
}

# disk_series TOOL: creation with one disk image (noop guests, each its own
# sparse image), then sequential writes and reads of a Debian-kernel guest
# on a file-backed disk, ROUNDS times.
disk_series() {
	local tool=$1 i cfg=/tmp/bench-diskio.cfg
	rm -rf "$DISKS"
	mkdir -p "$DISKS"
	for ((i = 1; i <= NVIF; i++)); do
		truncate -s 16M "$DISKS/b$i.img"
	done
	section "$tool-disk-create.csv"
	if [[ $tool == lvctl ]]; then
		echo "$LVCTL_COLUMNS"
	else
		echo "n,create_ms,exit_ms"
	fi
	lvbench create "$tool" "$NVIF" "$NOOP" "$NOOP_MB" "disk:$DISKS"
	section "$tool-disk-destroy.csv"
	echo "n,destroy_ms"
	lvbench destroy "$tool" "$NVIF"
	settle "$NVIF"

	section "$tool-disk-io.csv"
	echo "toolstack,direction,round,bytes,seconds"
	truncate -s $((DISK_MB + 16))M "$DISKS/io.img"
	printf '%s\n' 'name = "io"' "kernel = \"$GUEST/vmlinux.gz\"" \
		"ramdisk = \"$GUEST/initrd.gz\"" 'memory = 128' 'vcpus = 1' \
		"disk = [ 'format=raw,vdev=xvda,access=rw,target=$DISKS/io.img' ]" \
		"extra = \"console=hvc0 lightvm.guest=disk-bench:xvda:$DISK_MB:$ROUNDS\"" >"$cfg"
	if [[ $tool == lvctl ]]; then
		lvctl create "$cfg" >/dev/null
	else
		echo 'type = "pv"' >>"$cfg"
		xl create -q "$cfg"
	fi
	wait_guest "$tool" io 'lightvm-disk: bench done' $((180 + ROUNDS * 120))
	disk_lines "$tool" io
	"$tool" destroy io
	rm -rf "$DISKS"
	settle 1
	boot_series "$tool"
}

now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }

# boot_series TOOL: a Tinyx-style guest booted from the testbed's root
# filesystem image (root=/dev/xvda, read-only), ROUNDS times: from the
# create command to its init's line on the console, polled every 0.1 s.
# Each round's guest has a name of its own: xenconsoled appends to a log
# per name, where an earlier round's line would be found at once.
boot_series() {
	local tool=$1 i t0 name cfg
	section "$tool-disk-boot.csv"
	echo "n,boot_ms"
	for ((i = 1; i <= ROUNDS; i++)); do
		name=rootdisk$i cfg=/tmp/bench-$name.cfg
		printf '%s\n' "name = \"$name\"" "kernel = \"$GUEST/vmlinux.gz\"" \
			"ramdisk = \"$GUEST/initrd.gz\"" 'memory = 128' 'vcpus = 1' \
			"disk = [ 'format=raw,vdev=xvda,access=ro,target=$GUEST/rootfs.img' ]" \
			'extra = "console=hvc0 root=/dev/xvda ro lightvm.guest=counter"' >"$cfg"
		[[ $tool == xl ]] && echo 'type = "pv"' >>"$cfg"
		t0=$(now_ms)
		if [[ $tool == lvctl ]]; then
			lvctl create "$cfg" >/dev/null
		else
			xl create -q "$cfg"
		fi
		until guest_console "$tool" "$name" | grep -q '^lightvm-guest: root /dev/xvda'; do
			(($(now_ms) - t0 < 300000)) || { echo "bench: $name did not boot" >&2; return 1; }
			sleep 0.1
		done
		echo "$i,$(($(now_ms) - t0))"
		"$tool" destroy "$name"
		sleep 2
	done
}

echo "# bench: $N lvctl, $NXL xl noop guests ($NOOP_MB MiB), $NSHUT Linux guests for shutdown, $NSAVE save/restore cycles, $NVIF with a vif" >&2

# Until the kernel's random pool is initialised, every xl command blocks
# about 3 s on it (measured: `xl create -n` 3.1 s before, 0.1 s after),
# which is the testbed's youth, not xl's cost. A read of /dev/random makes
# the kernel gather its entropy now (about a second under TCG).
head -c 1 /dev/random >/dev/null

memory="toolstack,guests,xen_kib_per_guest,dom0_kib_per_guest"

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
LVCTL_COLUMNS="n,create_ms,exit_ms,prepare,domain,devices,load,memory,image,console,unpause,exec,vifs,disks"

# pool_full: the daemon's pool holds POOL_SHELLS ready shells of NOOP_MB.
pool_full() {
	lvctl pool 2>/dev/null | awk -v m="$NOOP_MB" -v n="$POOL_SHELLS" \
		'$1 == m && $4 == n { found = 1 } END { exit !found }'
}

# --- the API: liblightvm clients of the daemon ----------------------------------
API_COLUMNS="n,create_ms,reply_ms,source,domain,devices,memory,load,image,console,unpause,vifs,disks,request"
RATE_COLUMNS="tool,device,clients,guests,seconds,guests_per_s"
RATE_CLIENTS=4
RATE_PER=$((N >= 100 ? 25 : 5))
RATE_VIF_PER=$((NVIF >= 8 ? NVIF / 4 : 2))
TEMPLATE_CFG=/tmp/bench-tpl.cfg
printf '%s\n' 'name = "bench-tpl"' "kernel = \"$NOOP\"" "memory = $NOOP_MB" \
	'extra = "noop=block"' >"$TEMPLATE_CFG"
TEMPLATE_VIF_CFG=/tmp/bench-tpl-vif.cfg
cat "$TEMPLATE_CFG" - <<<"vif = [ 'bridge=xenbr0' ]" >"$TEMPLATE_VIF_CFG"
rates=$RATE_COLUMNS
daemon_pid=

# start_daemon ARGS...: an lvctl daemon in the background, once it answers.
start_daemon() {
	local i
	lvctl daemon -F "$@" 2>>/tmp/bench-daemon.log &
	daemon_pid=$!
	for ((i = 0; i < 300; i++)); do
		lvctl pool >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "bench: the daemon did not answer in 30 s" >&2
	return 1
}

stop_daemon() {
	kill "$daemon_pid"
	wait "$daemon_pid"
}

# template_full COUNT: template bench-tpl has COUNT ready shells (within 10 min).
template_full() {
	local i
	for ((i = 0; i < 6000; i++)); do
		lvctl pool 2>/dev/null |
			awk -v n="$1" '$1 == "bench-tpl" && $5 == n { f = 1 } END { exit !f }' &&
			return 0
		sleep 0.1
	done
	echo "bench: template bench-tpl did not fill to $1 shells" >&2
	return 1
}

# api_series MODE [DEVICE]: N noop guests through one API client (from
# scratch, the size pool, or the template), the memory they use, then
# destroyed.
api_series() {
	local mode=$1 device=${2:-} count=${3:-$N} xen0 dom00 suffix=
	[[ -n $device ]] && suffix=-${device%%:*}
	xen0=$(free_kib) dom00=$(dom0_avail_kib)
	section "api-$mode$suffix-create.csv"
	echo "$API_COLUMNS"
	lvbench api "$mode" "$count" "$NOOP" "$NOOP_MB" $device
	[[ -z $device ]] && memory+=$'\n'$(memory_line "api-$mode" "$count" "$xen0" "$dom00")
	section "api-$mode$suffix-destroy.csv"
	echo "n,destroy_ms"
	lvbench api-destroy "$count"
	settle "$count"
}

# rate TOOL PER_CLIENT [DEVICE]: RATE_CLIENTS clients at once.
rate() {
	rates+=$'\n'$(lvbench rate "$1" "$RATE_CLIENTS" "$2" "$NOOP" "$NOOP_MB" ${3:-})
	settle $((RATE_CLIENTS * $2))
}

if [[ -n $SPLIT_LVCTL ]]; then
	echo "# bench: lvctl's vifs and disks: $NVIF noop guests with one of each, $ROUNDS TCP rounds of $NET_MB MiB, $ROUNDS disk rounds of $DISK_MB MiB" >&2
	modprobe split-back
	net_bridge
	net_series lvctl
	# The API with a vif: from a template whose config has one.
	start_daemon --template "$TEMPLATE_VIF_CFG:$POOL_SHELLS"
	template_full "$POOL_SHELLS"
	api_series template vif:xenbr0 "$NVIF"
	lvctl pool --template "$TEMPLATE_VIF_CFG:$((RATE_CLIENTS * RATE_VIF_PER))"
	template_full $((RATE_CLIENTS * RATE_VIF_PER))
	rate api-template "$RATE_VIF_PER" vif:xenbr0
	stop_daemon
	disk_modules
	disk_series lvctl
	section rate-split.csv
	echo "$rates"
	section end
	exit 0
fi

# The floor: starting a program at all, and starting lvctl.
section exec-true.csv
echo "n,exec_ms"
lvbench exec 50 /bin/true
section exec-lvctl.csv
echo "n,exec_ms"
lvbench exec 50 lvctl help

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
api_series pool
kill "$daemon_pid"
wait "$daemon_pid"
settle "$N"

# The API, one long-lived client: from scratch, then from a template;
# and RATE_CLIENTS clients at once, from scratch and from a template
# filled ahead with a shell for each of their guests.
start_daemon
api_series scratch
rate api-scratch "$RATE_PER"
stop_daemon
start_daemon --template "$TEMPLATE_CFG:$POOL_SHELLS"
template_full "$POOL_SHELLS"
api_series template
lvctl pool --template "$TEMPLATE_CFG:$((RATE_CLIENTS * RATE_PER))"
template_full $((RATE_CLIENTS * RATE_PER))
rate api-template "$RATE_PER"
stop_daemon

# Then xl, with its toolstack.
start_xl_toolstack
create_series xl xl xl "$NXL" "n,create_ms,exit_ms"
settle "$NXL"
rate xl "$RATE_PER"

section xl-shutdown.csv
echo "n,shutdown_ms"
lvbench shutdown xl "$NSHUT" "$GUEST/vmlinux.gz" "$GUEST/initrd.gz"
section xl-saverestore.csv
echo "n,save_ms,restore_ms"
lvbench saverestore xl "$NSAVE" "$GUEST/vmlinux.gz" "$GUEST/initrd.gz" "$SAVE_MB"
settle 1
net_bridge
net_series xl
rate xl "$RATE_VIF_PER" vif:xenbr0
disk_modules
disk_series xl
stop_xl_toolstack

section memory.csv
echo "$memory"
section rate.csv
echo "$rates"
section end
