/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lightvm_api.h - the lightvm daemon's socket protocol, version 1.
 *
 * A client connects to LIGHTVM_API_SOCKET (AF_UNIX, SOCK_SEQPACKET; root
 * only) and sends requests; the daemon answers each with one reply, and
 * sends events to clients that subscribed. Every message is one packet:
 * a struct lightvm_msg_header, then the body its op says, nothing more.
 * Documentation/api.md describes each message and what the daemon does.
 *
 * The layout rules of the kernel's uapi headers hold here too: fixed-width
 * types only, no pointers and no floating point, every struct a multiple
 * of 8 bytes with its padding explicit and zero, strings NUL-terminated
 * within their arrays. The daemon refuses any message that breaks them
 * (unknown op or flag, non-zero padding, a length that is not the op's)
 * with a reply that says which rule, and changes nothing.
 *
 * Requests may be pipelined: a client can send many before reading a
 * reply. Replies carry their request's id; the daemon serves a
 * connection's requests in order, except that a waiting SHUTDOWN answers
 * when its guest is gone.
 */
#ifndef LIGHTVM_API_H
#define LIGHTVM_API_H

#include <stdint.h>

#define LIGHTVM_API_SOCKET	"/run/lightvm/daemon.sock"
#define LIGHTVM_API_MAGIC	0x314d564cU	/* "LVM1" */
#define LIGHTVM_API_VERSION	1

#define LIGHTVM_NAME_SIZE	64	/* as a NoXS guest name, NUL included */
#define LIGHTVM_ERROR_SIZE	256
#define LIGHTVM_CONFIG_MAX	(64 * 1024)	/* bytes of config text */
#define LIGHTVM_MSG_MAX		(LIGHTVM_CONFIG_MAX + 1024)
#define LIGHTVM_LIST_MAX	256	/* guests in one LIST reply */
#define LIGHTVM_CMDLINE_SIZE	1024	/* a guest's, NUL included (Xen's) */
#define LIGHTVM_PATH_SIZE	256
#define LIGHTVM_POOL_MAX_SIZES	16
#define LIGHTVM_POOL_MAX_TEMPLATES 16
#define LIGHTVM_POOL_SHOWN	8	/* shell domids in a pool entry */

/* Deadlines: the default, and the furthest one the daemon takes. */
#define LIGHTVM_DEADLINE_DEFAULT_MS	10000	/* for deadline_ms == 0 */
#define LIGHTVM_DEADLINE_MAX_MS		3600000

enum lightvm_msg_kind {
	LIGHTVM_KIND_REQUEST = 1,
	LIGHTVM_KIND_REPLY = 2,
	LIGHTVM_KIND_EVENT = 3,
};

enum lightvm_op {
	LIGHTVM_OP_CREATE = 1,		/* config text; replies create_reply */
	LIGHTVM_OP_ACK = 2,		/* the client took a created guest */
	LIGHTVM_OP_DESTROY = 3,		/* guest_ref */
	LIGHTVM_OP_SHUTDOWN = 4,	/* shutdown_req; replies shutdown_reply */
	LIGHTVM_OP_LIST = 5,		/* list_req; replies list_reply */
	LIGHTVM_OP_INFO = 6,		/* guest_ref; replies guest_info */
	LIGHTVM_OP_POOL_LIST = 7,	/* nothing; replies pool_list_reply */
	LIGHTVM_OP_POOL_SET = 8,	/* pool_size_req */
	LIGHTVM_OP_SUBSCRIBE = 9,	/* subscribe_req */
	LIGHTVM_OP_EVENT = 10,		/* kind EVENT: struct lightvm_event */
	LIGHTVM_OP_TEMPLATE_SET = 11,	/* template_req */
	LIGHTVM_OP_CREATE_TEMPLATE = 12, /* create_template_req; create_reply */
};

/**
 * struct lightvm_msg_header - the start of every message
 * @magic:	LIGHTVM_API_MAGIC
 * @version:	LIGHTVM_API_VERSION
 * @op:		enum lightvm_op; a reply repeats its request's
 * @kind:	enum lightvm_msg_kind
 * @length:	bytes of the whole message, this header included
 * @request_id:	chosen by the client, repeated in the reply; 0 in events
 * @deadline_ns: requests: this host's CLOCK_MONOTONIC time by which the
 *		reply is due (0: LIGHTVM_DEADLINE_DEFAULT_MS after the daemon
 *		reads it). A request still unread at its deadline is answered
 *		ETIMEDOUT with nothing done; one that cannot finish by it
 *		(a waited shutdown) is answered ETIMEDOUT then. Zero in
 *		replies and events.
 * @flags:	per op (LIGHTVM_CREATE_*, ...); zero where none are defined
 * @pad:	zero
 */
struct lightvm_msg_header {
	uint32_t magic;
	uint16_t version;
	uint16_t op;
	uint32_t kind;
	uint32_t length;
	uint64_t request_id;
	uint64_t deadline_ns;
	uint32_t flags;
	uint32_t pad;
};

/**
 * struct lightvm_reply_status - the start of every reply's body
 * @status:	0, or a positive errno value saying what failed
 * @pad:	zero
 * @error:	when @status is not 0, one line saying why
 *
 * The op's own reply body follows only when @status is 0.
 */
struct lightvm_reply_status {
	int32_t status;
	uint32_t pad;
	char error[LIGHTVM_ERROR_SIZE];
};

/**
 * struct lightvm_guest_ref - which guest a request is about
 * @domid:	its domid, or 0 to go by @name
 * @pad:	zero
 * @name:	its name, or "" to go by @domid; if both are given they
 *		must name the same guest (ESTALE otherwise)
 */
struct lightvm_guest_ref {
	uint32_t domid;
	uint32_t pad;
	char name[LIGHTVM_NAME_SIZE];
};

/* --- CREATE ------------------------------------------------------------- */

/* lightvm_msg_header.flags of CREATE */
#define LIGHTVM_CREATE_PAUSED	(1U << 0)	/* leave it paused */
#define LIGHTVM_CREATE_FLAGS	LIGHTVM_CREATE_PAUSED

/**
 * struct lightvm_create_req - a guest from xl.cfg-style text
 * @config_len:	bytes of config text after this struct (1 to
 *		LIGHTVM_CONFIG_MAX), all of the message's rest; no NUL
 * @pad:	zero
 *
 * File names in the text are the daemon's: absolute ones only.
 */
struct lightvm_create_req {
	uint32_t config_len;
	uint32_t pad;
};

/* lightvm_create_reply.source */
enum lightvm_source {
	LIGHTVM_SOURCE_SCRATCH = 1,	/* built on the request */
	LIGHTVM_SOURCE_POOL = 2,	/* from a shell of the size pool */
	LIGHTVM_SOURCE_TEMPLATE = 3,	/* from a template's built shell */
};

/**
 * struct lightvm_phase_times - what a creation spent where, in us
 *
 * The phases of `lvctl create --profile`, measured in the daemon.
 */
struct lightvm_phase_times {
	uint32_t domain_us;	/* domain created, vcpus and maxmem set */
	uint32_t devices_us;	/* noxs record, sysctl device, console */
	uint32_t memory_us;	/* guest memory populated */
	uint32_t load_us;	/* kernel and ramdisk read and parsed */
	uint32_t image_us;	/* image built, grant table seeded */
	uint32_t console_us;	/* console backend attached */
	uint32_t unpause_us;
	uint32_t vifs_us;	/* vif devices, their bridges */
	uint32_t disks_us;	/* loop devices, vbd devices */
	uint32_t request_us;	/* the daemon's time on the request, all in */
};

/**
 * struct lightvm_create_reply - a guest was made (status 0)
 * @domid:	its domid
 * @source:	enum lightvm_source
 * @times:	its phases
 *
 * The guest is the client's once it sends an ACK with this request's
 * id; if the connection closes first, the daemon destroys the guest, so
 * that a client that died after asking leaves nothing behind.
 */
struct lightvm_create_reply {
	uint32_t domid;
	uint32_t source;
	struct lightvm_phase_times times;
};

/* --- CREATE_TEMPLATE -------------------------------------------------- */

/**
 * struct lightvm_create_template_req - a guest from a template
 * @template:	the template's name
 * @name:	the new guest's name
 * @cmdline_len: bytes of command line after this struct (0 to
 *		LIGHTVM_CMDLINE_SIZE - 1, no NUL), all of the message's
 *		rest; 0 keeps the template's own
 * @pad:	zero
 *
 * The guest is the template's configuration under @name, with the
 * command line given. Flags and reply are CREATE's; so is ownership
 * (ACK). When the template has no ready shell (or its kernel changed),
 * the guest is built from scratch from the same configuration.
 */
struct lightvm_create_template_req {
	char template_name[LIGHTVM_NAME_SIZE];
	char name[LIGHTVM_NAME_SIZE];
	uint32_t cmdline_len;
	uint32_t pad;
};

/* --- SHUTDOWN ----------------------------------------------------------- */

/* lightvm_shutdown_req.reason */
enum lightvm_shutdown_reason {
	LIGHTVM_SHUTDOWN_POWEROFF = 1,
	LIGHTVM_SHUTDOWN_REBOOT = 2,
};

/* lightvm_msg_header.flags of SHUTDOWN */
#define LIGHTVM_SHUTDOWN_WAIT	(1U << 0)	/* answer when it is done */
#define LIGHTVM_SHUTDOWN_FLAGS	LIGHTVM_SHUTDOWN_WAIT

/**
 * struct lightvm_shutdown_req - ask a guest's kernel to power off or reboot
 * @guest:	which
 * @reason:	enum lightvm_shutdown_reason
 * @pad:	zero
 *
 * Without LIGHTVM_SHUTDOWN_WAIT the reply comes once the guest has taken
 * the request; with it, once the guest is gone (poweroff) or running
 * again under its name (reboot), or at the deadline with ETIMEDOUT.
 */
struct lightvm_shutdown_req {
	struct lightvm_guest_ref guest;
	uint32_t reason;
	uint32_t pad;
};

/**
 * struct lightvm_shutdown_reply - the request's end
 * @domid:	the guest's domid after a waited reboot; else its old one
 * @pad:	zero
 */
struct lightvm_shutdown_reply {
	uint32_t domid;
	uint32_t pad;
};

/* --- LIST and INFO ------------------------------------------------------ */

/**
 * struct lightvm_list_req - one page of guests
 * @first_domid: start here (1 for the first page)
 * @max:	at most this many, 1 to LIGHTVM_LIST_MAX
 */
struct lightvm_list_req {
	uint32_t first_domid;
	uint32_t max;
};

/* lightvm_guest_info.state */
#define LIGHTVM_STATE_RUNNING	(1U << 0)	/* unpaused, not shut down */
#define LIGHTVM_STATE_PAUSED	(1U << 1)
#define LIGHTVM_STATE_SHUTDOWN	(1U << 2)	/* shut down, not yet gone */
#define LIGHTVM_STATE_DYING	(1U << 3)
#define LIGHTVM_STATE_UNACKED	(1U << 4)	/* made, its client not yet sure */

/**
 * struct lightvm_guest_info - one lightvm guest
 * @domid:	its domid
 * @state:	LIGHTVM_STATE_*
 * @vcpus:	vcpus it has
 * @shutdown_reason: Xen's SHUTDOWN_* when LIGHTVM_STATE_SHUTDOWN
 * @memory_kb:	memory it has now
 * @cpu_time_ns: CPU time its vcpus have used
 * @name:	its name
 */
struct lightvm_guest_info {
	uint32_t domid;
	uint32_t state;
	uint32_t vcpus;
	uint32_t shutdown_reason;
	uint64_t memory_kb;
	uint64_t cpu_time_ns;
	char name[LIGHTVM_NAME_SIZE];
};

/**
 * struct lightvm_list_reply - a page of guests, followed by @nr
 *	struct lightvm_guest_info, by domid
 * @nr:		how many follow
 * @next_domid:	where the next page starts; 0 after the last
 */
struct lightvm_list_reply {
	uint32_t nr;
	uint32_t next_domid;
};

/* --- POOL_LIST and POOL_SET --------------------------------------------- */

/**
 * struct lightvm_pool_size - one size of the daemon's pool of shells
 * @memory_mb, @vcpus: the shells' size
 * @target:	shells to keep ready
 * @ready:	shells ready now
 * @used:	shells handed out since the daemon started
 * @failed:	shells whose build failed
 * @shell_domids: the first ready shells' domids, 0 after
 */
struct lightvm_pool_size {
	uint32_t memory_mb;
	uint32_t vcpus;
	uint32_t target;
	uint32_t ready;
	uint32_t used;
	uint32_t failed;
	uint32_t shell_domids[LIGHTVM_POOL_SHOWN];
};

/**
 * struct lightvm_pool_template - one template of the daemon's pool
 * @name:	the template's name (its config's guest name)
 * @memory_mb, @vcpus: its shells' size
 * @target, @ready, @used, @failed: as for a size
 * @stale:	shells dropped because the kernel or ramdisk changed
 * @pad:	zero
 * @shell_domids: the first ready shells' domids, 0 after
 * @kernel:	its kernel's path (cut short if longer)
 */
struct lightvm_pool_template {
	char name[LIGHTVM_NAME_SIZE];
	uint32_t memory_mb;
	uint32_t vcpus;
	uint32_t target;
	uint32_t ready;
	uint32_t used;
	uint32_t failed;
	uint32_t stale;
	uint32_t pad;
	uint32_t shell_domids[LIGHTVM_POOL_SHOWN];
	char kernel[LIGHTVM_PATH_SIZE];
};

/**
 * struct lightvm_pool_list_reply - the pool, followed by @nr_sizes
 *	struct lightvm_pool_size, then @nr_templates
 *	struct lightvm_pool_template
 * @nr_sizes:	at most LIGHTVM_POOL_MAX_SIZES
 * @nr_templates: at most LIGHTVM_POOL_MAX_TEMPLATES
 */
struct lightvm_pool_list_reply {
	uint32_t nr_sizes;
	uint32_t nr_templates;
};

/**
 * struct lightvm_pool_size_req - how many shells of a size to keep ready
 * @memory_mb:	1 to 1048576
 * @vcpus:	1 to 128
 * @target:	0 to 1024; 0 drops the size and destroys its shells
 * @pad:	zero
 */
struct lightvm_pool_size_req {
	uint32_t memory_mb;
	uint32_t vcpus;
	uint32_t target;
	uint32_t pad;
};

/**
 * struct lightvm_template_req - define, resize or drop a template
 * @name:	the template's name
 * @target:	shells to keep ready, 0 to 1024; 0 drops the template
 * @config_len:	bytes of config text after this struct (at most
 *		LIGHTVM_CONFIG_MAX), all of the message's rest: the guest
 *		configuration whose shells are built ahead (its name =
 *		@name; maxmem = memory). 0: only @target changes.
 *
 * A template defined again drops its shells built from the old config.
 */
struct lightvm_template_req {
	char name[LIGHTVM_NAME_SIZE];
	uint32_t target;
	uint32_t config_len;
};

/* --- SUBSCRIBE and events ----------------------------------------------- */

enum lightvm_event_type {
	LIGHTVM_EVENT_STARTED = 1,	/* a guest exists (created, restarted) */
	LIGHTVM_EVENT_SHUTDOWN = 2,	/* it shut down; reason says how */
	LIGHTVM_EVENT_DESTROYED = 3,	/* it is gone */
	LIGHTVM_EVENT_LOST = 4,		/* events were dropped for this client */
};

#define LIGHTVM_EVENT_MASK(type)	(1U << (type))
#define LIGHTVM_EVENT_ALL	(LIGHTVM_EVENT_MASK(LIGHTVM_EVENT_STARTED) | \
				 LIGHTVM_EVENT_MASK(LIGHTVM_EVENT_SHUTDOWN) | \
				 LIGHTVM_EVENT_MASK(LIGHTVM_EVENT_DESTROYED))

