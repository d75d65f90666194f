// SPDX-License-Identifier: GPL-2.0
/*
 * A running guest's resources and name, with xl's commands: mem-set,
 * mem-max, vcpu-set, vcpu-pin, vcpu-list, rename.
 *
 * The memory target and the number of online vCPUs reach the guest's
 * kernel as settings of its sysctl device, which its relay writes where
 * the kernel watches (memory/target for the balloon driver,
 * cpu/N/availability for vCPU hotplug), as xl writes them to XenStore.
 * What they change is kept in the guest's saved config too, so that a
 * restart, a save or a migration keeps it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xenctrl.h>

#include <xen/noxs.h>

#include "build.h"
#include "domain_settings.h"
#include "lvctl.h"

/* How long mem-set and vcpu-set wait for the guest to take the setting. */
#define SETTINGS_TIMEOUT_MS	5000

/* Xen's allowance above a memory target, as xl leaves (1 MiB). */
#define MAXMEM_SLACK_KIB	1024

/*
 * "SIZE[bkmgt]": KiB by default, as xl's mem-set reads it. Returns the
 * size in KiB (bytes rounded up), or -1 after saying what is wrong.
 */
static long parse_kib(const char *cmd, const char *s)
{
	unsigned long long v, kib;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-' || (end[0] && end[1]))
		goto bad;
	switch (*end) {
	case 'b': case 'B': kib = (v + 1023) / 1024; break;
	case '\0': case 'k': case 'K': kib = v; break;
	case 'm': case 'M': kib = v << 10; break;
	case 'g': case 'G': kib = v << 20; break;
	case 't': case 'T': kib = v << 30; break;
	default: goto bad;
	}
	if (!kib || kib > LVCTL_MAX_MEMORY_MB * 1024 || kib >> 40)
		goto bad;
	return kib;
bad:
	lvctl_usage_error(cmd, "'%s': expected a size: a number of KiB, or with b, k, m, g or t after it, up to %ld MiB",
			  s, LVCTL_MAX_MEMORY_MB);
	return -1;
}

/* An lvctl guest, opened for a change: its domid, name and saved config. */
struct guest_change {
	int noxs_fd;
	xc_interface *xch;
	uint32_t domid;
	struct noxs_ioctl_guest_info info;
	struct lvctl_config cfg;
	int lock;		/* the saved config's, held while changing it */
};

static int change_begin(struct guest_change *c, const char *arg)
{
	memset(c, 0, sizeof(*c));
	c->lock = -1;
	if (lvctl_open(&c->noxs_fd, &c->xch))
		return -1;
	if (lvctl_find_guest(c->xch, c->noxs_fd, arg, &c->domid, &c->info))
		goto err;
	if (!c->info.name[0]) {
		lvctl_error("domain %u is a shell of the daemon's pool, not a guest",
			    c->domid);
		goto err;
	}
	c->lock = lvctl_state_lock(c->info.name, 1);
	if (c->lock < 0 || lvctl_state_load(c->info.name, &c->cfg)) {
		lvctl_error("cannot read %s's saved config (is it being destroyed?)",
			    c->info.name);
		goto err;
	}
	return 0;
err:
	if (c->lock >= 0)
		close(c->lock);
	lvctl_close(c->noxs_fd, c->xch);
	return -1;
}

/* Keeps the changed config, if @save; lets everything go. */
static int change_end(struct guest_change *c, int save)
{
	int fd = save ? lvctl_state_save(&c->cfg) : -1, ret = 0;

	if (save && fd < 0)
		ret = -1;
	if (fd >= 0)
		close(fd);
	close(c->lock);
	lvctl_config_free(&c->cfg);
	lvctl_close(c->noxs_fd, c->xch);
	return ret;
}

/*
 * Says what a wait for the guest's settings came to: 0 taken, else why
 * not; returns the exit status.
 */
