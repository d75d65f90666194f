// SPDX-License-Identifier: GPL-2.0
/*
 * Beside xenstored: a host where xenstored serves dom0's store (Debian
 * starts it at boot) and xl may run too.
 *
 * lightvm's guests still use NoXS and their own local stores; xenstored
 * only sees what dom0's side needs (split-back's backend nodes, written by
 * noxs-store in its xenstored mode) and, from here, each guest's name and
 * domid under /local/domain/DOMID, so that `xl list` names lvctl's guests.
 * lvctl removes that directory when it destroys a guest, and the daemon's
 * sweep removes what a guest that went another way left.
 *
 * Which mode a host is in is noxs-store's decision at load, read from its
 * parameter served_by; without noxs-store, a running xenstored (its
 * socket) decides.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <xenctrl.h>
#include <xenstore.h>

#include "lvctl.h"

#define SERVED_BY	"/sys/module/noxs_store/parameters/served_by"
#define XENSTORED_SOCKET "/run/xenstored/socket"

/* The key that says an lvctl guest's directory is lvctl's to remove. */
#define LIGHTVM_KEY	"lightvm"

int lvctl_beside_xenstored(void)
{
	static int beside = -1;
	char buf[32] = "";
	ssize_t n;
	int fd;

	if (beside >= 0)
		return beside;
	fd = open(SERVED_BY, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		beside = n > 0 && !strncmp(buf, "xenstored", 9);
	} else {
		beside = lvctl_exists(XENSTORED_SOCKET);
	}
	return beside;
}

const char *lvctl_dom0_store(void)
{
	if (lvctl_beside_xenstored())
		return "xenstored";
	return lvctl_exists(SERVED_BY) ? "noxs-store" : "none (noxs-store not loaded)";
}

/* Does a xenstored accept connections on its socket now? */
static int xenstored_listening(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd, ok;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	strcpy(addr.sun_path, XENSTORED_SOCKET);
	ok = !connect(fd, (struct sockaddr *)&addr, sizeof(addr));
	close(fd);
	return ok;
}

/*
 * xenstored's socket only: beside xenstored, the kernel's xenbus device
 * would wait for good on a xenstored that is gone. libxenstore (4.17)
 * falls back to that device even with XS_OPEN_SOCKETONLY when the
 * socket is not there, so the socket is tried first here.
 */
struct xs_handle *lvctl_xs_open(void)
{
	if (!xenstored_listening()) {
		errno = ECONNREFUSED;
		return NULL;
	}
	return xs_open(XS_OPEN_SOCKETONLY);
}

/*
 * Beside xenstored, devices need it: split-back's writes to it from the
 * kernel would wait for as long as it is gone. 0 if it answers (or is
 * not needed), else -1 after saying so.
 */
int lvctl_xenstored_check(void)
{
	struct xs_handle *xsh;

	if (!lvctl_beside_xenstored())
		return 0;
	xsh = lvctl_xs_open();
	if (!xsh) {
		lvctl_error("dom0's store is xenstored's (noxs-store went beside it when it loaded), but xenstored does not answer: start it again before guests with vifs or disks");
		return -1;
	}
	xs_close(xsh);
	return 0;
}

static struct xs_handle *xs_connect(void)
{
	struct xs_handle *xsh = lvctl_xs_open();

	if (!xsh)
		lvctl_error("warning: cannot reach xenstored: %s",
			    strerror(errno));
	return xsh;
}

static int xs_put(struct xs_handle *xsh, uint32_t domid, const char *key,
		  const char *value)
{
	char path[64];

	snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, key);
	return xs_write(xsh, XBT_NULL, path, value, strlen(value)) ? 0 : -1;
}

/*
 * /local/domain/DOMID/{name,domid}, as xl's would be: `xl list` shows the
 * name. A failure costs only that, so it is a warning.
 */
void lvctl_xs_publish(uint32_t domid, const char *name)
{
	struct xs_handle *xsh;
	char id[16];

	if (!lvctl_beside_xenstored())
		return;
	xsh = xs_connect();
	if (!xsh)
		return;
	snprintf(id, sizeof(id), "%u", domid);
	if (xs_put(xsh, domid, LIGHTVM_KEY, "1") ||
	    xs_put(xsh, domid, "domid", id) || xs_put(xsh, domid, "name", name))
		lvctl_error("warning: cannot name domain %u in xenstored (xl list shows it unnamed): %s",
			    domid, strerror(errno));
	xs_close(xsh);
}

/*
 * Beside xenstored, the name xl gave a domain that is not lvctl's, into
 * @buf; 0, or -1 if it has none there. One connection serves a whole
 * listing; the process's end closes it.
 */
int lvctl_xs_domain_name(uint32_t domid, char *buf, size_t size)
{
	static struct xs_handle *xsh;
	static int tried;
	char path[64], *name;
	unsigned int len;

	if (!lvctl_beside_xenstored())
		return -1;
	if (!tried) {
		tried = 1;
		xsh = lvctl_xs_open();
	}
	if (!xsh)
		return -1;
	snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
	name = xs_read(xsh, XBT_NULL, path, &len);
	if (!name)
		return -1;
	snprintf(buf, size, "%s", name);
	free(name);
	return 0;
}

static void xs_forget(struct xs_handle *xsh, uint32_t domid)
{
	char path[32];

	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	if (!xs_rm(xsh, XBT_NULL, path) && errno != ENOENT)
		lvctl_error("warning: cannot remove %s from xenstored: %s",
			    path, strerror(errno));
}

/* The guest is gone: its directory in xenstored goes too. */
void lvctl_xs_forget(uint32_t domid)
{
	struct xs_handle *xsh;

	if (!lvctl_beside_xenstored())
		return;
	xsh = xs_connect();
	if (!xsh)
		return;
	xs_forget(xsh, domid);
	xs_close(xsh);
}

/*
 * The daemon's sweep: directories lvctl wrote for domains that are gone
 * (a guest destroyed by xl, or by an lvctl that was killed first).
 */
void lvctl_xs_sweep(xc_interface *xch)
{
	char path[64], **entries, *mark;
	struct xs_handle *xsh;
	unsigned int n, i, len;
	unsigned long domid;
	char *end;

	if (!lvctl_beside_xenstored())
		return;
	xsh = lvctl_xs_open();
	if (!xsh)
		return;
	entries = xs_directory(xsh, XBT_NULL, "/local/domain", &n);
	for (i = 0; entries && i < n; i++) {
		domid = strtoul(entries[i], &end, 10);
		if (*end || !domid || domid >= DOMID_FIRST_RESERVED ||
		    lvctl_domain_exists(xch, domid))
			continue;
		snprintf(path, sizeof(path), "/local/domain/%lu/" LIGHTVM_KEY,
			 domid);
		mark = xs_read(xsh, XBT_NULL, path, &len);
		if (mark)
			xs_forget(xsh, domid);
		free(mark);
	}
	free(entries);
	xs_close(xsh);
}
