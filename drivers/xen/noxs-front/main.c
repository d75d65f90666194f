// SPDX-License-Identifier: GPL-2.0
/*
 * noxs-front - the guest's end of NoXS: finds the device directory that
 * dom0's noxs module made for this guest, and maps it.
 *
 * A stock kernel has no hypercall to ask Xen for it, and this guest runs
 * without XenStore. The domain builder (lvctl) puts "noxs=<backend>:<gref>"
 * on the guest's command line, which Xen hands over in start_info: the
 * backend domain granted the directory page to us under that reference.
 * Reading start_info rather than a module parameter keeps it independent
 * of how, or from where, the module is loaded.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/string.h>
#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/xen.h>
#include <xen/interface/event_channel.h>
#include <xen/interface/xen.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>

#include "noxs-front.h"

#define NOXS_PARAM "noxs="

/* The directory mapping; set up at init, gone at exit. */
static struct noxs_front_mapping noxs_dir_map;
static const struct noxs_dir_page *noxs_dir;

/* Finds "noxs=B:G" as a word of the command line Xen gave us. */
static int noxs_front_parse(domid_t *backend, grant_ref_t *gref)
{
	char cmdline[MAX_GUEST_CMDLINE];
	char *rest, *word;
	unsigned int b, g;
	char tail;

	strscpy(cmdline, xen_start_info->cmd_line, sizeof(cmdline));
	rest = cmdline;
	while ((word = strsep(&rest, " \t")) != NULL) {
		if (strncmp(word, NOXS_PARAM, strlen(NOXS_PARAM)))
			continue;
		if (sscanf(word + strlen(NOXS_PARAM), "%u:%u%c", &b, &g,
			   &tail) != 2 || b >= DOMID_FIRST_RESERVED) {
			pr_err("malformed %s on the command line\n", word);
			return -EINVAL;
		}
		*backend = b;
		*gref = g;
		return 0;
	}
	pr_err("no " NOXS_PARAM " on the command line: this guest was not built by lvctl\n");
	return -ENODEV;
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
 * the backend did not give this guest such a device.
 */
int noxs_front_find(u32 type, u32 id, struct noxs_dir_entry *entry)
{
	u32 nr, i;

	nr = min_t(u32, READ_ONCE(noxs_dir->nr_entries), NOXS_DIR_MAX_ENTRIES);
	for (i = 0; i < nr; i++) {
		const struct noxs_dir_entry *e = &noxs_dir->entries[i];

		if (READ_ONCE(e->type) != type || READ_ONCE(e->id) != id)
			continue;
		virt_rmb();	/* the type made it live: now its fields */
		*entry = *e;
		if (entry->type != type)
			return -EAGAIN;	/* withdrawn while we copied it */
		return 0;
	}
	return -ENOENT;
}
EXPORT_SYMBOL_GPL(noxs_front_find);

static int __init noxs_front_init(void)
{
	grant_ref_t gref;
	domid_t backend;
	u32 nr;
	int err;

	if (!xen_pv_domain() || xen_initial_domain()) {
		pr_err("not running in a Xen PV guest, refusing to load\n");
		return -ENODEV;
	}

	err = noxs_front_parse(&backend, &gref);
	if (err)
		return err;

	err = noxs_front_map(backend, gref, true, &noxs_dir_map);
	if (err)
		return err;
	noxs_dir = noxs_dir_map.addr;

	if (READ_ONCE(noxs_dir->magic) != NOXS_DIR_MAGIC ||
	    READ_ONCE(noxs_dir->version) != NOXS_DIR_VERSION) {
		pr_err("domain %u, grant %u is not a version %u NoXS directory\n",
		       backend, gref, NOXS_DIR_VERSION);
		noxs_front_unmap(&noxs_dir_map);
		return -EINVAL;
	}

	nr = min_t(u32, READ_ONCE(noxs_dir->nr_entries), NOXS_DIR_MAX_ENTRIES);
	pr_info("device directory from domain %u (grant %u): %u device(s)\n",
		backend, gref, nr);
	return 0;
}

static void __exit noxs_front_exit(void)
{
	noxs_front_unmap(&noxs_dir_map);
}

module_init(noxs_front_init);
module_exit(noxs_front_exit);

MODULE_DESCRIPTION("lightvm NoXS device directory (guest)");
MODULE_LICENSE("GPL");
