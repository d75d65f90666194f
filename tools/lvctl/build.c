// SPDX-License-Identifier: GPL-2.0
/*
 * The PV domain builder: from a checked configuration to a running (or
 * paused) guest, with libxenctrl/libxenguest and the noxs module, and no
 * XenStore. The guest is built with XenStore event channel 0, so that a
 * stock Linux guest boots with XenStore off, and finds its NoXS device
 * directory through "noxs=<backend>:<gref>" on its command line.
 *
 * Every step that takes something records it, and a failure gives it all
 * back in reverse order: nothing of a failed create stays behind.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xenctrl.h>
#include <xenguest.h>

#include <xen/noxs.h>

#include "build.h"
#include "lvctl.h"

static char *guest_cmdline(const struct lvctl_config *cfg,
			   unsigned int backend, unsigned int gref)
{
	char *cmdline;

	if (asprintf(&cmdline, "%s%snoxs=%u:%u",
		     cfg->cmdline ? cfg->cmdline : "",
		     cfg->cmdline && *cfg->cmdline ? " " : "",
		     backend, gref) < 0)
		return NULL;
	if (strlen(cmdline) >= MAX_GUEST_CMDLINE) {
		lvctl_error("the guest command line is longer than %d bytes",
			    MAX_GUEST_CMDLINE - 1);
		free(cmdline);
		return NULL;
	}
	return cmdline;
}

/* The libxenguest part: load the kernel and ramdisk, build the image. */
static int build_image(struct lvctl_build *b, const struct lvctl_config *cfg,
		       const char *cmdline, evtchn_port_t console_port)
{
	struct xc_dom_image *dom;
	const char *step;
	int err;

	dom = xc_dom_allocate(b->xch, cmdline, NULL);
	if (!dom) {
		lvctl_error("cannot allocate the domain image");
		return -1;
	}
	dom->container_type = XC_DOM_PV_CONTAINER;
	dom->max_vcpus = cfg->vcpus;
	dom->console_evtchn = console_port;
	dom->console_domid = 0;
	dom->xenstore_evtchn = 0;	/* no XenStore: the guest skips xenbus */
	dom->xenstore_domid = 0;

	step = "load the kernel";
	if ((err = xc_dom_kernel_file(dom, cfg->kernel)))
		goto err;
	step = "load the ramdisk";
	if (cfg->ramdisk && (err = xc_dom_module_file(dom, cfg->ramdisk, NULL)))
		goto err;
	step = "initialise the builder";
	if ((err = xc_dom_boot_xen_init(dom, b->xch, b->domid)))
		goto err;
	step = "parse the kernel image";
	if ((err = xc_dom_parse_image(dom)))
		goto err;
	b->times.load = lvctl_now_ms();

	step = "give the guest its memory";
	if ((err = xc_dom_mem_init(dom, cfg->memory_mb)) ||
	    (err = xc_dom_boot_mem_init(dom)))
		goto err;
	b->times.memory = lvctl_now_ms();

	step = "build the image";
	if ((err = xc_dom_build_image(dom)) || (err = xc_dom_boot_image(dom)))
		goto err;
	step = "set up the grant table";
	if ((err = xc_dom_gnttab_init(dom)))
		goto err;
	b->times.image = lvctl_now_ms();

	xc_dom_release(dom);
	return 0;

err:
	if (errno == ENOMEM)
		lvctl_error("cannot %s: Xen is out of memory", step);
	else
		lvctl_error("cannot %s: %s", step,
			    lvctl_xc_error(b->xch, strerror(errno)));
	xc_dom_release(dom);
	return -1;
}

static int create_domain(struct lvctl_build *b, const struct lvctl_config *cfg)
{
	struct xen_domctl_createdomain create = {
		.flags = 0,			/* PV */
		.max_vcpus = cfg->vcpus,
		.max_evtchn_port = -1,
		.max_grant_frames = -1,		/* Xen's defaults */
		.max_maptrack_frames = -1,
		.grant_opts = XEN_DOMCTL_GRANT_version(1),
		.arch = { .emulation_flags = 0 },
	};
	uint32_t domid = 0;			/* Xen picks one */

	if (xc_domain_create(b->xch, &domid, &create)) {
		lvctl_error("cannot create a domain: %s", strerror(errno));
		return -1;
	}
	b->domid = domid;
	b->have_domain = 1;

	if (xc_domain_max_vcpus(b->xch, domid, cfg->vcpus)) {
		lvctl_error("cannot give domain %u %ld vcpus: %s", domid,
			    cfg->vcpus, strerror(errno));
		return -1;
	}
	if (xc_domain_setmaxmem(b->xch, domid, cfg->maxmem_mb * 1024)) {
		lvctl_error("cannot set domain %u's maximum memory: %s", domid,
			    strerror(errno));
		return -1;
	}
	return 0;
}

int lvctl_build(struct lvctl_build *b, const struct lvctl_config *cfg)
{
	unsigned int backend, gref;
	char *cmdline;
	int port;

	b->times.start = lvctl_now_ms();
	if (create_domain(b, cfg))
		goto err;
	b->times.create = lvctl_now_ms();

	if (noxs_guest_create(b->noxs_fd, b->domid, cfg->name, &gref,
			      &backend))
		goto err;
	b->have_noxs = 1;

	/*
	 * The name is ours now: save what a restart rebuilds it from, before
	 * the guest runs and can shut itself down.
	 */
	if (lvctl_state_save(cfg))
		goto err;
	b->state_name = cfg->name;

	/* Its sysctl device: shutdown, reboot, suspend requests. */
	if (noxs_device_create(b->noxs_fd, b->domid, NOXS_DEV_SYSCTL, 0))
		goto err;

	port = xc_evtchn_alloc_unbound(b->xch, b->domid, 0);
	if (port < 0) {
		lvctl_error("cannot allocate the console event channel: %s",
			    strerror(errno));
		goto err;
	}
	b->times.devices = lvctl_now_ms();

	cmdline = guest_cmdline(cfg, backend, gref);
	if (!cmdline)
		goto err;
	if (build_image(b, cfg, cmdline, port)) {
		free(cmdline);
		goto err;
	}
	free(cmdline);

	if (noxs_console_attach(b->noxs_fd, b->domid, port))
		goto err;
	b->times.console = lvctl_now_ms();

	if (!b->paused && xc_domain_unpause(b->xch, b->domid)) {
		lvctl_error("cannot unpause domain %u: %s", b->domid,
			    strerror(errno));
		goto err;
	}
	b->times.unpause = lvctl_now_ms();

	if (noxs_guest_commit(b->noxs_fd, b->domid))
		goto err;
	return 0;

err:
	lvctl_build_undo(b);
	return -1;
}

/* Gives back what a failed build took, in reverse order. */
void lvctl_build_undo(struct lvctl_build *b)
{
	/* Before the domain: the console mapping would keep it a zombie. */
	if (b->state_name)
		lvctl_state_remove(b->state_name);
	if (b->have_noxs)
		noxs_guest_destroy(b->noxs_fd, b->domid);
	if (b->have_domain && xc_domain_destroy(b->xch, b->domid))
		lvctl_error("cannot destroy the half-built domain %u: %s",
			    b->domid, strerror(errno));
	b->state_name = NULL;
	b->have_noxs = 0;
	b->have_domain = 0;
}