static int settings_status(const struct guest_change *c, const char *what,
			   int err)
{
	if (!err)
		return LVCTL_EXIT_OK;
	if (err == -EOPNOTSUPP)
		lvctl_error("%s (domain %u) does not take %s: its kernel does not watch for it, or its sysctl relay is not connected; the setting waits on its page",
			    c->info.name, c->domid, what);
	else if (err == -ETIMEDOUT)
		lvctl_error("%s (domain %u) did not take %s within %d s; the setting waits on its page",
			    c->info.name, c->domid, what,
			    SETTINGS_TIMEOUT_MS / 1000);
	return LVCTL_EXIT_FAILURE;
}

/* Xen's limit on the guest's memory, in KiB. */
static int set_xen_max(const struct guest_change *c, unsigned long kib)
{
	if (!xc_domain_setmaxmem(c->xch, c->domid, kib))
		return 0;
	lvctl_error("cannot set domain %u's maximum memory to %lu KiB: %s",
		    c->domid, kib, strerror(errno));
	return -1;
}

/*
 * "@cmd NAME|DOMID SIZE": the size in *@kib and the guest opened in @c.
 * Returns -1 to go on, or the exit status.
 */
static int begin_sized(const char *cmd, int argc, char **argv,
		       struct guest_change *c, long *kib)
{
	int ret;

	ret = lvctl_parse_flags(cmd, "NAME|DOMID SIZE", NULL, 2,
				"NAME|DOMID and a SIZE", argc, argv);
	if (ret >= 0)
		return ret;
	*kib = parse_kib(cmd, argv[optind + 1]);
	if (*kib < 0)
		return LVCTL_EXIT_USAGE;
	return change_begin(c, argv[optind]) ? LVCTL_EXIT_FAILURE : -1;
}

/* mem-set NAME|DOMID SIZE: the guest's balloon driver works towards SIZE. */
int cmd_mem_set(int argc, char **argv)
{
	struct guest_change c;
	long target_kib;
	int ret;

	ret = begin_sized("mem-set", argc, argv, &c, &target_kib);
	if (ret >= 0)
		return ret;
	if (target_kib > c.cfg.maxmem_mb * 1024) {
		lvctl_error("%s: %ld KiB is more than its maxmem, %ld MiB (raise that with mem-max first)",
			    c.info.name, target_kib, c.cfg.maxmem_mb);
		change_end(&c, 0);
		return LVCTL_EXIT_FAILURE;
	}
	/* Xen holds the guest to its target, with xl's slack, as xl does. */
	if (set_xen_max(&c, target_kib + MAXMEM_SLACK_KIB)) {
		change_end(&c, 0);
		return LVCTL_EXIT_FAILURE;
	}
	ret = lvctl_guest_settings(c.noxs_fd, c.domid, 0, target_kib,
				   SETTINGS_TIMEOUT_MS);
	if (ret == -1) {
		change_end(&c, 0);
		return LVCTL_EXIT_FAILURE;
	}
	ret = settings_status(&c, "a memory target", ret);
	c.cfg.memory_mb = (target_kib + 1023) / 1024;
	return change_end(&c, 1) ? LVCTL_EXIT_FAILURE : ret;
}

/* mem-max NAME|DOMID SIZE: the most memory-set may give the guest. */
int cmd_mem_max(int argc, char **argv)
{
	struct guest_change c;
	long max_kib;
	int ret;

	ret = begin_sized("mem-max", argc, argv, &c, &max_kib);
	if (ret >= 0)
		return ret;
	if (max_kib < c.cfg.memory_mb * 1024) {
		lvctl_error("%s: %ld KiB is less than its memory target, %ld MiB (lower that with mem-set first)",
			    c.info.name, max_kib, c.cfg.memory_mb);
		change_end(&c, 0);
		return LVCTL_EXIT_FAILURE;
	}
	if (set_xen_max(&c, max_kib + MAXMEM_SLACK_KIB)) {
		change_end(&c, 0);
		return LVCTL_EXIT_FAILURE;
	}
	c.cfg.maxmem_mb = (max_kib + 1023) / 1024;
	return change_end(&c, 1) ? LVCTL_EXIT_FAILURE : LVCTL_EXIT_OK;
}

