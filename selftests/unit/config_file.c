// SPDX-License-Identifier: GPL-2.0
/*
 * config_file - host-side test of lvctl's config reader and writer: what
 * lvctl saves for a restart reads back as the same configuration, and bad
 * values are refused: a list where a single value belongs names its key,
 * a FIFO is refused without blocking.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "config.h"
#include "lvctl.h"
#include "tap.h"

static char dir[] = "/tmp/lvctl-config-XXXXXX";

static const char *write_text(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static int same(const struct lvctl_config *a, const struct lvctl_config *b)
{
	return !strcmp(a->name, b->name) && !strcmp(a->kernel, b->kernel) &&
	       !strcmp(a->ramdisk, b->ramdisk) && !strcmp(a->cmdline, b->cmdline) &&
	       a->memory_mb == b->memory_mb && a->maxmem_mb == b->maxmem_mb &&
	       a->vcpus == b->vcpus && a->on_poweroff == b->on_poweroff &&
	       a->on_reboot == b->on_reboot && a->on_crash == b->on_crash;
}

/* A config of @text is refused with an error that contains @why. */
static void check_refused(const char *name, const char *text, const char *why)
{
	struct lvctl_config cfg;
	int ret;

	lvctl_last_error[0] = '\0';
	ret = lvctl_config_read(write_text(name, text), &cfg);
	tap_ok(ret < 0 && strstr(lvctl_last_error, why), "refused: %s",
	       lvctl_last_error);
	if (!ret)
		lvctl_config_free(&cfg);
}

int main(void)
{
	struct lvctl_config cfg, back;
	char saved[300];
	int ret;

	tap_plan(16);
	if (!mkdtemp(dir))
		return 1;

	ret = lvctl_config_read(write_text("a.cfg",
		"name = \"g1\"\nkernel = \"/boot/k\"\nramdisk = \"/boot/r\"\n"
		"memory = 64\nmaxmem = 96\nvcpus = 2\n"
		"extra = \"console=hvc0 say=\\\"hi\\\" back\\\\slash\"\n"
		"on_poweroff = \"preserve\"\non_reboot = \"destroy\"\n"
		"on_crash = \"preserve\"\n"), &cfg);
	tap_ok(!ret && cfg.memory_mb == 64 && cfg.maxmem_mb == 96 &&
	       cfg.vcpus == 2 && cfg.on_crash == LVCTL_ACTION_PRESERVE &&
	       !strcmp(cfg.cmdline, "console=hvc0 say=\"hi\" back\\slash"),
	       "a config with every key reads as written (extra: %s)",
	       ret ? "-" : cfg.cmdline);

	snprintf(saved, sizeof(saved), "%s/saved.cfg", dir);
	ret = lvctl_config_write(&cfg, saved);
	tap_ok(ret >= 0 && flock(open(saved, O_RDONLY), LOCK_EX | LOCK_NB) &&
	       errno == EWOULDBLOCK,
	       "it is written back, and locked while its writer holds it");
	if (ret >= 0)
		close(ret);
	ret = lvctl_config_read(saved, &back);
	tap_ok(!ret && same(&cfg, &back),
	       "what was written reads back as the same configuration");
	if (!ret)
		lvctl_config_free(&back);
	lvctl_config_free(&cfg);

	ret = lvctl_config_read(write_text("b.cfg",
		"name = \"g2\"\nkernel = \"/k\"\n"), &cfg);
	tap_ok(!ret && cfg.memory_mb == LVCTL_DEFAULT_MEMORY_MB &&
	       cfg.maxmem_mb == cfg.memory_mb && cfg.vcpus == 1 &&
	       cfg.on_poweroff == LVCTL_ACTION_DESTROY &&
	       cfg.on_reboot == LVCTL_ACTION_RESTART &&
	       cfg.on_crash == LVCTL_ACTION_DESTROY,
	       "defaults: 128 MiB, 1 vcpu, destroy/restart/destroy");
	if (!ret)
		lvctl_config_free(&cfg);

	ret = lvctl_config_read(write_text("c.cfg",
		"name = \"g3\"\nkernel = \"/k\"\nmemory = 64\nmaxmem = 32\n"), &cfg);
	tap_ok(ret < 0, "maxmem below memory is refused");

	ret = lvctl_config_read(write_text("d.cfg",
		"name = \"9lives\"\nkernel = \"/k\"\n"), &cfg);
	tap_ok(ret < 0, "a name that starts with a digit is refused");

	check_refused("e.cfg", "name = \"g4\"\nkernel = [\"x\"]\n",
		      "kernel: expected a single value, not a list");
	check_refused("f.cfg", "name = \"g5\"\nkernel = \"/k\"\nmemory = [99999999]\n",
		      "memory: expected a single value, not a list");
	check_refused("g.cfg", "name = \"g6\"\nkernel = \"/k\"\nvcpus = [64]\n",
		      "vcpus: expected a single value, not a list");
	check_refused("h.cfg", "name = \"g7\"\nkernel = \"/k\"\ntype = [\"hvm\"]\n",
		      "type: expected a single value, not a list");
	check_refused("i.cfg", "name = \"g8\"\nkernel = \"/k\"\nramdisk = [\"/nonexistent\"]\n",
		      "ramdisk: expected a single value, not a list");
	check_refused("j.cfg", "name = \"g9\"\nkernel = \"/k\"\nextra = [\"a\"]\n",
		      "extra: expected a single value, not a list");
	check_refused("k.cfg", "name = \"g10\"\nkernel = \"/k\"\non_crash = [\"bogus\"]\n",
		      "on_crash: expected a single value, not a list");
	check_refused("l.cfg", "name = \"Domain-0\"\nkernel = \"/k\"\n",
		      "the name of dom0 is reserved");

	snprintf(saved, sizeof(saved), "%s/fifo.cfg", dir);
	mkfifo(saved, 0600);
	ret = lvctl_config_read(saved, &cfg);
	tap_ok(ret < 0 && strstr(lvctl_last_error, "is not a regular file"),
	       "a FIFO as config is refused at once: %s", lvctl_last_error);
	ret = lvctl_config_read(dir, &cfg);
	tap_ok(ret < 0 && strstr(lvctl_last_error, "is not a regular file"),
	       "so is a directory: %s", lvctl_last_error);

	return tap_done();
}
