// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/xen/noxs: the ioctl interface lvctl drives.
 *
 * One handler per ioctl; each copies its argument in, checks every field
 * it does not understand is zero, and copies the answer out.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/uaccess.h>
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

static long noxs_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *udata = (void __user *)arg;

	switch (cmd) {
	case NOXS_IOCTL_VERSION:
		return noxs_ioctl_version(udata);
	default:
		return -ENOTTY;
	}
}

/*
 * .owner pins the module while a file is open, so rmmod of a held device
 * fails with EWOULDBLOCK instead of pulling the code from under the file.
 */
static const struct file_operations noxs_fops = {
	.owner		= THIS_MODULE,
	.open		= noxs_open,
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
