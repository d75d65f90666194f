// SPDX-License-Identifier: GPL-2.0
/*
 * How the two ends of a migration reach each other: the sender runs the
 * receiver through ssh (as `xl migrate` does: `ssh HOST lvctl
 * migrate-receive`, its stdin and stdout the link), or connects to a
 * receiver listening on TCP (keyed: see migrate_link.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lvctl.h"
#include "migrate.h"

#define CONNECT_MS		10000
#define REAP_MS			5000	/* for ssh to end once its link closed */

/*
 * `SSH HOST lvctl migrate-receive` through sh, its stdin and stdout piped
 * to us (its stderr is ours: ssh's own complaints reach the operator).
 * An empty @ssh runs HOST itself as the command, as xl's -s "" does.
 */
int lvctl_transport_ssh(struct lvctl_transport *t, const char *ssh,
			const char *host)
{
	int to_child[2], from_child[2];
	char *cmd;
	int n;

	if (!ssh)
		ssh = "ssh";
	n = *ssh ? asprintf(&cmd, "%s %s lvctl migrate-receive", ssh, host) :
		   asprintf(&cmd, "%s", host);
	if (n < 0) {
		lvctl_error("out of memory");
		return -1;
	}
	if (pipe2(to_child, O_CLOEXEC)) {
		lvctl_error("cannot make a pipe: %s", strerror(errno));
		goto out_cmd;
	}
	if (pipe2(from_child, O_CLOEXEC)) {
		lvctl_error("cannot make a pipe: %s", strerror(errno));
		goto out_to;
	}
	t->pid = fork();
	if (t->pid < 0) {
		lvctl_error("cannot start '%s': %s", cmd, strerror(errno));
		goto out_from;
	}
	if (t->pid == 0) {
		if (dup2(to_child[0], STDIN_FILENO) < 0 ||
		    dup2(from_child[1], STDOUT_FILENO) < 0)
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(to_child[0]);
	close(from_child[1]);
	t->in_fd = from_child[0];
	t->out_fd = to_child[1];
	t->what = cmd;
	return 0;

out_from:
	close(from_child[0]);
	close(from_child[1]);
out_to:
	close(to_child[0]);
	close(to_child[1]);
out_cmd:
	free(cmd);
	return -1;
}

/* HOST, HOST:PORT or [ADDR]:PORT into @host (to free) and @port. */
static int split_host_port(const char *arg, char **host, const char **port)
{
	const char *colon;

	*port = LVCTL_MIGRATE_PORT;
	if (arg[0] == '[') {
		colon = strchr(arg, ']');
		if (!colon || (colon[1] && colon[1] != ':'))
			return -1;
		*host = strndup(arg + 1, colon - arg - 1);
		if (colon[1])
			*port = colon + 2;
	} else {
		colon = strrchr(arg, ':');
		if (colon && strchr(arg, ':') != colon)
			colon = NULL;	/* a bare IPv6 address */
		*host = colon ? strndup(arg, colon - arg) : strdup(arg);
		if (colon)
			*port = colon + 1;
	}
	return *host && **port ? 0 : -1;
}

/* A connect() that gives up after @timeout_ms. */
static int connect_within(int fd, const struct sockaddr *sa, socklen_t len,
			  int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	socklen_t elen = sizeof(int);
	int err = 0, n;

	fcntl(fd, F_SETFL, O_NONBLOCK);
	if (!connect(fd, sa, len))
		return 0;
	if (errno != EINPROGRESS)
		return -1;
	do {
		n = poll(&p, 1, timeout_ms);
	} while (n < 0 && errno == EINTR);
	if (n == 0)
		errno = ETIMEDOUT;
	if (n <= 0)
		return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) || err) {
		errno = err ? err : errno;
		return -1;
	}
	return 0;
}

/* A TCP connection to HOST[:PORT] (default LVCTL_MIGRATE_PORT). */
int lvctl_transport_tcp(struct lvctl_transport *t, const char *arg)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	const char *port;
	char *host = NULL;
	int fd = -1, err;

	if (split_host_port(arg, &host, &port)) {
		lvctl_error("'%s' is not HOST, HOST:PORT or [ADDRESS]:PORT", arg);
		free(host);
		return -1;
	}
	err = getaddrinfo(host, port, &hints, &res);
	if (err) {
		lvctl_error("cannot resolve %s: %s", arg, gai_strerror(err));
		free(host);
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0)
			continue;
		if (!connect_within(fd, ai->ai_addr, ai->ai_addrlen,
				    CONNECT_MS))
			break;
		err = errno;
		close(fd);
		fd = -1;
		errno = err;
	}
	freeaddrinfo(res);
	free(host);
	if (fd < 0) {
		lvctl_error("cannot connect to %s: %s (is 'lvctl migrate-receive --listen' running there?)",
			    arg, strerror(errno));
		return -1;
	}
	t->in_fd = t->out_fd = fd;
	t->pid = 0;
	t->what = strdup(arg);
	return 0;
}

/* A listening socket on [ADDR:]PORT (all addresses without ADDR). */
int lvctl_transport_listen(const char *arg)
{
	struct addrinfo hints = {
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_PASSIVE,
	}, *res;
	const char *port;
	char *host = NULL;
	int fd, err, one = 1;

	if (!strchr(arg, ':') && arg[0] != '[') {
		port = arg;		/* PORT alone */
	} else if (split_host_port(arg, &host, &port)) {
		lvctl_error("'%s' is not PORT, ADDRESS:PORT or [ADDRESS]:PORT",
			    arg);
		free(host);
		return -1;
	}
	err = getaddrinfo(host && *host ? host : NULL, port, &hints, &res);
	free(host);
	if (err) {
		lvctl_error("cannot listen on %s: %s", arg, gai_strerror(err));
		return -1;
	}
	fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC,
		    res->ai_protocol);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, res->ai_addr, res->ai_addrlen) || listen(fd, 4)) {
		lvctl_error("cannot listen on %s: %s", arg, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/*
 * Closes the link's descriptors and reaps ssh: once its stdin closes it
 * ends; if it does not, it is stopped. Returns its exit status (or -1).
 */
int lvctl_transport_close(struct lvctl_transport *t)
{
	double deadline = lvctl_now_ms() + REAP_MS;
	int status = -1;
	pid_t pid;

	if (t->out_fd >= 0 && t->out_fd != t->in_fd)
		close(t->out_fd);
	if (t->in_fd >= 0)
		close(t->in_fd);
	t->in_fd = t->out_fd = -1;
	free(t->what);
	t->what = NULL;
	if (t->pid <= 0)
		return 0;
	for (;;) {
		pid = waitpid(t->pid, &status, WNOHANG);
		if (pid == t->pid || (pid < 0 && errno != EINTR))
			break;
		if (lvctl_now_ms() > deadline) {
			kill(t->pid, SIGTERM);
			waitpid(t->pid, &status, 0);
			break;
		}
		usleep(10000);
	}
	t->pid = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
