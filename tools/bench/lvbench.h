/* SPDX-License-Identifier: GPL-2.0 */
/* lvbench's parts: the CLI series (lvbench.c), the API series (lvbench_api.c). */
#ifndef LVBENCH_H
#define LVBENCH_H

#include <stddef.h>

#define MARKER		"lightvm-noop: up"
#define CFG_DIR		"/tmp/lvbench"

double now_ms(void);
void die(const char *what) __attribute__((noreturn));
int run(char *const argv[], char *out, size_t out_len, char *err,
	size_t err_len);
int wait_marker_noxs(int noxs, unsigned int domid, const char *marker);
int wait_marker_log(const char *name, const char *marker);
void write_config(const char *tool, const char *name, const char *kernel,
		  const char *memory, const char *device, char *path,
		  size_t len);

int bench_api(const char *mode, int count, const char *kernel,
	      const char *memory, const char *device);
int bench_api_destroy(int count);
int bench_rate(const char *tool, int clients, int per_client,
	       const char *kernel, const char *memory, const char *device);

#endif /* LVBENCH_H */
