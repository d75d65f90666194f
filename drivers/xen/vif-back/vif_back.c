// SPDX-License-Identifier: GPL-2.0
/*
 * vif-back - dom0's end of a NoXS network interface: feeds the stock
 * xen-netback through dom0's own store (noxs-store), with no xenstored.
 *
 * It plugs into noxs as the backend of NOXS_DEV_VIF. For each vif it
 * writes, in dom0's store, what a toolstack writes for xen-netback: a
 * node that stands for the guest's frontend (/local/domain/D/device/vif/N,
 * first, since xenbus wants the other end to exist), then the backend node
 * (backend/vif/D/N, its state last), on which xen-netback probes and makes
 * vifD.N. From then on it relays through the vif's key page (noxs_wire.h):
 * what xen-netback writes in its node goes onto the page for the guest,
 * and what the guest's xen-netfront wrote comes from the page into the
 * frontend node, checked key by key (noxs-store's relay). lvctl puts vifD.N
 * on its bridge and reports the hotplug step done: then this module writes
 * hotplug-status, on which xen-netback connects.
 *
 * When the device goes (destroy, shutdown, failed create), the frontend
 * node says Closed and the backend goes offline, so that xen-netback lets
 * the guest's pages go and removes vifD.N; once it says Closed, both
 * nodes are removed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <xen/xen.h>

#include "../noxs/noxs.h"
#include "../noxs-store/noxs-store.h"

#define FRONT_KEEP	"/local/domain"
#define BACK_KEEP	"/local/domain/0/backend"

/* XenbusState values this module writes. */
#define STATE_INITIALISING	"1"
#define STATE_CLOSED		"6"
#define STATE_CONNECTED		4

/* How long a vif's teardown waits for xen-netback to close. */
#define CLOSE_TIMEOUT		(5 * HZ)

static char *script = "/bin/true";
module_param(script, charp, 0444);
MODULE_PARM_DESC(script,
		 "what a vif's backend node names as its hotplug script; lvctl does the script's work, so by default a host's udev rules run nothing");

/* Work the relay has to do, in vif_back.pending. */
#define VIF_APPLY	0	/* the guest's area changed */
#define VIF_PUBLISH	1	/* xen-netback's node changed */

struct vif_back {
	struct noxs_device *dev;
	domid_t domid;
	u32 id;
	char front_dir[48];		/* /local/domain/D/device/vif/N */
	char back_dir[64];		/* /local/domain/0/backend/vif/D/N */
	struct noxs_store_watch watch;	/* xen-netback writes back_dir */
	struct work_struct work;
	unsigned long pending;		/* VIF_* bits */
	u32 front_seq;			/* the guest's area, last seen */
	atomic_t back_changes;		/* xen-netback wrote its node */
	wait_queue_head_t back_wait;	/* ... for the teardown */

	/* Protects everything below. */
	struct mutex lock;
	bool dead;			/* killed: no more store writes */
	u32 seq;			/* of our area */
	u32 front_state;		/* XenbusState the guest's side said */
	u64 rejected;			/* the guest's areas refused */
	struct noxs_relay_cache cache;	/* the guest's keys applied */
	char scratch[NOXS_KV_AREA_SIZE];
};

static struct workqueue_struct *vif_wq;

static int vif_back_write(const char *dir, const char *key, const char *value)
{
	char path[96];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	return noxs_store_write(path, value);
}

/* Under vb->lock: the guest's keys into the frontend node. */
static void vif_back_apply_locked(struct vif_back *vb)
{
	char path[64], state[4];
	int err;

	err = noxs_relay_apply(&((struct noxs_kv_page *)vb->dev->page_addr)->front,
			       NOXS_KV_AREA_SIZE, vb->front_dir,
			       noxs_vif_front_keys, NOXS_VIF_MAX_QUEUES,
			       &vb->cache);
	if (err == -EINVAL) {
		vb->rejected++;
		pr_warn_ratelimited("domain %u vif %u: refused what the guest wrote\n",
				    vb->domid, vb->id);
		return;
	}
	if (err && err != -EAGAIN)
		pr_warn_ratelimited("domain %u vif %u: cannot apply the guest's keys (%d)\n",
				    vb->domid, vb->id, err);
	snprintf(path, sizeof(path), "%s/state", vb->front_dir);
	if (noxs_store_read(path, state, sizeof(state)) == 1)
		vb->front_state = state[0] - '0';
}

static void vif_back_work(struct work_struct *work)
{
	struct vif_back *vb = container_of(work, struct vif_back, work);
	struct noxs_kv_page *page = vb->dev->page_addr;
	int err;

	mutex_lock(&vb->lock);
	if (vb->dead)
		goto out;
	if (test_and_clear_bit(VIF_APPLY, &vb->pending))
		vif_back_apply_locked(vb);
	if (test_and_clear_bit(VIF_PUBLISH, &vb->pending)) {
		err = noxs_relay_publish(&page->back, &vb->seq, vb->back_dir,
					 noxs_vif_back_keys, 0, vb->scratch);
		if (err)
			pr_warn_ratelimited("domain %u vif %u: cannot publish xen-netback's keys (%d)\n",
					    vb->domid, vb->id, err);
		else
			noxs_device_notify(vb->dev);
	}
out:
	mutex_unlock(&vb->lock);
}

