// SPDX-License-Identifier: GPL-2.0
/*
 * noxs-store in dom0 beside xenstored: noxs-store.h's calls go to the
 * real xenstored, through the dom0 kernel's own xenbus.
 *
 * On a host that runs xenstored (Debian starts it at boot), dom0's store
 * is xenstored's, and the stock backends read their nodes there. Then this
 * module serves no ring: split-back writes the backend and frontend nodes
 * of lightvm's devices into xenstored, and its relay watches them there,
 * as it would in the local store. Guests are not affected: each still
 * serves its own store, and only NoXS pages cross between domains.
 *
 * Differences a caller sees: its own writes fire its own watches (the
 * relay tolerates that: publishing what it just applied changes nothing),
 * and noxs_store_kernel_watches() cannot ask xenstored whose watches it
 * holds (it says no; only guests' sysctl-front asks, and guests are local).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <xen/xenbus.h>

#include "store.h"

int xsx_read(const char *path, char *buf, size_t size)
{
	unsigned int len;
	char *value;

	value = xenbus_read(XBT_NIL, path, "", &len);
	if (IS_ERR(value))
		return PTR_ERR(value);
	if (size) {
		memcpy(buf, value, min_t(size_t, len, size - 1));
		buf[min_t(size_t, len, size - 1)] = '\0';
	}
	kfree(value);
	return len;
}

int xsx_write(const char *path, const char *value)
{
	return xenbus_write(XBT_NIL, path, "", value);
}

int xsx_remove(const char *path)
{
	return xenbus_rm(XBT_NIL, path, "");
}

/* Has @path no children? An error says no: pruning stops there. */
static bool xsx_empty(const char *path)
{
	unsigned int n;
	char **names;

	names = xenbus_directory(XBT_NIL, path, "", &n);
	if (IS_ERR(names))
		return false;
	kfree(names);
	return n == 0;
}

/*
 * Removes @path, then each ancestor it leaves empty, up to (not
 * including) @keep, which must be a prefix of @path.
 */
int xsx_prune(const char *path, const char *keep)
{
	size_t keep_len = strlen(keep);
	char *dir, *slash;
	int err;

	if (strncmp(path, keep, keep_len) || path[keep_len] != '/')
		return -EINVAL;
	err = xenbus_rm(XBT_NIL, path, "");
	if (err && err != -ENOENT)
		return err;
	dir = kstrdup(path, GFP_KERNEL);
	if (!dir)
		return -ENOMEM;
	for (;;) {
		slash = strrchr(dir, '/');
		if (!slash || slash - dir <= keep_len)
			break;
		*slash = '\0';
		if (!xsx_empty(dir) || xenbus_rm(XBT_NIL, dir, ""))
			break;
	}
	kfree(dir);
	return 0;
}

/* A watch of xenstored's, for one of noxs-store.h's. */
struct noxs_store_xenbus_watch {
	struct xenbus_watch xb;
	struct noxs_store_watch *watch;
};

static void xsx_watch_fired(struct xenbus_watch *xb, const char *path,
			    const char *token)
{
	struct noxs_store_xenbus_watch *w =
		container_of(xb, struct noxs_store_xenbus_watch, xb);

	w->watch->changed(w->watch, path);
}

int xsx_watch(struct noxs_store_watch *watch)
{
	struct noxs_store_xenbus_watch *w;
	int err;

	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	w->xb.node = watch->path;
	w->xb.callback = xsx_watch_fired;
	w->watch = watch;
	err = register_xenbus_watch(&w->xb);
	if (err) {
		kfree(w);
		return err;
	}
	watch->xenbus = w;
	return 0;
}

/* Waits for a callback that runs: not from the watch's own callback. */
void xsx_unwatch(struct noxs_store_watch *watch)
{
	if (!watch->xenbus)
		return;
	unregister_xenbus_watch(&watch->xenbus->xb);
	kfree(watch->xenbus);
	watch->xenbus = NULL;
}
