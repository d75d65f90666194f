// SPDX-License-Identifier: GPL-2.0
/*
 * NoXS devices and the backend registry.
 *
 * A device is a control page granted read-write to the guest and an
 * unbound event channel the guest binds to, both listed in the guest's
 * directory page. noxs owns those and their lifetime; the backend module
 * registered for the device's type (sysctl-back, later vif and vbd) owns
 * what the page says, through struct noxs_backend's hooks.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/interrupt.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/page.h>
#include <xen/interface/event_channel.h>
#include <asm/xen/hypercall.h>

#include "noxs.h"

/* Protects noxs_backends. */
static DEFINE_MUTEX(noxs_backends_lock);
static const struct noxs_backend *noxs_backends[NOXS_DEV_TYPE_MAX + 1];

int noxs_register_backend(const struct noxs_backend *backend)
{
	int err = 0;

	if (!backend->type || backend->type > NOXS_DEV_TYPE_MAX ||
	    !backend->init || !backend->event || !backend->query ||
	    !backend->fini || !backend->request != !backend->answer ||
	    !backend->settings != !backend->settled)
		return -EINVAL;

	mutex_lock(&noxs_backends_lock);
	if (noxs_backends[backend->type])
		err = -EBUSY;
	else
		noxs_backends[backend->type] = backend;
	mutex_unlock(&noxs_backends_lock);

	if (!err)
		pr_info("%s backend registered for device type %u\n",
			backend->name, backend->type);
	return err;
}
EXPORT_SYMBOL_GPL(noxs_register_backend);

/*
 * Each device pins its backend's module, so a backend unregisters (from
 * its module exit) only once none of its devices is left.
 */
void noxs_unregister_backend(const struct noxs_backend *backend)
{
	mutex_lock(&noxs_backends_lock);
	if (noxs_backends[backend->type] == backend)
		noxs_backends[backend->type] = NULL;
	mutex_unlock(&noxs_backends_lock);
}
EXPORT_SYMBOL_GPL(noxs_unregister_backend);

/*
 * Signals the guest; false if the device is dead. Under dev->lock, so that
 * no notification races the unbind: its irq could be another port's next.
 */
bool noxs_device_notify(struct noxs_device *dev)
{
	unsigned long flags;
	bool alive;

	spin_lock_irqsave(&dev->lock, flags);
	alive = !dev->dead;
	if (alive)
		notify_remote_via_irq(dev->irq);
	spin_unlock_irqrestore(&dev->lock, flags);
	return alive;
}
EXPORT_SYMBOL_GPL(noxs_device_notify);

/* The backend saw an answer: GUEST_CLOSE waiters look again. */
void noxs_device_wake(struct noxs_device *dev)
{
	wake_up_all(&dev->answer_wait);
}
EXPORT_SYMBOL_GPL(noxs_device_wake);

/* Returns the backend for @type with its module pinned, or NULL. */
static const struct noxs_backend *noxs_backend_get(u32 type)
{
	const struct noxs_backend *backend;

	mutex_lock(&noxs_backends_lock);
	backend = noxs_backends[type];
	if (backend && !try_module_get(backend->owner))
		backend = NULL;
	mutex_unlock(&noxs_backends_lock);
	return backend;
}

static irqreturn_t noxs_device_interrupt(int irq, void *dev_id)
{
	struct noxs_device *dev = dev_id;
	bool did_work;

	atomic64_inc(&dev->events);
	did_work = dev->backend->event(dev);
	/* Events that change nothing let the event core throttle a flood. */
	xen_irq_lateeoi(irq, did_work ? 0 : XEN_EOI_FLAG_SPURIOUS);
	return IRQ_HANDLED;
}

static int noxs_device_grant(struct noxs_device *dev)
{
	int ref;

	dev->page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!dev->page)
		return -ENOMEM;
	dev->page_addr = page_address(dev->page);

	ref = gnttab_grant_foreign_access(dev->guest->domid,
					  xen_page_to_gfn(dev->page), 0);
	if (ref < 0) {
		__free_page(dev->page);
		return ref;
	}
	dev->gref = ref;
	atomic_inc(&noxs_counters.grants);
	return 0;
}

static void noxs_device_revoke(struct noxs_device *dev)
{
	/* Frees the page once the guest no longer maps it. */
	gnttab_end_foreign_access(dev->gref, dev->page);
	atomic_dec(&noxs_counters.grants);
}

/*
 * Binds our end of an event channel to @handler (lateeoi: a handler that
 * found nothing to do lets the event core throttle the sender). On failure
 * the port is closed. Returns the irq or an error.
 */
