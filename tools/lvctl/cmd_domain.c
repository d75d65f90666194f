// SPDX-License-Identifier: GPL-2.0
/*
 * Guest lifecycle commands: create, destroy, pause, unpause, list.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xenctrl.h>

#include <lightvm/liblightvm.h>
#include <xen/noxs.h>

#include "build.h"
#include "config.h"
#include "lvctl.h"


/*
 * Phases in ms; "prepare" is main() to the build: config, checks, opens.
 * main()'s own CLOCK_MONOTONIC time comes last, so that whoever started
 * lvctl can tell what starting it cost.
 */
static void print_profile(double prepare, const struct lvctl_build_times *t,
			  const char *source)
{
	fprintf(stderr,
		"profile: prepare %.2f, domain %.2f, devices %.2f, load %.2f, memory %.2f, image %.2f, console %.2f, unpause %.2f, vifs %.2f, disks %.2f, total %.2f ms, %s, main() at %.3f ms\n",
		prepare, t->domain, t->devices, t->load, t->memory, t->image,
		t->console, t->unpause, t->vifs, t->disks,
		t->domain + t->devices + t->load + t->memory + t->image +
		t->console + t->unpause + t->vifs + t->disks,
		source, lvctl_main_ms);
}

static int build_from_scratch(struct lvctl_build *b,
			      const struct lvctl_config *cfg)
{
	int ret;

	if (lvctl_open(&b->noxs_fd, &b->xch))
		return -1;
	ret = lvctl_build_check(b->xch, b->noxs_fd, cfg,
				LVCTL_CHECK_MEMORY | LVCTL_CHECK_KERNEL) ||
	      lvctl_build(b, cfg) ? -1 : 0;
	lvctl_close(b->noxs_fd, b->xch);
	return ret;
}

static double ms_of(uint32_t us)
{
	return us / 1000.0;
}

static void times_of(struct lvctl_build_times *t,
		     const struct lightvm_phase_times *us)
{
	t->domain = ms_of(us->domain_us);
	t->devices = ms_of(us->devices_us);
	t->memory = ms_of(us->memory_us);
	t->load = ms_of(us->load_us);
	t->image = ms_of(us->image_us);
	t->console = ms_of(us->console_us);
	t->unpause = ms_of(us->unpause_us);
	t->vifs = ms_of(us->vifs_us);
	t->disks = ms_of(us->disks_us);
}

/*
 * The daemon's create, through liblightvm, if a daemon runs. Returns 0
 * when it made the guest, 1 when there is no daemon, -1 after saying why
 * it failed.
 */
static int create_by_daemon(const struct lvctl_config *cfg, int paused,
			    struct lvctl_build *b, const char **source)
{
	struct lightvm_create_reply reply;
	int absent, err, ret = -1;
	struct lightvm *lv;
	size_t len;
	char *text;

	lv = lvctl_daemon_connect(&absent);
	if (!lv)
		return absent ? 1 : -1;
	/* MACs only as given: the daemon makes the same ones from the name. */
	text = lvctl_config_format_given_macs(cfg, &len);
	err = text ? lightvm_create(lv, text, len,
				    paused ? LIGHTVM_CREATE_PAUSED : 0, &reply) :
		     -ENOMEM;
	if (err == -ENOMEM && !text) {
		lvctl_error("out of memory");
	} else if (err) {
		/*
		 * "None was created" holds however the daemon goes on: it
		 * refuses a request it reads after its deadline, and
		 * destroys a guest whose client did not take it.
		 */
		lvctl_error("%s%s", lightvm_error(lv),
			    err == -ETIMEDOUT ? "; no guest was created" : "");
	} else {
		b->domid = reply.domid;
		times_of(&b->times, &reply.times);
		*source = reply.source == LIGHTVM_SOURCE_TEMPLATE ?
			  "daemon, template shell" :
			  reply.source == LIGHTVM_SOURCE_POOL ?
			  "daemon, pool shell" : "daemon, from scratch";
		ret = 0;
	}
	free(text);
	lightvm_close(lv);
	return ret;
}

/*
 * With the daemon running, the daemon makes the guest (from a shell of
 * its pool if one fits); otherwise the whole build is done here.
 */
