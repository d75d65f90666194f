// SPDX-License-Identifier: GPL-2.0
/*
 * lvbench's API series: one long-lived liblightvm client, as a function
 * runtime would hold, and several at once.
 *
 *   lvbench api scratch|pool|template COUNT KERNEL MEMORY_MB [vif:BRIDGE]
 *
 * creates COUNT noop guests (b1, b2, ...) one after the other through
 * the daemon's API and prints one CSV line each:
 *   n,create_ms,reply_ms,source,domain,devices,memory,load,image,console,
 *   unpause,vifs,disks,request
 * create_ms from just before the request to the guest's console marker,
 * reply_ms to the reply (the guest taken), source what the daemon built
 * it from (scratch, pool, template), then the daemon's phases in ms.
 * "scratch" sends config text to a daemon without a pool; "pool" the same
 * to a daemon whose size pool holds the guests' size; "template" names the
 * daemon's template "bench-tpl" (CREATE_TEMPLATE). With pool and template,
 * lvbench waits (untimed) before each request until the pool is full
 * again: what is timed is a request that finds a shell and the daemon
 * idle, as the first of a burst does (the daemon builds shells in its one
 * thread, and a request that comes during a refill waits for it). The
 * sustained rate, refills and all, is `rate`'s.
 *
 *   lvbench api-destroy COUNT          destroys b1..bCOUNT: n,destroy_ms
 *
 *   lvbench rate api-scratch|api-template|xl CLIENTS PER_CLIENT KERNEL
 *                MEMORY_MB [vif:BRIDGE]
 *
 * runs CLIENTS processes at once, each creating PER_CLIENT noop guests
 * (rC-I) one after the other, through the API (from scratch, or from
 * template bench-tpl) or with `xl create`, and prints
 *   tool,device,clients,guests,seconds,guests_per_s
 * from the start until every guest has printed its marker; then destroys
 * them (untimed).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lightvm/liblightvm.h>
#include <xen/noxs.h>

#include "lvbench.h"

#define TEMPLATE	"bench-tpl"
#define READY_WAIT_MS	120000

static const char *const source_names[] = {
	[LIGHTVM_SOURCE_SCRATCH] = "scratch",
	[LIGHTVM_SOURCE_POOL] = "pool",
	[LIGHTVM_SOURCE_TEMPLATE] = "template",
};

static struct lightvm *connect_or_die(void)
{
	char error[LIGHTVM_ERROR_SIZE];
	struct lightvm *lv = lightvm_connect(NULL, error, sizeof(error));

	if (!lv) {
		fprintf(stderr, "lvbench: %s\n", error);
		exit(1);
	}
	return lv;
}

/* A noop guest's config text, as write_config() writes it for lvctl. */
static size_t config_text(char *buf, size_t size, const char *name,
			  const char *kernel, const char *memory,
			  const char *device)
{
	size_t len;

	len = snprintf(buf, size,
		       "name = \"%s\"\nkernel = \"%s\"\nmemory = %s\nextra = \"noop=block\"\n",
		       name, kernel, memory);
	if (device && !strncmp(device, "vif:", 4))
		len += snprintf(buf + len, size - len,
				"vif = [ 'bridge=%s' ]\n", device + 4);
	return len;
}

/* Until the daemon's pool (the template, or the size) is full again. */
static int shell_ready(struct lightvm *lv, int template)
{
	struct lightvm_pool_template t[LIGHTVM_POOL_MAX_TEMPLATES];
	struct lightvm_pool_size s[LIGHTVM_POOL_MAX_SIZES];
	double until = now_ms() + READY_WAIT_MS;
	unsigned int nr_s, nr_t, i;

	while (now_ms() < until) {
		if (lightvm_pool_list(lv, s, LIGHTVM_POOL_MAX_SIZES, &nr_s, t,
				      LIGHTVM_POOL_MAX_TEMPLATES, &nr_t))
			return -1;
		for (i = 0; template && i < nr_t; i++)
			if (!strcmp(t[i].name, TEMPLATE) &&
			    t[i].ready == t[i].target)
				return 0;
		for (i = 0; !template && i < nr_s; i++)
			if (s[i].ready == s[i].target)
				return 0;
		usleep(2000);
	}
	return -1;
}

static int create_one(struct lightvm *lv, int template, const char *name,
		      const char *kernel, const char *memory,
		      const char *device, struct lightvm_create_reply *made)
{
	char cfg[512];
	size_t len;

	if (template)
		return lightvm_create_template(lv, TEMPLATE, name, NULL, 0,
					       made);
	len = config_text(cfg, sizeof(cfg), name, kernel, memory, device);
	return lightvm_create(lv, cfg, len, 0, made);
}

static double ms(uint32_t us)
{
	return us / 1000.0;
}

