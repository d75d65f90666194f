/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Suspending a guest for libxenguest's save stream (save, migrate), and
 * resuming it where it was when the stream goes nowhere.
 */
#ifndef LVCTL_SUSPEND_H
#define LVCTL_SUSPEND_H

#include <stdint.h>
#include <xenctrl.h>

struct lvctl_suspend {
	xc_interface *xch;
	int noxs_fd;
	uint32_t domid;
	const char *name;
	int suspended;		/* the guest is suspended now */
	double suspended_ms;	/* since when (lvctl_now_ms()) */
};

int lvctl_domain_suspended(xc_interface *xch, uint32_t domid);
int lvctl_suspend_cb(void *data);
int lvctl_resume_guest(xc_interface *xch, uint32_t domid, const char *name);

#endif /* LVCTL_SUSPEND_H */
