// SPDX-License-Identifier: GPL-2.0
/*
 * noxs - the dom0 side of lightvm's XenStore-less control plane.
 *
 * This module owns /dev/xen/noxs, through which lvctl creates and tears
 * down the per-guest NoXS state. It only makes sense where domains are
 * built, so it refuses to load anywhere but in a Xen dom0.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <xen/xen.h>
#include <uapi/xen/noxs.h>

#include "noxs.h"

static int __init noxs_init(void)
{
	int err;

	if (!xen_initial_domain()) {
		pr_err("not running in a Xen dom0, refusing to load\n");
		return -ENODEV;
	}

	err = noxs_chardev_init();
	if (err)
		return err;

	pr_info("ABI %u.%u ready at %s\n", NOXS_ABI_MAJOR, NOXS_ABI_MINOR,
		NOXS_DEVICE_PATH);
	return 0;
}

static void __exit noxs_exit(void)
{
	noxs_chardev_exit();
	/* No file is open (they pin the module): give back what guests hold. */
	noxs_guests_destroy_all();
}

module_init(noxs_init);
module_exit(noxs_exit);

MODULE_DESCRIPTION("lightvm NoXS backend core (dom0)");
MODULE_LICENSE("GPL");
