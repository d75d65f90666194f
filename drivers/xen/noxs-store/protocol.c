// SPDX-License-Identifier: GPL-2.0
/*
 * The xenstore wire protocol (xen/interface/io/xs_wire.h) over the local
 * store: one request in, one reply out, and watch events.
 *
 * The only client is this domain's own kernel, but nothing it sends is
 * trusted: every payload is checked for the strings its type needs, every
 * path for what xenstored would refuse, every transaction id for being
 * open. Anything else is answered with XS_ERROR.
 *
 * Transactions get ids and are ended, but are not isolated: their writes
 * take effect at once, and an end never asks for a retry (EAGAIN). The
 * kernel's users write keys that no one else writes, and read back what
 * they wrote, so isolation would change nothing they can see.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/string.h>

#include "store.h"

/* A request's path, made absolute; under xsl.lock (too big for the stack). */
static char xsl_path[XSL_PATH_MAX + 1];

static void xsl_reply(const struct xsd_sockmsg *req, const char *payload,
		      unsigned int len)
{
	xsl_queue(req->type, req->req_id, req->tx_id, payload, len, NULL, 0);
}

static void xsl_reply_ok(const struct xsd_sockmsg *req)
{
	xsl_reply(req, "OK", sizeof("OK"));
}

void xsl_reply_error(const struct xsd_sockmsg *req, int err)
{
	const char *name = "EINVAL";
	size_t i;

	for (i = 0; i < ARRAY_SIZE(xsd_errors); i++) {
		if (xsd_errors[i].errnum == -err) {
			name = xsd_errors[i].errstring;
			break;
		}
	}
	xsl_queue(XS_ERROR, req->req_id, req->tx_id, name, strlen(name) + 1,
		  NULL, 0);
}

/*
 * Splits @body (@len bytes, with a NUL at body[len] put there by the
 * reader) into NUL-terminated strings. Returns how many there are if
 * exactly @want are there, all terminated within @len; else -EINVAL.
 */
static int xsl_strings(const char *body, unsigned int len,
		       const char **argv, int want)
{
	unsigned int off = 0;
	int n = 0;

	while (off < len) {
		if (n == want)
			return -EINVAL;
		argv[n++] = body + off;
		off += strlen(body + off) + 1;
	}
	if (n != want || off != len)
		return -EINVAL;
	return n;
}

/* One NUL-terminated path, made absolute. */
static int xsl_path_arg(const char *body, unsigned int len, char *abs)
{
	const char *argv[1];
	bool relative;

	if (xsl_strings(body, len, argv, 1) < 0)
		return -EINVAL;
	return xsl_canonical(argv[0], abs, &relative);
}

static bool xsl_tx_open(u32 id)
{
	unsigned int i;

	for (i = 0; i < XSL_TX_MAX; i++)
		if (xsl.tx_ids[i] == id)
			return true;
	return false;
}

static int xsl_tx_start(u32 *id)
{
	unsigned int i;

	for (i = 0; i < XSL_TX_MAX; i++) {
		if (xsl.tx_ids[i])
			continue;
		do {
			xsl.tx_next++;
		} while (!xsl.tx_next || xsl_tx_open(xsl.tx_next));
		xsl.tx_ids[i] = *id = xsl.tx_next;
		return 0;
	}
	return -ENOSPC;
}

static void xsl_tx_end(u32 id)
{
	unsigned int i;

	for (i = 0; i < XSL_TX_MAX; i++)
		if (xsl.tx_ids[i] == id)
			xsl.tx_ids[i] = 0;
}

/* The kernel starts over (a resume): no transaction of before stays open. */
void xsl_transactions_reset(void)
{
	memset(xsl.tx_ids, 0, sizeof(xsl.tx_ids));
}

static int xsl_do_read(const struct xsd_sockmsg *req, const char *body)
{
	char *abs = xsl_path;
	const char *value;
	unsigned int len;
	int err;

	err = xsl_path_arg(body, req->len, abs);
	if (!err)
		err = xsl_read(abs, &value, &len);
	if (!err)
		xsl_reply(req, value, len);
	return err;
}

/* "PATH\0VALUE": the value is the rest, NULs and all. */
static int xsl_do_write(const struct xsd_sockmsg *req, const char *body)
{
	char *abs = xsl_path;
	size_t plen = strnlen(body, req->len);
	bool relative;
	int err;

	if (plen == req->len)
		return -EINVAL;
	err = xsl_canonical(body, abs, &relative);
	if (!err)
		err = xsl_write(abs, body + plen + 1, req->len - plen - 1, true);
	if (!err)
		xsl_reply_ok(req);
	return err;
}

static int xsl_do_path(const struct xsd_sockmsg *req, const char *body)
{
	char *abs = xsl_path;
	int err;

	err = xsl_path_arg(body, req->len, abs);
	if (err)
		return err;
	err = req->type == XS_MKDIR ? xsl_mkdir(abs, true) :
				      xsl_remove(abs, true);
	if (!err)
		xsl_reply_ok(req);
	return err;
}

