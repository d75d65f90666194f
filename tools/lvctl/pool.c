// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's pool of domain shells (LightVM's split toolstack): for each
 * configured size, a few domains created ahead of time with their NoXS
 * record and devices and their memory, paused and nameless. A CREATE of
 * that size finishes one (name, kernel, image, console, unpause); the
 * daemon refills the pool when it has nothing else to do.
 *
 * Everything runs in the daemon's one thread. A shell whose build fails
 * is destroyed (lvctl_shell_make gives everything back) and its size
 * waits before trying again. Shells are owned by the daemon's noxs file:
 * if the daemon dies, noxs drops their records; an orderly stop destroys
 * them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lvctl.h"
#include "pool.h"

#define RETRY_MIN_MS	1000		/* after a failed shell build */
#define RETRY_MAX_MS	64000

struct pool_shell {
	struct lvctl_build build;
	struct pool_shell *next;
};

struct pool_size {
	long memory_mb;
	long vcpus;
	unsigned int target;
	unsigned int ready;
	unsigned int used;
	unsigned int failed;
	double retry_at;		/* ms; no build before then */
	double retry_ms;		/* the next wait after a failure */
	struct pool_shell *head;	/* oldest first */
	struct pool_shell **tail;
};

struct lvctl_pool {
	xc_interface *xch;
	int noxs_fd;
	unsigned int nr_sizes;
	struct pool_size sizes[LVCTL_POOL_MAX_SIZES];
};

struct lvctl_pool *lvctl_pool_new(xc_interface *xch, int noxs_fd)
{
	struct lvctl_pool *pool = calloc(1, sizeof(*pool));

	if (!pool) {
		lvctl_error("out of memory");
		return NULL;
	}
	pool->xch = xch;
	pool->noxs_fd = noxs_fd;
	return pool;
}

static int parse_number(const char **s, char end, long max, long *value)
{
	char *stop;

	if (**s < '0' || **s > '9')
		return -1;
	errno = 0;
	*value = strtol(*s, &stop, 10);
	if (errno || *stop != end || *value < 1 || *value > max)
		return -1;
	*s = stop + (end != '\0');
	return 0;
}

static struct pool_size *find_size(struct lvctl_pool *pool, long memory_mb,
				   long vcpus)
{
	unsigned int i;

	for (i = 0; i < pool->nr_sizes; i++)
		if (pool->sizes[i].memory_mb == memory_mb &&
		    pool->sizes[i].vcpus == vcpus)
			return &pool->sizes[i];
	return NULL;
}

static int add_size(struct lvctl_pool *pool, long memory_mb, long vcpus,
		    unsigned int target)
{
	struct pool_size *size;

	if (pool->nr_sizes == LVCTL_POOL_MAX_SIZES) {
		lvctl_error("the pool has %d sizes already, the most it takes",
			    LVCTL_POOL_MAX_SIZES);
		return -1;
	}
	size = &pool->sizes[pool->nr_sizes++];
	memset(size, 0, sizeof(*size));
	size->memory_mb = memory_mb;
	size->vcpus = vcpus;
	size->target = target;
	size->retry_ms = RETRY_MIN_MS;
	size->tail = &size->head;
	return 0;
}

/* "MEMORY:VCPUS:COUNT", e.g. "4:1:8": keep 8 shells of 4 MiB, 1 vcpu. */
int lvctl_pool_add_size(struct lvctl_pool *pool, const char *spec)
{
	const char *s = spec;
	long memory_mb, vcpus, count;

	if (parse_number(&s, ':', LVCTL_MAX_MEMORY_MB, &memory_mb) ||
	    parse_number(&s, ':', LVCTL_MAX_VCPUS, &vcpus) ||
	    parse_number(&s, '\0', LVCTL_POOL_MAX_SHELLS, &count)) {
		lvctl_error("--pool '%s': expected MEMORY:VCPUS:COUNT (MiB 1-%ld, vcpus 1-%d, shells 1-%d)",
			    spec, LVCTL_MAX_MEMORY_MB, LVCTL_MAX_VCPUS,
			    LVCTL_POOL_MAX_SHELLS);
		return -1;
	}
	if (find_size(pool, memory_mb, vcpus)) {
		lvctl_error("--pool '%s': %ld MiB, %ld vcpus is given twice",
			    spec, memory_mb, vcpus);
		return -1;
	}
	return add_size(pool, memory_mb, vcpus, count);
}

/* The first size below its count whose wait is over; else how long to wait. */
static struct pool_size *size_to_refill(struct lvctl_pool *pool, double now,
					double *wait_ms)
{
	unsigned int i;

	*wait_ms = -1;
	for (i = 0; i < pool->nr_sizes; i++) {
		struct pool_size *size = &pool->sizes[i];

		if (size->ready >= size->target)
			continue;
		if (size->retry_at <= now)
			return size;
		if (*wait_ms < 0 || size->retry_at - now < *wait_ms)
			*wait_ms = size->retry_at - now;
	}
	return NULL;
}

