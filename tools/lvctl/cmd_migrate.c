// SPDX-License-Identifier: GPL-2.0
/*
 * migrate and migrate-receive: a guest moves to another host over ssh or
 * a keyed TCP link (the protocol is in migrate.h, the link in
 * migrate_link.h). Whatever fails, the guest runs on exactly one host, or,
 * when the link is lost after the hand-over began, stays suspended on the
 * source with a line saying so: never two running copies.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <xenctrl.h>
#include <xenguest.h>

#include <xen/noxs.h>

#include "build.h"
#include "config.h"
#include "lvctl.h"
#include "migrate.h"
#include "migrate_link.h"
#include "suspend.h"

#define OFFER_MS	60000	/* the receiver's checks */
#define RESTORED_MS	120000	/* the restore's end, after the stream's */
#define GO_MS		60000	/* the sender's "go" after "received" */
#define RUNNING_MS	60000	/* the receiver's unpause */

/* --- messages --------------------------------------------------------------- */

static int send_text(struct lvctl_link *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int send_text(struct lvctl_link *l, const char *fmt, ...)
{
	char *text;
	va_list ap;
	int n, ret;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0) {
		lvctl_error("out of memory");
		return -1;
	}
	ret = lvctl_link_send_msg(l, text, n);
	free(text);
	return ret;
}

/*
 * The next message; its verb must be @ok (then 0, *@rest after it) or
 * "refuse"/"failed" (then 1, *@rest the reason); -1 when the link fails.
 */
static int expect(struct lvctl_link *l, const char *ok, int timeout_ms,
		  char **msg, const char **rest)
{
	size_t len, verb;

	if (lvctl_link_recv_msg(l, msg, &len, timeout_ms))
		return -1;
	verb = strcspn(*msg, " \n");
	*rest = (*msg)[verb] ? *msg + verb + 1 : *msg + verb;
	if (verb == strlen(ok) && !strncmp(*msg, ok, verb))
		return 0;
	if (verb == 6 && (!strncmp(*msg, "refuse", 6) ||
			  !strncmp(*msg, "failed", 6)))
		return 1;
	lvctl_error("%s sent '%.*s' where '%s' was due", l->peer, (int)verb,
		    *msg, ok);
	free(*msg);
	*msg = NULL;
	return -1;
}

/* --- migrate ---------------------------------------------------------------- */

struct migration {
	struct lvctl_suspend job;	/* xch, noxs_fd, domid, name */
	struct lvctl_config cfg;
	struct lvctl_transport transport;
	struct lvctl_link link;
	const char *host;
	int live;
	int lock;			/* on the saved config, while we work */
	double start_ms;
	uint32_t remote_domid;
};

/*
 * PV log-dirty tracking (what a live save needs) is part of Xen's shadow
 * paging code, which Debian's Xen 4.17 is built without: try it before
 * anything else, and say so when it is missing.
 */
static int check_live(struct migration *m)
{
	if (xc_logdirty_control(m->job.xch, m->job.domid,
				XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY, NULL, 0,
				0, NULL) < 0) {
		lvctl_error("--live needs Xen's log-dirty mode for PV guests, which this hypervisor lacks (%s; built without shadow paging?): migrate without --live",
			    strerror(errno));
		return -1;
	}
	xc_logdirty_control(m->job.xch, m->job.domid,
			    XEN_DOMCTL_SHADOW_OP_OFF, NULL, 0, 0, NULL);
	return 0;
}

/* The offer: the receiver checks it before anything is suspended. */
static int offer(struct migration *m)
{
	const char *rest;
	char *text, *msg = NULL;
	size_t len;
	int ret;

	text = lvctl_config_format(&m->cfg, &len);
	if (!text) {
		lvctl_error("out of memory");
		return -1;
	}
	ret = send_text(&m->link, "offer %d\n%s", m->live, text);
	free(text);
	if (ret)
		return -1;
	ret = expect(&m->link, "accept", OFFER_MS, &msg, &rest);
	if (ret > 0)
		lvctl_error("%s refused %s: %s", m->host, m->job.name, rest);
	free(msg);
	return ret ? -1 : 0;
}

