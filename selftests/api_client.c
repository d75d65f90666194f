// SPDX-License-Identifier: GPL-2.0
/*
 * api_client - the lightvm daemon's API (Documentation/api.md), from the
 * outside: raw messages that break each rule and must be refused with
 * nothing done, then liblightvm against real noop guests: create, info,
 * list, destroy, pipelined creates, clients that leave mid-request or
 * without taking their guest, concurrent clients, a client that never
 * reads, the event stream, templates (their command line, their
 * invalidation when the kernel file changes), a Debian-kernel guest's
 * waited reboot and poweroff, and what all of it left behind (nothing).
 *
 * It starts `lvctl daemon -F` for itself and stops it at the end.
 *
 * Usage: api_client [NOOP-KERNEL]
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lightvm/liblightvm.h>

#include "tap.h"

#define DEFAULT_KERNEL	"/usr/lib/lightvm/guest/noop"
#define DAEMON_LOG	"/tmp/api_client.daemon.log"

static const char *kernel = DEFAULT_KERNEL;
static pid_t daemon_pid;

struct msg {
	struct lightvm_msg_header hdr;
	unsigned char body[LIGHTVM_MSG_MAX + 64];
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* A noop guest's config; @block: it stays up, else it powers off. */
static size_t guest_config(char *buf, size_t size, const char *name, int block)
{
	return snprintf(buf, size,
			"name = \"%s\"\nkernel = \"%s\"\nmemory = 4\nextra = \"noop=%s\"\n",
			name, kernel, block ? "block" : "poweroff");
}

/* --- raw messages ---------------------------------------------------------- */

static int raw_connect(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 10 };
	int fd;

	strcpy(addr.sun_path, LIGHTVM_API_SOCKET);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A valid request header for a body of @len bytes. */
static size_t make(struct msg *m, uint16_t op, uint32_t flags,
		   const void *body, size_t len)
{
	static uint64_t id = 1000;

	memset(&m->hdr, 0, sizeof(m->hdr));
	m->hdr.magic = LIGHTVM_API_MAGIC;
	m->hdr.version = LIGHTVM_API_VERSION;
	m->hdr.op = op;
	m->hdr.kind = LIGHTVM_KIND_REQUEST;
	m->hdr.length = sizeof(m->hdr) + len;
	m->hdr.request_id = ++id;
	m->hdr.flags = flags;
	if (body && len)
		memcpy(m->body, body, len);
	return sizeof(m->hdr) + len;
}

/*
 * Sends @len bytes of @m and reads one reply. Returns the reply's status
 * (an errno value, 0 for success), or -1 if no valid reply came; the
 * daemon's line in @error.
 */
static int raw_call(int fd, const struct msg *m, size_t len, char *error,
		    size_t error_size, struct msg *reply)
{
	const struct lightvm_reply_status *status;
	ssize_t n;

	if (send(fd, m, len, MSG_NOSIGNAL) != (ssize_t)len)
		return -1;
	n = recv(fd, reply, sizeof(*reply), 0);
	if (n < (ssize_t)(sizeof(reply->hdr) + sizeof(*status)) ||
	    reply->hdr.kind != LIGHTVM_KIND_REPLY || reply->hdr.length != n)
		return -1;
	if (len >= sizeof(m->hdr) && m->hdr.magic == LIGHTVM_API_MAGIC &&
	    reply->hdr.request_id != m->hdr.request_id)
		return -1;
	status = (const void *)reply->body;
	snprintf(error, error_size, "%.*s", (int)sizeof(status->error),
		 status->error);
	return status->status;
}

/* Is the connection still served? A POOL_LIST answers. */
static int still_served(int fd)
{
	struct msg m, reply;
	char error[LIGHTVM_ERROR_SIZE];

	return raw_call(fd, &m, make(&m, LIGHTVM_OP_POOL_LIST, 0, NULL, 0),
			error, sizeof(error), &reply) == 0;
}

/* Was the connection closed by the daemon? */
static int closed_by_daemon(int fd)
{
	char c;

	return recv(fd, &c, 1, 0) == 0;
}

/* One refusal: @m (of @len bytes) must get @expect, and change nothing. */
static void refused(const char *what, struct msg *m, size_t len, int expect,
		    int fatal)
{
	char error[LIGHTVM_ERROR_SIZE] = "";
	struct msg reply;
	int fd = raw_connect(), status;

	status = raw_call(fd, m, len, error, sizeof(error), &reply);
	tap_ok(status == expect &&
	       (fatal ? closed_by_daemon(fd) : still_served(fd)),
	       "%s: %s (%s)%s", what, strerror(expect), error,
	       fatal ? ", connection closed" : ", connection still served");
	if (status != expect)
		tap_diag("got status %d", status);
	close(fd);
}

