// SPDX-License-Identifier: GPL-2.0
/*
 * disk specs: "format=raw,vdev=xvda,access=rw,target=/images/root.img",
 * "phy:/dev/vg/root,xvdb,r", "file:/img,xvdc,w", or any other form of
 * xl-disk-configuration(5). libxlutil parses them, exactly as xl does;
 * lvctl then refuses by name what it does not serve (other formats,
 * cdroms, scripts, other backends), rather than ignoring it.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libxl.h>

#include "disk.h"
#include "lvctl.h"

/* The Linux block major of Xen's virtual disks, xvd*. */
#define XVD_MAJOR	202

/*
 * "xvdX" to its virtual-device number: disks a-p as (202 << 8) | (N << 4),
 * and from q on the extended form (1 << 28) | (N << 8), as Linux's
 * xen-blkfront reads them. -1 if @vdev is no xvd name.
 */
static long xvd_number(const char *vdev)
{
	size_t len = strlen(vdev), i;
	long index = 0;

	if (len < 4 || len > 5 || strncmp(vdev, "xvd", 3))
		return -1;
	for (i = 3; i < len; i++) {
		if (vdev[i] < 'a' || vdev[i] > 'z')
			return -1;
		index = index * 26 + (vdev[i] - 'a' + (i < len - 1));
	}
	if (index < 16)
		return (XVD_MAJOR << 8) | (index << 4);
	return (1L << 28) | (index << 8);
}

/* What lvctl does not serve, said by name; NULL if the disk is served. */
static const char *disk_refusal(const libxl_device_disk *d, char *buf,
				size_t size)
{
	if (d->script)
		return "script= is not supported (lvctl does the block script's work itself)";
	if (d->is_cdrom)
		return "cdrom is not supported (lvctl serves disks only)";
	if (d->format != LIBXL_DISK_FORMAT_UNKNOWN &&
	    d->format != LIBXL_DISK_FORMAT_RAW) {
		snprintf(buf, size, "format %s is not supported (raw only)",
			 libxl_disk_format_to_string(d->format));
		return buf;
	}
	if (d->backend != LIBXL_DISK_BACKEND_UNKNOWN &&
	    d->backend != LIBXL_DISK_BACKEND_PHY) {
		snprintf(buf, size, "backendtype %s is not supported (the kernel's blkback only)",
			 libxl_disk_backend_to_string(d->backend));
		return buf;
	}
	if (d->backend_domname || d->backend_domid)
		return "backend= is not supported (the backend is dom0)";
	if (d->colo_host || d->colo_export || d->active_disk ||
	    d->hidden_disk)
		return "COLO disks are not supported";
	if (d->specification != LIBXL_DISK_SPECIFICATION_UNKNOWN &&
	    d->specification != LIBXL_DISK_SPECIFICATION_XEN)
		return "specification= is not supported (Xen PV disks only)";
	return NULL;
}

/* @path made absolute against the working directory (not resolved). */
static char *absolute(const char *path)
{
	char cwd[PATH_MAX], *abs;

	if (path[0] == '/')
		return strdup(path);
	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;
	if (asprintf(&abs, "%s/%s", cwd, path) < 0)
		return NULL;
	return abs;
}

/* One spec into @disk; @where names the config and the spec in errors. */
int lvctl_disk_parse(XLU_Config *xlu, const char *spec, const char *where,
		     struct lvctl_disk *disk)
{
	const char *const specs[] = { spec };
	libxl_device_disk d;
	const char *why;
	char buf[128];
	long devnum;
	int ret = -1;

	memset(disk, 0, sizeof(*disk));
	libxl_device_disk_init(&d);
	if (xlu_disk_parse(xlu, 1, specs, &d)) {
		lvctl_error("%s: disk '%s': not a disk spec of xl's (see xl-disk-configuration(5))",
			    where, spec);
		goto out;
	}
	why = disk_refusal(&d, buf, sizeof(buf));
	if (why) {
		lvctl_error("%s: disk '%s': %s", where, spec, why);
		goto out;
	}
	if (!d.pdev_path || !d.pdev_path[0]) {
		lvctl_error("%s: disk '%s': no target (a file or a block device)",
			    where, spec);
		goto out;
	}
	devnum = d.vdev ? xvd_number(d.vdev) : -1;
	if (devnum < 0) {
		lvctl_error("%s: disk '%s': vdev %s: expected xvda, xvdb, ... (PV disk names)",
			    where, spec, d.vdev ? d.vdev : "(none)");
		goto out;
	}
	disk->target = absolute(d.pdev_path);
	if (!disk->target || strlen(disk->target) >= PATH_MAX) {
		lvctl_error("%s: disk '%s': target path too long, or out of memory",
			    where, spec);
		goto out;
	}
	snprintf(disk->vdev, sizeof(disk->vdev), "%s", d.vdev);
	disk->devnum = devnum;
	disk->readonly = !d.readwrite;
	ret = 0;
out:
	libxl_device_disk_dispose(&d);
	return ret;
}

/* The spec as lvctl writes it into a saved config. */
void lvctl_disk_format(const struct lvctl_disk *disk,
		       char spec[LVCTL_DISK_SPEC_SIZE])
{
	snprintf(spec, LVCTL_DISK_SPEC_SIZE,
		 "format=raw,vdev=%s,access=%s,target=%s", disk->vdev,
		 disk->readonly ? "ro" : "rw", disk->target);
}

void lvctl_disk_free(struct lvctl_disk *disk)
{
	free(disk->target);
	disk->target = NULL;
}
