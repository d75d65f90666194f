// SPDX-License-Identifier: GPL-2.0
/*
 * lvctl - create and control Xen guests without XenStore.
 *
 * This file holds the command table and main. Every command returns an
 * exit status: 0 ok, 1 failure, 2 usage. Each command family lives in a
 * cmd_*.c file; util.c has what they share.
 */
#include <stdio.h>
#include <string.h>

#include "lvctl.h"

static int cmd_help(int argc, char **argv);

static const struct lvctl_command lvctl_commands[] = {
	{ "create",	cmd_create,	"[-pcenq] CONFIG [KEY=VALUE]...",
	  "build a guest from an xl.cfg-style file, print its domid" },
	{ "destroy",	cmd_destroy,	"[-f] NAME|DOMID",
	  "destroy a guest at once" },
	{ "shutdown",	cmd_shutdown,	"[-w] [-t S] [-f] NAME|DOMID",
	  "ask a guest to power off (-f: destroy it if it cannot)" },
	{ "reboot",	cmd_reboot,	"[-w] [-t S] [-f] NAME|DOMID",
	  "ask a guest to reboot" },
	{ "pause",	cmd_pause,	"NAME|DOMID",	"pause a domain" },
	{ "unpause",	cmd_unpause,	"NAME|DOMID",	"unpause a domain" },
	{ "sysrq",	cmd_sysrq,	"NAME|DOMID KEY",
	  "send a magic SysRq key to a guest's kernel" },
	{ "mem-set",	cmd_mem_set,	"NAME|DOMID SIZE",
	  "set a guest's memory target (its balloon driver acts)" },
	{ "mem-max",	cmd_mem_max,	"NAME|DOMID SIZE",
	  "set the most memory a guest may have" },
	{ "vcpu-set",	cmd_vcpu_set,	"NAME|DOMID N",
	  "have N vCPUs of a guest online (up to maxvcpus)" },
	{ "vcpu-pin",	cmd_vcpu_pin,	"NAME|DOMID VCPU|all HARD [SOFT]",
	  "set the CPUs a domain's vCPUs run on" },
	{ "vcpu-list",	cmd_vcpu_list,	"[NAME|DOMID]",
	  "list the domains' vCPUs: where they run, their affinity" },
	{ "save",	cmd_save,	"[-c] NAME|DOMID FILE|-",
	  "save a guest to a file and destroy it (-c: keep it running)" },
	{ "restore",	cmd_restore,	"[-p] [-c] [-e] [-n NAME] FILE|-",
	  "restore a guest from a save file, print its domid" },
	{ "resume",	cmd_resume,	"NAME|DOMID",
	  "resume a suspended guest" },
	{ "migrate",	cmd_migrate,	"[-l] [-s CMD|-T -k KEY] NAME|DOMID HOST",
	  "move a guest to another host (ssh, or keyed TCP)" },
	{ "migrate-receive", cmd_migrate_receive, "[-L [ADDR:]PORT -k KEY]",
	  "take a guest from 'lvctl migrate' (ssh, or listen)" },
	{ "list",	cmd_list,	"[-l] [-j]",	"list the domains" },
	{ "uptime",	cmd_uptime,	"",	"show how long each domain has run" },
	{ "domid",	cmd_domid,	"NAME",	"print a guest's domain id" },
	{ "domname",	cmd_domname,	"DOMID",	"print a guest's name" },
	{ "rename",	cmd_rename,	"NAME|DOMID NEWNAME",
	  "give a guest another name" },
	{ "top",	cmd_top,	"[-b] [-d S] [-n N]",
	  "show every domain's CPU and memory use, refreshed" },
	{ "console",	cmd_console,	"[-d] NAME|DOMID",
	  "show a guest's console (^] detaches)" },
	{ "daemon",	cmd_daemon,	"[-F] [-P MEM:VCPUS:N]... [-T CFG:N]...",
	  "serve the API; act on shutdowns; keep a pool of shells" },
	{ "pool",	cmd_pool,	"[-s MEM:VCPUS:N] [-T CFG:N]",
	  "show (or size) the daemon's pool of pre-created shells" },
	{ "events",	cmd_events,	"[-n N] [-t S]",
	  "print the daemon's guest events as they happen" },
	{ "info",	cmd_info,	"",
	  "show the host's CPUs and memory, and what noxs holds" },
	{ "version",	cmd_version,	"",
	  "show lvctl's, the NoXS ABI's and Xen's versions" },
	{ "help",	cmd_help,	"",	"show the commands" },
};

#define LVCTL_NR_COMMANDS (sizeof(lvctl_commands) / sizeof(lvctl_commands[0]))

static void print_commands(FILE *out)
{
	size_t i;

	fprintf(out, "usage: %s COMMAND [ARGS...]\n\ncommands:\n",
		lvctl_progname);
	for (i = 0; i < LVCTL_NR_COMMANDS; i++)
		fprintf(out, "  %-15s %-28s %s\n", lvctl_commands[i].name,
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

	lvctl_main_ms = lvctl_now_ms();

	if (argc < 2) {
		print_commands(stderr);
		return LVCTL_EXIT_USAGE;
	}

	name = argv[1];
	if (!strcmp(name, "-h") || !strcmp(name, "--help"))
		name = "help";
	else if (!strcmp(name, "--version"))
		name = "version";

	command = find_command(name);
	if (!command) {
		lvctl_error("unknown command '%s' (see '%s help')", name,
			    lvctl_progname);
		return LVCTL_EXIT_USAGE;
	}

	/* The command sees itself as argv[0], as getopt_long expects. */
	return command->run(argc - 1, argv + 1);
}
