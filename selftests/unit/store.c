// SPDX-License-Identifier: GPL-2.0
/*
 * store - host-side test of noxs-store's tree and wire protocol
 * (drivers/xen/noxs-store/store.c and protocol.c, built against kshim.h
 * under AddressSanitizer and UBSan): the rules the real test cannot reach
 * directly (bounds, the home's move on restore, internal watches, events
 * dropped when the kernel does not read), then a fuzz of random requests
 * after which the store's accounting must match its tree and everything
 * must be freed. The store as the kernel sees it is tested in the testbed
 * (store_protocol, sysctl.sh, save.sh).
 */
#include "store.h"
#include "tap.h"

unsigned int xsl_max_nodes = 512;
unsigned int xsl_max_watches = 32;
unsigned long xsl_max_bytes = 16 * 1024;

void xsl_kick(void)
{
}

static u32 req_id;
static struct xsd_sockmsg reply;
static char reply_body[XENSTORE_PAYLOAD_MAX + 1];
static char events[64][128];
static int nr_events;

/* Takes every message the store queued for the kernel. */
static void drain(void)
{
	struct xsl_msg *msg, *tmp;
	struct xsd_sockmsg hdr;

	list_for_each_entry_safe(msg, tmp, &xsl.out, list) {
		memcpy(&hdr, msg->data, sizeof(hdr));
		if (hdr.type == XS_WATCH_EVENT) {
			if (nr_events < 64)
				snprintf(events[nr_events++], sizeof(events[0]),
					 "%.60s %.60s", msg->data + sizeof(hdr),
					 msg->data + sizeof(hdr) +
					 strlen(msg->data + sizeof(hdr)) + 1);
		} else {
			reply = hdr;
			memcpy(reply_body, msg->data + sizeof(hdr), hdr.len);
			reply_body[hdr.len] = '\0';
		}
		list_del(&msg->list);
		xsl.out_bytes -= msg->len;
		kfree(msg);
	}
}

static void call(u32 type, u32 tx, const char *payload, size_t len)
{
	static char body[XENSTORE_PAYLOAD_MAX + 1];
	struct xsd_sockmsg hdr = {
		.type = type, .req_id = ++req_id, .tx_id = tx, .len = len,
	};

	memcpy(body, payload, len);
	body[len] = '\0';
	reply.type = XS_INVALID;
	xsl_handle(&hdr, body);
	drain();
}

/* Strings separated by '|' in @args become NUL-terminated ones. */
static void call_strs(u32 type, u32 tx, const char *args)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t len = strlen(args), i;

	memcpy(buf, args, len + 1);
	for (i = 0; i < len; i++)
		if (buf[i] == '|')
			buf[i] = '\0';
	call(type, tx, buf, len + 1);
}

static void write_node(const char *path, const char *value)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t plen = strlen(path) + 1;

	memcpy(buf, path, plen);
	memcpy(buf + plen, value, strlen(value));
	call(XS_WRITE, 0, buf, plen + strlen(value));
}

static int replied(const char *body)
{
	return reply.type != XS_INVALID && !strcmp(reply_body, body);
}

static int has_event(const char *path_token)
{
	int i;

	for (i = 0; i < nr_events; i++)
		if (!strcmp(events[i], path_token))
			return 1;
	return 0;
}

/* Walks the tree without recursion: its nodes, and their values' bytes. */
static void tree_totals(unsigned int *nodes, unsigned long *bytes)
{
	struct xsl_node *node = xsl.root;

	*nodes = 0;
	*bytes = 0;
	while (node) {
		(*nodes)++;
		*bytes += node->len + node->perms_len;
		if (!list_empty(&node->children)) {
			node = list_first_entry(&node->children,
						struct xsl_node, sibling);
			continue;
		}
		while (node->parent &&
		       node->sibling.next == &node->parent->children)
			node = node->parent;
		node = node->parent ? list_next_entry(node, sibling) : NULL;
	}
}

static int accounting_ok(void)
{
	unsigned long bytes;
	unsigned int nodes;

	tree_totals(&nodes, &bytes);
	return nodes == xsl.nr_nodes && bytes == xsl.bytes &&
	       nodes <= xsl_max_nodes && bytes <= xsl_max_bytes;
}

