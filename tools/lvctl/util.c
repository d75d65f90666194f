// SPDX-License-Identifier: GPL-2.0
/*
 * What every command shares: error lines and option conventions.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "lvctl.h"

const char *lvctl_progname = "lvctl";
double lvctl_main_ms;

double lvctl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void lvctl_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", lvctl_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int lvctl_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s %s: ", lvctl_progname, cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see '%s help')\n", lvctl_progname);
	return LVCTL_EXIT_USAGE;
}

/*
 * For commands that take no arguments: accept -h/--help, refuse anything
 * else. Returns -1 to go on, or the exit status to return.
 */
int lvctl_no_args(const char *cmd, int argc, char **argv)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		if (opt == 'h') {
			printf("usage: %s %s\n", lvctl_progname, cmd);
			return LVCTL_EXIT_OK;
		}
		return lvctl_usage_error(cmd, "unknown option '%s'",
					 argv[optind - 1]);
	}
	if (optind < argc)
		return lvctl_usage_error(cmd, "unexpected argument '%s'",
					 argv[optind]);
	return -1;
}
