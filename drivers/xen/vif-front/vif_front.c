// SPDX-License-Identifier: GPL-2.0
/*
 * vif-front - the guest's relay for its NoXS network interfaces: makes
 * them devices the stock xen-netfront drives, through the guest's own
 * store (noxs-store).
 *
 * For each vif in the NoXS directory it writes the device node a
 * toolstack would (device/vif/N: backend, backend-id, handle, mac, state)
 * and a node that stands for the backend (BACKEND_DIR/DOMID/N) where it
 * writes the keys dom0's xen-netback published on the vif's key page.
 * What xen-netfront writes under device/vif/N goes the other way, onto the
 * page. xen-netfront then runs its usual handshake, as if the backend were
 * in this store.
 *
 * Load it after noxs-store and noxs-front, and before xen-netfront (whose
 * modprobe waits for its devices to connect). It cannot be unloaded: once
 * xen-netfront has probed its devices, their other end is here.
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

/* Where the backend's keys are, in this store. */
#define BACKEND_DIR	"/local/domain/0/backend/vif"
/* Device ids looked for in the directory. */
#define VIF_FRONT_MAX	32

struct vif_front {
	struct list_head node;		/* in vif_fronts */
	u32 id;
	char front_dir[32];		/* device/vif/N */
	char back_dir[64];		/* BACKEND_DIR/DOMID/N */
	struct noxs_store_watch watch;	/* the kernel writes front_dir */
	struct work_struct work;	/* syncs the page and the store */
	unsigned long pending;		/* VIF_* bits: what work does */

	/* Under vif_lock: the connection, gone around a suspend. */
	struct noxs_front_mapping map;
	struct noxs_kv_page *page;
	int irq;			/* -1 when disconnected */
	u32 seq;			/* of our area */
	struct noxs_relay_cache cache;	/* the backend's keys applied */
	char scratch[NOXS_KV_AREA_SIZE];
};

/* Work to do, in vif_front.pending. */
#define VIF_APPLY	0	/* the backend's area changed */
#define VIF_PUBLISH	1	/* xen-netfront wrote its node */

/* Protects vif_fronts and each vif's connection. */
static DEFINE_MUTEX(vif_lock);
static LIST_HEAD(vif_fronts);
static struct workqueue_struct *vif_wq;

/* Under vif_lock, connected: the backend's keys into back_dir. */
static void vif_front_apply_locked(struct vif_front *vif)
{
	int err;

	err = noxs_relay_apply(&vif->page->back, sizeof(vif->page->back.data),
			       vif->back_dir, noxs_vif_back_keys, 0,
			       &vif->cache);
	if (err && err != -EAGAIN)
		pr_warn_ratelimited("vif %u: refused the backend's keys (%d)\n",
				    vif->id, err);
}

/* Under vif_lock, connected: xen-netfront's keys onto the page. */
static void vif_front_publish_locked(struct vif_front *vif)
{
	int err;

	err = noxs_relay_publish(&vif->page->front, &vif->seq, vif->front_dir,
				 noxs_vif_front_keys, NOXS_VIF_MAX_QUEUES,
				 vif->scratch);
	if (err)
		pr_warn_ratelimited("vif %u: cannot publish our keys (%d)\n",
				    vif->id, err);
	else
		notify_remote_via_irq(vif->irq);
}

static void vif_front_work(struct work_struct *work)
{
	struct vif_front *vif = container_of(work, struct vif_front, work);

	mutex_lock(&vif_lock);
	if (vif->irq >= 0) {
		if (test_and_clear_bit(VIF_APPLY, &vif->pending))
			vif_front_apply_locked(vif);
		if (test_and_clear_bit(VIF_PUBLISH, &vif->pending))
			vif_front_publish_locked(vif);
	}
	mutex_unlock(&vif_lock);
}

static void vif_front_queue(struct vif_front *vif, int what)
{
	set_bit(what, &vif->pending);
	queue_work(vif_wq, &vif->work);
}

