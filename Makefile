# SPDX-License-Identifier: GPL-2.0
#
# lightvm: XenStore-less Xen guests. See README.md.
#
#   make            modules, lvctl and selftests, staged under build/stage
#   make check      host unit tests, then all selftests inside a Xen dom0
#                   booted under QEMU; ends with "N passed, M failed"
#   make run        boots the testbed: a Xen host with lightvm loaded
#   make bench      lvctl against xl (N=1000 NXL=250 NSHUT=3 NSAVE=10 NVIF=50 NROUNDS=3); writes
#                   Documentation/benchmarks.md
#   make deps       installs the Debian packages all of this needs
#   make install    modules (to /lib/modules/KVER/extra, then depmod), lvctl,
#                   liblightvm, headers, man page; DESTDIR and PREFIX
#                   (default /usr/local) as usual
#   make dkms-install  registers the modules with DKMS instead
#
# The kernel is the testbed's (tools/testbed/kernel-version) unless KDIR
# says otherwise; on a real dom0: make KDIR=/lib/modules/$(uname -r)/build

TOP      := $(CURDIR)
BUILD    ?= $(TOP)/build
STAGE    := $(BUILD)/stage
VERSION  := $(shell cat $(TOP)/VERSION)

# Recursive (=): resolved only when used, after `deps` has run.
KVER      = $(shell BUILD=$(BUILD) $(TOP)/tools/testbed/kernel-version)
KDIR     ?= /lib/modules/$(KVER)/build

PREFIX   ?= /usr/local
DESTDIR  ?=
# Where install-tools puts the library and the systemd unit; Debian's
# packaging sets them (a multiarch libdir, /lib/systemd/system).
LIBDIR   ?= $(PREFIX)/lib
UNITDIR  ?= $(PREFIX)/lib/systemd/system
# initramfs-tools reads hooks from /etc (the admin's) and /usr/share
# (packages'): not from under /usr/local.
HOOKDIR  ?= /etc/initramfs-tools/hooks

MODULES  := drivers/xen/noxs/noxs.ko \
	    drivers/xen/sysctl-back/sysctl-back.ko \
	    drivers/xen/noxs-store/noxs-store.ko \
	    drivers/xen/noxs-front/noxs-front.ko \
	    drivers/xen/sysctl-front/sysctl-front.ko \
	    drivers/xen/split-back/split-back.ko \
	    drivers/xen/split-front/split-front.ko

export BUILD

all: stage

# Only when something is missing, so that a ready machine never waits on apt.
deps-if-missing:
	@$(TOP)/tools/install-deps --check || $(TOP)/tools/install-deps

deps:
	$(TOP)/tools/install-deps

modules:
	$(MAKE) -C $(KDIR) M=$(TOP) W=1 modules

liblightvm:
	$(MAKE) -C lib/liblightvm TOP=$(TOP) PREFIX=$(PREFIX)

lvctl: liblightvm
	$(MAKE) -C tools/lvctl TOP=$(TOP)

selftests: liblightvm
	$(MAKE) -C selftests TOP=$(TOP)

guests:
	$(MAKE) -C guests/noop TOP=$(TOP)

bench-tools: liblightvm
	$(MAKE) -C tools/bench TOP=$(TOP)

stage: modules lvctl selftests guests bench-tools
	rm -rf $(STAGE)
	install -d $(STAGE)/modules $(STAGE)/bin $(STAGE)/selftests \
		$(STAGE)/guests
	install -m 0644 $(MODULES) $(STAGE)/modules/
	install -m 0755 tools/lvctl/lvctl tools/bench/lvbench $(STAGE)/bin/
	$(MAKE) -s -C selftests TOP=$(TOP) DESTDIR=$(STAGE)/selftests install
	install -m 0644 guests/noop/noop $(STAGE)/guests/

unit-check:
	@$(MAKE) -s lvctl selftests
	@echo "# unit: uapi_layout"
	@selftests/unit/uapi_layout
	@echo "# unit: api_layout"
	@selftests/unit/api_layout
	@echo "# unit: config_keys"
	@selftests/unit/config_keys
	@echo "# unit: config_file"
	@selftests/unit/config_file 2>/dev/null
	@echo "# unit: store"
	@selftests/unit/store
	@echo "# unit: relay"
	@selftests/unit/relay
	@echo "# unit: migrate_link"
	@selftests/unit/migrate_link
	@echo "# unit: lvctl_cli"
	@sh selftests/unit/lvctl_cli.sh tools/lvctl/lvctl
	@echo "# unit: install"
	@sh selftests/unit/install.sh $(TOP)

