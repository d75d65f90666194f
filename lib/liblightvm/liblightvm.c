// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liblightvm: the client side of the lightvm daemon's API.
 *
 * The socket is non-blocking and every wait is a poll() bounded by the
 * request's deadline. Whatever arrives while a call waits for its own
 * reply is kept: replies to other pipelined requests until they are
 * waited for, events until lightvm_next_event() takes them. While it
 * waits to send, the library keeps reading, so that a deep pipeline never
 * deadlocks against the daemon, which stops reading a client that leaves
 * its replies unread.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <lightvm/liblightvm.h>

#define DEFAULT_TIMEOUT_MS	LIGHTVM_DEADLINE_DEFAULT_MS
#define GRACE_MS		1000	/* for the daemon's own ETIMEDOUT */
#define CONNECT_RETRY_US	1000
#define EVENT_QUEUE		LIGHTVM_EVENT_BACKLOG

struct stashed_reply {
	struct stashed_reply *next;
	size_t len;
	_Alignas(8) unsigned char data[];
};

struct lightvm {
	int fd;
	unsigned int timeout_ms;
	uint64_t next_id;
	struct stashed_reply *replies;		/* not yet waited for */
	struct lightvm_event *events;		/* a ring of EVENT_QUEUE */
	unsigned int event_head, nr_events;
	int events_lost;
	char error[LIGHTVM_ERROR_SIZE];
	unsigned char *rx;			/* LIGHTVM_MSG_MAX bytes */
};

static int fail(struct lightvm *lv, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct lightvm *lv, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(lv->error, sizeof(lv->error), fmt, ap);
	va_end(ap);
	return -err;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* A timeout for a message: "2 s", or "1500 ms". */
static const char *duration(unsigned int ms, char text[32])
{
	if (ms % 1000)
		snprintf(text, 32, "%u ms", ms);
	else
		snprintf(text, 32, "%u s", ms / 1000);
	return text;
}

static int wait_fd(int fd, short events, double until_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	double left = until_ms - now_ms();
	int n;

	if (left < 0)
		left = 0;
	do {
		n = poll(&pfd, 1, (int)left + 1);
	} while (n < 0 && errno == EINTR);
	return n > 0 ? pfd.revents : n;
}

static int set_error(char *error, size_t size, int err, const char *fmt,
		     const char *path)
{
	if (error && size)
		snprintf(error, size, fmt, path, strerror(err));
	errno = err;
	return -1;
}

struct lightvm *lightvm_connect(const char *path, char *error,
				size_t error_size)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	double until = now_ms() + DEFAULT_TIMEOUT_MS;
	struct lightvm *lv;
	int err;

	if (!path)
		path = LIGHTVM_API_SOCKET;
	if (strlen(path) >= sizeof(addr.sun_path)) {
		set_error(error, error_size, ENAMETOOLONG,
			  "cannot reach the lightvm daemon at %s: %s", path);
		return NULL;
	}
	strcpy(addr.sun_path, path);
	lv = calloc(1, sizeof(*lv));
	if (lv) {
		lv->fd = -1;
		lv->events = calloc(EVENT_QUEUE, sizeof(*lv->events));
		lv->rx = malloc(LIGHTVM_MSG_MAX);
	}
	if (!lv || !lv->events || !lv->rx) {
		lightvm_close(lv);
		set_error(error, error_size, ENOMEM,
			  "cannot reach the lightvm daemon at %s: %s", path);
		return NULL;
	}
	lv->timeout_ms = DEFAULT_TIMEOUT_MS;
	lv->next_id = 1;
	lv->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK,
			0);
	if (lv->fd < 0)
		goto fail;
	/* A full backlog says EAGAIN: the daemon is busy, try again. */
	while (connect(lv->fd, (struct sockaddr *)&addr, sizeof(addr))) {
		if (errno != EAGAIN || now_ms() > until)
			goto fail;
		usleep(CONNECT_RETRY_US);
	}
	return lv;

fail:
	err = errno;
	set_error(error, error_size, err,
		  err == ENOENT || err == ECONNREFUSED ?
		  "no lightvm daemon listens at %s (%s)" :
		  "cannot reach the lightvm daemon at %s: %s", path);
	lightvm_close(lv);
	errno = err;
	return NULL;
}

