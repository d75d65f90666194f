// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's pool of domain shells (LightVM's split toolstack): for each
 * configured size, a few domains created ahead of time with their NoXS
 * record and devices and their memory, paused and nameless. `lvctl create`
 * asks the daemon over LVCTL_POOL_SOCKET; the daemon finishes a shell of
 * the guest's size (name, kernel, image, console, unpause) and refills the
 * pool when it has nothing else to do.
 *
 * Everything runs in the daemon's one thread: requests first, then guests
 * that shut down, then one shell at a time. A shell whose build fails is
 * destroyed (lvctl_shell_make gives everything back) and its size waits
 * before trying again. Shells are owned by the daemon's noxs file: if the
 * daemon dies, noxs drops their records; an orderly stop destroys them.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "lvctl.h"
#include "pool.h"

#define RETRY_MIN_MS	1000		/* after a failed shell build */
#define RETRY_MAX_MS	64000
#define CLIENT_TIMEOUT_S 2		/* a client that says nothing */

struct pool_shell {
	struct lvctl_build build;
	struct pool_shell *next;
};

struct pool_size {
	long memory_mb;
	long vcpus;
	unsigned int target;
	unsigned int ready;
	unsigned int used;
	unsigned int failed;
	double retry_at;		/* ms; no build before then */
	double retry_ms;		/* the next wait after a failure */
	struct pool_shell *head;	/* oldest first */
	struct pool_shell **tail;
};

struct lvctl_pool {
	xc_interface *xch;
	int noxs_fd;
	int listen_fd;
	unsigned int nr_sizes;
	struct pool_size sizes[LVCTL_POOL_MAX_SIZES];
};

struct lvctl_pool *lvctl_pool_new(xc_interface *xch, int noxs_fd)
{
	struct lvctl_pool *pool = calloc(1, sizeof(*pool));

	if (!pool) {
		lvctl_error("out of memory");
		return NULL;
	}
	pool->xch = xch;
	pool->noxs_fd = noxs_fd;
	pool->listen_fd = -1;
	return pool;
}

static int parse_number(const char **s, char end, long max, long *value)
{
	char *stop;

	if (**s < '0' || **s > '9')
		return -1;
	errno = 0;
	*value = strtol(*s, &stop, 10);
	if (errno || *stop != end || *value < 1 || *value > max)
		return -1;
	*s = stop + (end != '\0');
	return 0;
}

static struct pool_size *find_size(struct lvctl_pool *pool, long memory_mb,
				   long vcpus)
{
	unsigned int i;

	for (i = 0; i < pool->nr_sizes; i++)
		if (pool->sizes[i].memory_mb == memory_mb &&
		    pool->sizes[i].vcpus == vcpus)
			return &pool->sizes[i];
	return NULL;
}

/* "MEMORY:VCPUS:COUNT", e.g. "4:1:8": keep 8 shells of 4 MiB, 1 vcpu. */
int lvctl_pool_add_size(struct lvctl_pool *pool, const char *spec)
{
	const char *s = spec;
	long memory_mb, vcpus, count;
	struct pool_size *size;

	if (parse_number(&s, ':', LVCTL_MAX_MEMORY_MB, &memory_mb) ||
	    parse_number(&s, ':', LVCTL_MAX_VCPUS, &vcpus) ||
	    parse_number(&s, '\0', LVCTL_POOL_MAX_SHELLS, &count)) {
		lvctl_error("--pool '%s': expected MEMORY:VCPUS:COUNT (MiB 1-%ld, vcpus 1-%d, shells 1-%d)",
			    spec, LVCTL_MAX_MEMORY_MB, LVCTL_MAX_VCPUS,
			    LVCTL_POOL_MAX_SHELLS);
		return -1;
	}
	if (find_size(pool, memory_mb, vcpus)) {
		lvctl_error("--pool '%s': %ld MiB, %ld vcpus is given twice",
			    spec, memory_mb, vcpus);
		return -1;
	}
	if (pool->nr_sizes == LVCTL_POOL_MAX_SIZES) {
		lvctl_error("--pool '%s': at most %d sizes", spec,
			    LVCTL_POOL_MAX_SIZES);
		return -1;
	}
	size = &pool->sizes[pool->nr_sizes++];
	size->memory_mb = memory_mb;
	size->vcpus = vcpus;
	size->target = count;
	size->retry_ms = RETRY_MIN_MS;
	size->tail = &size->head;
	return 0;
}

/* Only root may ask: the socket is created 0600. */
int lvctl_pool_listen(struct lvctl_pool *pool)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	mode_t umask_was;
	int fd, err;

	strcpy(addr.sun_path, LVCTL_POOL_SOCKET);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		lvctl_error("cannot create a socket: %s", strerror(errno));
		return -1;
	}
	/* A stale socket of a daemon that died: the pid file lock is ours. */
	unlink(LVCTL_POOL_SOCKET);
	umask_was = umask(077);
	err = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(umask_was);
	if (err || listen(fd, 64)) {
		lvctl_error("cannot listen on %s: %s", LVCTL_POOL_SOCKET,
			    strerror(errno));
		close(fd);
		return -1;
	}
	pool->listen_fd = fd;
	return 0;
}

