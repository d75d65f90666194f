// SPDX-License-Identifier: GPL-2.0
/*
 * A domain's settings beside its size: vCPU affinity (hard and soft, as
 * xl's cpus and cpus_soft), scheduler weight and cap, clock offset, and
 * the guest settings its sysctl device carries to its kernel (how many
 * vCPUs online, memory target). Each function says what failed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xenctrl.h>

#include <xen/noxs.h>

#include "cpumap.h"
#include "domain_settings.h"
#include "lvctl.h"

/* A cpumap of the host's size, filled from @spec; NULL after saying why. */
static xc_cpumap_t cpumap_of(xc_interface *xch, const char *spec,
			     const char *where)
{
	int nr_cpus = xc_get_max_cpus(xch);
	xc_cpumap_t map;

	if (nr_cpus <= 0) {
		lvctl_error("cannot read the host's number of CPUs: %s",
			    strerror(errno));
		return NULL;
	}
	map = xc_cpumap_alloc(xch);
	if (!map) {
		lvctl_error("out of memory");
		return NULL;
	}
	if (lvctl_cpumap_parse(spec, nr_cpus, map, where)) {
		free(map);
		return NULL;
	}
	return map;
}

/* One vCPU's affinity: Xen writes the effective maps back into them. */
static int pin_one(xc_interface *xch, uint32_t domid, long vcpu,
		   const char *hard, const char *soft)
{
	xc_cpumap_t hard_map = NULL, soft_map = NULL;
	uint32_t flags = (hard ? XEN_VCPUAFFINITY_HARD : 0) |
			 (soft ? XEN_VCPUAFFINITY_SOFT : 0);
	int ret = -1;

	if ((hard && !(hard_map = cpumap_of(xch, hard, "hard affinity"))) ||
	    (soft && !(soft_map = cpumap_of(xch, soft, "soft affinity"))))
		goto out;
	if (xc_vcpu_setaffinity(xch, domid, vcpu, hard_map, soft_map, flags)) {
		lvctl_error("cannot set the affinity of domain %u's vCPU %ld: %s",
			    domid, vcpu, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	free(hard_map);
	free(soft_map);
	return ret;
}

/*
 * vCPU @vcpu (-1: each of @max_vcpus) of @domid pinned to @hard and given
 * @soft affinity; either may be NULL, to leave it.
 */
int lvctl_vcpu_pin(xc_interface *xch, uint32_t domid, long vcpu,
		   long max_vcpus, const char *hard, const char *soft)
{
	long first = vcpu < 0 ? 0 : vcpu, last = vcpu < 0 ? max_vcpus - 1 : vcpu;

	for (vcpu = first; vcpu <= last; vcpu++)
		if (pin_one(xch, domid, vcpu, hard, soft))
			return -1;
	return 0;
}

/* Affinity @aff of vCPU @vcpu: the list's entry, or the one spec. */
static const char *spec_of(const struct lvctl_affinity *aff, long vcpu)
{
	if (!aff->nr)
		return NULL;
	if (!aff->list)
		return aff->specs[0];
	return vcpu < (long)aff->nr ? aff->specs[vcpu] : NULL;
}

/* cpus and cpus_soft of @cfg, for every vCPU up to maxvcpus. */
int lvctl_domain_set_affinity(xc_interface *xch, uint32_t domid,
			      const struct lvctl_config *cfg)
{
	const char *hard, *soft;
	long vcpu;

	if (!cfg->cpus.nr && !cfg->cpus_soft.nr)
		return 0;
	for (vcpu = 0; vcpu < cfg->max_vcpus; vcpu++) {
		hard = spec_of(&cfg->cpus, vcpu);
		soft = spec_of(&cfg->cpus_soft, vcpu);
		if ((hard || soft) &&
		    lvctl_vcpu_pin(xch, domid, vcpu, cfg->max_vcpus, hard, soft))
			return -1;
	}
	return 0;
}

/*
 * The credit schedulers' weight and cap (0 and -1: leave them). Xen 4.17
 * runs credit2 by default; credit has the same two.
 */
int lvctl_domain_set_sched(xc_interface *xch, uint32_t domid, long weight,
			   long cap)
{
	struct xen_domctl_sched_credit2 c2;
	struct xen_domctl_sched_credit c1;
	int sched, err;

	if (!weight && cap < 0)
		return 0;
	if (xc_sched_id(xch, &sched)) {
		lvctl_error("cannot read Xen's scheduler: %s", strerror(errno));
		return -1;
	}
	if (sched == XEN_SCHEDULER_CREDIT2) {
		err = xc_sched_credit2_domain_get(xch, domid, &c2);
		if (!err) {
			c2.weight = weight ? weight : c2.weight;
			c2.cap = cap >= 0 ? cap : c2.cap;
			err = xc_sched_credit2_domain_set(xch, domid, &c2);
		}
	} else if (sched == XEN_SCHEDULER_CREDIT) {
		err = xc_sched_credit_domain_get(xch, domid, &c1);
		if (!err) {
			c1.weight = weight ? weight : c1.weight;
			c1.cap = cap >= 0 ? cap : c1.cap;
			err = xc_sched_credit_domain_set(xch, domid, &c1);
		}
	} else {
		lvctl_error("Xen's scheduler (%d) has no weight or cap: only credit and credit2 do",
			    sched);
		return -1;
	}
	if (err) {
		lvctl_error("cannot set domain %u's weight and cap: %s", domid,
			    strerror(errno));
		return -1;
	}
	return 0;
}

/* localtime = 1: the guest's wall clock runs at this host's local time. */
int lvctl_domain_set_localtime(xc_interface *xch, uint32_t domid)
{
	time_t now = time(NULL);
	struct tm tm;

	tzset();
	if (!localtime_r(&now, &tm) ||
	    xc_domain_set_time_offset(xch, domid, tm.tm_gmtoff)) {
		lvctl_error("cannot set domain %u's clock to local time: %s",
			    domid, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * The settings the guest's kernel acts on (0: leave it): @vcpus online,
 * memory target @target_kib. With @timeout_ms, waits for the guest to
 * apply them. Returns 0, -EOPNOTSUPP or -ETIMEDOUT (the caller says what
 * that means), or -1 after saying what failed.
 */
int lvctl_guest_settings(int noxs_fd, uint32_t domid, long vcpus,
			 long target_kib, unsigned int timeout_ms)
{
	uint32_t flags = (vcpus ? NOXS_SETTINGS_VCPUS : 0) |
			 (target_kib ? NOXS_SETTINGS_TARGET : 0);
	int err;

	if (target_kib > UINT32_MAX) {
		lvctl_error("a memory target of %ld KiB is more than the guest's control page carries",
			    target_kib);
		return -1;
	}
	err = noxs_guest_settings(noxs_fd, domid, flags, vcpus, target_kib,
				  timeout_ms);
	if (!err || (timeout_ms && (err == -EOPNOTSUPP || err == -ETIMEDOUT)))
		return err;
	lvctl_error("cannot give domain %u its settings: %s%s", domid,
		    strerror(-err), err == -ENOTTY ?
		    " (the noxs module is older than this lvctl)" : "");
	return -1;
}
