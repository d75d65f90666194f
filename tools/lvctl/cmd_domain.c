// SPDX-License-Identifier: GPL-2.0
/*
 * Guest lifecycle commands: create, destroy, pause, unpause, list.
 */
#include <ctype.h>
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

/* -n: the config as lvctl read it, and nothing built. */
static int print_dry_run(const struct lvctl_config *cfg)
{
	size_t len;
	char *text = lvctl_config_format_given_macs(cfg, &len);

	if (!text) {
		lvctl_error("out of memory");
		return LVCTL_EXIT_FAILURE;
	}
	fwrite(text, 1, len, stdout);
	free(text);
	return LVCTL_EXIT_OK;
}

/*
 * xl's operands: [CONFIG] [KEY=VALUE...], the config file first unless
 * -f named it. Returns the config's path, or NULL after a usage error.
 */
static const char *config_operand(const char *file, int argc, char **argv,
				  int *first_override)
{
	*first_override = optind;
	if (!file && optind < argc && !strchr(argv[optind], '='))
		file = argv[(*first_override)++];
	if (!file) {
		lvctl_usage_error("create", "expected a CONFIG file");
		return NULL;
	}
	for (int i = *first_override; i < argc; i++) {
		if (!strchr(argv[i], '=') || argv[i][0] == '=') {
			lvctl_usage_error("create",
					  "'%s': expected KEY=VALUE after the config",
					  argv[i]);
			return NULL;
		}
	}
	return file;
}

/*
 * With the daemon running, the daemon makes the guest (from a shell of
 * its pool if one fits); otherwise the whole build is done here, and the
 * daemon is started to watch the guest (not with -e).
 */
