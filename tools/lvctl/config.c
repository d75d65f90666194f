// SPDX-License-Identifier: GPL-2.0
/*
 * Guest configuration files, in xl.cfg syntax. libxlutil parses them, as it
 * does for xl; what it cannot do is list the keys a file sets, so a small
 * scanner finds them first, and every key lvctl does not know is refused
 * rather than silently ignored.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include <libxlutil.h>

#include "config.h"
#include "lvctl.h"

struct config_key {
	const char *name;
	const char *later;	/* non-NULL: a key lvctl does not do yet */
};

static const struct config_key config_keys[] = {
	{ "name", NULL },
	{ "kernel", NULL },
	{ "ramdisk", NULL },
	{ "memory", NULL },
	{ "maxmem", NULL },
	{ "vcpus", NULL },
	{ "extra", NULL },
	{ "cmdline", NULL },
	{ "on_poweroff", NULL },
	{ "on_reboot", NULL },
	{ "on_crash", NULL },
	{ "type", NULL },
	{ "vif", NULL },
	{ "disk", NULL },
};

#define NR_CONFIG_KEYS (sizeof(config_keys) / sizeof(config_keys[0]))

static const char *const action_names[] = {
	[LVCTL_ACTION_DESTROY] = "destroy",
	[LVCTL_ACTION_RESTART] = "restart",
	[LVCTL_ACTION_PRESERVE] = "preserve",
};

const char *lvctl_action_name(enum lvctl_action action)
{
	return action_names[action];
}

/*
 * Calls @fn(key, line, opaque) for every "KEY =" or "KEY +=" that starts a
 * setting in @text: outside strings, comments and [lists]. Stops at the
 * first non-zero return and returns it. Syntax errors are left to
 * libxlutil, which reports them with their line.
 */
int lvctl_config_scan_keys(const char *text, size_t len,
			   int (*fn)(const char *key, int line, void *opaque),
			   void *opaque)
{
	const char *p = text, *end = text + len;
	int depth = 0, line = 1, at_start = 1, ret;
	char key[64];
	size_t n;

	while (p < end) {
		char c = *p;

		if (c == '\n') {
			line++;
			if (!depth)
				at_start = 1;
			p++;
		} else if (c == '#') {
			while (p < end && *p != '\n')
				p++;
		} else if (c == '"' || c == '\'') {
			for (p++; p < end && *p != c; p++) {
				if (*p == '\\' && p + 1 < end)
					p++;
				if (*p == '\n')
					line++;
			}
			p++;
			at_start = 0;
		} else if (c == '[') {
			depth++, p++;
		} else if (c == ']') {
			depth -= depth > 0, p++;
		} else if (c == ';' && !depth) {
			at_start = 1, p++;
		} else if (isspace((unsigned char)c)) {
			p++;
		} else if (at_start && !depth &&
			   (isalpha((unsigned char)c) || c == '_')) {
			for (n = 0; p < end && (isalnum((unsigned char)*p) ||
						*p == '_'); p++)
				if (n < sizeof(key) - 1)
					key[n++] = *p;
			key[n] = '\0';
			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			if (p < end && (*p == '=' || (*p == '+' && p + 1 < end &&
						      p[1] == '='))) {
				ret = fn(key, line, opaque);
				if (ret)
					return ret;
			}
			at_start = 0;
		} else {
			at_start = 0, p++;
		}
	}
	return 0;
}

struct key_check {
	const char *path;
};

static int check_key(const char *key, int line, void *opaque)
{
	const struct key_check *check = opaque;
	size_t i;

	for (i = 0; i < NR_CONFIG_KEYS; i++) {
		if (strcmp(config_keys[i].name, key))
			continue;
		if (!config_keys[i].later)
			return 0;
		lvctl_error("%s:%d: '%s' is not supported yet (%s)",
			    check->path, line, key, config_keys[i].later);
		return -1;
	}
	lvctl_error("%s:%d: unknown key '%s'", check->path, line, key);
	return -1;
}

/*
 * A config is a regular file: a FIFO or a device could block lvctl for
 * good, so the file is opened without waiting and checked first.
 */
static FILE *open_config(const char *path)
{
	struct stat st;
	FILE *f;
	int fd;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		lvctl_error("cannot read config %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		lvctl_error("config %s is not a regular file", path);
		close(fd);
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		lvctl_error("cannot read config %s: %s", path, strerror(errno));
		close(fd);
	}
	return f;
}

