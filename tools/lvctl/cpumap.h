/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vCPU affinity, as xl.cfg's cpus and cpus_soft write it.
 */
#ifndef LVCTL_CPUMAP_H
#define LVCTL_CPUMAP_H

#include <stdint.h>

/*
 * An affinity: one spec for every vCPU (cpus = "0-3"), or a list of one
 * per vCPU (cpus = [ "0", "1" ]: vCPU 0 on CPU 0, vCPU 1 on CPU 1, any
 * further vCPU anywhere). nr == 0: none given.
 */
struct lvctl_affinity {
	unsigned int nr;
	int list;
	char **specs;
};

int lvctl_cpumap_parse(const char *spec, unsigned int nr_cpus, uint8_t *map,
		       const char *where);
int lvctl_affinity_copy(struct lvctl_affinity *dst,
			const struct lvctl_affinity *src);
void lvctl_affinity_free(struct lvctl_affinity *aff);

#endif /* LVCTL_CPUMAP_H */
