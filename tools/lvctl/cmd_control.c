// SPDX-License-Identifier: GPL-2.0
/*
 * Commands that ask things of guests, and the daemon that acts when they
 * end: shutdown, reboot, sysrq, daemon.
 *
 * Requests go through the guest's NoXS sysctl device
 * (NOXS_IOCTL_GUEST_REQUEST); the guest's relay hands them to its stock
 * kernel's manage.c.
 * What happens once the guest has shut down (on_poweroff, on_reboot,
 * on_crash) is done by lvctl_reap(), from the daemon when it runs, and from
 * a waiting `shutdown -w` or `reboot -w` in any case.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xenctrl.h>
#include <xenevtchn.h>

#include <xen/noxs.h>

#include "lvctl.h"
#include "pool.h"

#define POLL_INTERVAL_US	100000
#define DEFAULT_TIMEOUT_S	60
#define SWEEP_INTERVAL_MS	30000	/* the daemon's look for half-built guests */
#define DAEMON_PIDFILE		"/run/lightvm/daemon.pid"
#define DAEMON_LOG		"/run/lightvm/daemon.log"

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
	uint32_t new_domid = 0;

	do {
		if (lvctl_reap(xch, fd, domid, &new_domid) < 0)
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

static const char *close_error(int err)
{
	switch (err) {
	case -EOPNOTSUPP:
		return "it has no sysctl frontend connected that handles this request";
	case -ETIMEDOUT:
		return "it did not acknowledge the request in time";
	case -EREMOTEIO:
		return "it refused the request";
	case -ESHUTDOWN:
		return "it was destroyed before it answered";
	default:
		return strerror(-err);
	}
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
			    info.name, close_error(err),
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
			    domid, info.name, close_error(err));
	else
		status = LVCTL_EXIT_OK;
out:
	lvctl_close(fd, xch);
	return status;
}

/* --- the daemon ----------------------------------------------------------- */

static volatile sig_atomic_t daemon_stop;

static void daemon_signal(int sig)
{
	(void)sig;
	daemon_stop = 1;
}

/* Acts on every guest that has shut down. */
static void reap_all(xc_interface *xch, int fd)
{
	xc_domaininfo_t batch[256];
	uint32_t next = 1, new_domid;
	int n, i;

	do {
		n = xc_domain_getinfolist(xch, next, 256, batch);
		for (i = 0; i < n; i++) {
			next = batch[i].domain + 1;
			if (!(batch[i].flags & XEN_DOMINF_shutdown))
				continue;
			new_domid = 0;
			if (lvctl_reap(xch, fd, batch[i].domain, &new_domid) > 0)
				lvctl_log("domain %u shut down%s%.0u",
					  batch[i].domain,
					  new_domid ? ", restarted as " : "",
					  new_domid);
		}
	} while (n == 256);
}

static int write_pid(int fd)
{
	char pid[32];
	int len;

	len = snprintf(pid, sizeof(pid), "%d\n", getpid());
	if (ftruncate(fd, 0) || pwrite(fd, pid, len, 0) != len) {
		lvctl_error("cannot write %s: %s", DAEMON_PIDFILE,
			    strerror(errno));
		return -1;
	}
	return 0;
}