int bench_api(const char *mode, int count, const char *kernel,
	      const char *memory, const char *device)
{
	int template = !strcmp(mode, "template");
	struct lightvm_create_reply made;
	const struct lightvm_phase_times *t = &made.times;
	double t0, t_reply, t_up;
	struct lightvm *lv;
	char name[32];
	int i, noxs;

	noxs = open(NOXS_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (noxs < 0)
		die(NOXS_DEVICE_PATH);
	lv = connect_or_die();
	lightvm_set_timeout(lv, 60000);
	for (i = 1; i <= count; i++) {
		snprintf(name, sizeof(name), "b%d", i);
		if (strcmp(mode, "scratch") && shell_ready(lv, template)) {
			fprintf(stderr, "lvbench: the daemon had no ready shell for %s in %d s\n",
				name, READY_WAIT_MS / 1000);
			return 1;
		}
		t0 = now_ms();
		if (create_one(lv, template, name, kernel, memory, device,
			       &made)) {
			fprintf(stderr, "lvbench: api create of %s failed: %s\n",
				name, lightvm_error(lv));
			return 1;
		}
		t_reply = now_ms();
		if (wait_marker_noxs(noxs, made.domid, MARKER)) {
			fprintf(stderr, "lvbench: %s never printed its marker\n",
				name);
			return 1;
		}
		t_up = now_ms();
		printf("%d,%.3f,%.3f,%s,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f\n",
		       i, t_up - t0, t_reply - t0,
		       made.source < 4 && source_names[made.source] ?
		       source_names[made.source] : "?",
		       ms(t->domain_us), ms(t->devices_us), ms(t->memory_us),
		       ms(t->load_us), ms(t->image_us), ms(t->console_us),
		       ms(t->unpause_us), ms(t->vifs_us), ms(t->disks_us),
		       ms(t->request_us));
		fflush(stdout);
	}
	lightvm_close(lv);
	close(noxs);
	return 0;
}

int bench_api_destroy(int count)
{
	struct lightvm *lv = connect_or_die();
	char name[32];
	double t0;
	int i;

	for (i = 1; i <= count; i++) {
		snprintf(name, sizeof(name), "b%d", i);
		t0 = now_ms();
		if (lightvm_destroy(lv, 0, name)) {
			fprintf(stderr, "lvbench: api destroy of %s failed: %s\n",
				name, lightvm_error(lv));
			return 1;
		}
		printf("%d,%.3f\n", i, now_ms() - t0);
	}
	lightvm_close(lv);
	return 0;
}

/* One client of the rate series: its guests, one after the other. */
static int rate_client(const char *tool, int c, int per_client,
		       const char *kernel, const char *memory,
		       const char *device)
{
	struct lightvm_create_reply made;
	char name[32], cfg[256], out[256], err[1024];
	struct lightvm *lv = NULL;
	int i;

	if (strcmp(tool, "xl"))
		lv = connect_or_die();
	if (lv)
		lightvm_set_timeout(lv, 60000);
	for (i = 1; i <= per_client; i++) {
		char *xl_argv[] = { "xl", "create", "-q", cfg, NULL };

		snprintf(name, sizeof(name), "r%d-%d", c, i);
		if (!lv) {
			write_config("xl", name, kernel, memory, device, cfg,
				     sizeof(cfg));
			if (run(xl_argv, out, sizeof(out), err, sizeof(err))) {
				fprintf(stderr, "lvbench: xl create %s: %s\n",
					name, err);
				return 1;
			}
		} else if (create_one(lv, !strcmp(tool, "api-template"), name,
				      kernel, memory, device, &made)) {
			fprintf(stderr, "lvbench: api create of %s failed: %s\n",
				name, lightvm_error(lv));
			return 1;
		}
	}
	lightvm_close(lv);
	return 0;
}

/* Every guest of the series up: its marker on its console. */
static int all_up(const char *tool, int clients, int per_client)
{
	struct lightvm_guest_info info;
	struct lightvm *lv = NULL;
	char name[32];
	int c, i, noxs = -1, ret = 0;

	if (strcmp(tool, "xl")) {
		lv = connect_or_die();
		noxs = open(NOXS_DEVICE_PATH, O_RDWR | O_CLOEXEC);
		if (noxs < 0)
			die(NOXS_DEVICE_PATH);
	}
	for (c = 1; c <= clients && !ret; c++)
		for (i = 1; i <= per_client && !ret; i++) {
			snprintf(name, sizeof(name), "r%d-%d", c, i);
			if (lv)
				ret = lightvm_info(lv, 0, name, &info) ||
				      wait_marker_noxs(noxs, info.domid, MARKER);
			else
				ret = wait_marker_log(name, MARKER);
			if (ret)
				fprintf(stderr, "lvbench: %s never came up\n",
					name);
		}
	lightvm_close(lv);
	if (noxs >= 0)
		close(noxs);
	return ret;
}

static void destroy_all(const char *tool, int clients, int per_client)
{
	struct lightvm *lv = strcmp(tool, "xl") ? connect_or_die() : NULL;
	char name[32], out[256], err[1024];
	int c, i;

	for (c = 1; c <= clients; c++)
		for (i = 1; i <= per_client; i++) {
			char *argv[] = { "xl", "destroy", name, NULL };

			snprintf(name, sizeof(name), "r%d-%d", c, i);
			if (lv)
				lightvm_destroy(lv, 0, name);
			else
				run(argv, out, sizeof(out), err, sizeof(err));
		}
	lightvm_close(lv);
}

int bench_rate(const char *tool, int clients, int per_client,
	       const char *kernel, const char *memory, const char *device)
{
	int c, status, failed = 0;
	pid_t pids[64];
	double t0, secs;

	if (clients < 1 || clients > 64 || per_client < 1)
		return 2;
	if (mkdir(CFG_DIR, 0755) && errno != EEXIST)
		die(CFG_DIR);
	fflush(stdout);
	t0 = now_ms();
	for (c = 1; c <= clients; c++) {
		pids[c - 1] = fork();
		if (pids[c - 1] < 0)
			die("fork");
		if (pids[c - 1] == 0)
			_exit(rate_client(tool, c, per_client, kernel, memory,
					  device));
	}
	for (c = 0; c < clients; c++)
		if (waitpid(pids[c], &status, 0) != pids[c] ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			failed = 1;
	if (failed || all_up(tool, clients, per_client))
		return 1;
	secs = (now_ms() - t0) / 1000;
	printf("%s,%s,%d,%d,%.3f,%.2f\n", tool, device ? device : "none",
	       clients, clients * per_client, secs,
	       clients * per_client / secs);
	fflush(stdout);
	destroy_all(tool, clients, per_client);
	return 0;
}
