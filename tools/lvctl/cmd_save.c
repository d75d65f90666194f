// SPDX-License-Identifier: GPL-2.0
/*
 * Save, restore and resume.
 *
 * save: the guest suspends itself (the sysctl device's suspend request,
 * which its relay hands to the stock manage.c), libxenguest writes its
 * memory and vcpus after lvctl's header and its configuration, and the
 * guest is destroyed (-c: resumed, a checkpoint). Whatever fails once the
 * guest is suspended, it is resumed: a failed save never leaves it
 * suspended. The file appears under its name only once it is whole.
 *
 * restore: the header and configuration are checked before anything is
 * taken; then a new domain gets a noxs record, devices and a console, and
 * libxenguest restores into it (build.c). A failure undoes all of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xenctrl.h>
#include <xenguest.h>

#include <xen/noxs.h>

#include "build.h"
#include "config.h"
#include "lvctl.h"
#include "savefile.h"
#include "suspend.h"

/* Where the stream goes: @path's temporary twin, or standard output. */
static int open_output(const char *path, char **tmp)
{
	int fd;

	*tmp = NULL;
	if (!strcmp(path, "-")) {
		if (isatty(STDOUT_FILENO)) {
			lvctl_error("standard output is a terminal: save to a file or a pipe");
			return -1;
		}
		return STDOUT_FILENO;
	}
	if (asprintf(tmp, "%s.XXXXXX", path) < 0) {
		lvctl_error("out of memory");
		return -1;
	}
	fd = mkostemp(*tmp, O_CLOEXEC);
	if (fd < 0) {
		lvctl_error("cannot write %s: %s", path, strerror(errno));
		free(*tmp);
		*tmp = NULL;
	}
	return fd;
}

/* The header, the config, libxenguest's stream, the length. */
static int write_save(struct lvctl_suspend *job, const struct lvctl_config *cfg,
		      int fd, const char *what)
{
	struct save_callbacks callbacks = {
		.suspend = lvctl_suspend_cb,
		.data = job,
	};
	off_t stream_start;

	if (lvctl_savefile_start(fd, what, cfg, &stream_start))
		return -1;
	if (xc_domain_save(job->xch, fd, job->domid, 0, &callbacks,
			   XC_STREAM_PLAIN, -1)) {
		if (job->suspended)
			lvctl_error("cannot save domain %u (%s) to %s: %s",
				    job->domid, job->name, what,
				    lvctl_xc_error(job->xch, strerror(errno)));
		return -1;
	}
	return lvctl_savefile_finish(fd, what, stream_start);
}

static int save_guest(struct lvctl_suspend *job, const char *path, int checkpoint)
{
	const char *what = strcmp(path, "-") ? path : "standard output";
	struct lvctl_config cfg;
	int fd, lock, ret = -1;
	char *tmp;

	if (lvctl_domain_suspended(job->xch, job->domid)) {
		lvctl_error("domain %u (%s) is suspended already (lvctl resume %s)",
			    job->domid, job->name, job->name);
		return -1;
	}
	if (lvctl_state_load(job->name, &cfg))
		return -1;
	/* A save in progress: the sweep does not resume this guest under us. */
	lock = lvctl_state_lock(job->name, 1);
	fd = open_output(path, &tmp);
	if (fd < 0)
		goto out_cfg;

	lvctl_block_stops();
	if (write_save(job, &cfg, fd, what))
		goto out_failed;
	if (tmp && rename(tmp, path)) {
		lvctl_error("cannot write %s: %s", path, strerror(errno));
		goto out_failed;
	}
	free(tmp);
	tmp = NULL;
	ret = checkpoint ? lvctl_resume_guest(job->xch, job->domid, job->name) :
			   lvctl_guest_destroy(job->xch, job->noxs_fd,
					       job->domid, job->name);
	goto out_close;

out_failed:
	if (job->suspended)
		lvctl_resume_guest(job->xch, job->domid, job->name);
out_close:
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	if (fd != STDOUT_FILENO)
		close(fd);
out_cfg:
	if (lock >= 0)
		close(lock);
	lvctl_config_free(&cfg);
	return ret;
}

int cmd_save(int argc, char **argv)
{
	struct noxs_ioctl_guest_info info;
	struct lvctl_suspend job = { 0 };
	int checkpoint = 0, ret, status = LVCTL_EXIT_FAILURE;
	const struct lvctl_flag flags[] = {
		{ "checkpoint", 'c', &checkpoint, NULL },
		{ NULL, 0, NULL, NULL },
	};

	ret = lvctl_parse_flags("save", "[-c|--checkpoint] NAME|DOMID FILE|-",
				flags, 2, "NAME|DOMID and FILE", argc, argv);
	if (ret >= 0)
		return ret;
	if (lvctl_open(&job.noxs_fd, &job.xch))
		return LVCTL_EXIT_FAILURE;
	if (!lvctl_find_guest(job.xch, job.noxs_fd, argv[optind], &job.domid,
			      &info)) {
		job.name = info.name;
		if (!save_guest(&job, argv[optind + 1], checkpoint))
			status = LVCTL_EXIT_OK;
	}
	lvctl_close(job.noxs_fd, job.xch);
	return status;
}