static void check_refusals(void)
{
	struct lightvm_guest_ref ref = { 0 };
	struct lightvm_list_req list = { .first_domid = 1, .max = 1 };
	struct lightvm_create_req create = { 0 };
	struct lightvm_shutdown_req shut = { 0 };
	struct lightvm_subscribe_req sub = { 0 };
	struct lightvm_pool_size_req pool = { .vcpus = 1, .target = 1 };
	static struct msg m;
	size_t len;

	strcpy(ref.name, "api-nobody");

	len = make(&m, LIGHTVM_OP_POOL_LIST, 0, NULL, 0);
	m.hdr.version = LIGHTVM_API_VERSION + 1;
	refused("another API version", &m, len, EPROTONOSUPPORT, 0);

	len = make(&m, 99, 0, NULL, 0);
	refused("an unknown op", &m, len, EOPNOTSUPP, 0);

	len = make(&m, LIGHTVM_OP_DESTROY, 1, &ref, sizeof(ref));
	refused("an unknown flag", &m, len, EINVAL, 0);

	len = make(&m, LIGHTVM_OP_POOL_LIST, 0, NULL, 0);
	m.hdr.pad = 1;
	refused("non-zero padding in the header", &m, len, EINVAL, 0);

	len = make(&m, LIGHTVM_OP_POOL_LIST, 0, NULL, 0);
	m.hdr.length += 8;
	refused("a length field that is not the message's size", &m, len,
		EBADMSG, 0);

	len = make(&m, LIGHTVM_OP_DESTROY, 0, &ref, 4);
	refused("a body of the wrong size", &m, len, EBADMSG, 0);

	ref.pad = 7;
	len = make(&m, LIGHTVM_OP_DESTROY, 0, &ref, sizeof(ref));
	refused("non-zero padding in a body", &m, len, EINVAL, 0);
	ref.pad = 0;

	memset(ref.name, 'x', sizeof(ref.name));
	len = make(&m, LIGHTVM_OP_INFO, 0, &ref, sizeof(ref));
	refused("a name without its NUL", &m, len, EINVAL, 0);
	memset(ref.name, 0, sizeof(ref.name));
	strcpy(ref.name, "api-nobody");
	ref.name[40] = 'z';
	len = make(&m, LIGHTVM_OP_INFO, 0, &ref, sizeof(ref));
	refused("bytes after a name's NUL", &m, len, EINVAL, 0);
	ref.name[40] = 0;

	len = make(&m, LIGHTVM_OP_POOL_LIST, 0, NULL, 0);
	m.hdr.deadline_ns = (uint64_t)((now_ms() - 1) * 1e6);
	refused("a deadline already past", &m, len, ETIMEDOUT, 0);
	len = make(&m, LIGHTVM_OP_POOL_LIST, 0, NULL, 0);
	m.hdr.deadline_ns = (uint64_t)((now_ms() + 2.0 *
					LIGHTVM_DEADLINE_MAX_MS) * 1e6);
	refused("a deadline beyond LIGHTVM_DEADLINE_MAX_MS", &m, len, EINVAL,
		0);

	len = make(&m, LIGHTVM_OP_POOL_LIST, 0, NULL, 0);
	m.hdr.kind = LIGHTVM_KIND_REPLY;
	refused("a message that is not a request", &m, len, EINVAL, 0);

	create.config_len = 50;
	len = make(&m, LIGHTVM_OP_CREATE, 0, &create, sizeof(create));
	memcpy(m.body + sizeof(create), "name = \"x\"\n", 11);
	len += 11;
	m.hdr.length = len;
	refused("a create whose config_len is not its text", &m, len, EBADMSG,
		0);

	create.config_len = 16;
	len = make(&m, LIGHTVM_OP_CREATE, 0, &create, sizeof(create));
	memcpy(m.body + sizeof(create), "name = [ what?\n\n", 16);
	len += 16;
	m.hdr.length = len;
	refused("a create of config text that does not parse", &m, len, EINVAL,
		0);

	list.max = 0;
	len = make(&m, LIGHTVM_OP_LIST, 0, &list, sizeof(list));
	refused("a list page of 0", &m, len, EINVAL, 0);
	list.max = LIGHTVM_LIST_MAX + 1;
	len = make(&m, LIGHTVM_OP_LIST, 0, &list, sizeof(list));
	refused("a list page over LIGHTVM_LIST_MAX", &m, len, EINVAL, 0);

	shut.reason = 9;
	strcpy(shut.guest.name, "api-nobody");
	len = make(&m, LIGHTVM_OP_SHUTDOWN, 0, &shut, sizeof(shut));
	refused("an unknown shutdown reason", &m, len, EINVAL, 0);

	sub.mask = 1U << 30;
	len = make(&m, LIGHTVM_OP_SUBSCRIBE, 0, &sub, sizeof(sub));
	refused("an unknown event type", &m, len, EINVAL, 0);

	len = make(&m, LIGHTVM_OP_POOL_SET, 0, &pool, sizeof(pool));
	refused("a pool size of 0 MiB", &m, len, EINVAL, 0);

	len = make(&m, LIGHTVM_OP_INFO, 0, &ref, sizeof(ref));
	refused("a guest that does not exist", &m, len, ENOENT, 0);
	memset(&ref, 0, sizeof(ref));
	len = make(&m, LIGHTVM_OP_DESTROY, 0, &ref, sizeof(ref));
	refused("a guest reference with neither domid nor name", &m, len,
		EINVAL, 0);

	len = make(&m, LIGHTVM_OP_POOL_LIST, 0, NULL, 0);
	memset(m.body, 0, 64);
	len = LIGHTVM_MSG_MAX + 8;
	m.hdr.length = len;
	refused("a message over LIGHTVM_MSG_MAX", &m, len, EMSGSIZE, 0);

	len = make(&m, LIGHTVM_OP_POOL_LIST, 0, NULL, 0);
	m.hdr.magic = 0x12345678;
	refused("a message without the magic", &m, len, EPROTO, 1);
	refused("a message shorter than the header", &m, 8, EBADMSG, 1);
}

