// SPDX-License-Identifier: GPL-2.0
/*
 * noxs_device - checks of /dev/xen/noxs itself, run as root in a Xen dom0
 * with the noxs module loaded: the node, the version ioctl, how bad
 * arguments and unprivileged openers are refused, and that the module
 * cannot be unloaded from under an open file.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <xen/noxs.h>

/* From Xen's public xen.h, which this test does not otherwise need. */
#define DOMID_FIRST_RESERVED 0x7FF0U

#include "tap.h"

#define XVDA	51712	/* xvda's virtual-device number: (202 << 8) | 0 */

/* syslog(2) actions; glibc's <sys/klog.h> gives the call, not the names. */
#define SYSLOG_ACTION_READ_ALL		3
#define SYSLOG_ACTION_SIZE_BUFFER	10

#define NOBODY_UID 65534
#define SCRATCH_NODE "/tmp/noxs-selftest-node"

static void check_node(void)
{
	struct stat st;

	if (!tap_ok(stat(NOXS_DEVICE_PATH, &st) == 0, "%s exists",
		    NOXS_DEVICE_PATH)) {
		tap_skip("node mode (no node)");
		return;
	}
	tap_ok(S_ISCHR(st.st_mode) && (st.st_mode & 07777) == 0600 &&
	       st.st_uid == 0 && st.st_gid == 0,
	       "%s is a character device, mode 0600, owned by root (mode %o uid %u gid %u)",
	       NOXS_DEVICE_PATH, st.st_mode & 07777, st.st_uid, st.st_gid);
}

static void check_version(int fd)
{
	struct noxs_ioctl_version version;
	long ret;

	memset(&version, 0, sizeof(version));
	ret = ioctl(fd, NOXS_IOCTL_VERSION, &version);
	tap_ok(ret == 0 && version.major == NOXS_ABI_MAJOR &&
	       version.minor == NOXS_ABI_MINOR,
	       "version ioctl answers ABI %u.%u (ret %ld, got %u.%u)",
	       NOXS_ABI_MAJOR, NOXS_ABI_MINOR, ret, version.major,
	       version.minor);

	memset(&version, 0, sizeof(version));
	version.flags = 1;
	ret = ioctl(fd, NOXS_IOCTL_VERSION, &version);
	tap_errno(ret, errno, EINVAL, "version ioctl with an unknown flag");

	memset(&version, 0, sizeof(version));
	version.pad = 0x80000000u;
	ret = ioctl(fd, NOXS_IOCTL_VERSION, &version);
	tap_errno(ret, errno, EINVAL, "version ioctl with non-zero padding");

	ret = ioctl(fd, NOXS_IOCTL_VERSION, (void *)8);
	tap_errno(ret, errno, EFAULT, "version ioctl with a bad pointer");
}

/*
 * The guest ioctls refuse what they do not understand before touching
 * anything: unknown flags, non-zero padding, reserved domids, bad names,
 * and guests noxs does not know.
 */