int cmd_create(int argc, char **argv)
{
	struct lvctl_build build = { 0 };
	int console = 0, profile = 0, ret;
	const struct lvctl_flag flags[] = {
		{ "paused", 'p', &build.paused },
		{ "console", 'c', &console },
		{ "profile", 256, &profile },
		{ NULL, 0, NULL },
	};
	const char *source = "from scratch";
	struct lvctl_config cfg;
	double prepare;

	ret = lvctl_parse_flags("create",
				"[-p|--paused] [-c|--console] [--profile] CONFIG",
				flags, 1, "one CONFIG file", argc, argv);
	if (ret >= 0)
		return ret;

	if (lvctl_config_read(argv[optind], &cfg))
		return LVCTL_EXIT_FAILURE;

	/*
	 * From here a SIGINT, SIGTERM or SIGHUP waits for the build to reach
	 * its next step, which then gives back all it took.
	 */
	lvctl_block_stops();
	prepare = lvctl_now_ms() - lvctl_main_ms;
	ret = create_by_daemon(&cfg, build.paused, &build, &source);
	if (ret > 0)
		ret = build_from_scratch(&build, &cfg);
	lvctl_config_free(&cfg);
	if (ret)
		return LVCTL_EXIT_FAILURE;

	printf("%u\n", build.domid);
	fflush(stdout);
	if (profile)
		print_profile(prepare, &build.times, source);
	return console ? lvctl_console_follow(build.domid) : LVCTL_EXIT_OK;
}

/* A domain noxs does not know: only with --force, and only if it exists. */
static int destroy_foreign(int force, uint32_t domid)
{
	xc_interface *xch = lvctl_xc_open();
	int status = LVCTL_EXIT_FAILURE;

	if (!xch)
		return LVCTL_EXIT_FAILURE;
	if (!lvctl_domain_exists(xch, domid))
		lvctl_error("there is no domain %u", domid);
	else if (!force)
		lvctl_error("domain %u is not an lvctl guest (--force destroys it anyway)",
			    domid);
	else if (xc_domain_destroy(xch, domid) && errno != ESRCH)
		lvctl_error("cannot destroy domain %u: %s", domid,
			    strerror(errno));
	else
		status = LVCTL_EXIT_OK;
	xc_interface_close(xch);
	return status;
}

static int destroy_guest(int noxs_fd, uint32_t domid, const char *name)
{
	xc_interface *xch = lvctl_xc_open();
	int err;

	if (!xch)
		return LVCTL_EXIT_FAILURE;
	err = lvctl_guest_destroy(xch, noxs_fd, domid, name);
	xc_interface_close(xch);
	if (err == -ENOENT)
		lvctl_error("domain %u (%s) is gone: another process destroyed it first",
			    domid, name);
	return err ? LVCTL_EXIT_FAILURE : LVCTL_EXIT_OK;
}

int cmd_destroy(int argc, char **argv)
{
	int ret, fd, force = 0, status = LVCTL_EXIT_FAILURE;
	const struct lvctl_flag flags[] = {
		{ "force", 'f', &force },
		{ NULL, 0, NULL },
	};
	struct noxs_ioctl_guest_info info;
	uint32_t domid;

	ret = lvctl_parse_flags("destroy", "[-f|--force] NAME|DOMID", flags, 1,
				"one NAME|DOMID", argc, argv);
	if (ret >= 0)
		return ret;

	fd = noxs_open(NULL);
	if (fd < 0)
		return LVCTL_EXIT_FAILURE;
	if (lvctl_resolve_guest(fd, argv[optind], &domid))
		goto out;
	if (domid == 0) {
		lvctl_error("domain 0 cannot be destroyed");
		goto out;
	}

	ret = noxs_guest_info(fd, NULL, domid, &info);
	if (ret == -ENOENT)
		status = destroy_foreign(force, domid);
	else if (!ret && !info.name[0] && !force)
		lvctl_error("domain %u is a shell of the daemon's pool (stopping the daemon destroys it; --force destroys it now)",
			    domid);
	else if (!ret)
		status = destroy_guest(fd, domid, info.name);
out:
	close(fd);
	return status;
}

/* pause and unpause: any domain but dom0, as xl does. */
static int pause_command(const char *cmd, int pause, int argc, char **argv)
{
	int ret, fd, status = LVCTL_EXIT_FAILURE;
	xc_interface *xch;
	uint32_t domid;

	ret = lvctl_parse_flags(cmd, "NAME|DOMID", NULL, 1, "one NAME|DOMID",
				argc, argv);
	if (ret >= 0)
		return ret;
	if (lvctl_open(&fd, &xch))
		return LVCTL_EXIT_FAILURE;
	if (lvctl_resolve_guest(fd, argv[optind], &domid))
		goto out;
	if (domid == 0)
		lvctl_error("domain 0 cannot be %sd", cmd);
	else if (!lvctl_domain_exists(xch, domid))
		lvctl_error("there is no domain %u", domid);
	else if (pause ? xc_domain_pause(xch, domid) :
			 xc_domain_unpause(xch, domid))
		lvctl_error("cannot %s domain %u: %s", cmd, domid,
			    strerror(errno));
	else
		status = LVCTL_EXIT_OK;
out:
	lvctl_close(fd, xch);
	return status;
}

