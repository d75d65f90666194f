// SPDX-License-Identifier: GPL-2.0
/*
 * store_protocol - the local store's wire protocol, end to end: requests
 * go through the kernel's own xenbus device (/dev/xen/xenbus) to the
 * store noxs-store serves for that kernel (in the testbed, dom0's, which
 * modules.sh set up). Reads, writes, directories, removal, relative and
 * absolute paths, watches and their events, transactions, permissions,
 * and what must be refused: bad paths, malformed payloads, types a
 * domain's store does not serve, and growth past its bounds.
 *
 * With arguments, a small client of the same store for other selftests:
 *   store_protocol read PATH    prints the value
 *   store_protocol dir PATH     prints the children, one per line
 * exit 0, or 2 if PATH does not exist (1 for any other error).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xen/io/xs_wire.h>

#include "tap.h"

#define XENBUS_DEV	"/dev/xen/xenbus"
#define MAX_EVENTS	64

static int xs_fd = -1;
static uint32_t xs_req_id;

/* The watch events that came in while waiting for replies. */
static char events[MAX_EVENTS][256];
static int nr_events;

struct reply {
	uint32_t type;
	uint32_t len;
	char body[XENSTORE_PAYLOAD_MAX + 1];
};

static int read_full(void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = read(xs_fd, (char *)buf + done, len - done);
		if (n <= 0)
			return -1;
		done += n;
	}
	return 0;
}

/* One request of @len payload bytes; its reply in @r (events kept aside). */
static int xs_call(uint32_t type, uint32_t tx, const void *payload,
		   size_t len, struct reply *r)
{
	char buf[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
	struct xsd_sockmsg hdr = {
		.type = type, .req_id = ++xs_req_id, .tx_id = tx, .len = len,
	};

	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + sizeof(hdr), payload, len);
	if (write(xs_fd, buf, sizeof(hdr) + len) != (ssize_t)(sizeof(hdr) + len))
		return -errno;
	for (;;) {
		if (read_full(&hdr, sizeof(hdr)) || hdr.len > XENSTORE_PAYLOAD_MAX ||
		    read_full(r->body, hdr.len))
			return -EIO;
		r->body[hdr.len] = '\0';
		if (hdr.type != XS_WATCH_EVENT)
			break;
		if (nr_events < MAX_EVENTS) {
			/* "path\0token\0" as "path token" */
			snprintf(events[nr_events++], sizeof(events[0]), "%.120s %.120s",
				 r->body, r->body + strlen(r->body) + 1);
		}
	}
	r->type = hdr.type;
	r->len = hdr.len;
	return 0;
}

/* A request of NUL-separated strings given as one C string with '|'s. */
static int xs_strs(uint32_t type, uint32_t tx, const char *args,
		   struct reply *r)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t len = strlen(args), i;

	memcpy(buf, args, len + 1);
	for (i = 0; i < len; i++)
		if (buf[i] == '|')
			buf[i] = '\0';
	return xs_call(type, tx, buf, len + 1, r);
}

static int is_error(const struct reply *r, const char *name)
{
	return r->type == XS_ERROR && !strcmp(r->body, name);
}

static int is_ok(const struct reply *r, uint32_t type)
{
	return r->type == type && !strcmp(r->body, "OK");
}

static int xs_write(const char *path, const char *value, struct reply *r)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t plen = strlen(path) + 1, vlen = strlen(value);

	memcpy(buf, path, plen);
	memcpy(buf + plen, value, vlen);
	return xs_call(XS_WRITE, 0, buf, plen + vlen, r);
}

static int has_event(const char *path_token)
{
	int i;

	for (i = 0; i < nr_events; i++)
		if (!strcmp(events[i], path_token))
			return 1;
	return 0;
}

/* Watch events come through the kernel's xenwatch thread: give them time. */
static int wait_event(const char *path_token)
{
	struct reply r;
	int i;

	for (i = 0; i < 200 && !has_event(path_token); i++) {
		usleep(5000);
		xs_strs(XS_READ, 0, "lvtest/a", &r);	/* draws events in */
	}
	return has_event(path_token);
}