int cmd_create(int argc, char **argv)
{
	struct lvctl_build build = { 0 };
	int console = 0, profile = 0, dry_run = 0, quiet = 0, no_daemon = 0;
	int first, ret;
	const char *file = NULL, *path;
	const struct lvctl_flag flags[] = {
		{ "paused", 'p', &build.paused, NULL },
		{ "console", 'c', &console, NULL },
		{ "dry-run", 'n', &dry_run, NULL },
		{ "quiet", 'q', &quiet, NULL },
		{ "defconfig", 'f', NULL, &file },
		{ "no-daemon", 'e', &no_daemon, NULL },
		{ "profile", 256, &profile, NULL },
		{ NULL, 0, NULL, NULL },
	};
	const char *source = "from scratch";
	struct lvctl_config cfg;
	double prepare;

	ret = lvctl_parse_flags("create",
				"[-p] [-c] [-e] [-n] [-q] [--profile] [-f] CONFIG [KEY=VALUE...]",
				flags, LVCTL_ARGS_ANY, NULL, argc, argv);
	if (ret >= 0)
		return ret;
	path = config_operand(file, argc, argv, &first);
	if (!path)
		return LVCTL_EXIT_USAGE;

	if (lvctl_config_read_with(path, argv + first, argc - first, &cfg))
		return LVCTL_EXIT_FAILURE;
	if (dry_run) {
		ret = print_dry_run(&cfg);
		lvctl_config_free(&cfg);
		return ret;
	}

	/*
	 * From here a SIGINT, SIGTERM or SIGHUP waits for the build to reach
	 * its next step, which then gives back all it took.
	 */
	lvctl_block_stops();
	prepare = lvctl_now_ms() - lvctl_main_ms;
	ret = create_by_daemon(&cfg, build.paused, &build, &source);
	if (ret > 0) {
		ret = build_from_scratch(&build, &cfg);
		if (!ret)
			lvctl_daemon_autostart(no_daemon);
	}
	lvctl_config_free(&cfg);
	if (ret)
		return LVCTL_EXIT_FAILURE;

	if (!quiet)
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
		{ "force", 'f', &force, NULL },
		{ NULL, 0, NULL, NULL },
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

enum list_mode {
	LIST_SHORT,
	LIST_LONG,	/* -l: CPU time, maximum memory, UUID too */
	LIST_JSON,
	LIST_UPTIME,	/* `lvctl uptime` */
};

/* A domain's UUID (its Xen handle) as xl prints one. */
static void format_uuid(const xen_domain_handle_t h, char out[37])
{
	int i, n = 0;

	for (i = 0; i < 16; i++)
		n += sprintf(out + n, "%s%02x",
			     i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "",
			     h[i]);
}

/* "[D days, ]H:MM:SS", as xl uptime prints it. */
static void print_uptime(double uptime)
{
	unsigned long s = uptime, days = s / 86400;

	if (days)
		printf("%lu day%s, ", days, days == 1 ? "" : "s");
	printf("%lu:%02lu:%02lu\n", s / 3600 % 24, s / 60 % 60, s % 60);
}

static void list_header(enum list_mode mode)
{
	switch (mode) {
	case LIST_JSON:
		printf("[");
		break;
	case LIST_UPTIME:
		printf("%-32s %5s %s\n", "Name", "ID", "Uptime");
		break;
	default:
		printf("%-32s %5s %8s %5s %-10s %10s", "Name", "ID",
		       "Mem(MiB)", "VCPUs", "State", "Uptime(s)");
		if (mode == LIST_LONG)
			printf(" %10s %8s  %s", "CPU(s)", "Max(MiB)", "UUID");
		putchar('\n');
	}
}

/* One domain's line; @uptime < 0 when unknown. */
static void list_one(enum list_mode mode, int first, const char *name,
		     const xc_domaininfo_t *d, double uptime)
{
	unsigned long mem_mb = XC_PAGE_MB(d->tot_pages);
	unsigned long max_mb = d->max_pages == ~0ULL ? 0 :
			       XC_PAGE_MB(d->max_pages);
	unsigned int vcpus = d->max_vcpu_id == XEN_INVALID_MAX_VCPU_ID ?
			     0 : d->max_vcpu_id + 1;
	double cpu_s = d->cpu_time / 1e9;
	char uuid[37];

	format_uuid(d->handle, uuid);
	if (mode == LIST_UPTIME) {
		printf("%-32s %5u ", name, d->domain);
		if (uptime >= 0)
			print_uptime(uptime);
		else
			printf("-\n");
		return;
	}
	if (mode != LIST_JSON) {
		printf("%-32s %5u %8lu %5u %-10s ", name, d->domain, mem_mb,
		       vcpus, domain_state(d));
		if (uptime >= 0)
			printf("%10.1f", uptime);
		else
			printf("%10s", "-");
		if (mode == LIST_LONG)
			printf(" %10.1f %8lu  %s", cpu_s, max_mb, uuid);
		putchar('\n');
		return;
	}
	/* Names are [A-Za-z0-9_.-]: nothing to escape. */
	printf("%s\n  {\"name\": \"%s\", \"domid\": %u, \"uuid\": \"%s\", \"memory_mib\": %lu, \"maxmem_mib\": %lu, \"vcpus\": %u, \"state\": \"%s\", \"cpu_time_s\": %.3f, \"uptime_s\": ",
	       first ? "" : ",", name, d->domain, uuid, mem_mb, max_mb, vcpus,
	       domain_state(d), cpu_s);
	if (uptime >= 0)
		printf("%.1f}", uptime);
	else
		printf("null}");
}

#define LIST_BATCH 256

/* A domain not lvctl's: its name in xenstored (xl's guests), else "-". */
static const char *foreign_name(uint32_t domid, char *buf, size_t size)
{
	return lvctl_xs_domain_name(domid, buf, size) ? "-" : buf;
}

/*
 * Every domain: Domain-0 (up since dom0 booted), lvctl's guests (up since
 * they were created), others by their xenstored name or as "-"; the
 * daemon's shells are left out.
 */
static int list_domains(enum list_mode mode)
{
	struct noxs_ioctl_guest_info info;
	xc_domaininfo_t batch[LIST_BATCH];
	char xl_name[LIGHTVM_NAME_SIZE];
	int status = LVCTL_EXIT_FAILURE;
	int fd, n, i, first = 1, err;
	uint32_t next = 0;
	xc_interface *xch;
	double now;

	if (lvctl_open(&fd, &xch))
		return LVCTL_EXIT_FAILURE;

	now = boottime_s();
	list_header(mode);
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
				list_one(mode, first, "Domain-0", d, now);
			} else {
				err = noxs_guest_info(fd, NULL, d->domain,
						      &info);
				if (err == -ENOENT)
					list_one(mode, first,
						 foreign_name(d->domain, xl_name,
							      sizeof(xl_name)),
						 d, -1);
				else if (!err && !info.name[0])
					continue;	/* a shell: lvctl pool */
				else if (!err)
					list_one(mode, first, info.name, d,
						 now - info.created_ns / 1e9);
				else
					goto out;
			}
			first = 0;
		}
	} while (n == LIST_BATCH);

	if (mode == LIST_JSON)
		printf("\n]\n");
	status = LVCTL_EXIT_OK;