int lvctl_pool_fd(const struct lvctl_pool *pool)
{
	return pool->listen_fd;
}

/* The first size below its count whose wait is over; else how long to wait. */
static struct pool_size *size_to_refill(struct lvctl_pool *pool, double now,
					double *wait_ms)
{
	unsigned int i;

	*wait_ms = -1;
	for (i = 0; i < pool->nr_sizes; i++) {
		struct pool_size *size = &pool->sizes[i];

		if (size->ready >= size->target)
			continue;
		if (size->retry_at <= now)
			return size;
		if (*wait_ms < 0 || size->retry_at - now < *wait_ms)
			*wait_ms = size->retry_at - now;
	}
	return NULL;
}

/* For poll(): 0 if a shell is due now, -1 if none is. */
int lvctl_pool_timeout_ms(struct lvctl_pool *pool)
{
	double wait_ms;

	if (size_to_refill(pool, lvctl_now_ms(), &wait_ms))
		return 0;
	return wait_ms < 0 ? -1 : (int)wait_ms + 1;
}

void lvctl_pool_refill_one(struct lvctl_pool *pool)
{
	struct pool_shell *shell;
	struct pool_size *size;
	double wait_ms;

	size = size_to_refill(pool, lvctl_now_ms(), &wait_ms);
	if (!size)
		return;

	shell = calloc(1, sizeof(*shell));
	if (shell) {
		shell->build.xch = pool->xch;
		shell->build.noxs_fd = pool->noxs_fd;
	}
	if (!shell || lvctl_shell_make(&shell->build, size->memory_mb,
				       size->vcpus)) {
		free(shell);
		size->failed++;
		size->retry_at = lvctl_now_ms() + size->retry_ms;
		lvctl_log("a %ld MiB, %ld vcpu shell failed; next try in %.0f s",
			  size->memory_mb, size->vcpus, size->retry_ms / 1000);
		if (size->retry_ms < RETRY_MAX_MS)
			size->retry_ms *= 2;
		return;
	}
	size->retry_ms = RETRY_MIN_MS;
	*size->tail = shell;
	size->tail = &shell->next;
	size->ready++;
}

static struct pool_shell *take_shell(struct pool_size *size)
{
	struct pool_shell *shell = size->head;

	size->head = shell->next;
	if (!size->head)
		size->tail = &size->head;
	size->ready--;
	return shell;
}

static void fail(struct lvctl_pool_reply *reply)
{
	reply->status = LVCTL_POOL_FAILED;
	snprintf(reply->error, sizeof(reply->error), "%s",
		 lvctl_last_error[0] ? lvctl_last_error :
		 "the daemon could not create the guest");
}

/*
 * A guest from a shell, or LVCTL_POOL_NO_SHELL for a build from scratch.
 * Its name in *@name (the caller frees it) when one was made.
 */
static void serve_create(struct lvctl_pool *pool, uint32_t flags,
			 const char *text, size_t len,
			 struct lvctl_pool_reply *reply, char **name)
{
	struct lvctl_config cfg;
	struct pool_shell *shell;
	struct pool_size *size;

	if (lvctl_config_parse(text, len, "request", &cfg)) {
		fail(reply);
		return;
	}

	size = find_size(pool, cfg.memory_mb, cfg.vcpus);
	if (!size || !size->ready || cfg.maxmem_mb != cfg.memory_mb) {
		reply->status = LVCTL_POOL_NO_SHELL;
		goto out;
	}
	if (lvctl_build_check(pool->xch, pool->noxs_fd, &cfg,
			      LVCTL_CHECK_KERNEL)) {
		fail(reply);
		goto out;
	}

	shell = take_shell(size);
	shell->build.paused = !!(flags & LVCTL_POOL_PAUSED);
	if (lvctl_shell_finish(&shell->build, &cfg)) {
		fail(reply);		/* the shell is destroyed */
	} else {
		size->used++;
		reply->status = LVCTL_POOL_OK;
		reply->domid = shell->build.domid;
		reply->times = shell->build.times;
		*name = cfg.name;
		cfg.name = NULL;
	}
	free(shell);
out:
	lvctl_config_free(&cfg);
}

static void serve_list(struct lvctl_pool *pool,
		       struct lvctl_pool_list_reply *reply)
{
	unsigned int i, j;

	reply->nr_sizes = pool->nr_sizes;
	for (i = 0; i < pool->nr_sizes; i++) {
		const struct pool_size *size = &pool->sizes[i];
		struct lvctl_pool_size_info *info = &reply->sizes[i];
		const struct pool_shell *shell = size->head;

		info->memory_mb = size->memory_mb;
		info->vcpus = size->vcpus;
		info->target = size->target;
		info->ready = size->ready;
		info->used = size->used;
		info->failed = size->failed;
		for (j = 0; shell && j < 8; j++, shell = shell->next)
			info->shell_domids[j] = shell->build.domid;
	}
}

