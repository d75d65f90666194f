// SPDX-License-Identifier: GPL-2.0
/*
 * The local store's node tree and watches.
 *
 * One tree per domain, rooted at "/", with the domain's home at
 * /local/domain/DOMID: relative paths are taken from there, as xenstored
 * does. Every function here runs with xsl.lock held. Sizes are bounded
 * (xsl_max_nodes, xsl_max_bytes, xsl_max_watches, XSL_PATH_MAX,
 * XSL_VALUE_MAX, XSL_OUT_MAX); nothing is freed recursively, so a deep
 * path costs no stack.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "store.h"

/* Components of a path; kernel clients use fewer than ten. */
#define XSL_DEPTH_MAX	64

struct xsl_store xsl;

static bool xsl_path_char(char c)
{
	return isalnum(c) || (c && strchr("-/_@", c));
}

/*
 * @path as the kernel sent it, into @abs (XSL_PATH_MAX + 1 bytes) as an
 * absolute path; *@relative says whether it was relative. -EINVAL for an
 * empty path, a character xenstored would refuse, an empty component, a
 * trailing '/', or a path too long or too deep.
 */
int xsl_canonical(const char *path, char *abs, bool *relative)
{
	size_t len = strlen(path), depth = 0;
	const char *p;

	if (!len || path[0] == '@')
		return -EINVAL;
	for (p = path; *p; p++) {
		if (!xsl_path_char(*p))
			return -EINVAL;
		depth += *p == '/';
	}
	*relative = path[0] != '/';
	if (*relative) {
		if (strlen(xsl.home) + 1 + len > XSL_PATH_MAX)
			return -EINVAL;
		snprintf(abs, XSL_PATH_MAX + 1, "%s/%s", xsl.home, path);
	} else {
		if (len > XSL_PATH_MAX)
			return -EINVAL;
		memcpy(abs, path, len + 1);
	}
	len = strlen(abs);
	if (depth > XSL_DEPTH_MAX || strstr(abs, "//") ||
	    (len > 1 && abs[len - 1] == '/'))
		return -EINVAL;
	return 0;
}

/* Is @path @top, or below it? */
static bool xsl_below(const char *path, const char *top)
{
	size_t n = strlen(top);

	if (n == 1)	/* "/" */
		return true;
	return !strncmp(path, top, n) && (path[n] == '\0' || path[n] == '/');
}

static struct xsl_node *xsl_child(struct xsl_node *parent, const char *name,
				  size_t len)
{
	struct xsl_node *child;

	list_for_each_entry(child, &parent->children, sibling)
		if (strlen(child->name) == len && !memcmp(child->name, name, len))
			return child;
	return NULL;
}

/* The node at the first @len bytes of absolute @abs, or NULL. */
static struct xsl_node *xsl_lookup_n(const char *abs, size_t len)
{
	struct xsl_node *node = xsl.root;
	const char *p = abs + 1, *stop = abs + len, *end;

	while (p < stop && node) {
		end = memchr(p, '/', stop - p);
		if (!end)
			end = stop;
		node = xsl_child(node, p, end - p);
		p = end < stop ? end + 1 : stop;
	}
	return node;
}

static struct xsl_node *xsl_lookup(const char *abs)
{
	return xsl_lookup_n(abs, strlen(abs));
}

static struct xsl_node *xsl_node_new(struct xsl_node *parent,
				     const char *name, size_t len, int *err)
{
	struct xsl_node *node;

	if (xsl.nr_nodes >= xsl_max_nodes) {
		*err = -ENOSPC;
		return NULL;
	}
	node = kzalloc(struct_size(node, name, len + 1), GFP_KERNEL);
	if (!node) {
		*err = -ENOMEM;
		return NULL;
	}
	memcpy(node->name, name, len);
	INIT_LIST_HEAD(&node->children);
	node->parent = parent;
	if (parent)
		list_add_tail(&node->sibling, &parent->children);
	xsl.nr_nodes++;
	return node;
}

static void xsl_node_free(struct xsl_node *node)
{
	xsl.bytes -= node->len + node->perms_len;
	kfree(node->value);
	kfree(node->perms);
	kfree(node);
	xsl.nr_nodes--;
}

