// SPDX-License-Identifier: GPL-2.0
/*
 * split-front - the guest's relay for its NoXS split devices: makes each a
 * device the stock frontend driver (xen-netfront for a vif, xen-blkfront
 * for a vbd) drives, through the guest's own store (noxs-store).
 *
 * For each such device in the NoXS directory it writes the device node a
 * toolstack would (device/TYPE/N: the keys dom0 put in the page's init
 * area, such as a vif's mac and handle or a vbd's virtual-device, then
 * backend, backend-id, state) and a node that stands for the backend
 * (BACKEND_DIR/TYPE/DOMID/N) where it writes the keys dom0's driver
 * published on the device's key page.
 * What the frontend driver writes under device/TYPE/N goes the other way,
 * onto the page. The frontend driver then runs its usual handshake, as if
 * the backend were in this store.
 *
 * Load it after noxs-store and noxs-front, and before the frontend drivers
 * (modprobe xen-netfront or xen-blkfront waits for its devices to
 * connect). It cannot be unloaded: once a frontend driver has probed its
 * devices, their other end is here.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/interrupt.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <xen/events.h>
#include <xen/xen.h>

#include "../noxs-front/noxs-front.h"
#include "../noxs-store/noxs-store.h"

/* Where the backends' keys are, in this store. */
#define BACKEND_DIR	"/local/domain/0/backend"
/* Devices relayed, of each type. */
#define SPLIT_FRONT_MAX	32

struct split_front_type {
	u32 type;			/* NOXS_DEV_* */
	const char *name;		/* "vif": its store directories */
	const struct noxs_relay_key *init_keys;	/* the guest's own node */
	const struct noxs_relay_key *back_keys;	/* the backend's */
	const struct noxs_relay_key *front_keys; /* the frontend driver's */
	unsigned int front_queues;	/* queue-N/ prefixes passed on */
};

static const struct split_front_type split_front_types[] = {
	{
		.type		= NOXS_DEV_VIF,
		.name		= "vif",
		.init_keys	= noxs_vif_init_keys,
		.back_keys	= noxs_vif_back_keys,
		.front_keys	= noxs_vif_front_keys,
		.front_queues	= NOXS_VIF_MAX_QUEUES,
	},
	{
		.type		= NOXS_DEV_VBD,
		.name		= "vbd",
		.init_keys	= noxs_vbd_init_keys,
		.back_keys	= noxs_vbd_back_keys,
		.front_keys	= noxs_vbd_front_keys,
		.front_queues	= NOXS_VBD_MAX_QUEUES,
	},
};

struct split_front {
	struct list_head node;		/* in split_fronts */
	const struct split_front_type *type;
	u32 id;
	char front_dir[32];		/* device/TYPE/N */
	char back_dir[64];		/* BACKEND_DIR/TYPE/DOMID/N */
	struct noxs_store_watch watch;	/* the kernel writes front_dir */
	struct work_struct work;	/* syncs the page and the store */
	unsigned long pending;		/* SPLIT_* bits: what work does */

	/* Under split_lock: the connection, gone around a suspend. */
	struct noxs_front_mapping map;
	struct noxs_kv_page *page;
	int irq;			/* -1 when disconnected */
	u32 seq;			/* of our area */
	struct noxs_relay_cache cache;	/* the backend's keys applied */
	char scratch[NOXS_KV_AREA_SIZE];
};

/* Work to do, in split_front.pending. */
#define SPLIT_APPLY	0	/* the backend's area changed */
#define SPLIT_PUBLISH	1	/* the frontend driver wrote its node */

/* Protects split_fronts and each device's connection. */
static DEFINE_MUTEX(split_lock);
static LIST_HEAD(split_fronts);
static struct workqueue_struct *split_wq;

/* Under split_lock, connected: the backend's keys into back_dir. */
static void split_front_apply_locked(struct split_front *sf)
{
	int err;

	err = noxs_relay_apply(&sf->page->back, sizeof(sf->page->back.data),
			       sf->back_dir, sf->type->back_keys, 0,
			       &sf->cache);
	if (err && err != -EAGAIN)
		pr_warn_ratelimited("%s %u: refused the backend's keys (%d)\n",
				    sf->type->name, sf->id, err);
}

/* Under split_lock, connected: the frontend driver's keys onto the page. */
static void split_front_publish_locked(struct split_front *sf)
{
	int err;

	err = noxs_relay_publish(&sf->page->front, &sf->seq, sf->front_dir,
				 sf->type->front_keys, sf->type->front_queues,
				 sf->scratch);
	if (err)
		pr_warn_ratelimited("%s %u: cannot publish our keys (%d)\n",
				    sf->type->name, sf->id, err);
	else
		notify_remote_via_irq(sf->irq);
}