# The packages (make deb) go into a Debian 12 chroot with the testbed's
# kernel (tools/deb/check, TAP); then the stage takes lvctl and the
# modules from them, and a Debian guest made with their initramfs hook, so
# that the testbed boots run on what the packages install.
deb-check: deb
	$(TOP)/tools/deb/check $(BUILD)/deb $(KVER) $(BUILD)/deb-check
	$(TOP)/tools/deb/stage $(BUILD)/deb $(BUILD)/deb-check $(STAGE)

# One testbed boot runs every single-host selftest, a boot of its own
# lightvm beside xenstored and xl (dom0's store changes hands only at
# boot), a two-host boot the migration tests, all from the packages'
# contents (deb-check); tools/check-summary counts
# the TAP of all parts and fails the target if anything failed.
check: deps-if-missing
	@mkdir -p $(BUILD)
	@$(MAKE) --no-print-directory stage >$(BUILD)/build.log 2>&1 || \
		{ cat $(BUILD)/build.log; exit 1; }
	@$(TOP)/tools/check-summary $(BUILD)/check.log \
		"$(MAKE) --no-print-directory unit-check" \
		"$(MAKE) --no-print-directory deb-check" \
		"$(TOP)/tools/testbed/run --timeout 3600 $(TOP)/selftests/testbed-check.sh" \
		"$(TOP)/tools/testbed/run --timeout 1200 $(TOP)/selftests/testbed-check-xenstored.sh" \
		"$(TOP)/tools/testbed/run --hosts 2 --timeout 2400 $(TOP)/selftests/testbed-check-hosts.sh"

# Beside xenstored and xl alone.
check-xenstored: deps-if-missing
	@mkdir -p $(BUILD)
	@$(MAKE) --no-print-directory stage >$(BUILD)/build.log 2>&1 || \
		{ cat $(BUILD)/build.log; exit 1; }
	@$(TOP)/tools/check-summary $(BUILD)/check-xenstored.log \
		"$(TOP)/tools/testbed/run --timeout 1200 $(TOP)/selftests/testbed-check-xenstored.sh"

# The two-host part alone.
check-hosts: deps-if-missing
	@mkdir -p $(BUILD)
	@$(MAKE) --no-print-directory stage >$(BUILD)/build.log 2>&1 || \
		{ cat $(BUILD)/build.log; exit 1; }
	@$(TOP)/tools/check-summary $(BUILD)/check-hosts.log \
		"$(TOP)/tools/testbed/run --hosts 2 --timeout 2400 $(TOP)/selftests/testbed-check-hosts.sh"

# lvctl (CLI and API) against xl, in one testbed run; not part of check.
# About an hour. Short form (every series, few guests; under 10 minutes):
# make bench N=20 NXL=20 NSHUT=1 NSAVE=3 NVIF=5 NROUNDS=1
N     ?= 1000
NXL   ?= 250
NSHUT ?= 3
NSAVE ?= 10
NVIF  ?= 50
NROUNDS ?= 3
NMIG  ?= 3
bench: deps-if-missing stage
	@$(TOP)/tools/install-deps --check --bench || $(TOP)/tools/install-deps --bench
	$(TOP)/tools/bench/run $(N) $(NXL) $(NSHUT) $(NSAVE) $(NVIF) $(NROUNDS) $(NMIG)

run: deps-if-missing stage
	$(TOP)/tools/testbed/run --interactive

# The release of the kernel in KDIR: where its modules go.
KREL      = $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null)

install: install-modules install-tools

# Under DESTDIR (a package's tree) depmod is the package's job; on the
# running system it is done here: kbuild skips it without a System.map.
# Unsigned: the key Debian's kernel config names is not on a build host
# (DKMS signs with its own key where Secure Boot wants it).
install-modules: modules
	$(MAKE) -C $(KDIR) M=$(TOP) INSTALL_MOD_DIR=extra \
		INSTALL_MOD_PATH=$(DESTDIR) CONFIG_MODULE_SIG_ALL= modules_install
	$(if $(DESTDIR),,depmod -a $(KREL))

