/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest configuration, as read from an xl.cfg-style file.
 */
#ifndef LVCTL_CONFIG_H
#define LVCTL_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include <xen/noxs.h>

#include "cpumap.h"
#include "disk.h"
#include "vif.h"

#define LVCTL_NAME_SIZE		NOXS_NAME_SIZE
#define LVCTL_CONFIG_MAX	(64 * 1024)	/* bytes of a config file */
#define LVCTL_DEFAULT_MEMORY_MB	128
#define LVCTL_MAX_MEMORY_MB	(1024L * 1024)	/* 1 TiB */
#define LVCTL_MAX_VCPUS		128		/* Xen's limit for PV guests */
#define LVCTL_MAX_GRANT_FRAMES	4096
#define LVCTL_MAX_EVENT_CHANNELS (1L << 17)	/* the FIFO ABI's ports */
#define LVCTL_MAX_CPU_WEIGHT	65535
#define LVCTL_MAX_CAP		(100L * LVCTL_MAX_VCPUS)	/* % of one CPU */

enum lvctl_action {
	LVCTL_ACTION_DESTROY,
	LVCTL_ACTION_RESTART,
	LVCTL_ACTION_PRESERVE,
};

struct lvctl_config {
	char *name;
	char *kernel;
	char *ramdisk;		/* NULL: none */
	char *cmdline;		/* NULL: empty */
	long memory_mb;
	long maxmem_mb;
	long vcpus;		/* online at start */
	long max_vcpus;		/* maxvcpus: the most vcpu-set may bring up */
	int has_uuid;
	uint8_t uuid[16];
	struct lvctl_affinity cpus;	/* hard affinity */
	struct lvctl_affinity cpus_soft;
	long cpu_weight;	/* 0: the scheduler's default */
	long cap;		/* -1: the scheduler's default (0: no cap) */
	long max_grant_frames;	/* 0: Xen's default */
	long max_event_channels;	/* 0: Xen's default */
	int localtime;		/* the guest's clock offset to local time */
	enum lvctl_action on_poweroff;
	enum lvctl_action on_reboot;
	enum lvctl_action on_crash;
	enum lvctl_action on_watchdog;
	unsigned int nr_vifs;
	struct lvctl_vif vifs[LVCTL_MAX_VIFS];
	unsigned int nr_disks;
	struct lvctl_disk disks[LVCTL_MAX_DISKS];
};

int lvctl_config_read(const char *path, struct lvctl_config *cfg);
int lvctl_config_read_with(const char *path, char *const *overrides,
			   int nr_overrides, struct lvctl_config *cfg);
int lvctl_config_parse(const char *text, size_t len, const char *path,
		       struct lvctl_config *cfg);
int lvctl_config_shell_fits(const struct lvctl_config *cfg);
char *lvctl_config_format(const struct lvctl_config *cfg, size_t *len);
char *lvctl_config_format_given_macs(const struct lvctl_config *cfg,
				   size_t *len);
int lvctl_config_write(const struct lvctl_config *cfg, const char *path);
int lvctl_config_rename(struct lvctl_config *cfg, const char *name);
int lvctl_config_copy(struct lvctl_config *dst, const struct lvctl_config *src);
void lvctl_config_free(struct lvctl_config *cfg);
const char *lvctl_action_name(enum lvctl_action action);

int lvctl_config_scan_keys(const char *text, size_t len,
			   int (*fn)(const char *key, int line, void *opaque),
			   void *opaque);

#endif /* LVCTL_CONFIG_H */