/* libxenguest's stream through the link; the guest suspends on the way. */
static int send_guest(struct migration *m)
{
	struct save_callbacks callbacks = {
		.suspend = lvctl_suspend_cb,
		.data = &m->job,
	};
	char why[256];
	int fd, err;

	fd = lvctl_link_stream_start(&m->link);
	if (fd < 0)
		return -1;
	err = xc_domain_save(m->job.xch, fd, m->job.domid,
			     m->live ? XCFLAGS_LIVE : 0, &callbacks,
			     XC_STREAM_PLAIN, -1);
	snprintf(why, sizeof(why), "%s",
		 lvctl_xc_error(m->job.xch, strerror(errno)));
	if (lvctl_link_stream_finish(&m->link, fd, err)) {
		/* The link broke first: libxenguest's error is its effect. */
		lvctl_error("cannot send %s to %s: %s; it runs on here",
			    m->job.name, m->host,
			    m->link.error[0] ? m->link.error :
			    "the stream stopped");
		return -1;
	}
	if (err && m->job.suspended)
		lvctl_error("cannot send %s to %s: %s; it runs on here",
			    m->job.name, m->host, why);
	return err ? -1 : 0;
}

/* Ours again: saved config back (the sweep knows it), guest resumed. */
static void take_back(struct migration *m)
{
	int fd = lvctl_state_save(&m->cfg);

	if (fd >= 0)
		close(fd);
	lvctl_resume_guest(m->job.xch, m->job.domid, m->job.name);
}

/*
 * The receiver holds a paused copy. From "go" on, the guest may run
 * there: our saved config goes first, so that no sweep resumes our copy.
 */
static int hand_over(struct migration *m)
{
	const char *rest;
	char *msg = NULL;
	int ret;

	lvctl_state_remove(m->job.name);
	if (send_text(&m->link, "go")) {
		/* No whole "go" frame reached it: it destroys its copy. */
		take_back(m);
		return -1;
	}
	ret = expect(&m->link, "running", RUNNING_MS, &msg, &rest);
	if (ret == 0) {
		m->remote_domid = strtoul(rest, NULL, 10);
		free(msg);
		lvctl_guest_destroy(m->job.xch, m->job.noxs_fd, m->job.domid,
				    m->job.name);
		return 0;
	}
	if (ret > 0) {
		lvctl_error("%s could not start %s: %s; it runs on here",
			    m->host, m->job.name, rest);
		free(msg);
		take_back(m);
		return -1;
	}
	lvctl_error("lost %s after telling it to start %s: it may run there now; here domain %u stays suspended (check %s, then 'lvctl destroy %s' or 'lvctl resume %s' here)",
		    m->host, m->job.name, m->job.domid, m->host, m->job.name,
		    m->job.name);
	return -1;
}

/* Suspended and streamed; restored there; handed over (or taken back). */
static int move_guest(struct migration *m)
{
	const char *rest;
	char *msg = NULL;
	int ret;

	lvctl_block_stops();
	if (send_guest(m)) {
		if (m->job.suspended)
			lvctl_resume_guest(m->job.xch, m->job.domid,
					   m->job.name);
		return -1;
	}
	ret = expect(&m->link, "received", RESTORED_MS, &msg, &rest);
	if (ret > 0)
		lvctl_error("%s could not restore %s: %s; it runs on here",
			    m->host, m->job.name, rest);
	free(msg);
	if (ret) {
		lvctl_resume_guest(m->job.xch, m->job.domid, m->job.name);
		return -1;
	}
	return hand_over(m);
}

static int open_transport(struct migration *m, const char *ssh, int tcp)
{
	if (tcp ? lvctl_transport_tcp(&m->transport, m->host) :
		  lvctl_transport_ssh(&m->transport, ssh, m->host))
		return -1;
	lvctl_link_init(&m->link, m->transport.in_fd, m->transport.out_fd,
			m->host, 1);
	return 0;
}

