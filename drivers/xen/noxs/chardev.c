// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/xen/noxs: the ioctl interface lvctl drives.
 *
 * One handler per ioctl; each copies its argument in, checks every field
 * it does not understand is zero, and copies the answer out.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/ctype.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <xen/interface/xen.h>
#include <uapi/xen/noxs.h>

#include "noxs.h"

static int noxs_open(struct inode *inode, struct file *file)
{
	/*
	 * The node is root's and 0600, but a copy of it made elsewhere, or a
	 * root process that dropped its capabilities, must not get in either:
	 * whoever holds this device builds and destroys other domains.
	 */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;

	return nonseekable_open(inode, file);
}

static long noxs_ioctl_version(void __user *udata)
{
	struct noxs_ioctl_version version;

	if (copy_from_user(&version, udata, sizeof(version)))
		return -EFAULT;

	if (version.flags || version.pad)
		return -EINVAL;

	version.major = NOXS_ABI_MAJOR;
	version.minor = NOXS_ABI_MINOR;

	if (copy_to_user(udata, &version, sizeof(version)))
		return -EFAULT;

	return 0;
}

/* A domid lvctl may hand us: a real guest's, never dom0's or a reserved one. */
static bool noxs_valid_domid(__u32 domid)
{
	return domid > 0 && domid < DOMID_FIRST_RESERVED;
}

/*
 * A name is NUL-terminated inside its field, not empty, made of
 * [A-Za-z0-9_.-], and the rest of the field is zero.
 */
static bool noxs_valid_name(const char name[NOXS_NAME_SIZE])
{
	size_t len = strnlen(name, NOXS_NAME_SIZE);
	size_t i;

	if (len == 0 || len == NOXS_NAME_SIZE)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum(name[i]) && !strchr("_.-", name[i]))
			return false;
	return !memchr_inv(name + len, 0, NOXS_NAME_SIZE - len);
}

/* A shell's name field is all zero. */
static bool noxs_valid_create_name(const struct noxs_ioctl_guest_create *arg)
{
	if (arg->flags & NOXS_GUEST_CREATE_SHELL)
		return !memchr_inv(arg->name, 0, sizeof(arg->name));
	return noxs_valid_name(arg->name);
}

static long noxs_ioctl_guest_create(struct file *file, void __user *udata)
{
	struct noxs_ioctl_guest_create arg;
	grant_ref_t gref;
	int err;

	if (copy_from_user(&arg, udata, sizeof(arg)))
		return -EFAULT;
	if ((arg.flags & ~NOXS_GUEST_CREATE_SHELL) ||
	    !noxs_valid_domid(arg.domid) || !noxs_valid_create_name(&arg))
		return -EINVAL;

	err = noxs_guest_create(file, arg.domid,
				arg.flags & NOXS_GUEST_CREATE_SHELL ?
				NULL : arg.name, &gref);
	if (err)
		return err;

	arg.dir_gref = gref;
	arg.backend_domid = 0;	/* noxs runs in dom0 only */
	if (copy_to_user(udata, &arg, sizeof(arg))) {
		noxs_guest_destroy(arg.domid);
		return -EFAULT;
	}
	return 0;
}