/* Frees @top and everything below it, leaves first, without recursion. */
static void xsl_free_subtree(struct xsl_node *top)
{
	struct xsl_node *node = top, *parent;

	for (;;) {
		while (!list_empty(&node->children))
			node = list_first_entry(&node->children,
						struct xsl_node, sibling);
		parent = node->parent;
		if (node != xsl.root)
			list_del(&node->sibling);
		xsl_node_free(node);
		if (node == top)
			return;
		node = parent;
	}
}

/* The node at @abs, made with its missing ancestors if need be. */
static struct xsl_node *xsl_make(const char *abs, bool *made, int *err)
{
	struct xsl_node *node = xsl.root, *child;
	const char *p = abs + 1, *end;

	*made = false;
	while (*p) {
		end = strchrnul(p, '/');
		child = xsl_child(node, p, end - p);
		if (!child) {
			child = xsl_node_new(node, p, end - p, err);
			if (!child)
				return NULL;
			*made = true;
		}
		node = child;
		p = *end ? end + 1 : end;
	}
	return node;
}

/* --- watches ----------------------------------------------------------------- */

/* How a watch sees @abs: relative to home if it was registered so. */
static const char *xsl_as_seen(const struct xsl_watch *watch, const char *abs)
{
	size_t n = strlen(xsl.home);

	if (watch->relative && !strncmp(abs, xsl.home, n) && abs[n] == '/')
		return abs + n + 1;
	return abs;
}

static void xsl_fire_internal(struct noxs_store_watch *watch, const char *path)
{
	struct xsl_fired *fired;

	fired = kmalloc(struct_size(fired, path, strlen(path) + 1), GFP_KERNEL);
	if (!fired) {
		pr_warn_ratelimited("out of memory: a change of %s is not passed on\n",
				    path);
		return;
	}
	fired->watch = watch;
	strcpy(fired->path, path);
	list_add_tail(&fired->list, &xsl.fired);
}

static void xsl_fire_one(struct xsl_watch *watch, const char *abs,
			 bool from_kernel)
{
	const char *path = xsl_as_seen(watch, abs);

	if (!watch->internal) {
		xsl_queue(XS_WATCH_EVENT, 0, 0, path, strlen(path) + 1,
			  watch->token, strlen(watch->token) + 1);
	} else if (from_kernel) {
		xsl_fire_internal(watch->internal, path);
	}
}

/*
 * A change of @abs fires the watches on it and on its ancestors; with
 * @removed, also those below it (each sees its own path).
 */
static void xsl_fire(const char *abs, bool removed, bool from_kernel)
{
	struct xsl_watch *watch;

	list_for_each_entry(watch, &xsl.watches, list) {
		if (watch->path[0] == '@')
			continue;
		if (xsl_below(abs, watch->path))
			xsl_fire_one(watch, abs, from_kernel);
		else if (removed && xsl_below(watch->path, abs))
			xsl_fire_one(watch, watch->path, from_kernel);
	}
}

static struct xsl_watch *xsl_watch_find(const char *path, const char *token,
					struct noxs_store_watch *internal)
{
	struct xsl_watch *watch;

	list_for_each_entry(watch, &xsl.watches, list) {
		if (watch->internal != internal || strcmp(watch->path, path))
			continue;
		if (internal || !strcmp(watch->token, token))
			return watch;
	}
	return NULL;
}

/* A watch path as registered: "@special" stays, the rest made absolute. */
static int xsl_watch_path(const char *path, char *abs, bool *relative)
{
	if (path[0] == '@') {
		*relative = false;
		if (strlen(path) > XSL_PATH_MAX)
			return -EINVAL;
		strcpy(abs, path);
		return 0;
	}
	return xsl_canonical(path, abs, relative);
}

/*
 * The kernel watches @abs from now on: what it handles may have changed
 * (after a resume it watches everything anew), so the internal watches on
 * @abs or above it hear of it.
 */
static void xsl_kernel_now_watches(const char *abs)
{
	struct xsl_watch *watch;

	list_for_each_entry(watch, &xsl.watches, list)
		if (watch->internal && xsl_below(abs, watch->path))
			xsl_fire_internal(watch->internal,
					  xsl_as_seen(watch, abs));
}

/*
 * Registers the kernel's watch (@token) or an internal one. The caller
 * sends the initial event the protocol promises.
 */
/* Scratch for the watch functions, under xsl.lock: too big for the stack. */
static char xsl_watch_abs[XSL_PATH_MAX + 1];