/* --- through liblightvm ---------------------------------------------------- */

static struct lightvm *connect_lib(void)
{
	char error[LIGHTVM_ERROR_SIZE];
	struct lightvm *lv = lightvm_connect(NULL, error, sizeof(error));

	if (!lv)
		tap_diag("%s", error);
	return lv;
}

static int create_named(struct lightvm *lv, const char *name, int block,
			uint32_t flags, struct lightvm_create_reply *out)
{
	char cfg[512];
	size_t len = guest_config(cfg, sizeof(cfg), name, block);
	int ret = lightvm_create(lv, cfg, len, flags, out);

	if (ret)
		tap_diag("create %s: %s", name, lightvm_error(lv));
	return ret;
}

static int exists(struct lightvm *lv, const char *name)
{
	struct lightvm_guest_info info;

	return lightvm_info(lv, 0, name, &info) == 0;
}

/* Waits up to @ms for @name to be gone. */
static int gone_within(struct lightvm *lv, const char *name, int ms)
{
	double until = now_ms() + ms;

	while (exists(lv, name)) {
		if (now_ms() > until)
			return 0;
		usleep(50000);
	}
	return 1;
}

static int listed(struct lightvm *lv, uint32_t domid)
{
	struct lightvm_guest_info *guests;
	size_t nr, i;
	int found = 0;

	if (lightvm_list(lv, &guests, &nr))
		return 0;
	for (i = 0; i < nr; i++)
		found |= guests[i].domid == domid;
	free(guests);
	return found;
}

static void check_lifecycle(struct lightvm *lv)
{
	struct lightvm_create_reply made, paused;
	struct lightvm_guest_info info;
	int ret;

	ret = create_named(lv, "api-one", 1, 0, &made);
	tap_ok(!ret && made.domid && made.source == LIGHTVM_SOURCE_SCRATCH &&
	       made.times.request_us > 0,
	       "create: domain %u, from scratch, %u us in the daemon",
	       made.domid, made.times.request_us);
	ret = lightvm_info(lv, 0, "api-one", &info);
	tap_ok(!ret && info.domid == made.domid &&
	       info.state == LIGHTVM_STATE_RUNNING && info.vcpus == 1 &&
	       info.memory_kb >= 3 * 1024 && !strcmp(info.name, "api-one"),
	       "info by name: domain %u, running, 1 vcpu, %llu KiB",
	       info.domid, (unsigned long long)info.memory_kb);
	tap_ok(listed(lv, made.domid), "list has it");
	ret = lightvm_info(lv, made.domid + 1000, "api-one", &info);
	tap_ok(ret == -ESTALE, "a name and a domid that disagree: %s",
	       lightvm_error(lv));

	ret = create_named(lv, "api-paused", 1, LIGHTVM_CREATE_PAUSED, &paused);
	tap_ok(!ret && !lightvm_info(lv, paused.domid, NULL, &info) &&
	       (info.state & LIGHTVM_STATE_PAUSED),
	       "create paused: info by domid says paused");
	ret = create_named(lv, "api-one", 1, 0, &made);
	tap_ok(ret == -EIO && strstr(lightvm_error(lv), "api-one"),
	       "a second guest of the same name is refused: %s",
	       lightvm_error(lv));

	tap_ok(!lightvm_destroy(lv, 0, "api-one") &&
	       !lightvm_destroy(lv, paused.domid, NULL) &&
	       !exists(lv, "api-one") && !exists(lv, "api-paused"),
	       "destroy by name and by domid");
	ret = lightvm_destroy(lv, 0, "api-one");
	tap_ok(ret == -ENOENT, "destroy of a guest that is gone: %s",
	       lightvm_error(lv));
	ret = lightvm_shutdown(lv, 0, "api-nobody", LIGHTVM_SHUTDOWN_POWEROFF,
			       0, NULL);
	tap_ok(ret == -ENOENT, "shutdown of a guest that does not exist: %s",
	       lightvm_error(lv));
}

