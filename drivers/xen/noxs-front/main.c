// SPDX-License-Identifier: GPL-2.0
/*
 * noxs-front - the guest's end of NoXS: finds the device directory that
 * dom0's noxs module made for this guest, and maps it.
 *
 * A stock kernel has no hypercall to ask Xen for it, and no XenStore
 * reaches another domain. When dom0's noxs attaches our console (before
 * we ever run, and again after a restore), it writes a locator at the end
 * of the console page (noxs_wire.h): the backend domain and the grant of
 * the directory. The console page is ours, found through start_info, so
 * this works however and whenever the module is loaded, and after a
 * restore into a new domain.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/xen.h>
#include <xen/interface/event_channel.h>
#include <xen/interface/xen.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>
#include <asm/xen/page.h>

#include "noxs-front.h"

/*
 * The directory mapping. Protected by noxs_dir_lock: it goes before a
 * suspend (a save must find no backend page in our page tables) and comes
 * back, maybe another one, on resume.
 */
static DEFINE_MUTEX(noxs_dir_lock);
static struct noxs_front_mapping noxs_dir_map;
static const struct noxs_dir_page *noxs_dir;

/*
 * Protects noxs_clients. Lock order: a caller's own lock (sysctl-front's),
 * then noxs_clients_lock, then a client's lock, then noxs_dir_lock.
 */
static DEFINE_MUTEX(noxs_clients_lock);
static LIST_HEAD(noxs_clients);

void noxs_front_register(struct noxs_front_client *client)
{
	mutex_lock(&noxs_clients_lock);
	list_add_tail(&client->node, &noxs_clients);
	mutex_unlock(&noxs_clients_lock);
}
EXPORT_SYMBOL_GPL(noxs_front_register);

void noxs_front_unregister(struct noxs_front_client *client)
{
	mutex_lock(&noxs_clients_lock);
	list_del(&client->node);
	mutex_unlock(&noxs_clients_lock);
}
EXPORT_SYMBOL_GPL(noxs_front_unregister);

/* The locator dom0 wrote at the end of our console page. */
static int noxs_front_locate(domid_t *backend, grant_ref_t *gref)
{
	const struct noxs_locator *loc;
	u32 b, g;

	loc = gfn_to_virt(xen_start_info->console.domU.mfn) +
	      NOXS_LOCATOR_OFFSET;
	if (READ_ONCE(loc->magic) != NOXS_LOCATOR_MAGIC) {
		pr_err("no NoXS locator in the console page: this guest was not built by lvctl\n");
		return -ENODEV;
	}
	virt_rmb();	/* the magic made the fields valid */
	b = READ_ONCE(loc->backend_domid);
	g = READ_ONCE(loc->dir_gref);
	if (READ_ONCE(loc->version) != NOXS_LOCATOR_VERSION ||
	    b >= DOMID_FIRST_RESERVED) {
		pr_err("the NoXS locator is not one of version %u\n",
		       NOXS_LOCATOR_VERSION);
		return -EINVAL;
	}
	*backend = b;
	*gref = g;
	return 0;
}

int noxs_front_map(domid_t backend, grant_ref_t gref, bool readonly,
		   struct noxs_front_mapping *map)
{
	struct gnttab_map_grant_ref op;
	u32 flags = GNTMAP_host_map | (readonly ? GNTMAP_readonly : 0);
	int err;

	err = gnttab_alloc_pages(1, &map->page);
	if (err)
		return err;

	gnttab_set_map_op(&op, (unsigned long)page_address(map->page), flags,
			  gref, backend);
	err = gnttab_map_refs(&op, NULL, &map->page, 1);
	if (!err && op.status != GNTST_okay) {
		pr_err("cannot map grant %u of domain %u: status %d\n", gref,
		       backend, op.status);
		err = -EINVAL;
	}
	if (err) {
		gnttab_free_pages(1, &map->page);
		return err;
	}

	map->handle = op.handle;
	map->readonly = readonly;
	map->addr = page_address(map->page);
	return 0;
}
EXPORT_SYMBOL_GPL(noxs_front_map);

void noxs_front_unmap(struct noxs_front_mapping *map)
{
	struct gnttab_unmap_grant_ref op;
	u32 flags = GNTMAP_host_map | (map->readonly ? GNTMAP_readonly : 0);

	gnttab_set_unmap_op(&op, (unsigned long)map->addr, flags, map->handle);
	if (gnttab_unmap_refs(&op, NULL, &map->page, 1) ||
	    op.status != GNTST_okay) {
		pr_err("cannot unmap a backend page: leaking one page\n");
		return;
	}
	gnttab_free_pages(1, &map->page);
	map->addr = NULL;
}
EXPORT_SYMBOL_GPL(noxs_front_unmap);

/* Binds to the backend's unbound channel; returns the irq or an error. */
int noxs_front_bind(domid_t backend, evtchn_port_t remote_port,
		    irq_handler_t handler, const char *name, void *dev_id)
{
	struct evtchn_bind_interdomain bind = {
		.remote_dom = backend,
		.remote_port = remote_port,
	};
	struct evtchn_close close;
	int err, irq;

	err = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &bind);
	if (err)
		return err;
	irq = bind_evtchn_to_irqhandler(bind.local_port, handler, 0, name,
					dev_id);
	if (irq < 0) {
		close.port = bind.local_port;
		HYPERVISOR_event_channel_op(EVTCHNOP_close, &close);
	}
	return irq;
}
EXPORT_SYMBOL_GPL(noxs_front_bind);

