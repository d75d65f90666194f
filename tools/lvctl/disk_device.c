// SPDX-License-Identifier: GPL-2.0
/*
 * A guest's disks, made: the work of xl's block script, then a NoXS vbd
 * device each (split-back feeds the stock xen-blkback through dom0's own
 * store). A disk image gets a loop device of its own, read-only when the
 * disk is, with autoclear: split-back holds it open for the vbd's life,
 * so it goes with the guest, however the guest goes, and with lvctl's own
 * descriptor if anything fails before the vbd holds it.
 *
 * xl refuses an image in use read-write to a second guest, and so does
 * lvctl: a block device in split-back (one read-write vbd, or any number
 * of read-only ones), a file here, by the loop devices already over it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/loop.h>

#include <xen/noxs.h>

#include "config.h"
#include "disk_device.h"
#include "lvctl.h"

#define LOOP_CONTROL	"/dev/loop-control"
/* A loop device of a guest just destroyed goes once xen-blkback lets go. */
#define LOOP_GONE_MS	3000
#define LOOP_POLL_MS	50
/* How long a create waits for another one using the same image. */
#define LOCK_WAIT_MS	10000
/* LOOP_CTL_GET_FREE races other users of loop devices: tries. */
#define LOOP_TRIES	8

/* Disk @i's target, which must be there. */
static int target_stat(const struct lvctl_disk *disk, unsigned int i,
		       struct stat *st)
{
	if (!stat(disk->target, st))
		return 0;
	lvctl_error("disk %u (%s): %s: %s", i, disk->vdev, disk->target,
		    strerror(errno));
	return -1;
}

/* Before anything is taken: the modules, and each target there. */
int lvctl_disks_check(const struct lvctl_config *cfg)
{
	const struct lvctl_disk *disk;
	unsigned int i, files = 0;
	struct stat st;

	if (!cfg->nr_disks)
		return 0;
	if (!lvctl_exists("/sys/module/split_back")) {
		lvctl_error("disk: the NoXS vbd backend is not loaded (modprobe split-back)");
		return -1;
	}
	if (!lvctl_exists("/sys/bus/xen-backend/drivers/vbd")) {
		lvctl_error("disk: xen-blkback is not loaded (modprobe xen-blkback)");
		return -1;
	}
	for (i = 0; i < cfg->nr_disks; i++) {
		disk = &cfg->disks[i];
		if (target_stat(disk, i, &st))
			return -1;
		if (S_ISREG(st.st_mode)) {
			files++;
		} else if (!S_ISBLK(st.st_mode)) {
			lvctl_error("disk %u (%s): %s is neither a file nor a block device",
				    i, disk->vdev, disk->target);
			return -1;
		}
	}
	if (files && !lvctl_exists(LOOP_CONTROL)) {
		lvctl_error("disk: no %s for disk images (modprobe loop)",
			    LOOP_CONTROL);
		return -1;
	}
	return 0;
}

/*
 * The loop devices over the file @st names: 1 if there is one, its path
 * into @name (a read-write one's if any is), whether any is read-write
 * into *@rw; 0 if none.
 */