static void check_guest_ioctl_refusals(int fd)
{
	struct noxs_ioctl_guest_create create;
	struct noxs_ioctl_console_attach attach;
	struct noxs_ioctl_guest_info info;
	struct noxs_ioctl_console_open open_arg;
	struct noxs_ioctl_guest guest;
	struct noxs_ioctl_guest_close close_arg;
	struct noxs_ioctl_guest_request request;
	struct noxs_ioctl_stats stats;
	struct noxs_ioctl_device dev;
	long ret;

	memset(&create, 0, sizeof(create));
	create.domid = 7;
	strcpy(create.name, "selftest");
	create.flags = 2;
	ret = ioctl(fd, NOXS_IOCTL_GUEST_CREATE, &create);
	tap_errno(ret, errno, EINVAL, "guest create with an unknown flag");

	create.flags = NOXS_GUEST_CREATE_SHELL;
	ret = ioctl(fd, NOXS_IOCTL_GUEST_CREATE, &create);
	tap_errno(ret, errno, EINVAL, "a shell created with a name");

	create.flags = 0;
	create.domid = 0;
	ret = ioctl(fd, NOXS_IOCTL_GUEST_CREATE, &create);
	tap_errno(ret, errno, EINVAL, "guest create for domain 0");

	create.domid = DOMID_FIRST_RESERVED;
	ret = ioctl(fd, NOXS_IOCTL_GUEST_CREATE, &create);
	tap_errno(ret, errno, EINVAL, "guest create for a reserved domid");

	create.domid = 7;
	memset(create.name, 'a', sizeof(create.name));
	ret = ioctl(fd, NOXS_IOCTL_GUEST_CREATE, &create);
	tap_errno(ret, errno, EINVAL, "guest create with an unterminated name");

	memset(create.name, 0, sizeof(create.name));
	strcpy(create.name, "bad/name");
	ret = ioctl(fd, NOXS_IOCTL_GUEST_CREATE, &create);
	tap_errno(ret, errno, EINVAL, "guest create with a '/' in the name");

	memset(create.name, 0, sizeof(create.name));
	strcpy(create.name, "ok");
	create.name[10] = 'x';	/* garbage after the NUL */
	ret = ioctl(fd, NOXS_IOCTL_GUEST_CREATE, &create);
	tap_errno(ret, errno, EINVAL, "guest create with bytes after the name's NUL");

	memset(&attach, 0, sizeof(attach));
	attach.domid = 7;
	attach.port = 1;
	attach.pad = 1;
	ret = ioctl(fd, NOXS_IOCTL_CONSOLE_ATTACH, &attach);
	tap_errno(ret, errno, EINVAL, "console attach with non-zero padding");

	attach.pad = 0;
	ret = ioctl(fd, NOXS_IOCTL_CONSOLE_ATTACH, &attach);
	tap_errno(ret, errno, ENOENT, "console attach for a guest noxs does not know");

	memset(&guest, 0, sizeof(guest));
	guest.domid = 7;
	ret = ioctl(fd, NOXS_IOCTL_GUEST_DESTROY, &guest);
	tap_errno(ret, errno, ENOENT, "destroy of a guest noxs does not know");

	ret = ioctl(fd, NOXS_IOCTL_GUEST_COMMIT, &guest);
	tap_errno(ret, errno, ENOENT, "commit of a guest noxs does not know");

	memset(&info, 0, sizeof(info));
	info.flags = 2;
	ret = ioctl(fd, NOXS_IOCTL_GUEST_INFO, &info);
	tap_errno(ret, errno, EINVAL, "guest info with an unknown flag");

	memset(&info, 0, sizeof(info));
	info.flags = NOXS_GUEST_INFO_BY_NAME;
	strcpy(info.name, "no-such-guest");
	ret = ioctl(fd, NOXS_IOCTL_GUEST_INFO, &info);
	tap_errno(ret, errno, ENOENT, "guest info for an unknown name");

	memset(&open_arg, 0, sizeof(open_arg));
	open_arg.domid = 7;
	ret = ioctl(fd, NOXS_IOCTL_CONSOLE_OPEN, &open_arg);
	tap_errno(ret, errno, ENOENT, "console open of a guest noxs does not know");

	memset(&dev, 0, sizeof(dev));
	dev.domid = 7;
	dev.type = NOXS_DEV_SYSCTL;
	dev.flags = 1;
	ret = ioctl(fd, NOXS_IOCTL_DEVICE_CREATE, &dev);
	tap_errno(ret, errno, EINVAL, "device create with an unknown flag");

	dev.flags = 0;
	dev.type = NOXS_DEV_TYPE_MAX + 1;
	ret = ioctl(fd, NOXS_IOCTL_DEVICE_CREATE, &dev);
	tap_errno(ret, errno, EINVAL, "device create of an unknown type");

	dev.type = NOXS_DEV_SYSCTL;
	ret = ioctl(fd, NOXS_IOCTL_DEVICE_CREATE, &dev);
	tap_errno(ret, errno, ENOENT, "device create for a guest noxs does not know");

	memset(&close_arg, 0, sizeof(close_arg));
	close_arg.domid = 7;
	close_arg.reason = 9;
	ret = ioctl(fd, NOXS_IOCTL_GUEST_CLOSE, &close_arg);
	tap_errno(ret, errno, EINVAL, "guest close for an unknown reason");

	close_arg.reason = NOXS_CLOSE_POWEROFF;
	close_arg.timeout_ms = NOXS_CLOSE_TIMEOUT_MAX_MS + 1;
	ret = ioctl(fd, NOXS_IOCTL_GUEST_CLOSE, &close_arg);
	tap_errno(ret, errno, EINVAL, "guest close with a timeout over the maximum");

	memset(&request, 0, sizeof(request));
	request.domid = 7;
	request.request = NOXS_SYSCTL_REQ_MAX + 1;
	ret = ioctl(fd, NOXS_IOCTL_GUEST_REQUEST, &request);
	tap_errno(ret, errno, EINVAL, "guest request of an unknown kind");

	request.request = NOXS_SYSCTL_REQ_SYSRQ;
	request.arg = ' ';
	ret = ioctl(fd, NOXS_IOCTL_GUEST_REQUEST, &request);
	tap_errno(ret, errno, EINVAL, "sysrq request with a space for its key");

	request.arg = 0x80;
	ret = ioctl(fd, NOXS_IOCTL_GUEST_REQUEST, &request);
	tap_errno(ret, errno, EINVAL, "sysrq request with a key beyond ASCII");

	request.request = NOXS_SYSCTL_REQ_POWEROFF;
	request.arg = 'b';
	ret = ioctl(fd, NOXS_IOCTL_GUEST_REQUEST, &request);
	tap_errno(ret, errno, EINVAL, "poweroff request with an argument");

	request.arg = 0;
	request.pad = 1;
	ret = ioctl(fd, NOXS_IOCTL_GUEST_REQUEST, &request);
	tap_errno(ret, errno, EINVAL, "guest request with non-zero padding");

	request.pad = 0;
	ret = ioctl(fd, NOXS_IOCTL_GUEST_REQUEST, &request);
	tap_errno(ret, errno, ENOENT, "guest request for a guest noxs does not know");

	memset(&stats, 0, sizeof(stats));
	stats.pad = 1;
	ret = ioctl(fd, NOXS_IOCTL_STATS, &stats);
	tap_errno(ret, errno, EINVAL, "stats with non-zero padding");
}