static void check_bounds(void)
{
	char path[64], big[XSL_VALUE_MAX + 2];
	u32 tx;
	int i;

	for (i = 0; i < 1000; i++) {
		snprintf(path, sizeof(path), "many/n%d", i);
		write_node(path, "x");
		if (!replied("OK"))
			break;
	}
	tap_ok(replied("ENOSPC") && xsl.nr_nodes == xsl_max_nodes,
	       "nodes stop at max_nodes (%u): ENOSPC after %d", xsl_max_nodes, i);
	call_strs(XS_RM, 0, "many");
	tap_ok(replied("OK") && accounting_ok(), "removed, they are given back");

	/* The ring carries no more than that; a relay could try. */
	memset(big, 'v', sizeof(big));
	big[sizeof(big) - 1] = '\0';
	tap_ok(xsl_write("/local/domain/5/big", big, XSL_VALUE_MAX + 1,
			 false) == -E2BIG,
	       "a value over %d bytes: E2BIG", XSL_VALUE_MAX);
	big[2000] = '\0';
	for (i = 0; i < 20; i++) {
		snprintf(path, sizeof(path), "heavy/v%d", i);
		write_node(path, big);
		if (!replied("OK"))
			break;
	}
	tap_ok(replied("ENOSPC") && xsl.bytes <= xsl_max_bytes,
	       "values stop at max_bytes (%lu): ENOSPC after %d of 2000 bytes",
	       xsl_max_bytes, i);
	call_strs(XS_RM, 0, "heavy");

	for (i = 0; i < XSL_TX_MAX + 1; i++)
		call_strs(XS_TRANSACTION_START, 0, "");
	tap_ok(replied("ENOSPC"), "transactions stop at %d open", XSL_TX_MAX);
	for (tx = 1; tx <= XSL_TX_MAX; tx++)
		call(XS_TRANSACTION_END, tx, "F", 2);
	call_strs(XS_TRANSACTION_START, 0, "");
	tx = strtoul(reply_body, NULL, 10);
	call(XS_TRANSACTION_END, tx, "F", 2);
	tap_ok(tx > XSL_TX_MAX && replied("OK"),
	       "ended, they can be opened again (id %u, never reused)", tx);

	for (i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "w%d|t", i);
		call_strs(XS_WATCH, 0, path);
		if (!replied("OK"))
			break;
	}
	tap_ok(replied("ENOSPC") && xsl.nr_watches == xsl_max_watches,
	       "watches stop at max_watches (%u)", xsl_max_watches);
	xsl_watches_reset_kernel();
	tap_ok(xsl.nr_watches == 0, "a reset forgets the kernel's watches");
	nr_events = 0;
}

static void check_deep_remove(void)
{
	char path[XSL_PATH_MAX + 1] = "deep";
	int i;

	for (i = 0; i < 60; i++)
		strcat(path, "/d");
	write_node(path, "bottom");
	tap_ok(replied("OK"), "a path 61 components deep");
	call_strs(XS_RM, 0, "deep");
	tap_ok(replied("OK") && accounting_ok(),
	       "its removal frees all of it, without recursion");
}

static int changes;
static char changed_path[128];

static void on_change(struct noxs_store_watch *watch, const char *path)
{
	(void)watch;
	changes++;
	snprintf(changed_path, sizeof(changed_path), "%s", path);
}

static void run_fired(void)
{
	struct xsl_fired *f, *tmp;

	list_for_each_entry_safe(f, tmp, &xsl.fired, list) {
		f->watch->changed(f->watch, f->path);
		list_del(&f->list);
		kfree(f);
	}
}

