// SPDX-License-Identifier: GPL-2.0
/*
 * Commands that report on the host: version, info.
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

	xch = lvctl_xc_open();
	if (!xch)
		return -1;

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

/*
 * What an operator (or a leak test) wants to know of the host: Xen's CPUs
 * and memory, and what the noxs module holds for guests.
 */
int cmd_info(int argc, char **argv)
{
	struct noxs_ioctl_stats stats;
	xc_physinfo_t phys = { 0 };
	xc_interface *xch;
	int ret, fd;

	ret = lvctl_no_args("info", argc, argv);
	if (ret >= 0)
		return ret;

	xch = lvctl_xc_open();
	if (!xch)
		return LVCTL_EXIT_FAILURE;
	ret = xc_physinfo(xch, &phys);
	xc_interface_close(xch);
	if (ret) {
		lvctl_error("cannot read the host's physical information");
		return LVCTL_EXIT_FAILURE;
	}

	fd = noxs_open(NULL);
	if (fd < 0)
		return LVCTL_EXIT_FAILURE;
	ret = noxs_stats(fd, &stats);
	close(fd);
	if (ret)
		return LVCTL_EXIT_FAILURE;

	printf("nr_cpus:            %u\n", phys.nr_cpus);
	printf("total_pages:        %llu\n", (unsigned long long)phys.total_pages);
	printf("free_pages:         %llu\n", (unsigned long long)phys.free_pages);
	printf("dom0_store:         %s\n", lvctl_dom0_store());
	printf("noxs_guests:        %u\n", stats.guests);
	printf("noxs_grants:        %u\n", stats.grants);
	printf("noxs_mapped:        %u\n", stats.mapped);
	printf("noxs_evtchns:       %u\n", stats.evtchns);
	printf("noxs_console_bytes: %llu\n",
	       (unsigned long long)stats.console_bytes);
	return LVCTL_EXIT_OK;
}