install-tools: lvctl
	install -D -m 0755 tools/lvctl/lvctl $(DESTDIR)$(PREFIX)/sbin/lvctl
	install -D -m 0644 include/uapi/xen/noxs.h \
		$(DESTDIR)$(PREFIX)/include/xen/noxs.h
	install -D -m 0644 -t $(DESTDIR)$(PREFIX)/include/lightvm \
		include/lightvm/lightvm_api.h include/lightvm/liblightvm.h
	install -D -m 0644 -t $(DESTDIR)$(LIBDIR) lib/liblightvm/liblightvm.a
	install -D -m 0755 -t $(DESTDIR)$(LIBDIR) lib/liblightvm/liblightvm.so.1
	ln -sf liblightvm.so.1 $(DESTDIR)$(LIBDIR)/liblightvm.so
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig
	sed 's|^libdir=.*|libdir=$(LIBDIR)|' lib/liblightvm/liblightvm.pc \
		>$(DESTDIR)$(LIBDIR)/pkgconfig/liblightvm.pc
	install -D -m 0644 Documentation/lvctl.8 \
		$(DESTDIR)$(PREFIX)/share/man/man8/lvctl.8
	install -D -m 0644 tools/bash-completion/lvctl \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/lvctl
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|@SBINDIR@|$(PREFIX)/sbin|' tools/systemd/lightvm.service.in \
		>$(DESTDIR)$(UNITDIR)/lightvm.service

# The guest's side: an initramfs-tools hook that puts the frontends into
# a Debian guest's initramfs (its kernel's modules come from DKMS or
# install-modules).
install-guest:
	install -D -m 0755 tools/initramfs/lightvm-hook \
		$(DESTDIR)$(HOOKDIR)/lightvm

DKMS_SRC    := /usr/src/lightvm-$(VERSION)
# The kernel DKMS builds for: the running one, unless told otherwise.
DKMS_KERNEL ?= $(shell uname -r)

# The modules through DKMS, lvctl and the rest as install-tools puts them.
# Again on the same version replaces what DKMS had of it.
dkms-install: install-tools
	if dkms status lightvm/$(VERSION) | grep -q .; then \
		dkms remove lightvm/$(VERSION) --all; fi
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)
	cp -r Kbuild VERSION include drivers $(DKMS_SRC)/
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf >$(DKMS_SRC)/dkms.conf
	find $(DKMS_SRC) \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' \
		-o -name '*.mod' -o -name '*.mod.c' -o -name 'modules.order' \) -delete
	dkms add lightvm/$(VERSION)
	dkms build lightvm/$(VERSION) -k $(DKMS_KERNEL)
	dkms install lightvm/$(VERSION) -k $(DKMS_KERNEL)

# Debian packages (debhelper, dh-dkms) in build/deb: lightvm-dkms, lvctl,
# liblightvm1, liblightvm-dev, lightvm-guest. See tools/deb/build.
deb:
	@$(TOP)/tools/install-deps --check --deb || $(TOP)/tools/install-deps --deb
	$(TOP)/tools/deb/build $(TOP) $(BUILD)/deb

dkms-uninstall:
	dkms remove lightvm/$(VERSION) --all
	rm -rf $(DKMS_SRC)

clean:
	$(MAKE) -C tools/lvctl TOP=$(TOP) clean
	$(MAKE) -C lib/liblightvm TOP=$(TOP) clean
	$(MAKE) -C selftests TOP=$(TOP) clean
	$(MAKE) -C guests/noop TOP=$(TOP) clean
	$(MAKE) -C tools/bench TOP=$(TOP) clean
	find drivers \( -name '*.o' -o -name '*.ko' -o -name '*.mod' \
		-o -name '*.mod.c' -o -name '.*.cmd' -o -name 'modules.order' \) \
		-delete
	rm -f Module.symvers modules.order .Module.symvers.cmd .modules.order.cmd
	rm -rf $(STAGE)

.PHONY: all deps deps-if-missing modules liblightvm lvctl selftests guests bench-tools bench stage unit-check \
	check check-hosts check-xenstored run install install-modules install-tools install-guest deb deb-check \
	dkms-install dkms-uninstall clean