static void vif_back_changed(struct noxs_store_watch *watch, const char *path)
{
	struct vif_back *vb = container_of(watch, struct vif_back, watch);

	set_bit(VIF_PUBLISH, &vb->pending);
	queue_work(vif_wq, &vb->work);
	atomic_inc(&vb->back_changes);
	wake_up(&vb->back_wait);
}

/* Interrupt context: true if the guest changed its area since last time. */
static bool vif_back_event(struct noxs_device *dev)
{
	struct noxs_kv_page *page = dev->page_addr;
	struct vif_back *vb = dev->priv;
	u32 seq = READ_ONCE(page->front.seq);

	if (seq == READ_ONCE(vb->front_seq))
		return false;
	WRITE_ONCE(vb->front_seq, seq);
	set_bit(VIF_APPLY, &vb->pending);
	queue_work(vif_wq, &vb->work);
	return true;
}

static int vif_back_check_params(const u8 *raw)
{
	const struct noxs_vif_params *params = (const void *)raw;

	if (!raw || !noxs_params_zero(raw, offsetof(struct noxs_vif_params, pad)))
		return -EINVAL;
	if (!is_valid_ether_addr(params->mac))
		return -EINVAL;	/* multicast or zero */
	return 0;
}

/* What the guest's own node gets: "mac=..." (struct noxs_kv_init). */
static void vif_back_fill_page(struct noxs_kv_page *page, const u8 *mac)
{
	page->magic = NOXS_KV_MAGIC;
	page->version = NOXS_KV_VERSION;
	page->type = NOXS_DEV_VIF;
	page->init.len = scnprintf(page->init.data, sizeof(page->init.data),
				   "mac=%pM\n", mac);
}

/* The frontend node first, then the backend's, its state last. */
static int vif_back_make_nodes(struct vif_back *vb, const u8 *mac)
{
	char value[24];
	int err;

	snprintf(value, sizeof(value), "%pM", mac);
	err = vif_back_write(vb->front_dir, "backend", vb->back_dir) ?:
	      vif_back_write(vb->front_dir, "backend-id", "0") ?:
	      vif_back_write(vb->front_dir, "mac", value);
	if (err)
		return err;
	snprintf(value, sizeof(value), "%u", vb->id);
	err = vif_back_write(vb->front_dir, "handle", value) ?:
	      vif_back_write(vb->front_dir, "state", STATE_INITIALISING);
	if (err)
		return err;

	err = vif_back_write(vb->back_dir, "frontend", vb->front_dir);
	if (err)
		return err;
	snprintf(value, sizeof(value), "%u", vb->domid);
	err = vif_back_write(vb->back_dir, "frontend-id", value) ?:
	      vif_back_write(vb->back_dir, "online", "1") ?:
	      vif_back_write(vb->back_dir, "script", script) ?:
	      vif_back_write(vb->back_dir, "type", "vif");
	if (err)
		return err;
	snprintf(value, sizeof(value), "%pM", mac);
	err = vif_back_write(vb->back_dir, "mac", value);
	if (err)
		return err;
	snprintf(value, sizeof(value), "%u", vb->id);
	return vif_back_write(vb->back_dir, "handle", value) ?:
	       vif_back_write(vb->back_dir, "state", STATE_INITIALISING);
}

/*
 * The guest's side says Closed and goes offline, so xen-netback unmaps the
 * guest's rings and removes vifD.N.
 */
static void vif_back_close(struct vif_back *vb)
{
	vif_back_write(vb->back_dir, "online", "0");
	vif_back_write(vb->front_dir, "state", STATE_CLOSED);
}

static void vif_back_remove_nodes(struct vif_back *vb)
{
	noxs_store_prune(vb->back_dir, BACK_KEEP);
	noxs_store_prune(vb->front_dir, FRONT_KEEP);
}

/* Has xen-netback closed the vif (or never made its node)? */
static bool vif_back_closed(struct vif_back *vb)
{
	char path[80], state[4];
	int n;

	snprintf(path, sizeof(path), "%s/state", vb->back_dir);
	n = noxs_store_read(path, state, sizeof(state));
	return n == -ENOENT || (n == 1 && state[0] == STATE_CLOSED[0]);
}

/*
 * Waits until xen-netback says Closed: after that it writes nothing more
 * in its node. Removed any earlier, the node could come back: a
 * xen-netback still probing (a build that failed at once) writes its
 * features there. A xen-netback that never probes costs CLOSE_TIMEOUT.
 */