static long noxs_ioctl_console_attach(void __user *udata)
{
	struct noxs_ioctl_console_attach arg;
	struct noxs_guest *guest;
	int err;

	if (copy_from_user(&arg, udata, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || arg.pad || !noxs_valid_domid(arg.domid) || !arg.port)
		return -EINVAL;

	guest = noxs_guest_get(arg.domid);
	if (!guest)
		return -ENOENT;
	err = noxs_console_attach(guest, arg.port);
	noxs_guest_put(guest);
	return err;
}

static int noxs_copy_guest_arg(struct noxs_ioctl_guest *arg,
			       void __user *udata)
{
	if (copy_from_user(arg, udata, sizeof(*arg)))
		return -EFAULT;
	if (arg->flags || !noxs_valid_domid(arg->domid))
		return -EINVAL;
	return 0;
}

static long noxs_ioctl_guest_name(struct file *file, void __user *udata)
{
	struct noxs_ioctl_guest_name arg;

	if (copy_from_user(&arg, udata, sizeof(arg)))
		return -EFAULT;
	if ((arg.flags & ~NOXS_GUEST_NAME_RENAME) ||
	    !noxs_valid_domid(arg.domid) || !noxs_valid_name(arg.name))
		return -EINVAL;
	if (arg.flags & NOXS_GUEST_NAME_RENAME)
		return noxs_guest_rename(arg.domid, arg.name);
	return noxs_guest_name(file, arg.domid, arg.name);
}

static long noxs_ioctl_guest_commit(struct file *file, void __user *udata)
{
	struct noxs_ioctl_guest arg;
	int err;

	err = noxs_copy_guest_arg(&arg, udata);
	if (err)
		return err;
	return noxs_guest_commit(file, arg.domid);
}

static long noxs_ioctl_guest_destroy(void __user *udata)
{
	struct noxs_ioctl_guest arg;
	int err;

	err = noxs_copy_guest_arg(&arg, udata);
	if (err)
		return err;
	return noxs_guest_destroy(arg.domid);
}

static long noxs_ioctl_guest_info(void __user *udata)
{
	struct noxs_ioctl_guest_info arg;
	struct noxs_guest *guest;

	if (copy_from_user(&arg, udata, sizeof(arg)))
		return -EFAULT;
	if ((arg.flags & ~NOXS_GUEST_INFO_BY_NAME) || arg.pad)
		return -EINVAL;

	if (arg.flags & NOXS_GUEST_INFO_BY_NAME) {
		if (!noxs_valid_name(arg.name))
			return -EINVAL;
		guest = noxs_guest_get_by_name(arg.name);
	} else {
		if (!noxs_valid_domid(arg.domid))
			return -EINVAL;
		guest = noxs_guest_get(arg.domid);
	}
	if (!guest)
		return -ENOENT;

	arg.domid = guest->domid;
	noxs_guest_identity(guest, arg.name, &arg.created_ns);
	arg.committed = !READ_ONCE(guest->owner);
	noxs_guest_put(guest);

	if (copy_to_user(udata, &arg, sizeof(arg)))
		return -EFAULT;
	return 0;
}

static long noxs_ioctl_console_open(void __user *udata)
{
	struct noxs_ioctl_console_open arg;
	struct noxs_guest *guest;
	int fd;

	if (copy_from_user(&arg, udata, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || arg.pad || !noxs_valid_domid(arg.domid))
		return -EINVAL;

	guest = noxs_guest_get(arg.domid);
	if (!guest)
		return -ENOENT;
	fd = noxs_console_open(guest);
	noxs_guest_put(guest);
	if (fd < 0)
		return fd;

	/*
	 * The file is in the table already; if the answer cannot reach the
	 * caller, the descriptor stays open in its process, unnamed, as it
	 * would for any other fd-returning ioctl (see DRM's). Nothing leaks
	 * beyond that process.
	 */
	arg.fd = fd;
	if (copy_to_user(udata, &arg, sizeof(arg)))
		return -EFAULT;
	return 0;
}

static int noxs_check_device_arg(__u32 domid, __u32 type, __u32 flags)
{
	if (flags || !noxs_valid_domid(domid) || type == NOXS_DEV_NONE ||
	    type > NOXS_DEV_TYPE_MAX)
		return -EINVAL;
	return 0;
}

static int noxs_copy_device_arg(struct noxs_ioctl_device *arg,
				void __user *udata)
{
	if (copy_from_user(arg, udata, sizeof(*arg)))
		return -EFAULT;
	return noxs_check_device_arg(arg->domid, arg->type, arg->flags);
}

static long noxs_ioctl_device_create(void __user *udata)
{
	struct noxs_ioctl_device arg;
	int err;

	err = noxs_copy_device_arg(&arg, udata);
	if (err)
		return err;
	return noxs_device_create(arg.domid, arg.type, arg.id, NULL);
}

static long noxs_ioctl_device_add(void __user *udata)
{
	struct noxs_ioctl_device_add arg;
	int err;

	if (copy_from_user(&arg, udata, sizeof(arg)))
		return -EFAULT;
	err = noxs_check_device_arg(arg.domid, arg.type, arg.flags);
	if (err)
		return err;
	return noxs_device_create(arg.domid, arg.type, arg.id, arg.params);
}

static long noxs_ioctl_device_hotplug(void __user *udata)
{
	struct noxs_ioctl_device_hotplug arg;
	int err;

	if (copy_from_user(&arg, udata, sizeof(arg)))
		return -EFAULT;
	err = noxs_check_device_arg(arg.domid, arg.type, 0);
	if (err)
		return err;
	if (arg.status != NOXS_HOTPLUG_CONNECTED)
		return -EINVAL;
	return noxs_device_hotplug(arg.domid, arg.type, arg.id, arg.status);
}

static long noxs_ioctl_device_destroy(void __user *udata)
{
	struct noxs_ioctl_device arg;
	int err;

	err = noxs_copy_device_arg(&arg, udata);
	if (err)
		return err;
	return noxs_device_destroy(arg.domid, arg.type, arg.id);
}

static long noxs_ioctl_device_query(void __user *udata)
{
	struct noxs_ioctl_device_query arg;
	int err;

	if (copy_from_user(&arg, udata, sizeof(arg)))
		return -EFAULT;
	err = noxs_check_device_arg(arg.domid, arg.type, arg.flags);
	if (err)
		return err;

	/* Outputs only: whatever the caller left there goes. */
	arg.state = arg.features = arg.gref = arg.evtchn = 0;
	arg.events = arg.rejected = 0;
	err = noxs_device_query(&arg);
	if (err)
		return err;

	if (copy_to_user(udata, &arg, sizeof(arg)))
		return -EFAULT;
	return 0;
}

static long noxs_ioctl_guest_close(void __user *udata)
{
	struct noxs_ioctl_guest_close arg;

	if (copy_from_user(&arg, udata, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || !noxs_valid_domid(arg.domid) ||
	    arg.reason < NOXS_CLOSE_POWEROFF ||
	    arg.reason > NOXS_CLOSE_SUSPEND ||
	    arg.timeout_ms > NOXS_CLOSE_TIMEOUT_MAX_MS)
		return -EINVAL;
	return noxs_guest_request(arg.domid, arg.reason, 0, arg.timeout_ms);
}

/* A sysrq key: printable ASCII, not a space. */
static bool noxs_valid_request_arg(u32 request, u32 arg)
{
	if (request == NOXS_SYSCTL_REQ_SYSRQ)
		return arg > ' ' && arg < 0x7f;
	return arg == 0;
}

static long noxs_ioctl_guest_request(void __user *udata)
{
	struct noxs_ioctl_guest_request arg;

	if (copy_from_user(&arg, udata, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || arg.pad || !noxs_valid_domid(arg.domid) ||
	    arg.request < NOXS_SYSCTL_REQ_POWEROFF ||
	    arg.request > NOXS_SYSCTL_REQ_MAX ||
	    !noxs_valid_request_arg(arg.request, arg.arg) ||
	    arg.timeout_ms > NOXS_CLOSE_TIMEOUT_MAX_MS)
		return -EINVAL;
	return noxs_guest_request(arg.domid, arg.request, arg.arg,
				  arg.timeout_ms);
}

/* Each setting given is in range; each not given is zero. */
static bool noxs_valid_settings(const struct noxs_ioctl_guest_settings *arg)
{
	if (!arg->flags || (arg->flags & ~NOXS_SETTINGS_FLAGS))
		return false;
	if (arg->flags & NOXS_SETTINGS_VCPUS ?
	    !arg->vcpus || arg->vcpus > NOXS_SETTINGS_MAX_VCPUS : arg->vcpus)
		return false;
	return arg->flags & NOXS_SETTINGS_TARGET ? arg->target_kib != 0 :
						    arg->target_kib == 0;
}

static long noxs_ioctl_guest_settings(void __user *udata)
{
	struct noxs_ioctl_guest_settings arg;

	if (copy_from_user(&arg, udata, sizeof(arg)))
		return -EFAULT;
	if (arg.pad || !noxs_valid_domid(arg.domid) ||
	    !noxs_valid_settings(&arg) ||
	    arg.timeout_ms > NOXS_CLOSE_TIMEOUT_MAX_MS)
		return -EINVAL;
	return noxs_guest_settings(arg.domid, arg.flags, arg.vcpus,
				   arg.target_kib, arg.timeout_ms);
}

static long noxs_ioctl_stats(void __user *udata)
{
	struct noxs_ioctl_stats arg;

	if (copy_from_user(&arg, udata, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || arg.pad)
		return -EINVAL;

	arg.guests = atomic_read(&noxs_counters.guests);
	arg.grants = atomic_read(&noxs_counters.grants);
	arg.mapped = atomic_read(&noxs_counters.mapped);
	arg.evtchns = atomic_read(&noxs_counters.evtchns);
	arg.console_bytes = atomic64_read(&noxs_counters.console_bytes);

	if (copy_to_user(udata, &arg, sizeof(arg)))
		return -EFAULT;
	return 0;
}

static long noxs_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *udata = (void __user *)arg;

	switch (cmd) {
	case NOXS_IOCTL_VERSION:
		return noxs_ioctl_version(udata);
	case NOXS_IOCTL_GUEST_CREATE:
		return noxs_ioctl_guest_create(file, udata);
	case NOXS_IOCTL_CONSOLE_ATTACH:
		return noxs_ioctl_console_attach(udata);
	case NOXS_IOCTL_GUEST_COMMIT:
		return noxs_ioctl_guest_commit(file, udata);
	case NOXS_IOCTL_GUEST_DESTROY:
		return noxs_ioctl_guest_destroy(udata);
	case NOXS_IOCTL_GUEST_INFO:
		return noxs_ioctl_guest_info(udata);
	case NOXS_IOCTL_CONSOLE_OPEN:
		return noxs_ioctl_console_open(udata);
	case NOXS_IOCTL_STATS:
		return noxs_ioctl_stats(udata);
	case NOXS_IOCTL_DEVICE_CREATE:
		return noxs_ioctl_device_create(udata);
	case NOXS_IOCTL_DEVICE_DESTROY:
		return noxs_ioctl_device_destroy(udata);
	case NOXS_IOCTL_DEVICE_QUERY:
		return noxs_ioctl_device_query(udata);
	case NOXS_IOCTL_GUEST_CLOSE:
		return noxs_ioctl_guest_close(udata);
	case NOXS_IOCTL_GUEST_REQUEST:
		return noxs_ioctl_guest_request(udata);
	case NOXS_IOCTL_DEVICE_ADD:
		return noxs_ioctl_device_add(udata);
	case NOXS_IOCTL_DEVICE_HOTPLUG:
		return noxs_ioctl_device_hotplug(udata);
	case NOXS_IOCTL_GUEST_NAME:
		return noxs_ioctl_guest_name(file, udata);
	case NOXS_IOCTL_GUEST_SETTINGS:
		return noxs_ioctl_guest_settings(udata);
	default:
		return -ENOTTY;
	}
}

/* Guests this file created and did not commit are torn down with it. */
static int noxs_release(struct inode *inode, struct file *file)
{
	noxs_guests_release_file(file);
	return 0;
}

/*
 * .owner pins the module while a file is open, so rmmod of a held device
 * fails with EWOULDBLOCK instead of pulling the code from under the file.
 */
static const struct file_operations noxs_fops = {
	.owner		= THIS_MODULE,
	.open		= noxs_open,
	.release	= noxs_release,
	.unlocked_ioctl	= noxs_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= no_llseek,
};

static struct miscdevice noxs_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "xen/noxs",
	.fops	= &noxs_fops,
	.mode	= 0600,
};

int noxs_chardev_init(void)
{
	int err;

	err = misc_register(&noxs_miscdev);
	if (err)
		pr_err("cannot register %s: %d\n", NOXS_DEVICE_PATH, err);

	return err;
}

void noxs_chardev_exit(void)
{
	misc_deregister(&noxs_miscdev);
}
