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

/* The keys lvctl reads. */
static const char *const config_keys[] = {
	"name", "uuid", "type", "builder", "kernel", "ramdisk", "extra",
	"cmdline", "root", "memory", "maxmem", "vcpus", "maxvcpus", "cpus",
	"cpus_soft", "cpu_weight", "cap", "max_grant_frames",
	"max_event_channels", "localtime", "on_poweroff", "on_reboot",
	"on_crash", "on_watchdog", "vif", "disk",
};

/* xl's keys for what lvctl does not do, and in a word why not. */
static const struct {
	const char *name;
	const char *why;
} config_keys_refused[] = {
	{ "bootloader", "no bootloaders: give the kernel" },
	{ "bootloader_args", "no bootloaders" },
	{ "vfb", "no framebuffer" }, { "vkb", "no framebuffer" },
	{ "vnc", "no framebuffer" }, { "vnclisten", "no framebuffer" },
	{ "vncdisplay", "no framebuffer" }, { "vncunused", "no framebuffer" },
	{ "vncpasswd", "no framebuffer" }, { "sdl", "no framebuffer" },
	{ "keymap", "no framebuffer" }, { "spice", "no framebuffer" },
	{ "pci", "no passthrough" }, { "pci_permissive", "no passthrough" },
	{ "pci_seize", "no passthrough" }, { "rdm", "no passthrough" },
	{ "irqs", "no passthrough" }, { "iomem", "no passthrough" },
	{ "ioports", "no passthrough" }, { "dtdev", "no passthrough" },
	{ "gfx_passthru", "no passthrough" },
	{ "channel", "no such device" }, { "p9", "no such device" },
	{ "pvcalls", "no such device" }, { "vtpm", "no such device" },
	{ "vdispl", "no such device" }, { "vsnd", "no such device" },
	{ "vuart", "no such device" }, { "usbctrl", "no such device" },
	{ "usbdev", "no such device" }, { "usb", "HVM only" },
	{ "usbdevice", "HVM only" }, { "acpi", "HVM only" },
	{ "apic", "HVM only" }, { "pae", "HVM only" }, { "hap", "HVM only" },
	{ "viridian", "HVM only" }, { "boot", "HVM only" },
	{ "firmware", "HVM only" }, { "bios", "HVM only" },
	{ "serial", "HVM only" }, { "soundhw", "HVM only" },
	{ "stdvga", "HVM only" }, { "vga", "HVM only" },
	{ "videoram", "HVM only" }, { "nestedhvm", "HVM only" },
	{ "hpet", "HVM only" }, { "timer_mode", "HVM only" },
	{ "device_model_version", "no device model" },
	{ "device_model_override", "no device model" },
	{ "device_model_stubdomain_override", "no device model" },
	{ "pool", "no CPU pools" }, { "cpuid", "no CPUID policy" },
	{ "vnuma", "no vNUMA" }, { "seclabel", "no XSM labels" },
	{ "init_seclabel", "no XSM labels" },
	{ "driver_domain", "no driver domains" },
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

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

/*
 * Every key a file sets that lvctl does not take, gathered so that one
 * message names them all, each with its line and, for xl's, why not.
 */
struct key_check {
	FILE *refused;		/* the list so far */
	int count;
};

static int check_key(const char *key, int line, void *opaque)
{
	struct key_check *check = opaque;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(config_keys); i++)
		if (!strcmp(config_keys[i], key))
			return 0;
	fprintf(check->refused, "%s%s (line %d: ", check->count++ ? ", " : "",
		key, line);
	for (i = 0; i < ARRAY_SIZE(config_keys_refused); i++) {
		if (!strcmp(config_keys_refused[i].name, key)) {
			fprintf(check->refused, "%s)",
				config_keys_refused[i].why);
			return 0;
		}
	}
	fputs("unknown)", check->refused);
	return 0;
}

/* Refuses @text, in one line, if it sets a key lvctl does not take. */
static int check_keys(const char *text, size_t len, const char *path)
{
	struct key_check check = { 0 };
	char *list = NULL;
	size_t size = 0;

	check.refused = open_memstream(&list, &size);
	if (!check.refused) {
		lvctl_error("out of memory");
		return -1;
	}
	lvctl_config_scan_keys(text, len, check_key, &check);
	if (fclose(check.refused)) {
		lvctl_error("out of memory");
		free(list);
		return -1;
	}
	if (check.count)
		lvctl_error("%s: lvctl does not take %s: %s", path,
			    check.count > 1 ? "these keys" : "this key", list);
	free(list);
	return check.count ? -1 : 0;
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

/* Reads a whole number from @min to @max; absent: *@value is kept. */
static int get_number(XLU_Config *xlu, const char *path, const char *key,
		      long min, long max, long *value)
{
	const char *s;
	char *end;
	long v;
	int ret = lookup(xlu, path, key, &s);

	if (ret)
		return ret < 0 ? -1 : 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		lvctl_error("%s: %s = %s: expected a whole number from %ld to %ld",
			    path, key, s, min, max);
		return -1;
	}
	*value = v;
	return 0;
}