static char *read_file(const char *path, size_t *len)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f;

	f = open_config(path);
	if (!f)
		return NULL;
	text = malloc(LVCTL_CONFIG_MAX + 1);
	if (text)
		size = fread(text, 1, LVCTL_CONFIG_MAX + 1, f);
	if (!text || ferror(f)) {
		lvctl_error("cannot read config %s: %s", path,
			    text ? strerror(errno) : "out of memory");
		goto err;
	}
	if (size > LVCTL_CONFIG_MAX) {
		lvctl_error("config %s is larger than %d bytes", path,
			    LVCTL_CONFIG_MAX);
		goto err;
	}
	fclose(f);
	text[size] = '\0';
	*len = size;
	return text;
err:
	free(text);
	fclose(f);
	return NULL;
}

/*
 * Looks @key up as a single value. Returns 0 with *@value set, 1 if the
 * file does not set it, -1 (after saying so) if it is a list: a value of
 * the wrong kind is an error, never the default.
 */
static int lookup(XLU_Config *xlu, const char *path, const char *key,
		  const char **value)
{
	int err = xlu_cfg_get_string(xlu, key, value, 1);

	if (!err)
		return 0;
	if (err == ESRCH)
		return 1;
	lvctl_error("%s: %s: expected a single value, not a list", path, key);
	return -1;
}

static int get_string(XLU_Config *xlu, const char *path, const char *key,
		      char **value, int required)
{
	const char *s;
	int ret = lookup(xlu, path, key, &s);

	if (ret < 0)
		return -1;
	if (ret) {
		if (!required)
			return 0;
		lvctl_error("%s: '%s' is required", path, key);
		return -1;
	}
	*value = strdup(s);
	if (!*value) {
		lvctl_error("out of memory");
		return -1;
	}
	return 0;
}

/* Reads a number of MiB or vcpus: a positive integer up to @max. */
static int get_count(XLU_Config *xlu, const char *path, const char *key,
		     long max, long *value)
{
	const char *s;
	char *end;
	long v;
	int ret = lookup(xlu, path, key, &s);

	if (ret)
		return ret < 0 ? -1 : 0;	/* absent: keep the default */
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v <= 0 || v > max) {
		lvctl_error("%s: %s = %s: expected a whole number from 1 to %ld",
			    path, key, s, max);
		return -1;
	}
	*value = v;
	return 0;
}

static int get_action(XLU_Config *xlu, const char *path, const char *key,
		      enum lvctl_action *action)
{
	const char *s;
	size_t i;
	int ret = lookup(xlu, path, key, &s);

	if (ret)
		return ret < 0 ? -1 : 0;
	for (i = 0; i < sizeof(action_names) / sizeof(action_names[0]); i++) {
		if (!strcmp(s, action_names[i])) {
			*action = i;
			return 0;
		}
	}
	lvctl_error("%s: %s = '%s': expected destroy, restart or preserve",
		    path, key, s);
	return -1;
}

/*
 * "KEY = [ 'spec', ... ]": the list and its length in *@n (0 when the key
 * is absent), at most @max; @example shows the form in the error.
 */
static int get_spec_list(XLU_Config *xlu, const char *path, const char *key,
			 const char *example, int max, XLU_ConfigList **list,
			 int *n)
{
	int err;

	*n = 0;
	err = xlu_cfg_get_list(xlu, key, list, n, 1);
	if (err == ESRCH)
		return 0;
	if (err) {
		lvctl_error("%s: %s: expected a list of specs, like %s", path,
			    key, example);
		return -1;
	}
	if (*n > max) {
		lvctl_error("%s: %s: %d specs, at most %d", path, key, *n, max);
		return -1;
	}
	return 0;
}

/* Spec @i of @list, or NULL (said, naming @where) if it is no string. */
static const char *get_spec(XLU_ConfigList *list, unsigned int i,
			    const char *where)
{
	const char *spec = xlu_cfg_get_listitem(list, i);

	if (!spec)
		lvctl_error("%s: expected a string", where);
	return spec;
}

/* "vif = [ 'spec', ... ]": each spec checked, a MAC made where none is given. */
static int get_vifs(XLU_Config *xlu, const char *path, struct lvctl_config *cfg)
{
	XLU_ConfigList *list;
	struct lvctl_vif *vif;
	const char *spec;
	unsigned int i, j;
	char where[300];
	int n;

	if (get_spec_list(xlu, path, "vif", "[ 'bridge=br0' ]",
			  LVCTL_MAX_VIFS, &list, &n))
		return -1;
	for (i = 0; i < (unsigned int)n; i++) {
		vif = &cfg->vifs[i];
		snprintf(where, sizeof(where), "%s: vif %u", path, i);
		spec = get_spec(list, i, where);
		if (!spec || lvctl_vif_parse(spec, where, vif))
			return -1;
		if (!vif->mac_given)
			lvctl_vif_default_mac(cfg->name, i, vif->mac);
		for (j = 0; j < i; j++) {
			if (!strcmp(cfg->vifs[j].mac, vif->mac) ||
			    (vif->vifname[0] &&
			     !strcmp(cfg->vifs[j].vifname, vif->vifname))) {
				lvctl_error("%s: %s is vif %u's already", where,
					    strcmp(cfg->vifs[j].mac, vif->mac) ?
					    vif->vifname : vif->mac, j);
				return -1;
			}
		}
	}
	cfg->nr_vifs = n;
	return 0;
}

