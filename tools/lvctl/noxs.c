// SPDX-License-Identifier: GPL-2.0
/*
 * The connection to the noxs module: opening /dev/xen/noxs and checking
 * that the module speaks the ABI this lvctl was built against.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xen/noxs.h>

#include "lvctl.h"

static int noxs_query_version(int fd, unsigned int *major,
			      unsigned int *minor)
{
	struct noxs_ioctl_version version;

	memset(&version, 0, sizeof(version));
	if (ioctl(fd, NOXS_IOCTL_VERSION, &version) < 0)
		return -errno;

	*major = version.major;
	*minor = version.minor;
	return 0;
}

/*
 * Returns an open descriptor of /dev/xen/noxs whose ABI major matches
 * ours (its minor in *abi_minor, if given), or -1 after printing why not.
 */
int noxs_open(unsigned int *abi_minor)
{
	unsigned int major = 0, minor = 0;
	int fd, err;

	fd = open(NOXS_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		lvctl_error("cannot open %s: %s%s", NOXS_DEVICE_PATH,
			    strerror(err),
			    err == ENOENT ? " (is the noxs module loaded?)" : "");
		return -1;
	}

	err = noxs_query_version(fd, &major, &minor);
	if (err) {
		lvctl_error("%s: version query failed: %s", NOXS_DEVICE_PATH,
			    strerror(-err));
		goto err_close;
	}

	if (major != NOXS_ABI_MAJOR) {
		lvctl_error("%s speaks NoXS ABI %u.%u, this lvctl needs %u.x",
			    NOXS_DEVICE_PATH, major, minor, NOXS_ABI_MAJOR);
		goto err_close;
	}

	if (abi_minor)
		*abi_minor = minor;
	return fd;

err_close:
	close(fd);
	return -1;
}

/*
 * The guest ioctls. Each returns 0, or -1 after printing one line that
 * names the guest and the problem.
 */

/* A NULL @name registers a nameless pool shell. */
int noxs_guest_create(int fd, uint32_t domid, const char *name)
{
	struct noxs_ioctl_guest_create arg;

	memset(&arg, 0, sizeof(arg));
	arg.domid = domid;
	if (name)
		strncpy(arg.name, name, sizeof(arg.name) - 1);
	else
		arg.flags = NOXS_GUEST_CREATE_SHELL;
	if (ioctl(fd, NOXS_IOCTL_GUEST_CREATE, &arg) < 0) {
		if (errno == EEXIST)
			lvctl_error("the name '%s' is in use", name);
		else
			lvctl_error("cannot register domain %u with noxs: %s",
				    domid, strerror(errno));
		return -1;
	}
	return 0;
}

int noxs_guest_name(int fd, uint32_t domid, const char *name)
{
	struct noxs_ioctl_guest_name arg;

	memset(&arg, 0, sizeof(arg));
	arg.domid = domid;
	strncpy(arg.name, name, sizeof(arg.name) - 1);
	if (ioctl(fd, NOXS_IOCTL_GUEST_NAME, &arg) < 0) {
		if (errno == EEXIST)
			lvctl_error("the name '%s' is in use", name);
		else
			lvctl_error("cannot name pool shell %u '%s': %s", domid,
				    name, strerror(errno));
		return -1;
	}
	return 0;
}

/* -errno from noxs (-EEXIST: the name is taken), said by the caller. */
int noxs_guest_rename(int fd, uint32_t domid, const char *name)
{
	struct noxs_ioctl_guest_name arg;

	memset(&arg, 0, sizeof(arg));
	arg.domid = domid;
	arg.flags = NOXS_GUEST_NAME_RENAME;
	strncpy(arg.name, name, sizeof(arg.name) - 1);
	return ioctl(fd, NOXS_IOCTL_GUEST_NAME, &arg) < 0 ? -errno : 0;
}

int noxs_console_attach(int fd, uint32_t domid, unsigned int port)
{
	struct noxs_ioctl_console_attach arg = {
		.domid = domid,
		.port = port,
	};

	if (ioctl(fd, NOXS_IOCTL_CONSOLE_ATTACH, &arg) < 0) {
		lvctl_error("cannot attach domain %u's console: %s", domid,
			    strerror(errno));
		return -1;
	}
	return 0;
}

/* Returns 0 or -errno; prints any error but ENOENT (no such guest). */
static int noxs_guest_ioctl(int fd, unsigned long cmd, uint32_t domid,
			    const char *what)
{
	struct noxs_ioctl_guest arg = { .domid = domid };

	if (ioctl(fd, cmd, &arg) == 0)
		return 0;
	if (errno != ENOENT)
		lvctl_error("cannot %s domain %u: %s", what, domid,
			    strerror(errno));
	return -errno;
}

int noxs_guest_commit(int fd, uint32_t domid)
{
	return noxs_guest_ioctl(fd, NOXS_IOCTL_GUEST_COMMIT, domid, "commit");
}

/*
 * -ENOENT (silent) means noxs has no such guest: someone else destroyed it
 * first, which is how concurrent destroyers tell who won.
 */
int noxs_guest_destroy(int fd, uint32_t domid)
{
	return noxs_guest_ioctl(fd, NOXS_IOCTL_GUEST_DESTROY, domid,
				"release the noxs state of");
}

int noxs_device_create(int fd, uint32_t domid, uint32_t type, uint32_t id)
{
	struct noxs_ioctl_device arg = {
		.domid = domid,
		.type = type,
		.id = id,
	};

	if (ioctl(fd, NOXS_IOCTL_DEVICE_CREATE, &arg) == 0)
		return 0;
	if (errno == ENODEV)
		lvctl_error("cannot give domain %u a device of type %u: its backend module is not loaded",
			    domid, type);
	else
		lvctl_error("cannot give domain %u a device of type %u: %s",
			    domid, type, strerror(errno));
	return -1;
}

