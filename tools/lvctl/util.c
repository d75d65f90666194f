// SPDX-License-Identifier: GPL-2.0
/*
 * What every command shares: error lines and option conventions.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lvctl.h"

const char *lvctl_progname = "lvctl";
double lvctl_main_ms;
char lvctl_last_error[256];

double lvctl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Does @path exist (a module's /sys directory, a device node)? */
int lvctl_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

int lvctl_log_timestamps;
int lvctl_quiet;

/* One line on stderr; in the daemon's log, after the local time. */
static void print_line(const char *msg)
{
	char stamp[32];
	struct tm tm;
	time_t now;

	if (lvctl_quiet)
		return;
	if (lvctl_log_timestamps) {
		now = time(NULL);
		localtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
		fprintf(stderr, "%s ", stamp);
	}
	fprintf(stderr, "%s: %s\n", lvctl_progname, msg);
}

void lvctl_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(lvctl_last_error, sizeof(lvctl_last_error), fmt, ap);
	va_end(ap);
	print_line(lvctl_last_error);
}

void lvctl_log(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	print_line(msg);
}

/*
 * The stop signals a build looks for between its steps, blocked by
 * lvctl_block_stops() so that they wait for it; the first one pending, or 0.
 */
static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };

void lvctl_block_stops(void)
{
	sigset_t set;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		sigaddset(&set, stop_signals[i]);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

int lvctl_stop_pending(void)
{
	sigset_t pending;
	size_t i;

	if (sigpending(&pending))
		return 0;
	for (i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		if (sigismember(&pending, stop_signals[i]))
			return stop_signals[i];
	return 0;
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

/* Writes all of @buf, across short writes and signals; 0 or -1 (errno). */
int lvctl_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

#define LVCTL_MAX_FLAGS 8

/*
 * Parses a command line of options (@flags) followed by exactly @nargs
 * arguments (any number with LVCTL_ARGS_ANY, from optind on), which
 * @operands names for errors ("one NAME|DOMID"); @args is the synopsis
 * for --help. Every command takes -h/--help. Returns -1 to go on, or the
 * exit status to return (0 after help, 2 after a usage error).
 */
int lvctl_parse_flags(const char *cmd, const char *args,
		      const struct lvctl_flag *flags, int nargs,
		      const char *operands, int argc, char **argv)
{
	struct option options[LVCTL_MAX_FLAGS + 2];
	char shorts[3 * LVCTL_MAX_FLAGS + 3] = "+:h";
	int n, opt, i;

	for (n = 0; flags && flags[n].name; n++) {
		options[n] = (struct option){ flags[n].name,
					      flags[n].arg ? required_argument :
							     no_argument,
					      NULL, flags[n].short_name };
		if (flags[n].short_name < 256) {
			size_t len = strlen(shorts);

			shorts[len++] = flags[n].short_name;
			if (flags[n].arg)
				shorts[len++] = ':';
			shorts[len] = '\0';
		}
	}
	options[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	options[n] = (struct option){ NULL, 0, NULL, 0 };

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shorts, options, NULL)) != -1) {
		if (opt == 'h') {
			printf("usage: %s %s%s%s\n", lvctl_progname, cmd,
			       *args ? " " : "", args);
			return LVCTL_EXIT_OK;
		}
		if (opt == ':')
			return lvctl_usage_error(cmd, "option '%s' needs a value",
						 argv[optind - 1]);
		for (i = 0; flags && flags[i].name; i++)
			if (opt == flags[i].short_name)
				break;
		if (!flags || !flags[i].name)
			return lvctl_usage_error(cmd, "unknown option '%s'",
						 argv[optind - 1]);
		if (flags[i].value)
			*flags[i].value = 1;
		if (flags[i].arg)
			*flags[i].arg = optarg;
	}
	if (nargs == LVCTL_ARGS_ANY)
		return -1;
	if (nargs == 0 && optind < argc)
		return lvctl_usage_error(cmd, "unexpected argument '%s'",
					 argv[optind]);
	if (argc - optind != nargs)
		return lvctl_usage_error(cmd, "expected %s", operands);
	return -1;
}

int lvctl_no_args(const char *cmd, int argc, char **argv)
{
	return lvctl_parse_flags(cmd, "", NULL, 0, NULL, argc, argv);
}
