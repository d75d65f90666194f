/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * noxs_wire.h - the NoXS guest wire protocol: the layout of every page
 * dom0 shares with a guest, and what each side may write there.
 *
 * A guest trusts nothing dom0 did not promise here, and dom0 trusts
 * nothing the guest writes: each side checks magic, version and every
 * field it reads, on every read. The rules of noxs.h hold: fixed-width
 * types, explicit zero padding, and a layout changes only with its
 * version.
 */
#ifndef _UAPI_XEN_NOXS_WIRE_H
#define _UAPI_XEN_NOXS_WIRE_H

#include <linux/types.h>

/*
 * Where a guest finds its device directory: the locator, which dom0
 * writes at NOXS_LOCATOR_OFFSET of the guest's console page when it
 * attaches the console (at create, and again after a restore, when the
 * directory is a new one). The console ring (struct xencons_interface)
 * uses the first 3088 bytes of that page; the locator sits at its end.
 * The guest reads it at boot and on every resume, checks @magic and
 * @version, and then maps the directory: grant @dir_gref of domain
 * @backend_domid.
 */
#define NOXS_LOCATOR_MAGIC	0x434f4c4eU	/* "NLOC" */
#define NOXS_LOCATOR_VERSION	1
#define NOXS_LOCATOR_OFFSET	(4096 - 32)

/**
 * struct noxs_locator - the directory's address, in the console page
 * @magic:	NOXS_LOCATOR_MAGIC
 * @version:	NOXS_LOCATOR_VERSION
 * @backend_domid: the domain that granted the directory
 * @dir_gref:	its grant reference
 * @pad:	zero
 */
struct noxs_locator {
	__u32 magic;
	__u32 version;
	__u32 backend_domid;
	__u32 dir_gref;
	__u32 pad[4];
};

/*
 * The device directory page: one page that dom0 grants (read-only) to the
 * guest, listing the guest's NoXS devices. The guest learns where it is
 * from the locator. Guests must check @magic and @version, and trust no
 * entry beyond @nr_entries or NOXS_DIR_MAX_ENTRIES.
 */
#define NOXS_DIR_MAGIC		0x53584f4eU	/* "NOXS" */
#define NOXS_DIR_VERSION	1

/* noxs_dir_entry.type: NOXS_DEV_*, or 0 for a free entry. */
#define NOXS_DEV_NONE		0

/**
 * struct noxs_dir_entry - one device of a guest
 * @type:	NOXS_DEV_*
 * @id:		the device's index among the guest's devices of its type;
 *		for a vbd, its virtual-device number (51712 for xvda)
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

/*
 * Devices. A device of a guest is served by a backend module that plugs
 * into noxs (sysctl-back for NOXS_DEV_SYSCTL). noxs gives each device a
 * control page, granted read-write to the guest, and an unbound event
 * channel for the guest to bind, and lists both in the guest's directory.
 */
#define NOXS_DEV_SYSCTL		1
#define NOXS_DEV_VIF		2	/* a network interface (ABI 1.4) */
#define NOXS_DEV_VBD		3	/* a block device (ABI 1.5) */
#define NOXS_DEV_TYPE_MAX	3

/*
 * The sysctl device's control page. The backend writes the request fields,
 * the frontend the fe_ fields and the acknowledgement; each side must check
 * what the other wrote. A request is new when request_seq changes; the
 * frontend acknowledges it by copying request_seq to ack_seq, with
 * ack_status 0 if it will act on it, NOXS_SYSCTL_REFUSED if not.
 */
#define NOXS_SYSCTL_MAGIC	0x4c544353U	/* "SCTL" */
#define NOXS_SYSCTL_VERSION	3	/* 2: request_arg, sysrq; 3: settings */

/* The requests; the first three are also NOXS_CLOSE_* of noxs.h. */
#define NOXS_SYSCTL_REQ_NONE		0
#define NOXS_SYSCTL_REQ_POWEROFF	1
#define NOXS_SYSCTL_REQ_REBOOT		2
#define NOXS_SYSCTL_REQ_SUSPEND		3
#define NOXS_SYSCTL_REQ_SYSRQ		4	/* request_arg: the key */
#define NOXS_SYSCTL_REQ_MAX		4

#define NOXS_SYSCTL_F_POWEROFF	(1U << NOXS_SYSCTL_REQ_POWEROFF)
#define NOXS_SYSCTL_F_REBOOT	(1U << NOXS_SYSCTL_REQ_REBOOT)
#define NOXS_SYSCTL_F_SUSPEND	(1U << NOXS_SYSCTL_REQ_SUSPEND)
#define NOXS_SYSCTL_F_SYSRQ	(1U << NOXS_SYSCTL_REQ_SYSRQ)
/* Settings the frontend applies (version 3), beside the requests. */
#define NOXS_SYSCTL_F_VCPUS	(1U << 16)	/* cpu/N/availability */
#define NOXS_SYSCTL_F_TARGET	(1U << 17)	/* memory/target */
#define NOXS_SYSCTL_F_ALL	(NOXS_SYSCTL_F_POWEROFF | NOXS_SYSCTL_F_REBOOT | \
				 NOXS_SYSCTL_F_SUSPEND | NOXS_SYSCTL_F_SYSRQ | \
				 NOXS_SYSCTL_F_VCPUS | NOXS_SYSCTL_F_TARGET)