/* A device with its type's parameters (ABI 1.4). */
int noxs_device_add(int fd, uint32_t domid, uint32_t type, uint32_t id,
		    const void *params, size_t len)
{
	struct noxs_ioctl_device_add arg = {
		.domid = domid,
		.type = type,
		.id = id,
	};

	memcpy(arg.params, params, len < sizeof(arg.params) ?
	       len : sizeof(arg.params));
	if (ioctl(fd, NOXS_IOCTL_DEVICE_ADD, &arg) == 0)
		return 0;
	return -errno;
}

int noxs_device_hotplug(int fd, uint32_t domid, uint32_t type, uint32_t id)
{
	struct noxs_ioctl_device_hotplug arg = {
		.domid = domid,
		.type = type,
		.id = id,
		.status = NOXS_HOTPLUG_CONNECTED,
	};

	if (ioctl(fd, NOXS_IOCTL_DEVICE_HOTPLUG, &arg) == 0)
		return 0;
	return -errno;
}

/*
 * A request of the guest's sysctl device (NOXS_SYSCTL_REQ_*), with its
 * argument. Returns 0 or -errno, printing nothing: the caller knows what
 * it means.
 */
int noxs_guest_request(int fd, uint32_t domid, uint32_t request, uint32_t arg,
		       unsigned int timeout_ms)
{
	struct noxs_ioctl_guest_request req = {
		.domid = domid,
		.request = request,
		.arg = arg,
		.timeout_ms = timeout_ms,
	};

	if (ioctl(fd, NOXS_IOCTL_GUEST_REQUEST, &req) == 0)
		return 0;
	return -errno;
}

/*
 * The guest's settings (NOXS_SETTINGS_* in @flags). Returns 0 or -errno,
 * printing nothing.
 */
int noxs_guest_settings(int fd, uint32_t domid, uint32_t flags, uint32_t vcpus,
			uint32_t target_kib, unsigned int timeout_ms)
{
	struct noxs_ioctl_guest_settings arg = {
		.domid = domid,
		.flags = flags,
		.vcpus = vcpus,
		.target_kib = target_kib,
		.timeout_ms = timeout_ms,
	};

	if (ioctl(fd, NOXS_IOCTL_GUEST_SETTINGS, &arg) == 0)
		return 0;
	return -errno;
}

/*
 * Looks a guest up by name (if @name is non-NULL) or by domid. Returns 0,
 * -ENOENT if noxs has no such guest (nothing printed), or -1.
 */
int noxs_guest_info(int fd, const char *name, uint32_t domid,
		    struct noxs_ioctl_guest_info *info)
{
	memset(info, 0, sizeof(*info));
	if (name) {
		if (strlen(name) >= sizeof(info->name))
			return -ENOENT;
		strcpy(info->name, name);
		info->flags = NOXS_GUEST_INFO_BY_NAME;
	} else {
		info->domid = domid;
	}
	if (ioctl(fd, NOXS_IOCTL_GUEST_INFO, info) == 0)
		return 0;
	/* EINVAL: a name noxs would never have registered. */
	if (errno == ENOENT || errno == EINVAL)
		return -ENOENT;
	lvctl_error("cannot look up %s%s: %s", name ? "" : "domain ",
		    name ? name : "", strerror(errno));
	return -1;
}

int noxs_console_open(int fd, uint32_t domid)
{
	struct noxs_ioctl_console_open arg = { .domid = domid };

	if (ioctl(fd, NOXS_IOCTL_CONSOLE_OPEN, &arg) < 0) {
		lvctl_error("cannot open domain %u's console: %s", domid,
			    strerror(errno));
		return -1;
	}
	return arg.fd;
}

int noxs_stats(int fd, struct noxs_ioctl_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	if (ioctl(fd, NOXS_IOCTL_STATS, stats) < 0) {
		lvctl_error("cannot read noxs statistics: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * NAME|DOMID from the command line: a number is a domid (names never start
 * with a digit), anything else a name, which noxs looks up in its hash.
 * Returns 0, or -1 after printing why not.
 */
int lvctl_resolve_guest(int fd, const char *arg, uint32_t *domid)
{
	struct noxs_ioctl_guest_info info;
	unsigned long v;
	char *end;
	int err;

	if (*arg >= '0' && *arg <= '9') {
		errno = 0;
		v = strtoul(arg, &end, 10);
		if (errno || *end || v >= DOMID_FIRST_RESERVED) {
			lvctl_error("'%s' is not a domain id", arg);
			return -1;
		}
		*domid = v;
		return 0;
	}

	err = noxs_guest_info(fd, arg, 0, &info);
	if (err == -ENOENT)
		lvctl_error("no guest is named '%s'", arg);
	if (err)
		return -1;
	*domid = info.domid;
	return 0;
}

/*
 * What to call domain @domid in a table: Domain-0, an lvctl guest's
 * name, "(pool shell)", or "(domain N)" for another toolstack's.
 */
void lvctl_domain_label(int fd, uint32_t domid, char *buf, size_t size)
{
	struct noxs_ioctl_guest_info info;

	if (!domid)
		snprintf(buf, size, "Domain-0");
	else if (!noxs_guest_info(fd, NULL, domid, &info))
		snprintf(buf, size, "%s", info.name[0] ? info.name :
			 "(pool shell)");
	else
		snprintf(buf, size, "(domain %u)", domid);
}