int xsl_watch_add(const char *path, const char *token,
		  struct noxs_store_watch *internal)
{
	char *abs = xsl_watch_abs;
	struct xsl_watch *watch;
	bool relative;
	int err;

	err = xsl_watch_path(path, abs, &relative);
	if (err)
		return err;
	if (xsl_watch_find(abs, token, internal))
		return -EEXIST;
	if (xsl.nr_watches >= xsl_max_watches)
		return -ENOSPC;

	watch = kzalloc(sizeof(*watch), GFP_KERNEL);
	if (!watch)
		return -ENOMEM;
	watch->path = kstrdup(abs, GFP_KERNEL);
	watch->token = internal ? NULL : kstrdup(token, GFP_KERNEL);
	if (!watch->path || (!internal && !watch->token)) {
		kfree(watch->path);
		kfree(watch->token);
		kfree(watch);
		return -ENOMEM;
	}
	watch->relative = relative;
	watch->internal = internal;
	list_add_tail(&watch->list, &xsl.watches);
	xsl.nr_watches++;
	if (!internal && abs[0] == '/')
		xsl_kernel_now_watches(abs);
	return 0;
}

static void xsl_watch_free(struct xsl_watch *watch)
{
	list_del(&watch->list);
	kfree(watch->path);
	kfree(watch->token);
	kfree(watch);
	xsl.nr_watches--;
}

int xsl_watch_remove(const char *path, const char *token,
		     struct noxs_store_watch *internal)
{
	char *abs = xsl_watch_abs;
	struct xsl_watch *watch;
	struct xsl_fired *fired, *tmp;
	bool relative;
	int err;

	err = xsl_watch_path(path, abs, &relative);
	if (err)
		return err;
	watch = xsl_watch_find(abs, token, internal);
	if (!watch)
		return -ENOENT;
	xsl_watch_free(watch);

	/* Nothing queued for an internal watch may outlive it. */
	list_for_each_entry_safe(fired, tmp, &xsl.fired, list) {
		if (internal && fired->watch == internal) {
			list_del(&fired->list);
			kfree(fired);
		}
	}
	return 0;
}

/* The kernel's watches go: after a resume, xenbus registers them anew. */
void xsl_watches_reset_kernel(void)
{
	struct xsl_watch *watch, *tmp;

	list_for_each_entry_safe(watch, tmp, &xsl.watches, list)
		if (!watch->internal)
			xsl_watch_free(watch);
}

/* Does the kernel watch exactly @abs? */
bool xsl_kernel_watches(const char *abs)
{
	struct xsl_watch *watch;

	list_for_each_entry(watch, &xsl.watches, list)
		if (!watch->internal && !strcmp(watch->path, abs))
			return true;
	return false;
}

/* --- nodes ------------------------------------------------------------------- */

int xsl_read(const char *abs, const char **value, unsigned int *len)
{
	struct xsl_node *node = xsl_lookup(abs);

	if (!node)
		return -ENOENT;
	*value = node->value ? node->value : "";
	*len = node->len;
	return 0;
}

int xsl_write(const char *abs, const char *value, unsigned int len,
	      bool from_kernel)
{
	struct xsl_node *node;
	char *copy = NULL;
	bool made;
	int err;

	if (len > XSL_VALUE_MAX)
		return -E2BIG;
	node = xsl_lookup(abs);
	if (xsl.bytes - (node ? node->len : 0) + len > xsl_max_bytes)
		return -ENOSPC;
	if (len) {
		copy = kmemdup(value, len, GFP_KERNEL);
		if (!copy)
			return -ENOMEM;
	}
	node = xsl_make(abs, &made, &err);
	if (!node) {
		kfree(copy);
		return err;
	}
	xsl.bytes += len;
	xsl.bytes -= node->len;
	kfree(node->value);
	node->value = copy;
	node->len = len;
	xsl_fire(abs, false, from_kernel);
	return 0;
}

int xsl_mkdir(const char *abs, bool from_kernel)
{
	bool made;
	int err;

	if (!xsl_make(abs, &made, &err))
		return err;
	if (made)
		xsl_fire(abs, false, from_kernel);
	return 0;
}

/*
 * Removes @abs and all below it. Like xenstored: a missing node whose
 * parent exists is no error; the root and the home cannot go.
 */
