// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon and the commands that speak to it: daemon, pool, events.
 *
 * The daemon (daemon_loop.c) acts on guests' shutdowns, keeps the pool of
 * shells, and serves the API (Documentation/api.md). Every lvctl command
 * that needs the daemon goes through liblightvm, as any other client.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <xenctrl.h>

#include <lightvm/liblightvm.h>

#include "config.h"
#include "daemon.h"
#include "lvctl.h"

#define DAEMON_PIDFILE		"/run/lightvm/daemon.pid"
#define DAEMON_LOG		"/run/lightvm/daemon.log"

/* --- the client's side ---------------------------------------------------- */

/*
 * A connection to the daemon, its requests' deadline $LVCTL_DAEMON_TIMEOUT
 * seconds if set. NULL with *@absent set when no daemon runs; NULL after
 * saying why on any other failure.
 */
struct lightvm *lvctl_daemon_connect(int *absent)
{
	const char *env = getenv("LVCTL_DAEMON_TIMEOUT");
	char error[LIGHTVM_ERROR_SIZE];
	struct lightvm *lv;
	long timeout_s = 0;
	char *end;

	*absent = 0;
	if (env) {
		errno = 0;
		timeout_s = strtol(env, &end, 10);
		if (errno || end == env || *end || timeout_s < 1 ||
		    timeout_s > 3600) {
			lvctl_error("LVCTL_DAEMON_TIMEOUT=%s: expected seconds, 1 to 3600",
				    env);
			return NULL;
		}
	}
	lv = lightvm_connect(NULL, error, sizeof(error));
	if (!lv) {
		if (errno == ENOENT || errno == ECONNREFUSED)
			*absent = 1;
		else
			lvctl_error("%s", error);
		return NULL;
	}
	if (timeout_s)
		lightvm_set_timeout(lv, timeout_s * 1000);
	return lv;
}

/* Does a daemon hold the pid file's lock? */
static int daemon_running(void)
{
	int fd = open(DAEMON_PIDFILE, O_RDONLY | O_CLOEXEC), held;

	if (fd < 0)
		return 0;
	held = flock(fd, LOCK_SH | LOCK_NB) && errno == EWOULDBLOCK;
	close(fd);
	return held;
}