static void check_nodes(void)
{
	struct reply r;

	xs_write("lvtest/a", "hello", &r);
	tap_ok(is_ok(&r, XS_WRITE), "write lvtest/a (reply %s)", r.body);
	xs_strs(XS_READ, 0, "lvtest/a", &r);
	tap_ok(r.type == XS_READ && r.len == 5 && !strcmp(r.body, "hello"),
	       "read it back: '%s'", r.body);
	xs_strs(XS_READ, 0, "/local/domain/0/lvtest/a", &r);
	tap_ok(r.type == XS_READ && !strcmp(r.body, "hello"),
	       "the same node by its absolute path (the home is /local/domain/0)");
	xs_strs(XS_DIRECTORY, 0, "lvtest", &r);
	tap_ok(r.type == XS_DIRECTORY && r.len == 2 && !strcmp(r.body, "a"),
	       "directory lvtest lists a");
	xs_strs(XS_READ, 0, "lvtest/missing", &r);
	tap_ok(is_error(&r, "ENOENT"), "a missing node: ENOENT (%s)", r.body);
	xs_strs(XS_MKDIR, 0, "lvtest/d/e", &r);
	xs_strs(XS_DIRECTORY, 0, "lvtest/d", &r);
	tap_ok(r.type == XS_DIRECTORY && !strcmp(r.body, "e"),
	       "mkdir makes a node and its parents");
	xs_strs(XS_RM, 0, "lvtest/d", &r);
	tap_ok(is_ok(&r, XS_RM), "rm of a subtree");
	xs_strs(XS_READ, 0, "lvtest/d/e", &r);
	tap_ok(is_error(&r, "ENOENT"), "everything below it went with it");
	xs_strs(XS_GET_DOMAIN_PATH, 0, "7", &r);
	tap_ok(r.type == XS_GET_DOMAIN_PATH && !strcmp(r.body, "/local/domain/7"),
	       "get domain path 7: %s", r.body);
}

static void check_refusals(void)
{
	static const char *const bad[] = {
		"lvtest/bad path", "lvtest//x", "lvtest/x/", "lvtest/q?",
	};
	char deep[512] = "lvtest";
	struct reply r;
	size_t i;
	int refused = 0;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		xs_write(bad[i], "x", &r);
		refused += is_error(&r, "EINVAL");
	}
	tap_ok(refused == 4, "bad paths (a space, //, a trailing /, a '?') are EINVAL (%d of 4)",
	       refused);
	for (i = 0; i < 70; i++)
		strcat(deep, "/d");
	xs_write(deep, "x", &r);
	tap_ok(is_error(&r, "EINVAL"), "a path 71 components deep is EINVAL");
	xs_call(XS_MKDIR, 0, "lvtest/nonul", 12, &r);
	tap_ok(is_error(&r, "EINVAL"), "a path without its NUL is EINVAL (%s)",
	       r.body);
	xs_strs(XS_CONTROL, 0, "print|x", &r);
	tap_ok(is_error(&r, "ENOSYS"), "XS_CONTROL: ENOSYS (%s)", r.body);
	xs_strs(XS_INTRODUCE, 0, "5|1|2", &r);
	tap_ok(is_error(&r, "ENOSYS"), "XS_INTRODUCE: a domain's store manages no domains (%s)",
	       r.body);
	xs_strs(XS_SET_PERMS, 0, "lvtest/a|x1", &r);
	tap_ok(is_error(&r, "EINVAL"), "set perms with a bad entry: EINVAL");
	xs_strs(XS_SET_PERMS, 0, "lvtest/a|n0|r5", &r);
	xs_strs(XS_GET_PERMS, 0, "lvtest/a", &r);
	tap_ok(r.type == XS_GET_PERMS && r.len == 6 && !strcmp(r.body, "n0") &&
	       !strcmp(r.body + 3, "r5"), "set perms n0 r5, and get them back");
}

