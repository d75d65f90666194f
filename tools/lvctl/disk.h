/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A guest's disks as its config gives them: xl's disk syntax
 * (xl-disk-configuration(5)), parsed by libxlutil as xl does, then held to
 * what lvctl serves: raw files and block devices, as PV disks (xvd*).
 */
#ifndef LVCTL_DISK_H
#define LVCTL_DISK_H

#include <limits.h>
#include <stddef.h>
#include <libxlutil.h>

#define LVCTL_MAX_DISKS		16
#define LVCTL_VDEV_SIZE		8	/* "xvdzz" and the NUL */
/* A spec as lvctl writes it: the keys, the longest vdev, a whole path. */
#define LVCTL_DISK_SPEC_SIZE	(sizeof("format=raw,vdev=,access=rw,target=") + \
				 LVCTL_VDEV_SIZE + PATH_MAX)

struct lvctl_disk {
	char *target;			/* absolute path, malloc'd */
	char vdev[LVCTL_VDEV_SIZE];	/* "xvda" ... */
	unsigned int devnum;		/* its virtual-device number */
	int readonly;
};

int lvctl_disk_parse(XLU_Config *xlu, const char *spec, const char *where,
		     struct lvctl_disk *disk);
void lvctl_disk_format(const struct lvctl_disk *disk,
		       char spec[LVCTL_DISK_SPEC_SIZE]);
void lvctl_disk_free(struct lvctl_disk *disk);

#endif /* LVCTL_DISK_H */