static irqreturn_t vif_front_interrupt(int irq, void *dev_id)
{
	vif_front_queue(dev_id, VIF_APPLY);
	return IRQ_HANDLED;
}

static void vif_front_changed(struct noxs_store_watch *watch,
			      const char *path)
{
	vif_front_queue(container_of(watch, struct vif_front, watch),
			VIF_PUBLISH);
}

/* Under vif_lock: maps and binds the vif's page; the store is untouched. */
static int vif_front_connect(struct vif_front *vif,
			     struct noxs_dir_entry *entry)
{
	struct noxs_kv_page *page;
	int err, irq;

	err = noxs_front_map(entry->backend_domid, entry->gref, false,
			     &vif->map);
	if (err)
		return err;
	page = vif->map.addr;
	if (READ_ONCE(page->magic) != NOXS_KV_MAGIC ||
	    READ_ONCE(page->version) != NOXS_KV_VERSION ||
	    READ_ONCE(page->type) != NOXS_DEV_VIF) {
		pr_err("vif %u: its page is not a version %u vif key page\n",
		       vif->id, NOXS_KV_VERSION);
		err = -EINVAL;
		goto err_unmap;
	}
	irq = noxs_front_bind(entry->backend_domid, entry->evtchn,
			      vif_front_interrupt, "noxs-vif", vif);
	if (irq < 0) {
		err = irq;
		goto err_unmap;
	}
	vif->page = page;
	vif->irq = irq;
	vif->cache.len = 0;	/* the backend may be a new one: write all */
	return 0;

err_unmap:
	noxs_front_unmap(&vif->map);
	return err;
}

/* Under vif_lock: gives dom0's page back (before a suspend). */
static void vif_front_disconnect(struct vif_front *vif)
{
	if (vif->irq < 0)
		return;
	unbind_from_irqhandler(vif->irq, vif);
	vif->irq = -1;
	noxs_front_unmap(&vif->map);
	vif->page = NULL;
}

static int vif_front_write(const char *dir, const char *key,
			   const char *value)
{
	char path[96];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	return noxs_store_write(path, value);
}

/*
 * Under vif_lock, connected: the two nodes xen-netfront needs, the
 * backend's first (a frontend that finds no other end gives up), our
 * state last (xenbus probes a device once it says Initialising).
 */
static int vif_front_make_nodes(struct vif_front *vif, domid_t backend)
{
	struct noxs_relay_cache *init;
	char value[16];
	int err;

	err = vif_front_write(vif->back_dir, "state", "1");
	if (err)
		return err;
	vif_front_apply_locked(vif);

	init = kzalloc(sizeof(*init), GFP_KERNEL);
	if (!init)
		return -ENOMEM;
	/* The init area begins as any area does: seq, len, data. */
	err = noxs_relay_apply((const struct noxs_kv_area *)&vif->page->init,
			       sizeof(vif->page->init.data), vif->front_dir,
			       noxs_vif_init_keys, 0, init);
	kfree(init);
	if (err) {
		pr_err("vif %u: bad MAC address from the backend (%d)\n",
		       vif->id, err);
		return err;
	}
	snprintf(value, sizeof(value), "%u", backend);
	err = vif_front_write(vif->front_dir, "backend-id", value) ?:
	      vif_front_write(vif->front_dir, "backend", vif->back_dir);
	if (err)
		return err;
	snprintf(value, sizeof(value), "%u", vif->id);
	return vif_front_write(vif->front_dir, "handle", value) ?:
	       vif_front_write(vif->front_dir, "state", "1");
}

/* Under vif_lock: finds vif @id in the directory and connects it. */
static int vif_front_find_connect(struct vif_front *vif,
				  struct noxs_dir_entry *entry)
{
	int err;

	err = noxs_front_find(NOXS_DEV_VIF, vif->id, entry);
	if (err)
		return err;
	return vif_front_connect(vif, entry);
}

