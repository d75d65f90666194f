// SPDX-License-Identifier: GPL-2.0
/*
 * lvctl console: a guest's console, served by the noxs module, which has
 * drained it since the guest started. Shows the kept output first, then
 * follows; ^] (or the guest's end) detaches.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "lvctl.h"

#define CONSOLE_ESCAPE 0x1d	/* ^] */

/* Copies what the guest printed to stdout. Returns 1 at its end, 0, -1. */
static int pump_output(int cons)
{
	char buf[4096];
	ssize_t n;

	n = read(cons, buf, sizeof(buf));
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	if (n == 0)
		return 1;
	return lvctl_write_all(STDOUT_FILENO, buf, n);
}

/*
 * Copies the user's keys to the guest. Returns 1 on ^], 0 to go on (at the
 * end of the input, stops reading it: *input = -1), -1 on error.
 */
static int pump_input(int cons, int *input)
{
	char buf[256], *esc;
	ssize_t n;

	n = read(*input, buf, sizeof(buf));
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	if (n == 0) {
		*input = -1;	/* no more input: only follow */
		return 0;
	}
	esc = memchr(buf, CONSOLE_ESCAPE, n);
	if (esc)
		n = esc - buf;
	/* A full input ring drops keys, as a serial line would. */
	if (n && write(cons, buf, n) < 0 && errno != EAGAIN)
		return -1;
	return esc ? 1 : 0;
}

/* Without --follow: print what is kept, and stop where it ends. */
static int dump(int cons)
{
	struct pollfd pfd = { .fd = cons, .events = POLLIN };
	int ret;

	while (poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLIN)) {
		ret = pump_output(cons);
		if (ret)
			return ret < 0 ? -1 : 0;
	}
	return 0;
}

static int follow(int cons)
{
	struct pollfd pfds[2] = {
		{ .fd = cons, .events = POLLIN },
		{ .fd = STDIN_FILENO, .events = POLLIN },
	};
	struct termios saved, raw;
	int tty = isatty(STDIN_FILENO), ret = 0;

	if (tty && !tcgetattr(STDIN_FILENO, &saved)) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	} else {
		tty = 0;
	}

	while (!ret) {
		if (poll(pfds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			ret = -1;
			break;
		}
		if (pfds[0].revents & (POLLIN | POLLHUP))
			ret = pump_output(cons);
		if (!ret && (pfds[1].revents & (POLLIN | POLLHUP)))
			ret = pump_input(cons, &pfds[1].fd);
	}

	if (tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	return ret < 0 ? -1 : 0;
}

int lvctl_console_attach(int noxs_fd, uint32_t domid, int following)
{
	int cons, ret;

	cons = noxs_console_open(noxs_fd, domid);
	if (cons < 0)
		return LVCTL_EXIT_FAILURE;
	ret = following ? follow(cons) : dump(cons);
	close(cons);
	if (ret) {
		lvctl_error("domain %u's console: %s", domid, strerror(errno));
		return LVCTL_EXIT_FAILURE;
	}
	return LVCTL_EXIT_OK;
}

/*
 * console [-d] [-t pv] [-n 0] NAME|DOMID. -t and -n are xl's console type
 * and number: a guest has one console, its PV one, number 0.
 */
int cmd_console(int argc, char **argv)
{
	const char *type = NULL, *number = NULL;
	int no_follow = 0, fd, ret;
	const struct lvctl_flag flags[] = {
		{ "dump", 'd', &no_follow, NULL },
		{ "no-follow", 256, &no_follow, NULL },
		{ "type", 't', NULL, &type },
		{ "num", 'n', NULL, &number },
		{ NULL, 0, NULL, NULL },
	};
	uint32_t domid;

	ret = lvctl_parse_flags("console",
				"[-d|--dump] [-t pv] [-n 0] NAME|DOMID",
				flags, 1, "one NAME|DOMID", argc, argv);
	if (ret >= 0)
		return ret;
	if (type && strcmp(type, "pv"))
		return lvctl_usage_error("console", "-t %s: a guest has a PV console only",
					 type);
	if (number && strcmp(number, "0"))
		return lvctl_usage_error("console", "-n %s: a guest has one console, number 0",
					 number);

	fd = noxs_open(NULL);
	if (fd < 0)
		return LVCTL_EXIT_FAILURE;
	ret = LVCTL_EXIT_FAILURE;
	if (!lvctl_resolve_guest(fd, argv[optind], &domid))
		ret = lvctl_console_attach(fd, domid, !no_follow);
	close(fd);
	return ret;
}

/* create -c, restore -c: the new guest's console, followed. */
int lvctl_console_follow(uint32_t domid)
{
	int fd = noxs_open(NULL), ret;

	if (fd < 0)
		return LVCTL_EXIT_FAILURE;
	ret = lvctl_console_attach(fd, domid, 1);
	close(fd);
	return ret;
}
