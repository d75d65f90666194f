# SPDX-License-Identifier: GPL-2.0
# lib.sh - TAP and lvctl helpers for the shell selftests (sourced).
#
#   plan N          print the plan
#   ok STATUS DESC  one check: STATUS 0 passes
#   done_testing    exit 0 if all passed and the plan was met, else 1
# and, for tests of guests, the helpers below (POSIX sh, as all of it).

GUEST_DIR=/usr/lib/lightvm/guest

# Each test starts the daemon where it tests it: lvctl create and restore
# start none of their own (daemon_autostart.sh tests that they do).
export LVCTL_AUTODAEMON=0

TAP_N=0
TAP_FAILED=0
TAP_PLANNED=0

plan() {
	TAP_PLANNED=$1
	echo "1..$1"
}

ok() {
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $TAP_N - $2"
	else
		TAP_FAILED=$((TAP_FAILED + 1))
		echo "not ok $TAP_N - $2"
	fi
}

diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

done_testing() {
	if [ "$TAP_N" -ne "$TAP_PLANNED" ]; then
		diag "planned $TAP_PLANNED checks but ran $TAP_N"
		exit 1
	fi
	[ "$TAP_FAILED" -eq 0 ]
}

# info_value KEY: one value of `lvctl info`.
info_value() { lvctl info | sed -n "s/^$1: *//p"; }

# noxs_state: what noxs holds, as one comparable line.
noxs_state() { lvctl info | grep '^noxs_' | tr -s ' \n' ' '; }

# wait_console GUEST PATTERN SECONDS: poll the kept console output.
wait_console() {
	local i=0
	while [ "$i" -lt $(($3 * 2)) ]; do
		lvctl console --no-follow "$1" 2>/dev/null | grep -q -- "$2" && return 0
		sleep 0.5
		i=$((i + 1))
	done
	return 1
}

# wait_until SECONDS COMMAND...: run COMMAND every 0.2 s until it succeeds.
wait_until() {
	local i=0 limit=$(($1 * 5))
	shift
	while [ "$i" -lt "$limit" ]; do
		"$@" && return 0
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}

# on_each_cpu COMMAND...: runs COMMAND once pinned to each of dom0's CPUs.
# Xen keeps a page of grant maptrack per dom0 vCPU that ever mapped a
# grant, for good: a warm-up must map from every vCPU, or the first mapping
# a later cycle makes on another one looks like a leaked page.
on_each_cpu() {
	local cpu status=0
	for cpu in $(seq 0 $(($(nproc) - 1))); do
		taskset -c "$cpu" "$@" || status=1
	done
	return "$status"
}

# free_pages_settle BEFORE [SECONDS]: Xen frees a dead domain's memory a
# little after destroy returns (a big one takes a while under TCG); wait
# (up to SECONDS, default 10) for free memory to come back, print it.
free_pages_settle() {
	local i=0 now
	while [ "$i" -lt $((${2:-10} * 2)) ]; do
		now=$(info_value free_pages)
		[ "$now" -ge "$1" ] && break
		sleep 0.5
		i=$((i + 1))
	done
	echo "$now"
}

# write_cfg NAME LINE...: a config file in $work, from its lines; prints
# its path.
write_cfg() {
	local file=$work/$1.cfg
	shift
	printf '%s\n' "$@" >"$file"
	echo "$file"
}

# domid_of NAME: the guest's domid, or nothing.
domid_of() { lvctl list | awk -v n="$1" '$1 == n { print $2 }'; }

# device_connected NAME TYPE ID: the backend of the guest's device (noxs
# type TYPE: 2 vif, 3 vbd) says its frontend driver is connected.
device_connected() {
	local id
	id=$(domid_of "$1")
	[ -n "$id" ] && noxs_query "$id" "$2" "$3" 2>/dev/null | grep -q '^state 1 '
}

# console_line NAME TAG WHAT: the guest's last "TAG: WHAT..." console
# line, after WHAT.
console_line() {
	lvctl console -d "$1" 2>/dev/null | tr -d '\r' |
		sed -n "s/^$2: $3 *//p" | tail -n 1
}

# show_console NAME: its last lines, for a failure's diagnosis.
show_console() { diag "$1: $(lvctl console -d "$1" 2>/dev/null | tr -d '\r' | tail -n 6)"; }

# store_has PATH: dom0's own store (noxs-store) has that node.
store_has() { store_protocol dir "$1" >/dev/null 2>&1; }

# domain_count: the domains lvctl list shows (dom0 and guests, not shells).
domain_count() { lvctl list --json | grep -c '"domid"'; }

# expect_fail STATUS PATTERN DESC -- ARGS: lvctl ARGS must exit STATUS with
# one line on stderr matching PATTERN, and leave domains and noxs as they were.
expect_fail() {
	local want=$1 pattern=$2 what=$3 out status lines
	shift 4
	out=$(lvctl "$@" 2>&1 >/dev/null)
	status=$?
	lines=$(printf '%s\n' "$out" | grep -c .)
	[ "$status" -eq "$want" ] && [ "$lines" -eq 1 ] &&
		printf '%s\n' "$out" | grep -q -- "$pattern" &&
		[ "$(domain_count)" -eq "$domains0" ] &&
		[ "$(noxs_state)" = "$noxs0" ]
	ok $? "$what: exit $status, '$out'"
}

# host_state: what this host holds for guests, as one comparable line:
# domains by name, noxs's counts, vif interfaces, saved configs.
host_state() {
	printf '%s|%s|%s|%s\n' \
		"$(lvctl list | awk 'NR > 1 { print $1 }' | tr '\n' ' ')" \
		"$(noxs_state)" "$(ls /sys/class/net | grep -c '^vif')" \
		"$(ls /run/lightvm/guests 2>/dev/null | tr '\n' ' ')"
}

# kill_matching SIGNAL REGEX: signals every process whose command line
# matches REGEX (busybox has no pkill). Write the REGEX so that it does not
# match itself ("[m]igrate"), or the caller's shell goes too.
kill_matching() {
	local p
	for p in /proc/[0-9]*; do
		tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -q -- "$2" &&
			kill "$1" "${p#/proc/}" 2>/dev/null
	done
	return 0
}