/* A whole number from @min to @max, or -1 after a usage error. */
static long parse_count(const char *cmd, const char *what, const char *s,
			long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		lvctl_usage_error(cmd, "'%s': expected %s from %ld to %ld", s,
				  what, min, max);
		return -1;
	}
	return v;
}

/* vcpu-set NAME|DOMID N: vCPUs 0 to N-1 online, up to maxvcpus. */
int cmd_vcpu_set(int argc, char **argv)
{
	struct guest_change c;
	long vcpus;
	int ret;

	ret = lvctl_parse_flags("vcpu-set", "NAME|DOMID N", NULL, 2,
				"NAME|DOMID and a number of vCPUs", argc, argv);
	if (ret >= 0)
		return ret;
	vcpus = parse_count("vcpu-set", "a number of vCPUs", argv[optind + 1],
			    1, LVCTL_MAX_VCPUS);
	if (vcpus < 0)
		return LVCTL_EXIT_USAGE;
	if (change_begin(&c, argv[optind]))
		return LVCTL_EXIT_FAILURE;
	if (vcpus > c.cfg.max_vcpus) {
		lvctl_error("%s has at most %ld vCPUs (its maxvcpus)",
			    c.info.name, c.cfg.max_vcpus);
		change_end(&c, 0);
		return LVCTL_EXIT_FAILURE;
	}
	ret = lvctl_guest_settings(c.noxs_fd, c.domid, vcpus, 0,
				   SETTINGS_TIMEOUT_MS);
	if (ret == -1) {
		change_end(&c, 0);
		return LVCTL_EXIT_FAILURE;
	}
	ret = settings_status(&c, "vCPU settings", ret);
	c.cfg.vcpus = vcpus;
	return change_end(&c, 1) ? LVCTL_EXIT_FAILURE : ret;
}

/* Any domain, by NAME|DOMID (an lvctl guest's name, or a number). */
static int open_domain(const char *arg, int *noxs_fd, xc_interface **xch,
		       uint32_t *domid, xc_domaininfo_t *info)
{
	if (lvctl_open(noxs_fd, xch))
		return -1;
	if (lvctl_resolve_guest(*noxs_fd, arg, domid))
		goto err;
	if (xc_domain_getinfolist(*xch, *domid, 1, info) != 1 ||
	    info->domain != *domid) {
		lvctl_error("there is no domain %u", *domid);
		goto err;
	}
	return 0;
err:
	lvctl_close(*noxs_fd, *xch);
	return -1;
}

/*
 * vcpu-pin NAME|DOMID VCPU|all HARD [SOFT]: as xl's, "-" leaves one of
 * the two as it is. For the running domain only: the config's cpus and
 * cpus_soft are what a restart gets.
 */
