/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's pool of pre-created domain shells: for each size (memory,
 * vcpus), a number of paused, nameless domains with their NoXS record,
 * devices and memory, finished into a guest when a request of that size
 * comes. Sizes come from `lvctl daemon --pool` and from the API's
 * POOL_SET; the daemon refills them when it has nothing else to do.
 */
#ifndef LVCTL_POOL_H
#define LVCTL_POOL_H

#include <stdint.h>

#include <lightvm/lightvm_api.h>

#include "build.h"
#include "config.h"

#define LVCTL_POOL_MAX_SIZES	LIGHTVM_POOL_MAX_SIZES
#define LVCTL_POOL_MAX_SHELLS	1024	/* per size */

struct lvctl_pool;
struct lvctl_pool *lvctl_pool_new(xc_interface *xch, int noxs_fd);
int lvctl_pool_add_size(struct lvctl_pool *pool, const char *spec);
int lvctl_pool_set_size(struct lvctl_pool *pool, long memory_mb, long vcpus,
			unsigned int target);
int lvctl_pool_timeout_ms(struct lvctl_pool *pool);
void lvctl_pool_refill_one(struct lvctl_pool *pool);
int lvctl_pool_take(struct lvctl_pool *pool, const struct lvctl_config *cfg,
		    int paused, struct lvctl_build *guest);
unsigned int lvctl_pool_describe(const struct lvctl_pool *pool,
				 struct lightvm_pool_size *sizes);
void lvctl_pool_free(struct lvctl_pool *pool);

#endif /* LVCTL_POOL_H */