int noxs_bind_port(evtchn_port_t port, irq_handler_t handler,
		   const char *name, void *dev_id)
{
	struct evtchn_close close = { .port = port };
	int irq;

	irq = bind_evtchn_to_irqhandler_lateeoi(port, handler, 0, name, dev_id);
	if (irq < 0) {
		HYPERVISOR_event_channel_op(EVTCHNOP_close, &close);
		return irq;
	}
	atomic_inc(&noxs_counters.evtchns);
	return irq;
}

/* Unbinds and closes what noxs_bind_port() bound. */
void noxs_unbind_port(int irq, void *dev_id)
{
	unbind_from_irqhandler(irq, dev_id);
	atomic_dec(&noxs_counters.evtchns);
}

static int noxs_device_bind(struct noxs_device *dev, const char *name)
{
	struct evtchn_alloc_unbound alloc = {
		.dom = DOMID_SELF,
		.remote_dom = dev->guest->domid,
	};
	int err, irq;

	err = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &alloc);
	if (err)
		return err;

	irq = noxs_bind_port(alloc.port, noxs_device_interrupt, name, dev);
	if (irq < 0)
		return irq;
	dev->port = alloc.port;
	dev->irq = irq;
	return 0;
}

static void noxs_device_unbind(struct noxs_device *dev)
{
	/* No more events, no more handler runs, after this. */
	noxs_unbind_port(dev->irq, dev);
}

static struct noxs_device *noxs_find_device_locked(struct noxs_guest *guest,
						   u32 type, u32 id)
{
	struct noxs_device *dev;

	lockdep_assert_held(&guest->devices_lock);
	list_for_each_entry(dev, &guest->devices, node)
		if (dev->type == type && dev->id == id)
			return dev;
	return NULL;
}

/* A free directory entry, or -ENOSPC. */
static int noxs_dir_slot_locked(struct noxs_guest *guest)
{
	struct noxs_dir_page *dir = noxs_guest_dir(guest);
	unsigned int i;

	for (i = 0; i < dir->nr_entries; i++)
		if (dir->entries[i].type == NOXS_DEV_NONE)
			return i;
	return i < NOXS_DIR_MAX_ENTRIES ? i : -ENOSPC;
}

static void noxs_dir_publish_locked(struct noxs_device *dev)
{
	struct noxs_dir_page *dir = noxs_guest_dir(dev->guest);
	struct noxs_dir_entry *entry = &dir->entries[dev->dir_index];

	entry->id = dev->id;
	entry->backend_domid = 0;	/* noxs runs in dom0 */
	entry->gref = dev->gref;
	entry->evtchn = dev->port;
	virt_wmb();	/* the entry's fields before its type makes it live */
	WRITE_ONCE(entry->type, dev->type);
	if (dev->dir_index >= dir->nr_entries)
		WRITE_ONCE(dir->nr_entries, dev->dir_index + 1);
}

static void noxs_dir_withdraw_locked(struct noxs_device *dev)
{
	struct noxs_dir_page *dir = noxs_guest_dir(dev->guest);

	WRITE_ONCE(dir->entries[dev->dir_index].type, NOXS_DEV_NONE);
	virt_wmb();
	memset(&dir->entries[dev->dir_index], 0, sizeof(dir->entries[0]));
}

/* The last reference: nothing uses the page or the backend's state now. */
static void noxs_device_release(struct kref *kref)
{
	struct noxs_device *dev = container_of(kref, struct noxs_device, kref);
	const struct noxs_backend *backend = dev->backend;

	backend->fini(dev);
	noxs_device_revoke(dev);
	kfree(dev);
	module_put(backend->owner);
}

static void noxs_device_put(struct noxs_device *dev)
{
	kref_put(&dev->kref, noxs_device_release);
}

/*
 * Called without devices_lock, once @dev is off every list: no request or
 * notification after this, waiters return -ESHUTDOWN at once, no event
 * handler runs again. Drops the list's reference.
 */
static void noxs_device_kill(struct noxs_device *dev)
{
	unsigned long flags;

	spin_lock_irqsave(&dev->lock, flags);
	dev->dead = true;
	spin_unlock_irqrestore(&dev->lock, flags);
	wake_up_all(&dev->answer_wait);

	noxs_device_unbind(dev);
	if (dev->backend->kill)
		dev->backend->kill(dev);
	noxs_device_put(dev);
}

static int noxs_device_setup(struct noxs_device *dev, const u8 *params)
{
	int err;

	err = noxs_device_grant(dev);
	if (err)
		return err;
	/*
	 * The backend's state must exist before the handler can run: a guest
	 * may bind our unbound port (and signal it) before the directory
	 * tells it the number.
	 */
	err = dev->backend->init(dev, params);
	if (err)
		goto err_revoke;
	err = noxs_device_bind(dev, dev->backend->name);
	if (err)
		goto err_fini;
	return 0;

err_fini:
	dev->backend->fini(dev);
err_revoke:
	noxs_device_revoke(dev);
	return err;
}