int xsl_remove(const char *abs, bool from_kernel)
{
	struct xsl_node *node;
	const char *slash;

	if (!strcmp(abs, "/") || !strcmp(abs, xsl.home))
		return -EINVAL;
	node = xsl_lookup(abs);
	if (!node) {
		slash = strrchr(abs, '/');
		return xsl_lookup_n(abs, slash - abs) ? 0 : -ENOENT;
	}
	xsl_free_subtree(node);
	xsl_fire(abs, true, from_kernel);
	return 0;
}

/*
 * Removes @abs, then each ancestor left empty (no value, no child) that
 * is below @keep: what a device's teardown made, and nothing more.
 * Modifies @abs.
 */
int xsl_prune(char *abs, const char *keep, bool from_kernel)
{
	struct xsl_node *node;
	char *slash;
	int err;

	if (!xsl_below(abs, keep) || !strcmp(abs, keep))
		return -EINVAL;
	err = xsl_remove(abs, from_kernel);
	if (err)
		return err;
	for (;;) {
		slash = strrchr(abs, '/');
		if (!slash || slash == abs)
			return 0;
		*slash = '\0';
		if (!strcmp(abs, keep) || !xsl_below(abs, keep))
			return 0;
		node = xsl_lookup(abs);
		if (!node || node->len || !list_empty(&node->children))
			return 0;
		xsl_remove(abs, from_kernel);
	}
}

/* The names of @abs's children, each NUL-terminated, into @buf. */
int xsl_directory(const char *abs, char *buf, unsigned int size,
		  unsigned int *len)
{
	struct xsl_node *node = xsl_lookup(abs), *child;
	size_t n;

	if (!node)
		return -ENOENT;
	*len = 0;
	list_for_each_entry(child, &node->children, sibling) {
		n = strlen(child->name) + 1;
		if (*len + n > size)
			return -E2BIG;
		memcpy(buf + *len, child->name, n);
		*len += n;
	}
	return 0;
}

/* Permissions are kept as given; by default the domain owns its nodes. */
int xsl_get_perms(const char *abs, char *buf, unsigned int size,
		  unsigned int *len)
{
	struct xsl_node *node = xsl_lookup(abs);

	if (!node)
		return -ENOENT;
	if (node->perms) {
		memcpy(buf, node->perms, node->perms_len);
		*len = node->perms_len;
	} else {
		*len = scnprintf(buf, size, "n%u", xsl.domid) + 1;
	}
	return 0;
}

/* @perms: one or more NUL-terminated "[nrwb]DOMID" entries. */
int xsl_set_perms(const char *abs, const char *perms, unsigned int len)
{
	struct xsl_node *node = xsl_lookup(abs);
	unsigned int i, start = 0;
	unsigned long domid;
	char *copy;

	if (!node)
		return -ENOENT;
	if (!len || len > XSL_PERMS_MAX || perms[len - 1])
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (perms[i])
			continue;
		if (!strchr("nrwb", perms[start]) || !perms[start] ||
		    kstrtoul(perms + start + 1, 10, &domid) ||
		    domid >= DOMID_FIRST_RESERVED)
			return -EINVAL;
		start = i + 1;
	}
	if (xsl.bytes - node->perms_len + len > xsl_max_bytes)
		return -ENOSPC;
	copy = kmemdup(perms, len, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	xsl.bytes += len;
	xsl.bytes -= node->perms_len;
	kfree(node->perms);
	node->perms = copy;
	node->perms_len = len;
	xsl_fire(abs, false, true);
	return 0;
}

/* --- messages to the kernel -------------------------------------------------- */

/*
 * Queues a message of @a then @b as its payload. A reply always goes in
 * (the ring's worker makes room before it reads a request); a watch event
 * (@type XS_WATCH_EVENT) is dropped, and counted, when XSL_OUT_MAX bytes
 * are waiting already.
 */