static void check_internal_watches(void)
{
	static struct noxs_store_watch relay = {
		.path = "control",
		.changed = on_change,
	};

	tap_ok(!xsl_watch_add(relay.path, NULL, &relay), "an internal watch");
	write_node("control/feature-x", "1");
	run_fired();
	tap_ok(changes == 1 && !strcmp(changed_path, "control/feature-x"),
	       "it hears the kernel's writes, relative as registered (%s)",
	       changed_path);
	xsl_write("/local/domain/5/control/y", "1", 1, false);
	run_fired();
	tap_ok(changes == 1, "not its own (internal) writes");
	nr_events = 0;
	call_strs(XS_WATCH, 0, "control/sysrq|k");
	run_fired();
	tap_ok(changes == 2 && !strcmp(changed_path, "control/sysrq") &&
	       has_event("control/sysrq k"),
	       "and hears the kernel start to watch below it (which gets its initial event)");

	tap_ok(!xsl_set_domid(9) && !strcmp(xsl.home, "/local/domain/9"),
	       "a restore moves the home to the new domid");
	call_strs(XS_READ, 0, "control/feature-x");
	tap_ok(replied("1"), "what the kernel wrote relative to it moved along");
	write_node("control/feature-z", "1");
	run_fired();
	tap_ok(changes == 3 && !strcmp(changed_path, "control/feature-z"),
	       "the internal watch moved along too");
	tap_ok(!xsl_watch_remove(relay.path, NULL, &relay), "and goes");
	call_strs(XS_RM, 0, "control");
	xsl_watches_reset_kernel();
}

static void check_dropped_events(void)
{
	char path[32] = { 0 };
	u64 dropped = xsl.events_dropped;
	int i;

	call_strs(XS_WATCH, 0, "flood|f");
	/* Nobody drains: the kernel is not reading its ring. */
	for (i = 0; i < 3000; i++) {
		struct xsd_sockmsg hdr = {
			.type = XS_WRITE, .req_id = ++req_id,
		};

		hdr.len = snprintf(path, sizeof(path), "flood/a%d", i % 10) + 2;
		path[hdr.len - 1] = '1';	/* "flood/aN\01" */
		xsl_handle(&hdr, path);
	}
	/* Replies are never dropped: 3000 "OK"s wait beside the events. */
	tap_ok(xsl.events_dropped > dropped &&
	       xsl.out_bytes <= XSL_OUT_MAX + 3000 * (sizeof(struct xsd_sockmsg) + 3),
	       "events past %d KiB waiting are dropped and counted (%llu)",
	       XSL_OUT_MAX / 1024,
	       (unsigned long long)(xsl.events_dropped - dropped));
	drain();
	call_strs(XS_UNWATCH, 0, "flood|f");
	call_strs(XS_RM, 0, "flood");
	nr_events = 0;
}

/* Random requests: nothing breaks, the accounting stays true. */
static void fuzz(unsigned int rounds)
{
	static const char alphabet[] = "ab/0@-_ \0|?\xff.";
	static const u32 types[] = {
		XS_READ, XS_WRITE, XS_MKDIR, XS_RM, XS_DIRECTORY, XS_WATCH,
		XS_UNWATCH, XS_TRANSACTION_START, XS_TRANSACTION_END,
		XS_GET_PERMS, XS_SET_PERMS, XS_GET_DOMAIN_PATH,
		XS_RESET_WATCHES, XS_CONTROL, 99,
	};
	char body[XENSTORE_PAYLOAD_MAX + 1];
	unsigned int i, j, len, bad = 0;

	srandom(1);
	for (i = 0; i < rounds; i++) {
		struct xsd_sockmsg hdr = {
			.type = types[random() % ARRAY_SIZE(types)],
			.req_id = i,
			.tx_id = random() % 8 ? 0 : random() % 70,
		};

		len = random() % 4 ? random() % 24 : random() % 300;
		for (j = 0; j < len; j++)
			body[j] = alphabet[random() % (sizeof(alphabet) - 1)];
		if (len && random() % 2)
			body[len - 1] = '\0';
		body[len] = '\0';
		hdr.len = len;
		xsl_handle(&hdr, body);
		drain();
		if (i % 1000 == 0 && !accounting_ok())
			bad++;
	}
	tap_ok(!bad && accounting_ok(),
	       "%u random requests: the node and byte counts match the tree (%u nodes)",
	       rounds, xsl.nr_nodes);
	xsl_watches_reset_kernel();
}

int main(void)
{
	tap_plan(22);
	tap_ok(!xsl_store_init(5) && !strcmp(xsl.home, "/local/domain/5"),
	       "a store for domain 5, its home at /local/domain/5");
	check_bounds();
	check_deep_remove();
	check_internal_watches();
	check_dropped_events();
	fuzz(1000000);
	xsl_store_fini();
	tap_ok(xsl.nr_nodes == 0 && xsl.nr_watches == 0 && xsl.bytes == 0,
	       "everything freed (LeakSanitizer checks at exit)");
	return tap_done();
}
