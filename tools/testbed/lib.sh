# shellcheck shell=bash disable=SC2034 # variables are for the sourcing scripts
# Common helpers for the testbed scripts (sourced, not executed).
#
# Every testbed script resolves the same locations:
#   REPO  the git work tree holding this file (tools/testbed/..)
#   BUILD build output root; $BUILD env var, default $REPO/build
#   TB    $BUILD/testbed, where everything of the testbed lives

TESTBED_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$TESTBED_DIR/../.." && pwd)
BUILD=${BUILD:-$REPO/build}
# Make BUILD absolute: the scripts cd around and pass paths to QEMU.
mkdir -p "$BUILD"
BUILD=$(cd "$BUILD" && pwd)
TB=$BUILD/testbed

# Xen major.minor the testbed is built for; Debian names packages after it.
XEN_SERIES=4.17

# Diagnostics go to stderr, prefixed, so they never mix into a script's stdout.
log() { printf 'testbed: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# True when $1 is missing or older than any of the remaining paths
# (files or directories, searched recursively).
stale() {
	local out=$1; shift
	[[ -e $out ]] || return 0
	[[ -n $(find "$@" -newer "$out" -print -quit 2>/dev/null) ]]
}
