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

int lvctl_state_save(const struct lvctl_config *cfg)
{
	char *path;
	int ret;

	if ((mkdir("/run/lightvm", 0700) && errno != EEXIST) ||
	    (mkdir(LVCTL_STATE_DIR, 0700) && errno != EEXIST)) {
		lvctl_error("cannot create %s: %s", LVCTL_STATE_DIR,
			    strerror(errno));
		return -1;
	}
	path = state_path(cfg->name);
	if (!path)
		return -1;
	ret = lvctl_config_write(cfg, path);
	free(path);
	return ret;
}

static int state_load(const char *name, struct lvctl_config *cfg)
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
	lvctl_state_remove(name);
	return 0;
}

/* Builds @name again from its saved configuration. */
static int guest_restart(xc_interface *xch, int noxs_fd, const char *name,
			 uint32_t *new_domid)
{
	struct lvctl_build build = { .xch = xch, .noxs_fd = noxs_fd };
	struct lvctl_config cfg;
	int ret;

	if (state_load(name, &cfg))
		return -1;
	ret = lvctl_build(&build, &cfg);
	if (ret)
		lvctl_state_remove(name);	/* the guest is gone for good */
	lvctl_config_free(&cfg);
	if (!ret && new_domid)
		*new_domid = build.domid;
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
	default:	/* crash, watchdog */
		return cfg->on_crash;
	}
}

/*
 * If lvctl guest @domid has shut down (not suspended), does what its
 * configuration says for that. Returns 1 if it acted, 0 if there was
 * nothing to do (running, suspended, preserved, or handled elsewhere),
 * -1 on failure. *@new_domid gets a restarted guest's domid.
 */
int lvctl_reap(xc_interface *xch, int noxs_fd, uint32_t domid,
	       uint32_t *new_domid)
{
	struct noxs_ioctl_guest_info info;
	struct lvctl_config cfg;
	enum lvctl_action action = LVCTL_ACTION_DESTROY;
	xc_domaininfo_t dom;
	unsigned int reason;
	int err;

	if (xc_domain_getinfolist(xch, domid, 1, &dom) != 1 ||
	    dom.domain != domid)
		return 0;	/* gone */
	if (!(dom.flags & XEN_DOMINF_shutdown))
		return 0;
	reason = (dom.flags >> XEN_DOMINF_shutdownshift) &
		 XEN_DOMINF_shutdownmask;
	if (reason == SHUTDOWN_suspend)
		return 0;	/* for save/restore, not for us */

	err = noxs_guest_info(noxs_fd, NULL, domid, &info);
	if (err)
		return err == -ENOENT ? 0 : -1;	/* not an lvctl guest */

	/* Without its saved config (deleted by hand?), destroy is all we can. */
	if (!state_load(info.name, &cfg)) {
		action = action_for(&cfg, reason);
		lvctl_config_free(&cfg);
	}
	if (action == LVCTL_ACTION_PRESERVE)
		return 0;

	if (action == LVCTL_ACTION_RESTART) {
		/* Keep the config: destroying the guest would remove it. */
		err = noxs_guest_destroy(noxs_fd, domid);
		if (err)
			return err == -ENOENT ? 0 : -1;
		if (xc_domain_destroy(xch, domid) && errno != ESRCH) {
			lvctl_error("cannot destroy domain %u: %s", domid,
				    strerror(errno));
			return -1;
		}
		return guest_restart(xch, noxs_fd, info.name, new_domid) ?
		       -1 : 1;
	}

	err = lvctl_guest_destroy(xch, noxs_fd, domid, info.name);
	if (err)
		return err == -ENOENT ? 0 : -1;
	return 1;
}
