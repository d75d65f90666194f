// SPDX-License-Identifier: GPL-2.0
/*
 * The connection to the noxs module: opening /dev/xen/noxs and checking
 * that the module speaks the ABI this lvctl was built against.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <xen/noxs.h>

#include "lvctl.h"

int noxs_query_version(int fd, unsigned int *major, unsigned int *minor)
{
	struct noxs_ioctl_version version;

	memset(&version, 0, sizeof(version));
	if (ioctl(fd, NOXS_IOCTL_VERSION, &version) < 0)
		return -errno;

	*major = version.major;
	*minor = version.minor;
	return 0;
}

/*
 * Returns an open descriptor of /dev/xen/noxs whose ABI major matches
 * ours (its minor in *abi_minor, if given), or -1 after printing why not.
 */
int noxs_open(unsigned int *abi_minor)
{
	unsigned int major = 0, minor = 0;
	int fd, err;

	fd = open(NOXS_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		lvctl_error("cannot open %s: %s%s", NOXS_DEVICE_PATH,
			    strerror(err),
			    err == ENOENT ? " (is the noxs module loaded?)" : "");
		return -1;
	}

	err = noxs_query_version(fd, &major, &minor);
	if (err) {
		lvctl_error("%s: version query failed: %s", NOXS_DEVICE_PATH,
			    strerror(-err));
		goto err_close;
	}

	if (major != NOXS_ABI_MAJOR) {
		lvctl_error("%s speaks NoXS ABI %u.%u, this lvctl needs %u.x",
			    NOXS_DEVICE_PATH, major, minor, NOXS_ABI_MAJOR);
		goto err_close;
	}

	if (abi_minor)
		*abi_minor = minor;
	return fd;

err_close:
	close(fd);
	return -1;
}