/* "disk = [ 'spec', ... ]": each spec parsed as xl does, then checked. */
static int get_disks(XLU_Config *xlu, const char *path,
		     struct lvctl_config *cfg)
{
	XLU_ConfigList *list;
	struct lvctl_disk *disk;
	const char *spec;
	unsigned int i, j;
	char where[300];
	int n;

	if (get_spec_list(xlu, path, "disk", "[ 'file:/img,xvda,w' ]",
			  LVCTL_MAX_DISKS, &list, &n))
		return -1;
	for (i = 0; i < (unsigned int)n; i++) {
		disk = &cfg->disks[i];
		snprintf(where, sizeof(where), "%s: disk %u", path, i);
		spec = get_spec(list, i, where);
		if (!spec || lvctl_disk_parse(xlu, spec, where, disk))
			return -1;
		cfg->nr_disks = i + 1;	/* freed with the config */
		for (j = 0; j < i; j++) {
			if (cfg->disks[j].devnum == disk->devnum) {
				lvctl_error("%s: %s is disk %u's already", where,
					    disk->vdev, j);
				return -1;
			}
		}
	}
	return 0;
}

static int valid_name(const char *name)
{
	size_t len = strlen(name), i;

	if (len == 0 || len >= LVCTL_NAME_SIZE)
		return 0;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("_.-", name[i]))
			return 0;
	/* A name that looks like a domid would make lookups ambiguous. */
	return !isdigit((unsigned char)name[0]);
}

static int parse(XLU_Config *xlu, const char *path, struct lvctl_config *cfg)
{
	const char *type;
	long maxmem = 0;
	int ret;

	if (get_string(xlu, path, "name", &cfg->name, 1) ||
	    get_string(xlu, path, "kernel", &cfg->kernel, 1) ||
	    get_string(xlu, path, "ramdisk", &cfg->ramdisk, 0) ||
	    get_string(xlu, path, "extra", &cfg->cmdline, 0))
		return -1;
	if (!cfg->cmdline && get_string(xlu, path, "cmdline", &cfg->cmdline, 0))
		return -1;

	if (!valid_name(cfg->name)) {
		lvctl_error("%s: name = '%s': expected 1-%d of [A-Za-z0-9_.-], not starting with a digit",
			    path, cfg->name, LVCTL_NAME_SIZE - 1);
		return -1;
	}
	if (!strcasecmp(cfg->name, "Domain-0")) {
		lvctl_error("%s: name = '%s': the name of dom0 is reserved",
			    path, cfg->name);
		return -1;
	}

	ret = lookup(xlu, path, "type", &type);
	if (ret < 0)
		return -1;
	if (!ret && strcmp(type, "pv")) {
		lvctl_error("%s: type = '%s': lvctl builds PV guests only",
			    path, type);
		return -1;
	}

	if (get_count(xlu, path, "memory", LVCTL_MAX_MEMORY_MB,
		      &cfg->memory_mb) ||
	    get_count(xlu, path, "maxmem", LVCTL_MAX_MEMORY_MB, &maxmem) ||
	    get_count(xlu, path, "vcpus", LVCTL_MAX_VCPUS, &cfg->vcpus))
		return -1;
	cfg->maxmem_mb = maxmem ? maxmem : cfg->memory_mb;
	if (cfg->maxmem_mb < cfg->memory_mb) {
		lvctl_error("%s: maxmem (%ld) is less than memory (%ld)", path,
			    cfg->maxmem_mb, cfg->memory_mb);
		return -1;
	}

	if (get_action(xlu, path, "on_poweroff", &cfg->on_poweroff) ||
	    get_action(xlu, path, "on_reboot", &cfg->on_reboot) ||
	    get_action(xlu, path, "on_crash", &cfg->on_crash))
		return -1;
	return get_vifs(xlu, path, cfg) || get_disks(xlu, path, cfg) ? -1 : 0;
}

/*
 * The guest's kernel and ramdisk by absolute path: a restart (by the
 * daemon, from another working directory) must find the same files.
 */