void lightvm_close(struct lightvm *lv)
{
	struct stashed_reply *r;

	if (!lv)
		return;
	while ((r = lv->replies)) {
		lv->replies = r->next;
		free(r);
	}
	if (lv->fd >= 0)
		close(lv->fd);
	free(lv->events);
	free(lv->rx);
	free(lv);
}

int lightvm_fd(const struct lightvm *lv)
{
	return lv->fd;
}

int lightvm_set_timeout(struct lightvm *lv, unsigned int ms)
{
	if (!ms || ms > LIGHTVM_DEADLINE_MAX_MS)
		return fail(lv, EINVAL, "a timeout of %u ms: expected 1 to %u",
			    ms, LIGHTVM_DEADLINE_MAX_MS);
	lv->timeout_ms = ms;
	return 0;
}

const char *lightvm_error(const struct lightvm *lv)
{
	return lv->error;
}

static void keep_event(struct lightvm *lv, const struct lightvm_event *ev)
{
	if (lv->nr_events == EVENT_QUEUE) {
		lv->events_lost = 1;
		return;
	}
	lv->events[(lv->event_head + lv->nr_events++) % EVENT_QUEUE] = *ev;
}

/* Is @buf (@n bytes) a message of the protocol, from the daemon? */
static int valid_message(const unsigned char *buf, size_t n)
{
	const struct lightvm_msg_header *hdr = (const void *)buf;

	if (n < sizeof(*hdr) || hdr->magic != LIGHTVM_API_MAGIC ||
	    hdr->version != LIGHTVM_API_VERSION || hdr->length != n ||
	    hdr->pad || hdr->deadline_ns)
		return 0;
	if (hdr->kind == LIGHTVM_KIND_EVENT)
		return hdr->op == LIGHTVM_OP_EVENT &&
		       n == sizeof(*hdr) + sizeof(struct lightvm_event);
	return hdr->kind == LIGHTVM_KIND_REPLY &&
	       n >= sizeof(*hdr) + sizeof(struct lightvm_reply_status);
}

/*
 * Reads what has arrived: events to their queue, replies to the stash.
 * Returns 0, or a negative errno value when the connection is unusable.
 */
static int read_incoming(struct lightvm *lv)
{
	unsigned char *buf = lv->rx;
	struct stashed_reply *r;
	ssize_t n;

	for (;;) {
		n = recv(lv->fd, buf, LIGHTVM_MSG_MAX, MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail(lv, errno, "the lightvm daemon's connection failed: %s",
				    strerror(errno));
		if (n == 0)
			return fail(lv, ECONNRESET,
				    "the lightvm daemon closed the connection");
		if (n > LIGHTVM_MSG_MAX || !valid_message(buf, n))
			return fail(lv, EPROTO,
				    "the lightvm daemon sent a malformed message (is it the same lightvm version?)");
		if (((struct lightvm_msg_header *)buf)->kind ==
		    LIGHTVM_KIND_EVENT) {
			struct lightvm_event ev;

			memcpy(&ev, buf + sizeof(struct lightvm_msg_header),
			       sizeof(ev));
			keep_event(lv, &ev);
			continue;
		}
		r = malloc(sizeof(*r) + n);
		if (!r)
			return fail(lv, ENOMEM, "out of memory");
		r->len = n;
		memcpy(r->data, buf, n);
		r->next = lv->replies;
		lv->replies = r;
	}
}

static struct stashed_reply *take_reply(struct lightvm *lv, uint64_t id)
{
	struct stashed_reply **p, *r;

	for (p = &lv->replies; *p; p = &(*p)->next) {
		r = *p;
		if (((struct lightvm_msg_header *)r->data)->request_id == id) {
			*p = r->next;
			return r;
		}
	}
	return NULL;
}

/* Sends one request; reads meanwhile if the socket is full. */
static int send_request(struct lightvm *lv, uint16_t op, uint32_t flags,
			const void *body, size_t body_len, const void *extra,
			size_t extra_len, uint64_t *id)
{
	struct lightvm_msg_header hdr = {
		.magic = LIGHTVM_API_MAGIC,
		.version = LIGHTVM_API_VERSION,
		.op = op,
		.kind = LIGHTVM_KIND_REQUEST,
		.length = sizeof(hdr) + body_len + extra_len,
		.request_id = lv->next_id++,
		.flags = flags,
	};
	struct iovec iov[3] = {
		{ .iov_base = &hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = (void *)body, .iov_len = body_len },
		{ .iov_base = (void *)extra, .iov_len = extra_len },
	};
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 3 };
	double until = now_ms() + lv->timeout_ms;
	int ret, revents;
	char text[32];

	hdr.deadline_ns = (uint64_t)(until * 1e6);
	for (;;) {
		if (sendmsg(lv->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT) >= 0)
			break;
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return fail(lv, errno,
				    "cannot send a request to the lightvm daemon: %s",
				    strerror(errno));
		revents = wait_fd(lv->fd, POLLIN | POLLOUT, until);
		if (revents == 0)
			return fail(lv, ETIMEDOUT,
				    "the lightvm daemon took no request within %s (is it stopped?)",
				    duration(lv->timeout_ms, text));
		if (revents & POLLIN) {
			ret = read_incoming(lv);
			if (ret)
				return ret;
		}
	}
	*id = hdr.request_id;
	return 0;
}

