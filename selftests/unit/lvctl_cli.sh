#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# lvctl_cli - host-side check of lvctl's command line: exit statuses
# 0/1/2 for ok/failure/usage and one-line errors that name the problem.
# Usage: lvctl_cli.sh PATH-TO-LVCTL

lvctl=${1:?usage: lvctl_cli.sh PATH-TO-LVCTL}
n=0
failed=0

echo "1..35"

# expect STATUS PATTERN DESCRIPTION -- ARGS...: runs lvctl ARGS, checks its
# exit status and that its output (stdout+stderr) matches PATTERN.
expect() {
	want=$1 pattern=$2 what=$3
	shift 4
	out=$("$lvctl" "$@" 2>&1)
	got=$?
	n=$((n + 1))
	if [ "$got" -eq "$want" ] && printf '%s\n' "$out" | grep -q -- "$pattern"; then
		echo "ok $n - $what"
	else
		failed=$((failed + 1))
		echo "not ok $n - $what (exit $got, output: $(printf '%s' "$out" | head -n 1))"
	fi
}

expect 2 '^usage: lvctl COMMAND' "no command is a usage error" --
expect 2 "unknown command 'frobnicate'" "an unknown command is a usage error" -- frobnicate
expect 0 'version' "help lists the commands" -- help
expect 0 'version' "--help lists the commands" -- --help
expect 2 "unknown option '--bogus'" "an unknown option is a usage error" -- version --bogus
expect 2 "unexpected argument 'extra'" "a stray argument is a usage error" -- version extra
expect 0 '^  create ' "help lists create" -- help
expect 2 "expected one NAME|DOMID" "destroy wants one guest" -- destroy a b
expect 2 "'4:1': expected MEMORY:VCPUS:COUNT" "a pool size needs three numbers" -- daemon --pool 4:1
expect 2 "'0:1:4': expected MEMORY:VCPUS:COUNT" "a pool size of 0 MiB is refused" -- daemon -P 0:1:4
expect 2 "'4:1:1025': expected MEMORY:VCPUS:COUNT" "at most 1024 shells a size" -- daemon --pool 4:1:1025
expect 2 "4 MiB, 1 vcpus is given twice" "a pool size given twice is refused" -- daemon -P 4:1:2 -P 4:1:3
expect 2 "unexpected argument 'extra'" "pool takes no arguments" -- pool extra
expect 2 "--set '4:1': expected MEMORY:VCPUS:COUNT" "pool --set needs three numbers" -- pool --set 4:1
expect 2 "--set '4:x:1': expected MEMORY:VCPUS:COUNT" "pool --set takes numbers" -- pool -s 4:x:1
expect 2 "-n 0: expected a number" "events -n 0 is a usage error" -- events -n 0
expect 2 "-t x: expected a number" "events -t x is a usage error" -- events -t x
expect 2 "unexpected argument 'now'" "events takes no arguments" -- events now
expect 2 "expected NAME|DOMID and HOST" "migrate wants a guest and a host" -- migrate web1
expect 2 "unauthenticated link" "migrate --tcp without a key is refused" -- migrate --tcp web1 host-b
expect 2 "--key is for --tcp" "migrate --key without --tcp is refused" -- migrate --key k web1 host-b
expect 2 "an unauthenticated stream never becomes a domain" "migrate-receive --listen without a key is refused" -- migrate-receive --listen 8002
expect 2 "expected a CONFIG file" "create wants a config" -- create
expect 2 "'junk': expected KEY=VALUE" "create takes KEY=VALUE after the config" -- create a.cfg junk
expect 2 "option '-f' needs a value" "create -f wants a file" -- create -f
expect 2 "expected a size" "mem-set takes a size" -- mem-set web1 12q
expect 2 "expected NAME|DOMID and a SIZE" "mem-max wants a guest and a size" -- mem-max web1
expect 2 "expected a number of vCPUs from 1 to 128" "vcpu-set 0 is a usage error" -- vcpu-set web1 0
expect 2 "'-' for both" "vcpu-pin with nothing to pin" -- vcpu-pin web1 all - -
expect 2 "expected a vCPU number" "vcpu-pin takes a vCPU number or all" -- vcpu-pin web1 x 0
expect 2 "-d '0': expected seconds" "top -d 0 is a usage error" -- top -d 0
expect 2 "is not a domain id" "domname takes a domid" -- domname web1
expect 2 "expected NAME|DOMID and NEWNAME" "rename wants a guest and a new name" -- rename web1
expect 2 "a guest has one console, number 0" "console -n 1 is xl's console number" -- console -n 1 web1
expect 1 '^lvctl: *[0-9]' "--version is version (lvctl's, then noxs's: absent here)" -- --version
expect 0 '^  migrate-receive ' "help lists migrate-receive" -- help

[ "$failed" -eq 0 ]
