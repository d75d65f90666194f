/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lvctl's save files: a header, the guest's configuration as xl.cfg text,
 * then libxenguest's save stream. All integers are little-endian.
 *
 *   offset 0   "LVCTLSAV"         magic
 *          8   u32 version        LVCTL_SAVE_VERSION
 *         12   u32 config_len     bytes of config text, at most
 *                                 LVCTL_CONFIG_MAX
 *         16   u64 stream_len     bytes of libxenguest's stream after the
 *                                 config; 0 when written to a pipe
 *         24   config text, then the stream
 *
 * A file whose size does not match, or whose header is not this one, is
 * refused before anything is taken. A stream read from a pipe can be
 * checked only by libxenguest as it goes; a restore that fails undoes
 * itself.
 */
#ifndef LVCTL_SAVEFILE_H
#define LVCTL_SAVEFILE_H

#include <stdint.h>

#include "config.h"

#define LVCTL_SAVE_MAGIC	"LVCTLSAV"
#define LVCTL_SAVE_VERSION	1

struct lvctl_save_header {
	char magic[8];
	uint32_t version;
	uint32_t config_len;
	uint64_t stream_len;
};

int lvctl_savefile_start(int fd, const char *what,
			 const struct lvctl_config *cfg, off_t *stream_start);
int lvctl_savefile_finish(int fd, const char *what, off_t stream_start);
int lvctl_savefile_open(int fd, const char *what, struct lvctl_config *cfg);

#endif /* LVCTL_SAVEFILE_H */
