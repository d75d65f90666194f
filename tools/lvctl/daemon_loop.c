// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's loop and its clients: the API socket
 * (include/lightvm/lightvm_api.h, Documentation/api.md), Xen's
 * domain events (domain_events.c), the pool's refills and the periodic sweeps, in one thread.
 *
 * Each round of the loop serves at most one request per client, so that
 * a client's pipeline cannot starve another client. Every socket is
 * non-blocking: what a client does not read waits in its queue, and while
 * that queue is long the daemon stops reading the client's requests. A
 * client that does not read its events loses them (LIGHTVM_EVENT_LOST),
 * never stalls the loop. A client that goes away takes its unacknowledged
 * guests with it: the daemon destroys them.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <xenctrl.h>

#include "daemon.h"
#include "lvctl.h"

#define MAX_CLIENTS		128
#define OUT_LIMIT		(256 * 1024)	/* queued bytes: stop reading */
#define SWEEP_INTERVAL_MS	30000	/* a look for half-built guests */
#define SCAN_INTERVAL_MS	5000	/* a look for others' guests */
#define REFILL_QUIET_MS		20	/* no refill so soon after a create */
#define TEXT(x)			#x
#define NUMBER_TEXT(x)		TEXT(x)
#define API_VERSION_TEXT	NUMBER_TEXT(LIGHTVM_API_VERSION)

struct out_msg {
	struct out_msg *next;
	size_t len;
	int is_event;
	_Alignas(8) unsigned char data[];	/* header, then body */
};

/* A guest made for a client that has not acknowledged it yet. */
struct held_guest {
	struct held_guest *next;
	uint64_t request_id;
	uint32_t domid;
	char name[LIGHTVM_NAME_SIZE];
};

struct daemon_client {
	int fd;
	unsigned int serial;		/* for the log */
	int dead;			/* to be closed this round */
	struct out_msg *out_head;	/* oldest first */
	struct out_msg **out_tail;
	size_t out_bytes;
	unsigned int nr_events;		/* of those queued */
	uint32_t event_mask;
	int events_lost;		/* owes the client a LOST event */
	struct held_guest *held;
};

static struct daemon_client *clients[MAX_CLIENTS];
static unsigned int nr_clients, client_serial;

/*
 * A shell takes ~10-20 ms to build under TCG, and the loop builds it in
 * one go: during a burst of creates, a refill between two of them would
 * make every later one wait. Refills wait until creates have stopped for
 * REFILL_QUIET_MS.
 */
static double refills_from;	/* CLOCK_MONOTONIC ms */

void daemon_defer_refills(void)
{
	refills_from = lvctl_now_ms() + REFILL_QUIET_MS;
}

static struct out_msg *msg_of(void *body)
{
	return (struct out_msg *)((unsigned char *)body -
				  sizeof(struct lightvm_msg_header) -
				  offsetof(struct out_msg, data));
}

static struct out_msg *msg_new(uint16_t op, uint32_t kind, uint64_t id,
			       size_t body_len)
{
	size_t len = sizeof(struct lightvm_msg_header) + body_len;
	struct lightvm_msg_header *hdr;
	struct out_msg *msg;

	msg = calloc(1, sizeof(*msg) + len);
	if (!msg)
		return NULL;
	msg->len = len;
	hdr = (struct lightvm_msg_header *)msg->data;
	hdr->magic = LIGHTVM_API_MAGIC;
	hdr->version = LIGHTVM_API_VERSION;
	hdr->op = op;
	hdr->kind = kind;
	hdr->length = len;
	hdr->request_id = id;
	return msg;
}

/*
 * A successful reply to @hdr with @body_len zeroed bytes of body after
 * its status; returns the body, for daemon_send(), or NULL.
 */
void *daemon_reply_new(const struct lightvm_msg_header *hdr, size_t body_len)
{
	struct out_msg *msg;

	msg = msg_new(hdr->op, LIGHTVM_KIND_REPLY, hdr->request_id,
		      sizeof(struct lightvm_reply_status) + body_len);
	if (!msg)
		return NULL;
	return msg->data + sizeof(struct lightvm_msg_header) +
	       sizeof(struct lightvm_reply_status);
}

void daemon_reply_free(void *body)
{
	if (body)
		free(msg_of((unsigned char *)body -
			    sizeof(struct lightvm_reply_status)));
}

