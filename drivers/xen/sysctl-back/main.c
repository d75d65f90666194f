// SPDX-License-Identifier: GPL-2.0
/*
 * sysctl-back - dom0 end of the NoXS sysctl device, which carries
 * poweroff, reboot and suspend requests to guests without XenStore.
 *
 * The device protocol arrives with the NoXS device registry; until then
 * this module serves no guest, and only checks that it runs where backends
 * belong.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <xen/xen.h>

static int __init sysctl_back_init(void)
{
	if (!xen_initial_domain()) {
		pr_err("not running in a Xen dom0, refusing to load\n");
		return -ENODEV;
	}

	return 0;
}

static void __exit sysctl_back_exit(void)
{
}

module_init(sysctl_back_init);
module_exit(sysctl_back_exit);

MODULE_DESCRIPTION("lightvm NoXS sysctl backend (dom0)");
MODULE_LICENSE("GPL");
