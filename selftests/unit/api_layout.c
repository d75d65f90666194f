// SPDX-License-Identifier: GPL-2.0
/*
 * api_layout - host-side check that include/lightvm/lightvm_api.h keeps
 * its layout: every message struct's size (a multiple of 8, no hidden
 * padding) and the offsets of the header's fields. A change here is a new
 * LIGHTVM_API_VERSION.
 */
#include <stddef.h>

#include <lightvm/lightvm_api.h>

#include "tap.h"

#define SIZE(type, bytes) \
	tap_ok(sizeof(struct type) == (bytes) && (bytes) % 8 == 0, \
	       "struct " #type " is %d bytes (%zu)", (bytes), \
	       sizeof(struct type))

int main(void)
{
	tap_plan(17);

	SIZE(lightvm_msg_header, 40);
	tap_ok(offsetof(struct lightvm_msg_header, op) == 6 &&
	       offsetof(struct lightvm_msg_header, length) == 12 &&
	       offsetof(struct lightvm_msg_header, request_id) == 16 &&
	       offsetof(struct lightvm_msg_header, deadline_ns) == 24 &&
	       offsetof(struct lightvm_msg_header, flags) == 32,
	       "header: op at 6, length 12, request_id 16, deadline_ns 24, flags 32");
	tap_ok(LIGHTVM_API_MAGIC == 0x314d564cU && LIGHTVM_API_VERSION == 1,
	       "magic \"LVM1\", version 1");
	SIZE(lightvm_reply_status, 264);
	SIZE(lightvm_guest_ref, 72);
	SIZE(lightvm_create_req, 8);
	SIZE(lightvm_phase_times, 40);
	SIZE(lightvm_create_reply, 48);
	SIZE(lightvm_shutdown_req, 80);
	SIZE(lightvm_shutdown_reply, 8);
	SIZE(lightvm_list_req, 8);
	SIZE(lightvm_guest_info, 96);
	SIZE(lightvm_list_reply, 8);
	SIZE(lightvm_pool_size, 56);
	SIZE(lightvm_pool_size_req, 16);
	SIZE(lightvm_subscribe_req, 8);
	SIZE(lightvm_event, 88);
	return tap_done();
}