static void split_front_work(struct work_struct *work)
{
	struct split_front *sf = container_of(work, struct split_front, work);

	mutex_lock(&split_lock);
	if (sf->irq >= 0) {
		if (test_and_clear_bit(SPLIT_APPLY, &sf->pending))
			split_front_apply_locked(sf);
		if (test_and_clear_bit(SPLIT_PUBLISH, &sf->pending))
			split_front_publish_locked(sf);
	}
	mutex_unlock(&split_lock);
}

static void split_front_queue(struct split_front *sf, int what)
{
	set_bit(what, &sf->pending);
	queue_work(split_wq, &sf->work);
}

static irqreturn_t split_front_interrupt(int irq, void *dev_id)
{
	split_front_queue(dev_id, SPLIT_APPLY);
	return IRQ_HANDLED;
}

static void split_front_changed(struct noxs_store_watch *watch,
				const char *path)
{
	split_front_queue(container_of(watch, struct split_front, watch),
			  SPLIT_PUBLISH);
}

/* Under split_lock: maps and binds the device's page; the store is untouched. */
static int split_front_connect(struct split_front *sf,
			       struct noxs_dir_entry *entry)
{
	struct noxs_kv_page *page;
	int err, irq;

	err = noxs_front_map(entry->backend_domid, entry->gref, false,
			     &sf->map);
	if (err)
		return err;
	page = sf->map.addr;
	if (READ_ONCE(page->magic) != NOXS_KV_MAGIC ||
	    READ_ONCE(page->version) != NOXS_KV_VERSION ||
	    READ_ONCE(page->type) != sf->type->type) {
		pr_err("%s %u: its page is not a version %u key page of its type\n",
		       sf->type->name, sf->id, NOXS_KV_VERSION);
		err = -EINVAL;
		goto err_unmap;
	}
	irq = noxs_front_bind(entry->backend_domid, entry->evtchn,
			      split_front_interrupt, "noxs-split", sf);
	if (irq < 0) {
		err = irq;
		goto err_unmap;
	}
	sf->page = page;
	sf->irq = irq;
	sf->cache.len = 0;	/* the backend may be a new one: write all */
	return 0;

err_unmap:
	noxs_front_unmap(&sf->map);
	return err;
}

/* Under split_lock: gives dom0's page back (before a suspend). */
static void split_front_disconnect(struct split_front *sf)
{
	if (sf->irq < 0)
		return;
	unbind_from_irqhandler(sf->irq, sf);
	sf->irq = -1;
	noxs_front_unmap(&sf->map);
	sf->page = NULL;
}

static int split_front_write(const char *dir, const char *key,
			     const char *value)
{
	char path[96];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	return noxs_store_write(path, value);
}

/*
 * Under split_lock, connected: the two nodes the frontend driver needs,
 * the backend's first (a frontend that finds no other end gives up), our
 * state last (xenbus probes a device once it says Initialising).
 */
static int split_front_make_nodes(struct split_front *sf, domid_t backend)
{
	struct noxs_relay_cache *init;
	char value[16];
	int err;

	err = split_front_write(sf->back_dir, "state", "1");
	if (err)
		return err;
	split_front_apply_locked(sf);

	init = kzalloc(sizeof(*init), GFP_KERNEL);
	if (!init)
		return -ENOMEM;
	/* The init area begins as any area does: seq, len, data. */
	err = noxs_relay_apply((const struct noxs_kv_area *)&sf->page->init,
			       sizeof(sf->page->init.data), sf->front_dir,
			       sf->type->init_keys, 0, init);
	kfree(init);
	if (err) {
		pr_err("%s %u: the backend's keys for our node are refused (%d)\n",
		       sf->type->name, sf->id, err);
		return err;
	}
	snprintf(value, sizeof(value), "%u", backend);
	return split_front_write(sf->front_dir, "backend-id", value) ?:
	       split_front_write(sf->front_dir, "backend", sf->back_dir) ?:
	       split_front_write(sf->front_dir, "state", "1");
}

/* Under split_lock: finds the device in the directory and connects it. */
static int split_front_find_connect(struct split_front *sf,
				    struct noxs_dir_entry *entry)
{
	int err;

	err = noxs_front_find(sf->type->type, sf->id, entry);
	if (err)
		return err;
	return split_front_connect(sf, entry);
}

