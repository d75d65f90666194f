/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PV domain builder, in two halves: a shell (the domain, its NoXS
 * record and devices, its memory) and the rest (name, kernel, image,
 * console, unpause). `lvctl create` does both at once; the daemon's pool
 * makes shells ahead of time and finishes one per request. A template
 * shell goes further ahead: its kernel is loaded and its image built, and
 * a request only names it, writes its command line, adds its devices and
 * unpauses it.
 */
#ifndef LVCTL_BUILD_H
#define LVCTL_BUILD_H

#include <stdint.h>
#include <xenctrl.h>

#include "config.h"

#define XC_PAGE_MB(pages)	((pages) >> (20 - XC_PAGE_SHIFT))

/* Milliseconds spent in each phase, for profiling. */
struct lvctl_build_times {
	double domain;		/* domain created, vcpus and maxmem set */
	double devices;		/* noxs record, sysctl device, console channel */
	double memory;		/* guest memory populated */
	double load;		/* name taken, kernel and ramdisk read, parsed */
	double image;		/* image built, grant table seeded */
	double console;		/* console backend attached */
	double unpause;
	double vifs;		/* vif devices, their interfaces on bridges */
	double disks;		/* loop devices, vbd devices */
};

struct xc_dom_image;

struct lvctl_build {
	/* in */
	xc_interface *xch;
	int noxs_fd;
	int paused;		/* leave the guest paused */

	/* out */
	uint32_t domid;
	struct lvctl_build_times times;

	/* the shell: what the first half made */
	long memory_mb, maxmem_mb, vcpus;
	long max_vcpus;			/* vcpus, or the config's maxvcpus */
	long max_grant_frames;		/* 0: Xen's default */
	long max_event_channels;	/* 0: Xen's default */
	evtchn_port_t console_port;
	struct xc_dom_image *dom;	/* its memory, for libxenguest */
	xen_pfn_t start_info_mfn;	/* a template shell's start info */
	int console_attached;		/* a template shell's is */
	int vifs_ready;			/* a template shell's vifs are made */

	/* what to give back on failure */
	int have_domain;
	int have_noxs;
	const char *state_name;	/* its saved config, by name, until commit */
	int state_lock;		/* holds that file's lock while state_name */
	int nl_fd;		/* hears of the vifs' interfaces, if have_nl */
	int have_nl;
	double lap;		/* when the current phase began */
};

/* lvctl_build_check()'s @checks */
#define LVCTL_CHECK_MEMORY	(1U << 0)	/* Xen has the guest's memory free */
#define LVCTL_CHECK_KERNEL	(1U << 1)	/* kernel, ramdisk, command line */

int lvctl_build_check(xc_interface *xch, int noxs_fd,
		      const struct lvctl_config *cfg, unsigned int checks);
int lvctl_build(struct lvctl_build *b, const struct lvctl_config *cfg);
int lvctl_shell_make(struct lvctl_build *b, long memory_mb, long vcpus);
int lvctl_shell_finish(struct lvctl_build *b, const struct lvctl_config *cfg);
int lvctl_template_make(struct lvctl_build *b, const struct lvctl_config *cfg);
int lvctl_template_finish(struct lvctl_build *b,
			  const struct lvctl_config *cfg);
int lvctl_restore(struct lvctl_build *b, const struct lvctl_config *cfg,
		  int fd);
void lvctl_build_undo(struct lvctl_build *b);

#endif /* LVCTL_BUILD_H */