static int absolute_path(const char *path, const char *key, char **value)
{
	char *abs;

	if (!*value || **value == '/')
		return 0;
	abs = realpath(*value, NULL);
	if (!abs) {
		lvctl_error("%s: cannot read %s %s: %s", path, key, *value,
			    strerror(errno));
		return -1;
	}
	free(*value);
	*value = abs;
	return 0;
}

/*
 * Parses @len bytes of xl.cfg text; @path names it in errors. Relative
 * kernel and ramdisk paths are taken from the working directory.
 */
int lvctl_config_parse(const char *text, size_t len, const char *path,
		       struct lvctl_config *cfg)
{
	struct key_check check = { .path = path };
	char *report_text = NULL;
	size_t report_len = 0;
	FILE *report = NULL;
	XLU_Config *xlu;
	int ret = -1;

	memset(cfg, 0, sizeof(*cfg));
	cfg->memory_mb = LVCTL_DEFAULT_MEMORY_MB;
	cfg->vcpus = 1;
	cfg->on_poweroff = LVCTL_ACTION_DESTROY;
	cfg->on_reboot = LVCTL_ACTION_RESTART;
	cfg->on_crash = LVCTL_ACTION_DESTROY;

	if (lvctl_config_scan_keys(text, len, check_key, &check))
		return -1;

	/* libxlutil reports syntax errors to a stream: keep its first line. */
	report = open_memstream(&report_text, &report_len);
	xlu = report ? xlu_cfg_init(report, path) : NULL;
	if (!xlu) {
		lvctl_error("out of memory");
		goto out_report;
	}
	if (xlu_cfg_readdata(xlu, text, len)) {
		fflush(report);
		report_len = strcspn(report_text, "\n");
		if (report_len)
			lvctl_error("%.*s", (int)report_len, report_text);
		else
			lvctl_error("%s: not a valid xl.cfg file", path);
		goto out_destroy;
	}
	ret = parse(xlu, path, cfg);
	if (!ret && (absolute_path(path, "kernel", &cfg->kernel) ||
		     absolute_path(path, "ramdisk", &cfg->ramdisk)))
		ret = -1;
out_destroy:
	xlu_cfg_destroy(xlu);
out_report:
	if (report)
		fclose(report);
	free(report_text);
	if (ret)
		lvctl_config_free(cfg);
	return ret;
}

int lvctl_config_read(const char *path, struct lvctl_config *cfg)
{
	size_t len;
	char *text;
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	text = read_file(path, &len);
	if (!text)
		return -1;
	ret = lvctl_config_parse(text, len, path, cfg);
	free(text);
	return ret;
}

/* restore --name: the guest gets another name, checked as the file's is. */
int lvctl_config_rename(struct lvctl_config *cfg, const char *name)
{
	char *copy;

	if (!valid_name(name) || !strcasecmp(name, "Domain-0")) {
		lvctl_error("guest name '%s': expected 1-%d of [A-Za-z0-9_.-], not starting with a digit, not Domain-0",
			    name, LVCTL_NAME_SIZE - 1);
		return -1;
	}
	copy = strdup(name);
	if (!copy) {
		lvctl_error("out of memory");
		return -1;
	}
	free(cfg->name);
	cfg->name = copy;
	return 0;
}

/*
 * A deep copy of @src into @dst (the caller frees it), without a parse:
 * what the daemon starts a template's guest from. Returns 0, or -1 after
 * saying it is out of memory.
 */
int lvctl_config_copy(struct lvctl_config *dst, const struct lvctl_config *src)
{
	unsigned int i;

	*dst = *src;
	dst->name = dst->kernel = dst->ramdisk = dst->cmdline = NULL;
	for (i = 0; i < src->nr_disks; i++)
		dst->disks[i].target = NULL;
	if (!(dst->name = strdup(src->name)) ||
	    !(dst->kernel = strdup(src->kernel)) ||
	    (src->ramdisk && !(dst->ramdisk = strdup(src->ramdisk))) ||
	    (src->cmdline && !(dst->cmdline = strdup(src->cmdline))))
		goto fail;
	for (i = 0; i < src->nr_disks; i++)
		if (!(dst->disks[i].target = strdup(src->disks[i].target)))
			goto fail;
	return 0;
fail:
	lvctl_config_free(dst);
	lvctl_error("out of memory");
	return -1;
}

void lvctl_config_free(struct lvctl_config *cfg)
{
	unsigned int i;

	for (i = 0; i < cfg->nr_disks; i++)
		lvctl_disk_free(&cfg->disks[i]);
	free(cfg->name);
	free(cfg->kernel);
	free(cfg->ramdisk);
	free(cfg->cmdline);
	memset(cfg, 0, sizeof(*cfg));
}

