// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's pool of domain shells, made ahead of requests:
 *
 * - sizes (LightVM's split toolstack): for each (memory, vcpus), domains
 *   with their NoXS record, devices and memory, paused and nameless; a
 *   create of that size finishes one (name, kernel, image, console,
 *   unpause);
 * - templates: for a guest configuration, shells that also have its
 *   kernel and ramdisk loaded, its image built and its vifs made (with a
 *   random MAC each), so that a request only names one, writes its
 *   command line, adds its disks and unpauses it.
 *   A template's shells are only as good as the files they were built
 *   from: the kernel's and ramdisk's identity (device, inode, size, mtime,
 *   ctime) is kept with them and checked on every request and refill; a
 *   file that changed drops them all (counted as stale).
 *
 * Both keep their shells on a shelf, oldest first. The daemon refills one
 * shell at a time when it has nothing else to do. A shell whose build
 * fails is destroyed (the builder gives everything back) and its shelf
 * waits before trying again. Shells are owned by the daemon's noxs file:
 * if the daemon dies, noxs drops their records; an orderly stop destroys
 * them. Everything runs in the daemon's one thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lvctl.h"
#include "pool.h"

#define RETRY_MIN_MS	1000		/* after a failed shell build */
#define RETRY_MAX_MS	64000

struct pool_shell {
	struct lvctl_build build;
	struct pool_shell *next;
	/* A template shell's vifs, made with it: their MACs are its own. */
	unsigned int nr_vifs;
	struct lvctl_vif vifs[LVCTL_MAX_VIFS];
};

/* Shells of one kind, and how keeping them ready goes. */
struct shelf {
	unsigned int target;
	unsigned int ready;
	unsigned int used;
	unsigned int failed;
	unsigned int stale;		/* dropped: their files changed */
	double retry_at;		/* ms; no build before then */
	double retry_ms;		/* the next wait after a failure */
	struct pool_shell *head;	/* oldest first */
	struct pool_shell **tail;
};

struct pool_size {
	long memory_mb;
	long vcpus;
	struct shelf shelf;
};

/* What identifies a file's content without reading it. */
struct file_id {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
};

struct pool_template {
	struct lvctl_config cfg;	/* cfg.name is the template's name */
	struct file_id kernel_id;	/* what its shells were built from */
	struct file_id ramdisk_id;
	struct shelf shelf;
};

struct lvctl_pool {
	xc_interface *xch;
	int noxs_fd;
	unsigned int nr_sizes;
	struct pool_size sizes[LVCTL_POOL_MAX_SIZES];
	unsigned int nr_templates;
	struct pool_template *templates[LVCTL_POOL_MAX_TEMPLATES];
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

/* --- shelves ---------------------------------------------------------------- */

static void shelf_init(struct shelf *shelf, unsigned int target)
{
	memset(shelf, 0, sizeof(*shelf));
	shelf->target = target;
	shelf->retry_ms = RETRY_MIN_MS;
	shelf->tail = &shelf->head;
}

/* After the struct holding @shelf moved: an empty list's tail is its head. */
static void shelf_moved(struct shelf *shelf)
{
	if (!shelf->head)
		shelf->tail = &shelf->head;
}

static struct pool_shell *shelf_take(struct shelf *shelf)
{
	struct pool_shell *shell = shelf->head;

	shelf->head = shell->next;
	if (!shelf->head)
		shelf->tail = &shelf->head;
	shelf->ready--;
	return shell;
}

static void shelf_put(struct shelf *shelf, struct pool_shell *shell)
{
	shelf->retry_ms = RETRY_MIN_MS;
	*shelf->tail = shell;
	shelf->tail = &shell->next;
	shelf->ready++;
}

/* Destroys ready shells until at most @keep are left. */
static void shelf_drop(struct shelf *shelf, unsigned int keep)
{
	while (shelf->ready > keep) {
		struct pool_shell *shell = shelf_take(shelf);

		lvctl_build_undo(&shell->build);
		free(shell);
	}
}

/* A new target: extra shells go now, and a failed shelf tries again. */
static void shelf_retarget(struct shelf *shelf, unsigned int target)
{
	shelf->target = target;
	shelf->retry_at = 0;	/* an operator's change: worth a new try */
	shelf_drop(shelf, target);
}

static void shelf_failed(struct shelf *shelf, const char *what)
{
	shelf->failed++;
	shelf->retry_at = lvctl_now_ms() + shelf->retry_ms;
	lvctl_log("%s failed; next try in %.0f s", what,
		  shelf->retry_ms / 1000);
	if (shelf->retry_ms < RETRY_MAX_MS)
		shelf->retry_ms *= 2;
}

/* Below its target with its wait over: 1; else when it may be, in *@at. */
static int shelf_due(const struct shelf *shelf, double now, double *at)
{
	if (shelf->ready >= shelf->target)
		return 0;
	if (shelf->retry_at <= now)
		return 1;
	if (*at < 0 || shelf->retry_at < *at)
		*at = shelf->retry_at;
	return 0;
}

static void shelf_describe(const struct shelf *shelf, uint32_t *target,
			   uint32_t *ready, uint32_t *used, uint32_t *failed,
			   uint32_t domids[LIGHTVM_POOL_SHOWN])
{
	const struct pool_shell *shell = shelf->head;
	unsigned int i;

	*target = shelf->target;
	*ready = shelf->ready;
	*used = shelf->used;
	*failed = shelf->failed;
	for (i = 0; shell && i < LIGHTVM_POOL_SHOWN; i++, shell = shell->next)
		domids[i] = shell->build.domid;
}

static struct pool_shell *shell_new(struct lvctl_pool *pool)
{
	struct pool_shell *shell = calloc(1, sizeof(*shell));

	if (shell) {
		shell->build.xch = pool->xch;
		shell->build.noxs_fd = pool->noxs_fd;
	}
	return shell;
}

/* --- sizes ------------------------------------------------------------------ */

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
	size->memory_mb = memory_mb;
	size->vcpus = vcpus;
	shelf_init(&size->shelf, target);
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

static void remove_size(struct lvctl_pool *pool, struct pool_size *size)
{
	struct pool_size *last = &pool->sizes[pool->nr_sizes - 1];

	shelf_drop(&size->shelf, 0);
	if (size != last) {
		*size = *last;
		shelf_moved(&size->shelf);
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
	shelf_retarget(&size->shelf, target);
	return 0;
}

static int refill_size(struct lvctl_pool *pool, struct pool_size *size)
{
	struct pool_shell *shell = shell_new(pool);
	char what[64];

	if (!shell ||
	    lvctl_shell_make(&shell->build, size->memory_mb, size->vcpus)) {
		free(shell);
		snprintf(what, sizeof(what), "a %ld MiB, %ld vcpu shell",
			 size->memory_mb, size->vcpus);
		shelf_failed(&size->shelf, what);
		return -1;
	}
	shelf_put(&size->shelf, shell);
	return 0;
}

/* --- templates -------------------------------------------------------------- */

static int file_id(const char *path, struct file_id *id)
{
	struct stat st;

	memset(id, 0, sizeof(*id));
	if (!path)
		return 0;
	if (stat(path, &st))
		return -1;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	id->size = st.st_size;
	id->mtime = st.st_mtim;
	id->ctime = st.st_ctim;
	return 0;
}

static int same_id(const struct file_id *a, const struct file_id *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime.tv_sec == b->mtime.tv_sec &&
	       a->mtime.tv_nsec == b->mtime.tv_nsec &&
	       a->ctime.tv_sec == b->ctime.tv_sec &&
	       a->ctime.tv_nsec == b->ctime.tv_nsec;
}

/* Are @t's files what its shells were built from? */
static int template_fresh(const struct pool_template *t)
{
	struct file_id kernel, ramdisk;

	return !file_id(t->cfg.kernel, &kernel) &&
	       !file_id(t->cfg.ramdisk, &ramdisk) &&
	       same_id(&kernel, &t->kernel_id) &&
	       same_id(&ramdisk, &t->ramdisk_id);
}

/* Drops @t's shells if its files changed since they were built. */
static void template_check(struct pool_template *t)
{
	if (!t->shelf.ready || template_fresh(t))
		return;
	lvctl_log("template %s: its kernel or ramdisk changed; %u shells dropped",
		  t->cfg.name, t->shelf.ready);
	t->shelf.stale += t->shelf.ready;
	shelf_drop(&t->shelf, 0);
}

static struct pool_template *find_template(struct lvctl_pool *pool,
					   const char *name)
{
	unsigned int i;

	for (i = 0; i < pool->nr_templates; i++)
		if (!strcmp(pool->templates[i]->cfg.name, name))
			return pool->templates[i];
	return NULL;
}

static void free_template(struct pool_template *t)
{
	shelf_drop(&t->shelf, 0);
	lvctl_config_free(&t->cfg);
	free(t);
}

static void remove_template(struct lvctl_pool *pool, unsigned int i)
{
	free_template(pool->templates[i]);
	pool->templates[i] = pool->templates[--pool->nr_templates];
}

/* What a template may hold: what its shells are built ahead with. */
static int template_config_check(const struct lvctl_config *cfg)
{
	unsigned int i;

	for (i = 0; i < cfg->nr_vifs; i++)
		if (cfg->vifs[i].mac_given || cfg->vifs[i].vifname[0]) {
			lvctl_error("template %s: vif %u gives a mac or vifname, but each shell has its own",
				    cfg->name, i);
			return -1;
		}
	if (cfg->maxmem_mb != cfg->memory_mb) {
		lvctl_error("template %s: maxmem must equal memory", cfg->name);
		return -1;
	}
	if (cfg->cmdline && strlen(cfg->cmdline) >= LIGHTVM_CMDLINE_SIZE) {
		lvctl_error("template %s: its command line is longer than %d bytes",
			    cfg->name, LIGHTVM_CMDLINE_SIZE - 1);
		return -1;
	}
	return 0;
}

/*
 * TEMPLATE_SET and --template: keep @target shells of the template
 * @name ready. @text (@len bytes of config, its name @name) defines or
 * redefines it; without text only the target changes. 0 drops it.
 */
int lvctl_pool_set_template(struct lvctl_pool *pool, const char *name,
			    const char *text, size_t len, unsigned int target)
{
	struct pool_template *t = find_template(pool, name), *fresh;
	unsigned int i;

	for (i = 0; t && pool->templates[i] != t; i++)
		;
	if (!target || !text) {
		if (!t) {
			lvctl_error("there is no template %s", name);
			return -ENOENT;
		}
		if (!target) {
			remove_template(pool, i);
			return 0;
		}
		shelf_retarget(&t->shelf, target);
		return 0;
	}

	fresh = calloc(1, sizeof(*fresh));
	if (!fresh) {
		lvctl_error("out of memory");
		return -ENOMEM;
	}
	if (lvctl_config_parse(text, len, "template", &fresh->cfg)) {
		free(fresh);
		return -EINVAL;
	}
	shelf_init(&fresh->shelf, target);
	if (strcmp(fresh->cfg.name, name)) {
		lvctl_error("template %s: its config names %s", name,
			    fresh->cfg.name);
		free_template(fresh);
		return -EINVAL;
	}
	if (template_config_check(&fresh->cfg)) {
		free_template(fresh);
		return -EINVAL;
	}
	if (!t && pool->nr_templates == LVCTL_POOL_MAX_TEMPLATES) {
		lvctl_error("the pool has %d templates already, the most it takes",
			    LVCTL_POOL_MAX_TEMPLATES);
		free_template(fresh);
		return -ENOSPC;
	}
	/* A redefined template's shells are of the old config: they go. */
	if (t) {
		fresh->shelf.used = t->shelf.used;
		free_template(t);
		pool->templates[i] = fresh;
	} else {
		pool->templates[pool->nr_templates++] = fresh;
	}
	return 0;
}

/* "CONFIG:COUNT" of --template: the config file's guest name names it. */
int lvctl_pool_add_template(struct lvctl_pool *pool, const char *spec)
{
	const char *colon = strrchr(spec, ':');
	struct lvctl_config cfg;
	char *path, *text;
	long count;
	size_t len;
	int ret;

	if (!colon || colon == spec ||
	    (colon++, parse_number(&colon, '\0', LVCTL_POOL_MAX_SHELLS,
				   &count))) {
		lvctl_error("--template '%s': expected CONFIG:COUNT (shells 1-%d)",
			    spec, LVCTL_POOL_MAX_SHELLS);
		return -1;
	}
	path = strndup(spec, strrchr(spec, ':') - spec);
	if (!path || lvctl_config_read(path, &cfg)) {
		free(path);
		return -1;
	}
	free(path);
	if (find_template(pool, cfg.name)) {
		lvctl_error("--template '%s': template %s is given twice", spec,
			    cfg.name);
		lvctl_config_free(&cfg);
		return -1;
	}
	/* As text, as a request brings it: one path for both. */
	text = lvctl_config_format_given_macs(&cfg, &len);
	ret = text ? lvctl_pool_set_template(pool, cfg.name, text, len, count) :
		     -ENOMEM;
	free(text);
	lvctl_config_free(&cfg);
	return ret ? -1 : 0;
}

/* The template's config with MACs of its own for a new shell's vifs. */
static int shell_config(const struct pool_template *t, struct pool_shell *shell,
			struct lvctl_config *cfg)
{
	unsigned int i;

	if (lvctl_config_copy(cfg, &t->cfg))
		return -1;
	for (i = 0; i < cfg->nr_vifs; i++) {
		if (lvctl_vif_random_mac(cfg->vifs[i].mac)) {
			lvctl_config_free(cfg);
			return -1;
		}
		cfg->vifs[i].mac_given = 1;
		shell->vifs[i] = cfg->vifs[i];
	}
	shell->nr_vifs = cfg->nr_vifs;
	return 0;
}

static int refill_template(struct pool_template *t, struct pool_shell *shell)
{
	struct file_id kernel, ramdisk;
	char what[LIGHTVM_NAME_SIZE + 32];
	struct lvctl_config cfg;
	int err;

	snprintf(what, sizeof(what), "a shell of template %s", t->cfg.name);
	if (file_id(t->cfg.kernel, &kernel) ||
	    file_id(t->cfg.ramdisk, &ramdisk)) {
		lvctl_error("template %s: cannot read its kernel or ramdisk: %s",
			    t->cfg.name, strerror(errno));
		goto fail;
	}
	/* Shells of the files as they were go first. */
	if (t->shelf.ready && (!same_id(&kernel, &t->kernel_id) ||
			       !same_id(&ramdisk, &t->ramdisk_id)))
		template_check(t);
	if (shell_config(t, shell, &cfg))
		goto fail;
	err = lvctl_template_make(&shell->build, &cfg);
	lvctl_config_free(&cfg);
	if (err)
		goto fail;
	/* Changed while it was read: this shell may hold either. */
	t->kernel_id = kernel;
	t->ramdisk_id = ramdisk;
	if (!template_fresh(t)) {
		lvctl_build_undo(&shell->build);
		t->shelf.stale++;
		goto fail;
	}
	shelf_put(&t->shelf, shell);
	return 0;
fail:
	free(shell);
	shelf_failed(&t->shelf, what);
	return -1;
}

/* --- refills ---------------------------------------------------------------- */

/* The shelf most due for a shell, or NULL and when one will be. */
static struct shelf *shelf_to_refill(struct lvctl_pool *pool, double now,
				     double *at, unsigned int *which)
{
	unsigned int i;

	*at = -1;
	for (i = 0; i < pool->nr_sizes; i++)
		if (shelf_due(&pool->sizes[i].shelf, now, at)) {
			*which = i;
			return &pool->sizes[i].shelf;
		}
	for (i = 0; i < pool->nr_templates; i++)
		if (shelf_due(&pool->templates[i]->shelf, now, at)) {
			*which = LVCTL_POOL_MAX_SIZES + i;
			return &pool->templates[i]->shelf;
		}
	return NULL;
}

/* For poll(): 0 if a shell is due now, -1 if none is. */
int lvctl_pool_timeout_ms(struct lvctl_pool *pool)
{
	double now = lvctl_now_ms(), at;
	unsigned int which;

	if (shelf_to_refill(pool, now, &at, &which))
		return 0;
	return at < 0 ? -1 : (int)(at - now) + 1;
}

void lvctl_pool_refill_one(struct lvctl_pool *pool)
{
	struct pool_shell *shell;
	unsigned int which;
	double at;

	if (!shelf_to_refill(pool, lvctl_now_ms(), &at, &which))
		return;
	if (which < LVCTL_POOL_MAX_SIZES) {
		refill_size(pool, &pool->sizes[which]);
		return;
	}
	shell = shell_new(pool);
	if (shell)
		refill_template(pool->templates[which - LVCTL_POOL_MAX_SIZES],
				shell);
}

/* --- requests --------------------------------------------------------------- */

/*
 * Can a template's shells, made with its vifs, be @cfg's? If it has none,
 * @cfg's own are added on the request; if it has some, @cfg's must be the
 * same (bridge, ip) and leave MAC and name to the shell.
 */
static int same_vifs(const struct lvctl_config *t, const struct lvctl_config *cfg)
{
	unsigned int i;

	if (!t->nr_vifs)
		return 1;
	if (t->nr_vifs != cfg->nr_vifs)
		return 0;
	for (i = 0; i < cfg->nr_vifs; i++)
		if (cfg->vifs[i].mac_given || cfg->vifs[i].vifname[0] ||
		    strcmp(cfg->vifs[i].bridge, t->vifs[i].bridge) ||
		    strcmp(cfg->vifs[i].ip, t->vifs[i].ip))
			return 0;
	return 1;
}

/* A fresh template whose shells fit @cfg (kernel, ramdisk, size, vifs). */
static struct pool_template *template_for(struct lvctl_pool *pool,
					  const struct lvctl_config *cfg)
{
	unsigned int i;

	for (i = 0; i < pool->nr_templates; i++) {
		struct pool_template *t = pool->templates[i];

		if (!t->shelf.ready || !same_vifs(&t->cfg, cfg) ||
		    strcmp(t->cfg.kernel, cfg->kernel) ||
		    !t->cfg.ramdisk != !cfg->ramdisk ||
		    (cfg->ramdisk && strcmp(t->cfg.ramdisk, cfg->ramdisk)) ||
		    t->cfg.memory_mb != cfg->memory_mb ||
		    t->cfg.maxmem_mb != cfg->maxmem_mb ||
		    t->cfg.vcpus != cfg->vcpus ||
		    t->cfg.max_vcpus != cfg->max_vcpus ||
		    t->cfg.max_grant_frames != cfg->max_grant_frames ||
		    t->cfg.max_event_channels != cfg->max_event_channels)
			continue;
		template_check(t);
		if (t->shelf.ready)
			return t;
	}
	return NULL;
}

/*
 * Finishes the oldest shell of @shelf as @cfg's guest, into @guest. A
 * template shell's vifs, with their MACs, become @cfg's.
 */
static int finish_shell(struct lvctl_pool *pool, struct shelf *shelf,
			struct lvctl_config *cfg, int paused, int template,
			struct lvctl_build *guest)
{
	struct pool_shell *shell;
	int ret;

	if (lvctl_build_check(pool->xch, pool->noxs_fd, cfg,
			      template ? 0 : LVCTL_CHECK_KERNEL))
		return -1;
	shell = shelf_take(shelf);
	shell->build.paused = paused;
	if (shell->nr_vifs) {
		memcpy(cfg->vifs, shell->vifs, sizeof(cfg->vifs));
		cfg->nr_vifs = shell->nr_vifs;
	}
	ret = template ? lvctl_template_finish(&shell->build, cfg) :
			 lvctl_shell_finish(&shell->build, cfg);
	if (!ret) {
		shelf->used++;
		*guest = shell->build;
	}
	free(shell);
	return ret ? -1 : 0;
}

/*
 * A guest of @cfg from a ready shell: of template @template if given,
 * else of a template built from @cfg's kernel and ramdisk at its size
 * (and its vifs, if the template has some: then @cfg gets the shell's
 * MACs), else of its size. Returns 0 with *@source, 1 if there is none (build
 * it from scratch), or -1 after saying why the finish failed (the shell
 * is destroyed).
 */
int lvctl_pool_take(struct lvctl_pool *pool, struct lvctl_config *cfg,
		    const char *template, int paused, struct lvctl_build *guest,
		    uint32_t *source)
{
	struct pool_template *t;
	struct pool_size *size;

	if (template) {
		t = find_template(pool, template);
		if (t)
			template_check(t);
	} else {
		t = template_for(pool, cfg);
	}
	if (t && t->shelf.ready) {
		*source = LIGHTVM_SOURCE_TEMPLATE;
		return finish_shell(pool, &t->shelf, cfg, paused, 1, guest);
	}
	size = find_size(pool, cfg->memory_mb, cfg->vcpus);
	if (!size || !size->shelf.ready || !lvctl_config_shell_fits(cfg))
		return 1;
	*source = LIGHTVM_SOURCE_POOL;
	return finish_shell(pool, &size->shelf, cfg, paused, 0, guest);
}

/*
 * The configuration of a guest @name made from template @template with
 * @cmdline (NULL: the template's own), into @cfg (the caller frees it).
 * Returns 0, -ENOENT for no such template, or -ENOMEM.
 */
int lvctl_pool_template_config(struct lvctl_pool *pool, const char *template,
			       const char *name, const char *cmdline,
			       struct lvctl_config *cfg)
{
	struct pool_template *t = find_template(pool, template);
	unsigned int i;

	if (!t) {
		lvctl_error("there is no template %s", template);
		return -ENOENT;
	}
	if (lvctl_config_copy(cfg, &t->cfg))
		return -ENOMEM;
	if (lvctl_config_rename(cfg, name)) {
		lvctl_config_free(cfg);
		return -EINVAL;
	}
	/* Its own MACs, from its own name, where the template gave none. */
	for (i = 0; i < cfg->nr_vifs; i++)
		if (!cfg->vifs[i].mac_given)
			lvctl_vif_default_mac(cfg->name, i, cfg->vifs[i].mac);
	if (cmdline) {
		free(cfg->cmdline);
		cfg->cmdline = strdup(cmdline);
		if (!cfg->cmdline) {
			lvctl_config_free(cfg);
			lvctl_error("out of memory");
			return -ENOMEM;
		}
	}
	return 0;
}

/* The pool as POOL_LIST shows it. */
void lvctl_pool_describe(const struct lvctl_pool *pool,
			 struct lightvm_pool_size *sizes, unsigned int *nr_sizes,
			 struct lightvm_pool_template *templates,
			 unsigned int *nr_templates)
{
	unsigned int i;

	for (i = 0; i < pool->nr_sizes; i++) {
		const struct pool_size *size = &pool->sizes[i];
		struct lightvm_pool_size *info = &sizes[i];

		memset(info, 0, sizeof(*info));
		info->memory_mb = size->memory_mb;
		info->vcpus = size->vcpus;
		shelf_describe(&size->shelf, &info->target, &info->ready,
			       &info->used, &info->failed, info->shell_domids);
	}
	*nr_sizes = pool->nr_sizes;
	for (i = 0; i < pool->nr_templates; i++) {
		const struct pool_template *t = pool->templates[i];
		struct lightvm_pool_template *info = &templates[i];

		memset(info, 0, sizeof(*info));
		snprintf(info->name, sizeof(info->name), "%s", t->cfg.name);
		snprintf(info->kernel, sizeof(info->kernel), "%s",
			 t->cfg.kernel);
		info->memory_mb = t->cfg.memory_mb;
		info->vcpus = t->cfg.vcpus;
		info->stale = t->shelf.stale;
		shelf_describe(&t->shelf, &info->target, &info->ready,
			       &info->used, &info->failed, info->shell_domids);
	}
	*nr_templates = pool->nr_templates;
}

/* Destroys every ready shell. */
void lvctl_pool_free(struct lvctl_pool *pool)
{
	unsigned int i;

	if (!pool)
		return;
	for (i = 0; i < pool->nr_sizes; i++)
		shelf_drop(&pool->sizes[i].shelf, 0);
	while (pool->nr_templates)
		remove_template(pool, pool->nr_templates - 1);
	free(pool);
}