static long shell_create(int fd, unsigned int domid)
{
	struct noxs_ioctl_guest_create create = {
		.domid = domid,
		.flags = NOXS_GUEST_CREATE_SHELL,
	};

	return ioctl(fd, NOXS_IOCTL_GUEST_CREATE, &create);
}

static long shell_name(int fd, unsigned int domid, const char *name,
		       unsigned int flags)
{
	struct noxs_ioctl_guest_name arg = { .domid = domid, .flags = flags };

	strncpy(arg.name, name, sizeof(arg.name) - 1);
	return ioctl(fd, NOXS_IOCTL_GUEST_NAME, &arg);
}

/*
 * Pool shells (ABI 1.1), on domids no domain has: noxs only grants pages
 * to them. Shells are owned by the file that made them; closing it, or
 * destroying them, leaves noxs as it was.
 */
static void check_shells(int fd)
{
	struct noxs_ioctl_guest guest = { .domid = 32000 };
	struct noxs_ioctl_stats before = { 0 }, after = { 0 };
	struct noxs_ioctl_guest_info info;
	int owner, ret;

	ioctl(fd, NOXS_IOCTL_STATS, &before);
	owner = open(NOXS_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ret = shell_create(owner, 32000);
	tap_ok(ret == 0, "a nameless shell is registered (%s)",
	       ret ? strerror(errno) : "ok");

	memset(&info, 0, sizeof(info));
	info.domid = 32000;
	ret = ioctl(fd, NOXS_IOCTL_GUEST_INFO, &info);
	tap_ok(ret == 0 && !info.name[0] && !info.committed,
	       "guest info shows it with an empty name, not committed");

	ret = ioctl(owner, NOXS_IOCTL_GUEST_COMMIT, &guest);
	tap_errno(ret, errno, EINVAL, "a shell cannot be committed before it is named");
	ret = shell_name(owner, 32000, "pool-test", 1);
	tap_errno(ret, errno, EINVAL, "naming with an unknown flag");
	ret = shell_name(owner, 32000, "bad/name", 0);
	tap_errno(ret, errno, EINVAL, "naming with a '/' in the name");
	ret = shell_name(fd, 32000, "pool-test", 0);
	tap_errno(ret, errno, EPERM, "another file cannot name the shell");

	ret = shell_name(owner, 32000, "pool-test", 0);
	memset(&info, 0, sizeof(info));
	info.flags = NOXS_GUEST_INFO_BY_NAME;
	strcpy(info.name, "pool-test");
	tap_ok(ret == 0 && ioctl(fd, NOXS_IOCTL_GUEST_INFO, &info) == 0 &&
	       info.domid == 32000, "the owner names it; it is found by name");
	ret = shell_name(owner, 32000, "pool-other", 0);
	tap_errno(ret, errno, EBUSY, "a named guest cannot be named again");

	shell_create(owner, 32001);
	ret = shell_name(owner, 32001, "pool-test", 0);
	tap_errno(ret, errno, EEXIST, "a second shell cannot take a name in use");

	ret = ioctl(owner, NOXS_IOCTL_GUEST_COMMIT, &guest);
	tap_ok(ret == 0, "the named shell is committed");
	close(owner);	/* takes the uncommitted shell 32001 with it */
	ret = ioctl(fd, NOXS_IOCTL_GUEST_DESTROY, &guest);
	ioctl(fd, NOXS_IOCTL_STATS, &after);
	tap_ok(ret == 0 && after.guests == before.guests &&
	       after.grants == before.grants,
	       "closing the owner and destroying leave noxs as before (%u guests, %u grants)",
	       after.guests, after.grants);
}

static long device_add(int fd, unsigned int domid, unsigned int type,
		       unsigned int id, unsigned int flags, const void *params,
		       size_t len)
{
	struct noxs_ioctl_device_add arg = {
		.domid = domid, .type = type, .id = id, .flags = flags,
	};

	memcpy(arg.params, params, len);
	return ioctl(fd, NOXS_IOCTL_DEVICE_ADD, &arg);
}

static long device_hotplug(int fd, unsigned int domid, unsigned int type,
			   unsigned int id, unsigned int status)
{
	struct noxs_ioctl_device_hotplug arg = {
		.domid = domid, .type = type, .id = id, .status = status,
	};

	return ioctl(fd, NOXS_IOCTL_DEVICE_HOTPLUG, &arg);
}

/* Destroys shell @domid: noxs must hold what it held @before it. */
static void check_shell_destroy(int fd, unsigned int domid,
				const struct noxs_ioctl_stats *before,
				const char *what)
{
	struct noxs_ioctl_guest guest = { .domid = domid };
	struct noxs_ioctl_stats after = { 0 };
	long ret;

	ret = ioctl(fd, NOXS_IOCTL_GUEST_DESTROY, &guest);
	ioctl(fd, NOXS_IOCTL_STATS, &after);
	tap_ok(ret == 0 && after.guests == before->guests &&
	       after.grants == before->grants && after.evtchns == before->evtchns,
	       "destroying the shell gives its %s back (%u grants, %u event channels)",
	       what, after.grants, after.evtchns);
}

/*
 * Devices with parameters and the hotplug step (ABI 1.4), on a shell of a
 * domid no domain has; vifs only when @vif (split-back loaded: net.sh
 * runs `noxs_device vif`), else their type must have no backend.
 */
static void check_device_params(int fd, int vif)
{
	struct noxs_vif_params vp = { .mac = { 0x00, 0x16, 0x3e, 1, 2, 3 } };
	struct noxs_ioctl_stats before = { 0 };
	unsigned char params[NOXS_DEVICE_PARAMS_SIZE] = { 0 };
	long ret;

	ioctl(fd, NOXS_IOCTL_STATS, &before);
	ret = shell_create(fd, 32003);
	tap_ok(ret == 0, "a shell for devices (%s)", ret ? strerror(errno) : "ok");

	ret = device_add(fd, 32003, NOXS_DEV_SYSCTL, 0, 1, params, sizeof(params));
	tap_errno(ret, errno, EINVAL, "device add with an unknown flag");
	params[47] = 1;
	ret = device_add(fd, 32003, NOXS_DEV_SYSCTL, 0, 0, params, sizeof(params));
	tap_errno(ret, errno, EINVAL, "a sysctl device with parameters");
	params[47] = 0;
	ret = device_add(fd, 32003, NOXS_DEV_SYSCTL, 0, 0, params, sizeof(params));
	tap_ok(ret == 0, "a sysctl device with none (%s)", ret ? strerror(errno) : "ok");
	ret = device_hotplug(fd, 32003, NOXS_DEV_SYSCTL, 0, 7);
	tap_errno(ret, errno, EINVAL, "hotplug with an unknown status");
	ret = device_hotplug(fd, 32003, NOXS_DEV_SYSCTL, 0, NOXS_HOTPLUG_CONNECTED);
	tap_errno(ret, errno, EOPNOTSUPP, "hotplug of a type that has no such step");
	ret = device_hotplug(fd, 32003, NOXS_DEV_SYSCTL, 9, NOXS_HOTPLUG_CONNECTED);
	tap_errno(ret, errno, ENOENT, "hotplug of a device the guest does not have");

	if (!vif) {
		ret = device_add(fd, 32003, NOXS_DEV_VIF, 0, 0, &vp, sizeof(vp));
		tap_errno(ret, errno, ENODEV, "a vif with split-back not loaded");
		ret = device_add(fd, 32003, NOXS_DEV_VBD, XVDA, 0, params,
				 sizeof(params));
		tap_errno(ret, errno, ENODEV, "a vbd with split-back not loaded");
	} else {
		vp.mac[0] = 0x01;
		ret = device_add(fd, 32003, NOXS_DEV_VIF, 0, 0, &vp, sizeof(vp));
		tap_errno(ret, errno, EINVAL, "a vif with a multicast MAC");
		memset(vp.mac, 0, sizeof(vp.mac));
		ret = device_add(fd, 32003, NOXS_DEV_VIF, 0, 0, &vp, sizeof(vp));
		tap_errno(ret, errno, EINVAL, "a vif with a zero MAC");
		vp.mac[1] = 0x16;
		vp.pad[0] = 1;
		ret = device_add(fd, 32003, NOXS_DEV_VIF, 0, 0, &vp, sizeof(vp));
		tap_errno(ret, errno, EINVAL, "a vif with non-zero padding");
		vp.pad[0] = 0;
		ret = device_add(fd, 32003, NOXS_DEV_VIF, 0, 0, &vp, sizeof(vp));
		tap_ok(ret == 0, "a vif with a good MAC (%s)",
		       ret ? strerror(errno) : "ok");
		ret = device_add(fd, 32003, NOXS_DEV_VIF, 0, 0, &vp, sizeof(vp));
		tap_errno(ret, errno, EEXIST, "the same vif again");
	}

	check_shell_destroy(fd, 32003, &before, "devices");
}

/* A vbd of @rdev at @id, with @flags; pad[0] = @pad. */
static long vbd_add(int fd, unsigned int domid, unsigned int id, dev_t rdev,
		    unsigned int flags, unsigned char pad)
{
	struct noxs_vbd_params vp = {
		.major = major(rdev), .minor = minor(rdev), .flags = flags,
	};

	vp.pad[0] = pad;
	return device_add(fd, domid, NOXS_DEV_VBD, id, 0, &vp, sizeof(vp));
}

/*
 * vbds (ABI 1.5), with split-back loaded (disk.sh runs `noxs_device vbd
 * RW RO`: a block device that may be written and one that is read-only),
 * on a shell of a domid no domain has.
 */
static void check_vbd_params(int fd, dev_t rw, dev_t ro)
{
	struct noxs_ioctl_guest guest = { .domid = 32004 };
	struct noxs_ioctl_stats before = { 0 };
	long ret;

	ioctl(fd, NOXS_IOCTL_STATS, &before);
	ret = shell_create(fd, 32004);
	tap_ok(ret == 0, "a shell for vbds (%s)", ret ? strerror(errno) : "ok");

	ret = vbd_add(fd, 32004, XVDA, rw, 1U << 5, 0);
	tap_errno(ret, errno, EINVAL, "a vbd with an unknown flag");
	ret = vbd_add(fd, 32004, XVDA, rw, 0, 1);
	tap_errno(ret, errno, EINVAL, "a vbd with non-zero padding");
	ret = vbd_add(fd, 32004, XVDA + 1, rw, 0, 0);
	tap_errno(ret, errno, EINVAL, "a vbd whose id is a partition (xvda1)");
	ret = vbd_add(fd, 32004, 3, rw, 0, 0);
	tap_errno(ret, errno, EINVAL, "a vbd whose id is no xvd number");
	ret = vbd_add(fd, 32004, XVDA, makedev(major(rw), 1U << 20), 0, 0);
	tap_errno(ret, errno, EINVAL, "a vbd with a minor beyond 20 bits");
	ret = vbd_add(fd, 32004, XVDA, makedev(250, 4095), 0, 0);
	tap_errno(ret, errno, ENXIO, "a vbd of a block device dom0 does not have");
	ret = vbd_add(fd, 32004, XVDA, ro, 0, 0);
	tap_errno(ret, errno, EROFS, "a read-write vbd of a read-only device");

	ret = vbd_add(fd, 32004, XVDA, rw, 0, 0);
	tap_ok(ret == 0, "a read-write vbd (%s)", ret ? strerror(errno) : "ok");
	ret = vbd_add(fd, 32004, XVDA, rw, 0, 0);
	tap_errno(ret, errno, EEXIST, "the same vbd again");
	ret = vbd_add(fd, 32004, XVDA + 16, rw, 0, 0);
	tap_errno(ret, errno, EBUSY, "a second read-write vbd of its device");
	ret = vbd_add(fd, 32004, XVDA + 16, rw, NOXS_VBD_READONLY, 0);
	tap_errno(ret, errno, EBUSY, "a read-only vbd of a device written");
	ret = vbd_add(fd, 32004, XVDA + 16, ro, NOXS_VBD_READONLY, 0);
	tap_ok(ret == 0, "a read-only vbd (%s)", ret ? strerror(errno) : "ok");
	ret = vbd_add(fd, 32004, XVDA + 32, ro, NOXS_VBD_READONLY, 0);
	tap_ok(ret == 0, "a second read-only vbd of the same device (%s)",
	       ret ? strerror(errno) : "ok");

	check_shell_destroy(fd, 32004, &before, "vbds");
	ret = shell_create(fd, 32004);
	ret = ret ?: vbd_add(fd, 32004, XVDA, rw, 0, 0);
	tap_ok(ret == 0, "the device may be written by a new vbd then (%s)",
	       ret ? strerror(errno) : "ok");
	ioctl(fd, NOXS_IOCTL_GUEST_DESTROY, &guest);
}

/* Lines of the kernel log that contain @what. */
static int kernel_log_count(const char *what)
{
	int size = klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0);
	char *buf, *line;
	int len, n = 0;

	if (size <= 0)
		return -1;
	buf = malloc(size + 1);
	if (!buf)
		return -1;
	len = klogctl(SYSLOG_ACTION_READ_ALL, buf, size);
	if (len < 0) {
		free(buf);
		return -1;
	}
	buf[len] = '\0';
	for (line = strstr(buf, what); line; line = strstr(line + 1, what))
		n++;
	free(buf);
	return n;
}