static int xsl_do_directory(const struct xsd_sockmsg *req, const char *body)
{
	static char names[XENSTORE_PAYLOAD_MAX];	/* under xsl.lock */
	char *abs = xsl_path;
	unsigned int len;
	int err;

	err = xsl_path_arg(body, req->len, abs);
	if (!err)
		err = xsl_directory(abs, names, sizeof(names), &len);
	if (!err)
		xsl_reply(req, names, len);
	return err;
}

static int xsl_do_perms(const struct xsd_sockmsg *req, const char *body)
{
	char *abs = xsl_path, perms[XSL_PERMS_MAX];
	size_t plen = strnlen(body, req->len);
	unsigned int len;
	bool relative;
	int err;

	if (req->type == XS_GET_PERMS) {
		err = xsl_path_arg(body, req->len, abs);
		if (!err)
			err = xsl_get_perms(abs, perms, sizeof(perms), &len);
		if (!err)
			xsl_reply(req, perms, len);
		return err;
	}
	if (plen == req->len)
		return -EINVAL;
	err = xsl_canonical(body, abs, &relative);
	if (!err)
		err = xsl_set_perms(abs, body + plen + 1, req->len - plen - 1);
	if (!err)
		xsl_reply_ok(req);
	return err;
}

/* The reply, then the initial event the protocol promises. */
static int xsl_do_watch(const struct xsd_sockmsg *req, const char *body)
{
	const char *argv[2];
	int err;

	if (xsl_strings(body, req->len, argv, 2) < 0)
		return -EINVAL;
	if (req->type == XS_UNWATCH) {
		err = xsl_watch_remove(argv[0], argv[1], NULL);
		if (!err)
			xsl_reply_ok(req);
		return err;
	}
	err = xsl_watch_add(argv[0], argv[1], NULL);
	if (err)
		return err;
	xsl_reply_ok(req);
	xsl_queue(XS_WATCH_EVENT, 0, 0, argv[0], strlen(argv[0]) + 1,
		  argv[1], strlen(argv[1]) + 1);
	return 0;
}

static int xsl_do_transaction(const struct xsd_sockmsg *req, const char *body)
{
	const char *argv[1];
	char id[12];
	u32 tx;
	int err;

	if (xsl_strings(body, req->len, argv, 1) < 0)
		return -EINVAL;
	if (req->type == XS_TRANSACTION_START) {
		if (req->tx_id || argv[0][0])
			return -EINVAL;
		err = xsl_tx_start(&tx);
		if (err)
			return err;
		xsl_reply(req, id, scnprintf(id, sizeof(id), "%u", tx) + 1);
		return 0;
	}
	if (!req->tx_id || (strcmp(argv[0], "T") && strcmp(argv[0], "F")))
		return -EINVAL;
	xsl_tx_end(req->tx_id);
	xsl_reply_ok(req);
	return 0;
}

static int xsl_do_domain_path(const struct xsd_sockmsg *req, const char *body)
{
	const char *argv[1];
	unsigned int domid;
	char path[32];

	if (xsl_strings(body, req->len, argv, 1) < 0 ||
	    kstrtouint(argv[0], 10, &domid) || domid >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	xsl_reply(req, path,
		  scnprintf(path, sizeof(path), "/local/domain/%u", domid) + 1);
	return 0;
}

/*
 * Handles one request. @body has @hdr->len bytes (at most
 * XENSTORE_PAYLOAD_MAX) and a NUL after them. Called with xsl.lock held,
 * with room in the output for the reply.
 */
void xsl_handle(const struct xsd_sockmsg *hdr, const char *body)
{
	int err;

	if (hdr->tx_id && !xsl_tx_open(hdr->tx_id)) {
		xsl_reply_error(hdr, -ENOENT);
		return;
	}

	switch (hdr->type) {
	case XS_READ:
		err = xsl_do_read(hdr, body);
		break;
	case XS_WRITE:
		err = xsl_do_write(hdr, body);
		break;
	case XS_MKDIR:
	case XS_RM:
		err = xsl_do_path(hdr, body);
		break;
	case XS_DIRECTORY:
		err = xsl_do_directory(hdr, body);
		break;
	case XS_GET_PERMS:
	case XS_SET_PERMS:
		err = xsl_do_perms(hdr, body);
		break;
	case XS_WATCH:
	case XS_UNWATCH:
		err = xsl_do_watch(hdr, body);
		break;
	case XS_TRANSACTION_START:
	case XS_TRANSACTION_END:
		err = xsl_do_transaction(hdr, body);
		break;
	case XS_GET_DOMAIN_PATH:
		err = xsl_do_domain_path(hdr, body);
		break;
	case XS_RESET_WATCHES:
		xsl_watches_reset_kernel();
		xsl_reply_ok(hdr);
		err = 0;
		break;
	default:
		/* Domain management, DIRECTORY_PART, ...: not for a guest's store. */
		err = -ENOSYS;
		break;
	}
	if (err)
		xsl_reply_error(hdr, err);
}