/* --- restore ---------------------------------------------------------------- */

struct restore_args {
	int paused;
	int console;
	int no_daemon;
	const char *name;
	const char *file;
};

static int parse_restore_args(int argc, char **argv, struct restore_args *args)
{
	static const struct option options[] = {
		{ "paused", no_argument, NULL, 'p' },
		{ "console", no_argument, NULL, 'c' },
		{ "no-daemon", no_argument, NULL, 'e' },
		{ "name", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+pcen:h", options, NULL)) != -1) {
		switch (opt) {
		case 'p':
			args->paused = 1;
			break;
		case 'c':
			args->console = 1;
			break;
		case 'e':
			args->no_daemon = 1;
			break;
		case 'n':
			args->name = optarg;
			break;
		case 'h':
			printf("usage: %s restore [-p|--paused] [-c|--console] [-e|--no-daemon] [-n|--name NAME] FILE|-\n",
			       lvctl_progname);
			return LVCTL_EXIT_OK;
		default:
			return lvctl_usage_error("restore", "unknown option '%s'",
						 argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return lvctl_usage_error("restore", "expected one FILE|-");
	args->file = argv[optind];
	return -1;
}

/* A save file by path (a regular file: a FIFO would block), or stdin. */
static int open_input(const char *path)
{
	struct stat st;
	int fd;

	if (!strcmp(path, "-"))
		return STDIN_FILENO;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		lvctl_error("cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		lvctl_error("%s is not a regular file (restore - reads a stream)",
			    path);
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, 0);	/* blocking from here */
	return fd;
}

static int restore_guest(const struct restore_args *args, uint32_t *domid)
{
	const char *what = strcmp(args->file, "-") ? args->file : "standard input";
	struct lvctl_build build = { .paused = args->paused };
	struct lvctl_config cfg;
	int fd, ret = -1;

	fd = open_input(args->file);
	if (fd < 0)
		return -1;
	if (lvctl_savefile_open(fd, what, &cfg))
		goto out_close;
	if (args->name && lvctl_config_rename(&cfg, args->name))
		goto out_cfg;

	if (lvctl_open(&build.noxs_fd, &build.xch))
		goto out_cfg;
	if (!lvctl_build_check(build.xch, build.noxs_fd, &cfg,
			       LVCTL_CHECK_MEMORY)) {
		lvctl_block_stops();
		ret = lvctl_restore(&build, &cfg, fd);
	}
	lvctl_close(build.noxs_fd, build.xch);
	*domid = build.domid;
out_cfg:
	lvctl_config_free(&cfg);
out_close:
	if (fd != STDIN_FILENO)
		close(fd);
	return ret;
}

int cmd_restore(int argc, char **argv)
{
	struct restore_args args = { 0 };
	uint32_t domid;
	int ret;

	ret = parse_restore_args(argc, argv, &args);
	if (ret >= 0)
		return ret;
	if (restore_guest(&args, &domid))
		return LVCTL_EXIT_FAILURE;
	lvctl_daemon_autostart(args.no_daemon);
	printf("%u\n", domid);
	fflush(stdout);
	return args.console ? lvctl_console_follow(domid) : LVCTL_EXIT_OK;
}

/* --- resume ----------------------------------------------------------------- */

int cmd_resume(int argc, char **argv)
{
	struct noxs_ioctl_guest_info info;
	int ret, fd, status = LVCTL_EXIT_FAILURE;
	xc_interface *xch;
	uint32_t domid;

	ret = lvctl_parse_flags("resume", "NAME|DOMID", NULL, 1,
				"one NAME|DOMID", argc, argv);
	if (ret >= 0)
		return ret;
	if (lvctl_open(&fd, &xch))
		return LVCTL_EXIT_FAILURE;
	if (lvctl_find_guest(xch, fd, argv[optind], &domid, &info))
		goto out;
	if (!lvctl_domain_suspended(xch, domid))
		lvctl_error("domain %u (%s) is not suspended", domid, info.name);
	else if (!lvctl_resume_guest(xch, domid, info.name))
		status = LVCTL_EXIT_OK;
out:
	lvctl_close(fd, xch);
	return status;
}