/*
 * A failed console attach is logged, but a caller that fails again and
 * again (a fuzzer, a broken toolstack) must not flood the kernel log.
 */
static void check_console_attach_log(int fd)
{
	static const char what[] = "domain 32002: cannot map its console page";
	struct noxs_ioctl_console_attach attach = { .domid = 32002, .port = 1 };
	struct noxs_ioctl_guest_create create = { .domid = 32002 };
	struct noxs_ioctl_guest guest = { .domid = 32002 };
	int i, failed = 0, before, logged;

	strcpy(create.name, "attach-log");
	if (!tap_ok(ioctl(fd, NOXS_IOCTL_GUEST_CREATE, &create) == 0,
		    "a guest record for domain 32002 (no such domain)")) {
		tap_skip("console attach logging (no record)");
		return;
	}
	before = kernel_log_count(what);
	for (i = 0; i < 200; i++)
		failed += ioctl(fd, NOXS_IOCTL_CONSOLE_ATTACH, &attach) < 0;
	logged = kernel_log_count(what) - before;
	ioctl(fd, NOXS_IOCTL_GUEST_DESTROY, &guest);
	tap_ok(before >= 0 && failed == 200 && logged >= 1 && logged <= 10,
	       "200 failed console attaches log %d line(s) (rate-limited: 1-10)",
	       logged);
}

