// SPDX-License-Identifier: GPL-2.0
/*
 * The lightvm guests the daemon knows of, and the events their changes
 * make: STARTED when a named NoXS guest appears, SHUTDOWN when Xen says
 * it shut down, DESTROYED when its domain is gone.
 *
 * The daemon tells the table of what it does itself (a create, a
 * destroy) at once, and rescans Xen's domain list when Xen raises
 * VIRQ_DOM_EXC (a domain shut down or died) and every few seconds, which
 * is how guests that other lvctl processes made or destroyed are seen.
 * A scan is one pass over Xen's list merged with the table (both are in
 * domid order); only domains new to it cost a noxs lookup.
 */
#include <stdlib.h>
#include <string.h>
#include <xenctrl.h>

#include <xen/noxs.h>

#include "daemon.h"
#include "lvctl.h"

#define SCAN_BATCH	256

/* By domid, ascending. */
static struct watched_guest *watched;
static size_t nr_watched, watched_size;

static int reserve(struct watched_guest **v, size_t *size, size_t want)
{
	struct watched_guest *bigger;
	size_t n = *size ? *size : 64;

	while (n < want)
		n *= 2;
	if (n == *size)
		return 0;
	bigger = realloc(*v, n * sizeof(**v));
	if (!bigger)
		return -1;
	*v = bigger;
	*size = n;
	return 0;
}

static size_t position(uint32_t domid)
{
	size_t lo = 0, hi = nr_watched;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (watched[mid].domid < domid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct watched_guest *guest_watch_by_domid(uint32_t domid)
{
	size_t i = position(domid);

	return i < nr_watched && watched[i].domid == domid ? &watched[i] :
							     NULL;
}

const struct watched_guest *guest_watch_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < nr_watched; i++)
		if (!strcmp(watched[i].name, name))
			return &watched[i];
	return NULL;
}

static void insert(size_t i, uint32_t domid, const char *name)
{
	memmove(&watched[i + 1], &watched[i],
		(nr_watched - i) * sizeof(*watched));
	memset(&watched[i], 0, sizeof(*watched));
	watched[i].domid = domid;
	snprintf(watched[i].name, sizeof(watched[i].name), "%s", name);
	nr_watched++;
}

/* The daemon made @name as @domid. */
void guest_watch_started(uint32_t domid, const char *name)
{
	size_t i = position(domid);

	if (i < nr_watched && watched[i].domid == domid)
		return;
	if (reserve(&watched, &watched_size, nr_watched + 1))
		return;		/* the next scan finds it */
	insert(i, domid, name);
	daemon_event(LIGHTVM_EVENT_STARTED, domid, 0, name);
}

/* The daemon destroyed @domid. */
void guest_watch_gone(uint32_t domid)
{
	size_t i = position(domid);

	if (i == nr_watched || watched[i].domid != domid)
		return;
	daemon_event(LIGHTVM_EVENT_DESTROYED, domid, 0, watched[i].name);
	memmove(&watched[i], &watched[i + 1],
		(nr_watched - i - 1) * sizeof(*watched));
	nr_watched--;
}

/* What changed for one guest that is still there. */
static void update(struct watched_guest *g, const xc_domaininfo_t *dom)
{
	int shut = !!(dom->flags & XEN_DOMINF_shutdown);

	if (shut && !g->shutdown) {
		g->reason = (dom->flags >> XEN_DOMINF_shutdownshift) &
			    XEN_DOMINF_shutdownmask;
		daemon_event(LIGHTVM_EVENT_SHUTDOWN, g->domid, g->reason,
			     g->name);
	}
	g->shutdown = shut;
}

/* A domain new to the table: a lightvm guest if noxs knows its name. */
static int probe(int noxs_fd, const xc_domaininfo_t *dom,
		 struct watched_guest *g)
{
	struct noxs_ioctl_guest_info info;

	if (noxs_guest_info(noxs_fd, NULL, dom->domain, &info) ||
	    !info.name[0])
		return 0;	/* not lightvm's, or a pool shell */
	memset(g, 0, sizeof(*g));
	g->domid = dom->domain;
	memcpy(g->name, info.name, sizeof(g->name));
	g->name[sizeof(g->name) - 1] = '\0';
	daemon_event(LIGHTVM_EVENT_STARTED, g->domid, 0, g->name);
	update(g, dom);
	return 1;
}

void guest_watch_scan(xc_interface *xch, int noxs_fd)
{
	struct watched_guest *next = NULL;
	size_t nr_next = 0, next_size = 0, old = 0;
	xc_domaininfo_t batch[SCAN_BATCH];
	uint32_t from = 1;
	int n, i;

	do {
		n = xc_domain_getinfolist(xch, from, SCAN_BATCH, batch);
		if (n < 0 || reserve(&next, &next_size, nr_next + n + 1)) {
			free(next);
			return;		/* the table stays as it was */
		}
		for (i = 0; i < n; i++) {
			const xc_domaininfo_t *dom = &batch[i];

			from = dom->domain + 1;
			/* Those gone since the last scan. */
			while (old < nr_watched &&
			       watched[old].domid < dom->domain) {
				daemon_event(LIGHTVM_EVENT_DESTROYED,
					     watched[old].domid, 0,
					     watched[old].name);
				old++;
			}
			if (dom->flags & XEN_DOMINF_dying)
				continue;	/* DESTROYED below, if ours */
			if (old < nr_watched &&
			    watched[old].domid == dom->domain) {
				next[nr_next] = watched[old++];
				update(&next[nr_next++], dom);
			} else if (probe(noxs_fd, dom, &next[nr_next])) {
				nr_next++;
			}
		}
	} while (n == SCAN_BATCH);

	for (; old < nr_watched; old++)
		daemon_event(LIGHTVM_EVENT_DESTROYED, watched[old].domid, 0,
			     watched[old].name);
	free(watched);
	watched = next;
	nr_watched = nr_next;
	watched_size = next_size;
}

void guest_watch_free(void)
{
	free(watched);
	watched = NULL;
	nr_watched = watched_size = 0;
}
