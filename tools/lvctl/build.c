// SPDX-License-Identifier: GPL-2.0
/*
 * The PV domain builder: from a checked configuration to a running (or
 * paused) guest, with libxenctrl/libxenguest and the noxs module, and no
 * XenStore. The guest is built with XenStore event channel 0, so that a
 * stock Linux guest runs xenbus locally (XS_LOCAL), and finds its NoXS
 * device directory through the locator noxs writes into its console page.
 *
 * The build has two halves. The shell: the domain, its NoXS record, sysctl
 * device and console channel, and its memory, which depend only on the
 * guest's size. Then what depends on the request: the name, the kernel, the
 * image, the console backend, unpause. The memory is populated before the
 * kernel is read, as a 64-bit PV guest's ("xen-3.0-x86_64"): the only
 * guest type Xen 4.17 runs as PV by default, checked against the kernel
 * when it is parsed.
 *
 * Every step that takes something records it, and a failure gives it all
 * back in reverse order: nothing of a failed build, or shell, stays behind.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <unistd.h>
/* xc_map_foreign_range(): one page, mapped through the xch's own handle. */
#define XC_WANT_COMPAT_MAP_FOREIGN_API
#include <xenctrl.h>
#include <xenguest.h>

#include <xen/noxs.h>

#include "build.h"
#include "disk_device.h"
#include "domain_settings.h"
#include "lvctl.h"
#include "netdev.h"

#define PV_GUEST_TYPE		"xen-3.0-x86_64"

/* Ends the current phase: its time goes to @phase. */
static void lap(struct lvctl_build *b, double *phase)
{
	double now = lvctl_now_ms();

	*phase = now - b->lap;
	b->lap = now;
}

