// SPDX-License-Identifier: GPL-2.0
/*
 * The keys each split device relays, and the values they may take: all a
 * relay lets cross between the two domains' stores. The names are the
 * stock drivers' own (xen-netback, xen-netfront, xen-blkback and
 * xen-blkfront; see Documentation/design.md for who writes and who reads
 * each).
 */
#include <linux/module.h>

#include "noxs-store.h"

/* XenbusStateInitialising .. XenbusStateReconfigured. */
#define RELAY_DEC(n, lo, hi, q) \
	{ .name = n, .kind = NOXS_RELAY_DECIMAL, .min = lo, .max = hi, \
	  .per_queue = q }
#define RELAY_WORDS(n, w) \
	{ .name = n, .kind = NOXS_RELAY_WORD, .words = w }
#define RELAY_STATE	RELAY_DEC("state", 1, 8, false)
#define RELAY_FLAG(n)	RELAY_DEC(n, 0, 1, false)
#define RELAY_U32(n, q)	RELAY_DEC(n, 0, U32_MAX, q)

/* What dom0 writes once into the guest's own vif node. */
const struct noxs_relay_key noxs_vif_init_keys[] = {
	{ .name = "mac", .kind = NOXS_RELAY_MAC },
	RELAY_DEC("handle", 0, 65535, false),
	{ }
};
EXPORT_SYMBOL_GPL(noxs_vif_init_keys);

/* xen-netback's keys, for xen-netfront. */
const struct noxs_relay_key noxs_vif_back_keys[] = {
	RELAY_STATE,
	RELAY_FLAG("feature-rx-copy"),
	RELAY_FLAG("feature-rx-flip"),
	RELAY_FLAG("feature-sg"),
	RELAY_FLAG("feature-gso-tcpv4"),
	RELAY_FLAG("feature-gso-tcpv6"),
	RELAY_FLAG("feature-ipv6-csum-offload"),
	RELAY_FLAG("feature-xdp-headroom"),
	RELAY_FLAG("feature-split-event-channels"),
	RELAY_FLAG("feature-multicast-control"),
	RELAY_FLAG("feature-dynamic-multicast-control"),
	RELAY_FLAG("feature-ctrl-ring"),
	RELAY_DEC("multi-queue-max-queues", 1, NOXS_VIF_MAX_QUEUES, false),
	{ }
};
EXPORT_SYMBOL_GPL(noxs_vif_back_keys);

/* xen-netfront's keys, for xen-netback (flat, or per queue). */
const struct noxs_relay_key noxs_vif_front_keys[] = {
	RELAY_STATE,
	RELAY_DEC("multi-queue-num-queues", 1, NOXS_VIF_MAX_QUEUES, false),
	RELAY_U32("tx-ring-ref", true),
	RELAY_U32("rx-ring-ref", true),
	RELAY_U32("event-channel", true),
	RELAY_U32("event-channel-tx", true),
	RELAY_U32("event-channel-rx", true),
	RELAY_U32("ctrl-ring-ref", false),
	RELAY_U32("event-channel-ctrl", false),
	RELAY_FLAG("request-rx-copy"),
	RELAY_FLAG("feature-rx-notify"),
	RELAY_FLAG("feature-sg"),
	RELAY_FLAG("feature-gso-tcpv4"),
	RELAY_FLAG("feature-gso-tcpv6"),
	RELAY_FLAG("feature-no-csum-offload"),
	RELAY_FLAG("feature-ipv6-csum-offload"),
	RELAY_FLAG("request-multicast-control"),
	RELAY_DEC("xdp-headroom", 0, 65535, false),
	{ }
};
EXPORT_SYMBOL_GPL(noxs_vif_front_keys);

/* What dom0 writes once into the guest's own vbd node: a disk. */
static const char *const vbd_device_types[] = { "disk", NULL };

const struct noxs_relay_key noxs_vbd_init_keys[] = {
	RELAY_DEC("virtual-device", 0, U32_MAX, false),
	RELAY_WORDS("device-type", vbd_device_types),
	{ }
};
EXPORT_SYMBOL_GPL(noxs_vbd_init_keys);

/* xen-blkback's keys, for xen-blkfront. */
const struct noxs_relay_key noxs_vbd_back_keys[] = {
	RELAY_STATE,
	RELAY_U32("info", false),
	RELAY_DEC("sectors", 0, U64_MAX, false),
	RELAY_U32("sector-size", false),
	RELAY_U32("physical-sector-size", false),
	RELAY_FLAG("feature-barrier"),
	RELAY_FLAG("feature-flush-cache"),
	RELAY_FLAG("feature-discard"),
	RELAY_FLAG("discard-secure"),
	RELAY_U32("discard-granularity", false),
	RELAY_U32("discard-alignment", false),
	RELAY_FLAG("feature-persistent"),
	RELAY_U32("feature-max-indirect-segments", false),
	RELAY_U32("max-ring-page-order", false),
	RELAY_DEC("multi-queue-max-queues", 1, U32_MAX, false),
	{ }
};
EXPORT_SYMBOL_GPL(noxs_vbd_back_keys);

/* The ABIs xen-blkfront names in "protocol" (Xen's blkif.h). */
static const char *const vbd_protocols[] = {
	"x86_32-abi", "x86_64-abi", "arm-abi", NULL
};

#define RELAY_RING_REF(i)	RELAY_U32("ring-ref" #i, true)

/* xen-blkfront's keys, for xen-blkback (flat, or per queue). */
const struct noxs_relay_key noxs_vbd_front_keys[] = {
	RELAY_STATE,
	RELAY_WORDS("protocol", vbd_protocols),
	RELAY_FLAG("feature-persistent"),
	RELAY_DEC("multi-queue-num-queues", 1, NOXS_VBD_MAX_QUEUES, false),
	RELAY_DEC("ring-page-order", 0, NOXS_VBD_MAX_RING_ORDER, false),
	RELAY_U32("event-channel", true),
	RELAY_U32("ring-ref", true),
	/* With ring-page-order N: ring-ref0 .. ring-ref(2^N - 1). */
	RELAY_RING_REF(0), RELAY_RING_REF(1), RELAY_RING_REF(2),
	RELAY_RING_REF(3), RELAY_RING_REF(4), RELAY_RING_REF(5),
	RELAY_RING_REF(6), RELAY_RING_REF(7), RELAY_RING_REF(8),
	RELAY_RING_REF(9), RELAY_RING_REF(10), RELAY_RING_REF(11),
	RELAY_RING_REF(12), RELAY_RING_REF(13), RELAY_RING_REF(14),
	RELAY_RING_REF(15),
	{ }
};
EXPORT_SYMBOL_GPL(noxs_vbd_front_keys);