int cmd_pause(int argc, char **argv)
{
	return pause_command("pause", 1, argc, argv);
}

int cmd_unpause(int argc, char **argv)
{
	return pause_command("unpause", 0, argc, argv);
}

static const char *domain_state(const xc_domaininfo_t *d)
{
	static const char *const shutdown_reasons[] = {
		[SHUTDOWN_poweroff] = "shutdown",
		[SHUTDOWN_reboot] = "rebooting",
		[SHUTDOWN_suspend] = "suspended",
		[SHUTDOWN_crash] = "crashed",
		[SHUTDOWN_watchdog] = "watchdog",
		[SHUTDOWN_soft_reset] = "soft-reset",
	};
	unsigned int reason;

	if (d->flags & XEN_DOMINF_dying)
		return "dying";
	if (d->flags & XEN_DOMINF_shutdown) {
		reason = (d->flags >> XEN_DOMINF_shutdownshift) &
			 XEN_DOMINF_shutdownmask;
		if (reason < sizeof(shutdown_reasons) / sizeof(*shutdown_reasons) &&
		    shutdown_reasons[reason])
			return shutdown_reasons[reason];
		return "shutdown";
	}
	if (d->flags & XEN_DOMINF_paused)
		return "paused";
	if (d->flags & XEN_DOMINF_running)
		return "running";
	if (d->flags & XEN_DOMINF_blocked)
		return "blocked";
	return "idle";
}

static double boottime_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One domain's line; @uptime < 0 when unknown. */
static void list_one(int json, int first, const char *name,
		     const xc_domaininfo_t *d, double uptime)
{
	unsigned long mem_mb = XC_PAGE_MB(d->tot_pages);
	unsigned int vcpus = d->max_vcpu_id == XEN_INVALID_MAX_VCPU_ID ?
			     0 : d->max_vcpu_id + 1;

	if (!json) {
		printf("%-32s %5u %8lu %5u %-10s ", name, d->domain, mem_mb,
		       vcpus, domain_state(d));
		if (uptime >= 0)
			printf("%10.1f\n", uptime);
		else
			printf("%10s\n", "-");
		return;
	}
	/* Names are [A-Za-z0-9_.-]: nothing to escape. */
	printf("%s\n  {\"name\": \"%s\", \"domid\": %u, \"memory_mib\": %lu, \"vcpus\": %u, \"state\": \"%s\", \"uptime_s\": ",
	       first ? "" : ",", name, d->domain, mem_mb, vcpus,
	       domain_state(d));
	if (uptime >= 0)
		printf("%.1f}", uptime);
	else
		printf("null}");
}

#define LIST_BATCH 256

int cmd_list(int argc, char **argv)
{
	struct noxs_ioctl_guest_info info;
	xc_domaininfo_t batch[LIST_BATCH];
	int json = 0, fd, n, i, first = 1, err;
	const struct lvctl_flag flags[] = {
		{ "json", 'j', &json },
		{ NULL, 0, NULL },
	};
	int status = LVCTL_EXIT_FAILURE;
	uint32_t next = 0;
	xc_interface *xch;
	double now;

	err = lvctl_parse_flags("list", "[--json]", flags, 0, NULL, argc,
				argv);
	if (err >= 0)
		return err;

	if (lvctl_open(&fd, &xch))
		return LVCTL_EXIT_FAILURE;

	now = boottime_s();
	if (json)
		printf("[");
	else
		printf("%-32s %5s %8s %5s %-10s %10s\n", "Name", "ID",
		       "Mem(MiB)", "VCPUs", "State", "Uptime(s)");

	do {
		n = xc_domain_getinfolist(xch, next, LIST_BATCH, batch);
		if (n < 0) {
			lvctl_error("cannot list domains: %s", strerror(errno));
			goto out;
		}
		for (i = 0; i < n; i++) {
			const xc_domaininfo_t *d = &batch[i];

			next = d->domain + 1;
			if (d->domain == 0) {
				list_one(json, first, "Domain-0", d, -1);
			} else {
				err = noxs_guest_info(fd, NULL, d->domain,
						      &info);
				if (err == -ENOENT)
					list_one(json, first, "-", d, -1);
				else if (!err && !info.name[0])
					continue;	/* a shell: lvctl pool */
				else if (!err)
					list_one(json, first, info.name, d,
						 now - info.created_ns / 1e9);
				else
					goto out;
			}
			first = 0;
		}
	} while (n == LIST_BATCH);

	if (json)
		printf("\n]\n");
	status = LVCTL_EXIT_OK;
out:
	lvctl_close(fd, xch);
	return status;
}