static int split_front_add(const struct split_front_type *type, u32 id,
			   domid_t domid)
{
	struct noxs_dir_entry entry;
	struct split_front *sf;
	int err;

	sf = kzalloc(sizeof(*sf), GFP_KERNEL);
	if (!sf)
		return -ENOMEM;
	sf->type = type;
	sf->id = id;
	sf->irq = -1;
	INIT_WORK(&sf->work, split_front_work);
	snprintf(sf->front_dir, sizeof(sf->front_dir), "device/%s/%u",
		 type->name, id);
	snprintf(sf->back_dir, sizeof(sf->back_dir), BACKEND_DIR "/%s/%u/%u",
		 type->name, domid, id);

	mutex_lock(&split_lock);
	err = split_front_find_connect(sf, &entry);
	if (err) {
		mutex_unlock(&split_lock);
		kfree(sf);
		return err;
	}
	err = split_front_make_nodes(sf, entry.backend_domid);
	if (err)
		goto err_disconnect;
	sf->watch.path = sf->front_dir;
	sf->watch.changed = split_front_changed;
	err = noxs_store_watch(&sf->watch);
	if (err)
		goto err_disconnect;
	list_add_tail(&sf->node, &split_fronts);
	mutex_unlock(&split_lock);
	pr_info("%s %u: relayed to domain %u\n", type->name, id,
		entry.backend_domid);
	return 0;

err_disconnect:
	split_front_disconnect(sf);
	mutex_unlock(&split_lock);
	cancel_work_sync(&sf->work);	/* an event may have queued it */
	noxs_store_remove(sf->front_dir);
	noxs_store_remove(sf->back_dir);
	pr_err("%s %u: cannot make its store nodes (%d)\n", type->name, id,
	       err);
	kfree(sf);
	return err;
}

/* Every device of @type in the directory; returns how many are relayed. */
static unsigned int split_front_add_type(const struct split_front_type *type,
					 domid_t domid)
{
	unsigned int found = 0;
	u32 ids[SPLIT_FRONT_MAX];
	int n, i, err;

	n = noxs_front_ids(type->type, ids, ARRAY_SIZE(ids));
	if (n < 0) {
		pr_err("%s: no device directory (%d)\n", type->name, n);
		return 0;
	}
	for (i = 0; i < n; i++) {
		err = split_front_add(type, ids[i], domid);
		if (!err)
			found++;
		else
			pr_err("%s %u: not relayed (%d)\n", type->name, ids[i],
			       err);
	}
	return found;
}

static void split_front_suspend(void)
{
	struct split_front *sf;

	mutex_lock(&split_lock);
	list_for_each_entry(sf, &split_fronts, node)
		split_front_disconnect(sf);
	mutex_unlock(&split_lock);
}

/*
 * The directory is back. After a cancelled suspend it is the same page,
 * which still has our keys: nothing changed. After a restore it is a new
 * backend's fresh page (nothing published on it yet): the frontend driver
 * will connect anew once the new backend says InitWait, and until it has
 * written all its new keys it must not look connected there, so its node
 * says Initialising again. The backend's keys are applied in both cases.
 */
static void split_front_resume(void)
{
	struct noxs_dir_entry entry;
	struct split_front *sf;
	int err;

	mutex_lock(&split_lock);
	list_for_each_entry(sf, &split_fronts, node) {
		err = split_front_find_connect(sf, &entry);
		if (err) {
			pr_err("%s %u: not back after the resume (%d)\n",
			       sf->type->name, sf->id, err);
			continue;
		}
		if (!READ_ONCE(sf->page->front.seq)) {
			split_front_write(sf->front_dir, "state", "1");
			set_bit(SPLIT_PUBLISH, &sf->pending);
		}
		split_front_queue(sf, SPLIT_APPLY);
	}
	mutex_unlock(&split_lock);
}

static struct noxs_front_client split_front_client = {
	.suspend = split_front_suspend,
	.resume = split_front_resume,
};

static int __init split_front_init(void)
{
	domid_t domid = noxs_store_domid();
	const struct split_front_type *type;
	unsigned int found = 0;

	if (!xen_pv_domain() || xen_initial_domain()) {
		pr_err("not running in a Xen PV guest, refusing to load\n");
		return -ENODEV;
	}

	/* Not frozen: the relay must run while the kernel resumes. */
	split_wq = alloc_ordered_workqueue("noxs-split", 0);
	if (!split_wq)
		return -ENOMEM;
	for (type = split_front_types;
	     type < split_front_types + ARRAY_SIZE(split_front_types); type++)
		found += split_front_add_type(type, domid);
	noxs_front_register(&split_front_client);
	pr_info("%u device(s)\n", found);
	return 0;
}

module_init(split_front_init);
/* No exit: the frontend drivers' devices would lose their other end. */

MODULE_DESCRIPTION("lightvm NoXS split devices: the stock frontends without xenstored (guest)");
MODULE_LICENSE("GPL");
