// SPDX-License-Identifier: GPL-2.0
/*
 * split-back - dom0's end of NoXS split devices: feeds a stock backend
 * driver of dom0's kernel (xen-netback for a vif, xen-blkback for a vbd)
 * through dom0's own store (noxs-store), with no xenstored.
 *
 * It plugs into noxs as the backend of each device type it knows. For each
 * device it writes, in dom0's store, what a toolstack writes for the
 * driver: a node that stands for the guest's frontend
 * (/local/domain/D/device/TYPE/N, first, since xenbus wants the other end
 * to exist), then the backend node (backend/TYPE/D/N, its state last), on
 * which the driver probes. From then on it relays through the device's key
 * page (noxs_wire.h): what the driver writes in its node goes onto the page
 * for the guest, and what the guest's driver wrote comes from the page
 * into the frontend node, checked key by key (noxs-store's relay).
 *
 * When the device goes (destroy, shutdown, failed create), the frontend
 * node says Closed and the backend goes offline, so that the driver lets
 * the guest's pages go and removes its device; once it says Closed, both
 * nodes are removed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <xen/xen.h>

#include "split_back.h"

#define FRONT_KEEP	"/local/domain"
#define BACK_KEEP	"/local/domain/0/backend"

/* XenbusState values this module writes or looks for. */
#define STATE_INITIALISING	"1"
#define STATE_CLOSED		"6"
#define STATE_CONNECTED		4

/* How long a device's teardown waits for its driver to close. */
#define CLOSE_TIMEOUT		(5 * HZ)

/* Work the relay has to do, in split_back.pending. */
#define SPLIT_APPLY	0	/* the guest's area changed */
#define SPLIT_PUBLISH	1	/* the driver's node changed */

static const struct split_type *const split_types[] = {
	&split_vif,
	&split_vbd,
};

static struct workqueue_struct *split_wq;

int split_back_write(const char *dir, const char *key, const char *value)
{
	char path[96];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	return noxs_store_write(path, value);
}

/* A key of the backend node, unless the device is torn down already. */
int split_back_write_alive(struct split_back *sb, const char *key,
			   const char *value)
{
	int err = -ENOENT;

	mutex_lock(&sb->lock);
	if (!sb->dead)
		err = split_back_write(sb->back_dir, key, value);
	mutex_unlock(&sb->lock);
	return err;
}

/* Under sb->lock: the guest's keys into the frontend node. */
static void split_back_apply_locked(struct split_back *sb)
{
	struct noxs_kv_page *page = sb->dev->page_addr;
	char path[64], state[4];
	int err;

	err = noxs_relay_apply(&page->front, NOXS_KV_AREA_SIZE, sb->front_dir,
			       sb->type->front_keys, sb->type->front_queues,
			       &sb->cache);
	if (err == -EINVAL) {
		sb->rejected++;
		pr_warn_ratelimited("domain %u %s %u: refused what the guest wrote\n",
				    sb->domid, sb->type->name, sb->id);
		return;
	}
	if (err && err != -EAGAIN)
		pr_warn_ratelimited("domain %u %s %u: cannot apply the guest's keys (%d)\n",
				    sb->domid, sb->type->name, sb->id, err);
	snprintf(path, sizeof(path), "%s/state", sb->front_dir);
	if (noxs_store_read(path, state, sizeof(state)) == 1)
		sb->front_state = state[0] - '0';
}

/* Under sb->lock: the driver's keys onto the page, for the guest. */
static void split_back_publish_locked(struct split_back *sb)
{
	struct noxs_kv_page *page = sb->dev->page_addr;
	int err;

	err = noxs_relay_publish(&page->back, &sb->seq, sb->back_dir,
				 sb->type->back_keys, 0, sb->scratch);
	if (err)
		pr_warn_ratelimited("domain %u %s %u: cannot publish %s's keys (%d)\n",
				    sb->domid, sb->type->name, sb->id,
				    sb->type->driver, err);
	else
		noxs_device_notify(sb->dev);
}

static void split_back_work(struct work_struct *work)
{
	struct split_back *sb = container_of(work, struct split_back, work);

	mutex_lock(&sb->lock);
	if (!sb->dead) {
		if (test_and_clear_bit(SPLIT_APPLY, &sb->pending))
			split_back_apply_locked(sb);
		if (test_and_clear_bit(SPLIT_PUBLISH, &sb->pending))
			split_back_publish_locked(sb);
	}
	mutex_unlock(&sb->lock);
}