static int loop_over(const struct stat *st, char *name, size_t size, int *rw)
{
	struct loop_info64 info;
	struct dirent *d;
	char path[64];
	int fd, found = 0;
	DIR *dir;

	*rw = 0;
	dir = opendir("/sys/block");
	if (!dir)
		return 0;
	while ((d = readdir(dir))) {
		if (strncmp(d->d_name, "loop", 4) ||
		    strlen(d->d_name) >= sizeof(path) - sizeof("/dev/"))
			continue;
		snprintf(path, sizeof(path), "/dev/%.*s",
			 (int)(sizeof(path) - sizeof("/dev/")), d->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (!ioctl(fd, LOOP_GET_STATUS64, &info) &&
		    info.lo_inode == st->st_ino &&
		    info.lo_device == st->st_dev &&
		    (!found || (!*rw && !(info.lo_flags & LO_FLAGS_READ_ONLY)))) {
			snprintf(name, size, "%s", path);
			*rw = !(info.lo_flags & LO_FLAGS_READ_ONLY);
			found = 1;
		}
		close(fd);
	}
	closedir(dir);
	return found;
}

/*
 * May the image @fd (locked) be used, read-write if @rw? Not if a loop
 * device reads or writes it already and either wants to write. A guest
 * destroyed a moment ago may still have one: it is waited for a little.
 */
static int image_free(const struct lvctl_disk *disk, unsigned int i, int fd)
{
	double deadline = lvctl_now_ms() + LOOP_GONE_MS;
	char loop[64];
	struct stat st;
	int other_rw;

	if (fstat(fd, &st)) {
		lvctl_error("disk %u (%s): %s: %s", i, disk->vdev, disk->target,
			    strerror(errno));
		return -1;
	}
	while (loop_over(&st, loop, sizeof(loop), &other_rw) &&
	       (!disk->readonly || other_rw)) {
		if (lvctl_now_ms() >= deadline) {
			lvctl_error("disk %u (%s): %s is in use%s by %s (read-write is exclusive, as in xl)",
				    i, disk->vdev, disk->target,
				    other_rw ? " read-write" : "", loop);
			return -1;
		}
		usleep(LOOP_POLL_MS * 1000);
	}
	return 0;
}

/* A free loop device over @file_fd; its open descriptor, or -1. */
static int loop_attach(const struct lvctl_disk *disk, unsigned int i,
		       int file_fd)
{
	struct loop_config config;
	int ctl, nr, fd = -1, tries;
	char path[32];

	ctl = open(LOOP_CONTROL, O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		lvctl_error("disk %u (%s): cannot open %s: %s", i, disk->vdev,
			    LOOP_CONTROL, strerror(errno));
		return -1;
	}
	memset(&config, 0, sizeof(config));
	config.fd = file_fd;
	config.info.lo_flags = LO_FLAGS_AUTOCLEAR |
			       (disk->readonly ? LO_FLAGS_READ_ONLY : 0);
	snprintf((char *)config.info.lo_file_name, LO_NAME_SIZE, "%s",
		 disk->target);
	for (tries = 0; tries < LOOP_TRIES; tries++) {
		nr = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (nr < 0)
			break;
		snprintf(path, sizeof(path), "/dev/loop%d", nr);
		fd = open(path, (disk->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
		if (fd < 0)
			break;
		if (!ioctl(fd, LOOP_CONFIGURE, &config))
			break;
		close(fd);
		fd = -1;
		if (errno != EBUSY)	/* EBUSY: taken since GET_FREE */
			break;
	}
	if (fd < 0)
		lvctl_error("disk %u (%s): cannot make a loop device for %s: %s",
			    i, disk->vdev, disk->target, strerror(errno));
	close(ctl);
	return fd;
}

/* The vbd of the block device @rdev; split-back opens it. */
static int vbd_add(int noxs_fd, uint32_t domid, const struct lvctl_disk *disk,
		   unsigned int i, dev_t rdev)
{
	struct noxs_vbd_params params;
	const char *why;
	int err;

	memset(&params, 0, sizeof(params));
	params.major = major(rdev);
	params.minor = minor(rdev);
	params.flags = disk->readonly ? NOXS_VBD_READONLY : 0;
	err = noxs_device_add(noxs_fd, domid, NOXS_DEV_VBD, disk->devnum,
			      &params, sizeof(params));
	if (!err)
		return 0;
	switch (err) {
	case -ENODEV:
		why = "the vbd backend is not loaded (modprobe split-back)";
		break;
	case -EBUSY:
		why = "in use read-write by another guest, or mounted in dom0";
		break;
	case -EROFS:
		why = "the device is read-only (give the disk access=ro)";
		break;
	default:
		why = strerror(-err);
	}
	lvctl_error("disk %u (%s): cannot make its NoXS device for %s: %s", i,
		    disk->vdev, disk->target, why);
	return -1;
}

/*
 * Another lvctl making a loop device over the same image waits: a lock of
 * its own descriptor (the loop device keeps the one it is given, and with
 * it any lock taken through it), polled, so that a stuck holder costs a
 * clear error rather than a hang.
 */
static int image_lock(const struct lvctl_disk *disk, unsigned int i)
{
	double deadline = lvctl_now_ms() + LOCK_WAIT_MS;
	int fd;

	fd = open(disk->target, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		lvctl_error("disk %u (%s): cannot open %s: %s", i, disk->vdev,
			    disk->target, strerror(errno));
		return -1;
	}
	while (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK || lvctl_now_ms() >= deadline) {
			lvctl_error("disk %u (%s): cannot lock %s: %s", i,
				    disk->vdev, disk->target,
				    errno == EWOULDBLOCK ? "another process holds it" :
				    strerror(errno));
			close(fd);
			return -1;
		}
		usleep(LOOP_POLL_MS * 1000);
	}
	return fd;
}

/* A disk image: locked while its loop device is made and handed over. */
static int image_add(int noxs_fd, uint32_t domid,
		     const struct lvctl_disk *disk, unsigned int i)
{
	int lock_fd, fd, loop_fd, err = -1;
	struct stat st;

	lock_fd = image_lock(disk, i);
	if (lock_fd < 0)
		return -1;
	fd = open(disk->target, (disk->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0) {
		lvctl_error("disk %u (%s): cannot open %s%s: %s", i, disk->vdev,
			    disk->target, disk->readonly ? "" : " for writing",
			    strerror(errno));
		goto out;
	}
	if (image_free(disk, i, fd))
		goto out_close;
	loop_fd = loop_attach(disk, i, fd);
	if (loop_fd < 0)
		goto out_close;
	/* Our descriptor keeps the loop device until split-back holds it. */
	if (fstat(loop_fd, &st))
		lvctl_error("disk %u (%s): its loop device: %s", i, disk->vdev,
			    strerror(errno));
	else
		err = vbd_add(noxs_fd, domid, disk, i, st.st_rdev);
	close(loop_fd);
out_close:
	close(fd);
out:
	close(lock_fd);
	return err;
}

/* The vbds; xen-blkback starts on each at once. */
int lvctl_disks_add(int noxs_fd, uint32_t domid,
		    const struct lvctl_config *cfg)
{
	const struct lvctl_disk *disk;
	struct stat st;
	unsigned int i;
	int err;

	for (i = 0; i < cfg->nr_disks; i++) {
		disk = &cfg->disks[i];
		if (target_stat(disk, i, &st))
			return -1;
		if (S_ISBLK(st.st_mode))
			err = vbd_add(noxs_fd, domid, disk, i, st.st_rdev);
		else
			err = image_add(noxs_fd, domid, disk, i);
		if (err)
			return -1;
	}
	return 0;
}