/* Four creates and a list sent before any reply is read. */
static void check_pipeline(struct lightvm *lv)
{
	struct lightvm_create_reply made[4];
	struct lightvm_guest_info *guests;
	uint64_t ids[4];
	char cfg[512], name[32];
	int i, sent = 0, ok = 1;
	size_t nr;

	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "api-pipe%d", i);
		if (!lightvm_create_send(lv, cfg,
					 guest_config(cfg, sizeof(cfg), name, 1),
					 0, &ids[i]))
			sent++;
	}
	/* Waited for in the reverse order: the others are kept meanwhile. */
	for (i = 3; i >= 0; i--)
		if (lightvm_create_wait(lv, ids[i], &made[i])) {
			tap_diag("pipelined create %d: %s", i,
				 lightvm_error(lv));
			ok = 0;
		}
	for (i = 1; ok && i < 4; i++)
		ok = made[i].domid > made[i - 1].domid;
	tap_ok(sent == 4 && ok,
	       "4 pipelined creates: served in order (domids %u..%u), waited in reverse",
	       made[0].domid, made[3].domid);
	ok = !lightvm_list(lv, &guests, &nr) && nr >= 4;
	free(guests);
	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "api-pipe%d", i);
		ok &= !lightvm_destroy(lv, 0, name);
	}
	tap_ok(ok, "then listed and destroyed");
}

/* A client that sends a create and leaves at once: nothing stays. */
static void check_leaving_clients(struct lightvm *lv)
{
	struct lightvm_create_req cr;
	char cfg[512], error[LIGHTVM_ERROR_SIZE];
	struct lightvm_create_reply *made;
	static struct msg m, reply;
	size_t len;
	int fd, status;

	fd = raw_connect();
	cr = (struct lightvm_create_req){
		.config_len = guest_config(cfg, sizeof(cfg), "api-left", 1),
	};
	len = make(&m, LIGHTVM_OP_CREATE, 0, &cr, sizeof(cr));
	memcpy((char *)&m + len, cfg, cr.config_len);
	len += cr.config_len;
	m.hdr.length = len;
	send(fd, &m, len, MSG_NOSIGNAL);
	close(fd);
	usleep(500000);
	tap_ok(gone_within(lv, "api-left", 3000),
	       "a client that left right after its create: no guest stays");

	/* Read the reply, never acknowledge it, leave. */
	fd = raw_connect();
	len = make(&m, LIGHTVM_OP_CREATE, 0, &cr, sizeof(cr));
	guest_config(cfg, sizeof(cfg), "api-unacked", 1);
	cr.config_len = strlen(cfg);
	memcpy(m.body, &cr, sizeof(cr));
	memcpy(m.body + sizeof(cr), cfg, cr.config_len);
	len += cr.config_len;
	m.hdr.length = len;
	status = raw_call(fd, &m, len, error, sizeof(error), &reply);
	made = (void *)(reply.body + sizeof(struct lightvm_reply_status));
	tap_ok(status == 0 && exists(lv, "api-unacked"),
	       "a create answered (domain %u), not yet acknowledged",
	       status == 0 ? made->domid : 0);
	{
		struct lightvm_guest_info info;

		tap_ok(!lightvm_info(lv, 0, "api-unacked", &info) &&
		       (info.state & LIGHTVM_STATE_UNACKED),
		       "info says it is unacknowledged");
	}
	close(fd);
	tap_ok(gone_within(lv, "api-unacked", 3000),
	       "its client left without taking it: the daemon destroyed it");

	/* Acknowledged, then left: the guest is the client's, it stays. */
	fd = raw_connect();
	guest_config(cfg, sizeof(cfg), "api-acked", 1);
	cr.config_len = strlen(cfg);
	len = make(&m, LIGHTVM_OP_CREATE, 0, &cr, sizeof(cr));
	memcpy(m.body + sizeof(cr), cfg, cr.config_len);
	len += cr.config_len;
	m.hdr.length = len;
	status = raw_call(fd, &m, len, error, sizeof(error), &reply);
	m.hdr.op = LIGHTVM_OP_ACK;
	m.hdr.length = sizeof(m.hdr);
	send(fd, &m, sizeof(m.hdr), MSG_NOSIGNAL);
	usleep(200000);
	close(fd);
	usleep(1000000);
	tap_ok(status == 0 && exists(lv, "api-acked") &&
	       !lightvm_destroy(lv, 0, "api-acked"),
	       "acknowledged and left: the guest stays (then destroyed)");
}

