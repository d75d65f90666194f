#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# install - `make install DESTDIR=... PREFIX=/usr` puts everything under
# DESTDIR: the modules under lib/modules/KREL/extra, lvctl, liblightvm,
# the headers and the man page under PREFIX; twice in a row is fine.
# Usage: install.sh TOP (the modules already built, as make check has them).

top=${1:?usage: install.sh TOP}
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
n=0 failed=0
ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}
echo "1..7"

out=$(make -s -C "$top" install DESTDIR="$dest" PREFIX=/usr 2>&1)
ok $? "make install DESTDIR=... PREFIX=/usr succeeds $(echo "$out" | grep -i error | head -n 1)"
mods=$(find "$dest"/lib/modules/*/extra -name '*.ko' 2>/dev/null | wc -l)
[ "$mods" -eq 7 ]
ok $? "the seven modules are under DESTDIR/lib/modules/KREL/extra ($mods)"
[ -x "$dest/usr/sbin/lvctl" ] && [ -f "$dest/usr/share/man/man8/lvctl.8" ] &&
	[ -f "$dest/usr/lib/liblightvm.so.1" ] && [ -f "$dest/usr/lib/pkgconfig/liblightvm.pc" ] &&
	[ -f "$dest/usr/include/xen/noxs.h" ] && [ -f "$dest/usr/include/lightvm/liblightvm.h" ] &&
	grep -qx 'ExecStart=/usr/sbin/lvctl daemon --foreground' "$dest/usr/lib/systemd/system/lightvm.service"
ok $? "lvctl, its man page, liblightvm, the headers and the systemd unit are under DESTDIR/usr"
[ -z "$(find "$dest" -path "$dest/lib" -prune -o -path "$dest/usr" -prune -o -print | grep -v "^$dest\$")" ]
ok $? "nothing else is under DESTDIR"
make -s -C "$top" install DESTDIR="$dest" PREFIX=/usr >/dev/null 2>&1
ok $? "make install again over it succeeds"
make -s -C "$top" install-guest DESTDIR="$dest/guest" HOOKDIR=/usr/share/initramfs-tools/hooks >/dev/null 2>&1 &&
	[ -x "$dest/guest/usr/share/initramfs-tools/hooks/lightvm" ] &&
	[ "$(cd "$dest/guest" && find . -type f)" = ./usr/share/initramfs-tools/hooks/lightvm ] &&
	sh -n "$dest/guest/usr/share/initramfs-tools/hooks/lightvm"
ok $? "make install-guest puts the initramfs hook (only) under DESTDIR/HOOKDIR"
# DKMS installs only what dkms.conf names: every module Kbuild builds.
missing=
for dir in $(sed -n 's|^obj-m += \(.*\)/$|\1|p' "$top/Kbuild"); do
	grep -qx "BUILT_MODULE_LOCATION\[[0-9]*\]=\"$dir/\"" "$top/dkms.conf" &&
		grep -qx "BUILT_MODULE_NAME\[[0-9]*\]=\"$(basename "$dir")\"" "$top/dkms.conf" ||
		missing="$missing $dir"
done
[ -z "$missing" ] && [ "$(grep -c '^obj-m' "$top/Kbuild")" -eq 7 ]
ok $? "dkms.conf names every module Kbuild builds${missing:+ (missing:$missing)}"
[ "$failed" -eq 0 ]
