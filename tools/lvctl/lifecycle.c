// SPDX-License-Identifier: GPL-2.0
/*
 * What happens to a guest after it is built: its saved configuration,
 * destroying it, and acting on its own shutdown (on_poweroff, on_reboot,
 * on_crash) for the daemon and for `shutdown -w` / `reboot -w`.
 *
 * Several lvctl processes may act on one guest at once (the daemon and a
 * waiting `lvctl shutdown -w`, say). The noxs record decides: whoever
 * destroys it (NOXS_IOCTL_GUEST_DESTROY succeeds) owns the guest's end,
 * everyone else gets -ENOENT and leaves it alone.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xenctrl.h>

#include <xen/noxs.h>

#include "build.h"
#include "config.h"
#include "lvctl.h"

#define LVCTL_STATE_DIR "/run/lightvm/guests"

static char *state_path(const char *name)
{
	char *path;

	if (asprintf(&path, LVCTL_STATE_DIR "/%s.cfg", name) < 0)
		return NULL;
	return path;
}

/*
 * Saves @cfg where a restart finds it. Returns a descriptor that holds the
 * file's lock until the caller closes it (once the guest is committed):
 * the sweep never removes a locked file. -1 on failure.
 */
int lvctl_state_save(const struct lvctl_config *cfg)
{
	char *path;
	int fd;

	if ((mkdir("/run/lightvm", 0700) && errno != EEXIST) ||
	    (mkdir(LVCTL_STATE_DIR, 0700) && errno != EEXIST)) {
		lvctl_error("cannot create %s: %s", LVCTL_STATE_DIR,
			    strerror(errno));
		return -1;
	}
	path = state_path(cfg->name);
	if (!path) {
		lvctl_error("out of memory");
		return -1;
	}
	fd = lvctl_config_write(cfg, path);
	free(path);
	return fd;
}

/*
 * Locks @name's saved config: whoever holds it is working on the guest (a
 * build, a restart, a save), and the sweep leaves it alone. With @wait,
 * waits for a sweep to let go; else -1 at once if someone holds it. -1 if
 * there is no such file.
 */
