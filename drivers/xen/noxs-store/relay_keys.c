// SPDX-License-Identifier: GPL-2.0
/*
 * The keys each split device relays, and the values they may take: all a
 * relay lets cross between the two domains' stores. The names are the
 * stock drivers' own (xen-netback, xen-netfront; see
 * Documentation/design.md for who writes and who reads each).
 */
#include <linux/module.h>

#include "noxs-store.h"

/* XenbusStateInitialising .. XenbusStateReconfigured. */
#define RELAY_STATE	{ "state", NOXS_RELAY_DECIMAL, 1, 8, false }
#define RELAY_FLAG(n)	{ n, NOXS_RELAY_DECIMAL, 0, 1, false }
#define RELAY_U32(n, q)	{ n, NOXS_RELAY_DECIMAL, 0, U32_MAX, q }

/* What dom0 writes once into the guest's own vif node. */
const struct noxs_relay_key noxs_vif_init_keys[] = {
	{ "mac", NOXS_RELAY_MAC, 0, 0, false },
	{ "handle", NOXS_RELAY_DECIMAL, 0, 65535, false },
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
	{ "multi-queue-max-queues", NOXS_RELAY_DECIMAL, 1,
	  NOXS_VIF_MAX_QUEUES, false },
	{ }
};
EXPORT_SYMBOL_GPL(noxs_vif_back_keys);

/* xen-netfront's keys, for xen-netback (flat, or per queue). */
const struct noxs_relay_key noxs_vif_front_keys[] = {
	RELAY_STATE,
	{ "multi-queue-num-queues", NOXS_RELAY_DECIMAL, 1,
	  NOXS_VIF_MAX_QUEUES, false },
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
	{ "xdp-headroom", NOXS_RELAY_DECIMAL, 0, 65535, false },
	{ }
};
EXPORT_SYMBOL_GPL(noxs_vif_front_keys);
