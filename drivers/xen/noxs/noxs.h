/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of the noxs module. Nothing here is ABI: the ABI is
 * include/uapi/xen/noxs.h.
 */
#ifndef _NOXS_H
#define _NOXS_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/types.h>
#include <xen/grant_table.h>
#include <xen/interface/event_channel.h>
#include <uapi/xen/noxs.h>

struct file;
struct noxs_console;

/*
 * What dom0 holds for one guest. Created by NOXS_IOCTL_GUEST_CREATE, torn
 * down by NOXS_IOCTL_GUEST_DESTROY (or when its creating file closes before
 * NOXS_IOCTL_GUEST_COMMIT, or at module exit), freed when the last
 * reference goes (console files hold one).
 */
struct noxs_guest {
	struct kref kref;
	domid_t domid;
	char name[NOXS_NAME_SIZE];
	u64 created_ns;

	/* The following three are protected by noxs_guests_lock. */
	struct hlist_node name_node;	/* in the name hash while registered */
	struct file *owner;		/* creating file until committed */
	bool registered;		/* findable by domid and name */
	struct list_head teardown_node;	/* private to a teardown in progress */

	struct page *dir_page;		/* the device directory, granted */
	grant_ref_t dir_gref;

	/* Set once, under noxs_guests_lock; torn down with the guest. */
	struct noxs_console *console;
};

/* What the module holds, for NOXS_IOCTL_STATS and leak checks. */
struct noxs_counters {
	atomic_t guests;
	atomic_t grants;
	atomic_t mapped;
	atomic_t evtchns;
	atomic64_t console_bytes;
};

extern struct noxs_counters noxs_counters;

/* chardev.c */
int noxs_chardev_init(void);
void noxs_chardev_exit(void);

/* guest.c */
int noxs_guest_create(struct file *owner, domid_t domid, const char *name,
		      grant_ref_t *dir_gref);
int noxs_guest_commit(struct file *owner, domid_t domid);
int noxs_guest_destroy(domid_t domid);
struct noxs_guest *noxs_guest_get(domid_t domid);
struct noxs_guest *noxs_guest_get_by_name(const char *name);
void noxs_guest_put(struct noxs_guest *guest);
int noxs_guest_set_console(struct noxs_guest *guest,
			   struct noxs_console *console);
void noxs_guests_release_file(struct file *owner);
void noxs_guests_destroy_all(void);

/* console.c */
int noxs_console_attach(struct noxs_guest *guest, evtchn_port_t remote_port);
void noxs_console_detach(struct noxs_console *console);
void noxs_console_free(struct noxs_console *console);
int noxs_console_open(struct noxs_guest *guest);

#endif /* _NOXS_H */
