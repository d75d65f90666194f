// SPDX-License-Identifier: GPL-2.0
/*
 * The libxenctrl connection. libxenctrl logs its errors to stderr on its
 * own, often several lines for one failure; lvctl says one line per error,
 * so it keeps libxenctrl quiet and quotes its last error where it helps.
 */
#include <stdarg.h>
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