/* A string in double quotes, as xl.cfg reads it back. */
static void write_quoted(FILE *f, const char *value)
{
	fputc('"', f);
	for (; *value; value++) {
		if (*value == '"' || *value == '\\')
			fputc('\\', f);
		fputc(*value, f);
	}
	fputc('"', f);
}

static void write_string(FILE *f, const char *key, const char *value)
{
	fprintf(f, "%s = ", key);
	write_quoted(f, value);
	fputc('\n', f);
}

/* vif = [ "spec", ... ], with every MAC written out unless @given_macs. */
static void write_vifs(FILE *f, const struct lvctl_config *cfg, int given_macs)
{
	char spec[LVCTL_VIF_SPEC_SIZE];
	unsigned int i;

	if (!cfg->nr_vifs)
		return;
	fputs("vif = [ ", f);
	for (i = 0; i < cfg->nr_vifs; i++) {
		lvctl_vif_format(&cfg->vifs[i], given_macs, spec);
		fputs(i ? ", " : "", f);
		write_quoted(f, spec);
	}
	fputs(" ]\n", f);
}

/* disk = [ "spec", ... ], each with its absolute target and every field. */
static void write_disks(FILE *f, const struct lvctl_config *cfg)
{
	char spec[LVCTL_DISK_SPEC_SIZE];
	unsigned int i;

	if (!cfg->nr_disks)
		return;
	fputs("disk = [ ", f);
	for (i = 0; i < cfg->nr_disks; i++) {
		lvctl_disk_format(&cfg->disks[i], spec);
		fputs(i ? ", " : "", f);
		write_quoted(f, spec);
	}
	fputs(" ]\n", f);
}

/*
 * @cfg as xl.cfg text that lvctl_config_parse() reads back the same (but
 * for the MACs the config did not give, with @given_macs).
 */
static void print_config(FILE *f, const struct lvctl_config *cfg,
			 int given_macs)
{
	write_string(f, "name", cfg->name);
	write_string(f, "kernel", cfg->kernel);
	if (cfg->ramdisk)
		write_string(f, "ramdisk", cfg->ramdisk);
	if (cfg->cmdline)
		write_string(f, "extra", cfg->cmdline);
	fprintf(f, "memory = %ld\nmaxmem = %ld\nvcpus = %ld\n",
		cfg->memory_mb, cfg->maxmem_mb, cfg->vcpus);
	write_string(f, "on_poweroff", lvctl_action_name(cfg->on_poweroff));
	write_string(f, "on_reboot", lvctl_action_name(cfg->on_reboot));
	write_string(f, "on_crash", lvctl_action_name(cfg->on_crash));
	write_vifs(f, cfg, given_macs);
	write_disks(f, cfg);
}

static char *format(const struct lvctl_config *cfg, size_t *len,
		    int given_macs)
{
	char *text = NULL;
	FILE *f;

	f = open_memstream(&text, len);
	if (!f)
		return NULL;
	print_config(f, cfg, given_macs);
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

/* @cfg as text in a new buffer (what a request to the daemon carries). */
char *lvctl_config_format(const struct lvctl_config *cfg, size_t *len)
{
	return format(cfg, len, 0);
}

/*
 * The same with only the MACs the config gave: what a template is sent
 * as (each guest made from it gets its own MAC), and a create request
 * (the daemon makes the same MACs from the guest's name, and a template
 * whose vifs leave the MAC to its shells can serve it).
 */
char *lvctl_config_format_given_macs(const struct lvctl_config *cfg,
				   size_t *len)
{
	return format(cfg, len, 1);
}

/*
 * Writes @cfg as an xl.cfg file that lvctl_config_read() reads back to the
 * same configuration: what the daemon rebuilds a restarted guest from.
 * The file appears whole (written aside, then renamed). Returns a
 * descriptor of it that holds its flock() until closed, or -1.
 */
int lvctl_config_write(const struct lvctl_config *cfg, const char *path)
{
	char *tmp = NULL, *text;
	size_t len;
	int fd = -1;

	text = lvctl_config_format(cfg, &len);
	if (!text || asprintf(&tmp, "%s.tmp", path) < 0) {
		lvctl_error("out of memory");
		free(text);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) ||
	    write(fd, text, len) != (ssize_t)len || rename(tmp, path)) {
		lvctl_error("cannot write %s: %s", path, strerror(errno));
		if (fd >= 0) {
			unlink(tmp);
			close(fd);
		}
		fd = -1;
	}
	free(tmp);
	free(text);
	return fd;
}
