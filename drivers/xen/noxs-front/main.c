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
#include <xen/grant_table.h>
#include <xen/xen.h>
#include <xen/interface/xen.h>
#include <asm/xen/hypervisor.h>
#include <uapi/xen/noxs.h>

#define NOXS_PARAM "noxs="

/* The directory mapping; set up at init, gone at exit. */
static struct page *noxs_dir_page;
static grant_handle_t noxs_dir_handle;
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

static int noxs_front_map(domid_t backend, grant_ref_t gref)
{
	struct gnttab_map_grant_ref op;
	int err;

	err = gnttab_alloc_pages(1, &noxs_dir_page);
	if (err)
		return err;

	gnttab_set_map_op(&op, (unsigned long)page_address(noxs_dir_page),
			  GNTMAP_host_map | GNTMAP_readonly, gref, backend);
	err = gnttab_map_refs(&op, NULL, &noxs_dir_page, 1);
	if (!err && op.status != GNTST_okay) {
		pr_err("cannot map the directory (domain %u, grant %u): status %d\n",
		       backend, gref, op.status);
		err = -EINVAL;
	}
	if (err) {
		gnttab_free_pages(1, &noxs_dir_page);
		return err;
	}

	noxs_dir_handle = op.handle;
	noxs_dir = page_address(noxs_dir_page);
	return 0;
}

static void noxs_front_unmap(void)
{
	struct gnttab_unmap_grant_ref op;

	gnttab_set_unmap_op(&op, (unsigned long)page_address(noxs_dir_page),
			    GNTMAP_host_map | GNTMAP_readonly, noxs_dir_handle);
	if (gnttab_unmap_refs(&op, NULL, &noxs_dir_page, 1) ||
	    op.status != GNTST_okay) {
		pr_err("cannot unmap the directory: leaking one page\n");
		return;
	}
	gnttab_free_pages(1, &noxs_dir_page);
	noxs_dir = NULL;
}

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

	err = noxs_front_map(backend, gref);
	if (err)
		return err;

	if (READ_ONCE(noxs_dir->magic) != NOXS_DIR_MAGIC ||
	    READ_ONCE(noxs_dir->version) != NOXS_DIR_VERSION) {
		pr_err("domain %u, grant %u is not a version %u NoXS directory\n",
		       backend, gref, NOXS_DIR_VERSION);
		noxs_front_unmap();
		return -EINVAL;
	}

	nr = min_t(u32, READ_ONCE(noxs_dir->nr_entries), NOXS_DIR_MAX_ENTRIES);
	pr_info("device directory from domain %u (grant %u): %u device(s)\n",
		backend, gref, nr);
	return 0;
}

static void __exit noxs_front_exit(void)
{
	noxs_front_unmap();
}

module_init(noxs_front_init);
module_exit(noxs_front_exit);

MODULE_DESCRIPTION("lightvm NoXS device directory (guest)");
MODULE_LICENSE("GPL");