/* Drops the last @unused bytes of a reply's body: it holds less. */
void daemon_reply_trim(void *body, size_t unused)
{
	struct out_msg *msg = msg_of((unsigned char *)body -
				     sizeof(struct lightvm_reply_status));
	struct lightvm_msg_header *hdr = (void *)msg->data;

	msg->len -= unused;
	hdr->length -= unused;
}

static void enqueue(struct daemon_client *client, struct out_msg *msg)
{
	*client->out_tail = msg;
	client->out_tail = &msg->next;
	client->out_bytes += msg->len;
	client->nr_events += msg->is_event;
}

/* Queues the reply whose body daemon_reply_new() gave. */
void daemon_send(struct daemon_client *client, void *body)
{
	struct out_msg *msg = msg_of((unsigned char *)body -
				     sizeof(struct lightvm_reply_status));

	enqueue(client, msg);
}

void daemon_send_error(struct daemon_client *client,
		       const struct lightvm_msg_header *hdr, int err,
		       const char *fmt, ...)
{
	struct lightvm_reply_status *status;
	struct out_msg *msg;
	va_list ap;

	msg = msg_new(hdr->op, LIGHTVM_KIND_REPLY, hdr->request_id,
		      sizeof(*status));
	if (!msg) {
		client->dead = 1;	/* it would wait for ever */
		return;
	}
	status = (struct lightvm_reply_status *)
		 (msg->data + sizeof(struct lightvm_msg_header));
	status->status = err;
	va_start(ap, fmt);
	vsnprintf(status->error, sizeof(status->error), fmt, ap);
	va_end(ap);
	enqueue(client, msg);
}

/* Has the client hung up (given up waiting, or died)? */
int daemon_client_gone(const struct daemon_client *client)
{
	struct pollfd pfd = { .fd = client->fd, .events = POLLRDHUP };

	return client->dead ||
	       (poll(&pfd, 1, 0) > 0 &&
		(pfd.revents & (POLLRDHUP | POLLHUP | POLLERR)));
}

void daemon_client_subscribe(struct daemon_client *client, uint32_t mask)
{
	client->event_mask = mask;
}

/* @domid (@name) is the client's once it acknowledges @request_id. */
int daemon_client_hold(struct daemon_client *client, uint64_t request_id,
		       uint32_t domid, const char *name)
{
	struct held_guest *held = calloc(1, sizeof(*held));

	if (!held)
		return -1;
	held->request_id = request_id;
	held->domid = domid;
	snprintf(held->name, sizeof(held->name), "%s", name);
	held->next = client->held;
	client->held = held;
	return 0;
}

/* Returns 0, or -1 if the client holds nothing under @request_id. */
int daemon_client_ack(struct daemon_client *client, uint64_t request_id)
{
	struct held_guest **p, *held;

	for (p = &client->held; *p; p = &(*p)->next) {
		if ((*p)->request_id != request_id)
			continue;
		held = *p;
		*p = held->next;
		free(held);
		return 0;
	}
	return -1;
}

int daemon_guest_unacked(uint32_t domid)
{
	const struct held_guest *held;
	unsigned int i;

	for (i = 0; i < nr_clients; i++)
		for (held = clients[i]->held; held; held = held->next)
			if (held->domid == domid)
				return 1;
	return 0;
}

static struct out_msg *event_msg(uint32_t type, uint32_t domid,
				 uint32_t reason, const char *name)
{
	struct lightvm_event *ev;
	struct timespec ts;
	struct out_msg *msg;

	msg = msg_new(LIGHTVM_OP_EVENT, LIGHTVM_KIND_EVENT, 0, sizeof(*ev));
	if (!msg)
		return NULL;
	msg->is_event = 1;
	ev = (struct lightvm_event *)(msg->data +
				      sizeof(struct lightvm_msg_header));
	clock_gettime(CLOCK_REALTIME, &ts);
	ev->type = type;
	ev->domid = domid;
	ev->reason = reason;
	ev->time_ns = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	snprintf(ev->name, sizeof(ev->name), "%s", name);
	return msg;
}

/* Every event is a line of the daemon's log too. */
static void log_event(uint32_t type, uint32_t domid, uint32_t reason,
		      const char *name)
{
	switch (type) {
	case LIGHTVM_EVENT_STARTED:
		lvctl_log("domain %u (%s): started", domid, name);
		break;
	case LIGHTVM_EVENT_SHUTDOWN:
		lvctl_log("domain %u (%s): shut down (%s)", domid, name,
			  lvctl_shutdown_reason_name(reason));
		break;
	case LIGHTVM_EVENT_DESTROYED:
		lvctl_log("domain %u (%s): destroyed", domid, name);
		break;
	}
}

