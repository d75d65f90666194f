/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dom0's network interfaces, over rtnetlink (netdev.c), and a guest's
 * vifs made of them (vif_device.c).
 */
#ifndef LVCTL_NETDEV_H
#define LVCTL_NETDEV_H

#include <stdint.h>

#include "config.h"

/* The bridge of a vif that names none: xl's default. */
#define LVCTL_DEFAULT_BRIDGE	"xenbr0"

int lvctl_netlink_open(unsigned int groups);
int lvctl_netdev_wait(int fd, const char *name, int timeout_ms);
int lvctl_netdev_rename(int ifindex, const char *name);
int lvctl_netdev_enslave_up(int ifindex, int master);
int lvctl_netdev_is_bridge(const char *name);

const char *lvctl_vif_bridge(const struct lvctl_vif *vif);
int lvctl_vifs_check(const struct lvctl_config *cfg);
int lvctl_vifs_add(int noxs_fd, uint32_t domid,
		   const struct lvctl_config *cfg, int *nl_fd);
int lvctl_vifs_connect(int noxs_fd, uint32_t domid,
		       const struct lvctl_config *cfg, int nl_fd);

#endif /* LVCTL_NETDEV_H */