static void split_back_changed(struct noxs_store_watch *watch,
			       const char *path)
{
	struct split_back *sb = container_of(watch, struct split_back, watch);

	set_bit(SPLIT_PUBLISH, &sb->pending);
	queue_work(split_wq, &sb->work);
	atomic_inc(&sb->back_changes);
	wake_up(&sb->back_wait);
}

/* Interrupt context: true if the guest changed its area since last time. */
static bool split_back_event(struct noxs_device *dev)
{
	struct noxs_kv_page *page = dev->page_addr;
	struct split_back *sb = dev->priv;
	u32 seq = READ_ONCE(page->front.seq);

	if (seq == READ_ONCE(sb->front_seq))
		return false;
	WRITE_ONCE(sb->front_seq, seq);
	set_bit(SPLIT_APPLY, &sb->pending);
	queue_work(split_wq, &sb->work);
	return true;
}

/* The page's header and init area: the guest's own node. */
static int split_back_fill_page(struct split_back *sb, const u8 *params)
{
	struct noxs_kv_page *page = sb->dev->page_addr;
	int len;

	len = sb->type->guest_node(params, sb->id, page->init.data,
				   sizeof(page->init.data));
	if (len < 0)
		return len;
	page->magic = NOXS_KV_MAGIC;
	page->version = NOXS_KV_VERSION;
	page->type = sb->type->type;
	page->init.len = len;
	return 0;
}

/* The frontend node first, then the backend's, each's state last. */
static int split_back_make_nodes(struct split_back *sb, const u8 *params)
{
	char value[16];
	int err;

	err = split_back_write(sb->front_dir, "backend", sb->back_dir) ?:
	      split_back_write(sb->front_dir, "backend-id", "0") ?:
	      sb->type->write_front(sb, params) ?:
	      split_back_write(sb->front_dir, "state", STATE_INITIALISING);
	if (err)
		return err;

	snprintf(value, sizeof(value), "%u", sb->domid);
	return split_back_write(sb->back_dir, "frontend", sb->front_dir) ?:
	       split_back_write(sb->back_dir, "frontend-id", value) ?:
	       split_back_write(sb->back_dir, "online", "1") ?:
	       sb->type->write_back(sb, params) ?:
	       split_back_write(sb->back_dir, "state", STATE_INITIALISING);
}

/*
 * The guest's side says Closed and goes offline, so the driver unmaps the
 * guest's pages and removes its device.
 */
static void split_back_close(struct split_back *sb)
{
	split_back_write(sb->back_dir, "online", "0");
	split_back_write(sb->front_dir, "state", STATE_CLOSED);
}

static void split_back_remove_nodes(struct split_back *sb)
{
	noxs_store_prune(sb->back_dir, BACK_KEEP);
	noxs_store_prune(sb->front_dir, FRONT_KEEP);
}

/* Has the driver closed the device (or never made its node)? */
static bool split_back_closed(struct split_back *sb)
{
	char path[80], state[4];
	int n;

	snprintf(path, sizeof(path), "%s/state", sb->back_dir);
	n = noxs_store_read(path, state, sizeof(state));
	return n == -ENOENT || (n == 1 && state[0] == STATE_CLOSED[0]);
}

/*
 * Waits until the driver says Closed: after that it writes nothing more in
 * its node. Removed any earlier, the node could come back: a driver still
 * probing (a build that failed at once) writes its features there. A
 * driver that never probes costs CLOSE_TIMEOUT.
 */
static void split_back_wait_closed(struct split_back *sb)
{
	unsigned long deadline = jiffies + CLOSE_TIMEOUT;
	long left;
	int seen;

	for (;;) {
		seen = atomic_read(&sb->back_changes);
		if (split_back_closed(sb))
			return;
		left = (long)(deadline - jiffies);
		if (left <= 0 ||
		    !wait_event_timeout(sb->back_wait,
					atomic_read(&sb->back_changes) != seen,
					left))
			break;
	}
	pr_warn("domain %u %s %u: %s did not close within %u s; its node goes anyway\n",
		sb->domid, sb->type->name, sb->id, sb->type->driver,
		CLOSE_TIMEOUT / HZ);
}

/*
 * The device goes: its driver closes it, then its nodes go. From kill, or
 * from fini when the device never lived (its channel could not be bound).
 */
static void split_back_teardown(struct split_back *sb)
{
	mutex_lock(&sb->lock);
	if (sb->dead) {
		mutex_unlock(&sb->lock);
		return;
	}
	sb->dead = true;
	mutex_unlock(&sb->lock);
	split_back_close(sb);
	split_back_wait_closed(sb);
	noxs_store_unwatch(&sb->watch);
	cancel_work_sync(&sb->work);
	split_back_remove_nodes(sb);
}

