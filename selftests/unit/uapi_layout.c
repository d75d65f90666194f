// SPDX-License-Identifier: GPL-2.0
/*
 * uapi_layout - host-side check that include/uapi/xen/noxs.h keeps its
 * promises: sizes and offsets that 32-bit and 64-bit userspace share, and
 * ioctl numbers that never move once released. A change that breaks one of
 * these is an ABI break and must come with a new ioctl number.
 */
#include <stddef.h>

#include <xen/noxs.h>

#include "tap.h"

int main(void)
{
	tap_plan(4);

	tap_ok(sizeof(struct noxs_ioctl_version) == 16,
	       "struct noxs_ioctl_version is 16 bytes (%zu)",
	       sizeof(struct noxs_ioctl_version));
	tap_ok(offsetof(struct noxs_ioctl_version, major) == 0 &&
	       offsetof(struct noxs_ioctl_version, minor) == 4 &&
	       offsetof(struct noxs_ioctl_version, flags) == 8 &&
	       offsetof(struct noxs_ioctl_version, pad) == 12,
	       "struct noxs_ioctl_version field offsets are 0, 4, 8, 12");
	tap_ok(NOXS_IOCTL_VERSION == 0xc0104ec0u,
	       "NOXS_IOCTL_VERSION is 0xc0104ec0 (0x%x)",
	       (unsigned int)NOXS_IOCTL_VERSION);
	tap_ok(NOXS_ABI_MAJOR == 1, "ABI major is 1 (%d)", NOXS_ABI_MAJOR);

	return tap_done();
}
