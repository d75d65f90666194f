/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PV domain builder.
 */
#ifndef LVCTL_BUILD_H
#define LVCTL_BUILD_H

#include <stdint.h>
#include <xenctrl.h>

#include "config.h"

/* CLOCK_MONOTONIC in ms at the end of each phase, for profiling. */
struct lvctl_build_times {
	double start;
	double create;		/* domain created, vcpus and maxmem set */
	double devices;		/* noxs record, directory, console channel */
	double load;		/* kernel and ramdisk read and parsed */
	double memory;		/* guest memory populated */
	double image;		/* image built, grant table seeded */
	double console;		/* console backend attached */
	double unpause;
};

struct lvctl_build {
	/* in */
	xc_interface *xch;
	int noxs_fd;
	int paused;		/* leave the guest paused */

	/* out */
	uint32_t domid;
	struct lvctl_build_times times;

	/* what to give back on failure */
	int have_domain;
	int have_noxs;
	const char *state_name;	/* its saved config, by name */
};

int lvctl_build(struct lvctl_build *b, const struct lvctl_config *cfg);
void lvctl_build_undo(struct lvctl_build *b);

#endif /* LVCTL_BUILD_H */
