// SPDX-License-Identifier: GPL-2.0
/*
 * A cooperative suspend: the sysctl device's suspend request, which the
 * guest's relay hands to the stock manage.c, then Xen's word that the
 * guest is in SHUTDOWN_suspend. xc_domain_resume(fast) undoes it.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <xenctrl.h>
#include <xenguest.h>

#include <xen/noxs.h>

#include "lvctl.h"
#include "suspend.h"

#define SUSPEND_ACK_MS		10000	/* the relay acknowledges at once */
#define SUSPEND_TIMEOUT_S	30	/* the guest's own suspend path */
#define SUSPEND_POLL_US		2000

int lvctl_domain_suspended(xc_interface *xch, uint32_t domid)
{
	xc_domaininfo_t dom;

	return xc_domain_getinfolist(xch, domid, 1, &dom) == 1 &&
	       dom.domain == domid && (dom.flags & XEN_DOMINF_shutdown) &&
	       ((dom.flags >> XEN_DOMINF_shutdownshift) &
		XEN_DOMINF_shutdownmask) == SHUTDOWN_suspend;
}

/* libxenguest's suspend callback: 1 once the guest is suspended, else 0. */
int lvctl_suspend_cb(void *data)
{
	struct lvctl_suspend *job = data;
	double deadline;
	int err;

	err = noxs_guest_request(job->noxs_fd, job->domid,
				 NOXS_SYSCTL_REQ_SUSPEND, 0, SUSPEND_ACK_MS);
	if (err) {
		lvctl_error("cannot suspend domain %u (%s): %s", job->domid,
			    job->name,
			    err == -EOPNOTSUPP ?
			    "its kernel does not handle suspend requests (no sysctl-front and noxs-store?)" :
			    strerror(-err));
		return 0;
	}
	deadline = lvctl_now_ms() + SUSPEND_TIMEOUT_S * 1000.0;
	while (!lvctl_domain_suspended(job->xch, job->domid)) {
		if (lvctl_stop_pending()) {
			lvctl_error("interrupted while domain %u (%s) suspended",
				    job->domid, job->name);
			return 0;
		}
		if (lvctl_now_ms() > deadline) {
			lvctl_error("domain %u (%s) did not suspend within %d s",
				    job->domid, job->name, SUSPEND_TIMEOUT_S);
			return 0;
		}
		usleep(SUSPEND_POLL_US);
	}
	job->suspended = 1;
	job->suspended_ms = lvctl_now_ms();
	return 1;
}

/* The guest runs on where it was (a cancelled suspend). */
int lvctl_resume_guest(xc_interface *xch, uint32_t domid, const char *name)
{
	if (xc_domain_resume(xch, domid, 1)) {
		lvctl_error("cannot resume domain %u (%s): %s (lvctl resume %s)",
			    domid, name, strerror(errno), name);
		return -1;
	}
	return 0;
}
