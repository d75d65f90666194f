/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's parts: its loop and clients (daemon_loop.c), one handler
 * per API op (daemon_ops.c), the table of guests that events come from
 * (guest_watch.c), where it learns of domain deaths (domain_events.c),
 * and the pool (pool.h).
 *
 * The daemon is one thread; nothing here locks. It serves one request of
 * a client at a time, in the order that client sent them, and goes round
 * the clients, so that one client's pipeline cannot starve another.
 */
#ifndef LVCTL_DAEMON_H
#define LVCTL_DAEMON_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <lightvm/lightvm_api.h>

#include "pool.h"

struct daemon_client;
struct domain_events;

/* What the ops work with: the daemon's Xen and noxs handles, its pool. */
struct daemon_ctx {
	xc_interface *xch;
	int noxs_fd;
	struct lvctl_pool *pool;
};

/* A request, checked against its op's rules, as handed to the op. */
struct daemon_request {
	struct daemon_client *client;
	const struct lightvm_msg_header *hdr;
	const void *body;	/* after the header */
	size_t body_len;
	double deadline_ms;	/* CLOCK_MONOTONIC, ms */
};

/* daemon_loop.c: replies, clients, events */
void *daemon_reply_new(const struct lightvm_msg_header *hdr, size_t body_len);
void daemon_reply_free(void *body);
void daemon_reply_trim(void *body, size_t unused);
void daemon_send(struct daemon_client *client, void *body);
void daemon_send_error(struct daemon_client *client,
		       const struct lightvm_msg_header *hdr, int err,
		       const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int daemon_client_gone(const struct daemon_client *client);
void daemon_client_subscribe(struct daemon_client *client, uint32_t mask);
int daemon_client_hold(struct daemon_client *client, uint64_t request_id,
		       uint32_t domid, const char *name);
int daemon_client_ack(struct daemon_client *client, uint64_t request_id);
int daemon_guest_unacked(uint32_t domid);
void daemon_event(uint32_t type, uint32_t domid, uint32_t reason,
		  const char *name);
struct lvctl_reaped;
void daemon_log_reaped(uint32_t domid, const struct lvctl_reaped *done);
void daemon_defer_refills(void);
int daemon_run(struct daemon_ctx *ctx, int listen_fd, struct domain_events *ev,
	       const sigset_t *waitmask, volatile sig_atomic_t *stop);

/* domain_events.c: how the daemon learns of domains' shutdowns and deaths */
struct domain_events *domain_events_open(void);
int domain_events_fd(const struct domain_events *ev);
int domain_events_take(struct domain_events *ev);
int domain_events_scan_ms(const struct domain_events *ev);
const char *domain_events_source(const struct domain_events *ev);
void domain_events_close(struct domain_events *ev);

/* daemon_ops.c: one handler per op, and the waits SHUTDOWN leaves */
int daemon_op_check(const struct lightvm_msg_header *hdr, size_t body_len,
		    const char **why);
void daemon_op_serve(struct daemon_ctx *ctx, const struct daemon_request *req);
void daemon_waits_check(struct daemon_ctx *ctx, double now_ms);
double daemon_waits_next_deadline(void);
void daemon_waits_drop(const struct daemon_client *client);

/* guest_watch.c: the lightvm guests the daemon knows of */
struct watched_guest {
	uint32_t domid;
	uint32_t shutdown;		/* seen shut down */
	uint32_t reason;		/* Xen's SHUTDOWN_* then */
	char name[LIGHTVM_NAME_SIZE];
};

void guest_watch_scan(xc_interface *xch, int noxs_fd);
void guest_watch_started(uint32_t domid, const char *name);
void guest_watch_gone(uint32_t domid);
const struct watched_guest *guest_watch_by_domid(uint32_t domid);
const struct watched_guest *guest_watch_by_name(const char *name);
void guest_watch_free(void);

#endif /* LVCTL_DAEMON_H */