/* Reads one request: the header, and for CREATE its config text. */
static ssize_t read_request(int conn, struct lvctl_pool_request *req,
			    char *text, size_t text_size)
{
	struct iovec iov[2] = {
		{ .iov_base = req, .iov_len = sizeof(*req) },
		{ .iov_base = text, .iov_len = text_size },
	};
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
	ssize_t n;

	n = recvmsg(conn, &msg, 0);
	if (n < (ssize_t)sizeof(*req) || (msg.msg_flags & MSG_TRUNC) ||
	    req->proto != LVCTL_POOL_PROTO ||
	    req->len != n - sizeof(*req) ||
	    (req->flags & ~LVCTL_POOL_PAUSED))
		return -1;
	if (req->op == LVCTL_POOL_OP_LIST && (req->len || req->flags))
		return -1;
	if (req->op != LVCTL_POOL_OP_LIST && req->op != LVCTL_POOL_OP_CREATE)
		return -1;
	return req->len;
}

/* Has the client hung up (given up waiting, or died)? */
static int client_gone(int conn)
{
	struct pollfd pfd = { .fd = conn, .events = POLLRDHUP };

	return poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLRDHUP | POLLHUP));
}

/*
 * Did the client take the guest it was sent? Its LVCTL_POOL_ACK comes at
 * once, or never. After the wait no more can come in (shutdown): an ACK
 * the client managed to send is read here, or its send failed.
 */
static int client_took(int conn)
{
	struct pollfd pfd = { .fd = conn, .events = POLLIN };
	uint32_t ack = 0;

	if (poll(&pfd, 1, CLIENT_TIMEOUT_S * 1000) <= 0)
		shutdown(conn, SHUT_RDWR);
	return recv(conn, &ack, sizeof(ack), MSG_DONTWAIT) == sizeof(ack) &&
	       ack == LVCTL_POOL_ACK;
}

/* The client of @domid (@name) never took it: nobody was told it exists. */
static void undo_create(struct lvctl_pool *pool, uint32_t domid,
			const char *name)
{
	if (lvctl_guest_destroy(pool->xch, pool->noxs_fd, domid, name) < 0)
		return;
	lvctl_log("destroyed domain %u (%s): its client gave up before the answer",
		  domid, name);
}

static void answer_create(struct lvctl_pool *pool, int conn, uint32_t flags,
			  const char *text, size_t len)
{
	struct lvctl_pool_reply reply = { 0 };
	char *name = NULL;
	int sent;

	if (client_gone(conn)) {
		lvctl_log("a client gave up before its request was read; nothing done");
		return;
	}
	serve_create(pool, flags, text, len, &reply, &name);
	sent = send(conn, &reply, sizeof(reply), MSG_NOSIGNAL) == sizeof(reply);
	if (reply.status == LVCTL_POOL_OK && (!sent || !client_took(conn)))
		undo_create(pool, reply.domid, name);
	free(name);
}

/* Answers one client, if one is waiting. */
void lvctl_pool_serve(struct lvctl_pool *pool)
{
	struct timeval timeout = { .tv_sec = CLIENT_TIMEOUT_S };
	static char text[LVCTL_CONFIG_MAX];
	struct lvctl_pool_list_reply list = { 0 };
	struct lvctl_pool_reply reply = { 0 };
	struct lvctl_pool_request req;
	ssize_t len;
	int conn;

	conn = accept4(pool->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		return;
	setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	setsockopt(conn, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));

	lvctl_last_error[0] = '\0';
	len = read_request(conn, &req, text, sizeof(text));
	if (len < 0) {
		reply.status = LVCTL_POOL_FAILED;
		snprintf(reply.error, sizeof(reply.error),
			 "the daemon got a malformed request (is lvctl the same version?)");
		send(conn, &reply, sizeof(reply), MSG_NOSIGNAL);
	} else if (req.op == LVCTL_POOL_OP_LIST) {
		serve_list(pool, &list);
		send(conn, &list, sizeof(list), MSG_NOSIGNAL);
	} else {
		answer_create(pool, conn, req.flags, text, len);
	}
	close(conn);
}

/* Destroys every ready shell and stops listening. */
void lvctl_pool_free(struct lvctl_pool *pool)
{
	unsigned int i;

	if (!pool)
		return;
	for (i = 0; i < pool->nr_sizes; i++) {
		struct pool_size *size = &pool->sizes[i];

		while (size->head) {
			struct pool_shell *shell = take_shell(size);

			lvctl_build_undo(&shell->build);
			free(shell);
		}
	}
	if (pool->listen_fd >= 0) {
		close(pool->listen_fd);
		unlink(LVCTL_POOL_SOCKET);
	}
	free(pool);
}
