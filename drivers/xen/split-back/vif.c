// SPDX-License-Identifier: GPL-2.0
/*
 * The vif: a network interface served by the stock xen-netback, which
 * makes vifD.N once it probes. lvctl puts that on its bridge and reports
 * the hotplug step done; then this writes hotplug-status, on which
 * xen-netback connects (xl's vif-bridge script does the same).
 */
#include <linux/etherdevice.h>
#include <linux/module.h>

#include "split_back.h"

static char *script = "/bin/true";
module_param(script, charp, 0444);
MODULE_PARM_DESC(script,
		 "what a vif's backend node names as its hotplug script; lvctl does the script's work, so by default a host's udev rules run nothing");

static int vif_check(const u8 *raw, u32 id)
{
	const struct noxs_vif_params *params = (const void *)raw;

	if (!raw || !noxs_params_zero(raw, offsetof(struct noxs_vif_params, pad)))
		return -EINVAL;
	if (!is_valid_ether_addr(params->mac))
		return -EINVAL;	/* multicast or zero */
	return 0;
}

/* The guest's node: its MAC and handle. */
static int vif_guest_node(const u8 *raw, u32 id, char *buf, size_t size)
{
	const struct noxs_vif_params *params = (const void *)raw;

	return scnprintf(buf, size, "mac=%pM\nhandle=%u\n", params->mac, id);
}

static int vif_write_mac_handle(const char *dir, struct split_back *sb,
				const u8 *raw)
{
	const struct noxs_vif_params *params = (const void *)raw;
	char value[24];
	int err;

	snprintf(value, sizeof(value), "%pM", params->mac);
	err = split_back_write(dir, "mac", value);
	if (err)
		return err;
	snprintf(value, sizeof(value), "%u", sb->id);
	return split_back_write(dir, "handle", value);
}

static int vif_write_front(struct split_back *sb, const u8 *params)
{
	return vif_write_mac_handle(sb->front_dir, sb, params);
}

/* xen-netback reads script, type, mac and handle in its probe. */
static int vif_write_back(struct split_back *sb, const u8 *params)
{
	return split_back_write(sb->back_dir, "script", script) ?:
	       split_back_write(sb->back_dir, "type", "vif") ?:
	       vif_write_mac_handle(sb->back_dir, sb, params);
}

static int vif_hotplug(struct split_back *sb, u32 status)
{
	return split_back_write_alive(sb, "hotplug-status", "connected");
}

const struct split_type split_vif = {
	.type		= NOXS_DEV_VIF,
	.name		= "vif",
	.backend_name	= "noxs-vif",
	.driver		= "xen-netback",
	.back_keys	= noxs_vif_back_keys,
	.front_keys	= noxs_vif_front_keys,
	.front_queues	= NOXS_VIF_MAX_QUEUES,
	.check		= vif_check,
	.guest_node	= vif_guest_node,
	.write_front	= vif_write_front,
	.write_back	= vif_write_back,
	.hotplug	= vif_hotplug,
};