/* Are @params (may be NULL: none) zero from byte @from on? */
bool noxs_params_zero(const u8 *params, size_t from)
{
	return !params || !memchr_inv(params + from, 0,
				      NOXS_DEVICE_PARAMS_SIZE - from);
}
EXPORT_SYMBOL_GPL(noxs_params_zero);

int noxs_device_create(domid_t domid, u32 type, u32 id, const u8 *params)
{
	const struct noxs_backend *backend;
	struct noxs_guest *guest;
	struct noxs_device *dev;
	int slot, err;

	guest = noxs_guest_get(domid);
	if (!guest)
		return -ENOENT;
	backend = noxs_backend_get(type);
	if (!backend) {
		err = -ENODEV;	/* its backend module is not loaded */
		goto out_put_guest;
	}

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev) {
		err = -ENOMEM;
		goto out_put_backend;
	}
	kref_init(&dev->kref);
	dev->guest = guest;
	dev->backend = backend;
	dev->type = type;
	dev->id = id;
	spin_lock_init(&dev->lock);
	init_waitqueue_head(&dev->answer_wait);

	mutex_lock(&guest->devices_lock);
	if (guest->devices_closed) {
		err = -ENOENT;
		goto out_unlock;
	}
	if (noxs_find_device_locked(guest, type, id)) {
		err = -EEXIST;
		goto out_unlock;
	}
	slot = noxs_dir_slot_locked(guest);
	if (slot < 0) {
		err = slot;
		goto out_unlock;
	}
	dev->dir_index = slot;

	err = noxs_device_setup(dev, params);
	if (err)
		goto out_unlock;

	noxs_dir_publish_locked(dev);
	list_add_tail(&dev->node, &guest->devices);
	mutex_unlock(&guest->devices_lock);
	noxs_guest_put(guest);
	return 0;

out_unlock:
	mutex_unlock(&guest->devices_lock);
	kfree(dev);
out_put_backend:
	module_put(backend->owner);
out_put_guest:
	noxs_guest_put(guest);
	return err;
}

int noxs_device_destroy(domid_t domid, u32 type, u32 id)
{
	struct noxs_guest *guest;
	struct noxs_device *dev;

	guest = noxs_guest_get(domid);
	if (!guest)
		return -ENOENT;

	mutex_lock(&guest->devices_lock);
	dev = noxs_find_device_locked(guest, type, id);
	if (dev) {
		list_del(&dev->node);
		noxs_dir_withdraw_locked(dev);
	}
	mutex_unlock(&guest->devices_lock);
	noxs_guest_put(guest);

	if (!dev)
		return -ENOENT;
	noxs_device_kill(dev);
	return 0;
}

/* The guest is going: no new devices, and the ones it has go. */
void noxs_guest_devices_teardown(struct noxs_guest *guest)
{
	struct noxs_device *dev, *tmp;
	LIST_HEAD(doomed);

	mutex_lock(&guest->devices_lock);
	guest->devices_closed = true;
	list_for_each_entry_safe(dev, tmp, &guest->devices, node) {
		noxs_dir_withdraw_locked(dev);
		list_move(&dev->node, &doomed);
	}
	mutex_unlock(&guest->devices_lock);

	list_for_each_entry_safe(dev, tmp, &doomed, node) {
		list_del(&dev->node);
		noxs_device_kill(dev);
	}
}

int noxs_device_query(struct noxs_ioctl_device_query *query)
{
	struct noxs_guest *guest;
	struct noxs_device *dev;
	int err = 0;

	guest = noxs_guest_get(query->domid);
	if (!guest)
		return -ENOENT;

	mutex_lock(&guest->devices_lock);
	dev = noxs_find_device_locked(guest, query->type, query->id);
	if (dev) {
		query->gref = dev->gref;
		query->evtchn = dev->port;
		query->events = atomic64_read(&dev->events);
		dev->backend->query(dev, query);
	} else {
		err = -ENOENT;
	}
	mutex_unlock(&guest->devices_lock);
	noxs_guest_put(guest);
	return err;
}

/* @guest's device (@type, @id) with a reference held, or NULL. */
static struct noxs_device *noxs_device_get(struct noxs_guest *guest,
					   u32 type, u32 id)
{
	struct noxs_device *dev;

	mutex_lock(&guest->devices_lock);
	dev = noxs_find_device_locked(guest, type, id);
	if (dev)
		kref_get(&dev->kref);
	mutex_unlock(&guest->devices_lock);
	return dev;
}

