// SPDX-License-Identifier: GPL-2.0
/*
 * lvctl - create and control Xen guests without XenStore.
 *
 * This file holds the command table and what every command shares:
 * argument parsing conventions, error reporting and exit statuses
 * (0 ok, 1 failure, 2 usage). Each command family lives in a cmd_*.c file.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lvctl.h"

const char *lvctl_progname = "lvctl";

static int cmd_help(int argc, char **argv);

static const struct lvctl_command lvctl_commands[] = {
	{ "help",	cmd_help,	"",	"show the commands" },
	{ "version",	cmd_version,	"",
	  "show lvctl's, the NoXS ABI's and Xen's versions" },
};

#define LVCTL_NR_COMMANDS (sizeof(lvctl_commands) / sizeof(lvctl_commands[0]))

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

static void print_commands(FILE *out)
{
	size_t i;

	fprintf(out, "usage: %s COMMAND [ARGS...]\n\ncommands:\n",
		lvctl_progname);
	for (i = 0; i < LVCTL_NR_COMMANDS; i++)
		fprintf(out, "  %-10s %-20s %s\n", lvctl_commands[i].name,
			lvctl_commands[i].args, lvctl_commands[i].summary);
}

static int cmd_help(int argc, char **argv)
{
	int ret = lvctl_no_args("help", argc, argv);

	if (ret >= 0)
		return ret;
	print_commands(stdout);
	return LVCTL_EXIT_OK;
}

static const struct lvctl_command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < LVCTL_NR_COMMANDS; i++)
		if (!strcmp(lvctl_commands[i].name, name))
			return &lvctl_commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct lvctl_command *command;
	const char *name;

	if (argc < 2) {
		print_commands(stderr);
		return LVCTL_EXIT_USAGE;
	}

	name = argv[1];
	if (!strcmp(name, "-h") || !strcmp(name, "--help"))
		name = "help";

	command = find_command(name);
	if (!command) {
		lvctl_error("unknown command '%s' (see '%s help')", name,
			    lvctl_progname);
		return LVCTL_EXIT_USAGE;
	}

	/* The command sees itself as argv[0], as getopt_long expects. */
	return command->run(argc - 1, argv + 1);
}
