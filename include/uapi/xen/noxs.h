/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * noxs.h - the lightvm NoXS ABI: ioctls of /dev/xen/noxs.
 *
 * This is the one interface between lvctl and the dom0 modules, and later
 * also the layout of the pages shared with guests. Rules, after
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

#define NOXS_DEVICE_PATH	"/dev/xen/noxs"

#define NOXS_ABI_MAJOR		1
#define NOXS_ABI_MINOR		0

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
 */

/* Room for a name and its NUL. Names are [A-Za-z0-9_.-], not empty. */
#define NOXS_NAME_SIZE		64

/**
 * struct noxs_ioctl_guest_create - NOXS_IOCTL_GUEST_CREATE argument
 * @domid:	in: the new domain, created but not yet built
 * @flags:	in: must be zero
 * @name:	in: NUL-terminated, unique among noxs guests (-EEXIST)
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
 * @created_ns:	out: CLOCK_BOOTTIME of dom0 when it was registered
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

/*
 * The device directory page: one page that dom0 grants (read-only) to the
 * guest, listing the guest's NoXS devices. The guest learns where it is
 * from its command line: "noxs=<backend domid>:<grant ref>", which lvctl
 * appends (see Documentation/design.md). Guests must check @magic and
 * @version, and trust no entry beyond @nr_entries or NOXS_DIR_MAX_ENTRIES.
 */
#define NOXS_DIR_MAGIC		0x53584f4eU	/* "NOXS" */
#define NOXS_DIR_VERSION	1

/* noxs_dir_entry.type; 0 marks a free entry. */
#define NOXS_DEV_NONE		0

/**
 * struct noxs_dir_entry - one device of a guest
 * @type:	NOXS_DEV_*
 * @id:		the device's index among the guest's devices of its type
 * @backend_domid: the domain that serves it
 * @gref:	grant reference of its control page, granted by the backend
 * @evtchn:	the backend's event channel port, unbound, for the guest
 *		to bind (EVTCHNOP_bind_interdomain)
 * @pad:	zero
 */
struct noxs_dir_entry {
	__u32 type;
	__u32 id;
	__u32 backend_domid;
	__u32 gref;
	__u32 evtchn;
	__u32 pad[3];
};

#define NOXS_DIR_HEADER_SIZE	16
#define NOXS_DIR_MAX_ENTRIES	((4096 - NOXS_DIR_HEADER_SIZE) / \
				 sizeof(struct noxs_dir_entry))

/**
 * struct noxs_dir_page - the layout of the directory page
 * @magic:	NOXS_DIR_MAGIC
 * @version:	NOXS_DIR_VERSION
 * @nr_entries:	how many of @entries are in use, at most NOXS_DIR_MAX_ENTRIES
 * @pad:	zero
 * @entries:	the devices
 */
struct noxs_dir_page {
	__u32 magic;
	__u32 version;
	__u32 nr_entries;
	__u32 pad;
	struct noxs_dir_entry entries[NOXS_DIR_MAX_ENTRIES];
};

#endif /* _UAPI_XEN_NOXS_H */
