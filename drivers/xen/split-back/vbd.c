// SPDX-License-Identifier: GPL-2.0
/*
 * The vbd: a virtual disk served by the stock xen-blkback from a block
 * device of dom0, for a disk image a loop device lvctl made over it (the
 * work of xl's block script). xen-blkback opens the device as soon as its
 * node names it in physical-device; it needs no hotplug step.
 *
 * Each vbd also holds its block device open itself, from the add to the
 * end of its teardown: the device is known to exist when the add returns,
 * a loop device lvctl made with autoclear goes away when the last vbd
 * using it does, however the guest goes, and two vbds cannot share a
 * device unless both only read it. Read-write is an exclusive open, so a
 * device dom0 has mounted is refused too.
 */
#include <linux/blkdev.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "split_back.h"

/* Linux's xvd* numbers (xen-blkfront): the classic and extended forms. */
#define VBD_XVD_MAJOR		202
#define VBD_EXTENDED		(1U << 28)
#define VBD_EXT_DISKS		(26 * 27)	/* xvda .. xvdzz */

struct vbd_user {
	struct list_head node;		/* in vbd_users */
	struct block_device *bdev;
	dev_t devt;
	fmode_t mode;
};

/* Protects vbd_users: the block devices the live vbds hold. */
static DEFINE_MUTEX(vbd_lock);
static LIST_HEAD(vbd_users);

/* A whole disk's virtual-device number, or -1. */
static int vbd_disk_index(u32 id)
{
	if (id & VBD_EXTENDED) {
		id &= ~VBD_EXTENDED;
		if (id & 0xff || id >> 8 >= VBD_EXT_DISKS)
			return -1;
		return id >> 8;
	}
	if (id >> 8 != VBD_XVD_MAJOR || id & 0xf)
		return -1;
	return (id >> 4) & 0xf;
}

static int vbd_check(const u8 *raw, u32 id)
{
	const struct noxs_vbd_params *params = (const void *)raw;

	if (!raw || !noxs_params_zero(raw, offsetof(struct noxs_vbd_params, pad)))
		return -EINVAL;
	if (params->flags & ~NOXS_VBD_FLAGS || vbd_disk_index(id) < 0)
		return -EINVAL;
	if (params->major >= 1U << (32 - MINORBITS) ||
	    params->minor >= 1U << MINORBITS)
		return -EINVAL;
	return 0;
}

static bool vbd_readonly(const u8 *raw)
{
	const struct noxs_vbd_params *params = (const void *)raw;

	return params->flags & NOXS_VBD_READONLY;
}

/* Under vbd_lock: may a vbd open @devt, writing if @write? */
static bool vbd_may_share(dev_t devt, bool write)
{
	struct vbd_user *user;

	list_for_each_entry(user, &vbd_users, node) {
		if (user->devt == devt && (write || user->mode & FMODE_WRITE))
			return false;
	}
	return true;
}

static int vbd_open(struct split_back *sb, const u8 *raw)
{
	const struct noxs_vbd_params *params = (const void *)raw;
	bool write = !vbd_readonly(raw);
	struct vbd_user *user;
	int err;

	user = kzalloc(sizeof(*user), GFP_KERNEL);
	if (!user)
		return -ENOMEM;
	user->devt = MKDEV(params->major, params->minor);
	user->mode = FMODE_READ | (write ? FMODE_WRITE | FMODE_EXCL : 0);

	mutex_lock(&vbd_lock);
	if (!vbd_may_share(user->devt, write)) {
		err = -EBUSY;
		goto err_unlock;
	}
	user->bdev = blkdev_get_by_dev(user->devt, user->mode, user);
	if (IS_ERR(user->bdev)) {
		err = PTR_ERR(user->bdev);
		goto err_unlock;
	}
	if (write && bdev_read_only(user->bdev)) {
		err = -EROFS;
		goto err_put;
	}
	list_add(&user->node, &vbd_users);
	mutex_unlock(&vbd_lock);
	sb->type_priv = user;
	return 0;

err_put:
	blkdev_put(user->bdev, user->mode);
err_unlock:
	mutex_unlock(&vbd_lock);
	kfree(user);
	return err;
}

static void vbd_release(struct split_back *sb)
{
	struct vbd_user *user = sb->type_priv;

	mutex_lock(&vbd_lock);
	list_del(&user->node);
	blkdev_put(user->bdev, user->mode);
	mutex_unlock(&vbd_lock);
	kfree(user);
	sb->type_priv = NULL;
}

static int vbd_guest_node(const u8 *raw, u32 id, char *buf, size_t size)
{
	return scnprintf(buf, size, "virtual-device=%u\ndevice-type=disk\n",
			 id);
}

/* xen-blkback reads the frontend's device-type, in its own domain's store. */
static int vbd_write_front(struct split_back *sb, const u8 *raw)
{
	char value[16];

	snprintf(value, sizeof(value), "%u", sb->id);
	return split_back_write(sb->front_dir, "virtual-device", value) ?:
	       split_back_write(sb->front_dir, "device-type", "disk");
}

/* "xvda" .. "xvdz", "xvdaa" ...: the name xen-blkfront gives the disk. */
static void vbd_name(u32 id, char *buf, size_t size)
{
	int index = vbd_disk_index(id);

	if (index < 26)
		snprintf(buf, size, "xvd%c", 'a' + index);
	else
		snprintf(buf, size, "xvd%c%c", 'a' + index / 26 - 1,
			 'a' + index % 26);
}

/*
 * xen-blkback opens physical-device ("major:minor" in hex) as soon as it
 * sees it, read-only unless mode has a 'w'; dev names its threads.
 */
static int vbd_write_back(struct split_back *sb, const u8 *raw)
{
	struct vbd_user *user = sb->type_priv;
	char value[24];
	int err;

	snprintf(value, sizeof(value), "%x:%x", MAJOR(user->devt),
		 MINOR(user->devt));
	err = split_back_write(sb->back_dir, "physical-device", value);
	if (err)
		return err;
	vbd_name(sb->id, value, sizeof(value));
	return split_back_write(sb->back_dir, "dev", value) ?:
	       split_back_write(sb->back_dir, "type", "phy") ?:
	       split_back_write(sb->back_dir, "mode",
				vbd_readonly(raw) ? "r" : "w");
}

const struct split_type split_vbd = {
	.type		= NOXS_DEV_VBD,
	.name		= "vbd",
	.backend_name	= "noxs-vbd",
	.driver		= "xen-blkback",
	.back_keys	= noxs_vbd_back_keys,
	.front_keys	= noxs_vbd_front_keys,
	.front_queues	= NOXS_VBD_MAX_QUEUES,
	.check		= vbd_check,
	.open		= vbd_open,
	.release	= vbd_release,
	.guest_node	= vbd_guest_node,
	.write_front	= vbd_write_front,
	.write_back	= vbd_write_back,
};