/*
 * The reply to @id (a reply of @op; 0: of CREATE or CREATE_TEMPLATE),
 * checked: status 0 and a body of @min_len to @max_len
 * bytes, into a buffer the caller frees. Returns 0 or a negative errno
 * value (the daemon's, with its words, when it refused).
 */
static int wait_reply(struct lightvm *lv, uint64_t id, uint16_t op,
		      size_t min_len, size_t max_len,
		      struct stashed_reply **out)
{
	double until = now_ms() + lv->timeout_ms + GRACE_MS;
	const struct lightvm_reply_status *status;
	char text[32];
	const struct lightvm_msg_header *hdr;
	struct stashed_reply *r;
	size_t body_len;
	int ret, revents;

	while (!(r = take_reply(lv, id))) {
		revents = wait_fd(lv->fd, POLLIN, until);
		if (revents == 0)
			return fail(lv, ETIMEDOUT,
				    "the lightvm daemon did not answer within %s (is it stopped?)",
				    duration(lv->timeout_ms, text));
		ret = read_incoming(lv);
		if (ret)
			return ret;
	}
	hdr = (const void *)r->data;
	status = (const void *)(hdr + 1);
	body_len = r->len - sizeof(*hdr) - sizeof(*status);
	if ((op ? hdr->op != op : hdr->op != LIGHTVM_OP_CREATE &&
			       hdr->op != LIGHTVM_OP_CREATE_TEMPLATE) ||
	    status->pad) {
		free(r);
		return fail(lv, EPROTO,
			    "the lightvm daemon answered another request (is it the same lightvm version?)");
	}
	if (status->status) {
		ret = status->status > 0 && status->status < 4096 ?
		      status->status : EPROTO;
		fail(lv, ret, "%.*s", (int)sizeof(status->error),
		     status->error);
		free(r);
		return -ret;
	}
	if (body_len < min_len || body_len > max_len) {
		free(r);
		return fail(lv, EPROTO,
			    "the lightvm daemon's answer has %zu bytes, not %zu to %zu (is it the same lightvm version?)",
			    body_len, min_len, max_len);
	}
	*out = r;
	return 0;
}

static const void *reply_body(const struct stashed_reply *r)
{
	return r->data + sizeof(struct lightvm_msg_header) +
	       sizeof(struct lightvm_reply_status);
}

/* One request, one reply with a body of exactly @out_len bytes. */
static int call(struct lightvm *lv, uint16_t op, uint32_t flags,
		const void *body, size_t body_len, void *out, size_t out_len)
{
	struct stashed_reply *r;
	uint64_t id;
	int ret;

	ret = send_request(lv, op, flags, body, body_len, NULL, 0, &id);
	if (!ret)
		ret = wait_reply(lv, id, op, out_len, out_len, &r);
	if (ret)
		return ret;
	if (out_len)
		memcpy(out, reply_body(r), out_len);
	free(r);
	return 0;
}