int xsl_queue(u32 type, u32 req_id, u32 tx_id, const char *a,
	      unsigned int alen, const char *b, unsigned int blen)
{
	struct xsd_sockmsg hdr = {
		.type = type,
		.req_id = req_id,
		.tx_id = tx_id,
		.len = alen + blen,
	};
	unsigned int len = sizeof(hdr) + alen + blen;
	struct xsl_msg *msg;

	if (type == XS_WATCH_EVENT && xsl.out_bytes + len > XSL_OUT_MAX)
		goto drop;
	msg = kmalloc(struct_size(msg, data, len), GFP_KERNEL);
	if (!msg)
		goto drop;
	memcpy(msg->data, &hdr, sizeof(hdr));
	memcpy(msg->data + sizeof(hdr), a, alen);
	if (blen)
		memcpy(msg->data + sizeof(hdr) + alen, b, blen);
	msg->len = len;
	msg->sent = 0;
	list_add_tail(&msg->list, &xsl.out);
	xsl.out_bytes += len;
	return 0;

drop:
	xsl.events_dropped++;
	pr_warn_ratelimited("a message for the kernel was dropped (%llu so far): the kernel does not read its ring\n",
			    xsl.events_dropped);
	return -ENOSPC;
}

/* Drops what waits for the kernel: after a resume it expects nothing. */
void xsl_out_reset(void)
{
	struct xsl_msg *msg, *tmp;

	list_for_each_entry_safe(msg, tmp, &xsl.out, list) {
		list_del(&msg->list);
		kfree(msg);
	}
	xsl.out_bytes = 0;
}

/* --- the store's life -------------------------------------------------------- */

static void xsl_set_home(domid_t domid)
{
	xsl.domid = domid;
	snprintf(xsl.home, sizeof(xsl.home), "/local/domain/%u", domid);
}

int xsl_store_init(domid_t domid)
{
	bool made;
	int err;

	INIT_LIST_HEAD(&xsl.watches);
	INIT_LIST_HEAD(&xsl.out);
	INIT_LIST_HEAD(&xsl.fired);
	xsl_set_home(domid);
	xsl.root = xsl_node_new(NULL, "", 0, &err);
	if (!xsl.root)
		return err;
	if (!xsl_make(xsl.home, &made, &err)) {
		xsl_free_subtree(xsl.root);
		return err;
	}
	return 0;
}

void xsl_store_fini(void)
{
	struct xsl_watch *watch, *tmp;
	struct xsl_fired *fired, *ftmp;

	xsl_out_reset();
	list_for_each_entry_safe(watch, tmp, &xsl.watches, list)
		xsl_watch_free(watch);
	list_for_each_entry_safe(fired, ftmp, &xsl.fired, list) {
		list_del(&fired->list);
		kfree(fired);
	}
	xsl_free_subtree(xsl.root);
	xsl.root = NULL;
}

/* Watches registered relative to the home follow it to domain @domid. */
static int xsl_watches_move_home(domid_t domid)
{
	size_t old = strlen(xsl.home);
	struct xsl_watch *watch;
	char *path;

	list_for_each_entry(watch, &xsl.watches, list) {
		if (!watch->relative)
			continue;
		path = kasprintf(GFP_KERNEL, "/local/domain/%u%s", domid,
				 watch->path + old);
		if (!path)
			return -ENOMEM;
		kfree(watch->path);
		watch->path = path;
	}
	return 0;
}

/*
 * A restored domain has a new domid: its home moves with it, so that
 * what the kernel wrote relative to it stays where it finds it.
 */
int xsl_set_domid(domid_t domid)
{
	struct xsl_node *home, *stale, *moved, *child;
	char name[8];
	bool made;
	int err;

	if (domid == xsl.domid)
		return 0;
	home = xsl_lookup(xsl.home);
	err = xsl_watches_move_home(domid);
	if (err)
		return err;
	xsl_set_home(domid);
	if (!home)
		return xsl_make(xsl.home, &made, &err) ? 0 : err;

	/* A node of the new name is stale: the home that moves there wins. */
	stale = xsl_lookup(xsl.home);
	if (stale)
		xsl_free_subtree(stale);

	/* A node of the new name takes over the old one's children and value. */
	snprintf(name, sizeof(name), "%u", domid);
	moved = kzalloc(struct_size(moved, name, strlen(name) + 1), GFP_KERNEL);
	if (!moved)
		return -ENOMEM;
	strcpy(moved->name, name);
	INIT_LIST_HEAD(&moved->children);
	list_splice_init(&home->children, &moved->children);
	list_for_each_entry(child, &moved->children, sibling)
		child->parent = moved;
	moved->parent = home->parent;
	moved->value = home->value;
	moved->len = home->len;
	moved->perms = home->perms;
	moved->perms_len = home->perms_len;
	list_replace(&home->sibling, &moved->sibling);
	kfree(home);	/* its value and perms live on in moved */
	return 0;
}