static const struct split_type *split_type_of(u32 type)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(split_types); i++)
		if (split_types[i]->type == type)
			return split_types[i];
	return NULL;
}

static int split_back_init(struct noxs_device *dev, const u8 *params)
{
	const struct split_type *type = split_type_of(dev->type);
	struct split_back *sb;
	int err;

	if (!type)
		return -ENODEV;
	err = type->check(params, dev->id);
	if (err)
		return err;
	sb = kzalloc(sizeof(*sb), GFP_KERNEL);
	if (!sb)
		return -ENOMEM;
	sb->type = type;
	sb->dev = dev;
	sb->domid = dev->guest->domid;
	sb->id = dev->id;
	mutex_init(&sb->lock);
	INIT_WORK(&sb->work, split_back_work);
	init_waitqueue_head(&sb->back_wait);
	snprintf(sb->front_dir, sizeof(sb->front_dir),
		 "/local/domain/%u/device/%s/%u", sb->domid, type->name,
		 sb->id);
	snprintf(sb->back_dir, sizeof(sb->back_dir), BACK_KEEP "/%s/%u/%u",
		 type->name, sb->domid, sb->id);
	err = split_back_fill_page(sb, params);
	if (err)
		goto err_free;
	if (type->open) {
		err = type->open(sb, params);
		if (err)
			goto err_free;
	}

	err = split_back_make_nodes(sb, params);
	if (err)
		goto err_nodes;
	sb->watch.path = sb->back_dir;
	sb->watch.changed = split_back_changed;
	err = noxs_store_watch(&sb->watch);
	if (err)
		goto err_nodes;
	dev->priv = sb;
	return 0;

err_nodes:
	split_back_close(sb);
	split_back_remove_nodes(sb);
	if (type->release)
		type->release(sb);
err_free:
	kfree(sb);
	return err;
}

static int split_back_hotplug(struct noxs_device *dev, u32 status)
{
	struct split_back *sb = dev->priv;

	if (!sb->type->hotplug)
		return -EOPNOTSUPP;
	return sb->type->hotplug(sb, status);
}

/* The device is going: its channel is unbound already. */
static void split_back_kill(struct noxs_device *dev)
{
	split_back_teardown(dev->priv);
}

static void split_back_fini(struct noxs_device *dev)
{
	struct split_back *sb = dev->priv;

	split_back_teardown(sb);
	if (sb->type->release)
		sb->type->release(sb);
	kfree(sb);
}

static void split_back_query(struct noxs_device *dev,
			     struct noxs_ioctl_device_query *query)
{
	struct split_back *sb = dev->priv;

	mutex_lock(&sb->lock);
	query->state = sb->front_state == STATE_CONNECTED ?
		       NOXS_DEVICE_CONNECTED : NOXS_DEVICE_WAITING;
	query->rejected = sb->rejected;
	mutex_unlock(&sb->lock);
}

/* One noxs backend per type, all with the same hooks. */
static struct noxs_backend split_backends[ARRAY_SIZE(split_types)];

static void split_back_unregister(unsigned int count)
{
	while (count--)
		noxs_unregister_backend(&split_backends[count]);
}

static int __init split_back_module_init(void)
{
	unsigned int i;
	int err;

	if (!xen_initial_domain()) {
		pr_err("not running in a Xen dom0, refusing to load\n");
		return -ENODEV;
	}
	split_wq = alloc_workqueue("noxs-split", WQ_UNBOUND, 0);
	if (!split_wq)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(split_types); i++) {
		split_backends[i] = (struct noxs_backend) {
			.type	= split_types[i]->type,
			.name	= split_types[i]->backend_name,
			.owner	= THIS_MODULE,
			.init	= split_back_init,
			.event	= split_back_event,
			.hotplug = split_back_hotplug,
			.kill	= split_back_kill,
			.query	= split_back_query,
			.fini	= split_back_fini,
		};
		err = noxs_register_backend(&split_backends[i]);
		if (err)
			goto err_unregister;
	}
	return 0;

err_unregister:
	split_back_unregister(i);
	destroy_workqueue(split_wq);
	return err;
}

static void __exit split_back_module_exit(void)
{
	split_back_unregister(ARRAY_SIZE(split_types));
	destroy_workqueue(split_wq);
}

module_init(split_back_module_init);
module_exit(split_back_module_exit);

MODULE_DESCRIPTION("lightvm NoXS split devices: dom0's stock backends without xenstored (dom0)");
MODULE_LICENSE("GPL");