static void check_unknown_ioctls(int fd)
{
	struct termios tio;
	char buf[64];
	long ret;

	memset(buf, 0, sizeof(buf));
	ret = ioctl(fd, _IOWR(NOXS_IOCTL_TYPE, NOXS_IOCTL_NR_BASE + 0x1f,
			      char[64]), buf);
	tap_errno(ret, errno, ENOTTY, "unknown noxs ioctl number");

	/* The version number with another size is another ioctl. */
	ret = ioctl(fd, _IOWR(NOXS_IOCTL_TYPE, NOXS_IOCTL_NR_BASE, char[64]),
		    buf);
	tap_errno(ret, errno, ENOTTY, "version ioctl number with a wrong size");

	ret = ioctl(fd, TCGETS, &tio);
	tap_errno(ret, errno, ENOTTY, "a terminal ioctl");
}

/* Runs @fn in a child and returns what it returned, or -1 if it died. */
static int in_child(int (*fn)(const char *path), const char *path)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(fn(path));
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Child: become nobody, open @path, and exit with the errno (0 if opened). */
static int open_as_nobody(const char *path)
{
	int fd;

	if (setgid(NOBODY_UID) || setuid(NOBODY_UID))
		return 255;
	fd = open(path, O_RDWR);
	if (fd >= 0)
		return 0;
	return errno;
}