static void check_watches(void)
{
	struct reply r;

	nr_events = 0;
	xs_strs(XS_WATCH, 0, "lvtest|tok1", &r);
	tap_ok(is_ok(&r, XS_WATCH), "watch lvtest");
	xs_write("lvtest/b", "1", &r);
	tap_ok(wait_event("lvtest tok1"), "the watch's initial event");
	tap_ok(wait_event("lvtest/b tok1"),
	       "a write below it fires it, with the written path");
	xs_write("lvtest2/x/y/z", "1", &r);
	xs_strs(XS_WATCH, 0, "lvtest2/x/y|tok2", &r);
	xs_strs(XS_RM, 0, "lvtest2", &r);
	tap_ok(wait_event("lvtest2/x/y tok2"),
	       "removing an ancestor fires a watch below it, with the watch's path");
	xs_strs(XS_UNWATCH, 0, "lvtest2/x/y|tok2", &r);
	tap_ok(is_ok(&r, XS_UNWATCH), "unwatch");
	xs_strs(XS_UNWATCH, 0, "lvtest|tok1", &r);
}

static void check_transactions(void)
{
	struct reply r;
	uint32_t tx;
	char buf[64];

	xs_strs(XS_TRANSACTION_START, 0, "", &r);
	tx = strtoul(r.body, NULL, 10);
	tap_ok(r.type == XS_TRANSACTION_START && tx > 0,
	       "transaction start: id %u", tx);
	memcpy(buf, "lvtest/t\0in", 11);
	xs_call(XS_WRITE, tx, buf, 11, &r);
	xs_call(XS_TRANSACTION_END, tx, "T", 2, &r);
	tap_ok(is_ok(&r, XS_TRANSACTION_END), "a write in it, and its end");
	xs_strs(XS_READ, 0, "lvtest/t", &r);
	tap_ok(!strcmp(r.body, "in"), "what it wrote is there");
}

/* The store is bounded: it refuses to grow past its nodes, then recovers. */
static void check_bounds(void)
{
	char path[64];
	struct reply r;
	int i;

	for (i = 0; i < 10000; i++) {
		snprintf(path, sizeof(path), "lvtest/many/n%d", i);
		if (xs_write(path, "x", &r) || r.type == XS_ERROR)
			break;
	}
	tap_ok(is_error(&r, "ENOSPC") && i > 1000 && i < 10000,
	       "writing node after node: ENOSPC after %d (%s)", i, r.body);
	xs_strs(XS_RM, 0, "lvtest/many", &r);
	xs_write("lvtest/after", "ok", &r);
	tap_ok(is_ok(&r, XS_WRITE), "removed, the nodes are given back: writes work again");
}

/* "read PATH" or "dir PATH": one request, its answer on stdout. */
static int client(const char *op, const char *path)
{
	struct reply r;
	uint32_t type, i;

	if (!strcmp(op, "read"))
		type = XS_READ;
	else if (!strcmp(op, "dir"))
		type = XS_DIRECTORY;
	else
		return 1;
	if (xs_call(type, 0, path, strlen(path) + 1, &r))
		return 1;
	if (r.type == XS_ERROR) {
		fprintf(stderr, "%s %s: %s\n", op, path, r.body);
		return is_error(&r, "ENOENT") ? 2 : 1;
	}
	if (type == XS_READ) {
		printf("%.*s\n", (int)r.len, r.body);
		return 0;
	}
	for (i = 0; i < r.len; i += strlen(r.body + i) + 1)
		if (r.body[i])
			printf("%s\n", r.body + i);
	return 0;
}

int main(int argc, char **argv)
{
	struct reply r;

	if (argc == 3) {
		xs_fd = open(XENBUS_DEV, O_RDWR | O_CLOEXEC);
		if (xs_fd < 0) {
			perror(XENBUS_DEV);
			return 1;
		}
		return client(argv[1], argv[2]);
	}

	tap_plan(28);
	xs_fd = open(XENBUS_DEV, O_RDWR | O_CLOEXEC);
	if (!tap_ok(xs_fd >= 0, "open %s (%s)", XENBUS_DEV,
		    xs_fd >= 0 ? "ok" : strerror(errno)))
		return tap_done();

	check_nodes();
	check_refusals();
	check_watches();
	check_transactions();
	check_bounds();

	xs_strs(XS_RM, 0, "lvtest", &r);
	tap_ok(is_ok(&r, XS_RM), "the store still serves after all of it");
	close(xs_fd);
	return tap_done();
}