/*
 * What lvctl_reap() did for a guest's shutdown, in the log: the on_*
 * action the guest's configuration named, and where a restart went.
 */
void daemon_log_reaped(uint32_t domid, const struct lvctl_reaped *done)
{
	const char *reason = lvctl_shutdown_reason_name(done->reason);

	if (done->new_domid)
		lvctl_log("domain %u (%s): %s: restarted as domain %u", domid,
			  done->name, reason, done->new_domid);
	else
		lvctl_log("domain %u (%s): %s: %s", domid, done->name, reason,
			  lvctl_action_name(done->action));
}

/*
 * To the log, and to every client that subscribed to @type unless its
 * backlog is full.
 */
void daemon_event(uint32_t type, uint32_t domid, uint32_t reason,
		  const char *name)
{
	struct out_msg *msg;
	unsigned int i;

	log_event(type, domid, reason, name);

	for (i = 0; i < nr_clients; i++) {
		struct daemon_client *client = clients[i];

		if (!(client->event_mask & LIGHTVM_EVENT_MASK(type)))
			continue;
		if (client->events_lost ||
		    client->nr_events >= LIGHTVM_EVENT_BACKLOG) {
			client->events_lost = 1;
			continue;
		}
		msg = event_msg(type, domid, reason, name);
		if (!msg) {
			client->events_lost = 1;
			continue;
		}
		enqueue(client, msg);
	}
}

