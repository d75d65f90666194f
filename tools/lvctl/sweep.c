// SPDX-License-Identifier: GPL-2.0
/*
 * Half-built guests: what a build leaves when lvctl dies half-way (kill -9,
 * a crash, a daemon killed with its pool). noxs drops the record of a guest
 * not yet committed when its file closes, but the domain stays in Xen,
 * paused, and the saved config stays in /run/lightvm/guests.
 *
 * Every domain lvctl creates carries, in its Xen handle, who is building it:
 * a magic, the builder's pid and the builder's start time (so that a reused
 * pid is not mistaken for it). The daemon's sweep destroys a domain that
 * carries the magic, that noxs does not know, that has never run, and
 * whose builder is gone; it resumes an lvctl guest left suspended by a save
 * that died (nobody holds its saved config's lock); and it removes saved
 * configs whose build died (lvctl_state_sweep).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xenctrl.h>
#include <xenguest.h>

#include <xen/noxs.h>

#include "lvctl.h"

static const uint8_t creator_magic[8] = { 'l', 'i', 'g', 'h', 't', 'v', 'm', 1 };

struct creator {
	uint32_t pid;
	uint32_t start;		/* low 32 bits of its start time, in ticks */
};

/* Field 22 of /proc/PID/stat: when the process started. 0 if it is gone. */
static uint32_t process_start(uint32_t pid)
{
	unsigned long long start = 0;
	char path[64], buf[1024], *p;
	FILE *f;
	size_t n;
	int field;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';

	/* The command name may hold spaces and parentheses: skip past it. */
	p = strrchr(buf, ')');
	for (field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &start) != 1)
		return 0;
	return (uint32_t)start ? (uint32_t)start : 1;
}

void lvctl_creator_stamp(xen_domain_handle_t handle)
{
	struct creator me = { .pid = getpid() };

	me.start = process_start(me.pid);
	memcpy(handle, creator_magic, sizeof(creator_magic));
	memcpy(handle + sizeof(creator_magic), &me, sizeof(me));
}

/* Was @handle stamped by an lvctl that is gone? */
static int creator_gone(const xen_domain_handle_t handle)
{
	struct creator who;

	memcpy(&who, handle + sizeof(creator_magic), sizeof(who));
	return process_start(who.pid) != who.start;
}

static int half_built(int noxs_fd, const xc_domaininfo_t *d)
{
	struct noxs_ioctl_guest_info info;

	return d->domain != 0 &&
	       !memcmp(d->handle, creator_magic, sizeof(creator_magic)) &&
	       !(d->flags & XEN_DOMINF_dying) && d->cpu_time == 0 &&
	       noxs_guest_info(noxs_fd, NULL, d->domain, &info) == -ENOENT &&
	       creator_gone(d->handle);
}

/* An lvctl guest suspended, with no save at work on it? Resumes it. */
static void resume_orphan(xc_interface *xch, int noxs_fd,
			  const xc_domaininfo_t *d)
{
	struct noxs_ioctl_guest_info info;
	int lock;

	if (!(d->flags & XEN_DOMINF_shutdown) ||
	    ((d->flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask) !=
	    SHUTDOWN_suspend ||
	    noxs_guest_info(noxs_fd, NULL, d->domain, &info) || !info.name[0])
		return;
	lock = lvctl_state_lock(info.name, 0);
	if (lock < 0)
		return;		/* a save is at work, or it is not lvctl's */
	if (xc_domain_resume(xch, d->domain, 1))
		lvctl_error("cannot resume domain %u (%s), left suspended: %s",
			    d->domain, info.name, strerror(errno));
	else
		lvctl_log("resumed domain %u (%s): its save died", d->domain,
			  info.name);
	close(lock);
}

#define SWEEP_BATCH 256

/* Destroys half-built domains and removes dead builds' saved configs. */
void lvctl_sweep(xc_interface *xch, int noxs_fd)
{
	xc_domaininfo_t batch[SWEEP_BATCH];
	uint32_t next = 1;
	int n, i;

	do {
		n = xc_domain_getinfolist(xch, next, SWEEP_BATCH, batch);
		for (i = 0; i < n; i++) {
			next = batch[i].domain + 1;
			resume_orphan(xch, noxs_fd, &batch[i]);
			if (!half_built(noxs_fd, &batch[i]))
				continue;
			if (xc_domain_destroy(xch, batch[i].domain) &&
			    errno != ESRCH)
				lvctl_error("cannot destroy half-built domain %u: %s",
					    batch[i].domain, strerror(errno));
			else
				lvctl_log("destroyed domain %u: its build died half-way",
					  batch[i].domain);
		}
	} while (n == SWEEP_BATCH);
	lvctl_state_sweep(noxs_fd);
	lvctl_xs_sweep(xch);
}
