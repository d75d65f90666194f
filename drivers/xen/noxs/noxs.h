/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of the noxs module. Nothing here is ABI: the ABI is
 * include/uapi/xen/noxs.h.
 */
#ifndef _NOXS_H
#define _NOXS_H

int noxs_chardev_init(void);
void noxs_chardev_exit(void);

#endif /* _NOXS_H */
