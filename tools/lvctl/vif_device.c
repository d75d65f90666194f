// SPDX-License-Identifier: GPL-2.0
/*
 * A guest's vifs, made: a NoXS vif device each (split-back feeds the stock
 * xen-netback through dom0's own store, and xen-netback makes vifDOMID.N),
 * then the hotplug work xl's vif-bridge script does: the interface named,
 * put on its bridge and up, and the backend told (NOXS_IOCTL_DEVICE_HOTPLUG),
 * upon which xen-netback connects to the guest's xen-netfront.
 *
 * Nothing here is undone by hand: a vif goes with its NoXS device, when
 * the guest's noxs record is destroyed (split-back removes its store nodes,
 * xen-netback its interface, and the bridge its port).
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/rtnetlink.h>

#include <xen/noxs.h>

#include "lvctl.h"
#include "netdev.h"

/*
 * How long xen-netback may take to make a vif's interface. It is there in
 * milliseconds on real hardware; under QEMU TCG with a loaded host it once
 * took more than 10 s (a migration's restore, 2026-12-05).
 */
#define VIF_WAIT_MS	30000

const char *lvctl_vif_bridge(const struct lvctl_vif *vif)
{
	return vif->bridge[0] ? vif->bridge : LVCTL_DEFAULT_BRIDGE;
}

/* Before anything is taken: the modules, each bridge, each name free. */
int lvctl_vifs_check(const struct lvctl_config *cfg)
{
	const struct lvctl_vif *vif;
	unsigned int i;
	int bridge;

	if (!cfg->nr_vifs)
		return 0;
	if (!lvctl_exists("/sys/module/split_back")) {
		lvctl_error("vif: the NoXS vif backend is not loaded (modprobe split-back)");
		return -1;
	}
	if (!lvctl_exists("/sys/bus/xen-backend/drivers/vif")) {
		lvctl_error("vif: xen-netback is not loaded (modprobe xen-netback)");
		return -1;
	}
	for (i = 0; i < cfg->nr_vifs; i++) {
		vif = &cfg->vifs[i];
		bridge = lvctl_netdev_is_bridge(lvctl_vif_bridge(vif));
		if (bridge <= 0) {
			lvctl_error("vif %u: bridge %s %s", i,
				    lvctl_vif_bridge(vif),
				    bridge ? "is not a bridge" : "does not exist");
			return -1;
		}
		if (vif->vifname[0] && if_nametoindex(vif->vifname)) {
			lvctl_error("vif %u: vifname %s: dom0 has an interface of that name",
				    i, vif->vifname);
			return -1;
		}
	}
	return 0;
}

/* "00:16:3e:01:02:03" (checked by the config) into six bytes. */
static void mac_bytes(const char *mac, uint8_t out[6])
{
	sscanf(mac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &out[0], &out[1],
	       &out[2], &out[3], &out[4], &out[5]);
}

/*
 * The NoXS devices; xen-netback starts on each at once. *@nl_fd listens
 * for the interfaces it makes (opened first, so that none is missed).
 */
int lvctl_vifs_add(int noxs_fd, uint32_t domid,
		   const struct lvctl_config *cfg, int *nl_fd)
{
	struct noxs_vif_params params;
	unsigned int i;
	int err;

	*nl_fd = -1;
	if (!cfg->nr_vifs)
		return 0;
	*nl_fd = lvctl_netlink_open(RTMGRP_LINK);
	if (*nl_fd < 0)
		return -1;
	for (i = 0; i < cfg->nr_vifs; i++) {
		memset(&params, 0, sizeof(params));
		mac_bytes(cfg->vifs[i].mac, params.mac);
		err = noxs_device_add(noxs_fd, domid, NOXS_DEV_VIF, i, &params,
				      sizeof(params));
		if (err) {
			lvctl_error("vif %u: cannot make its NoXS device: %s", i,
				    err == -ENODEV ?
				    "the vif backend is not loaded (modprobe split-back)" :
				    strerror(-err));
			return -1;
		}
	}
	return 0;
}

/* Names vif @i's interface, puts it on its bridge, brings it up. */
static int vif_connect(int noxs_fd, uint32_t domid, unsigned int i,
		       const struct lvctl_vif *vif, int nl_fd)
{
	const char *bridge = lvctl_vif_bridge(vif);
	char name[IFNAMSIZ];
	int ifindex, master, err;

	snprintf(name, sizeof(name), "vif%u.%u", domid, i);
	ifindex = lvctl_netdev_wait(nl_fd, name, VIF_WAIT_MS);
	if (!ifindex) {
		lvctl_error("vif %u: xen-netback made no %s within %d s", i,
			    name, VIF_WAIT_MS / 1000);
		return -1;
	}
	if (vif->vifname[0]) {
		err = lvctl_netdev_rename(ifindex, vif->vifname);
		if (err) {
			lvctl_error("vif %u: cannot rename %s to %s: %s", i,
				    name, vif->vifname, strerror(-err));
			return -1;
		}
		snprintf(name, sizeof(name), "%s", vif->vifname);
	}
	master = if_nametoindex(bridge);
	err = master ? lvctl_netdev_enslave_up(ifindex, master) : -ENODEV;
	if (err) {
		lvctl_error("vif %u: cannot put %s on bridge %s: %s", i, name,
			    bridge, strerror(-err));
		return -1;
	}
	err = noxs_device_hotplug(noxs_fd, domid, NOXS_DEV_VIF, i);
	if (err) {
		lvctl_error("vif %u: cannot tell the backend %s is ready: %s",
			    i, name, strerror(-err));
		return -1;
	}
	return 0;
}

/* The hotplug work of every vif; closes @nl_fd. */
int lvctl_vifs_connect(int noxs_fd, uint32_t domid,
		       const struct lvctl_config *cfg, int nl_fd)
{
	unsigned int i;
	int err = 0;

	for (i = 0; i < cfg->nr_vifs && !err; i++)
		err = vif_connect(noxs_fd, domid, i, &cfg->vifs[i], nl_fd);
	if (nl_fd >= 0)
		close(nl_fd);
	return err;
}