static int guest_ref(struct lightvm *lv, uint32_t domid, const char *name,
		     struct lightvm_guest_ref *ref)
{
	memset(ref, 0, sizeof(*ref));
	ref->domid = domid;
	if (name && strlen(name) >= sizeof(ref->name))
		return fail(lv, EINVAL, "guest name '%s' is longer than %d bytes",
			    name, LIGHTVM_NAME_SIZE - 1);
	if (name)
		strcpy(ref->name, name);
	if (!domid && !ref->name[0])
		return fail(lv, EINVAL, "no guest named: neither domid nor name");
	return 0;
}

int lightvm_create_send(struct lightvm *lv, const char *config, size_t len,
			uint32_t flags, uint64_t *request_id)
{
	struct lightvm_create_req req = { .config_len = len };

	if (!len || len > LIGHTVM_CONFIG_MAX)
		return fail(lv, EINVAL, "a config of %zu bytes: expected 1 to %d",
			    len, LIGHTVM_CONFIG_MAX);
	return send_request(lv, LIGHTVM_OP_CREATE, flags, &req, sizeof(req),
			    config, len, request_id);
}

int lightvm_create_template_send(struct lightvm *lv, const char *template,
				 const char *name, const char *cmdline,
				 uint32_t flags, uint64_t *request_id)
{
	struct lightvm_create_template_req req = { 0 };
	size_t len = cmdline ? strlen(cmdline) : 0;

	if (!template || !*template ||
	    strlen(template) >= sizeof(req.template_name) || !name || !*name ||
	    strlen(name) >= sizeof(req.name))
		return fail(lv, EINVAL, "a template and a guest name of 1 to %d bytes are needed",
			    LIGHTVM_NAME_SIZE - 1);
	if (len >= LIGHTVM_CMDLINE_SIZE)
		return fail(lv, EINVAL, "a command line of %zu bytes: at most %d",
			    len, LIGHTVM_CMDLINE_SIZE - 1);
	strcpy(req.template_name, template);
	strcpy(req.name, name);
	req.cmdline_len = len;
	return send_request(lv, LIGHTVM_OP_CREATE_TEMPLATE, flags, &req,
			    sizeof(req), cmdline, len, request_id);
}

int lightvm_create_template(struct lightvm *lv, const char *template,
			    const char *name, const char *cmdline,
			    uint32_t flags, struct lightvm_create_reply *out)
{
	uint64_t id;
	int ret;

	ret = lightvm_create_template_send(lv, template, name, cmdline, flags,
					   &id);
	return ret ? ret : lightvm_create_wait(lv, id, out);
}