/*
 * No receiver answered: the link's words, and ssh's exit status, which
 * may tell why, in one line.
 */
static void no_receiver(struct migration *m)
{
	char what[256];
	int status;

	snprintf(what, sizeof(what), "%s", m->transport.what);
	status = lvctl_transport_close(&m->transport);
	if (status > 0)
		lvctl_error("%s ('%s' exited with status %d)", m->link.error,
			    what, status);
	else
		lvctl_error("%s", m->link.error);
}

static int migrate_guest(struct migration *m, const char *ssh, int tcp)
{
	int ret = -1;

	if (lvctl_domain_suspended(m->job.xch, m->job.domid)) {
		lvctl_error("domain %u (%s) is suspended (lvctl resume %s)",
			    m->job.domid, m->job.name, m->job.name);
		return -1;
	}
	if (lvctl_state_load(m->job.name, &m->cfg))
		return -1;
	/* A migration at work: the sweep does not resume this guest. */
	m->lock = lvctl_state_lock(m->job.name, 1);
	if (m->live && check_live(m))
		goto out;
	m->start_ms = lvctl_now_ms();
	if (open_transport(m, ssh, tcp))
		goto out;
	if (lvctl_link_handshake(&m->link)) {
		no_receiver(m);
		goto out;
	}
	if (!offer(m))
		ret = move_guest(m);
	lvctl_transport_close(&m->transport);
out:
	if (m->lock >= 0)
		close(m->lock);
	lvctl_config_free(&m->cfg);
	return ret;
}

struct migrate_args {
	int live;
	int tcp;
	const char *ssh;
	const char *key;
};

