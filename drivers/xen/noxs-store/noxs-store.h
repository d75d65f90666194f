/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What noxs-store offers other modules of the same domain: reading and
 * writing its local store, and watching it. The store is the one this
 * domain's own kernel (xenbus, in XS_LOCAL mode) talks to; a relay uses
 * this interface to carry keys between it and NoXS control pages.
 *
 * Paths are relative to the domain's home (/local/domain/DOMID), or
 * absolute. Writes made here fire the kernel's watches, not the watches
 * registered here: a relay does not hear its own writes.
 */
#ifndef _NOXS_STORE_H
#define _NOXS_STORE_H

#include <linux/list.h>
#include <linux/types.h>

struct noxs_store_watch {
	/* Set by the caller before noxs_store_watch(). */
	const char *path;
	/*
	 * The kernel changed @path (as registered: relative stays relative)
	 * or something below it, or began to watch it. Process context, no
	 * store lock held; may call the functions below.
	 */
	void (*changed)(struct noxs_store_watch *watch, const char *path);

	/* noxs-store's own. */
	struct list_head node;
};

int noxs_store_read(const char *path, char *buf, size_t size);
int noxs_store_write(const char *path, const char *value);
int noxs_store_remove(const char *path);
int noxs_store_watch(struct noxs_store_watch *watch);
void noxs_store_unwatch(struct noxs_store_watch *watch);
bool noxs_store_kernel_watches(const char *path);

#endif /* _NOXS_STORE_H */