/* Child: stay root but drop CAP_SYS_ADMIN, open @path, exit with errno. */
static int open_without_sys_admin(const char *path)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	int fd;

	if (syscall(SYS_capget, &hdr, data))
		return 255;
	data[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective &= ~CAP_TO_MASK(CAP_SYS_ADMIN);
	if (syscall(SYS_capset, &hdr, data))
		return 255;
	fd = open(path, O_RDWR);
	if (fd >= 0)
		return 0;
	return errno;
}

static void check_child_errno(int got, int expected, const char *what)
{
	if (got == 255 || got < 0)
		tap_ok(0, "%s: the child could not set itself up", what);
	else
		tap_errno(got ? -1 : 0, got, expected, what);
}

static void check_unprivileged_openers(void)
{
	struct stat st;

	check_child_errno(in_child(open_as_nobody, NOXS_DEVICE_PATH), EACCES,
			  "opening the node as nobody");

	/*
	 * A world-writable copy of the node gets past the file mode: the
	 * driver itself must still say no.
	 */
	unlink(SCRATCH_NODE);
	if (stat(NOXS_DEVICE_PATH, &st) ||
	    mknod(SCRATCH_NODE, S_IFCHR | 0666, st.st_rdev) ||
	    chmod(SCRATCH_NODE, 0666)) {
		tap_ok(0, "making a 0666 copy of the node: %s", strerror(errno));
	} else {
		check_child_errno(in_child(open_as_nobody, SCRATCH_NODE), EPERM,
				  "opening a 0666 copy of the node as nobody");
	}
	unlink(SCRATCH_NODE);

	check_child_errno(in_child(open_without_sys_admin, NOXS_DEVICE_PATH),
			  EPERM, "opening as root without CAP_SYS_ADMIN");
}