/* Takes the guest: without this, the daemon destroys it. */
static int ack(struct lightvm *lv, uint64_t request_id, uint32_t domid)
{
	struct lightvm_msg_header hdr = {
		.magic = LIGHTVM_API_MAGIC,
		.version = LIGHTVM_API_VERSION,
		.op = LIGHTVM_OP_ACK,
		.kind = LIGHTVM_KIND_REQUEST,
		.length = sizeof(hdr),
		.request_id = request_id,
	};
	double until = now_ms() + lv->timeout_ms;

	while (send(lv->fd, &hdr, sizeof(hdr), MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		if ((errno != EAGAIN && errno != EINTR) ||
		    wait_fd(lv->fd, POLLOUT, until) <= 0)
			return fail(lv, errno ? errno : ETIMEDOUT,
				    "cannot take domain %u from the lightvm daemon (%s): it destroys the guest",
				    domid, strerror(errno));
	}
	return 0;
}

int lightvm_create_wait(struct lightvm *lv, uint64_t request_id,
			struct lightvm_create_reply *out)
{
	struct stashed_reply *r;
	int ret;

	/* Op 0: the reply of either create. */
	ret = wait_reply(lv, request_id, 0, sizeof(*out), sizeof(*out), &r);
	if (ret)
		return ret;
	memcpy(out, reply_body(r), sizeof(*out));
	free(r);
	return ack(lv, request_id, out->domid);
}

int lightvm_create(struct lightvm *lv, const char *config, size_t len,
		   uint32_t flags, struct lightvm_create_reply *out)
{
	uint64_t id;
	int ret;

	ret = lightvm_create_send(lv, config, len, flags, &id);
	return ret ? ret : lightvm_create_wait(lv, id, out);
}

int lightvm_destroy(struct lightvm *lv, uint32_t domid, const char *name)
{
	struct lightvm_guest_ref ref;
	int ret;

	ret = guest_ref(lv, domid, name, &ref);
	return ret ? ret : call(lv, LIGHTVM_OP_DESTROY, 0, &ref, sizeof(ref),
				NULL, 0);
}

int lightvm_shutdown(struct lightvm *lv, uint32_t domid, const char *name,
		     uint32_t reason, uint32_t flags, uint32_t *domid_after)
{
	struct lightvm_shutdown_req req = { .reason = reason };
	struct lightvm_shutdown_reply reply;
	int ret;

	ret = guest_ref(lv, domid, name, &req.guest);
	if (!ret)
		ret = call(lv, LIGHTVM_OP_SHUTDOWN, flags, &req, sizeof(req),
			   &reply, sizeof(reply));
	if (!ret && domid_after)
		*domid_after = reply.domid;
	return ret;
}

int lightvm_info(struct lightvm *lv, uint32_t domid, const char *name,
		 struct lightvm_guest_info *out)
{
	struct lightvm_guest_ref ref;
	int ret;

	ret = guest_ref(lv, domid, name, &ref);
	return ret ? ret : call(lv, LIGHTVM_OP_INFO, 0, &ref, sizeof(ref),
				out, sizeof(*out));
}

/* One page of guests from @first, appended to *@guests. */
static int list_page(struct lightvm *lv, uint32_t first,
		     struct lightvm_guest_info **guests, size_t *nr,
		     uint32_t *next)
{
	struct lightvm_list_req req = { .first_domid = first,
					.max = LIGHTVM_LIST_MAX };
	const struct lightvm_list_reply *page;
	struct lightvm_guest_info *more;
	struct stashed_reply *r;
	uint64_t id;
	int ret;

	ret = send_request(lv, LIGHTVM_OP_LIST, 0, &req, sizeof(req), NULL, 0,
			   &id);
	if (!ret)
		ret = wait_reply(lv, id, LIGHTVM_OP_LIST, sizeof(*page),
				 sizeof(*page) + LIGHTVM_LIST_MAX *
				 sizeof(**guests), &r);
	if (ret)
		return ret;
	page = reply_body(r);
	if (page->nr > LIGHTVM_LIST_MAX ||
	    r->len != sizeof(struct lightvm_msg_header) +
		      sizeof(struct lightvm_reply_status) + sizeof(*page) +
		      page->nr * sizeof(**guests) ||
	    (page->next_domid && page->next_domid <= first)) {
		free(r);
		return fail(lv, EPROTO, "the lightvm daemon sent a malformed list");
	}
	more = realloc(*guests, (*nr + page->nr + 1) * sizeof(**guests));
	if (!more) {
		free(r);
		return fail(lv, ENOMEM, "out of memory");
	}
	memcpy(more + *nr, page + 1, page->nr * sizeof(**guests));
	*guests = more;
	*nr += page->nr;
	*next = page->next_domid;
	free(r);
	return 0;
}

int lightvm_list(struct lightvm *lv, struct lightvm_guest_info **guests,
		 size_t *nr)
{
	uint32_t first = 1;
	int ret;

	*guests = NULL;
	*nr = 0;
	do {
		ret = list_page(lv, first, guests, nr, &first);
	} while (!ret && first);
	if (ret) {
		free(*guests);
		*guests = NULL;
		*nr = 0;
	}
	return ret;
}

int lightvm_pool_list(struct lightvm *lv, struct lightvm_pool_size *sizes,
		      unsigned int max_sizes, unsigned int *nr_sizes,
		      struct lightvm_pool_template *templates,
		      unsigned int max_templates, unsigned int *nr_templates)
{
	const struct lightvm_pool_list_reply *pool;
	const unsigned char *at;
	struct stashed_reply *r;
	uint64_t id;
	int ret;

	ret = send_request(lv, LIGHTVM_OP_POOL_LIST, 0, NULL, 0, NULL, 0, &id);
	if (!ret)
		ret = wait_reply(lv, id, LIGHTVM_OP_POOL_LIST, sizeof(*pool),
				 sizeof(*pool) +
				 LIGHTVM_POOL_MAX_SIZES * sizeof(*sizes) +
				 LIGHTVM_POOL_MAX_TEMPLATES * sizeof(*templates),
				 &r);
	if (ret)
		return ret;
	pool = reply_body(r);
	if (pool->nr_sizes > LIGHTVM_POOL_MAX_SIZES ||
	    pool->nr_templates > LIGHTVM_POOL_MAX_TEMPLATES ||
	    r->len != sizeof(struct lightvm_msg_header) +
		      sizeof(struct lightvm_reply_status) + sizeof(*pool) +
		      pool->nr_sizes * sizeof(*sizes) +
		      pool->nr_templates * sizeof(*templates)) {
		free(r);
		return fail(lv, EPROTO, "the lightvm daemon sent a malformed pool list");
	}
	at = (const unsigned char *)(pool + 1);
	*nr_sizes = pool->nr_sizes < max_sizes ? pool->nr_sizes : max_sizes;
	memcpy(sizes, at, *nr_sizes * sizeof(*sizes));
	at += pool->nr_sizes * sizeof(*sizes);
	*nr_templates = pool->nr_templates < max_templates ?
			pool->nr_templates : max_templates;
	memcpy(templates, at, *nr_templates * sizeof(*templates));
	free(r);
	return 0;
}

int lightvm_template_set(struct lightvm *lv, const char *name,
			 const char *config, size_t len, uint32_t target)
{
	struct lightvm_template_req req = { .target = target,
					    .config_len = len };
	struct stashed_reply *r;
	uint64_t id;
	int ret;

	if (!name || !*name || strlen(name) >= sizeof(req.name))
		return fail(lv, EINVAL, "a template name of 1 to %d bytes is needed",
			    LIGHTVM_NAME_SIZE - 1);
	if (len > LIGHTVM_CONFIG_MAX)
		return fail(lv, EINVAL, "a config of %zu bytes: at most %d",
			    len, LIGHTVM_CONFIG_MAX);
	strcpy(req.name, name);
	ret = send_request(lv, LIGHTVM_OP_TEMPLATE_SET, 0, &req, sizeof(req),
			   config, len, &id);
	if (!ret)
		ret = wait_reply(lv, id, LIGHTVM_OP_TEMPLATE_SET, 0, 0, &r);
	if (!ret)
		free(r);
	return ret;
}

int lightvm_pool_set(struct lightvm *lv, uint32_t memory_mb, uint32_t vcpus,
		     uint32_t target)
{
	struct lightvm_pool_size_req req = {
		.memory_mb = memory_mb,
		.vcpus = vcpus,
		.target = target,
	};

	return call(lv, LIGHTVM_OP_POOL_SET, 0, &req, sizeof(req), NULL, 0);
}

int lightvm_subscribe(struct lightvm *lv, uint32_t mask)
{
	struct lightvm_subscribe_req req = { .mask = mask };

	return call(lv, LIGHTVM_OP_SUBSCRIBE, 0, &req, sizeof(req), NULL, 0);
}

int lightvm_next_event(struct lightvm *lv, struct lightvm_event *event,
		       int timeout_ms)
{
	double until = now_ms() + (timeout_ms < 0 ? 0 : timeout_ms);
	int ret, revents;

	for (;;) {
		if (lv->nr_events) {
			*event = lv->events[lv->event_head];
			lv->event_head = (lv->event_head + 1) % EVENT_QUEUE;
			lv->nr_events--;
			return 0;
		}
		if (lv->events_lost) {
			memset(event, 0, sizeof(*event));
			event->type = LIGHTVM_EVENT_LOST;
			lv->events_lost = 0;
			return 0;
		}
		if (timeout_ms < 0) {
			struct pollfd pfd = { .fd = lv->fd, .events = POLLIN };

			revents = poll(&pfd, 1, -1) > 0 ? pfd.revents : 0;
			if (!revents && errno != EINTR)
				return fail(lv, errno, "poll: %s",
					    strerror(errno));
		} else {
			revents = wait_fd(lv->fd, POLLIN, until);
			if (revents == 0)
				return fail(lv, ETIMEDOUT,
					    "no event within %d ms", timeout_ms);
		}
		if (revents) {
			ret = read_incoming(lv);
			if (ret)
				return ret;
		}
	}
}