/* Runs `lvctl daemon`, which detaches once it holds its lock and socket. */
static int daemon_spawn(void)
{
	int status, log;
	pid_t pid;

	mkdir("/run/lightvm", 0700);
	log = open(DAEMON_LOG, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (log < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		sigset_t none;

		/* Our caller blocks the stop signals; the daemon takes them. */
		sigemptyset(&none);
		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
		    dup2(log, 2) < 0 || sigprocmask(SIG_SETMASK, &none, NULL))
			_exit(127);
		execl("/proc/self/exe", lvctl_progname, "daemon", (char *)NULL);
		_exit(127);
	}
	close(log);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/*
 * xl keeps a process per guest to act on its shutdown; lvctl has one for
 * all of them, the daemon. A command that leaves a guest running without
 * one starts it, unless told not to (-e, or LVCTL_AUTODAEMON=0). A daemon
 * that cannot start leaves the guest as it is, with a warning: it runs,
 * only its on_poweroff, on_reboot and on_crash wait for a daemon.
 */
void lvctl_daemon_autostart(int disabled)
{
	const char *env = getenv("LVCTL_AUTODAEMON");

	if (disabled || (env && !strcmp(env, "0")) || daemon_running())
		return;
	/* A failed spawn may have lost to another command's: that is fine. */
	if (daemon_spawn() && !daemon_running())
		lvctl_error("warning: the daemon did not start (see %s): this guest's on_poweroff, on_reboot and on_crash wait for 'lvctl daemon'",
			    DAEMON_LOG);
}

/* For commands that need the daemon: a connection, or why not. */
static struct lightvm *daemon_needed(void)
{
	struct lightvm *lv;
	int absent;

	lv = lvctl_daemon_connect(&absent);
	if (absent)
		lvctl_error("no lvctl daemon is running (start one with 'lvctl daemon')");
	return lv;
}

static void print_size(const struct lightvm_pool_size *size)
{
	unsigned int i;

	printf("%8u %5u %6u %5u %6u %6u ", size->memory_mb, size->vcpus,
	       size->target, size->ready, size->used, size->failed);
	for (i = 0; i < LIGHTVM_POOL_SHOWN && size->shell_domids[i]; i++)
		printf("%s%u", i ? "," : "", size->shell_domids[i]);
	printf("%s\n", i == 0 ? "-" : size->ready > i ? ",..." : "");
}

static void print_template(const struct lightvm_pool_template *t)
{
	unsigned int i;

	printf("%-16s %8u %5u %6u %5u %6u %6u %5u ", t->name, t->memory_mb,
	       t->vcpus, t->target, t->ready, t->used, t->failed, t->stale);
	for (i = 0; i < LIGHTVM_POOL_SHOWN && t->shell_domids[i]; i++)
		printf("%s%u", i ? "," : "", t->shell_domids[i]);
	printf("%s %.*s\n", i == 0 ? "-" : t->ready > i ? ",..." : "",
	       (int)sizeof(t->kernel), t->kernel);
}

static int pool_show(struct lightvm *lv)
{
	struct lightvm_pool_template templates[LIGHTVM_POOL_MAX_TEMPLATES];
	struct lightvm_pool_size sizes[LIGHTVM_POOL_MAX_SIZES];
	unsigned int i, nr_sizes, nr_templates;

	if (lightvm_pool_list(lv, sizes, LIGHTVM_POOL_MAX_SIZES, &nr_sizes,
			      templates, LIGHTVM_POOL_MAX_TEMPLATES,
			      &nr_templates)) {
		lvctl_error("%s", lightvm_error(lv));
		return LVCTL_EXIT_FAILURE;
	}
	printf("%8s %5s %6s %5s %6s %6s %s\n", "Mem(MiB)", "VCPUs", "Target",
	       "Ready", "Used", "Failed", "Shells");
	for (i = 0; i < nr_sizes; i++)
		print_size(&sizes[i]);
	if (!nr_templates)
		return LVCTL_EXIT_OK;
	printf("\n%-16s %8s %5s %6s %5s %6s %6s %5s %s %s\n", "Template",
	       "Mem(MiB)", "VCPUs", "Target", "Ready", "Used", "Failed",
	       "Stale", "Shells", "Kernel");
	for (i = 0; i < nr_templates; i++)
		print_template(&templates[i]);
	return LVCTL_EXIT_OK;
}

/*
 * "CONFIG:COUNT" of pool --template: the config file (its guest name
 * names the template) sent as text; COUNT 0 drops the template.
 */
static int pool_template(struct lightvm *lv, const char *spec)
{
	const char *colon = strrchr(spec, ':');
	struct lvctl_config cfg;
	char *path, *text = NULL, *end;
	unsigned long count;
	size_t len = 0;
	int ret;

	errno = 0;
	count = colon && colon != spec ? strtoul(colon + 1, &end, 10) : 0;
	if (!colon || colon == spec || errno || end == colon + 1 || *end ||
	    count > LVCTL_POOL_MAX_SHELLS)
		return lvctl_usage_error("pool",
			"--template '%s': expected CONFIG:COUNT (COUNT 0 to %d; 0 drops it)",
			spec, LVCTL_POOL_MAX_SHELLS);
	path = strndup(spec, colon - spec);
	ret = !path || lvctl_config_read(path, &cfg);
	free(path);
	if (ret)
		return LVCTL_EXIT_FAILURE;
	if (count) {
		text = lvctl_config_format_given_macs(&cfg, &len);
		if (!text) {
			lvctl_error("out of memory");
			lvctl_config_free(&cfg);
			return LVCTL_EXIT_FAILURE;
		}
	}
	ret = lightvm_template_set(lv, cfg.name, text, len, count);
	if (ret)
		lvctl_error("%s", lightvm_error(lv));
	free(text);
	lvctl_config_free(&cfg);
	return ret ? LVCTL_EXIT_FAILURE : LVCTL_EXIT_OK;
}

/* "MEMORY:VCPUS:COUNT", COUNT 0 dropping the size. */
static int parse_pool_spec(const char *spec, unsigned int v[3])
{
	char *end;
	const char *s = spec;
	int i;

	for (i = 0; i < 3; i++) {
		errno = 0;
		if (*s < '0' || *s > '9')
			return -1;
		v[i] = strtoul(s, &end, 10);
		if (errno || *end != (i < 2 ? ':' : '\0'))
			return -1;
		s = end + 1;
	}
	return 0;
}

int cmd_pool(int argc, char **argv)
{
	static const struct option options[] = {
		{ "set", required_argument, NULL, 's' },
		{ "template", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char synopsis[] =
		"[-s|--set MEMORY:VCPUS:COUNT] [-T|--template CONFIG:COUNT]";
	const char *set = NULL, *template = NULL;
	struct lightvm *lv;
	unsigned int v[3];
	int c, status;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+s:T:h", options, NULL)) != -1) {
		switch (c) {
		case 's':
			set = optarg;
			break;
		case 'T':
			template = optarg;
			break;
		case 'h':
			printf("usage: %s pool %s\n", lvctl_progname, synopsis);
			return LVCTL_EXIT_OK;
		default:
			return lvctl_usage_error("pool", "unknown option '%s'",
						 argv[optind - 1]);
		}
	}
	if (optind != argc)
		return lvctl_usage_error("pool", "unexpected argument '%s'",
					 argv[optind]);
	if (set && template)
		return lvctl_usage_error("pool", "--set and --template: one at a time");
	if (set && parse_pool_spec(set, v))
		return lvctl_usage_error("pool",
			"--set '%s': expected MEMORY:VCPUS:COUNT (COUNT 0 drops the size)",
			set);

	lv = daemon_needed();
	if (!lv)
		return LVCTL_EXIT_FAILURE;
	if (template) {
		status = pool_template(lv, template);
	} else if (!set) {
		status = pool_show(lv);
	} else if (lightvm_pool_set(lv, v[0], v[1], v[2])) {
		lvctl_error("%s", lightvm_error(lv));
		status = LVCTL_EXIT_FAILURE;
	} else {
		status = LVCTL_EXIT_OK;
	}
	lightvm_close(lv);
	return status;
}

static const char *const event_names[] = {
	[LIGHTVM_EVENT_STARTED] = "started",
	[LIGHTVM_EVENT_SHUTDOWN] = "shutdown",
	[LIGHTVM_EVENT_DESTROYED] = "destroyed",
	[LIGHTVM_EVENT_LOST] = "lost",
};

static void print_event(const struct lightvm_event *ev)
{
	time_t secs = ev->time_ns / 1000000000ULL;
	struct tm tm;
	char when[32] = "-";

	if (ev->time_ns && localtime_r(&secs, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	if (ev->type == LIGHTVM_EVENT_LOST) {
		printf("%s lost (this client read too slowly)\n", when);
	} else {
		printf("%s.%03u %s %u %s", when,
		       (unsigned int)(ev->time_ns / 1000000 % 1000),
		       ev->type < sizeof(event_names) / sizeof(event_names[0]) &&
		       event_names[ev->type] ? event_names[ev->type] : "?",
		       ev->domid, ev->name);
		if (ev->type == LIGHTVM_EVENT_SHUTDOWN)
			printf(" %s", lvctl_shutdown_reason_name(ev->reason));
		printf("\n");
	}
	fflush(stdout);
}

/* events [-n COUNT] [-t SECONDS]: the daemon's event stream, one a line. */
int cmd_events(int argc, char **argv)
{
	static const struct option options[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char synopsis[] = "[-n|--count N] [-t|--timeout SECONDS]";
	long count = -1, timeout_s = -1, *value;
	struct lightvm_event ev;
	struct lightvm *lv;
	double until;
	char *end;
	int c, ret;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+n:t:h", options, NULL)) != -1) {
		switch (c) {
		case 'n':
		case 't':
			value = c == 'n' ? &count : &timeout_s;
			errno = 0;
			*value = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || *value < 1 ||
			    *value > 1000000)
				return lvctl_usage_error("events",
					"-%c %s: expected a number, 1 to 1000000",
					c, optarg);
			break;
		case 'h':
			printf("usage: %s events %s\n", lvctl_progname,
			       synopsis);
			return LVCTL_EXIT_OK;
		default:
			return lvctl_usage_error("events", "unknown option '%s'",
						 argv[optind - 1]);
		}
	}
	if (optind != argc)
		return lvctl_usage_error("events", "unexpected argument '%s'",
					 argv[optind]);

	lv = daemon_needed();
	if (!lv)
		return LVCTL_EXIT_FAILURE;
	if (lightvm_subscribe(lv, LIGHTVM_EVENT_ALL)) {
		lvctl_error("%s", lightvm_error(lv));
		lightvm_close(lv);
		return LVCTL_EXIT_FAILURE;
	}
	/* Subscribed: whoever waits for this line may act now. */
	fprintf(stderr, "%s: listening\n", lvctl_progname);
	until = lvctl_now_ms() + timeout_s * 1000;
	while (count < 0 || count-- > 0) {
		int ms = timeout_s < 0 ? -1 : (int)(until - lvctl_now_ms());

		if (timeout_s >= 0 && ms <= 0)
			break;
		ret = lightvm_next_event(lv, &ev, ms);
		if (ret == -ETIMEDOUT)
			break;
		if (ret) {
			lvctl_error("%s", lightvm_error(lv));
			lightvm_close(lv);
			return LVCTL_EXIT_FAILURE;
		}
		print_event(&ev);
	}
	lightvm_close(lv);
	return LVCTL_EXIT_OK;
}

/* --- the daemon ----------------------------------------------------------- */

static volatile sig_atomic_t daemon_stop;

static void daemon_signal(int sig)
{
	(void)sig;
	daemon_stop = 1;
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

/* Only root may connect: the socket is created 0600. */
static int daemon_listen(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	mode_t umask_was;
	int fd, err;

	strcpy(addr.sun_path, LIGHTVM_API_SOCKET);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		lvctl_error("cannot create a socket: %s", strerror(errno));
		return -1;
	}
	/* A stale socket of a daemon that died: the pid file lock is ours. */
	unlink(LIGHTVM_API_SOCKET);
	umask_was = umask(077);
	err = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(umask_was);
	if (err || listen(fd, 128)) {
		lvctl_error("cannot listen on %s: %s", LIGHTVM_API_SOCKET,
			    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int parse_daemon_args(int argc, char **argv, int *foreground,
			     struct lvctl_pool *pool)
{
	static const struct option options[] = {
		{ "foreground", no_argument, NULL, 'F' },
		{ "pool", required_argument, NULL, 'P' },
		{ "template", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char synopsis[] =
		"[-F|--foreground] [-P|--pool MEMORY:VCPUS:COUNT]... [-T|--template CONFIG:COUNT]...";
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+FP:T:h", options, NULL)) != -1) {
		switch (c) {
		case 'F':
			*foreground = 1;
			break;
		case 'P':
			if (lvctl_pool_add_size(pool, optarg))
				return LVCTL_EXIT_USAGE;
			break;
		case 'T':
			if (lvctl_pool_add_template(pool, optarg))
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

/* To the background; its stderr, the log, gets each line as it is said. */
static int daemon_detach(int lock)
{
	if (daemon(0, 1)) {
		lvctl_error("cannot go to the background: %s",
			    strerror(errno));
		return -1;
	}
	if (write_pid(lock) || !freopen(DAEMON_LOG, "a", stderr) ||
	    !freopen("/dev/null", "w", stdout))
		return -1;
	setvbuf(stderr, NULL, _IOLBF, 0);
	return 0;
}

static int daemon_serve(struct daemon_ctx *ctx, int listen_fd,
			struct domain_events *ev)
{
	struct sigaction sa = { .sa_handler = daemon_signal };
	sigset_t stops, waitmask;

	lvctl_log_timestamps = 1;
	lvctl_log("daemon %d started; dom0's store: %s; domain deaths from %s",
		  getpid(), lvctl_dom0_store(), domain_events_source(ev));
	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGINT);
	sigprocmask(SIG_BLOCK, &stops, &waitmask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	return daemon_run(ctx, listen_fd, ev, &waitmask, &daemon_stop);
}

int cmd_daemon(int argc, char **argv)
{
	int foreground = 0, lock, listen_fd, ret, status = LVCTL_EXIT_FAILURE;
	struct daemon_ctx ctx = { 0 };
	struct domain_events *ev;

	/* Usage errors and --help first, before Xen is opened. */
	ctx.pool = lvctl_pool_new(NULL, -1);
	if (!ctx.pool)
		return LVCTL_EXIT_FAILURE;
	ret = parse_daemon_args(argc, argv, &foreground, ctx.pool);
	lvctl_pool_free(ctx.pool);
	if (ret >= 0)
		return ret;

	if (lvctl_open(&ctx.noxs_fd, &ctx.xch))
		return LVCTL_EXIT_FAILURE;
	ctx.pool = lvctl_pool_new(ctx.xch, ctx.noxs_fd);
	if (!ctx.pool ||
	    parse_daemon_args(argc, argv, &foreground, ctx.pool) >= 0)
		goto out;
	ev = domain_events_open();
	if (!ev)
		goto out;
	lock = daemon_lock();
	if (lock < 0)
		goto out_events;
	listen_fd = daemon_listen();
	if (listen_fd < 0)
		goto out_lock;
	if (!foreground && daemon_detach(lock))
		goto out_listen;
	if (!daemon_serve(&ctx, listen_fd, ev))
		status = LVCTL_EXIT_OK;

out_listen:
	close(listen_fd);
	unlink(LIGHTVM_API_SOCKET);
out_lock:
	unlink(DAEMON_PIDFILE);
	close(lock);
out_events:
	domain_events_close(ev);
out:
	/* Before the pid file goes: no shell outlives the daemon. */
	lvctl_pool_free(ctx.pool);
	guest_watch_free();
	lvctl_close(ctx.noxs_fd, ctx.xch);
	return status;
}
