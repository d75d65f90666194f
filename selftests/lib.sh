# SPDX-License-Identifier: GPL-2.0
# lib.sh - TAP helpers for the shell selftests (sourced).
#
#   plan N          print the plan
#   ok STATUS DESC  one check: STATUS 0 passes
#   done_testing    exit 0 if all passed and the plan was met, else 1

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