/* A kernel or ramdisk is a readable regular file: a FIFO would block. */
static int check_file(const char *what, const char *path)
{
	struct stat st;

	if (stat(path, &st) || access(path, R_OK)) {
		lvctl_error("cannot read %s %s: %s", what, path,
			    strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		lvctl_error("%s %s is not a regular file", what, path);
		return -1;
	}
	if (!st.st_size) {
		lvctl_error("%s %s is empty", what, path);
		return -1;
	}
	return 0;
}

/*
 * What can be known before anything is taken: fail early and clearly.
 * @checks adds LVCTL_CHECK_MEMORY (the host's CPUs and free memory: not
 * for a shell, whose domain has both already) and LVCTL_CHECK_KERNEL
 * (not for a restore or a template's shell, which need no file read).
 */
int lvctl_build_check(xc_interface *xch, int noxs_fd,
		      const struct lvctl_config *cfg, unsigned int checks)
{
	struct noxs_ioctl_guest_info info;
	xc_physinfo_t phys = { 0 };
	unsigned long free_mb;
	int err;

	if ((checks & LVCTL_CHECK_KERNEL) &&
	    (check_file("kernel", cfg->kernel) ||
	     (cfg->ramdisk && check_file("ramdisk", cfg->ramdisk))))
		return -1;
	if (lvctl_vifs_check(cfg))
		return -1;
	if (lvctl_disks_check(cfg))
		return -1;
	if ((cfg->nr_vifs || cfg->nr_disks) && lvctl_xenstored_check())
		return -1;
	if (cfg->cmdline && strlen(cfg->cmdline) >= MAX_GUEST_CMDLINE) {
		lvctl_error("the guest command line is longer than %d bytes",
			    MAX_GUEST_CMDLINE - 1);
		return -1;
	}

	err = noxs_guest_info(noxs_fd, cfg->name, 0, &info);
	if (!err) {
		lvctl_error("the name '%s' is in use by domain %u", cfg->name,
			    info.domid);
		return -1;
	}
	if (err != -ENOENT)
		return -1;
	if (!(checks & LVCTL_CHECK_MEMORY))
		return 0;

	if (xc_physinfo(xch, &phys)) {
		lvctl_error("cannot read the host's physical information: %s",
			    strerror(errno));
		return -1;
	}
	free_mb = XC_PAGE_MB(phys.free_pages);
	if ((unsigned long)cfg->memory_mb > free_mb) {
		/* Unlike xl's autoballoon, lvctl never takes dom0's memory. */
		lvctl_error("Xen is out of memory: the guest needs %ld MiB, %lu MiB are free (lvctl does not balloon dom0 down: boot Xen with dom0_mem=, or shrink dom0 with 'xl mem-set 0 SIZE')",
			    cfg->memory_mb, free_mb);
		return -1;
	}
	return 0;
}

/* @what went wrong, in lvctl's words, and libxenguest's after them. */
static void dom_error(struct lvctl_build *b, const char *what)
{
	lvctl_error("%s (libxenguest: %s)", what,
		    lvctl_xc_error(b->xch, strerror(errno)));
}

/*
 * Stops a build between two steps when SIGINT, SIGTERM or SIGHUP came:
 * the caller's failure path gives back everything taken so far.
 */
static int interrupted(struct lvctl_build *b)
{
	int sig = lvctl_stop_pending();

	if (!sig)
		return 0;
	lvctl_error("interrupted by SIG%s: the half-built domain %u is destroyed",
		    sigabbrev_np(sig), b->domid);
	return 1;
}

static int create_domain(struct lvctl_build *b)
{
	struct xen_domctl_createdomain create = {
		.flags = 0,			/* PV */
		.max_vcpus = b->max_vcpus,
		/* -1: Xen's defaults */
		.max_evtchn_port = b->max_event_channels ?
				   b->max_event_channels - 1 : -1,
		.max_grant_frames = b->max_grant_frames ?: -1,
		.max_maptrack_frames = -1,
		.grant_opts = XEN_DOMCTL_GRANT_version(1),
		.arch = { .emulation_flags = 0 },
	};
	uint32_t domid = 0;			/* Xen picks one */

	/* Until noxs knows it, the handle tells whose half-built domain it is. */
	lvctl_creator_stamp(create.handle);
	if (xc_domain_create(b->xch, &domid, &create)) {
		lvctl_error("cannot create a domain: %s", strerror(errno));
		return -1;
	}
	b->domid = domid;
	b->have_domain = 1;

	if (xc_domain_max_vcpus(b->xch, domid, b->max_vcpus)) {
		lvctl_error("cannot give domain %u %ld vcpus: %s", domid,
			    b->max_vcpus, strerror(errno));
		return -1;
	}
	if (xc_domain_setmaxmem(b->xch, domid, b->maxmem_mb * 1024)) {
		lvctl_error("cannot set domain %u's maximum memory: %s", domid,
			    strerror(errno));
		return -1;
	}
	/*
	 * A PV kernel takes the end of its memory map as the most it may
	 * balloon up to (as xl sets it): without it, mem-set above the
	 * memory it started with would find no room in the guest.
	 */
	if (xc_domain_set_memmap_limit(b->xch, domid, b->maxmem_mb * 1024)) {
		lvctl_error("cannot set domain %u's memory map: %s", domid,
			    strerror(errno));
		return -1;
	}
	return 0;
}

/* The NoXS record (nameless for a shell), sysctl device, console channel. */
static int create_devices(struct lvctl_build *b, const char *name)
{
	int port;

	if (noxs_guest_create(b->noxs_fd, b->domid, name))
		return -1;
	b->have_noxs = 1;

	/* Its sysctl device: shutdown, reboot, suspend requests. */
	if (noxs_device_create(b->noxs_fd, b->domid, NOXS_DEV_SYSCTL, 0))
		return -1;

	port = xc_evtchn_alloc_unbound(b->xch, b->domid, 0);
	if (port < 0) {
		lvctl_error("cannot allocate the console event channel: %s",
			    strerror(errno));
		return -1;
	}
	b->console_port = port;
	return 0;
}

/* Populates the guest's memory, with libxenguest's PV layout. */
static int populate_memory(struct lvctl_build *b)
{
	struct xc_dom_image *dom;

	dom = xc_dom_allocate(b->xch, NULL, NULL);
	if (!dom) {
		lvctl_error("cannot allocate the domain image");
		return -1;
	}
	b->dom = dom;
	dom->container_type = XC_DOM_PV_CONTAINER;
	dom->guest_type = PV_GUEST_TYPE;
	dom->max_vcpus = b->max_vcpus;
	dom->console_evtchn = b->console_port;
	dom->console_domid = 0;
	dom->xenstore_evtchn = 0;	/* no XenStore: the guest skips xenbus */
	dom->xenstore_domid = 0;

	if (xc_dom_boot_xen_init(dom, b->xch, b->domid) ||
	    xc_dom_mem_init(dom, b->memory_mb) || xc_dom_boot_mem_init(dom)) {
		if (errno == ENOMEM)
			lvctl_error("cannot give the guest %ld MiB: Xen is out of memory",
				    b->memory_mb);
		else
			dom_error(b, "cannot give the guest its memory");
		return -1;
	}
	return 0;
}

/*
 * The kernel and ramdisk, read and parsed into the shell's image, with
 * @cmdline as the guest's command line.
 */
static int load_kernel(struct lvctl_build *b, const struct lvctl_config *cfg,
		       const char *cmdline)
{
	struct xc_dom_image *dom = b->dom;

	dom->cmdline = xc_dom_strdup(dom, cmdline);
	if (!dom->cmdline) {
		lvctl_error("out of memory");
		return -1;
	}

	if (xc_dom_kernel_file(dom, cfg->kernel)) {
		lvctl_error("cannot load the kernel %s (libxenguest: %s)",
			    cfg->kernel, lvctl_xc_error(b->xch, strerror(errno)));
		return -1;
	}
	if (cfg->ramdisk && xc_dom_module_file(dom, cfg->ramdisk, NULL)) {
		lvctl_error("cannot load the ramdisk %s (libxenguest: %s)",
			    cfg->ramdisk, lvctl_xc_error(b->xch, strerror(errno)));
		return -1;
	}
	if (xc_dom_parse_image(dom)) {
		lvctl_error("%s is not a Xen PV kernel (an ELF or bzImage with Xen notes) (libxenguest: %s)",
			    cfg->kernel, lvctl_xc_error(b->xch, strerror(errno)));
		return -1;
	}
	if (strcmp(dom->guest_type, PV_GUEST_TYPE)) {
		lvctl_error("%s is a %s kernel: lvctl builds %s guests only",
			    cfg->kernel, dom->guest_type, PV_GUEST_TYPE);
		return -1;
	}
	return 0;
}

static int build_image(struct lvctl_build *b)
{
	if (xc_dom_build_image(b->dom)) {
		lvctl_error("cannot build the guest's image in its %ld MiB of memory (libxenguest: %s)",
			    b->memory_mb, lvctl_xc_error(b->xch, strerror(errno)));
		return -1;
	}
	if (xc_dom_boot_image(b->dom)) {
		dom_error(b, "cannot start the guest's image");
		return -1;
	}
	if (xc_dom_gnttab_init(b->dom)) {
		dom_error(b, "cannot set up the guest's grant table");
		return -1;
	}
	return 0;
}

/*
 * The vifs' NoXS devices: xen-netback makes their interfaces while the
 * kernel is loaded and the image built.
 */
static int add_vifs(struct lvctl_build *b, const struct lvctl_config *cfg)
{
	double start = lvctl_now_ms();
	int err;

	err = lvctl_vifs_add(b->noxs_fd, b->domid, cfg, &b->nl_fd);
	b->have_nl = b->nl_fd >= 0;
	b->times.vifs += lvctl_now_ms() - start;
	b->lap = lvctl_now_ms();
	return err;
}

/* The disks' loop devices and NoXS devices: xen-blkback opens them. */
static int add_disks(struct lvctl_build *b, const struct lvctl_config *cfg)
{
	double start = lvctl_now_ms();
	int err;

	err = lvctl_disks_add(b->noxs_fd, b->domid, cfg);
	b->times.disks += lvctl_now_ms() - start;
	b->lap = lvctl_now_ms();
	return err;
}

/* Their interfaces on their bridges, and xen-netback told. */
static int connect_vifs(struct lvctl_build *b, const struct lvctl_config *cfg)
{
	double start = lvctl_now_ms();
	int err;

	err = lvctl_vifs_connect(b->noxs_fd, b->domid, cfg,
				 b->have_nl ? b->nl_fd : -1);
	b->have_nl = 0;
	b->times.vifs += lvctl_now_ms() - start;
	b->lap = lvctl_now_ms();
	return err;
}

/*
 * What the config sets of the domain beside its size, before it runs:
 * UUID, vCPU affinity and scheduling, clock offset, and the settings its
 * sysctl device carries (online vCPUs, memory target).
 */
static int apply_settings(struct lvctl_build *b,
			  const struct lvctl_config *cfg)
{
	xen_domain_handle_t uuid;

	memcpy(uuid, cfg->uuid, sizeof(uuid));
	if (cfg->has_uuid && xc_domain_sethandle(b->xch, b->domid, uuid)) {
		lvctl_error("cannot set domain %u's UUID: %s", b->domid,
			    strerror(errno));
		return -1;
	}
	if (lvctl_domain_set_affinity(b->xch, b->domid, cfg) ||
	    lvctl_domain_set_sched(b->xch, b->domid, cfg->cpu_weight,
				   cfg->cap) ||
	    (cfg->localtime && lvctl_domain_set_localtime(b->xch, b->domid)))
		return -1;
	return lvctl_guest_settings(b->noxs_fd, b->domid, cfg->vcpus,
				    cfg->memory_mb * 1024, 0);
}

/* Console backend, unpause, and the guest is no longer ours to undo. */
static int start_guest(struct lvctl_build *b, const struct lvctl_config *cfg)
{
	int err;

	if (apply_settings(b, cfg))
		return -1;

	/* A template shell's console was attached with its image. */
	if (!b->console_attached &&
	    noxs_console_attach(b->noxs_fd, b->domid, b->console_port))
		return -1;
	lap(b, &b->times.console);

	if (!b->paused && xc_domain_unpause(b->xch, b->domid)) {
		lvctl_error("cannot unpause domain %u: %s", b->domid,
			    strerror(errno));
		return -1;
	}
	lap(b, &b->times.unpause);
	err = noxs_guest_commit(b->noxs_fd, b->domid);
	if (err == -ENOENT)
		lvctl_error("domain %u was destroyed by another process before it was ready",
			    b->domid);
	if (!err)
		lvctl_xs_publish(b->domid, cfg->name);
	return err ? -1 : 0;
}

/* A shell's size: the rest is Xen's defaults. */
static void set_size(struct lvctl_build *b, long memory_mb, long maxmem_mb,
		     long vcpus)
{
	b->memory_mb = memory_mb;
	b->maxmem_mb = maxmem_mb;
	b->vcpus = b->max_vcpus = vcpus;
	b->max_grant_frames = b->max_event_channels = 0;
	b->lap = lvctl_now_ms();
}

/* A guest's size and what else its domain is created with. */
static void set_limits(struct lvctl_build *b, const struct lvctl_config *cfg)
{
	set_size(b, cfg->memory_mb, cfg->maxmem_mb, cfg->vcpus);
	b->max_vcpus = cfg->max_vcpus;
	b->max_grant_frames = cfg->max_grant_frames;
	b->max_event_channels = cfg->max_event_channels;
}

/*
 * Where every entry point ends: on failure, everything given back; on
 * success, libxenguest's image kept for a shell, released for a guest.
 */
static int ended(struct lvctl_build *b, int err, int built)
{
	if (err) {
		lvctl_build_undo(b);
		return -1;
	}
	if (built) {
		if (b->dom)
			xc_dom_release(b->dom);
		b->dom = NULL;
		/* Committed: noxs has its name, the sweep leaves its config. */
		close(b->state_lock);
		b->state_name = NULL;
	}
	return 0;
}

/* The first half: what depends on the guest's size only. */
static int make_shell(struct lvctl_build *b, const char *name)
{
	if (create_domain(b) || interrupted(b))
		return -1;
	lap(b, &b->times.domain);
	if (create_devices(b, name) || interrupted(b))
		return -1;
	lap(b, &b->times.devices);
	if (populate_memory(b) || interrupted(b))
		return -1;
	lap(b, &b->times.memory);
	return 0;
}

/* A pool shell of @memory_mb and @vcpus: nameless, paused, not built. */
int lvctl_shell_make(struct lvctl_build *b, long memory_mb, long vcpus)
{
	set_size(b, memory_mb, memory_mb, vcpus);
	return ended(b, make_shell(b, NULL), 0);
}

/*
 * The name is ours now: save what a restart rebuilds the guest from,
 * before it runs and can shut itself down.
 */
static int save_state(struct lvctl_build *b, const struct lvctl_config *cfg)
{
	b->state_lock = lvctl_state_save(cfg);
	if (b->state_lock < 0)
		return -1;
	b->state_name = cfg->name;
	return 0;
}

/* The kernel loaded with @cmdline and the image built, each timed. */
static int load_and_build(struct lvctl_build *b,
			  const struct lvctl_config *cfg, const char *cmdline)
{
	if (load_kernel(b, cfg, cmdline) || interrupted(b))
		return -1;
	lap(b, &b->times.load);
	if (build_image(b) || interrupted(b))
		return -1;
	lap(b, &b->times.image);
	return 0;
}

/* The second half, on a shell of @cfg's size: undone on failure. */
static int finish(struct lvctl_build *b, const struct lvctl_config *cfg)
{
	if (save_state(b, cfg) || add_disks(b, cfg) || add_vifs(b, cfg))
		return -1;

	if (load_and_build(b, cfg, cfg->cmdline ? cfg->cmdline : "") ||
	    connect_vifs(b, cfg) || interrupted(b))
		return -1;
	return start_guest(b, cfg);
}

int lvctl_shell_finish(struct lvctl_build *b, const struct lvctl_config *cfg)
{
	/* The shell's own phases were paid before anyone asked. */
	memset(&b->times, 0, sizeof(b->times));
	b->lap = lvctl_now_ms();
	return ended(b, noxs_guest_name(b->noxs_fd, b->domid, cfg->name) ||
			finish(b, cfg), 1);
}

/*
 * A template shell: a shell of @cfg's size with @cfg's kernel and ramdisk
 * loaded and its image built (page tables, start info, grant table), its
 * command line empty, its console attached, its vifs made and on their
 * bridges (@cfg's MACs: the caller made them for this shell); paused and
 * nameless. libxenguest's image is let go
 * (a big kernel's copy would stay in dom0's memory for the shell's life):
 * what the request writes later, the command line, is in the start info
 * page, whose machine frame is kept.
 */
static int make_template(struct lvctl_build *b, const struct lvctl_config *cfg)
{
	/* Its vifs too: xen-netback makes them while the kernel loads. */
	if (make_shell(b, NULL) || add_vifs(b, cfg) ||
	    load_and_build(b, cfg, "") || connect_vifs(b, cfg) ||
	    interrupted(b))
		return -1;
	b->vifs_ready = cfg->nr_vifs > 0;
	b->start_info_mfn = xc_dom_p2m(b->dom, b->dom->start_info_pfn);
	xc_dom_release(b->dom);
	b->dom = NULL;
	/*
	 * Its console page exists now: attached here, not on the request.
	 * Nothing is written to it before the guest runs.
	 */
	if (noxs_console_attach(b->noxs_fd, b->domid, b->console_port))
		return -1;
	b->console_attached = 1;
	return 0;
}

int lvctl_template_make(struct lvctl_build *b, const struct lvctl_config *cfg)
{
	set_limits(b, cfg);
	return ended(b, make_template(b, cfg), 0);
}

/* Writes the guest's command line into its start info page. */
static int write_cmdline(struct lvctl_build *b, const char *cmdline)
{
	start_info_t *si;

	si = xc_map_foreign_range(b->xch, b->domid, XC_PAGE_SIZE,
				  PROT_READ | PROT_WRITE, b->start_info_mfn);
	if (!si) {
		lvctl_error("cannot map domain %u's start info page: %s",
			    b->domid, strerror(errno));
		return -1;
	}
	memset(si->cmd_line, 0, sizeof(si->cmd_line));
	strncpy((char *)si->cmd_line, cmdline, sizeof(si->cmd_line) - 1);
	munmap(si, XC_PAGE_SIZE);
	return 0;
}

/* What a request adds to a template shell: undone on failure. */
static int finish_template(struct lvctl_build *b,
			   const struct lvctl_config *cfg)
{
	if (save_state(b, cfg) || add_disks(b, cfg) ||
	    (!b->vifs_ready && add_vifs(b, cfg)))
		return -1;
	if (write_cmdline(b, cfg->cmdline ? cfg->cmdline : "") ||
	    interrupted(b))
		return -1;
	lap(b, &b->times.load);
	if ((!b->vifs_ready && connect_vifs(b, cfg)) || interrupted(b))
		return -1;
	return start_guest(b, cfg);
}

/*
 * A template shell made into the guest @cfg says; its kernel, ramdisk and
 * size are the template's, and if the shell has vifs, @cfg's are those
 * (the caller checked). Disks, and the vifs of a shell without, are added
 * now.
 */
int lvctl_template_finish(struct lvctl_build *b,
			  const struct lvctl_config *cfg)
{
	memset(&b->times, 0, sizeof(b->times));
	b->lap = lvctl_now_ms();
	return ended(b, noxs_guest_name(b->noxs_fd, b->domid, cfg->name) ||
			finish_template(b, cfg), 1);
}

/* Both halves at once. */
int lvctl_build(struct lvctl_build *b, const struct lvctl_config *cfg)
{
	set_limits(b, cfg);
	return ended(b, make_shell(b, cfg->name) || finish(b, cfg), 1);
}

/*
 * A guest from a save stream: a domain of @cfg's size with its noxs
 * record, sysctl device and console channel, then libxenguest's restore
 * of memory and vcpus, the console's grant entry seeded again (the stream
 * does not carry it), and the console attached, which tells the guest
 * where its new directory is. Its modules reconnect when it resumes.
 */
static int restore(struct lvctl_build *b, const struct lvctl_config *cfg,
		   int fd)
{
	/* libxenguest calls through these whether or not any is set. */
	struct restore_callbacks callbacks = { 0 };
	unsigned long store_mfn = 0, console_mfn = 0;

	if (create_domain(b) || interrupted(b))
		return -1;
	lap(b, &b->times.domain);
	if (create_devices(b, cfg->name) || save_state(b, cfg) ||
	    interrupted(b))
		return -1;
	lap(b, &b->times.devices);
	/* Before it runs: the guest's relay finds its devices on resume. */
	if (add_disks(b, cfg) || add_vifs(b, cfg) || interrupted(b))
		return -1;

	/* XenStore event channel 0: the guest serves its own store. */
	if (xc_domain_restore(b->xch, fd, b->domid, 0, &store_mfn, 0,
			      b->console_port, &console_mfn, 0,
			      XC_STREAM_PLAIN, &callbacks, -1)) {
		dom_error(b, "cannot restore the guest: its stream is damaged or cut short");
		return -1;
	}
	lap(b, &b->times.memory);
	if (xc_dom_gnttab_seed(b->xch, b->domid, false, console_mfn, store_mfn,
			       0, 0)) {
		dom_error(b, "cannot set up the guest's grant table");
		return -1;
	}
	lap(b, &b->times.image);
	if (connect_vifs(b, cfg) || interrupted(b))
		return -1;
	return start_guest(b, cfg);
}

int lvctl_restore(struct lvctl_build *b, const struct lvctl_config *cfg,
		  int fd)
{
	set_limits(b, cfg);
	return ended(b, restore(b, cfg, fd), 1);
}

/* Gives back what a failed build took, in reverse order. */
void lvctl_build_undo(struct lvctl_build *b)
{
	if (b->dom)
		xc_dom_release(b->dom);
	if (b->have_nl)
		close(b->nl_fd);
	b->have_nl = 0;
	if (b->state_name) {
		lvctl_state_remove(b->state_name);
		close(b->state_lock);
	}
	/* Before the domain: the console mapping would keep it a zombie. */
	if (b->have_noxs)
		noxs_guest_destroy(b->noxs_fd, b->domid);
	if (b->have_domain && xc_domain_destroy(b->xch, b->domid) &&
	    errno != ESRCH)
		lvctl_error("cannot destroy the half-built domain %u: %s",
			    b->domid, strerror(errno));
	b->dom = NULL;
	b->state_name = NULL;
	b->have_noxs = 0;
	b->have_domain = 0;
}