static int parse_migrate_args(int argc, char **argv, struct migrate_args *a)
{
	static const struct option options[] = {
		{ "live", no_argument, NULL, 'l' },
		{ "ssh-command", required_argument, NULL, 's' },
		{ "tcp", no_argument, NULL, 'T' },
		{ "key", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+ls:Tk:h", options, NULL)) != -1) {
		switch (opt) {
		case 'l':
			a->live = 1;
			break;
		case 's':
			a->ssh = optarg;
			break;
		case 'T':
			a->tcp = 1;
			break;
		case 'k':
			a->key = optarg;
			break;
		case 'h':
			printf("usage: %s migrate [-l|--live] [-s|--ssh-command CMD] NAME|DOMID HOST\n"
			       "       %s migrate [-l|--live] --tcp --key FILE NAME|DOMID HOST[:PORT]\n",
			       lvctl_progname, lvctl_progname);
			return LVCTL_EXIT_OK;
		default:
			return lvctl_usage_error("migrate", "unknown option '%s'",
						 argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return lvctl_usage_error("migrate", "expected NAME|DOMID and HOST");
	if (a->tcp && !a->key)
		return lvctl_usage_error("migrate", "--tcp needs --key FILE: lvctl sends no guest over an unauthenticated link");
	if (a->key && !a->tcp)
		return lvctl_usage_error("migrate", "--key is for --tcp (ssh authenticates the other host itself)");
	if (a->tcp && a->ssh)
		return lvctl_usage_error("migrate", "--ssh-command and --tcp are two different transports");
	return -1;
}

int cmd_migrate(int argc, char **argv)
{
	struct noxs_ioctl_guest_info info;
	struct migrate_args args = { 0 };
	struct migration m = { .lock = -1 };
	int ret, status = LVCTL_EXIT_FAILURE;

	ret = parse_migrate_args(argc, argv, &args);
	if (ret >= 0)
		return ret;
	m.live = args.live;
	m.host = argv[optind + 1];
	if (args.key && lvctl_link_load_key(&m.link, args.key))
		return LVCTL_EXIT_FAILURE;
	signal(SIGPIPE, SIG_IGN);
	if (lvctl_open(&m.job.noxs_fd, &m.job.xch))
		goto out;
	if (!lvctl_find_guest(m.job.xch, m.job.noxs_fd, argv[optind],
			      &m.job.domid, &info)) {
		m.job.name = info.name;
		if (!migrate_guest(&m, args.ssh, args.tcp)) {
			printf("migrated %s to %s (domain %u there) in %.1f ms, suspended for %.1f ms\n",
			       m.job.name, m.host, m.remote_domid,
			       lvctl_now_ms() - m.start_ms,
			       lvctl_now_ms() - m.job.suspended_ms);
			status = LVCTL_EXIT_OK;
		}
	}
	lvctl_close(m.job.noxs_fd, m.job.xch);
out:
	lvctl_link_wipe(&m.link);
	return status;
}

/* --- migrate-receive -------------------------------------------------------- */

struct reception {
	struct lvctl_link *link;
	xc_interface *xch;
	int noxs_fd;
	struct lvctl_config cfg;
	struct lvctl_build build;
};

/* "offer LIVE\nCONFIG": parsed and checked, or refused with the reason. */
static int take_offer(struct reception *r)
{
	const char *rest, *config;
	char *msg = NULL;
	int ret;

	ret = expect(r->link, "offer", OFFER_MS, &msg, &rest);
	if (ret) {
		free(msg);
		return -1;
	}
	config = strchr(rest, '\n');
	ret = -1;
	if (!config)
		lvctl_error("%s's offer carries no configuration", r->link->peer);
	else if (!lvctl_config_parse(config + 1, strlen(config + 1),
				     "the offered guest's configuration",
				     &r->cfg))
		ret = lvctl_build_check(r->xch, r->noxs_fd, &r->cfg,
					LVCTL_CHECK_MEMORY);
	free(msg);
	if (ret) {
		send_text(r->link, "refuse %s", lvctl_last_error);
		return -1;
	}
	return send_text(r->link, "accept");
}

/* The stream into a new, paused domain (build.c undoes a failed one). */
static int restore_guest(struct reception *r)
{
	int fd, err;

	r->build.xch = r->xch;
	r->build.noxs_fd = r->noxs_fd;
	r->build.paused = 1;
	fd = lvctl_link_stream_start(r->link);
	if (fd < 0) {
		send_text(r->link, "failed %s", lvctl_last_error);
		return -1;
	}
	err = lvctl_restore(&r->build, &r->cfg, fd);
	if (lvctl_link_stream_finish(r->link, fd, err)) {
		/* A link that broke is the cause of a failed restore. */
		if (r->link->error[0])
			lvctl_error("%s", r->link->error);
		if (!err)
			lvctl_guest_destroy(r->xch, r->noxs_fd, r->build.domid,
					    r->cfg.name);
		err = -1;
	}
	if (err) {
		send_text(r->link, "failed %s", lvctl_last_error);
		return -1;
	}
	return send_text(r->link, "received %u", r->build.domid);
}

/* "go": the guest runs here. Anything else: our copy goes. */
static int start_guest(struct reception *r)
{
	uint32_t domid = r->build.domid;
	const char *rest;
	char *msg = NULL;
	int ret;

	ret = expect(r->link, "go", GO_MS, &msg, &rest);
	free(msg);
	if (ret) {
		lvctl_guest_destroy(r->xch, r->noxs_fd, domid, r->cfg.name);
		lvctl_error("%s did not hand %s over: destroyed the copy here",
			    r->link->peer, r->cfg.name);
		return -1;
	}
	if (xc_domain_unpause(r->xch, domid)) {
		lvctl_error("cannot unpause domain %u: %s", domid,
			    strerror(errno));
		lvctl_guest_destroy(r->xch, r->noxs_fd, domid, r->cfg.name);
		send_text(r->link, "failed %s", lvctl_last_error);
		return -1;
	}
	if (send_text(r->link, "running %u", domid))
		lvctl_error("%s runs here as domain %u, but the sender did not hear it: its copy stays suspended there",
			    r->cfg.name, domid);
	lvctl_log("received %s from %s: domain %u", r->cfg.name,
		  r->link->peer, domid);
	return 0;
}

/* One migration over @link. */
static int receive_one(struct lvctl_link *link)
{
	struct reception r = { .link = link };
	int ret = -1;

	if (lvctl_link_handshake(link)) {
		lvctl_error("%s", link->error);
		return -1;
	}
	if (lvctl_open(&r.noxs_fd, &r.xch)) {
		send_text(link, "refuse %s", lvctl_last_error);
		return -1;
	}
	/* Leftovers of a receiver that was killed go first. */
	lvctl_sweep(r.xch, r.noxs_fd);
	if (!take_offer(&r) && !restore_guest(&r))
		ret = start_guest(&r);
	lvctl_config_free(&r.cfg);
	lvctl_close(r.noxs_fd, r.xch);
	return ret;
}

/* Connections on @listen_fd, one migration at a time, until a stop signal. */
static int serve(int listen_fd, struct lvctl_link *keyed, int once)
{
	struct pollfd p = { .fd = listen_fd, .events = POLLIN };
	struct lvctl_link link;
	int fd, ret = 0;

	for (;;) {
		if (lvctl_stop_pending())
			return ret;
		if (poll(&p, 1, 500) <= 0)
			continue;
		fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		link = *keyed;
		lvctl_link_init(&link, fd, fd, "the sender", 0);
		ret = receive_one(&link) ? -1 : 0;
		lvctl_link_wipe(&link);
		close(fd);
		if (once)
			return ret;
	}
}

int cmd_migrate_receive(int argc, char **argv)
{
	static const struct option options[] = {
		{ "listen", required_argument, NULL, 'L' },
		{ "key", required_argument, NULL, 'k' },
		{ "once", no_argument, NULL, '1' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *listen_on = NULL, *key = NULL;
	struct lvctl_link link = { 0 };
	int opt, once = 0, fd, ret;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+L:k:1h", options, NULL)) != -1) {
		switch (opt) {
		case 'L':
			listen_on = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case '1':
			once = 1;
			break;
		case 'h':
			printf("usage: %s migrate-receive             (run by 'lvctl migrate' through ssh)\n"
			       "       %s migrate-receive --listen [ADDR:]PORT --key FILE [--once]\n",
			       lvctl_progname, lvctl_progname);
			return LVCTL_EXIT_OK;
		default:
			return lvctl_usage_error("migrate-receive",
						 "unknown option '%s'",
						 argv[optind - 1]);
		}
	}
	if (optind != argc)
		return lvctl_usage_error("migrate-receive", "unexpected '%s'",
					 argv[optind]);
	if (listen_on && !key)
		return lvctl_usage_error("migrate-receive", "--listen needs --key FILE: an unauthenticated stream never becomes a domain");
	if (!listen_on && (key || once))
		return lvctl_usage_error("migrate-receive", "--key and --once are for --listen");

	signal(SIGPIPE, SIG_IGN);
	lvctl_block_stops();
	if (!listen_on) {
		/* Through ssh: errors travel to the sender as messages. */
		lvctl_quiet = 1;
		lvctl_link_init(&link, STDIN_FILENO, STDOUT_FILENO,
				"the sender", 0);
		return receive_one(&link) ? LVCTL_EXIT_FAILURE : LVCTL_EXIT_OK;
	}
	if (lvctl_link_load_key(&link, key))
		return LVCTL_EXIT_FAILURE;
	fd = lvctl_transport_listen(listen_on);
	if (fd < 0) {
		lvctl_link_wipe(&link);
		return LVCTL_EXIT_FAILURE;
	}
	lvctl_log_timestamps = 1;
	lvctl_log("listening on %s", listen_on);
	ret = serve(fd, &link, once);
	close(fd);
	lvctl_link_wipe(&link);
	return ret ? LVCTL_EXIT_FAILURE : LVCTL_EXIT_OK;
}
