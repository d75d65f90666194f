// SPDX-License-Identifier: GPL-2.0
/*
 * lvbench - times guest creation inside a Xen dom0, for `make bench`.
 *
 *   lvbench create lvctl|xl COUNT KERNEL MEMORY_MB [vif:BRIDGE|disk:DIR]
 *   lvbench destroy lvctl|xl COUNT
 *   lvbench shutdown lvctl|xl COUNT KERNEL RAMDISK
 *   lvbench saverestore lvctl|xl COUNT KERNEL RAMDISK MEMORY_MB
 *
 * create builds COUNT noop guests (b1, b2, ...) one after the other, each
 * left running (noop=block), with `lvctl create` or `xl create`, and prints
 * one CSV line per guest:
 *   n,create_ms,exit_ms[,prepare,domain,devices,load,memory,image,console,
 *   unpause,exec,vifs,disks]
 * create_ms runs from just before the command is started until the guest's
 * console shows its marker ("lightvm-noop: up"), the first thing it does;
 * with vif:BRIDGE, each guest has one vif on it, with disk:DIR one disk,
 * DIR/bN.img read-write (the noop guest has no xen-netfront or
 * xen-blkfront: what is timed is the toolstack's part, device, backend
 * and hotplug work, up to the guest running);
 * exit_ms until the command exited. lvctl's lines also carry the phases of
 * `lvctl create --profile`. The console is read through noxs for lvctl
 * and from xenconsoled's log for xl. All times are CLOCK_MONOTONIC in dom0.
 *
 * destroy destroys them again (lvctl destroy / xl destroy) and prints
 * n,destroy_ms.
 *
 * shutdown creates COUNT Linux guests (s1, ...) one at a time, waits until
 * each can take a shutdown request (its init is up, and for lvctl its
 * sysctl-front is connected), and times `lvctl shutdown -w` / `xl shutdown
 * -w` until the domain is gone: n,shutdown_ms.
 *
 * api and rate: see lvbench_api.c.
 *
 * saverestore creates one Linux guest of MEMORY_MB (r1), waits until it
 * can take a suspend request, then COUNT times saves it to a file (`lvctl
 * save` / `xl save`) and restores it (`lvctl restore` / `xl restore`),
 * each timed from spawn to exit: n,save_ms,restore_ms. Between cycles
 * (untimed) it waits until the restored guest can be suspended again.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xen/noxs.h>

#include "lvbench.h"

#define LINUX_MARKER	"lightvm-guest: up"
#define SYSCTL_MARKER	"sysctl_front: connected"
#define XL_CONSOLE_LOG	"/var/log/xen/console/guest-%s.log"
#define MARKER_TIMEOUT_MS 60000

extern char **environ;

double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void die(const char *what)
{
	fprintf(stderr, "lvbench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Reads what a child left in @path (up to @len - 1 bytes). */