/* 4 clients at once, each making and destroying 5 guests. */
static void check_concurrent(void)
{
	pid_t pids[4];
	int i, j, status, failed = 0;
	double start = now_ms();

	for (i = 0; i < 4; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			struct lightvm_create_reply made;
			struct lightvm *lv = connect_lib();
			char name[32];
			int bad = !lv;

			for (j = 0; lv && j < 5; j++) {
				snprintf(name, sizeof(name), "api-c%d-%d", i, j);
				bad |= create_named(lv, name, 1, 0, &made) ||
				       lightvm_destroy(lv, made.domid, NULL);
			}
			lightvm_close(lv);
			_exit(bad);
		}
	}
	for (i = 0; i < 4; i++)
		if (waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	tap_ok(!failed, "4 concurrent clients, 5 creates and destroys each (%.0f ms)",
	       now_ms() - start);
}

/*
 * A client that sends thousands of requests and reads no reply: the
 * daemon stops reading it, and another client is still served at once.
 */
static void check_stalled_client(struct lightvm *lv)
{
	static struct msg m;
	struct lightvm_guest_info *guests;
	int fd = raw_connect(), sent = 0, ok = 1, i;
	double start;
	size_t len, nr;

	/*
	 * Until the daemon takes no more: its queue of replies to this
	 * client is full (256 KiB, some 800 replies), so it stopped reading,
	 * and the socket's own buffer filled up behind.
	 */
	len = make(&m, LIGHTVM_OP_POOL_LIST, 0, NULL, 0);
	start = now_ms();
	while (now_ms() - start < 1000) {
		m.hdr.request_id = sent + 1;
		if (send(fd, &m, len, MSG_DONTWAIT | MSG_NOSIGNAL) ==
		    (ssize_t)len) {
			sent++;
			start = now_ms();
		} else {
			usleep(10000);
		}
	}
	start = now_ms();
	for (i = 0; i < 10; i++) {
		ok &= !lightvm_list(lv, &guests, &nr);
		free(guests);
	}
	tap_ok(ok && sent > 1000 && now_ms() - start < 5000,
	       "a client that sent %d requests and read no reply (the daemon stopped reading it) does not stall another: 10 lists in %.0f ms",
	       sent, now_ms() - start);
	close(fd);
}

static const char *type_name(uint32_t type)
{
	switch (type) {
	case LIGHTVM_EVENT_STARTED: return "started";
	case LIGHTVM_EVENT_SHUTDOWN: return "shutdown";
	case LIGHTVM_EVENT_DESTROYED: return "destroyed";
	case LIGHTVM_EVENT_LOST: return "lost";
	}
	return "?";
}

/* The next event about @name, of @type; others are skipped. */
static int expect_event(struct lightvm *sub, uint32_t type, const char *name,
			uint32_t domid, uint32_t reason)
{
	struct lightvm_event ev;
	double until = now_ms() + 15000;

	while (now_ms() < until) {
		if (lightvm_next_event(sub, &ev, 1000))
			continue;
		if (strcmp(ev.name, name))
			continue;
		if (ev.type == type && (!domid || ev.domid == domid) &&
		    ev.reason == reason && ev.time_ns)
			return 1;
		tap_diag("event %s %u %s (reason %u) while waiting for %s",
			 type_name(ev.type), ev.domid, ev.name, ev.reason,
			 type_name(type));
		return 0;
	}
	return 0;
}

