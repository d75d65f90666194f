/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lvctl - lightvm's toolstack. Shared declarations of the command files.
 */
#ifndef LVCTL_H
#define LVCTL_H

#include <stdio.h>

/* Exit statuses, as xl and the other tools of a Xen host use them. */
#define LVCTL_EXIT_OK		0
#define LVCTL_EXIT_FAILURE	1
#define LVCTL_EXIT_USAGE	2

struct lvctl_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *args;	/* synopsis after the command name */
	const char *summary;	/* one line for `lvctl help` */
};

/* lvctl.c */
extern const char *lvctl_progname;
void lvctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int lvctl_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int lvctl_no_args(const char *cmd, int argc, char **argv);

/* noxs.c: the /dev/xen/noxs connection */
int noxs_open(unsigned int *abi_minor);
int noxs_query_version(int fd, unsigned int *major, unsigned int *minor);

/* cmd_info.c */
int cmd_version(int argc, char **argv);

#endif /* LVCTL_H */