static void slurp(const char *path, char *buf, size_t len)
{
	ssize_t n = 0;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		n = read(fd, buf, len - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
}

/*
 * Runs argv with stdout and stderr captured, and returns its exit status.
 * Files, not pipes: `xl create` leaves a daemon behind that keeps them
 * open, and a pipe would never reach its end. posix_spawn (a vfork) rather
 * than fork: copying lvbench's page tables is not what is measured.
 */
int run(char *const argv[], char *out, size_t out_len, char *err,
	       size_t err_len)
{
	static const char out_path[] = "/tmp/lvbench.out";
	static const char err_path[] = "/tmp/lvbench.err";
	posix_spawn_file_actions_t actions;
	int status, ret;
	pid_t pid;

	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addopen(&actions, 1, out_path,
					 O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&actions, 2, err_path,
					 O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ret = posix_spawnp(&pid, argv[0], &actions, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&actions);
	if (ret) {
		errno = ret;
		die(argv[0]);
	}
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	slurp(out_path, out, out_len);
	slurp(err_path, err, err_len);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* Waits for @marker on an lvctl guest's console, through noxs. */
int wait_marker_noxs(int noxs, unsigned int domid, const char *marker)
{
	struct noxs_ioctl_console_open arg = { .domid = domid };
	char buf[4096];
	size_t got = 0;
	struct pollfd pfd;
	ssize_t n;

	if (ioctl(noxs, NOXS_IOCTL_CONSOLE_OPEN, &arg) < 0)
		return -1;
	pfd.fd = arg.fd;
	pfd.events = POLLIN;
	while (poll(&pfd, 1, MARKER_TIMEOUT_MS) > 0) {
		n = read(arg.fd, buf + got, sizeof(buf) - 1 - got);
		if (n <= 0)
			break;
		got += n;
		buf[got] = '\0';
		if (strstr(buf, marker)) {
			close(arg.fd);
			return 0;
		}
		if (got > sizeof(buf) / 2) {	/* keep a tail to match across */
			memmove(buf, buf + got - 64, 64);
			got = 64;
		}
	}
	close(arg.fd);
	return -1;
}

/* Waits for @marker in xenconsoled's log of an xl guest. */
int wait_marker_log(const char *name, const char *marker)
{
	double deadline = now_ms() + MARKER_TIMEOUT_MS * 2;
	static char buf[1 << 20];
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), XL_CONSOLE_LOG, name);
	while (now_ms() < deadline) {
		fd = open(path, O_RDONLY);
		if (fd >= 0) {
			n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			if (n > 0) {
				buf[n] = '\0';
				if (memmem(buf, n, marker, strlen(marker)))
					return 0;
			}
		}
		usleep(500);
	}
	return -1;
}

/*
 * A noop guest's config, named @name; with @device ("vif:BRIDGE",
 * "disk:DIR"), that.
 */
void write_config(const char *tool, const char *name, const char *kernel,
		  const char *memory, const char *device, char *path,
		  size_t len)
{
	FILE *f;

	snprintf(path, len, CFG_DIR "/%s-%s.cfg", tool, name);
	f = fopen(path, "w");
	if (!f)
		die(path);
	fprintf(f, "name = \"%s\"\nkernel = \"%s\"\nmemory = %s\n"
		"extra = \"noop=block\"\n", name, kernel, memory);
	if (!strcmp(tool, "xl"))
		fprintf(f, "type = \"pv\"\nvcpus = 1\n");
	if (device && !strncmp(device, "vif:", 4))
		fprintf(f, "vif = [ 'bridge=%s' ]\n", device + 4);
	if (device && !strncmp(device, "disk:", 5))
		fprintf(f, "disk = [ 'format=raw,vdev=xvda,access=rw,target=%s/%s.img' ]\n",
			device + 5, name);
	fclose(f);
}

/*
 * The phases of `lvctl create --profile`, and "exec": from @t0, when lvctl
 * was spawned, to its main(), both on dom0's CLOCK_MONOTONIC.
 */
static void print_profile(const char *profile, double t0)
{
	const char *main_at = strstr(profile, "main() at ");
	double p[10], started;

	if (sscanf(profile,
		   "profile: prepare %lf, domain %lf, devices %lf, load %lf, memory %lf, image %lf, console %lf, unpause %lf, vifs %lf, disks %lf",
		   &p[0], &p[1], &p[2], &p[3], &p[4], &p[5], &p[6], &p[7],
		   &p[8], &p[9]) != 10 ||
	    !main_at || sscanf(main_at, "main() at %lf", &started) != 1)
		return;
	printf(",%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f", p[0],
	       p[1], p[2], p[3], p[4], p[5], p[6], p[7], started - t0, p[8],
	       p[9]);
}

static int bench_create(const char *tool, int count, const char *kernel,
			const char *memory, const char *device)
{
	int lvctl = !strcmp(tool, "lvctl");
	char cfg[256], out[256], err[1024], name[32];
	double t0, t_exit, t_up;
	const char *profile;
	int i, noxs = -1;

	if (mkdir(CFG_DIR, 0755) && errno != EEXIST)
		die(CFG_DIR);
	if (lvctl) {
		noxs = open(NOXS_DEVICE_PATH, O_RDWR | O_CLOEXEC);
		if (noxs < 0)
			die(NOXS_DEVICE_PATH);
	}

	for (i = 1; i <= count; i++) {
		char *lv_argv[] = { "lvctl", "create", "--profile", cfg, NULL };
		char *xl_argv[] = { "xl", "create", "-q", cfg, NULL };

		snprintf(name, sizeof(name), "b%d", i);
		write_config(tool, name, kernel, memory, device, cfg,
			     sizeof(cfg));

		t0 = now_ms();
		if (run(lvctl ? lv_argv : xl_argv, out, sizeof(out), err,
			sizeof(err))) {
			fprintf(stderr, "lvbench: %s create of %s failed: %s\n",
				tool, name, err);
			return 1;
		}
		t_exit = now_ms();
		if (lvctl ? wait_marker_noxs(noxs, atoi(out), MARKER) :
			    wait_marker_log(name, MARKER)) {
			fprintf(stderr, "lvbench: %s never printed its marker\n",
				name);
			return 1;
		}
		t_up = now_ms();

		printf("%d,%.3f,%.3f", i, t_up - t0, t_exit - t0);
		profile = strstr(err, "profile: ");
		if (lvctl && profile)
			print_profile(profile, t0);
		printf("\n");
		fflush(stdout);
	}
	if (noxs >= 0)
		close(noxs);
	return 0;
}

static int bench_destroy(const char *tool, int count)
{
	char out[256], err[1024], name[32];
	double t0;
	int i;

	for (i = 1; i <= count; i++) {
		char *argv[] = { (char *)tool, "destroy", name, NULL };

		snprintf(name, sizeof(name), "b%d", i);
		t0 = now_ms();
		if (run(argv, out, sizeof(out), err, sizeof(err))) {
			fprintf(stderr, "lvbench: %s destroy %s failed: %s\n",
				tool, name, err);
			return 1;
		}
		printf("%d,%.3f\n", i, now_ms() - t0);
		fflush(stdout);
	}
	return 0;
}

static int bench_shutdown(const char *tool, int count, const char *kernel,
			  const char *ramdisk)
{
	int lvctl = !strcmp(tool, "lvctl");
	char cfg[256], out[256], err[1024], name[32];
	int i, noxs = -1, failed;
	double t0;
	FILE *f;

	if (mkdir(CFG_DIR, 0755) && errno != EEXIST)
		die(CFG_DIR);
	noxs = lvctl ? open(NOXS_DEVICE_PATH, O_RDWR | O_CLOEXEC) : -1;

	for (i = 1; i <= count; i++) {
		char *lv_create[] = { "lvctl", "create", cfg, NULL };
		char *xl_create[] = { "xl", "create", "-q", cfg, NULL };
		char *lv_shutdown[] = { "lvctl", "shutdown", "-w", name, NULL };
		char *xl_shutdown[] = { "xl", "shutdown", "-w", name, NULL };

		snprintf(name, sizeof(name), "s%d", i);
		snprintf(cfg, sizeof(cfg), CFG_DIR "/%s-%s.cfg", tool, name);
		f = fopen(cfg, "w");
		if (!f)
			die(cfg);
		fprintf(f, "name = \"%s\"\ntype = \"pv\"\nkernel = \"%s\"\n"
			"ramdisk = \"%s\"\nmemory = 128\n"
			"extra = \"console=hvc0 lightvm.guest=shell\"\n"
			"on_poweroff = \"destroy\"\n", name, kernel, ramdisk);
		fclose(f);

		if (run(lvctl ? lv_create : xl_create, out, sizeof(out), err,
			sizeof(err))) {
			fprintf(stderr, "lvbench: %s create %s: %s\n", tool,
				name, err);
			return 1;
		}
		failed = lvctl ? wait_marker_noxs(noxs, atoi(out), SYSCTL_MARKER) ||
				 wait_marker_noxs(noxs, atoi(out), LINUX_MARKER) :
				 wait_marker_log(name, LINUX_MARKER);
		if (failed) {
			fprintf(stderr, "lvbench: %s did not come up\n", name);
			return 1;
		}
		/* xl's guest registers its xenbus watches after init starts. */
		sleep(2);

		t0 = now_ms();
		if (run(lvctl ? lv_shutdown : xl_shutdown, out, sizeof(out),
			err, sizeof(err))) {
			fprintf(stderr, "lvbench: %s shutdown %s: %s\n", tool,
				name, err);
			return 1;
		}
		printf("%d,%.3f\n", i, now_ms() - t0);
		fflush(stdout);
	}
	if (noxs >= 0)
		close(noxs);
	return 0;
}

#define SAVE_FILE	"/tmp/lvbench.sav"

/* The guest's sysctl relay is connected and passes suspend on. */
static int relay_ready(int noxs, unsigned int domid)
{
	struct noxs_ioctl_device_query q = {
		.domid = domid,
		.type = NOXS_DEV_SYSCTL,
	};

	return !ioctl(noxs, NOXS_IOCTL_DEVICE_QUERY, &q) &&
	       q.state == NOXS_DEVICE_CONNECTED &&
	       (q.features & NOXS_SYSCTL_F_SUSPEND);
}

/* Waits (untimed) until guest @domid (lvctl) can be suspended. */
static int wait_suspendable(int noxs, const char *tool, unsigned int domid)
{
	double deadline = now_ms() + MARKER_TIMEOUT_MS;

	if (strcmp(tool, "lvctl")) {
		sleep(2);	/* xl's guest re-registers its xenbus watches */
		return 0;
	}
	while (now_ms() < deadline) {
		if (relay_ready(noxs, domid))
			return 0;
		usleep(1000);
	}
	return -1;
}

static int bench_saverestore(const char *tool, int count, const char *kernel,
			     const char *ramdisk, const char *memory)
{
	int lvctl = !strcmp(tool, "lvctl");
	char cfg[256], out[256], err[1024];
	char *lv_create[] = { "lvctl", "create", cfg, NULL };
	char *xl_create[] = { "xl", "create", "-q", cfg, NULL };
	char *lv_save[] = { "lvctl", "save", "r1", SAVE_FILE, NULL };
	char *xl_save[] = { "xl", "save", "r1", SAVE_FILE, NULL };
	char *lv_restore[] = { "lvctl", "restore", SAVE_FILE, NULL };
	char *xl_restore[] = { "xl", "restore", SAVE_FILE, NULL };
	char *lv_destroy[] = { "lvctl", "destroy", "r1", NULL };
	char *xl_destroy[] = { "xl", "destroy", "r1", NULL };
	double t0, t_saved;
	unsigned int domid;
	int i, noxs;
	FILE *f;

	if (mkdir(CFG_DIR, 0755) && errno != EEXIST)
		die(CFG_DIR);
	noxs = open(NOXS_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (noxs < 0)
		die(NOXS_DEVICE_PATH);
	snprintf(cfg, sizeof(cfg), CFG_DIR "/%s-r1.cfg", tool);
	f = fopen(cfg, "w");
	if (!f)
		die(cfg);
	fprintf(f, "name = \"r1\"\ntype = \"pv\"\nkernel = \"%s\"\n"
		"ramdisk = \"%s\"\nmemory = %s\n"
		"extra = \"console=hvc0 lightvm.guest=counter\"\n",
		kernel, ramdisk, memory);
	fclose(f);

	if (run(lvctl ? lv_create : xl_create, out, sizeof(out), err,
		sizeof(err))) {
		fprintf(stderr, "lvbench: %s create r1: %s\n", tool, err);
		return 1;
	}
	domid = atoi(out);
	if ((lvctl ? wait_marker_noxs(noxs, domid, LINUX_MARKER) :
		     wait_marker_log("r1", LINUX_MARKER)) ||
	    wait_suspendable(noxs, tool, domid)) {
		fprintf(stderr, "lvbench: r1 did not come up\n");
		return 1;
	}

	for (i = 1; i <= count; i++) {
		t0 = now_ms();
		if (run(lvctl ? lv_save : xl_save, out, sizeof(out), err,
			sizeof(err))) {
			fprintf(stderr, "lvbench: %s save r1: %s\n", tool, err);
			return 1;
		}
		t_saved = now_ms();
		if (run(lvctl ? lv_restore : xl_restore, out, sizeof(out), err,
			sizeof(err))) {
			fprintf(stderr, "lvbench: %s restore r1: %s\n", tool,
				err);
			return 1;
		}
		printf("%d,%.3f,%.3f\n", i, t_saved - t0, now_ms() - t_saved);
		fflush(stdout);
		domid = atoi(out);
		if (wait_suspendable(noxs, tool, domid)) {
			fprintf(stderr, "lvbench: restored r1 cannot be suspended again\n");
			return 1;
		}
	}
	unlink(SAVE_FILE);
	close(noxs);
	return run(lvctl ? lv_destroy : xl_destroy, out, sizeof(out), err,
		   sizeof(err));
}

/*
 * What starting any program costs in this dom0, timed the same way as a
 * create: a floor under every toolstack's command.
 */
static int bench_exec(int count, char **argv)
{
	char out[256], err[256];
	double t0;
	int i;

	for (i = 1; i <= count; i++) {
		t0 = now_ms();
		if (run(argv, out, sizeof(out), err, sizeof(err))) {
			fprintf(stderr, "lvbench: %s failed: %s\n", argv[0], err);
			return 1;
		}
		printf("%d,%.3f\n", i, now_ms() - t0);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "exec"))
		return bench_exec(atoi(argv[2]), argv + 3);
	if ((argc == 6 || argc == 7) && !strcmp(argv[1], "create"))
		return bench_create(argv[2], atoi(argv[3]), argv[4], argv[5],
				    argc == 7 ? argv[6] : NULL);
	if (argc == 4 && !strcmp(argv[1], "destroy"))
		return bench_destroy(argv[2], atoi(argv[3]));
	if (argc == 6 && !strcmp(argv[1], "shutdown"))
		return bench_shutdown(argv[2], atoi(argv[3]), argv[4], argv[5]);
	if (argc == 7 && !strcmp(argv[1], "saverestore"))
		return bench_saverestore(argv[2], atoi(argv[3]), argv[4],
					 argv[5], argv[6]);
	if ((argc == 6 || argc == 7) && !strcmp(argv[1], "api"))
		return bench_api(argv[2], atoi(argv[3]), argv[4], argv[5],
				 argc == 7 ? argv[6] : NULL);
	if (argc == 3 && !strcmp(argv[1], "api-destroy"))
		return bench_api_destroy(atoi(argv[2]));
	if ((argc == 7 || argc == 8) && !strcmp(argv[1], "rate"))
		return bench_rate(argv[2], atoi(argv[3]), atoi(argv[4]),
				  argv[5], argv[6], argc == 8 ? argv[7] : NULL);
	fprintf(stderr,
		"usage: lvbench create lvctl|xl COUNT KERNEL MEMORY_MB [BRIDGE]\n"
		"       lvbench destroy lvctl|xl COUNT\n"
		"       lvbench shutdown lvctl|xl COUNT KERNEL RAMDISK\n"
		"       lvbench saverestore lvctl|xl COUNT KERNEL RAMDISK MEMORY_MB\n"
		"       lvbench exec COUNT PROGRAM [ARGS...]\n"
		"       lvbench api scratch|pool|template COUNT KERNEL MEMORY_MB [vif:BRIDGE]\n"
		"       lvbench api-destroy COUNT\n"
		"       lvbench rate api|xl CLIENTS PER_CLIENT KERNEL MEMORY_MB [vif:BRIDGE]\n");
	return 2;
}