/*
 * Copies the directory entry of device (@type, @id). Returns -ENOENT if
 * the backend did not give this guest such a device, -ENODEV while the
 * directory is not mapped (around a suspend).
 */
int noxs_front_find(u32 type, u32 id, struct noxs_dir_entry *entry)
{
	int err = -ENOENT;
	u32 nr, i;

	mutex_lock(&noxs_dir_lock);
	if (!noxs_dir) {
		err = -ENODEV;
		goto out;
	}
	nr = min_t(u32, READ_ONCE(noxs_dir->nr_entries), NOXS_DIR_MAX_ENTRIES);
	for (i = 0; i < nr; i++) {
		const struct noxs_dir_entry *e = &noxs_dir->entries[i];

		if (READ_ONCE(e->type) != type || READ_ONCE(e->id) != id)
			continue;
		virt_rmb();	/* the type made it live: now its fields */
		*entry = *e;
		err = entry->type == type ? 0 : -EAGAIN; /* withdrawn meanwhile? */
		break;
	}
out:
	mutex_unlock(&noxs_dir_lock);
	return err;
}
EXPORT_SYMBOL_GPL(noxs_front_find);

/*
 * The ids of the devices of @type in the directory, at most @max of them
 * into @ids, each once, in the directory's order. Returns how many, or
 * -ENODEV while the directory is not mapped.
 */
int noxs_front_ids(u32 type, u32 *ids, unsigned int max)
{
	unsigned int found = 0, j;
	u32 nr, i, id;
	int err = -ENODEV;

	mutex_lock(&noxs_dir_lock);
	if (!noxs_dir)
		goto out;
	nr = min_t(u32, READ_ONCE(noxs_dir->nr_entries), NOXS_DIR_MAX_ENTRIES);
	for (i = 0; i < nr && found < max; i++) {
		if (READ_ONCE(noxs_dir->entries[i].type) != type)
			continue;
		id = READ_ONCE(noxs_dir->entries[i].id);
		for (j = 0; j < found && ids[j] != id; j++)
			;
		if (j == found)
			ids[found++] = id;	/* the page is dom0's: no twice */
	}
	err = found;
out:
	mutex_unlock(&noxs_dir_lock);
	return err;
}
EXPORT_SYMBOL_GPL(noxs_front_ids);

/* Maps the directory the locator names; under noxs_dir_lock. */
static int noxs_front_attach(void)
{
	grant_ref_t gref;
	domid_t backend;
	u32 nr;
	int err;

	err = noxs_front_locate(&backend, &gref);
	if (err)
		return err;
	err = noxs_front_map(backend, gref, true, &noxs_dir_map);
	if (err)
		return err;
	if (READ_ONCE(((struct noxs_dir_page *)noxs_dir_map.addr)->magic) !=
	    NOXS_DIR_MAGIC ||
	    READ_ONCE(((struct noxs_dir_page *)noxs_dir_map.addr)->version) !=
	    NOXS_DIR_VERSION) {
		pr_err("domain %u, grant %u is not a version %u NoXS directory\n",
		       backend, gref, NOXS_DIR_VERSION);
		noxs_front_unmap(&noxs_dir_map);
		return -EINVAL;
	}
	noxs_dir = noxs_dir_map.addr;
	nr = min_t(u32, READ_ONCE(noxs_dir->nr_entries), NOXS_DIR_MAX_ENTRIES);
	pr_info("device directory from domain %u (grant %u): %u device(s)\n",
		backend, gref, nr);
	return 0;
}

/*
 * Before a suspend: no page of the backend may stay mapped, or the save
 * fails on it. The frontends unmap theirs first.
 */
void noxs_front_suspend(void)
{
	struct noxs_front_client *client;

	mutex_lock(&noxs_clients_lock);
	list_for_each_entry(client, &noxs_clients, node)
		client->suspend();
	mutex_unlock(&noxs_clients_lock);

	mutex_lock(&noxs_dir_lock);
	if (noxs_dir)
		noxs_front_unmap(&noxs_dir_map);
	noxs_dir = NULL;
	mutex_unlock(&noxs_dir_lock);
}
EXPORT_SYMBOL_GPL(noxs_front_suspend);

/*
 * After a resume, or a suspend that did not happen: the directory the
 * locator names now (after a restore, a new one from a new dom0 record).
 */
int noxs_front_resume(void)
{
	struct noxs_front_client *client;
	bool attached = false;
	int err = 0;

	mutex_lock(&noxs_dir_lock);
	if (!noxs_dir) {
		err = noxs_front_attach();
		attached = !err;
	}
	mutex_unlock(&noxs_dir_lock);

	if (attached) {
		mutex_lock(&noxs_clients_lock);
		list_for_each_entry(client, &noxs_clients, node)
			client->resume();
		mutex_unlock(&noxs_clients_lock);
	}
	return err;
}
EXPORT_SYMBOL_GPL(noxs_front_resume);

static int __init noxs_front_init(void)
{
	if (!xen_pv_domain() || xen_initial_domain()) {
		pr_err("not running in a Xen PV guest, refusing to load\n");
		return -ENODEV;
	}
	return noxs_front_resume();
}

static void __exit noxs_front_exit(void)
{
	noxs_front_suspend();
}

module_init(noxs_front_init);
module_exit(noxs_front_exit);

MODULE_DESCRIPTION("lightvm NoXS device directory (guest)");
MODULE_LICENSE("GPL");