/* A number of MiB or vcpus: a positive integer up to @max. */
static int get_count(XLU_Config *xlu, const char *path, const char *key,
		     long max, long *value)
{
	return get_number(xlu, path, key, 1, max, value);
}

static const char *get_spec(XLU_ConfigList *list, unsigned int i,
			    const char *where);

/* "8-4-4-4-12" hex digits, as xl writes a domain's UUID. */
static int parse_uuid(const char *s, uint8_t uuid[16])
{
	static const int dash_at[] = { 8, 13, 18, 23 };
	unsigned int i, d = 0, n = 0, hi = 0;

	if (strlen(s) != 36)
		return -1;
	for (i = 0; i < 36; i++) {
		if (d < 4 && i == (unsigned int)dash_at[d]) {
			if (s[i] != '-')
				return -1;
			d++;
			continue;
		}
		if (!isxdigit((unsigned char)s[i]))
			return -1;
		hi = hi << 4 | (isdigit((unsigned char)s[i]) ? s[i] - '0' :
				(tolower((unsigned char)s[i]) - 'a' + 10));
		if (n++ % 2)
			uuid[n / 2 - 1] = hi, hi = 0;
	}
	return 0;
}

static int get_uuid(XLU_Config *xlu, const char *path,
		    struct lvctl_config *cfg)
{
	const char *s;
	int ret = lookup(xlu, path, "uuid", &s);

	if (ret)
		return ret < 0 ? -1 : 0;
	if (parse_uuid(s, cfg->uuid)) {
		lvctl_error("%s: uuid = '%s': expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx in hex",
			    path, s);
		return -1;
	}
	cfg->has_uuid = 1;
	return 0;
}

/* An affinity: one spec for all vCPUs, or a list of one per vCPU. */
static int get_affinity(XLU_Config *xlu, const char *path, const char *key,
			long max_vcpus, struct lvctl_affinity *aff)
{
	XLU_ConfigList *list = NULL;
	const char *spec;
	char where[300];
	int err, n = 1, i;

	err = xlu_cfg_get_list(xlu, key, &list, &n, 1);
	if (err == ESRCH)
		return 0;
	if (err) {
		if (lookup(xlu, path, key, &spec))
			return -1;
		list = NULL;
	} else if (n == 0 || n > max_vcpus) {
		lvctl_error("%s: %s: a list of 1 to %ld CPU specs, one per vCPU (maxvcpus)",
			    path, key, max_vcpus);
		return -1;
	}
	aff->specs = calloc(n, sizeof(*aff->specs));
	if (!aff->specs) {
		lvctl_error("out of memory");
		return -1;
	}
	aff->nr = n;
	aff->list = list != NULL;
	for (i = 0; i < n; i++) {
		snprintf(where, sizeof(where), "%s: %s", path, key);
		if (list) {
			snprintf(where, sizeof(where), "%s: %s, vCPU %d", path,
				 key, i);
			spec = get_spec(list, i, where);
			if (!spec)
				return -1;
		}
		if (lvctl_cpumap_parse(spec, 0, NULL, where))
			return -1;
		aff->specs[i] = strdup(spec);
		if (!aff->specs[i]) {
			lvctl_error("out of memory");
			return -1;
		}
	}
	return 0;
}

