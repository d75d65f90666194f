/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's pool of pre-created domain shells: for each size (memory,
 * vcpus), paused, nameless domains with their NoXS record, devices and
 * memory; for each template (a guest configuration), shells with its
 * kernel loaded and image built too. Sizes and templates come from
 * `lvctl daemon --pool/--template` and from the API's POOL_SET and
 * TEMPLATE_SET; the daemon refills them when it has nothing else to do.
 */
#ifndef LVCTL_POOL_H
#define LVCTL_POOL_H

#include <stdint.h>

#include <lightvm/lightvm_api.h>

#include "build.h"
#include "config.h"

#define LVCTL_POOL_MAX_SIZES	LIGHTVM_POOL_MAX_SIZES
#define LVCTL_POOL_MAX_TEMPLATES LIGHTVM_POOL_MAX_TEMPLATES
#define LVCTL_POOL_MAX_SHELLS	1024	/* per size or template */

struct lvctl_pool;
struct lvctl_pool *lvctl_pool_new(xc_interface *xch, int noxs_fd);
int lvctl_pool_add_size(struct lvctl_pool *pool, const char *spec);
int lvctl_pool_set_size(struct lvctl_pool *pool, long memory_mb, long vcpus,
			unsigned int target);
int lvctl_pool_add_template(struct lvctl_pool *pool, const char *spec);
int lvctl_pool_set_template(struct lvctl_pool *pool, const char *name,
			    const char *text, size_t len, unsigned int target);
int lvctl_pool_template_config(struct lvctl_pool *pool, const char *template,
			       const char *name, const char *cmdline,
			       struct lvctl_config *cfg);
int lvctl_pool_timeout_ms(struct lvctl_pool *pool);
void lvctl_pool_refill_one(struct lvctl_pool *pool);
int lvctl_pool_take(struct lvctl_pool *pool, struct lvctl_config *cfg,
		    const char *template, int paused, struct lvctl_build *guest,
		    uint32_t *source);
void lvctl_pool_describe(const struct lvctl_pool *pool,
			 struct lightvm_pool_size *sizes, unsigned int *nr_sizes,
			 struct lightvm_pool_template *templates,
			 unsigned int *nr_templates);
void lvctl_pool_free(struct lvctl_pool *pool);

#endif /* LVCTL_POOL_H */
