/* SPDX-License-Identifier: GPL-2.0 */
/*
 * split-back: dom0's relay of split devices, whose backend is a stock
 * driver of dom0's kernel fed through dom0's own store (noxs-store). The
 * relay (split_back.c) is the same for every type; what a type's nodes
 * hold and which keys cross is the type's (vif.c, vbd.c).
 */
#ifndef _SPLIT_BACK_H
#define _SPLIT_BACK_H

#include <linux/atomic.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "../noxs/noxs.h"
#include "../noxs-store/noxs-store.h"

struct split_back;

struct split_type {
	u32 type;			/* NOXS_DEV_* */
	const char *name;		/* its store directories: "vif" */
	const char *backend_name;	/* noxs's, and its channels': "noxs-vif" */
	const char *driver;		/* dom0's driver, for messages */
	const struct noxs_relay_key *back_keys;	/* the driver's, to the guest */
	const struct noxs_relay_key *front_keys; /* the guest's, to the driver */
	unsigned int front_queues;	/* queue-N/ prefixes allowed */
	/* Checks the id and NOXS_DEVICE_PARAMS_SIZE bytes of parameters. */
	int (*check)(const u8 *params, u32 id);
	/* Takes what the device holds for its life (NULL: nothing). */
	int (*open)(struct split_back *sb, const u8 *params);
	/* Gives it back, once the driver has closed the device. */
	void (*release)(struct split_back *sb);
	/* The guest's own node, "key=value\n" lines, for the init area. */
	int (*guest_node)(const u8 *params, u32 id, char *buf, size_t size);
	/* The type's keys of the frontend node in dom0, then the backend's. */
	int (*write_front)(struct split_back *sb, const u8 *params);
	int (*write_back)(struct split_back *sb, const u8 *params);
	/* The hotplug step is done (NULL: the type has none). */
	int (*hotplug)(struct split_back *sb, u32 status);
};

/* One device of a guest, relayed. */
struct split_back {
	const struct split_type *type;
	struct noxs_device *dev;
	domid_t domid;
	u32 id;
	void *type_priv;		/* the type's, from open to release */
	char front_dir[48];		/* /local/domain/D/device/TYPE/N */
	char back_dir[64];		/* /local/domain/0/backend/TYPE/D/N */
	struct noxs_store_watch watch;	/* the driver writes back_dir */
	struct work_struct work;
	unsigned long pending;		/* SPLIT_* bits */
	u32 front_seq;			/* the guest's area, last seen */
	atomic_t back_changes;		/* the driver wrote its node */
	wait_queue_head_t back_wait;	/* ... for the teardown */

	/* Protects everything below. */
	struct mutex lock;
	bool dead;			/* torn down: no more store writes */
	u32 seq;			/* of our area */
	u32 front_state;		/* XenbusState the guest's side said */
	u64 rejected;			/* the guest's areas refused */
	struct noxs_relay_cache cache;	/* the guest's keys applied */
	char scratch[NOXS_KV_AREA_SIZE];
};

int split_back_write(const char *dir, const char *key, const char *value);
int split_back_write_alive(struct split_back *sb, const char *key,
			   const char *value);

extern const struct split_type split_vif;
extern const struct split_type split_vbd;

#endif /* _SPLIT_BACK_H */