int cmd_vcpu_pin(int argc, char **argv)
{
	int ret, fd, nargs, status = LVCTL_EXIT_FAILURE;
	const char *hard, *soft;
	xc_interface *xch;
	xc_domaininfo_t info;
	uint32_t domid;
	long vcpu = -1;

	ret = lvctl_parse_flags("vcpu-pin", "NAME|DOMID VCPU|all HARD [SOFT]",
				NULL, LVCTL_ARGS_ANY, NULL, argc, argv);
	if (ret >= 0)
		return ret;
	nargs = argc - optind;
	if (nargs < 3 || nargs > 4)
		return lvctl_usage_error("vcpu-pin",
					 "expected NAME|DOMID, a VCPU (or all), HARD CPUs and optionally SOFT CPUs");
	if (strcmp(argv[optind + 1], "all")) {
		vcpu = parse_count("vcpu-pin", "a vCPU number",
				   argv[optind + 1], 0, LVCTL_MAX_VCPUS - 1);
		if (vcpu < 0)
			return LVCTL_EXIT_USAGE;
	}
	hard = strcmp(argv[optind + 2], "-") ? argv[optind + 2] : NULL;
	soft = nargs == 4 && strcmp(argv[optind + 3], "-") ? argv[optind + 3] :
							      NULL;
	if (!hard && !soft)
		return lvctl_usage_error("vcpu-pin", "'-' for both: nothing to pin");
	if (open_domain(argv[optind], &fd, &xch, &domid, &info))
		return LVCTL_EXIT_FAILURE;
	if (vcpu > (long)info.max_vcpu_id)
		lvctl_error("domain %u has vCPUs 0-%u", domid, info.max_vcpu_id);
	else if (!lvctl_vcpu_pin(xch, domid, vcpu, info.max_vcpu_id + 1, hard,
				 soft))
		status = LVCTL_EXIT_OK;
	lvctl_close(fd, xch);
	return status;
}

/* A cpumap as xl prints one: "all", or ranges "0-2,5". */
static void print_cpumap(FILE *out, const uint8_t *map, int nr_cpus)
{
	int cpu, start = -1, first = 1, all = 1;

	for (cpu = 0; cpu < nr_cpus; cpu++)
		all &= !!(map[cpu / 8] & (1U << (cpu % 8)));
	if (all) {
		fputs("all", out);
		return;
	}
	for (cpu = 0; cpu <= nr_cpus; cpu++) {
		int set = cpu < nr_cpus && (map[cpu / 8] & (1U << (cpu % 8)));

		if (set && start < 0)
			start = cpu;
		if (set || start < 0)
			continue;
		fprintf(out, "%s%d", first ? "" : ",", start);
		if (cpu - 1 > start)
			fprintf(out, "-%d", cpu - 1);
		first = 0;
		start = -1;
	}
	if (first)
		fputs("none", out);
}

/* One line per vCPU of @domid, as xl vcpu-list prints them. */
static int list_vcpus(xc_interface *xch, uint32_t domid, const char *name,
		      unsigned int max_vcpu_id)
{
	int nr_cpus = xc_get_max_cpus(xch);
	xc_cpumap_t hard = xc_cpumap_alloc(xch), soft = xc_cpumap_alloc(xch);
	xc_vcpuinfo_t v;
	unsigned int i;
	int ret = -1;

	if (!hard || !soft || nr_cpus <= 0) {
		lvctl_error("out of memory");
		goto out;
	}
	for (i = 0; i <= max_vcpu_id; i++) {
		if (xc_vcpu_getinfo(xch, domid, i, &v) ||
		    xc_vcpu_getaffinity(xch, domid, i, hard, soft,
					XEN_VCPUAFFINITY_HARD |
					XEN_VCPUAFFINITY_SOFT)) {
			lvctl_error("cannot read domain %u's vCPU %u: %s", domid,
				    i, strerror(errno));
			goto out;
		}
		printf("%-32s %5u %5u ", name, domid, i);
		if (v.online)
			printf("%5u", v.cpu);
		else
			printf("%5s", "-");
		printf("   %c%c%c %9.1f  ", v.running ? 'r' : '-',
		       v.blocked ? 'b' : '-', v.online ? '-' : 'p',
		       v.cpu_time / 1e9);
		print_cpumap(stdout, hard, nr_cpus);
		fputs(" / ", stdout);
		print_cpumap(stdout, soft, nr_cpus);
		putchar('\n');
	}
	ret = 0;
out:
	free(hard);
	free(soft);
	return ret;
}

