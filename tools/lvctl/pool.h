/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's pool of pre-created domain shells, and the protocol on its
 * socket: one request, one reply, per SOCK_SEQPACKET connection. Only root
 * can connect (the socket is 0600); the daemon checks every field anyway.
 *
 * A guest made for a client is the client's only once the client has
 * taken the reply: it answers a successful CREATE with LVCTL_POOL_ACK, and
 * the daemon destroys the guest if that never comes (the client gave up,
 * or died). A client gives up after LVCTL_POOL_TIMEOUT_S (or
 * $LVCTL_DAEMON_TIMEOUT seconds), and the daemon does not start on a
 * request whose client has hung up.
 */
#ifndef LVCTL_POOL_H
#define LVCTL_POOL_H

#include <stdint.h>

#include "build.h"
#include "config.h"

#define LVCTL_POOL_SOCKET	"/run/lightvm/daemon.sock"
#define LVCTL_POOL_PROTO	3	/* 3: vifs in the build times */
#define LVCTL_POOL_TIMEOUT_S	10	/* a client waits this long at most */
#define LVCTL_POOL_ACK		0x6b636121	/* the client took its guest */
#define LVCTL_POOL_MAX_SIZES	16
#define LVCTL_POOL_MAX_SHELLS	1024	/* per size */

enum lvctl_pool_op {
	LVCTL_POOL_OP_CREATE = 1,	/* config text follows the header */
	LVCTL_POOL_OP_LIST = 2,		/* nothing follows */
};

/* lvctl_pool_request.flags */
#define LVCTL_POOL_PAUSED	(1U << 0)

struct lvctl_pool_request {
	uint32_t proto;		/* LVCTL_POOL_PROTO */
	uint32_t op;		/* enum lvctl_pool_op */
	uint32_t flags;		/* LVCTL_POOL_* */
	uint32_t len;		/* bytes of config text that follow */
};

enum lvctl_pool_status {
	LVCTL_POOL_OK = 0,
	LVCTL_POOL_FAILED = 1,		/* error says why */
	LVCTL_POOL_NO_SHELL = 2,	/* no ready shell of that size */
};

struct lvctl_pool_reply {
	uint32_t status;	/* enum lvctl_pool_status */
	uint32_t domid;
	struct lvctl_build_times times;
	char error[256];
};

/* One size in a LIST reply. */
struct lvctl_pool_size_info {
	uint32_t memory_mb;
	uint32_t vcpus;
	uint32_t target;	/* shells to keep ready */
	uint32_t ready;
	uint32_t used;		/* handed out since the daemon started */
	uint32_t failed;	/* shells whose build failed */
	uint32_t shell_domids[8];	/* the first ready ones, 0 after */
};

struct lvctl_pool_list_reply {
	uint32_t nr_sizes;
	uint32_t pad;
	struct lvctl_pool_size_info sizes[LVCTL_POOL_MAX_SIZES];
};

/* pool.c: the daemon's side */
struct lvctl_pool;
struct lvctl_pool *lvctl_pool_new(xc_interface *xch, int noxs_fd);
int lvctl_pool_add_size(struct lvctl_pool *pool, const char *spec);
int lvctl_pool_listen(struct lvctl_pool *pool);
int lvctl_pool_fd(const struct lvctl_pool *pool);
int lvctl_pool_timeout_ms(struct lvctl_pool *pool);
void lvctl_pool_refill_one(struct lvctl_pool *pool);
void lvctl_pool_serve(struct lvctl_pool *pool);
void lvctl_pool_free(struct lvctl_pool *pool);

/* cmd_pool.c: the client's side */
int lvctl_pool_create(const struct lvctl_config *cfg, int paused,
		      uint32_t *domid, struct lvctl_build_times *times);

#endif /* LVCTL_POOL_H */