static void check_events(struct lightvm *lv)
{
	struct lightvm_create_reply made;
	struct lightvm *sub = connect_lib();
	FILE *cli;
	char line[256], cmd[64];
	int ok;

	tap_ok(sub && !lightvm_subscribe(sub, LIGHTVM_EVENT_ALL),
	       "subscribe to every event type");
	if (!sub)
		return;
	ok = !create_named(lv, "api-ev", 1, 0, &made);
	tap_ok(ok && expect_event(sub, LIGHTVM_EVENT_STARTED, "api-ev",
				  made.domid, 0),
	       "another client's create: started %u api-ev", made.domid);
	ok = !lightvm_destroy(lv, made.domid, NULL);
	tap_ok(ok && expect_event(sub, LIGHTVM_EVENT_DESTROYED, "api-ev",
				  made.domid, 0),
	       "its destroy: destroyed %u api-ev", made.domid);

	/* A noop guest that powers off by itself: the daemon reaps it. */
	ok = !create_named(lv, "api-off", 0, 0, &made);
	tap_ok(ok && expect_event(sub, LIGHTVM_EVENT_STARTED, "api-off",
				  made.domid, 0) &&
	       expect_event(sub, LIGHTVM_EVENT_SHUTDOWN, "api-off", made.domid,
			    0) &&
	       expect_event(sub, LIGHTVM_EVENT_DESTROYED, "api-off",
			    made.domid, 0),
	       "a guest that powers off: started, shutdown (poweroff), destroyed");

	/* lvctl events prints the same stream. */
	snprintf(cmd, sizeof(cmd), "lvctl events -n 2 -t 30 2>&1");
	cli = popen(cmd, "r");
	ok = cli && fgets(line, sizeof(line), cli) &&
	     strstr(line, "listening");
	ok = ok && !create_named(lv, "api-cli", 1, 0, &made) &&
	     !lightvm_destroy(lv, 0, "api-cli");
	ok = ok && fgets(line, sizeof(line), cli) &&
	     strstr(line, " started ") && strstr(line, " api-cli");
	ok = ok && fgets(line, sizeof(line), cli) &&
	     strstr(line, " destroyed ") && strstr(line, " api-cli");
	tap_ok(ok && cli && pclose(cli) == 0,
	       "lvctl events prints started and destroyed lines: %s", line);
	lightvm_close(sub);
}

/* --- a Linux guest: shutdown and reboot, waited ----------------------------- */

#define GUEST_DIR	"/usr/lib/lightvm/guest"
#define SYSCTL_UP	"sysctl_front: connected to domain 0"

/* @name's console has @marker within @seconds. */
static int console_has(const char *name, const char *marker, int seconds)
{
	char cmd[256];
	double until = now_ms() + seconds * 1000;

	snprintf(cmd, sizeof(cmd),
		 "lvctl console -d %s 2>/dev/null | grep -q '%s'", name, marker);
	while (now_ms() < until) {
		if (!system(cmd))
			return 1;
		usleep(500000);
	}
	return 0;
}

static void check_linux(struct lightvm *lv, struct lightvm *sub)
{
	struct lightvm_create_reply made;
	uint32_t after = 0;
	char cfg[512];
	size_t len;
	int ret, up;

	len = snprintf(cfg, sizeof(cfg),
		       "name = \"api-linux\"\nkernel = \"" GUEST_DIR "/vmlinux.gz\"\n"
		       "ramdisk = \"" GUEST_DIR "/initrd.gz\"\nmemory = 128\n"
		       "extra = \"console=hvc0 lightvm.guest=counter\"\n");
	ret = lightvm_create(lv, cfg, len, 0, &made);
	up = !ret && expect_event(sub, LIGHTVM_EVENT_STARTED, "api-linux",
				  made.domid, 0) &&
	     console_has("api-linux", SYSCTL_UP, 120);
	tap_ok(up, "a Debian-kernel guest through the API (domain %u) started, its sysctl-front up",
	       made.domid);

	lightvm_set_timeout(lv, 120000);
	ret = up ? lightvm_shutdown(lv, 0, "api-linux", LIGHTVM_SHUTDOWN_REBOOT,
				    LIGHTVM_SHUTDOWN_WAIT, &after) : -1;
	tap_ok(!ret && after && after != made.domid &&
	       expect_event(sub, LIGHTVM_EVENT_SHUTDOWN, "api-linux",
			    made.domid, 1) &&
	       expect_event(sub, LIGHTVM_EVENT_DESTROYED, "api-linux",
			    made.domid, 0) &&
	       expect_event(sub, LIGHTVM_EVENT_STARTED, "api-linux", after, 0),
	       "a waited reboot answers with its new domain %u, after shutdown (reboot), destroyed, started",
	       after);
	/* The restarted guest's console is a new one: its own line again. */
	up = !ret && console_has("api-linux", SYSCTL_UP, 120);
	ret = up ? lightvm_shutdown(lv, after, NULL, LIGHTVM_SHUTDOWN_POWEROFF,
				    LIGHTVM_SHUTDOWN_WAIT, NULL) : -1;
	tap_ok(!ret && !exists(lv, "api-linux") &&
	       expect_event(sub, LIGHTVM_EVENT_SHUTDOWN, "api-linux", after,
			    0) &&
	       expect_event(sub, LIGHTVM_EVENT_DESTROYED, "api-linux", after,
			    0),
	       "a waited poweroff answers once it is gone: shutdown (poweroff), destroyed");
	if (ret)
		tap_diag("%s", lightvm_error(lv));

	/* A deadline the guest cannot meet. */
	ret = lightvm_create(lv, cfg, len, 0, &made);
	up = !ret && console_has("api-linux", SYSCTL_UP, 120);
	lightvm_set_timeout(lv, 1);
	ret = up ? lightvm_shutdown(lv, 0, "api-linux", LIGHTVM_SHUTDOWN_POWEROFF,
				    LIGHTVM_SHUTDOWN_WAIT, NULL) : 0;
	tap_ok(ret == -ETIMEDOUT, "a waited poweroff past its 1 ms deadline: %s",
	       lightvm_error(lv));
	lightvm_set_timeout(lv, 10000);
	lightvm_destroy(lv, 0, "api-linux");
	gone_within(lv, "api-linux", 10000);
}