static void vif_back_wait_closed(struct vif_back *vb)
{
	unsigned long deadline = jiffies + CLOSE_TIMEOUT;
	long left;
	int seen;

	for (;;) {
		seen = atomic_read(&vb->back_changes);
		if (vif_back_closed(vb))
			return;
		left = (long)(deadline - jiffies);
		if (left <= 0 ||
		    !wait_event_timeout(vb->back_wait,
					atomic_read(&vb->back_changes) != seen,
					left))
			break;
	}
	pr_warn("domain %u vif %u: xen-netback did not close within %u s; its node goes anyway\n",
		vb->domid, vb->id, CLOSE_TIMEOUT / HZ);
}

static int vif_back_init(struct noxs_device *dev, const u8 *params)
{
	const struct noxs_vif_params *vp = (const void *)params;
	struct vif_back *vb;
	int err;

	err = vif_back_check_params(params);
	if (err)
		return err;
	vb = kzalloc(sizeof(*vb), GFP_KERNEL);
	if (!vb)
		return -ENOMEM;
	vb->dev = dev;
	vb->domid = dev->guest->domid;
	vb->id = dev->id;
	mutex_init(&vb->lock);
	INIT_WORK(&vb->work, vif_back_work);
	init_waitqueue_head(&vb->back_wait);
	snprintf(vb->front_dir, sizeof(vb->front_dir),
		 "/local/domain/%u/device/vif/%u", vb->domid, vb->id);
	snprintf(vb->back_dir, sizeof(vb->back_dir), BACK_KEEP "/vif/%u/%u",
		 vb->domid, vb->id);
	vif_back_fill_page(dev->page_addr, vp->mac);

	err = vif_back_make_nodes(vb, vp->mac);
	if (err)
		goto err_nodes;
	vb->watch.path = vb->back_dir;
	vb->watch.changed = vif_back_changed;
	err = noxs_store_watch(&vb->watch);
	if (err)
		goto err_nodes;
	dev->priv = vb;
	return 0;

err_nodes:
	vif_back_close(vb);
	vif_back_remove_nodes(vb);
	kfree(vb);
	return err;
}

static int vif_back_hotplug(struct noxs_device *dev, u32 status)
{
	struct vif_back *vb = dev->priv;
	int err = -ENOENT;

	mutex_lock(&vb->lock);
	if (!vb->dead)
		err = vif_back_write(vb->back_dir, "hotplug-status",
				     "connected");
	mutex_unlock(&vb->lock);
	return err;
}

/*
 * The vif goes: xen-netback closes it, then its nodes go. From kill, or
 * from fini when the device never lived (its channel could not be bound).
 */
static void vif_back_teardown(struct vif_back *vb)
{
	mutex_lock(&vb->lock);
	if (vb->dead) {
		mutex_unlock(&vb->lock);
		return;
	}
	vb->dead = true;
	mutex_unlock(&vb->lock);
	vif_back_close(vb);
	vif_back_wait_closed(vb);
	noxs_store_unwatch(&vb->watch);
	cancel_work_sync(&vb->work);
	vif_back_remove_nodes(vb);
}

/* The device is going: its channel is unbound already. */
static void vif_back_kill(struct noxs_device *dev)
{
	vif_back_teardown(dev->priv);
}

static void vif_back_fini(struct noxs_device *dev)
{
	vif_back_teardown(dev->priv);
	kfree(dev->priv);
}

static void vif_back_query(struct noxs_device *dev,
			   struct noxs_ioctl_device_query *query)
{
	struct vif_back *vb = dev->priv;

	mutex_lock(&vb->lock);
	query->state = vb->front_state == STATE_CONNECTED ?
		       NOXS_DEVICE_CONNECTED : NOXS_DEVICE_WAITING;
	query->rejected = vb->rejected;
	mutex_unlock(&vb->lock);
}

static const struct noxs_backend vif_backend = {
	.type	= NOXS_DEV_VIF,
	.name	= "noxs-vif",
	.owner	= THIS_MODULE,
	.init	= vif_back_init,
	.event	= vif_back_event,
	.hotplug = vif_back_hotplug,
	.kill	= vif_back_kill,
	.query	= vif_back_query,
	.fini	= vif_back_fini,
};

static int __init vif_back_module_init(void)
{
	int err;

	if (!xen_initial_domain()) {
		pr_err("not running in a Xen dom0, refusing to load\n");
		return -ENODEV;
	}
	vif_wq = alloc_workqueue("noxs-vif", WQ_UNBOUND, 0);
	if (!vif_wq)
		return -ENOMEM;
	err = noxs_register_backend(&vif_backend);
	if (err)
		destroy_workqueue(vif_wq);
	return err;
}

static void __exit vif_back_module_exit(void)
{
	noxs_unregister_backend(&vif_backend);
	destroy_workqueue(vif_wq);
}

module_init(vif_back_module_init);
module_exit(vif_back_module_exit);

MODULE_DESCRIPTION("lightvm NoXS vif backend: the stock xen-netback without xenstored (dom0)");
MODULE_LICENSE("GPL");