static int vif_front_add(u32 id, domid_t domid)
{
	struct noxs_dir_entry entry;
	struct vif_front *vif;
	int err;

	vif = kzalloc(sizeof(*vif), GFP_KERNEL);
	if (!vif)
		return -ENOMEM;
	vif->id = id;
	vif->irq = -1;
	INIT_WORK(&vif->work, vif_front_work);
	snprintf(vif->front_dir, sizeof(vif->front_dir), "device/vif/%u", id);
	snprintf(vif->back_dir, sizeof(vif->back_dir), BACKEND_DIR "/%u/%u",
		 domid, id);

	mutex_lock(&vif_lock);
	err = vif_front_find_connect(vif, &entry);
	if (err) {
		mutex_unlock(&vif_lock);
		kfree(vif);
		return err;
	}
	err = vif_front_make_nodes(vif, entry.backend_domid);
	if (err)
		goto err_disconnect;
	vif->watch.path = vif->front_dir;
	vif->watch.changed = vif_front_changed;
	err = noxs_store_watch(&vif->watch);
	if (err)
		goto err_disconnect;
	list_add_tail(&vif->node, &vif_fronts);
	mutex_unlock(&vif_lock);
	pr_info("vif %u: relayed to domain %u\n", id, entry.backend_domid);
	return 0;

err_disconnect:
	vif_front_disconnect(vif);
	mutex_unlock(&vif_lock);
	cancel_work_sync(&vif->work);	/* an event may have queued it */
	noxs_store_remove(vif->front_dir);
	noxs_store_remove(vif->back_dir);
	pr_err("vif %u: cannot make its store nodes (%d)\n", id, err);
	kfree(vif);
	return err;
}

static void vif_front_suspend(void)
{
	struct vif_front *vif;

	mutex_lock(&vif_lock);
	list_for_each_entry(vif, &vif_fronts, node)
		vif_front_disconnect(vif);
	mutex_unlock(&vif_lock);
}

/*
 * The directory is back. After a cancelled suspend it is the same page,
 * which still has our keys: nothing changed. After a restore it is a new
 * backend's fresh page (nothing published on it yet): xen-netfront will
 * connect anew once the new xen-netback says InitWait, and until it has
 * written all its new keys it must not look connected there, so its node
 * says Initialising again. The backend's keys are applied in both cases.
 */
static void vif_front_resume(void)
{
	struct noxs_dir_entry entry;
	struct vif_front *vif;
	int err;

	mutex_lock(&vif_lock);
	list_for_each_entry(vif, &vif_fronts, node) {
		err = vif_front_find_connect(vif, &entry);
		if (err) {
			pr_err("vif %u: not back after the resume (%d)\n",
			       vif->id, err);
			continue;
		}
		if (!READ_ONCE(vif->page->front.seq)) {
			vif_front_write(vif->front_dir, "state", "1");
			set_bit(VIF_PUBLISH, &vif->pending);
		}
		vif_front_queue(vif, VIF_APPLY);
	}
	mutex_unlock(&vif_lock);
}

static struct noxs_front_client vif_front_client = {
	.suspend = vif_front_suspend,
	.resume = vif_front_resume,
};

static int __init vif_front_init(void)
{
	domid_t domid = noxs_store_domid();
	unsigned int found = 0;
	u32 id;
	int err;

	if (!xen_pv_domain() || xen_initial_domain()) {
		pr_err("not running in a Xen PV guest, refusing to load\n");
		return -ENODEV;
	}
	/* Not frozen: the relay must run while the kernel resumes. */
	vif_wq = alloc_ordered_workqueue("noxs-vif", 0);
	if (!vif_wq)
		return -ENOMEM;
	for (id = 0; id < VIF_FRONT_MAX; id++) {
		err = vif_front_add(id, domid);
		if (!err)
			found++;
		else if (err != -ENOENT)
			pr_err("vif %u: not relayed (%d)\n", id, err);
	}
	noxs_front_register(&vif_front_client);
	pr_info("%u vif(s)\n", found);
	return 0;
}

module_init(vif_front_init);
/* No exit: xen-netfront's devices would lose their other end. */

MODULE_DESCRIPTION("lightvm NoXS vif relay to the stock xen-netfront (guest)");
MODULE_LICENSE("GPL");
