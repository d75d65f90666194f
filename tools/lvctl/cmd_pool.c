// SPDX-License-Identifier: GPL-2.0
/*
 * The pool's client side: `lvctl pool`, and the request `lvctl create`
 * makes to the daemon before building from scratch.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "lvctl.h"
#include "pool.h"

static long pool_timeout_s = LVCTL_POOL_TIMEOUT_S;

/* How long to wait for the daemon: $LVCTL_DAEMON_TIMEOUT seconds, if set. */
static int pool_timeout(void)
{
	const char *env = getenv("LVCTL_DAEMON_TIMEOUT");
	char *end;

	if (!env)
		return 0;
	errno = 0;
	pool_timeout_s = strtol(env, &end, 10);
	if (errno || end == env || *end || pool_timeout_s < 1 ||
	    pool_timeout_s > 3600) {
		lvctl_error("LVCTL_DAEMON_TIMEOUT=%s: expected seconds, 1 to 3600",
			    env);
		return -1;
	}
	return 0;
}

/*
 * A connection to the daemon, every wait on it bounded (connect, send and
 * receive); -ENOENT when no daemon listens.
 */
static int pool_connect(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval timeout;
	int fd;

	if (pool_timeout())
		return -EINVAL;
	timeout = (struct timeval){ .tv_sec = pool_timeout_s };
	strcpy(addr.sun_path, LVCTL_POOL_SOCKET);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		lvctl_error("cannot create a socket: %s", strerror(errno));
		return -EIO;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		int err = errno;

		close(fd);
		if (err == ENOENT || err == ECONNREFUSED)
			return -ENOENT;
		if (err == EAGAIN)
			lvctl_error("the lvctl daemon did not take the connection within %ld s (is it stopped?)",
				    pool_timeout_s);
		else
			lvctl_error("cannot reach the daemon at %s: %s",
				    LVCTL_POOL_SOCKET, strerror(err));
		return -EIO;
	}
	return fd;
}

/* Why a call to the daemon failed, in one line. */
static void pool_call_error(const char *what, ssize_t n)
{
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		lvctl_error("the lvctl daemon did not answer within %ld s (is it stopped?); %s",
			    pool_timeout_s, what);
	else if (n < 0)
		lvctl_error("the lvctl daemon did not answer: %s; %s",
			    strerror(errno), what);
	else
		lvctl_error("the lvctl daemon did not answer (is it the same lvctl version?); %s",
			    what);
}

/*
 * One request and its reply of exactly @reply_size bytes; @what says, in
 * an error, what became of the request.
 */
static int pool_call(int fd, struct lvctl_pool_request *req,
		     const void *payload, void *reply, size_t reply_size,
		     const char *what)
{
	struct iovec iov[2] = {
		{ .iov_base = req, .iov_len = sizeof(*req) },
		{ .iov_base = (void *)payload, .iov_len = req->len },
	};
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
	ssize_t n;

	req->proto = LVCTL_POOL_PROTO;
	if (sendmsg(fd, &msg, MSG_NOSIGNAL) < 0) {
		if (errno == EAGAIN)
			pool_call_error(what, -1);
		else
			lvctl_error("cannot send a request to the daemon: %s",
				    strerror(errno));
		return -1;
	}
	n = recv(fd, reply, reply_size, 0);
	if (n != (ssize_t)reply_size) {
		pool_call_error(what, n);
		return -1;
	}
	return 0;
}

/* Takes the guest the daemon made: without this, the daemon destroys it. */
static int pool_ack(int fd, uint32_t domid)
{
	uint32_t ack = LVCTL_POOL_ACK;

	if (send(fd, &ack, sizeof(ack), MSG_NOSIGNAL) == sizeof(ack))
		return 0;
	lvctl_error("the lvctl daemon gave up on this client: it destroys domain %u it made",
		    domid);
	return -1;
}

/*
 * Asks the daemon for a guest from a shell. Returns 0 when it made one,
 * 1 when there is no daemon or no shell of @cfg's size (build from
 * scratch), -1 after printing why it failed.
 */
int lvctl_pool_create(const struct lvctl_config *cfg, int paused,
		      uint32_t *domid, struct lvctl_build_times *times)
{
	struct lvctl_pool_request req = { .op = LVCTL_POOL_OP_CREATE };
	struct lvctl_pool_reply reply;
	size_t len;
	char *text;
	int fd, ret = -1;

	fd = pool_connect();
	if (fd == -ENOENT)
		return 1;
	if (fd < 0)
		return -1;
	text = lvctl_config_format(cfg, &len);
	if (!text) {
		lvctl_error("out of memory");
		goto out;
	}
	req.flags = paused ? LVCTL_POOL_PAUSED : 0;
	req.len = len;
	if (pool_call(fd, &req, text, &reply, sizeof(reply),
		      "no guest was created"))
		goto out_text;

	switch (reply.status) {
	case LVCTL_POOL_OK:
		if (pool_ack(fd, reply.domid))
			break;
		*domid = reply.domid;
		*times = reply.times;
		ret = 0;
		break;
	case LVCTL_POOL_NO_SHELL:
		ret = 1;
		break;
	default:
		reply.error[sizeof(reply.error) - 1] = '\0';
		lvctl_error("%s", reply.error);
	}
out_text:
	free(text);
out:
	close(fd);
	return ret;
}

static void print_size(const struct lvctl_pool_size_info *info)
{
	unsigned int i;

	printf("%8u %5u %6u %5u %6u %6u ", info->memory_mb, info->vcpus,
	       info->target, info->ready, info->used, info->failed);
	for (i = 0; i < 8 && info->shell_domids[i]; i++)
		printf("%s%u", i ? "," : "", info->shell_domids[i]);
	printf("%s\n", i == 0 ? "-" : info->ready > i ? ",..." : "");
}

int cmd_pool(int argc, char **argv)
{
	struct lvctl_pool_request req = { .op = LVCTL_POOL_OP_LIST };
	struct lvctl_pool_list_reply reply;
	unsigned int i;
	int ret, fd;

	ret = lvctl_no_args("pool", argc, argv);
	if (ret >= 0)
		return ret;

	fd = pool_connect();
	if (fd == -ENOENT) {
		lvctl_error("no lvctl daemon is running (start one with 'lvctl daemon --pool MEMORY:VCPUS:COUNT')");
		return LVCTL_EXIT_FAILURE;
	}
	if (fd < 0)
		return LVCTL_EXIT_FAILURE;
	ret = pool_call(fd, &req, NULL, &reply, sizeof(reply),
			"no pool to show");
	close(fd);
	if (ret)
		return LVCTL_EXIT_FAILURE;
	if (reply.nr_sizes > LVCTL_POOL_MAX_SIZES) {
		lvctl_error("the daemon sent %u pool sizes", reply.nr_sizes);
		return LVCTL_EXIT_FAILURE;
	}

	printf("%8s %5s %6s %5s %6s %6s %s\n", "Mem(MiB)", "VCPUs", "Target",
	       "Ready", "Used", "Failed", "Shells");
	for (i = 0; i < reply.nr_sizes; i++)
		print_size(&reply.sizes[i]);
	return LVCTL_EXIT_OK;
}