#define NOXS_SYSCTL_FE_UNKNOWN		0
#define NOXS_SYSCTL_FE_CONNECTED	1

#define NOXS_SYSCTL_ACCEPTED	0
#define NOXS_SYSCTL_REFUSED	1

/**
 * struct noxs_sysctl_page - the sysctl control page
 * @magic:	NOXS_SYSCTL_MAGIC (backend)
 * @version:	NOXS_SYSCTL_VERSION (backend)
 * @request:	NOXS_SYSCTL_REQ_* (backend)
 * @request_seq: bumped with every request (backend)
 * @fe_state:	NOXS_SYSCTL_FE_* (frontend)
 * @fe_features: NOXS_SYSCTL_F_* the frontend handles (frontend)
 * @ack_seq:	the last request_seq the frontend handled (frontend)
 * @ack_status:	NOXS_SYSCTL_ACCEPTED or _REFUSED (frontend)
 * @request_arg: the request's argument: for SYSRQ the key, a printable
 *		ASCII character (backend, written before @request_seq)
 * @settings_seq: bumped when @vcpus or @target_kib changed (backend,
 *		written after them). Settings are state, not requests: the
 *		frontend applies the latest on connecting and whenever this
 *		changes, whatever came before
 * @vcpus:	the vCPUs the guest should have online, 0 to @vcpus - 1, the
 *		others offline; 0: not set (backend)
 * @target_kib:	the guest's memory target in KiB, what its balloon driver
 *		works towards; 0: not set (backend)
 * @fe_settings_seq: the last @settings_seq the frontend applied (frontend)
 * @pad:	zero
 *
 * Settings the frontend does not advertise (NOXS_SYSCTL_F_VCPUS,
 * NOXS_SYSCTL_F_TARGET) it leaves alone, but still acknowledges.
 */
struct noxs_sysctl_page {
	__u32 magic;
	__u32 version;
	__u32 request;
	__u32 request_seq;
	__u32 fe_state;
	__u32 fe_features;
	__u32 ack_seq;
	__u32 ack_status;
	__u32 request_arg;
	__u32 settings_seq;
	__u32 vcpus;
	__u32 target_kib;
	__u32 fe_settings_seq;
	__u32 pad[3];
};

/*
 * The key page: the control page of a split device whose two halves are
 * the stock Linux drivers (NOXS_DEV_VIF: xen-netback in dom0, xen-netfront
 * in the guest; NOXS_DEV_VBD: xen-blkback and xen-blkfront). Each driver
 * talks to the store of its own domain; the page carries the few keys each
 * must see of the other, as text.
 *
 * @init is written once by dom0 before the page is granted: the keys of
 * the guest's own device node that a toolstack writes (a vif's "mac" and
 * "handle", a vbd's "virtual-device" and "device-type"). @back carries
 * the backend driver's keys to the guest, @front the frontend driver's
 * keys to dom0. Each area is "key=value\n" lines:
 * keys of [a-z0-9-], at most one "queue-N/" prefix; values of printable
 * ASCII, at most NOXS_KV_VALUE_MAX bytes; only the keys the device type
 * lists (Documentation/design.md). An area's writer makes @seq odd,
 * writes @len and @data, then makes @seq even again (write barriers
 * between); a reader copies the area out and uses the copy only if @seq
 * was even and the same before and after. The reader checks every line of
 * the copy and refuses the whole area if one is wrong.
 */
#define NOXS_KV_MAGIC		0x5650564bU	/* "KVPV" */
#define NOXS_KV_VERSION		1
#define NOXS_KV_INIT_SIZE	248
#define NOXS_KV_AREA_SIZE	1904
#define NOXS_KV_VALUE_MAX	64

/* A vif's queues: the "queue-N/" keys relayed, N below this. */
#define NOXS_VIF_MAX_QUEUES	8
/* A vbd's queues, and its ring pages per queue: 1 << ring-page-order. */
#define NOXS_VBD_MAX_QUEUES	8
#define NOXS_VBD_MAX_RING_ORDER	4

/**
 * struct noxs_kv_area - one direction of a key page
 * @seq:	even when whole, odd while its writer is changing it
 * @len:	bytes of @data in use, at most its size
 * @data:	"key=value\n" lines
 */
struct noxs_kv_area {
	__u32 seq;
	__u32 len;
	__u8 data[NOXS_KV_AREA_SIZE];
};

/**
 * struct noxs_kv_init - the guest's own node, written once by dom0
 * @seq:	always 0 (the area never changes)
 * @len:	bytes of @data in use
 * @data:	"key=value\n" lines
 */
struct noxs_kv_init {
	__u32 seq;
	__u32 len;
	__u8 data[NOXS_KV_INIT_SIZE];
};

/**
 * struct noxs_kv_page - the layout of a key page (4096 bytes)
 * @magic:	NOXS_KV_MAGIC (backend)
 * @version:	NOXS_KV_VERSION (backend)
 * @type:	the NOXS_DEV_* it serves (backend)
 * @pad:	zero
 * @init:	the guest's device node (backend, once)
 * @back:	the backend driver's keys (backend)
 * @front:	the frontend driver's keys (frontend)
 */
struct noxs_kv_page {
	__u32 magic;
	__u32 version;
	__u32 type;
	__u32 pad;
	struct noxs_kv_init init;
	struct noxs_kv_area back;
	struct noxs_kv_area front;
};

#endif /* _UAPI_XEN_NOXS_WIRE_H */