#define TEMPLATE_KERNEL	"/tmp/api-template-noop"

static int copy_file(const char *from, const char *to)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "cp %s %s.new && mv %s.new %s", from, to,
		 to, to);
	return system(cmd);
}

/* The template's pool entry; -1 if there is none. */
static int template_entry(struct lightvm *lv, const char *name,
			  struct lightvm_pool_template *out)
{
	struct lightvm_pool_template t[LIGHTVM_POOL_MAX_TEMPLATES];
	struct lightvm_pool_size sizes[LIGHTVM_POOL_MAX_SIZES];
	unsigned int nr_sizes, nr, i;

	if (lightvm_pool_list(lv, sizes, LIGHTVM_POOL_MAX_SIZES, &nr_sizes, t,
			      LIGHTVM_POOL_MAX_TEMPLATES, &nr))
		return -1;
	for (i = 0; i < nr; i++)
		if (!strcmp(t[i].name, name)) {
			*out = t[i];
			return 0;
		}
	return -1;
}

static int template_ready(struct lightvm *lv, const char *name,
			  unsigned int ready, int seconds)
{
	struct lightvm_pool_template t;
	double until = now_ms() + seconds * 1000;

	while (now_ms() < until) {
		if (!template_entry(lv, name, &t) && t.ready == ready)
			return 1;
		usleep(100000);
	}
	return 0;
}

static void check_templates(struct lightvm *lv, struct lightvm *sub)
{
	struct lightvm_create_reply made;
	struct lightvm_pool_template t;
	char cfg[512];
	size_t len;
	int ret, ok;

	if (copy_file(kernel, TEMPLATE_KERNEL))
		tap_diag("cannot copy %s", kernel);
	len = snprintf(cfg, sizeof(cfg),
		       "name = \"api-tpl\"\nkernel = \"%s\"\nmemory = 4\nextra = \"noop=block\"\n",
		       TEMPLATE_KERNEL);
	ret = lightvm_template_set(lv, "api-tpl", cfg, len, 2);
	tap_ok(!ret && template_ready(lv, "api-tpl", 2, 30),
	       "template api-tpl defined: 2 shells with the image built");

	/* The template says block; this guest's command line says poweroff. */
	ret = lightvm_create_template(lv, "api-tpl", "api-t1", "noop=poweroff",
				      0, &made);
	tap_ok(!ret && made.source == LIGHTVM_SOURCE_TEMPLATE,
	       "create from the template: domain %u, %u us in the daemon (load %u, console %u, unpause %u)",
	       made.domid, made.times.request_us, made.times.load_us,
	       made.times.console_us, made.times.unpause_us);
	tap_ok(!ret && expect_event(sub, LIGHTVM_EVENT_STARTED, "api-t1",
				    made.domid, 0) &&
	       expect_event(sub, LIGHTVM_EVENT_SHUTDOWN, "api-t1", made.domid,
			    0),
	       "its own command line reached it: noop=poweroff, it powered off");

	ret = lightvm_create_template(lv, "api-tpl", "api-t2", NULL, 0, &made);
	tap_ok(!ret && made.source == LIGHTVM_SOURCE_TEMPLATE &&
	       exists(lv, "api-t2") && !lightvm_destroy(lv, 0, "api-t2"),
	       "without a command line it gets the template's (noop=block: it stays up)");

	/* A plain create of the same kernel and size takes a template shell. */
	ok = template_ready(lv, "api-tpl", 2, 30);
	len = snprintf(cfg, sizeof(cfg),
		       "name = \"api-t3\"\nkernel = \"%s\"\nmemory = 4\nextra = \"noop=block\"\non_poweroff = \"preserve\"\n",
		       TEMPLATE_KERNEL);
	ret = lightvm_create(lv, cfg, len, 0, &made);
	tap_ok(ok && !ret && made.source == LIGHTVM_SOURCE_TEMPLATE &&
	       !lightvm_destroy(lv, 0, "api-t3"),
	       "a CREATE whose kernel and size match is served from the template");

	/* The kernel file changes: no stale shell is served. */
	ok = template_ready(lv, "api-tpl", 2, 30);
	copy_file(kernel, TEMPLATE_KERNEL);
	ret = lightvm_create_template(lv, "api-tpl", "api-t4", NULL, 0, &made);
	ok &= !template_entry(lv, "api-tpl", &t);
	tap_ok(ok && !ret && made.source == LIGHTVM_SOURCE_SCRATCH &&
	       t.stale >= 2,
	       "the kernel file replaced: the template's shells are dropped (stale %u), the guest is built from scratch",
	       t.stale);
	lightvm_destroy(lv, 0, "api-t4");
	ok = template_ready(lv, "api-tpl", 2, 30);
	ret = lightvm_create_template(lv, "api-tpl", "api-t5", NULL, 0, &made);
	tap_ok(ok && !ret && made.source == LIGHTVM_SOURCE_TEMPLATE &&
	       !lightvm_destroy(lv, 0, "api-t5"),
	       "refilled from the new file, the template serves again");

	ret = lightvm_create_template(lv, "api-none", "api-t6", NULL, 0, &made);
	tap_ok(ret == -ENOENT, "an unknown template: %s", lightvm_error(lv));
	ret = lightvm_create_template(lv, "api-tpl", "9bad name", NULL, 0,
				      &made);
	tap_ok(ret == -EINVAL, "a bad guest name: %s", lightvm_error(lv));
	len = snprintf(cfg, sizeof(cfg),
		       "name = \"api-other\"\nkernel = \"%s\"\n",
		       TEMPLATE_KERNEL);
	ret = lightvm_template_set(lv, "api-tpl", cfg, len, 1);
	tap_ok(ret == -EINVAL, "a template whose config names another guest: %s",
	       lightvm_error(lv));

	ok = template_ready(lv, "api-tpl", 2, 30);
	ret = lightvm_template_set(lv, "api-tpl", NULL, 0, 0);
	tap_ok(ok && !ret && template_entry(lv, "api-tpl", &t) < 0,
	       "template dropped: gone from the pool with its shells");
	unlink(TEMPLATE_KERNEL);
}

