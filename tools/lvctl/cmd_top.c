// SPDX-License-Identifier: GPL-2.0
/*
 * top: a table of every domain's CPU and memory use, refreshed every few
 * seconds, as xentop shows it; -b prints the tables one after another
 * (for a script or a log) instead of redrawing the screen.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xenctrl.h>

#include "build.h"
#include "lvctl.h"

#define TOP_MAX_DOMAINS		4096
#define TOP_MAX_DELAY_S		3600

/* One look at every domain, and when it was taken. */
struct top_sample {
	xc_domaininfo_t *doms;
	int nr;
	double at_s;
};

static volatile sig_atomic_t top_stop;

static void top_signal(int sig)
{
	(void)sig;
	top_stop = 1;
}

static double monotonic_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int take_sample(xc_interface *xch, struct top_sample *s)
{
	s->nr = xc_domain_getinfolist(xch, 0, TOP_MAX_DOMAINS, s->doms);
	s->at_s = monotonic_s();
	if (s->nr >= 0)
		return 0;
	lvctl_error("cannot list domains: %s", strerror(errno));
	return -1;
}

/* The CPU time @d had in @before, if it was there (same domain, ns). */
static uint64_t cpu_before(const struct top_sample *before,
			   const xc_domaininfo_t *d)
{
	int i;

	for (i = 0; i < before->nr; i++)
		if (before->doms[i].domain == d->domain)
			return before->doms[i].cpu_time <= d->cpu_time ?
			       before->doms[i].cpu_time : d->cpu_time;
	return d->cpu_time;
}

static void print_table(int fd, const struct top_sample *before,
			const struct top_sample *now, uint64_t total_pages,
			unsigned int nr_cpus, int batch)
{
	double elapsed = now->at_s - before->at_s;
	char name[LVCTL_NAME_SIZE + 16];
	int i;

	if (!batch)
		fputs("\033[H\033[2J", stdout);	/* home, clear screen */
	printf("lvctl top: %d domains, %u CPUs, every %.0f s\n", now->nr,
	       nr_cpus, elapsed);
	printf("%-32s %5s %-10s %10s %6s %10s %6s %10s %5s\n", "NAME", "ID",
	       "STATE", "CPU(s)", "CPU(%)", "MEM(KiB)", "MEM(%)", "MAX(KiB)",
	       "VCPUS");
	for (i = 0; i < now->nr; i++) {
		const xc_domaininfo_t *d = &now->doms[i];
		double used = (d->cpu_time - cpu_before(before, d)) / 1e9;
		unsigned int vcpus = d->max_vcpu_id == XEN_INVALID_MAX_VCPU_ID ?
				     0 : d->max_vcpu_id + 1;
		unsigned long kib = d->tot_pages * (XC_PAGE_SIZE / 1024);

		lvctl_domain_label(fd, d->domain, name, sizeof(name));
		printf("%-32s %5u %-10s %10.1f %6.1f %10lu %6.1f ", name,
		       d->domain,
		       d->flags & XEN_DOMINF_dying ? "dying" :
		       d->flags & XEN_DOMINF_shutdown ? "shutdown" :
		       d->flags & XEN_DOMINF_paused ? "paused" :
		       d->flags & XEN_DOMINF_running ? "running" : "blocked",
		       d->cpu_time / 1e9, elapsed > 0 ? used * 100 / elapsed : 0,
		       kib, total_pages ? 100.0 * d->tot_pages / total_pages : 0);
		if (d->max_pages == ~0ULL)
			printf("%10s", "-");
		else
			printf("%10lu", (unsigned long)d->max_pages *
					(XC_PAGE_SIZE / 1024));
		printf(" %5u\n", vcpus);
	}
	fflush(stdout);
}

/* A whole number of seconds or iterations from @min to @max. */
static int parse_top_number(const char *s, long min, long max, long *value)
{
	char *end;

	errno = 0;
	*value = strtol(s, &end, 10);
	return errno || end == s || *end || *value < min || *value > max ?
	       -1 : 0;
}

int cmd_top(int argc, char **argv)
{
	const char *delay_arg = NULL, *count_arg = NULL;
	int batch = 0, ret, fd, status = LVCTL_EXIT_FAILURE;
	const struct lvctl_flag flags[] = {
		{ "batch", 'b', &batch, NULL },
		{ "delay", 'd', NULL, &delay_arg },
		{ "iterations", 'n', NULL, &count_arg },
		{ NULL, 0, NULL, NULL },
	};
	struct top_sample samples[2] = { { 0 } }, *before, *now, *swap;
	struct sigaction sa = { .sa_handler = top_signal };
	xc_physinfo_t phys = { 0 };
	long delay = 3, count = 0;
	xc_interface *xch;

	ret = lvctl_parse_flags("top", "[-b] [-d SECONDS] [-n ITERATIONS]",
				flags, 0, NULL, argc, argv);
	if (ret >= 0)
		return ret;
	if (delay_arg && parse_top_number(delay_arg, 1, TOP_MAX_DELAY_S, &delay))
		return lvctl_usage_error("top", "-d '%s': expected seconds from 1 to %d",
					 delay_arg, TOP_MAX_DELAY_S);
	if (count_arg && parse_top_number(count_arg, 1, 1000000, &count))
		return lvctl_usage_error("top", "-n '%s': expected a number of tables from 1",
					 count_arg);

	if (lvctl_open(&fd, &xch))
		return LVCTL_EXIT_FAILURE;
	samples[0].doms = calloc(TOP_MAX_DOMAINS, sizeof(xc_domaininfo_t));
	samples[1].doms = calloc(TOP_MAX_DOMAINS, sizeof(xc_domaininfo_t));
	if (!samples[0].doms || !samples[1].doms) {
		lvctl_error("out of memory");
		goto out;
	}
	if (xc_physinfo(xch, &phys)) {
		lvctl_error("cannot read the host's physical information: %s",
			    strerror(errno));
		goto out;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	before = &samples[0];
	now = &samples[1];
	if (take_sample(xch, before))
		goto out;
	/* Each table shows the CPU used since the one before. */
	while (!top_stop) {
		sleep(delay);
		if (top_stop)
			break;
		if (take_sample(xch, now))
			goto out;
		print_table(fd, before, now, phys.total_pages, phys.nr_cpus,
			    batch);
		if (count && !--count)
			break;
		swap = before, before = now, now = swap;
	}
	status = LVCTL_EXIT_OK;
out:
	free(samples[0].doms);
	free(samples[1].doms);
	lvctl_close(fd, xch);
	return status;
}
