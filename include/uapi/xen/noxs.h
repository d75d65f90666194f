/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * noxs.h - the lightvm NoXS ABI: ioctls of /dev/xen/noxs.
 *
 * This is the one interface between lvctl and the dom0 modules. What dom0
 * shares with guests (the pages' layouts) is the guest wire protocol, in
 * noxs_wire.h. Rules, after
 * Documentation/process/botching-up-ioctls.rst:
 *
 *  - only fixed-width types (__u32/__u64), naturally aligned, with explicit
 *    padding, so that 32-bit and 64-bit userspace see one layout;
 *  - every padding field and every unknown flag must be zero; the kernel
 *    rejects anything else with -EINVAL, so the bits stay usable later;
 *  - every structure is versioned by its ioctl number's size: a structure
 *    only ever grows at its end, and a grown structure gets a new number;
 *  - NOXS_IOCTL_VERSION answers the ABI version, which userspace checks
 *    first. The major number changes only on an incompatible change.
 */
#ifndef _UAPI_XEN_NOXS_H
#define _UAPI_XEN_NOXS_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* The pages shared with guests, and the device types. */
#include "noxs_wire.h"

#define NOXS_DEVICE_PATH	"/dev/xen/noxs"

#define NOXS_ABI_MAJOR		1
#define NOXS_ABI_MINOR		7

/*
 * ioctl type 'N', numbers 0xC0-0xDF. 'N' is shared with nvme (0x40-0x4F)
 * and ndctl (low numbers); this range is free there. Only this character
 * device answers these numbers, so an ioctl sent to the wrong device fails
 * with -ENOTTY rather than doing anything.
 */
#define NOXS_IOCTL_TYPE		'N'
#define NOXS_IOCTL_NR_BASE	0xC0

/**
 * struct noxs_ioctl_version - NOXS_IOCTL_VERSION argument
 * @major: out: NOXS_ABI_MAJOR of the running module
 * @minor: out: NOXS_ABI_MINOR of the running module
 * @flags: in: must be zero (no flags are defined)
 * @pad:   in: must be zero
 */
struct noxs_ioctl_version {
	__u32 major;
	__u32 minor;
	__u32 flags;
	__u32 pad;
};

#define NOXS_IOCTL_VERSION \
	_IOWR(NOXS_IOCTL_TYPE, NOXS_IOCTL_NR_BASE + 0, struct noxs_ioctl_version)

/*
 * Guests. lvctl registers every guest it builds with the noxs module, which
 * then owns the guest's NoXS state in dom0: its name, its device directory
 * page (granted to the guest) and its console backend.
 *
 * Order of calls for one guest (see Documentation/design.md):
 *   xc_domain_create -> NOXS_IOCTL_GUEST_CREATE (name, directory grant)
 *   -> build the image, with "noxs=<backend>:<gref>" on its command line
 *   -> NOXS_IOCTL_CONSOLE_ATTACH -> unpause -> NOXS_IOCTL_GUEST_COMMIT.
 * A guest not yet committed belongs to the file that created it: if that
 * file is closed first (lvctl failed or was killed), its state is torn
 * down, so that nothing is left behind.
 *
 * Pool shells (ABI 1.1): the daemon registers a domain before anyone asks
 * for it, with NOXS_GUEST_CREATE_SHELL and no name, and names it with
 * NOXS_IOCTL_GUEST_NAME when a request takes it. A shell has an empty name
 * in NOXS_IOCTL_GUEST_INFO and cannot be committed.
 */

/* Room for a name and its NUL. Names are [A-Za-z0-9_.-], not empty. */
#define NOXS_NAME_SIZE		64

/* noxs_ioctl_guest_create.flags: a pool shell, @name all zero. */
#define NOXS_GUEST_CREATE_SHELL	(1U << 0)

/**
 * struct noxs_ioctl_guest_create - NOXS_IOCTL_GUEST_CREATE argument
 * @domid:	in: the new domain, created but not yet built
 * @flags:	in: NOXS_GUEST_CREATE_SHELL or zero
 * @name:	in: NUL-terminated, unique among noxs guests (-EEXIST); all
 *		zero for a shell
 * @dir_gref:	out: grant reference of the guest's device directory page
 * @backend_domid: out: the domain that granted it (the caller's)
 */
struct noxs_ioctl_guest_create {
	__u32 domid;
	__u32 flags;
	char name[NOXS_NAME_SIZE];
	__u32 dir_gref;
	__u32 backend_domid;
};

/**
 * struct noxs_ioctl_guest - argument of the ioctls that name one guest
 * @domid:	in: the guest
 * @flags:	in: must be zero
 */
struct noxs_ioctl_guest {
	__u32 domid;
	__u32 flags;
};

/**
 * struct noxs_ioctl_console_attach - NOXS_IOCTL_CONSOLE_ATTACH argument
 * @domid:	in: the guest, built (its grant table seeded) but not running
 * @port:	in: the guest's console event channel, unbound, remote dom0
 * @flags:	in: must be zero
 * @pad:	in: must be zero
 *
 * From then on the module drains the guest's console ring and keeps its
 * recent output (the noxs.console_history_kb module parameter).
 */
struct noxs_ioctl_console_attach {
	__u32 domid;
	__u32 port;
	__u32 flags;
	__u32 pad;
};

/* noxs_ioctl_guest_info.flags: look the guest up by @name, not @domid. */
#define NOXS_GUEST_INFO_BY_NAME	(1U << 0)

/**
 * struct noxs_ioctl_guest_info - NOXS_IOCTL_GUEST_INFO argument
 * @domid:	in (or out, with NOXS_GUEST_INFO_BY_NAME): the guest
 * @flags:	in: NOXS_GUEST_INFO_BY_NAME or zero
 * @name:	out (or in, with NOXS_GUEST_INFO_BY_NAME): its name
 * @created_ns:	out: CLOCK_BOOTTIME of dom0 when it was registered (a
 *		shell: when NOXS_IOCTL_GUEST_NAME named it, ABI 1.2)
 * @committed:	out: 1 once NOXS_IOCTL_GUEST_COMMIT was called, else 0
 * @pad:	in: must be zero
 */
struct noxs_ioctl_guest_info {
	__u32 domid;
	__u32 flags;
	char name[NOXS_NAME_SIZE];
	__u64 created_ns;
	__u32 committed;
	__u32 pad;
};

/**
 * struct noxs_ioctl_console_open - NOXS_IOCTL_CONSOLE_OPEN argument
 * @domid:	in: the guest
 * @flags:	in: must be zero
 * @fd:		out: a file that reads the guest's console output (first the
 *		kept history, then what follows; end of file once the guest
 *		is destroyed) and writes to its console input
 * @pad:	in: must be zero
 */
struct noxs_ioctl_console_open {
	__u32 domid;
	__u32 flags;
	__s32 fd;
	__u32 pad;
};

/**
 * struct noxs_ioctl_stats - NOXS_IOCTL_STATS argument: what the module
 * holds right now. Everything is zero again once every guest is gone.
 * @guests:		guest records
 * @grants:		pages granted to guests
 * @mapped:		guest pages mapped into dom0
 * @evtchns:		event channels bound
 * @console_bytes:	memory held for console history
 * @flags:		in: must be zero
 * @pad:		in: must be zero
 */
struct noxs_ioctl_stats {
	__u32 guests;
	__u32 grants;
	__u32 mapped;
	__u32 evtchns;
	__u64 console_bytes;
	__u32 flags;
	__u32 pad;
};

#define NOXS_IOCTL_GUEST_CREATE \
	_IOWR(NOXS_IOCTL_TYPE, NOXS_IOCTL_NR_BASE + 1, struct noxs_ioctl_guest_create)
#define NOXS_IOCTL_CONSOLE_ATTACH \
	_IOW(NOXS_IOCTL_TYPE, NOXS_IOCTL_NR_BASE + 2, struct noxs_ioctl_console_attach)
#define NOXS_IOCTL_GUEST_COMMIT \
	_IOW(NOXS_IOCTL_TYPE, NOXS_IOCTL_NR_BASE + 3, struct noxs_ioctl_guest)
#define NOXS_IOCTL_GUEST_DESTROY \
	_IOW(NOXS_IOCTL_TYPE, NOXS_IOCTL_NR_BASE + 4, struct noxs_ioctl_guest)
#define NOXS_IOCTL_GUEST_INFO \
	_IOWR(NOXS_IOCTL_TYPE, NOXS_IOCTL_NR_BASE + 5, struct noxs_ioctl_guest_info)
#define NOXS_IOCTL_CONSOLE_OPEN \
	_IOWR(NOXS_IOCTL_TYPE, NOXS_IOCTL_NR_BASE + 6, struct noxs_ioctl_console_open)
#define NOXS_IOCTL_STATS \
	_IOWR(NOXS_IOCTL_TYPE, NOXS_IOCTL_NR_BASE + 7, struct noxs_ioctl_stats)


/**
 * struct noxs_ioctl_device - NOXS_IOCTL_DEVICE_CREATE/_DESTROY argument
 * @domid:	in: the guest, registered with NOXS_IOCTL_GUEST_CREATE
 * @type:	in: NOXS_DEV_*
 * @id:		in: the device's index among the guest's devices of @type
 * @flags:	in: must be zero
 */
struct noxs_ioctl_device {
	__u32 domid;
	__u32 type;
	__u32 id;
	__u32 flags;
};

/* noxs_ioctl_device_query.state: the backend's view of the device. */
#define NOXS_DEVICE_WAITING	0	/* no frontend has connected yet */
#define NOXS_DEVICE_CONNECTED	1	/* the frontend said it is there */

/**
 * struct noxs_ioctl_device_query - NOXS_IOCTL_DEVICE_QUERY argument
 * @domid, @type, @id, @flags: in, as for struct noxs_ioctl_device
 * @state:	out: NOXS_DEVICE_*
 * @features:	out: what the frontend advertised (per type)
 * @gref:	out: grant reference of the control page
 * @evtchn:	out: the backend's event channel port
 * @events:	out: events received from the frontend
 * @rejected:	out: frontend writes the backend refused (bad values)
 */
struct noxs_ioctl_device_query {
	__u32 domid;
	__u32 type;
	__u32 id;
	__u32 flags;
	__u32 state;
	__u32 features;
	__u32 gref;
	__u32 evtchn;
	__u64 events;
	__u64 rejected;
};

/* noxs_ioctl_guest_close.reason: the NOXS_SYSCTL_REQ_* of the same name */
#define NOXS_CLOSE_POWEROFF	NOXS_SYSCTL_REQ_POWEROFF
#define NOXS_CLOSE_REBOOT	NOXS_SYSCTL_REQ_REBOOT
#define NOXS_CLOSE_SUSPEND	NOXS_SYSCTL_REQ_SUSPEND

/**
 * struct noxs_ioctl_guest_close - NOXS_IOCTL_GUEST_CLOSE argument: ask the
 * guest, through its sysctl device, to power off, reboot or suspend.
 * @domid:	in: the guest
 * @reason:	in: NOXS_CLOSE_*
 * @timeout_ms:	in: how long to wait for the guest's acknowledgement
 *		(at most 60000); 0 posts the request without waiting
 * @flags:	in: must be zero
 *
 * -EOPNOTSUPP: the guest has no connected sysctl frontend, or it did not
 * advertise @reason. -ETIMEDOUT: no acknowledgement in time. -EREMOTEIO:
 * the guest refused. -ESHUTDOWN (ABI 1.2): the guest was destroyed before
 * it answered; a destroy never waits for a pending request.
 *
 * Restartable (ABI 1.2): a signal ends the wait with -ERESTARTSYS (EINTR
 * in userspace unless the handler has SA_RESTART), and the request stays
 * posted. A call with the same @reason while that request is unanswered
 * posts nothing new: it waits for the same answer. Each call waits up to
 * its own @timeout_ms.
 */
struct noxs_ioctl_guest_close {
	__u32 domid;
	__u32 reason;
	__u32 timeout_ms;
	__u32 flags;
};

#define NOXS_CLOSE_TIMEOUT_MAX_MS	60000

#define NOXS_IOCTL_DEVICE_CREATE \
	_IOW(NOXS_IOCTL_TYPE, NOXS_IOCTL_NR_BASE + 8, struct noxs_ioctl_device)
#define NOXS_IOCTL_DEVICE_DESTROY \
	_IOW(NOXS_IOCTL_TYPE, NOXS_IOCTL_NR_BASE + 9, struct noxs_ioctl_device)
#define NOXS_IOCTL_DEVICE_QUERY \
	_IOWR(NOXS_IOCTL_TYPE, NOXS_IOCTL_NR_BASE + 10, struct noxs_ioctl_device_query)
#define NOXS_IOCTL_GUEST_CLOSE \
	_IOW(NOXS_IOCTL_TYPE, NOXS_IOCTL_NR_BASE + 11, struct noxs_ioctl_guest_close)

/**
 * struct noxs_ioctl_guest_request - NOXS_IOCTL_GUEST_REQUEST argument (ABI
 * 1.3): any request of the sysctl device, with its argument. It behaves
 * as NOXS_IOCTL_GUEST_CLOSE does (the same errors, restartable, joins an
 * unanswered request of the same kind and argument).
 * @domid:	in: the guest
 * @request:	in: NOXS_SYSCTL_REQ_POWEROFF .. NOXS_SYSCTL_REQ_MAX
 * @arg:	in: for NOXS_SYSCTL_REQ_SYSRQ the key (a printable ASCII
 *		character but space); zero for the others
 * @timeout_ms:	in: as for NOXS_IOCTL_GUEST_CLOSE
 * @flags:	in: must be zero
 * @pad:	in: must be zero
 */
struct noxs_ioctl_guest_request {
	__u32 domid;
	__u32 request;
	__u32 arg;
	__u32 timeout_ms;
	__u32 flags;
	__u32 pad;
};

#define NOXS_IOCTL_GUEST_REQUEST \
	_IOW(NOXS_IOCTL_TYPE, NOXS_IOCTL_NR_BASE + 13, struct noxs_ioctl_guest_request)

/**
 * struct noxs_ioctl_guest_name - NOXS_IOCTL_GUEST_NAME argument: name a
 * shell this file created (ABI 1.1). -EPERM if it is another file's or
 * committed, -EBUSY if it has a name already, -EEXIST if the name is taken.
 *
 * With NOXS_GUEST_NAME_RENAME (ABI 1.7), gives a committed guest a new
 * name instead: any file may, as any file may destroy it. -ENOENT if there
 * is no such guest, -EINVAL if it is a shell (it has no name to change),
 * -EBUSY if its creator has not committed it yet, -EEXIST if another guest
 * has the name; its own name again is no change and succeeds. Its uptime
 * still counts from when it was created.
 * @domid:	in: the shell, or the guest to rename
 * @flags:	in: 0 or NOXS_GUEST_NAME_RENAME
 * @name:	in: as for NOXS_IOCTL_GUEST_CREATE
 */
struct noxs_ioctl_guest_name {
	__u32 domid;
	__u32 flags;
	char name[NOXS_NAME_SIZE];
};

#define NOXS_GUEST_NAME_RENAME	(1U << 0)

#define NOXS_IOCTL_GUEST_NAME \
	_IOW(NOXS_IOCTL_TYPE, NOXS_IOCTL_NR_BASE + 12, struct noxs_ioctl_guest_name)

/*
 * Devices with parameters (ABI 1.4). NOXS_IOCTL_DEVICE_ADD is
 * NOXS_IOCTL_DEVICE_CREATE with the device type's parameters: for
 * NOXS_DEV_VIF a struct noxs_vif_params, for NOXS_DEV_VBD a struct
 * noxs_vbd_params (ABI 1.5), for NOXS_DEV_SYSCTL all zero. Unused bytes
 * of @params must be zero. -ENODEV if no backend module serves the type
 * (split-back for a vif or a vbd), -EINVAL for bad parameters.
 */
#define NOXS_DEVICE_PARAMS_SIZE	48

/**
 * struct noxs_vif_params - a vif's parameters
 * @mac:	the guest's MAC address: unicast, not all zero
 * @pad:	zero
 */
struct noxs_vif_params {
	__u8 mac[6];
	__u8 pad[NOXS_DEVICE_PARAMS_SIZE - 6];
};

/* noxs_vbd_params.flags */
#define NOXS_VBD_READONLY	(1U << 0)	/* the guest may not write */
#define NOXS_VBD_FLAGS		NOXS_VBD_READONLY

/**
 * struct noxs_vbd_params - a vbd's parameters (the device's id is its
 * virtual-device number: (202 << 8) | (N << 4) for xvda-xvdp, or
 * (1 << 28) | (N << 8) beyond)
 * @major, @minor: the dom0 block device behind it (for a disk image, a
 *		loop device over the file). split-back holds it open for the
 *		vbd's life, exclusively when read-write: -ENXIO if there is
 *		no such device, -EBUSY if it is in use read-write by another
 *		vbd or mounted, or read-write is asked of one another vbd
 *		reads, -EROFS if it is read-only and @flags ask for writes
 * @flags:	NOXS_VBD_*
 * @pad:	zero
 */
struct noxs_vbd_params {
	__u32 major;
	__u32 minor;
	__u32 flags;
	__u8 pad[NOXS_DEVICE_PARAMS_SIZE - 12];
};

/**
 * struct noxs_ioctl_device_add - NOXS_IOCTL_DEVICE_ADD argument
 * @domid, @type, @id, @flags: as for struct noxs_ioctl_device
 * @params:	in: the type's parameters
 */
struct noxs_ioctl_device_add {
	__u32 domid;
	__u32 type;
	__u32 id;
	__u32 flags;
	__u8 params[NOXS_DEVICE_PARAMS_SIZE];
};

#define NOXS_IOCTL_DEVICE_ADD \
	_IOW(NOXS_IOCTL_TYPE, NOXS_IOCTL_NR_BASE + 14, struct noxs_ioctl_device_add)

/*
 * The hotplug step of a device (ABI 1.4): what xl's hotplug scripts tell a
 * backend when they are done. For a vif, lvctl attaches the backend's
 * network interface (vifDOMID.ID) to its bridge and then reports
 * NOXS_HOTPLUG_CONNECTED: xen-netback connects only after that.
 * -EOPNOTSUPP for a device type without a hotplug step.
 */
#define NOXS_HOTPLUG_CONNECTED	1

/**
 * struct noxs_ioctl_device_hotplug - NOXS_IOCTL_DEVICE_HOTPLUG argument
 * @domid, @type, @id: the device
 * @status:	in: NOXS_HOTPLUG_CONNECTED
 */
struct noxs_ioctl_device_hotplug {
	__u32 domid;
	__u32 type;
	__u32 id;
	__u32 status;
};

#define NOXS_IOCTL_DEVICE_HOTPLUG \
	_IOW(NOXS_IOCTL_TYPE, NOXS_IOCTL_NR_BASE + 15, struct noxs_ioctl_device_hotplug)

/*
 * A guest's settings (ABI 1.6): its online vCPUs and its memory target,
 * carried on its sysctl page (struct noxs_sysctl_page) as state, not as
 * a request: they are kept there, whether or not a frontend is connected
 * yet, and a frontend applies the latest when it connects and whenever
 * they change. Its kernel acts on them as on a toolstack's store keys
 * (cpu/N/availability, memory/target).
 */
#define NOXS_SETTINGS_VCPUS	(1U << 0)	/* @vcpus is set */
#define NOXS_SETTINGS_TARGET	(1U << 1)	/* @target_kib is set */
#define NOXS_SETTINGS_FLAGS	(NOXS_SETTINGS_VCPUS | NOXS_SETTINGS_TARGET)

#define NOXS_SETTINGS_MAX_VCPUS	128		/* Xen's limit for a PV guest */

/**
 * struct noxs_ioctl_guest_settings - NOXS_IOCTL_GUEST_SETTINGS argument
 * @domid:	in: the guest
 * @flags:	in: NOXS_SETTINGS_*, at least one; the others stay as they are
 * @vcpus:	in: with NOXS_SETTINGS_VCPUS: 1 to NOXS_SETTINGS_MAX_VCPUS,
 *		else zero
 * @target_kib:	in: with NOXS_SETTINGS_TARGET: more than zero, else zero
 * @timeout_ms:	in: 0 returns once the settings are on the page; else
 *		waits for the frontend to apply them (at most
 *		NOXS_CLOSE_TIMEOUT_MAX_MS): -ETIMEDOUT if it did not, and
 *		-EOPNOTSUPP at once if no frontend that applies every setting
 *		asked for is connected (the settings stay on the page); a
 *		signal returns -ERESTARTSYS, and the call can be repeated
 * @pad:	in: must be zero
 *
 * -ENOENT: no such guest; -EOPNOTSUPP also for a guest without a sysctl
 * device; -ESHUTDOWN: the guest went while waiting.
 */
struct noxs_ioctl_guest_settings {
	__u32 domid;
	__u32 flags;
	__u32 vcpus;
	__u32 target_kib;
	__u32 timeout_ms;
	__u32 pad;
};

#define NOXS_IOCTL_GUEST_SETTINGS \
	_IOW(NOXS_IOCTL_TYPE, NOXS_IOCTL_NR_BASE + 16, struct noxs_ioctl_guest_settings)

#endif /* _UAPI_XEN_NOXS_H */