static void check_unload_while_open(int fd)
{
	struct noxs_ioctl_version version;
	long ret;

	ret = syscall(SYS_delete_module, "noxs", O_NONBLOCK);
	tap_errno(ret, errno, EWOULDBLOCK,
		  "unloading noxs while the device is open");

	memset(&version, 0, sizeof(version));
	ret = ioctl(fd, NOXS_IOCTL_VERSION, &version);
	tap_ok(ret == 0 && version.major == NOXS_ABI_MAJOR,
	       "the open device still answers after the refused unload");
}

int main(int argc, char **argv)
{
	int fd;

	/* `noxs_device vif`: the vif checks alone, with split-back loaded. */
	if (argc == 2 && !strcmp(argv[1], "vif")) {
		tap_plan(14);
		fd = open(NOXS_DEVICE_PATH, O_RDWR | O_CLOEXEC);
		if (!tap_ok(fd >= 0, "root opens %s", NOXS_DEVICE_PATH))
			return tap_done();
		check_device_params(fd, 1);
		close(fd);
		return tap_done();
	}

	/* `noxs_device vbd RW RO`: the vbd checks, with split-back loaded. */
	if (argc == 4 && !strcmp(argv[1], "vbd")) {
		struct stat rw, ro;

		tap_plan(17);
		fd = open(NOXS_DEVICE_PATH, O_RDWR | O_CLOEXEC);
		if (!tap_ok(fd >= 0 && !stat(argv[2], &rw) && !stat(argv[3], &ro) &&
			    S_ISBLK(rw.st_mode) && S_ISBLK(ro.st_mode),
			    "root opens %s; %s and %s are block devices",
			    NOXS_DEVICE_PATH, argv[2], argv[3]))
			return tap_done();
		check_vbd_params(fd, rw.st_rdev, ro.st_rdev);
		close(fd);
		return tap_done();
	}

	tap_plan(64);

	check_node();

	fd = open(NOXS_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (!tap_ok(fd >= 0, "root opens %s (%s)", NOXS_DEVICE_PATH,
		    fd >= 0 ? "ok" : strerror(errno)))
		return tap_done();

	check_version(fd);
	check_guest_ioctl_refusals(fd);
	check_shells(fd);
	check_device_params(fd, 0);
	check_console_attach_log(fd);
	check_unknown_ioctls(fd);
	check_unprivileged_openers();
	check_unload_while_open(fd);

	close(fd);
	return tap_done();
}
