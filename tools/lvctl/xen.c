// SPDX-License-Identifier: GPL-2.0
/*
 * The libxenctrl connection. libxenctrl logs its errors to stderr on its
 * own, often several lines for one failure; lvctl says one line per error,
 * so it keeps libxenctrl quiet and quotes its last error where it helps.
 */
#include <ctype.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include <xenctrl.h>
#include <xentoollog.h>

#include "lvctl.h"

static void quiet_vmessage(struct xentoollog_logger *logger,
			   xentoollog_level level, int errnoval,
			   const char *context, const char *format, va_list al)
{
	(void)logger, (void)level, (void)errnoval, (void)context;
	(void)format, (void)al;
}

static void quiet_destroy(struct xentoollog_logger *logger)
{
	(void)logger;
}

static struct xentoollog_logger quiet_logger = {
	.vmessage = quiet_vmessage,
	.destroy = quiet_destroy,
};

xc_interface *lvctl_xc_open(void)
{
	xc_interface *xch = xc_interface_open(&quiet_logger, &quiet_logger, 0);

	if (!xch)
		lvctl_error("cannot open the Xen control interface (is this a Xen dom0?)");
	return xch;
}

#define IDENT_CHARS \
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"

/* @s past "panic: FILE.c:LINE: FUNCTION: ", or as it is without them. */
static const char *skip_source_prefix(const char *s)
{
	const char *p;
	size_t n;

	if (!strncmp(s, "panic: ", 7))
		s += 7;
	n = strspn(s, IDENT_CHARS);
	p = s + n;
	if (!n || strncmp(p, ".c:", 3))
		return s;
	p += 3;
	n = strspn(p, "0123456789");
	if (!n || strncmp(p + n, ": ", 2))
		return s;
	s = p + n + 2;
	n = strspn(s, IDENT_CHARS);
	if (n && !strncmp(s + n, ": ", 2))
		s += n + 2;
	return s;
}

/*
 * libxenctrl's own words for its last failure, or @fallback. Its messages
 * start with where in its source they come from ("panic: xg_dom_core.c:689:
 * xc_dom_find_loader: no loader found"): only the last part means anything
 * to a user.
 */
const char *lvctl_xc_error(xc_interface *xch, const char *fallback)
{
	const xc_error *err = xc_get_last_error(xch);
	const char *s;

	if (!err || err->code == XC_ERROR_NONE || !err->message[0])
		return fallback;
	s = skip_source_prefix(err->message);
	while (isspace((unsigned char)*s))
		s++;
	return *s ? s : fallback;
}

/* Does Xen have domain @domid? */
int lvctl_domain_exists(xc_interface *xch, uint32_t domid)
{
	xc_domaininfo_t dom;

	return xc_domain_getinfolist(xch, domid, 1, &dom) == 1 &&
	       dom.domain == domid;
}

/*
 * Opens both of what most commands need: /dev/xen/noxs and libxenctrl.
 * Returns 0, or -1 (with nothing left open) after printing why.
 */
int lvctl_open(int *noxs_fd, xc_interface **xch)
{
	*noxs_fd = noxs_open(NULL);
	if (*noxs_fd < 0)
		return -1;
	*xch = lvctl_xc_open();
	if (!*xch) {
		close(*noxs_fd);
		return -1;
	}
	return 0;
}

void lvctl_close(int noxs_fd, xc_interface *xch)
{
	xc_interface_close(xch);
	close(noxs_fd);
}