int lvctl_state_lock(const char *name, int wait)
{
	char *path = state_path(name);
	int fd;

	if (!path)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd >= 0 && flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Is @fd still the file at @path? A rename may have replaced it. */
static int same_file(int fd, const char *path)
{
	struct stat a, b;

	return !fstat(fd, &a) && !stat(path, &b) && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/*
 * Removes @file (a NAME.cfg or NAME.cfg.tmp in the state directory) if
 * nobody holds its lock and noxs has no guest NAME: its writer died before
 * the guest was committed (kill -9, a crash).
 */
static void state_sweep_one(int noxs_fd, const char *file)
{
	struct noxs_ioctl_guest_info info;
	char name[LVCTL_NAME_SIZE], *path;
	size_t len = strcspn(file, ".");
	int fd;

	if (len == 0 || len >= sizeof(name) ||
	    (strcmp(file + len, ".cfg") && strcmp(file + len, ".cfg.tmp")))
		return;
	memcpy(name, file, len);
	name[len] = '\0';
	if (asprintf(&path, LVCTL_STATE_DIR "/%s", file) < 0)
		return;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0 && !flock(fd, LOCK_EX | LOCK_NB) &&
	    noxs_guest_info(noxs_fd, name, 0, &info) == -ENOENT &&
	    same_file(fd, path) && !unlink(path))
		lvctl_log("removed %s: its guest was never built", path);
	if (fd >= 0)
		close(fd);
	free(path);
}

/* Removes the saved configs of builds that died half-way. */
void lvctl_state_sweep(int noxs_fd)
{
	struct dirent *entry;
	DIR *dir;

	dir = opendir(LVCTL_STATE_DIR);
	if (!dir)
		return;
	while ((entry = readdir(dir)))
		state_sweep_one(noxs_fd, entry->d_name);
	closedir(dir);
}

int lvctl_state_load(const char *name, struct lvctl_config *cfg)
{
	char *path = state_path(name);
	int ret;

	if (!path)
		return -1;
	ret = lvctl_config_read(path, cfg);
	free(path);
	return ret;
}

void lvctl_state_remove(const char *name)
{
	char *path = state_path(name);

	if (path && unlink(path) && errno != ENOENT)
		lvctl_error("cannot remove %s: %s", path, strerror(errno));
	free(path);
}

/*
 * NAME|DOMID of an lvctl guest: its domid and noxs record. Returns 0, or
 * -1 after saying why not (no such guest or domain, not lvctl's).
 */
int lvctl_find_guest(xc_interface *xch, int noxs_fd, const char *arg,
		     uint32_t *domid, struct noxs_ioctl_guest_info *info)
{
	if (lvctl_resolve_guest(noxs_fd, arg, domid))
		return -1;
	if (!noxs_guest_info(noxs_fd, NULL, *domid, info))
		return 0;
	if (!lvctl_domain_exists(xch, *domid))
		lvctl_error("there is no domain %u", *domid);
	else
		lvctl_error("domain %u is not an lvctl guest", *domid);
	return -1;
}

/*
 * Destroys an lvctl guest: its noxs state first (the console mapping
 * would keep the domain alive), then the domain, then its saved config.
 * Returns 0, -ENOENT if another process destroyed it first, or -1.
 */
int lvctl_guest_destroy(xc_interface *xch, int noxs_fd, uint32_t domid,
			const char *name)
{
	int err;

	err = noxs_guest_destroy(noxs_fd, domid);
	if (err == -ENOENT)
		return -ENOENT;
	if (err)
		return -1;
	if (xc_domain_destroy(xch, domid) && errno != ESRCH) {
		lvctl_error("cannot destroy domain %u: %s", domid,
			    strerror(errno));
		return -1;
	}
	lvctl_xs_forget(domid);
	lvctl_state_remove(name);
	return 0;
}

/*
 * Destroys @domid and builds @name again from its saved configuration,
 * which it keeps locked meanwhile: between the two, noxs has no guest of
 * that name, and the sweep must not take the file for a dead build's.
 * Returns 1, 0 if another process destroyed the guest first, or -1.
 */
static int guest_restart(xc_interface *xch, int noxs_fd, uint32_t domid,
			 const char *name, uint32_t *new_domid)
{
	struct lvctl_build build = { .xch = xch, .noxs_fd = noxs_fd };
	struct lvctl_config cfg;
	int lock, err, ret = -1;

	lock = lvctl_state_lock(name, 1);
	err = noxs_guest_destroy(noxs_fd, domid);
	if (err) {
		ret = err == -ENOENT ? 0 : -1;
		goto out;
	}
	if (xc_domain_destroy(xch, domid) && errno != ESRCH) {
		lvctl_error("cannot destroy domain %u: %s", domid,
			    strerror(errno));
		goto out;
	}
	lvctl_xs_forget(domid);
	if (lvctl_state_load(name, &cfg))
		goto out;
	if (lvctl_build(&build, &cfg))
		lvctl_state_remove(name);	/* the guest is gone for good */
	else
		ret = 1;
	lvctl_config_free(&cfg);
	if (ret > 0 && new_domid)
		*new_domid = build.domid;
out:
	if (lock >= 0)
		close(lock);
	return ret;
}

static enum lvctl_action action_for(const struct lvctl_config *cfg,
				    unsigned int reason)
{
	switch (reason) {
	case SHUTDOWN_poweroff:
		return cfg->on_poweroff;
	case SHUTDOWN_reboot:
		return cfg->on_reboot;
	case SHUTDOWN_watchdog:
		return cfg->on_watchdog;
	default:	/* crash, and what Xen may add */
		return cfg->on_crash;
	}
}

/* Xen's SHUTDOWN_* reasons, as a guest's shutdown is named in logs. */
const char *lvctl_shutdown_reason_name(unsigned int reason)
{
	static const char *const names[] = {
		[SHUTDOWN_poweroff] = "poweroff",
		[SHUTDOWN_reboot] = "reboot",
		[SHUTDOWN_suspend] = "suspend",
		[SHUTDOWN_crash] = "crash",
		[SHUTDOWN_watchdog] = "watchdog",
		[SHUTDOWN_soft_reset] = "soft_reset",
	};

	if (reason < sizeof(names) / sizeof(names[0]) && names[reason])
		return names[reason];
	return "shutdown";
}

/*
 * If lvctl guest @domid has shut down (not suspended), does what its
 * configuration says for that. Returns 1 if it acted, 0 if there was
 * nothing to do (running, suspended, preserved, or handled elsewhere),
 * -1 on failure. @done (if not NULL) gets the guest's name, why it shut
 * down, the action and a restarted guest's domid.
 */
int lvctl_reap(xc_interface *xch, int noxs_fd, uint32_t domid,
	       struct lvctl_reaped *done)
{
	struct noxs_ioctl_guest_info info;
	struct lvctl_reaped unused;
	struct lvctl_config cfg;
	xc_domaininfo_t dom;
	int err;

	if (!done)
		done = &unused;
	*done = (struct lvctl_reaped){ .action = LVCTL_ACTION_DESTROY };
	if (xc_domain_getinfolist(xch, domid, 1, &dom) != 1 ||
	    dom.domain != domid)
		return 0;	/* gone */
	if (!(dom.flags & XEN_DOMINF_shutdown))
		return 0;
	done->reason = (dom.flags >> XEN_DOMINF_shutdownshift) &
		       XEN_DOMINF_shutdownmask;
	if (done->reason == SHUTDOWN_suspend)
		return 0;	/* for save/restore, not for us */

	err = noxs_guest_info(noxs_fd, NULL, domid, &info);
	if (err)
		return err == -ENOENT ? 0 : -1;	/* not an lvctl guest */
	memcpy(done->name, info.name, sizeof(done->name));

	/* Without its saved config (deleted by hand?), destroy is all we can. */
	if (!lvctl_state_load(info.name, &cfg)) {
		done->action = action_for(&cfg, done->reason);
		lvctl_config_free(&cfg);
	}
	if (done->action == LVCTL_ACTION_PRESERVE)
		return 0;

	if (done->action == LVCTL_ACTION_RESTART)
		return guest_restart(xch, noxs_fd, domid, info.name,
				     &done->new_domid);

	err = lvctl_guest_destroy(xch, noxs_fd, domid, info.name);
	if (err)
		return err == -ENOENT ? 0 : -1;
	return 1;
}

/* Why a guest did not take a shutdown, reboot or sysrq request. */
const char *lvctl_close_error(int err)
{
	switch (err) {
	case -EOPNOTSUPP:
		return "it has no sysctl frontend connected that handles this request";
	case -ETIMEDOUT:
		return "it did not acknowledge the request in time";
	case -EREMOTEIO:
		return "it refused the request";
	case -ESHUTDOWN:
		return "it was destroyed before it answered";
	default:
		return strerror(-err);
	}
}