/* Sends what the client's socket takes now. */
static void client_flush(struct daemon_client *client)
{
	struct out_msg *msg;

	while ((msg = client->out_head)) {
		if (send(client->fd, msg->data, msg->len,
			 MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				client->dead = 1;
			return;
		}
		client->out_head = msg->next;
		if (!client->out_head)
			client->out_tail = &client->out_head;
		client->out_bytes -= msg->len;
		client->nr_events -= msg->is_event;
		free(msg);
	}
	/* All it missed is said once it has read the rest. */
	if (client->events_lost) {
		msg = event_msg(LIGHTVM_EVENT_LOST, 0, 0, "");
		if (msg) {
			client->events_lost = 0;
			enqueue(client, msg);
		}
	}
}

static void client_accept(int listen_fd)
{
	struct daemon_client *client;
	int fd;

	fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	if (nr_clients == MAX_CLIENTS) {
		lvctl_log("refused a client: %d are connected, the most the daemon serves",
			  MAX_CLIENTS);
		close(fd);
		return;
	}
	client = calloc(1, sizeof(*client));
	if (!client) {
		close(fd);
		return;
	}
	client->fd = fd;
	client->serial = ++client_serial;
	client->out_tail = &client->out_head;
	clients[nr_clients++] = client;
}

/* Closes a client; the guests it never acknowledged go with it. */
static void client_close(struct daemon_ctx *ctx, unsigned int i)
{
	struct daemon_client *client = clients[i];
	struct held_guest *held;
	struct out_msg *msg;

	daemon_waits_drop(client);
	while ((held = client->held)) {
		client->held = held->next;
		if (!lvctl_guest_destroy(ctx->xch, ctx->noxs_fd, held->domid,
					 held->name)) {
			lvctl_log("destroyed domain %u (%s): its client went away before taking it",
				  held->domid, held->name);
			guest_watch_gone(held->domid);
		}
		free(held);
	}
	while ((msg = client->out_head)) {
		client->out_head = msg->next;
		free(msg);
	}
	close(client->fd);
	free(client);
	clients[i] = clients[--nr_clients];
}

/*
 * The checks every message gets before its op sees it; returns 0, or an
 * errno value with *@why. A message that is not the protocol at all
 * (short, bad magic) also sets *@fatal: the client is dropped.
 */
static int check_header(const struct lightvm_msg_header *hdr, size_t len,
			double now_ms, const char **why, int *fatal)
{
	*fatal = 1;
	if (len < sizeof(*hdr)) {
		*why = "a message shorter than the API's header";
		return EBADMSG;
	}
	if (hdr->magic != LIGHTVM_API_MAGIC) {
		*why = "a message without the API's magic number";
		return EPROTO;
	}
	*fatal = 0;
	if (hdr->version != LIGHTVM_API_VERSION) {
		*why = "a request of another API version (this daemon speaks version " API_VERSION_TEXT ")";
		return EPROTONOSUPPORT;
	}
	if (len > LIGHTVM_MSG_MAX) {
		*why = "a message longer than LIGHTVM_MSG_MAX";
		return EMSGSIZE;
	}
	if (hdr->length != len) {
		*why = "a message whose length field is not its size";
		return EBADMSG;
	}
	if (hdr->kind != LIGHTVM_KIND_REQUEST) {
		*why = "a message that is not a request";
		return EINVAL;
	}
	if (hdr->pad) {
		*why = "non-zero padding in the header";
		return EINVAL;
	}
	if (hdr->deadline_ns &&
	    hdr->deadline_ns / 1e6 > now_ms + LIGHTVM_DEADLINE_MAX_MS) {
		*why = "a deadline further than LIGHTVM_DEADLINE_MAX_MS";
		return EINVAL;
	}
	if (hdr->deadline_ns && hdr->deadline_ns / 1e6 <= now_ms) {
		*why = "a request whose deadline passed before it was read (its client gave up waiting); nothing done";
		return ETIMEDOUT;
	}
	return 0;
}

/* Reads one message of the client, and serves it. */
static void client_serve_one(struct daemon_ctx *ctx,
			     struct daemon_client *client)
{
	static _Alignas(8) unsigned char buf[LIGHTVM_MSG_MAX];
	const struct lightvm_msg_header *hdr = (void *)buf;
	struct lightvm_msg_header none = { 0 };
	struct daemon_request req;
	const char *why;
	double now_ms;
	int err, fatal;
	ssize_t n;

	/* MSG_TRUNC: the packet's real size, however much fits. */
	n = recv(client->fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			client->dead = 1;
		return;
	}
	now_ms = lvctl_now_ms();
	err = check_header(hdr, n, now_ms, &why, &fatal);
	if (!err)
		err = daemon_op_check(hdr, n - sizeof(*hdr), &why);
	if (err) {
		lvctl_log("client %u: the daemon refused %s", client->serial,
			  why);
		/* An ACK is never answered, even to say it was wrong. */
		if (fatal || hdr->op != LIGHTVM_OP_ACK)
			daemon_send_error(client, fatal ? &none : hdr, err,
					  "the daemon refused %s", why);
		if (fatal) {
			client_flush(client);
			client->dead = 1;
		}
		return;
	}

	req = (struct daemon_request){
		.client = client,
		.hdr = hdr,
		.body = buf + sizeof(*hdr),
		.body_len = n - sizeof(*hdr),
		.deadline_ms = hdr->deadline_ns ? hdr->deadline_ns / 1e6 :
			       now_ms + LIGHTVM_DEADLINE_DEFAULT_MS,
	};
	lvctl_last_error[0] = '\0';
	daemon_op_serve(ctx, &req);
}

/* Acts on every guest that has shut down. */
static void reap_all(xc_interface *xch, int noxs_fd)
{
	xc_domaininfo_t batch[256];
	struct lvctl_reaped done;
	uint32_t next = 1;
	int n, i;

	do {
		n = xc_domain_getinfolist(xch, next, 256, batch);
		for (i = 0; i < n; i++) {
			next = batch[i].domain + 1;
			if (!(batch[i].flags & XEN_DOMINF_shutdown))
				continue;
			if (lvctl_reap(xch, noxs_fd, batch[i].domain,
				       &done) > 0)
				daemon_log_reaped(batch[i].domain, &done);
		}
	} while (n == 256);
}

/*
 * A domain shut down or died: the events of what Xen says now, then the
 * guests' on_* actions, then the events of those.
 */
static void domains_changed(struct daemon_ctx *ctx)
{
	guest_watch_scan(ctx->xch, ctx->noxs_fd);
	reap_all(ctx->xch, ctx->noxs_fd);
	guest_watch_scan(ctx->xch, ctx->noxs_fd);
}

/* How long poll() may wait: until the next thing that is due. */
static int wait_ms(struct daemon_ctx *ctx, double now, double due)
{
	int pool_ms = lvctl_pool_timeout_ms(ctx->pool);
	double wait = daemon_waits_next_deadline();
	int ms;

	if (wait == 0 || wait > due)
		wait = due;
	ms = wait > now ? (int)(wait - now) + 1 : 0;
	if (pool_ms >= 0 && refills_from > now + pool_ms)
		pool_ms = (int)(refills_from - now) + 1;
	return pool_ms >= 0 && pool_ms < ms ? pool_ms : ms;
}

static unsigned int poll_set(struct pollfd *pfds, int listen_fd, int evtchn_fd)
{
	unsigned int i;

	pfds[0] = (struct pollfd){ .fd = listen_fd, .events = POLLIN };
	pfds[1] = (struct pollfd){ .fd = evtchn_fd, .events = POLLIN };
	for (i = 0; i < nr_clients; i++) {
		struct daemon_client *client = clients[i];

		pfds[2 + i] = (struct pollfd){ .fd = client->fd };
		if (client->out_bytes < OUT_LIMIT)
			pfds[2 + i].events |= POLLIN;
		if (client->out_head)
			pfds[2 + i].events |= POLLOUT;
	}
	return 2 + nr_clients;
}

/* Serves what each client's poll entry says, then closes the dead. */
static int serve_clients(struct daemon_ctx *ctx, const struct pollfd *pfds,
			 unsigned int nr)
{
	unsigned int i, busy = 0;

	for (i = 0; i < nr; i++) {
		struct daemon_client *client = clients[i];
		short revents = pfds[i].revents;

		if (revents & POLLIN) {
			client_serve_one(ctx, client);
			busy = 1;
		} else if (revents & (POLLHUP | POLLERR)) {
			client->dead = 1;
		}
		if (client->out_head)
			client_flush(client);
	}
	for (i = nr_clients; i-- > 0;)
		if (clients[i]->dead)
			client_close(ctx, i);
	return busy;
}

/*
 * Requests first, then guests that shut down, then one shell of the pool
 * at a time when nothing else waits and no create came in the last
 * REFILL_QUIET_MS; now and then a scan for others' guests and a sweep for
 * what dead builds left. The stop signals are
 * blocked but in ppoll(), so that a stop cannot slip in between the check
 * and the wait.
 */
int daemon_run(struct daemon_ctx *ctx, int listen_fd, struct domain_events *ev,
	       const sigset_t *waitmask, volatile sig_atomic_t *stop)
{
	struct pollfd pfds[2 + MAX_CLIENTS];
	double sweep_at = 0, scan_at = 0, reap_at = 0, due, now;
	int reap_ms = domain_events_scan_ms(ev);
	unsigned int nr, old_clients;
	struct timespec ts;
	int ms, busy;

	domains_changed(ctx);	/* what shut down before we came */
	while (!*stop) {
		now = lvctl_now_ms();
		if (now >= sweep_at) {
			lvctl_sweep(ctx->xch, ctx->noxs_fd);
			sweep_at = now + SWEEP_INTERVAL_MS;
		}
		if (now >= scan_at) {
			guest_watch_scan(ctx->xch, ctx->noxs_fd);
			scan_at = now + SCAN_INTERVAL_MS;
		}
		/* Where events miss some deaths: a look at every domain. */
		if (reap_ms && now >= reap_at) {
			domains_changed(ctx);
			reap_at = now + reap_ms;
		}
		daemon_waits_check(ctx, now);

		nr = poll_set(pfds, listen_fd, domain_events_fd(ev));
		due = sweep_at < scan_at ? sweep_at : scan_at;
		if (reap_ms && reap_at < due)
			due = reap_at;
		ms = wait_ms(ctx, now, due);
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = (ms % 1000) * 1000000L;
		if (ppoll(pfds, nr, &ts, waitmask) < 0) {
			if (errno == EINTR)
				continue;
			lvctl_error("daemon: poll: %s", strerror(errno));
			return -1;
		}

		busy = 0;
		if (pfds[1].revents & POLLIN) {
			if (domain_events_take(ev)) {
				domains_changed(ctx);
				daemon_waits_check(ctx, lvctl_now_ms());
			}
			busy = 1;
		}
		old_clients = nr_clients;
		if (pfds[0].revents & POLLIN) {
			client_accept(listen_fd);
			busy = 1;
		}
		busy |= serve_clients(ctx, pfds + 2, old_clients);
		if (!busy && lvctl_now_ms() >= refills_from)
			lvctl_pool_refill_one(ctx->pool);
	}
	while (nr_clients)
		client_close(ctx, nr_clients - 1);
	return 0;
}
