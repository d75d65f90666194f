// SPDX-License-Identifier: GPL-2.0
/*
 * The libxenctrl connection. libxenctrl logs its errors to stderr on its
 * own, often several lines for one failure; lvctl says one line per error,
 * so it keeps libxenctrl quiet and quotes its last error where it helps.
 */
#include <stdarg.h>
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

/* libxenctrl's own words for its last failure, or @fallback. */
const char *lvctl_xc_error(xc_interface *xch, const char *fallback)
{
	const xc_error *err = xc_get_last_error(xch);

	if (!err || err->code == XC_ERROR_NONE || !err->message[0])
		return fallback;
	return err->message;
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
