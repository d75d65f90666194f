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
	tap_plan(20);

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

	tap_ok(sizeof(struct noxs_ioctl_guest_create) == 80 &&
	       offsetof(struct noxs_ioctl_guest_create, name) == 8 &&
	       offsetof(struct noxs_ioctl_guest_create, dir_gref) == 72,
	       "struct noxs_ioctl_guest_create: 80 bytes, name at 8, dir_gref at 72");
	tap_ok(sizeof(struct noxs_ioctl_guest_name) == 72 &&
	       offsetof(struct noxs_ioctl_guest_name, name) == 8 &&
	       NOXS_IOCTL_GUEST_NAME == 0x40484eccu,
	       "struct noxs_ioctl_guest_name: 72 bytes, name at 8, ioctl 0x40484ecc (0x%x)",
	       (unsigned int)NOXS_IOCTL_GUEST_NAME);
	tap_ok(NOXS_GUEST_NAME_RENAME == 1 && NOXS_ABI_MINOR >= 7,
	       "NOXS_GUEST_NAME_RENAME is flag 1 of GUEST_NAME (ABI 1.7)");
	tap_ok(sizeof(struct noxs_ioctl_guest) == 8 &&
	       sizeof(struct noxs_ioctl_console_attach) == 16 &&
	       sizeof(struct noxs_ioctl_console_open) == 16,
	       "guest, console_attach and console_open arguments: 8, 16, 16 bytes");
	tap_ok(sizeof(struct noxs_ioctl_guest_info) == 88 &&
	       offsetof(struct noxs_ioctl_guest_info, created_ns) == 72,
	       "struct noxs_ioctl_guest_info: 88 bytes, created_ns 8-aligned at 72");
	tap_ok(sizeof(struct noxs_ioctl_stats) == 32 &&
	       offsetof(struct noxs_ioctl_stats, console_bytes) == 16,
	       "struct noxs_ioctl_stats: 32 bytes, console_bytes 8-aligned at 16");
	tap_ok(sizeof(struct noxs_dir_entry) == 32 &&
	       sizeof(struct noxs_dir_page) <= 4096 &&
	       offsetof(struct noxs_dir_page, entries) == NOXS_DIR_HEADER_SIZE &&
	       NOXS_DIR_MAX_ENTRIES == 127,
	       "the directory page: 32-byte entries after a 16-byte header, 127 fit in a page");
	tap_ok(sizeof(struct noxs_ioctl_device) == 16 &&
	       sizeof(struct noxs_ioctl_guest_close) == 16 &&
	       sizeof(struct noxs_ioctl_device_query) == 48 &&
	       offsetof(struct noxs_ioctl_device_query, events) == 32 &&
	       sizeof(struct noxs_sysctl_page) == 64 &&
	       offsetof(struct noxs_sysctl_page, request_arg) == 32 &&
	       offsetof(struct noxs_sysctl_page, settings_seq) == 36 &&
	       offsetof(struct noxs_sysctl_page, fe_settings_seq) == 48,
	       "device, close and query arguments and the sysctl page (version 3): 16, 16, 48 (events 8-aligned), 64 bytes");
	tap_ok(sizeof(struct noxs_ioctl_guest_request) == 24 &&
	       NOXS_IOCTL_GUEST_REQUEST == 0x40184ecdu,
	       "guest request (ABI 1.3): 24 bytes, 0x40184ecd (0x%x)",
	       (unsigned int)NOXS_IOCTL_GUEST_REQUEST);
	tap_ok(sizeof(struct noxs_ioctl_guest_settings) == 24 &&
	       NOXS_IOCTL_GUEST_SETTINGS == 0x40184ed0u,
	       "guest settings (ABI 1.6): 24 bytes, 0x40184ed0 (0x%x)",
	       (unsigned int)NOXS_IOCTL_GUEST_SETTINGS);
	tap_ok(sizeof(struct noxs_locator) == 32 &&
	       NOXS_LOCATOR_OFFSET + sizeof(struct noxs_locator) == 4096 &&
	       NOXS_LOCATOR_OFFSET >= 3088,
	       "the locator: 32 bytes at the end of the console page, past its ring");
	tap_ok(NOXS_IOCTL_DEVICE_CREATE == 0x40104ec8u &&
	       NOXS_IOCTL_DEVICE_DESTROY == 0x40104ec9u &&
	       NOXS_IOCTL_DEVICE_QUERY == 0xc0304ecau &&
	       NOXS_IOCTL_GUEST_CLOSE == 0x40104ecbu,
	       "the device ioctl numbers are as released");
	tap_ok(NOXS_SYSCTL_F_POWEROFF == 1u << NOXS_CLOSE_POWEROFF &&
	       NOXS_SYSCTL_F_REBOOT == 1u << NOXS_CLOSE_REBOOT &&
	       NOXS_SYSCTL_F_SUSPEND == 1u << NOXS_CLOSE_SUSPEND &&
	       NOXS_SYSCTL_F_SYSRQ == 1u << NOXS_SYSCTL_REQ_SYSRQ,
	       "each sysctl feature bit is its request's number");
	tap_ok(NOXS_IOCTL_GUEST_CREATE == 0xc0504ec1u &&
	       NOXS_IOCTL_CONSOLE_ATTACH == 0x40104ec2u &&
	       NOXS_IOCTL_GUEST_COMMIT == 0x40084ec3u &&
	       NOXS_IOCTL_GUEST_DESTROY == 0x40084ec4u &&
	       NOXS_IOCTL_GUEST_INFO == 0xc0584ec5u &&
	       NOXS_IOCTL_CONSOLE_OPEN == 0xc0104ec6u &&
	       NOXS_IOCTL_STATS == 0xc0204ec7u,
	       "the guest ioctl numbers are as released");

	tap_ok(sizeof(struct noxs_ioctl_device_add) == 64 &&
	       offsetof(struct noxs_ioctl_device_add, params) == 16 &&
	       sizeof(struct noxs_vif_params) == NOXS_DEVICE_PARAMS_SIZE &&
	       sizeof(struct noxs_vbd_params) == NOXS_DEVICE_PARAMS_SIZE &&
	       offsetof(struct noxs_vbd_params, pad) == 12 &&
	       NOXS_IOCTL_DEVICE_ADD == 0x40404eceu &&
	       sizeof(struct noxs_ioctl_device_hotplug) == 16 &&
	       NOXS_IOCTL_DEVICE_HOTPLUG == 0x40104ecfu,
	       "device add and hotplug (ABI 1.4): 64 and 16 bytes, 0x%x and 0x%x",
	       (unsigned int)NOXS_IOCTL_DEVICE_ADD,
	       (unsigned int)NOXS_IOCTL_DEVICE_HOTPLUG);
	tap_ok(sizeof(struct noxs_kv_page) == 4096 &&
	       offsetof(struct noxs_kv_page, init) == 16 &&
	       offsetof(struct noxs_kv_page, back) == 16 + 8 + NOXS_KV_INIT_SIZE &&
	       offsetof(struct noxs_kv_page, front) ==
	       offsetof(struct noxs_kv_page, back) + 8 + NOXS_KV_AREA_SIZE,
	       "the key page fills a page: header, init, back and front areas");

	return tap_done();
}
