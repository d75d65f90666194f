/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A guest's disks as devices: loop devices for disk images, and a NoXS
 * vbd each (disk_device.c).
 */
#ifndef LVCTL_DISK_DEVICE_H
#define LVCTL_DISK_DEVICE_H

#include <stdint.h>

struct lvctl_config;

int lvctl_disks_check(const struct lvctl_config *cfg);
int lvctl_disks_add(int noxs_fd, uint32_t domid,
		    const struct lvctl_config *cfg);

#endif /* LVCTL_DISK_DEVICE_H */
