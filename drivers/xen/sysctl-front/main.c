// SPDX-License-Identifier: GPL-2.0
/*
 * sysctl-front - guest end of the NoXS sysctl device: it will act on
 * poweroff, reboot and suspend requests from dom0 without XenStore.
 *
 * The device protocol arrives with the NoXS device directory; until then
 * this module connects to nothing, and only checks that it runs in a Xen
 * guest, the one place a frontend belongs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <xen/xen.h>

static int __init sysctl_front_init(void)
{
	if (!xen_domain() || xen_initial_domain()) {
		pr_err("not running in a Xen guest (domU), refusing to load\n");
		return -ENODEV;
	}

	return 0;
}

static void __exit sysctl_front_exit(void)
{
}

module_init(sysctl_front_init);
module_exit(sysctl_front_exit);

MODULE_DESCRIPTION("lightvm NoXS sysctl frontend (guest)");
MODULE_LICENSE("GPL");
