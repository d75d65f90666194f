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
 *
 * In a dom0 that runs xenstored, the same calls go to xenstored through
 * the kernel's xenbus (xenstored.c); there a relay does hear its own
 * writes, and noxs_store_kernel_watches() always says no.
 */
#ifndef _NOXS_STORE_H
#define _NOXS_STORE_H

#include <linux/list.h>
#include <linux/types.h>
#include <xen/interface/xen.h>
#include <uapi/xen/noxs_wire.h>

struct noxs_store_xenbus_watch;

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
	struct noxs_store_xenbus_watch *xenbus;	/* beside xenstored */
};

int noxs_store_read(const char *path, char *buf, size_t size);
int noxs_store_write(const char *path, const char *value);
int noxs_store_remove(const char *path);
int noxs_store_watch(struct noxs_store_watch *watch);
void noxs_store_unwatch(struct noxs_store_watch *watch);
bool noxs_store_kernel_watches(const char *path);
int noxs_store_prune(const char *path, const char *keep);
domid_t noxs_store_domid(void);

/*
 * The relay of a split device's keys through a NoXS key page (relay.c).
 * A device type lists the keys that may cross, and what values they take.
 */
enum noxs_relay_kind {
	NOXS_RELAY_DECIMAL,	/* a decimal in [min, max], no leading zero */
	NOXS_RELAY_MAC,		/* xx:xx:xx:xx:xx:xx, unicast, not zero */
	NOXS_RELAY_WORD,	/* one of words[] */
};

struct noxs_relay_key {
	const char *name;	/* relative to the device's node */
	enum noxs_relay_kind kind;
	u64 min, max;
	bool per_queue;		/* also as queue-N/name */
	const char *const *words;	/* NOXS_RELAY_WORD: NULL-terminated */
};

/* What a relay last applied to its store from one area, and scratch. */
struct noxs_relay_cache {
	u32 len;
	char applied[NOXS_KV_AREA_SIZE];
	char scratch[NOXS_KV_AREA_SIZE];
};

extern const struct noxs_relay_key noxs_vif_init_keys[];
extern const struct noxs_relay_key noxs_vif_back_keys[];
extern const struct noxs_relay_key noxs_vif_front_keys[];
extern const struct noxs_relay_key noxs_vbd_init_keys[];
extern const struct noxs_relay_key noxs_vbd_back_keys[];
extern const struct noxs_relay_key noxs_vbd_front_keys[];

int noxs_relay_apply(const struct noxs_kv_area *area, size_t size,
		     const char *dir, const struct noxs_relay_key *keys,
		     unsigned int queues, struct noxs_relay_cache *cache);
int noxs_relay_publish(struct noxs_kv_area *area, u32 *seq, const char *dir,
		       const struct noxs_relay_key *keys, unsigned int queues,
		       char *scratch);

#endif /* _NOXS_STORE_H */
