/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals of noxs-store: the node tree and its watches (store.c), the
 * xenstore wire protocol on top of it (protocol.c), the service of this
 * domain's own XS_LOCAL ring (local_ring.c), and, in a dom0 that runs
 * xenstored, the same calls made to xenstored instead (xenstored.c).
 */
#ifndef _NOXS_STORE_INTERNAL_H
#define _NOXS_STORE_INTERNAL_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <xen/interface/xen.h>
#include <xen/interface/io/xs_wire.h>

#include "noxs-store.h"

/* Bounds: nothing the kernel sends makes the store grow past these. */
#define XSL_PATH_MAX		XENSTORE_ABS_PATH_MAX
#define XSL_VALUE_MAX		XENSTORE_PAYLOAD_MAX
#define XSL_PERMS_MAX		256	/* bytes of a SET_PERMS list */
#define XSL_TX_MAX		64	/* open transactions */
/* Replies and events waiting for room in the ring. */
#define XSL_OUT_MAX		(64 * 1024)
#define XSL_MSG_MAX		(sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX)

extern unsigned int xsl_max_nodes;
extern unsigned int xsl_max_watches;
extern unsigned long xsl_max_bytes;

struct xsl_node {
	struct list_head sibling;	/* in parent->children */
	struct list_head children;
	struct xsl_node *parent;
	char *value;			/* NULL when empty */
	unsigned int len;
	char *perms;			/* SET_PERMS list; NULL: the default */
	unsigned int perms_len;
	char name[];
};

struct xsl_watch {
	struct list_head list;		/* in xsl.watches */
	char *path;			/* absolute, or a special "@name" */
	char *token;			/* the kernel's; NULL if internal */
	bool relative;			/* registered relative to home */
	struct noxs_store_watch *internal;
};

/* A message for the kernel: a reply or a watch event. */
struct xsl_msg {
	struct list_head list;
	unsigned int len;		/* header and payload */
	unsigned int sent;
	char data[];
};

/* An internal watch to call, after the lock is dropped. */
struct xsl_fired {
	struct list_head list;
	struct noxs_store_watch *watch;
	char path[];
};

/*
 * The store. Protected by lock: everything below it. The ring's worker,
 * the exported functions and resume all take it; nothing sleeps under it
 * but allocations.
 */
struct xsl_store {
	struct mutex lock;
	struct xsl_node *root;
	domid_t domid;
	char home[32];			/* "/local/domain/DOMID" */
	unsigned int nr_nodes;
	unsigned long bytes;		/* of values and perms */
	unsigned int nr_watches;
	struct list_head watches;
	u32 tx_ids[XSL_TX_MAX];		/* open transactions; 0: a free slot */
	u32 tx_next;			/* the last id handed out */
	struct list_head out;		/* oldest first */
	unsigned long out_bytes;
	u64 events_dropped;
	struct list_head fired;
};

extern struct xsl_store xsl;

/* store.c */
int xsl_store_init(domid_t domid);
void xsl_store_fini(void);
int xsl_set_domid(domid_t domid);
int xsl_canonical(const char *path, char *abs, bool *relative);
int xsl_read(const char *abs, const char **value, unsigned int *len);
int xsl_write(const char *abs, const char *value, unsigned int len,
	      bool from_kernel);
int xsl_mkdir(const char *abs, bool from_kernel);
int xsl_remove(const char *abs, bool from_kernel);
int xsl_prune(char *abs, const char *keep, bool from_kernel);
int xsl_directory(const char *abs, char *buf, unsigned int size,
		  unsigned int *len);
int xsl_get_perms(const char *abs, char *buf, unsigned int size,
		  unsigned int *len);
int xsl_set_perms(const char *abs, const char *perms, unsigned int len);
int xsl_watch_add(const char *path, const char *token,
		  struct noxs_store_watch *internal);
int xsl_watch_remove(const char *path, const char *token,
		     struct noxs_store_watch *internal);
void xsl_watches_reset_kernel(void);
bool xsl_kernel_watches(const char *abs);
int xsl_queue(u32 type, u32 req_id, u32 tx_id, const char *a,
	      unsigned int alen, const char *b, unsigned int blen);
void xsl_out_reset(void);

/* protocol.c */
void xsl_handle(const struct xsd_sockmsg *hdr, const char *body);
void xsl_reply_error(const struct xsd_sockmsg *req, int err);
void xsl_transactions_reset(void);

/* local_ring.c */
void xsl_kick(void);

/* xenstored.c: the same calls, to xenstored (dom0 beside it) */
int xsx_read(const char *path, char *buf, size_t size);
int xsx_write(const char *path, const char *value);
int xsx_remove(const char *path);
int xsx_prune(const char *path, const char *keep);
int xsx_watch(struct noxs_store_watch *watch);
void xsx_unwatch(struct noxs_store_watch *watch);

#endif /* _NOXS_STORE_INTERNAL_H */