/* --- the daemon ------------------------------------------------------------ */

static int start_daemon(void)
{
	double until = now_ms() + 30000;
	int fd;

	daemon_pid = fork();
	if (daemon_pid == 0) {
		if (!freopen(DAEMON_LOG, "w", stderr))
			_exit(127);
		execlp("lvctl", "lvctl", "daemon", "-F", (char *)NULL);
		_exit(127);
	}
	while (now_ms() < until) {
		fd = raw_connect();
		if (fd >= 0) {
			close(fd);
			return 0;
		}
		usleep(100000);
	}
	return -1;
}

static int stop_daemon(void)
{
	int status;

	kill(daemon_pid, SIGTERM);
	return waitpid(daemon_pid, &status, 0) == daemon_pid &&
	       WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* What noxs holds, as `lvctl info` says it, in one line. */
static void noxs_state(char *buf, size_t size)
{
	FILE *p = popen("lvctl info | grep '^noxs_'", "r");
	size_t n = p ? fread(buf, 1, size - 1, p) : 0;

	buf[n] = '\0';
	if (p)
		pclose(p);
}

int main(int argc, char **argv)
{
	char before[1024], after[1024];
	struct lightvm *lv;

	if (argc > 1)
		kernel = argv[1];
	signal(SIGPIPE, SIG_IGN);
	tap_plan(66);

	noxs_state(before, sizeof(before));
	tap_ok(!start_daemon(), "lvctl daemon -F listens on %s",
	       LIGHTVM_API_SOCKET);
	check_refusals();
	lv = connect_lib();
	tap_ok(lv != NULL, "liblightvm connects");
	if (!lv)
		return tap_done();
	check_lifecycle(lv);
	check_pipeline(lv);
	check_leaving_clients(lv);
	check_concurrent();
	check_stalled_client(lv);
	check_events(lv);
	{
		struct lightvm *sub = connect_lib();

		if (sub && !lightvm_subscribe(sub, LIGHTVM_EVENT_ALL)) {
			check_templates(lv, sub);
			check_linux(lv, sub);
		}
		lightvm_close(sub);
	}
	lightvm_close(lv);

	tap_ok(!stop_daemon(), "the daemon stops on SIGTERM, exit status 0");
	usleep(500000);
	noxs_state(after, sizeof(after));
	tap_ok(!strcmp(before, after), "noxs holds what it held before: %s",
	       after);
	return tap_done();
}