/* The hotplug step of a device is done: its backend passes it on. */
int noxs_device_hotplug(domid_t domid, u32 type, u32 id, u32 status)
{
	struct noxs_guest *guest;
	struct noxs_device *dev;
	int err;

	guest = noxs_guest_get(domid);
	if (!guest)
		return -ENOENT;
	dev = noxs_device_get(guest, type, id);
	noxs_guest_put(guest);
	if (!dev)
		return -ENOENT;

	if (!dev->backend->hotplug)
		err = -EOPNOTSUPP;
	else if (READ_ONCE(dev->dead))
		err = -ENOENT;
	else
		err = dev->backend->hotplug(dev, status);
	noxs_device_put(dev);
	return err;
}

/* The guest's sysctl device (id 0), referenced, or an ERR_PTR. */
static struct noxs_device *noxs_sysctl_get(domid_t domid)
{
	struct noxs_guest *guest;
	struct noxs_device *dev;

	guest = noxs_guest_get(domid);
	if (!guest)
		return ERR_PTR(-ENOENT);
	dev = noxs_device_get(guest, NOXS_DEV_SYSCTL, 0);
	noxs_guest_put(guest);
	return dev ?: ERR_PTR(-EOPNOTSUPP);
}

/* What a caller of the sysctl device waits for: a request's answer, or settings. */
struct noxs_sysctl_wait {
	bool settings;
	u32 seq;
	u32 flags;		/* the settings asked */
	int ret;
};

/* Has the guest answered, or the device died? The outcome in w->ret. */
static bool noxs_sysctl_done(struct noxs_device *dev, struct noxs_sysctl_wait *w)
{
	if (READ_ONCE(dev->dead))
		w->ret = -ESHUTDOWN;
	else if (w->settings)
		w->ret = dev->backend->settled(dev, w->seq, w->flags);
	else
		w->ret = dev->backend->answer(dev, w->seq);
	return w->ret != -EINPROGRESS;
}

/*
 * Waits up to @timeout_ms, holding only a reference on the device: a
 * destroy of the guest goes ahead and ends the wait (-ESHUTDOWN). A signal
 * ends it with -ERESTARTSYS.
 */
static int noxs_sysctl_wait(struct noxs_device *dev, struct noxs_sysctl_wait *w,
			    unsigned int timeout_ms)
{
	long left;

	left = wait_event_interruptible_timeout(dev->answer_wait,
						noxs_sysctl_done(dev, w),
						msecs_to_jiffies(timeout_ms));
	if (left < 0)
		return left;		/* -ERESTARTSYS */
	return left ? w->ret : -ETIMEDOUT;
}

/*
 * Sends the guest a request (power off, reboot, suspend, sysrq) through
 * its sysctl device and waits up to @timeout_ms for its answer. After a
 * signal the request stays posted and a repeated call joins it, so the
 * ioctl can be restarted.
 */
int noxs_guest_request(domid_t domid, u32 request, u32 arg,
		       unsigned int timeout_ms)
{
	struct noxs_sysctl_wait w = { .settings = false };
	struct noxs_device *dev = noxs_sysctl_get(domid);
	int ret;

	if (IS_ERR(dev))
		return PTR_ERR(dev);
	ret = -EOPNOTSUPP;
	if (dev->backend->request)
		ret = dev->backend->request(dev, request, arg, &w.seq);
	if (!ret && !noxs_device_notify(dev))
		ret = -ESHUTDOWN;
	if (!ret && timeout_ms)
		ret = noxs_sysctl_wait(dev, &w, timeout_ms);
	noxs_device_put(dev);
	return ret;
}

/*
 * Writes a guest's settings (online vCPUs, memory target) to its sysctl
 * device and, with @timeout_ms, waits for its frontend to apply them, as
 * noxs_guest_request() waits for an answer. The settings stay on the page
 * whatever the wait ends with: a frontend that connects later applies them.
 */
int noxs_guest_settings(domid_t domid, u32 flags, u32 vcpus, u32 target_kib,
			unsigned int timeout_ms)
{
	struct noxs_sysctl_wait w = { .settings = true, .flags = flags };
	struct noxs_device *dev = noxs_sysctl_get(domid);
	int ret;

	if (IS_ERR(dev))
		return PTR_ERR(dev);
	ret = -EOPNOTSUPP;
	if (dev->backend->settings)
		ret = dev->backend->settings(dev, flags, vcpus, target_kib,
					     &w.seq);
	/* A guest not bound yet finds them when it connects. */
	if (!ret)
		noxs_device_notify(dev);
	if (!ret && timeout_ms)
		ret = noxs_sysctl_wait(dev, &w, timeout_ms);
	noxs_device_put(dev);
	return ret;
}