/* One daemon at a time: a lock on the pid file, held for our life. */
static int daemon_lock(void)
{
	int fd;

	mkdir("/run/lightvm", 0700);
	fd = open(DAEMON_PIDFILE, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		lvctl_error("cannot open %s: %s", DAEMON_PIDFILE,
			    strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		lvctl_error("another lvctl daemon is running (%s is locked)",
			    DAEMON_PIDFILE);
		close(fd);
		return -1;
	}
	if (write_pid(fd)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* How long poll() may wait: until the next shell or sweep is due. */
static int daemon_wait_ms(struct lvctl_pool *pool, double sweep_at)
{
	int pool_ms = lvctl_pool_timeout_ms(pool);
	double now = lvctl_now_ms();
	int sweep_ms = sweep_at > now ? (int)(sweep_at - now) + 1 : 0;

	return pool_ms < 0 || sweep_ms < pool_ms ? sweep_ms : pool_ms;
}

/*
 * Requests first, then guests that shut down, then one shell of the pool
 * at a time when nothing else waits; now and then, a sweep for what dead
 * builds left. SIGTERM and SIGINT are blocked but in ppoll(), so that a
 * stop cannot slip in between the check and the wait.
 */
static int daemon_loop(xc_interface *xch, int fd, xenevtchn_handle *xce,
		       struct lvctl_pool *pool, const sigset_t *waitmask)
{
	struct pollfd pfds[2] = {
		{ .fd = lvctl_pool_fd(pool), .events = POLLIN },
		{ .fd = xenevtchn_fd(xce), .events = POLLIN },
	};
	xenevtchn_port_or_error_t port;
	double sweep_at = 0;
	struct timespec ts;
	int wait_ms;

	reap_all(xch, fd);	/* what shut down before we came */
	while (!daemon_stop) {
		if (lvctl_now_ms() >= sweep_at) {
			lvctl_sweep(xch, fd);
			sweep_at = lvctl_now_ms() + SWEEP_INTERVAL_MS;
		}
		wait_ms = daemon_wait_ms(pool, sweep_at);
		ts.tv_sec = wait_ms / 1000;
		ts.tv_nsec = (wait_ms % 1000) * 1000000L;
		if (ppoll(pfds, 2, &ts, waitmask) < 0) {
			if (errno == EINTR)
				continue;
			lvctl_error("daemon: poll: %s", strerror(errno));
			return -1;
		}
		if (pfds[0].revents & POLLIN)
			lvctl_pool_serve(pool);
		if (pfds[1].revents & POLLIN) {
			port = xenevtchn_pending(xce);
			if (port >= 0) {
				xenevtchn_unmask(xce, port);
				reap_all(xch, fd);
			}
		}
		if (!pfds[0].revents && !pfds[1].revents)
			lvctl_pool_refill_one(pool);
	}
	return 0;
}

static int parse_daemon_args(int argc, char **argv, int *foreground,
			     struct lvctl_pool *pool)
{
	static const struct option options[] = {
		{ "foreground", no_argument, NULL, 'F' },
		{ "pool", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char synopsis[] =
		"[-F|--foreground] [-P|--pool MEMORY:VCPUS:COUNT]...";
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+FP:h", options, NULL)) != -1) {
		switch (c) {
		case 'F':
			*foreground = 1;
			break;
		case 'P':
			if (lvctl_pool_add_size(pool, optarg))
				return LVCTL_EXIT_USAGE;
			break;
		case 'h':
			printf("usage: %s daemon %s\n", lvctl_progname,
			       synopsis);
			return LVCTL_EXIT_OK;
		default:
			return lvctl_usage_error("daemon", "unknown option '%s'",
						 argv[optind - 1]);
		}
	}
	if (optind != argc)
		return lvctl_usage_error("daemon", "unexpected argument '%s'",
					 argv[optind]);
	return -1;
}

int cmd_daemon(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = daemon_signal };
	int foreground = 0, fd, lock, ret, status = LVCTL_EXIT_FAILURE;
	struct lvctl_pool *pool;
	sigset_t stops, waitmask;
	xenevtchn_handle *xce;
	xc_interface *xch;

	/* Usage errors and --help first, before Xen is opened. */
	pool = lvctl_pool_new(NULL, -1);
	if (!pool)
		return LVCTL_EXIT_FAILURE;
	ret = parse_daemon_args(argc, argv, &foreground, pool);
	lvctl_pool_free(pool);
	if (ret >= 0)
		return ret;

	if (lvctl_open(&fd, &xch))
		return LVCTL_EXIT_FAILURE;
	pool = lvctl_pool_new(xch, fd);
	if (!pool || parse_daemon_args(argc, argv, &foreground, pool) >= 0)
		goto out;
	xce = xenevtchn_open(NULL, 0);
	if (!xce) {
		lvctl_error("cannot open the event channel device: %s",
			    strerror(errno));
		goto out;
	}
	if (xenevtchn_bind_virq(xce, VIRQ_DOM_EXC) < 0) {
		lvctl_error("cannot bind VIRQ_DOM_EXC: %s (is xenstored, or another daemon, running?)",
			    strerror(errno));
		goto out_evtchn;
	}
	lock = daemon_lock();
	if (lock < 0)
		goto out_evtchn;
	if (lvctl_pool_listen(pool))
		goto out_lock;

	if (!foreground) {
		if (daemon(0, 1)) {
			lvctl_error("cannot go to the background: %s",
				    strerror(errno));
			goto out_lock;
		}
		/* The pid changed; stderr goes to the log from now on. */
		if (write_pid(lock) || !freopen(DAEMON_LOG, "a", stderr) ||
		    !freopen("/dev/null", "w", stdout))
			goto out_lock;
		/* A line in the log as soon as it is said, with its time. */
		setvbuf(stderr, NULL, _IOLBF, 0);
	}
	lvctl_log_timestamps = 1;
	lvctl_log("daemon %d started", getpid());

	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGINT);
	sigprocmask(SIG_BLOCK, &stops, &waitmask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (!daemon_loop(xch, fd, xce, pool, &waitmask))
		status = LVCTL_EXIT_OK;

out_lock:
	unlink(DAEMON_PIDFILE);
	close(lock);
out_evtchn:
	xenevtchn_close(xce);
out:
	/* Before the pid file goes: no shell outlives the daemon. */
	lvctl_pool_free(pool);
	lvctl_close(fd, xch);
	return status;
}