/**
 * struct lightvm_subscribe_req - which events this connection gets
 * @mask:	LIGHTVM_EVENT_MASK()s of the types wanted; 0 stops them
 * @pad:	zero
 *
 * Events come as kind-EVENT messages with op LIGHTVM_OP_EVENT, between
 * replies. A client that lets LIGHTVM_EVENT_BACKLOG of them pile up
 * unread misses the rest until it reads, and then gets one
 * LIGHTVM_EVENT_LOST: it never stalls the daemon or other clients.
 */
struct lightvm_subscribe_req {
	uint32_t mask;
	uint32_t pad;
};

#define LIGHTVM_EVENT_BACKLOG	4096

/**
 * struct lightvm_event - something happened to a guest
 * @type:	enum lightvm_event_type
 * @domid:	the guest's domid
 * @reason:	for SHUTDOWN, Xen's SHUTDOWN_* (0 poweroff, 1 reboot,
 *		2 suspend, 3 crash, 4 watchdog); 0 otherwise
 * @pad:	zero
 * @time_ns:	CLOCK_REALTIME when the daemon saw it
 * @name:	the guest's name
 */
struct lightvm_event {
	uint32_t type;
	uint32_t domid;
	uint32_t reason;
	uint32_t pad;
	uint64_t time_ns;
	char name[LIGHTVM_NAME_SIZE];
};

#endif /* LIGHTVM_API_H */