out:
	lvctl_close(fd, xch);
	return status;
}

int cmd_list(int argc, char **argv)
{
	int json = 0, long_format = 0, err;
	const struct lvctl_flag flags[] = {
		{ "json", 'j', &json, NULL },
		{ "long", 'l', &long_format, NULL },
		{ NULL, 0, NULL, NULL },
	};

	err = lvctl_parse_flags("list", "[-l|--long] [-j|--json]", flags, 0,
				NULL, argc, argv);
	if (err >= 0)
		return err;
	return list_domains(json ? LIST_JSON : long_format ? LIST_LONG :
							   LIST_SHORT);
}

int cmd_uptime(int argc, char **argv)
{
	int err = lvctl_no_args("uptime", argc, argv);

	return err >= 0 ? err : list_domains(LIST_UPTIME);
}

/* domid NAME: the guest's domain id, as xl domid prints it. */
int cmd_domid(int argc, char **argv)
{
	struct noxs_ioctl_guest_info info;
	int ret, fd;

	ret = lvctl_parse_flags("domid", "NAME", NULL, 1, "one NAME", argc,
				argv);
	if (ret >= 0)
		return ret;
	if (!strcmp(argv[optind], "Domain-0")) {
		printf("0\n");
		return LVCTL_EXIT_OK;
	}
	fd = noxs_open(NULL);
	if (fd < 0)
		return LVCTL_EXIT_FAILURE;
	ret = noxs_guest_info(fd, argv[optind], 0, &info);
	close(fd);
	if (ret) {
		if (ret == -ENOENT)
			lvctl_error("no guest is named '%s'", argv[optind]);
		return LVCTL_EXIT_FAILURE;
	}
	printf("%u\n", info.domid);
	return LVCTL_EXIT_OK;
}

/* domname DOMID: the guest's name, as xl domname prints it. */
int cmd_domname(int argc, char **argv)
{
	struct noxs_ioctl_guest_info info;
	uint32_t domid;
	int ret, fd;

	ret = lvctl_parse_flags("domname", "DOMID", NULL, 1, "one DOMID", argc,
				argv);
	if (ret >= 0)
		return ret;
	if (!isdigit((unsigned char)argv[optind][0]))
		return lvctl_usage_error("domname", "'%s' is not a domain id",
					 argv[optind]);
	fd = noxs_open(NULL);
	if (fd < 0)
		return LVCTL_EXIT_FAILURE;
	if (lvctl_resolve_guest(fd, argv[optind], &domid)) {
		close(fd);
		return LVCTL_EXIT_FAILURE;
	}
	ret = domid ? noxs_guest_info(fd, NULL, domid, &info) : 0;
	close(fd);
	if (ret == -ENOENT || (!ret && domid && !info.name[0])) {
		lvctl_error("domain %u has no name: it is not an lvctl guest",
			    domid);
		return LVCTL_EXIT_FAILURE;
	}
	if (ret)
		return LVCTL_EXIT_FAILURE;
	printf("%s\n", domid ? info.name : "Domain-0");
	return LVCTL_EXIT_OK;
}