/* For poll(): 0 if a shell is due now, -1 if none is. */
int lvctl_pool_timeout_ms(struct lvctl_pool *pool)
{
	double wait_ms;

	if (size_to_refill(pool, lvctl_now_ms(), &wait_ms))
		return 0;
	return wait_ms < 0 ? -1 : (int)wait_ms + 1;
}

void lvctl_pool_refill_one(struct lvctl_pool *pool)
{
	struct pool_shell *shell;
	struct pool_size *size;
	double wait_ms;

	size = size_to_refill(pool, lvctl_now_ms(), &wait_ms);
	if (!size)
		return;

	shell = calloc(1, sizeof(*shell));
	if (shell) {
		shell->build.xch = pool->xch;
		shell->build.noxs_fd = pool->noxs_fd;
	}
	if (!shell || lvctl_shell_make(&shell->build, size->memory_mb,
				       size->vcpus)) {
		free(shell);
		size->failed++;
		size->retry_at = lvctl_now_ms() + size->retry_ms;
		lvctl_log("a %ld MiB, %ld vcpu shell failed; next try in %.0f s",
			  size->memory_mb, size->vcpus, size->retry_ms / 1000);
		if (size->retry_ms < RETRY_MAX_MS)
			size->retry_ms *= 2;
		return;
	}
	size->retry_ms = RETRY_MIN_MS;
	*size->tail = shell;
	size->tail = &shell->next;
	size->ready++;
}

static struct pool_shell *take_shell(struct pool_size *size)
{
	struct pool_shell *shell = size->head;

	size->head = shell->next;
	if (!size->head)
		size->tail = &size->head;
	size->ready--;
	return shell;
}

/* Destroys ready shells of @size until at most @keep are left. */
static void drop_shells(struct pool_size *size, unsigned int keep)
{
	while (size->ready > keep) {
		struct pool_shell *shell = take_shell(size);

		lvctl_build_undo(&shell->build);
		free(shell);
	}
}

static void remove_size(struct lvctl_pool *pool, struct pool_size *size)
{
	struct pool_size *last = &pool->sizes[pool->nr_sizes - 1];

	drop_shells(size, 0);
	if (size != last) {
		*size = *last;
		/* An empty list's tail points at its own head. */
		if (!size->head)
			size->tail = &size->head;
	}
	pool->nr_sizes--;
}

/*
 * POOL_SET: keep @target shells of a size ready; a new size is added, a
 * lower target destroys the extra shells now, 0 drops the size.
 */
int lvctl_pool_set_size(struct lvctl_pool *pool, long memory_mb, long vcpus,
			unsigned int target)
{
	struct pool_size *size = find_size(pool, memory_mb, vcpus);

	if (!size)
		return target ? add_size(pool, memory_mb, vcpus, target) : 0;
	if (!target) {
		remove_size(pool, size);
		return 0;
	}
	size->target = target;
	size->retry_at = 0;	/* an operator's change is worth a new try */
	drop_shells(size, target);
	return 0;
}

/*
 * A guest of @cfg from a ready shell of its size, into @guest. Returns 0,
 * 1 if there is none (build it from scratch), or -1 after saying why the
 * finish failed (the shell is destroyed).
 */
int lvctl_pool_take(struct lvctl_pool *pool, const struct lvctl_config *cfg,
		    int paused, struct lvctl_build *guest)
{
	struct pool_size *size = find_size(pool, cfg->memory_mb, cfg->vcpus);
	struct pool_shell *shell;
	int ret;

	if (!size || !size->ready || cfg->maxmem_mb != cfg->memory_mb)
		return 1;
	if (lvctl_build_check(pool->xch, pool->noxs_fd, cfg,
			      LVCTL_CHECK_KERNEL))
		return -1;

	shell = take_shell(size);
	shell->build.paused = paused;
	ret = lvctl_shell_finish(&shell->build, cfg);
	if (!ret) {
		size->used++;
		*guest = shell->build;
	}
	free(shell);
	return ret ? -1 : 0;
}

/* The pool as POOL_LIST shows it; returns the number of sizes. */
unsigned int lvctl_pool_describe(const struct lvctl_pool *pool,
				 struct lightvm_pool_size *sizes)
{
	unsigned int i, j;

	for (i = 0; i < pool->nr_sizes; i++) {
		const struct pool_size *size = &pool->sizes[i];
		const struct pool_shell *shell = size->head;
		struct lightvm_pool_size *info = &sizes[i];

		memset(info, 0, sizeof(*info));
		info->memory_mb = size->memory_mb;
		info->vcpus = size->vcpus;
		info->target = size->target;
		info->ready = size->ready;
		info->used = size->used;
		info->failed = size->failed;
		for (j = 0; shell && j < LIGHTVM_POOL_SHOWN;
		     j++, shell = shell->next)
			info->shell_domids[j] = shell->build.domid;
	}
	return pool->nr_sizes;
}

/* Destroys every ready shell. */
void lvctl_pool_free(struct lvctl_pool *pool)
{
	unsigned int i;

	if (!pool)
		return;
	for (i = 0; i < pool->nr_sizes; i++)
		drop_shells(&pool->sizes[i], 0);
	free(pool);
}
