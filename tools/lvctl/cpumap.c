// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU affinity specs, as xl.cfg(5) has them: a comma-separated list of
 * "all", "N" and "N-M", each of which may start with '^' to take those
 * CPUs out again; read left to right. NUMA node specs ("nodes:") are
 * refused: lvctl places no guest by node.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpumap.h"
#include "lvctl.h"

/* The largest CPU number a spec may name, whatever the host. */
#define CPUMAP_MAX_CPU	4095

static int parse_cpu(const char **s, unsigned long *cpu)
{
	char *end;

	if (!isdigit((unsigned char)**s))
		return -1;
	errno = 0;
	*cpu = strtoul(*s, &end, 10);
	if (errno || *cpu > CPUMAP_MAX_CPU)
		return -1;
	*s = end;
	return 0;
}

static void set_range(uint8_t *map, unsigned long first, unsigned long last,
		      int on)
{
	unsigned long cpu;

	for (cpu = first; map && cpu <= last; cpu++) {
		if (on)
			map[cpu / 8] |= 1U << (cpu % 8);
		else
			map[cpu / 8] &= ~(1U << (cpu % 8));
	}
}

/* One item of a spec, applied to @map (NULL: only checked). */
static int parse_item(const char *item, unsigned int nr_cpus, uint8_t *map,
		      const char *where)
{
	unsigned long first, last;
	const char *s = item;
	int on = 1;

	if (!strcmp(s, "all")) {
		set_range(map, 0, nr_cpus - 1, 1);
		return 0;
	}
	if (*s == '^') {
		on = 0;
		s++;
	}
	if (parse_cpu(&s, &first))
		goto bad;
	last = first;
	if (*s == '-') {
		s++;
		if (parse_cpu(&s, &last) || last < first)
			goto bad;
	}
	if (*s)
		goto bad;
	if (last >= nr_cpus) {
		lvctl_error("%s: CPU %lu: this host has CPUs 0-%u", where, last,
			    nr_cpus - 1);
		return -1;
	}
	set_range(map, first, last, on);
	return 0;
bad:
	lvctl_error("%s: '%s': expected all, N, N-M or ^N (CPU numbers up to %d)",
		    where, item, CPUMAP_MAX_CPU);
	return -1;
}

/*
 * Reads @spec into @map, a bitmap of @nr_cpus bits that it clears first.
 * With @map NULL and @nr_cpus 0, only checks the spec's form. Returns 0,
 * or -1 after saying what is wrong, naming @where.
 */
int lvctl_cpumap_parse(const char *spec, unsigned int nr_cpus, uint8_t *map,
		       const char *where)
{
	char *copy, *rest, *item;
	int ret = 0;

	if (!strncmp(spec, "nodes:", 6)) {
		lvctl_error("%s: '%s': NUMA node affinity is not supported",
			    where, spec);
		return -1;
	}
	if (!*spec) {
		lvctl_error("%s: an empty CPU list", where);
		return -1;
	}
	copy = strdup(spec);
	if (!copy) {
		lvctl_error("out of memory");
		return -1;
	}
	if (map)
		memset(map, 0, (nr_cpus + 7) / 8);
	if (!nr_cpus)
		nr_cpus = CPUMAP_MAX_CPU + 1;
	for (rest = copy; !ret && (item = strsep(&rest, ",")) != NULL;)
		ret = parse_item(item, nr_cpus, map, where);
	free(copy);
	return ret;
}

/* A deep copy of @src; -1 after saying it is out of memory. */
int lvctl_affinity_copy(struct lvctl_affinity *dst,
			const struct lvctl_affinity *src)
{
	unsigned int i;

	*dst = *src;
	if (!src->nr)
		return 0;
	dst->specs = calloc(src->nr, sizeof(*dst->specs));
	if (!dst->specs)
		goto fail;
	for (i = 0; i < src->nr; i++)
		if (!(dst->specs[i] = strdup(src->specs[i])))
			goto fail;
	return 0;
fail:
	lvctl_affinity_free(dst);
	lvctl_error("out of memory");
	return -1;
}

void lvctl_affinity_free(struct lvctl_affinity *aff)
{
	unsigned int i;

	for (i = 0; aff->specs && i < aff->nr; i++)
		free(aff->specs[i]);
	free(aff->specs);
	memset(aff, 0, sizeof(*aff));
}
