// SPDX-License-Identifier: GPL-2.0
/*
 * Commands that ask things of guests: shutdown, reboot, sysrq.
 *
 * Requests go through the guest's NoXS sysctl device
 * (NOXS_IOCTL_GUEST_REQUEST); the guest's relay hands them to its stock
 * kernel's manage.c.
 * What happens once the guest has shut down (on_poweroff, on_reboot,
 * on_crash) is done by lvctl_reap(), from the daemon when it runs, and from
 * a waiting `shutdown -w` or `reboot -w` in any case.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xenctrl.h>

#include <xen/noxs.h>

#include "lvctl.h"

#define POLL_INTERVAL_US	100000
#define DEFAULT_TIMEOUT_S	60

struct close_request {
	const char *cmd;
	uint32_t reason;	/* NOXS_CLOSE_* */
	const char *verb;	/* "shut down", "reboot" */
	int wait;
	int force;
	long timeout_s;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int parse_close_args(struct close_request *req, int argc, char **argv,
			    const char **guest)
{
	static const struct option options[] = {
		{ "wait", no_argument, NULL, 'w' },
		{ "timeout", required_argument, NULL, 't' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int opt;

	req->timeout_s = DEFAULT_TIMEOUT_S;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+wt:fh", options, NULL)) != -1) {
		switch (opt) {
		case 'w':
			req->wait = 1;
			break;
		case 'f':
			req->force = 1;
			break;
		case 't':
			errno = 0;
			req->timeout_s = strtol(optarg, &end, 10);
			if (errno || *end || req->timeout_s <= 0 ||
			    req->timeout_s > 3600)
				return lvctl_usage_error(req->cmd,
					"--timeout %s: expected seconds, 1 to 3600",
					optarg);
			break;
		case 'h':
			printf("usage: %s %s [-w|--wait] [-t|--timeout S] [-f|--force] NAME|DOMID\n",
			       lvctl_progname, req->cmd);
			return LVCTL_EXIT_OK;
		default:
			return lvctl_usage_error(req->cmd, "unknown option '%s'",
						 argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return lvctl_usage_error(req->cmd, "expected one NAME|DOMID");
	*guest = argv[optind];
	return -1;
}

static int is_shut_down(xc_interface *xch, uint32_t domid)
{
	xc_domaininfo_t dom;

	return xc_domain_getinfolist(xch, domid, 1, &dom) == 1 &&
	       dom.domain == domid && (dom.flags & XEN_DOMINF_shutdown);
}

/*
 * Waits until the guest is gone (shutdown), or back under its name with
 * a new domid (reboot), doing its on_* action itself if nobody else does.
 * Returns 0, or -1 after the timeout or a failure.
 */
static int wait_for_guest(const struct close_request *req, xc_interface *xch,
			  int fd, uint32_t domid, const char *name)
{
	struct noxs_ioctl_guest_info info;
	double deadline = now_s() + req->timeout_s;

	do {
		if (lvctl_reap(xch, fd, domid, NULL) < 0)
			return -1;
		if (req->reason == NOXS_CLOSE_POWEROFF) {
			if (!lvctl_domain_exists(xch, domid))
				return 0;
			/* on_poweroff = "preserve": it stays, shut down. */
			if (is_shut_down(xch, domid) &&
			    !noxs_guest_info(fd, NULL, domid, &info))
				return 0;
		} else if (!noxs_guest_info(fd, name, 0, &info) &&
			   info.domid != domid &&
			   !is_shut_down(xch, info.domid)) {
			printf("%u\n", info.domid);
			return 0;
		}
		usleep(POLL_INTERVAL_US);
	} while (now_s() < deadline);

	lvctl_error("domain %u (%s) did not %s within %ld s", domid, name,
		    req->verb, req->timeout_s);
	return -1;
}

static int close_guest(struct close_request *req, int argc, char **argv)
{
	struct noxs_ioctl_guest_info info;
	int ret, fd, err, status = LVCTL_EXIT_FAILURE;
	const char *guest = NULL;
	unsigned int ack_ms;
	xc_interface *xch;
	uint32_t domid;

	ret = parse_close_args(req, argc, argv, &guest);
	if (ret >= 0)
		return ret;

	if (lvctl_open(&fd, &xch))
		return LVCTL_EXIT_FAILURE;
	if (lvctl_find_guest(xch, fd, guest, &domid, &info))
		goto out;

	ack_ms = req->timeout_s * 1000 < NOXS_CLOSE_TIMEOUT_MAX_MS ?
		 req->timeout_s * 1000 : NOXS_CLOSE_TIMEOUT_MAX_MS;
	err = noxs_guest_request(fd, domid, req->reason, 0, ack_ms);
	if (!err && (!req->wait || !wait_for_guest(req, xch, fd, domid,
						   info.name)))
		status = LVCTL_EXIT_OK;
	else if (err)
		lvctl_error("cannot %s domain %u (%s): %s%s", req->verb, domid,
			    info.name, lvctl_close_error(err),
			    err == -ESHUTDOWN ? "" :
			    req->force ? "; destroying it (--force)" :
					 " (--force destroys it)");

	if (status != LVCTL_EXIT_OK && req->force) {
		err = lvctl_guest_destroy(xch, fd, domid, info.name);
		if (!err || err == -ENOENT)
			status = LVCTL_EXIT_OK;
	}
out:
	lvctl_close(fd, xch);
	return status;
}

int cmd_shutdown(int argc, char **argv)
{
	struct close_request req = {
		.cmd = "shutdown",
		.reason = NOXS_CLOSE_POWEROFF,
		.verb = "shut down",
	};

	return close_guest(&req, argc, argv);
}

int cmd_reboot(int argc, char **argv)
{
	struct close_request req = {
		.cmd = "reboot",
		.reason = NOXS_CLOSE_REBOOT,
		.verb = "reboot",
	};

	return close_guest(&req, argc, argv);
}

#define SYSRQ_TIMEOUT_MS	10000

/* sysrq NAME|DOMID KEY: the guest kernel's magic SysRq, through manage.c. */
int cmd_sysrq(int argc, char **argv)
{
	struct noxs_ioctl_guest_info info;
	int ret, fd, err, status = LVCTL_EXIT_FAILURE;
	const char *key;
	xc_interface *xch;
	uint32_t domid;

	ret = lvctl_parse_flags("sysrq", "NAME|DOMID KEY", NULL, 2,
				"NAME|DOMID and KEY", argc, argv);
	if (ret >= 0)
		return ret;
	key = argv[optind + 1];
	if (strlen(key) != 1 || *key <= ' ' || *key >= 0x7f)
		return lvctl_usage_error("sysrq",
			"KEY '%s': expected one printable character", key);

	if (lvctl_open(&fd, &xch))
		return LVCTL_EXIT_FAILURE;
	if (lvctl_find_guest(xch, fd, argv[optind], &domid, &info))
		goto out;
	err = noxs_guest_request(fd, domid, NOXS_SYSCTL_REQ_SYSRQ, *key,
				 SYSRQ_TIMEOUT_MS);
	if (err)
		lvctl_error("cannot send sysrq '%c' to domain %u (%s): %s", *key,
			    domid, info.name, lvctl_close_error(err));
	else
		status = LVCTL_EXIT_OK;
out:
	lvctl_close(fd, xch);
	return status;
}
