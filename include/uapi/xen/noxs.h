/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * noxs.h - the lightvm NoXS ABI: ioctls of /dev/xen/noxs.
 *
 * This is the one interface between lvctl and the dom0 modules, and later
 * also the layout of the pages shared with guests. Rules, after
 * Documentation/process/botching-up-ioctls.rst:
 *
 *  - only fixed-width types (__u32/__u64), naturally aligned, with explicit
 *    padding, so that 32-bit and 64-bit userspace see one layout;
 *  - every padding field and every unknown flag must be zero; the kernel
 *    rejects anything else with -EINVAL, so the bits stay usable later;
 *  - every structure is versioned by its ioctl number's size: a structure
 *    only ever grows at its end, and a grown structure gets a new number;
 *  - NOXS_IOCTL_VERSION answers the ABI version, which userspace checks
 *    first. The major number changes only on an incompatible change.
 */
#ifndef _UAPI_XEN_NOXS_H
#define _UAPI_XEN_NOXS_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define NOXS_DEVICE_PATH	"/dev/xen/noxs"

#define NOXS_ABI_MAJOR		1
#define NOXS_ABI_MINOR		0

/*
 * ioctl type 'N', numbers 0xC0-0xDF. 'N' is shared with nvme (0x40-0x4F)
 * and ndctl (low numbers); this range is free there. Only this character
 * device answers these numbers, so an ioctl sent to the wrong device fails
 * with -ENOTTY rather than doing anything.
 */
#define NOXS_IOCTL_TYPE		'N'
#define NOXS_IOCTL_NR_BASE	0xC0

/**
 * struct noxs_ioctl_version - NOXS_IOCTL_VERSION argument
 * @major: out: NOXS_ABI_MAJOR of the running module
 * @minor: out: NOXS_ABI_MINOR of the running module
 * @flags: in: must be zero (no flags are defined)
 * @pad:   in: must be zero
 */
struct noxs_ioctl_version {
	__u32 major;
	__u32 minor;
	__u32 flags;
	__u32 pad;
};

#define NOXS_IOCTL_VERSION \
	_IOWR(NOXS_IOCTL_TYPE, NOXS_IOCTL_NR_BASE + 0, struct noxs_ioctl_version)

#endif /* _UAPI_XEN_NOXS_H */