/* vcpu-list [NAME|DOMID]: every domain's vCPUs, or one domain's. */
int cmd_vcpu_list(int argc, char **argv)
{
	int ret, fd, status = LVCTL_EXIT_FAILURE;
	char name[LVCTL_NAME_SIZE + 16];
	xc_domaininfo_t info;
	int one;
	xc_interface *xch;
	uint32_t domid = 0;

	ret = lvctl_parse_flags("vcpu-list", "[NAME|DOMID]", NULL,
				LVCTL_ARGS_ANY, NULL, argc, argv);
	if (ret >= 0)
		return ret;
	if (argc - optind > 1)
		return lvctl_usage_error("vcpu-list", "expected at most one NAME|DOMID");
	one = argc - optind == 1;
	if (one) {
		if (open_domain(argv[optind], &fd, &xch, &domid, &info))
			return LVCTL_EXIT_FAILURE;
	} else if (lvctl_open(&fd, &xch)) {
		return LVCTL_EXIT_FAILURE;
	}
	printf("%-32s %5s %5s %5s %5s %9s  %s\n", "Name", "ID", "VCPU", "CPU",
	       "State", "Time(s)", "Affinity (Hard / Soft)");
	while (xc_domain_getinfolist(xch, domid, 1, &info) == 1) {
		if (one && info.domain != domid)
			break;
		lvctl_domain_label(fd, info.domain, name, sizeof(name));
		if (info.max_vcpu_id != XEN_INVALID_MAX_VCPU_ID &&
		    list_vcpus(xch, info.domain, name, info.max_vcpu_id))
			goto out;
		if (one)
			break;
		domid = info.domain + 1;
	}
	status = LVCTL_EXIT_OK;
out:
	lvctl_close(fd, xch);
	return status;
}

static void say_rename_failed(const struct guest_change *c,
			      const char *old_name, const char *new_name,
			      int err)
{
	if (err == -EEXIST)
		lvctl_error("the name '%s' is in use", new_name);
	else if (err == -EINVAL)
		lvctl_error("the loaded noxs module cannot rename guests (NoXS ABI 1.7 or later can)");
	else
		lvctl_error("cannot rename %s (domain %u): %s", old_name,
			    c->domid, strerror(-err));
}

/*
 * As create does: the name is claimed in noxs first (it alone says who has
 * a name), then the saved config moves under it. If the config cannot be
 * written, the guest gets its old name back.
 */
static int rename_guest(struct guest_change *c, const char *old_name,
			const char *new_name)
{
	int fd, err;

	if (!strcmp(old_name, new_name))
		return 0;
	if (lvctl_config_rename(&c->cfg, new_name))
		return -1;
	err = noxs_guest_rename(c->noxs_fd, c->domid, new_name);
	if (err) {
		say_rename_failed(c, old_name, new_name, err);
		return -1;
	}
	fd = lvctl_state_save(&c->cfg);
	if (fd < 0) {
		err = noxs_guest_rename(c->noxs_fd, c->domid, old_name);
		if (err)
			lvctl_error("domain %u keeps the name '%s' without a saved config: %s",
				    c->domid, new_name, strerror(-err));
		return -1;
	}
	lvctl_state_remove(old_name);
	close(fd);
	lvctl_xs_publish(c->domid, new_name);
	return 0;
}

/* rename NAME|DOMID NEWNAME, as xl rename. */
int cmd_rename(int argc, char **argv)
{
	char old_name[LVCTL_NAME_SIZE];
	struct guest_change c;
	int ret;

	ret = lvctl_parse_flags("rename", "NAME|DOMID NEWNAME", NULL, 2,
				"NAME|DOMID and NEWNAME", argc, argv);
	if (ret >= 0)
		return ret;
	if (change_begin(&c, argv[optind]))
		return LVCTL_EXIT_FAILURE;
	snprintf(old_name, sizeof(old_name), "%s", c.info.name);
	ret = rename_guest(&c, old_name, argv[optind + 1]);
	change_end(&c, 0);
	return ret ? LVCTL_EXIT_FAILURE : LVCTL_EXIT_OK;
}
