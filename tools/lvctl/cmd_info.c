// SPDX-License-Identifier: GPL-2.0
/*
 * Commands that report on the host: version.
 */
#include <stdio.h>
#include <unistd.h>
#include <xenctrl.h>

#include <xen/noxs.h>

#include "lvctl.h"

#ifndef LVCTL_VERSION
#define LVCTL_VERSION "unknown"
#endif

static int print_xen_version(void)
{
	xc_interface *xch;
	xen_extraversion_t extra;
	int version;

	xch = xc_interface_open(NULL, NULL, 0);
	if (!xch) {
		lvctl_error("cannot open the Xen control interface (is this a Xen dom0?)");
		return -1;
	}

	version = xc_version(xch, XENVER_version, NULL);
	if (version < 0 || xc_version(xch, XENVER_extraversion, &extra) < 0) {
		lvctl_error("cannot read Xen's version");
		xc_interface_close(xch);
		return -1;
	}

	printf("xen:       %d.%d%.*s\n", version >> 16, version & 0xffff,
	       (int)sizeof(extra), extra);
	xc_interface_close(xch);
	return 0;
}

int cmd_version(int argc, char **argv)
{
	unsigned int minor;
	int ret, fd;

	ret = lvctl_no_args("version", argc, argv);
	if (ret >= 0)
		return ret;

	printf("lvctl:     %s\n", LVCTL_VERSION);

	fd = noxs_open(&minor);
	if (fd < 0)
		return LVCTL_EXIT_FAILURE;
	close(fd);
	printf("noxs ABI:  %u.%u\n", NOXS_ABI_MAJOR, minor);

	if (print_xen_version())
		return LVCTL_EXIT_FAILURE;
	return LVCTL_EXIT_OK;
}