/* 0 or 1 (xl's defbool): for localtime. */
static int get_bool(XLU_Config *xlu, const char *path, const char *key,
		    int *value)
{
	long v = *value;

	if (get_number(xlu, path, key, 0, 1, &v))
		return -1;
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

/*
 * The command line: "extra" (or "cmdline"), after "root=ROOT" if "root"
 * is set, as xl makes it.
 */
static int get_cmdline(XLU_Config *xlu, const char *path,
		       struct lvctl_config *cfg)
{
	char *root = NULL, *both;

	if (get_string(xlu, path, "extra", &cfg->cmdline, 0) ||
	    (!cfg->cmdline &&
	     get_string(xlu, path, "cmdline", &cfg->cmdline, 0)) ||
	    get_string(xlu, path, "root", &root, 0))
		return -1;
	if (!root)
		return 0;
	if (asprintf(&both, "root=%s%s%s", root, cfg->cmdline ? " " : "",
		     cfg->cmdline ? cfg->cmdline : "") < 0) {
		free(root);
		lvctl_error("out of memory");
		return -1;
	}
	free(root);
	free(cfg->cmdline);
	cfg->cmdline = both;
	return 0;
}

/* type = "pv" and builder = "generic" are what lvctl builds. */
static int check_type(XLU_Config *xlu, const char *path)
{
	const char *value;
	int ret;

	ret = lookup(xlu, path, "type", &value);
	if (ret < 0)
		return -1;
	if (!ret && strcmp(value, "pv")) {
		lvctl_error("%s: type = '%s': lvctl builds PV guests only",
			    path, value);
		return -1;
	}
	ret = lookup(xlu, path, "builder", &value);
	if (ret < 0)
		return -1;
	if (!ret && strcmp(value, "generic")) {
		lvctl_error("%s: builder = '%s': lvctl builds PV guests only (builder = \"generic\")",
			    path, value);
		return -1;
	}
	return 0;
}

/* vcpus and maxvcpus, and each vCPU's affinity and scheduling. */
static int get_cpus(XLU_Config *xlu, const char *path,
		    struct lvctl_config *cfg)
{
	if (get_count(xlu, path, "vcpus", LVCTL_MAX_VCPUS, &cfg->vcpus))
		return -1;
	cfg->max_vcpus = cfg->vcpus;
	if (get_count(xlu, path, "maxvcpus", LVCTL_MAX_VCPUS, &cfg->max_vcpus))
		return -1;
	if (cfg->max_vcpus < cfg->vcpus) {
		lvctl_error("%s: maxvcpus (%ld) is less than vcpus (%ld)", path,
			    cfg->max_vcpus, cfg->vcpus);
		return -1;
	}
	return get_affinity(xlu, path, "cpus", cfg->max_vcpus, &cfg->cpus) ||
	       get_affinity(xlu, path, "cpus_soft", cfg->max_vcpus,
			    &cfg->cpus_soft) ||
	       get_number(xlu, path, "cpu_weight", 1, LVCTL_MAX_CPU_WEIGHT,
			  &cfg->cpu_weight) ||
	       get_number(xlu, path, "cap", 0, LVCTL_MAX_CAP, &cfg->cap) ? -1 : 0;
}

static int parse(XLU_Config *xlu, const char *path, struct lvctl_config *cfg)
{
	long maxmem = 0;

	if (get_string(xlu, path, "name", &cfg->name, 1) ||
	    get_string(xlu, path, "kernel", &cfg->kernel, 1) ||
	    get_string(xlu, path, "ramdisk", &cfg->ramdisk, 0) ||
	    get_cmdline(xlu, path, cfg) || get_uuid(xlu, path, cfg))
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

	if (check_type(xlu, path) ||
	    get_count(xlu, path, "memory", LVCTL_MAX_MEMORY_MB,
		      &cfg->memory_mb) ||
	    get_count(xlu, path, "maxmem", LVCTL_MAX_MEMORY_MB, &maxmem) ||
	    get_cpus(xlu, path, cfg) ||
	    get_count(xlu, path, "max_grant_frames", LVCTL_MAX_GRANT_FRAMES,
		      &cfg->max_grant_frames) ||
	    get_count(xlu, path, "max_event_channels",
		      LVCTL_MAX_EVENT_CHANNELS, &cfg->max_event_channels) ||
	    get_bool(xlu, path, "localtime", &cfg->localtime))
		return -1;
	cfg->maxmem_mb = maxmem ? maxmem : cfg->memory_mb;
	if (cfg->maxmem_mb < cfg->memory_mb) {
		lvctl_error("%s: maxmem (%ld) is less than memory (%ld)", path,
			    cfg->maxmem_mb, cfg->memory_mb);
		return -1;
	}

	if (get_action(xlu, path, "on_poweroff", &cfg->on_poweroff) ||
	    get_action(xlu, path, "on_reboot", &cfg->on_reboot) ||
	    get_action(xlu, path, "on_crash", &cfg->on_crash) ||
	    get_action(xlu, path, "on_watchdog", &cfg->on_watchdog))
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
	cfg->on_watchdog = LVCTL_ACTION_DESTROY;
	cfg->cap = -1;

	if (check_keys(text, len, path))
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
	return lvctl_config_read_with(path, NULL, 0, cfg);
}

/*
 * @path's config with @overrides ("KEY=VALUE" each, in xl.cfg syntax)
 * after it, as `xl create CFG KEY=VALUE...` has them: a key set again
 * takes its last value.
 */
int lvctl_config_read_with(const char *path, char *const *overrides,
			   int nr_overrides, struct lvctl_config *cfg)
{
	size_t len, more = 0;
	char *text, *grown;
	int ret, i;

	memset(cfg, 0, sizeof(*cfg));
	text = read_file(path, &len);
	if (!text)
		return -1;
	for (i = 0; i < nr_overrides; i++)
		more += strlen(overrides[i]) + 1;
	if (more) {
		grown = realloc(text, len + 1 + more + 1);
		if (!grown) {
			lvctl_error("out of memory");
			free(text);
			return -1;
		}
		text = grown;
		text[len++] = '\n';	/* a file need not end its last line */
		for (i = 0; i < nr_overrides; i++)
			len += sprintf(text + len, "%s\n", overrides[i]);
	}
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
	dst->cpus.nr = dst->cpus_soft.nr = 0;
	dst->cpus.specs = dst->cpus_soft.specs = NULL;
	if (lvctl_affinity_copy(&dst->cpus, &src->cpus) ||
	    lvctl_affinity_copy(&dst->cpus_soft, &src->cpus_soft)) {
		lvctl_config_free(dst);
		return -1;
	}
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
	lvctl_affinity_free(&cfg->cpus);
	lvctl_affinity_free(&cfg->cpus_soft);
	memset(cfg, 0, sizeof(*cfg));
}

/*
 * Can a pool shell (made with Xen's defaults for everything but memory
 * and vcpus) become this guest? Not if it needs more at creation.
 */
int lvctl_config_shell_fits(const struct lvctl_config *cfg)
{
	return cfg->maxmem_mb == cfg->memory_mb &&
	       cfg->max_vcpus == cfg->vcpus && !cfg->max_grant_frames &&
	       !cfg->max_event_channels;
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

/* cpus = "spec" or cpus = [ "spec", ... ] */
static void write_affinity(FILE *f, const char *key,
			   const struct lvctl_affinity *aff)
{
	unsigned int i;

	if (!aff->nr)
		return;
	if (!aff->list) {
		write_string(f, key, aff->specs[0]);
		return;
	}
	fprintf(f, "%s = [ ", key);
	for (i = 0; i < aff->nr; i++) {
		fputs(i ? ", " : "", f);
		write_quoted(f, aff->specs[i]);
	}
	fputs(" ]\n", f);
}

/* The keys a guest's scheduling and limits have, where not the defaults. */
static void print_cpus(FILE *f, const struct lvctl_config *cfg)
{
	char uuid[37];
	int i, n = 0;

	fprintf(f, "vcpus = %ld\nmaxvcpus = %ld\n", cfg->vcpus,
		cfg->max_vcpus);
	write_affinity(f, "cpus", &cfg->cpus);
	write_affinity(f, "cpus_soft", &cfg->cpus_soft);
	if (cfg->cpu_weight)
		fprintf(f, "cpu_weight = %ld\n", cfg->cpu_weight);
	if (cfg->cap >= 0)
		fprintf(f, "cap = %ld\n", cfg->cap);
	if (cfg->max_grant_frames)
		fprintf(f, "max_grant_frames = %ld\n", cfg->max_grant_frames);
	if (cfg->max_event_channels)
		fprintf(f, "max_event_channels = %ld\n",
			cfg->max_event_channels);
	if (cfg->localtime)
		fputs("localtime = 1\n", f);
	if (!cfg->has_uuid)
		return;
	for (i = 0; i < 16; i++)
		n += sprintf(uuid + n, "%s%02x",
			     i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "",
			     cfg->uuid[i]);
	write_string(f, "uuid", uuid);
}

/*
 * @cfg as xl.cfg text that lvctl_config_parse() reads back the same (but
 * for the MACs the config did not give, with @given_macs). "root" is in
 * the command line already.
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
	fprintf(f, "memory = %ld\nmaxmem = %ld\n", cfg->memory_mb,
		cfg->maxmem_mb);
	print_cpus(f, cfg);
	write_string(f, "on_poweroff", lvctl_action_name(cfg->on_poweroff));
	write_string(f, "on_reboot", lvctl_action_name(cfg->on_reboot));
	write_string(f, "on_crash", lvctl_action_name(cfg->on_crash));
	write_string(f, "on_watchdog", lvctl_action_name(cfg->on_watchdog));
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
