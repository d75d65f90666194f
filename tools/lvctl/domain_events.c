// SPDX-License-Identifier: GPL-2.0
/*
 * How the daemon learns that domains shut down or died.
 *
 * Without xenstored, it binds VIRQ_DOM_EXC, the virq Xen raises on every
 * such change. That virq has a single binding per host, and a running
 * xenstored holds it; beside xenstored the daemon watches
 * @releaseDomain instead. xenstored fires that only for the domains
 * introduced to it (xl's; lightvm's guests serve their own stores and are
 * not), so there the daemon also looks at every domain each
 * BESIDE_SCAN_MS: one hypercall per 256 domains.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <xenctrl.h>
#include <xenevtchn.h>
#include <xenstore.h>

#include "daemon.h"
#include "lvctl.h"

#define BESIDE_SCAN_MS	500

struct domain_events {
	xenevtchn_handle *xce;		/* VIRQ_DOM_EXC's, or NULL */
	struct xs_handle *xsh;		/* beside xenstored */
};

static int bind_virq(struct domain_events *ev)
{
	ev->xce = xenevtchn_open(NULL, 0);
	if (!ev->xce) {
		lvctl_error("cannot open the event channel device: %s",
			    strerror(errno));
		return -1;
	}
	if (xenevtchn_bind_virq(ev->xce, VIRQ_DOM_EXC) < 0) {
		lvctl_error("cannot bind VIRQ_DOM_EXC: %s (does another lvctl daemon hold it?)",
			    strerror(errno));
		xenevtchn_close(ev->xce);
		return -1;
	}
	return 0;
}

static int watch_xenstored(struct domain_events *ev)
{
	ev->xsh = lvctl_xs_open();
	if (!ev->xsh) {
		lvctl_error("cannot reach xenstored: %s", strerror(errno));
		return -1;
	}
	if (!xs_watch(ev->xsh, "@releaseDomain", "lightvm")) {
		lvctl_error("cannot watch xenstored's @releaseDomain: %s",
			    strerror(errno));
		xs_close(ev->xsh);
		return -1;
	}
	return 0;
}

struct domain_events *domain_events_open(void)
{
	struct domain_events *ev = calloc(1, sizeof(*ev));

	if (!ev) {
		lvctl_error("out of memory");
		return NULL;
	}
	if (lvctl_beside_xenstored() ? watch_xenstored(ev) : bind_virq(ev)) {
		free(ev);
		return NULL;
	}
	return ev;
}

int domain_events_fd(const struct domain_events *ev)
{
	return ev->xce ? xenevtchn_fd(ev->xce) : xs_fileno(ev->xsh);
}

/* Takes what is pending on the fd: 1 if it said something changed. */
int domain_events_take(struct domain_events *ev)
{
	xenevtchn_port_or_error_t port;
	char **watch;
	int any = 0;

	if (ev->xce) {
		port = xenevtchn_pending(ev->xce);
		if (port < 0)
			return 0;
		xenevtchn_unmask(ev->xce, port);
		return 1;
	}
	while ((watch = xs_check_watch(ev->xsh))) {
		free(watch);
		any = 1;
	}
	return any;
}

/* How often to look at every domain anyway; 0: never needed. */
int domain_events_scan_ms(const struct domain_events *ev)
{
	return ev->xce ? 0 : BESIDE_SCAN_MS;
}

const char *domain_events_source(const struct domain_events *ev)
{
	return ev->xce ? "VIRQ_DOM_EXC" :
	       "xenstored's @releaseDomain and a look every 500 ms";
}

void domain_events_close(struct domain_events *ev)
{
	if (!ev)
		return;
	if (ev->xce)
		xenevtchn_close(ev->xce);
	if (ev->xsh)
		xs_close(ev->xsh);
	free(ev);
}
