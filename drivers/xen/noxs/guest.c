// SPDX-License-Identifier: GPL-2.0
/*
 * Guest records: what dom0 holds for each guest lvctl built, found by
 * domid (an xarray) or by name (a hash), never by scanning.
 *
 * A record is registered by NOXS_IOCTL_GUEST_CREATE, owned by the file that
 * created it until NOXS_IOCTL_GUEST_COMMIT, nameless while it is a pool shell
 * (until NOXS_IOCTL_GUEST_NAME), and unregistered and torn down
 * (console unmapped, directory grant ended) by NOXS_IOCTL_GUEST_DESTROY, by
 * the close of its owner before commit, or at module exit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/stringhash.h>
#include <linux/timekeeping.h>
#include <linux/xarray.h>
#include <xen/grant_table.h>
#include <xen/page.h>

#include "noxs.h"

struct noxs_counters noxs_counters;

/*
 * Protects noxs_guests, noxs_names, and each record's name, name_node,
 * owner, registered and console fields.
 */
static DEFINE_MUTEX(noxs_guests_lock);
static DEFINE_XARRAY(noxs_guests);		/* domid -> struct noxs_guest */
static DEFINE_HASHTABLE(noxs_names, 10);	/* name hash -> name_node */

static u32 noxs_name_hash(const char *name)
{
	return full_name_hash(NULL, name, strlen(name));
}

static struct noxs_guest *noxs_find_name_locked(const char *name)
{
	struct noxs_guest *guest;

	hash_for_each_possible(noxs_names, guest, name_node,
			       noxs_name_hash(name))
		if (!strcmp(guest->name, name))
			return guest;
	return NULL;
}

/* The guest's directory page, for device.c, under devices_lock. */
struct noxs_dir_page *noxs_guest_dir(struct noxs_guest *guest)
{
	lockdep_assert_held(&guest->devices_lock);
	return page_address(guest->dir_page);
}

static int noxs_dir_grant(struct noxs_guest *guest)
{
	struct noxs_dir_page *dir;
	struct page *page;
	int ref;

	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!page)
		return -ENOMEM;

	dir = page_address(page);
	dir->magic = NOXS_DIR_MAGIC;
	dir->version = NOXS_DIR_VERSION;
	dir->nr_entries = 0;

	ref = gnttab_grant_foreign_access(guest->domid, xen_page_to_gfn(page),
					  1);
	if (ref < 0) {
		__free_page(page);
		return ref;
	}

	guest->dir_page = page;
	guest->dir_gref = ref;
	atomic_inc(&noxs_counters.grants);
	return 0;
}

static void noxs_dir_revoke(struct noxs_guest *guest)
{
	/* Frees the page once the guest no longer maps it. */
	gnttab_end_foreign_access(guest->dir_gref, guest->dir_page);
	guest->dir_page = NULL;
	atomic_dec(&noxs_counters.grants);
}

static void noxs_guest_release(struct kref *kref)
{
	struct noxs_guest *guest = container_of(kref, struct noxs_guest, kref);

	if (guest->console)
		noxs_console_free(guest->console);
	kfree(guest);
	atomic_dec(&noxs_counters.guests);
}

void noxs_guest_put(struct noxs_guest *guest)
{
	kref_put(&guest->kref, noxs_guest_release);
}

int noxs_guest_create(struct file *owner, domid_t domid, const char *name,
		      grant_ref_t *dir_gref)
{
	struct noxs_guest *guest;
	int err;

	guest = kzalloc(sizeof(*guest), GFP_KERNEL);
	if (!guest)
		return -ENOMEM;
	atomic_inc(&noxs_counters.guests);
	kref_init(&guest->kref);
	guest->domid = domid;
	if (name)
		strscpy(guest->name, name, sizeof(guest->name));
	INIT_HLIST_NODE(&guest->name_node);
	guest->created_ns = ktime_get_boottime_ns();
	guest->owner = owner;
	mutex_init(&guest->devices_lock);
	INIT_LIST_HEAD(&guest->devices);

	err = noxs_dir_grant(guest);
	if (err)
		goto err_put;

	mutex_lock(&noxs_guests_lock);
	if (name && noxs_find_name_locked(name)) {
		err = -EEXIST;
		goto err_unlock;
	}
	err = xa_insert(&noxs_guests, domid, guest, GFP_KERNEL);
	if (err)	/* -EBUSY: this domid is registered already */
		goto err_unlock;
	if (name)
		hash_add(noxs_names, &guest->name_node, noxs_name_hash(name));
	guest->registered = true;
	mutex_unlock(&noxs_guests_lock);

	*dir_gref = guest->dir_gref;
	return 0;

err_unlock:
	mutex_unlock(&noxs_guests_lock);
	noxs_dir_revoke(guest);
err_put:
	noxs_guest_put(guest);
	return err;
}

/* @domid's record if @owner still owns it; -ENOENT or -EPERM otherwise. */
static struct noxs_guest *noxs_find_owned_locked(struct file *owner,
						 domid_t domid, int *err)
{
	struct noxs_guest *guest;

	lockdep_assert_held(&noxs_guests_lock);
	guest = xa_load(&noxs_guests, domid);
	*err = !guest ? -ENOENT : guest->owner != owner ? -EPERM : 0;
	return guest;
}

/*
 * Names a shell: a guest created without a name, still owned by @owner.
 * -EBUSY if it has a name already, -EEXIST if another guest has @name.
 */
int noxs_guest_name(struct file *owner, domid_t domid, const char *name)
{
	struct noxs_guest *guest;
	int err;

	mutex_lock(&noxs_guests_lock);
	guest = noxs_find_owned_locked(owner, domid, &err);
	if (!err && guest->name[0])
		err = -EBUSY;
	if (!err && noxs_find_name_locked(name))
		err = -EEXIST;
	if (!err) {
		strscpy(guest->name, name, sizeof(guest->name));
		hash_add(noxs_names, &guest->name_node, noxs_name_hash(name));
		/* Its uptime counts from the request, not from the pool. */
		guest->created_ns = ktime_get_boottime_ns();
	}
	mutex_unlock(&noxs_guests_lock);
	return err;
}

/*
 * Gives a committed guest a new name. -EINVAL for a shell, -EBUSY while its
 * creator still owns it, -EEXIST if another guest has @name.
 */
int noxs_guest_rename(domid_t domid, const char *name)
{
	struct noxs_guest *guest, *holder;
	int err = 0;

	mutex_lock(&noxs_guests_lock);
	guest = xa_load(&noxs_guests, domid);
	holder = noxs_find_name_locked(name);
	if (!guest)
		err = -ENOENT;
	else if (!guest->name[0])
		err = -EINVAL;
	else if (guest->owner)
		err = -EBUSY;
	else if (holder && holder != guest)
		err = -EEXIST;
	if (!err && !holder) {
		hash_del(&guest->name_node);
		strscpy(guest->name, name, sizeof(guest->name));
		hash_add(noxs_names, &guest->name_node, noxs_name_hash(name));
	}
	mutex_unlock(&noxs_guests_lock);
	if (!err && !holder)
		pr_info("domain %u: now named %s\n", domid, name);
	return err;
}

/* Its name and when it became this guest (a shell: when it was named). */
void noxs_guest_identity(struct noxs_guest *guest, char name[NOXS_NAME_SIZE],
			 u64 *created_ns)
{
	mutex_lock(&noxs_guests_lock);
	memcpy(name, guest->name, NOXS_NAME_SIZE);
	*created_ns = guest->created_ns;
	mutex_unlock(&noxs_guests_lock);
}

/* -EINVAL for a shell: only a named guest can be handed over. */
int noxs_guest_commit(struct file *owner, domid_t domid)
{
	struct noxs_guest *guest;
	int err;

	mutex_lock(&noxs_guests_lock);
	/* -EPERM: committed already, or another file's. */
	guest = noxs_find_owned_locked(owner, domid, &err);
	if (!err && !guest->name[0])
		err = -EINVAL;
	if (!err)
		guest->owner = NULL;
	mutex_unlock(&noxs_guests_lock);
	return err;
}

static void noxs_unregister_locked(struct noxs_guest *guest)
{
	lockdep_assert_held(&noxs_guests_lock);
	xa_erase(&noxs_guests, guest->domid);
	hash_del(&guest->name_node);	/* a no-op for a nameless shell */
	guest->registered = false;
	guest->owner = NULL;
}

/* Gives back what the guest's record took from Xen; the memory stays. */
static void noxs_guest_teardown(struct noxs_guest *guest)
{
	noxs_guest_devices_teardown(guest);
	if (guest->console)
		noxs_console_detach(guest->console);
	noxs_dir_revoke(guest);
	noxs_guest_put(guest);	/* the registration's reference */
}

int noxs_guest_destroy(domid_t domid)
{
	struct noxs_guest *guest;

	mutex_lock(&noxs_guests_lock);
	guest = xa_load(&noxs_guests, domid);
	if (guest)
		noxs_unregister_locked(guest);
	mutex_unlock(&noxs_guests_lock);

	if (!guest)
		return -ENOENT;
	noxs_guest_teardown(guest);
	return 0;
}

struct noxs_guest *noxs_guest_get(domid_t domid)
{
	struct noxs_guest *guest;

	mutex_lock(&noxs_guests_lock);
	guest = xa_load(&noxs_guests, domid);
	if (guest)
		kref_get(&guest->kref);
	mutex_unlock(&noxs_guests_lock);
	return guest;
}

struct noxs_guest *noxs_guest_get_by_name(const char *name)
{
	struct noxs_guest *guest;

	mutex_lock(&noxs_guests_lock);
	guest = noxs_find_name_locked(name);
	if (guest)
		kref_get(&guest->kref);
	mutex_unlock(&noxs_guests_lock);
	return guest;
}

/* Returns -EBUSY if the guest has a console already, -ENOENT if it is gone. */
int noxs_guest_set_console(struct noxs_guest *guest,
			   struct noxs_console *console)
{
	int err = 0;

	mutex_lock(&noxs_guests_lock);
	if (!guest->registered)
		err = -ENOENT;
	else if (guest->console)
		err = -EBUSY;
	else
		WRITE_ONCE(guest->console, console);	/* read locklessly */
	mutex_unlock(&noxs_guests_lock);
	return err;
}

/* Tears down every guest @pred selects; @owner is passed to it. */
static void noxs_guests_destroy_if(bool (*pred)(struct noxs_guest *,
						struct file *),
				   struct file *owner)
{
	struct noxs_guest *guest, *tmp;
	unsigned long domid;
	LIST_HEAD(doomed);

	/*
	 * Unregister under the lock, tear down outside it: teardown unbinds
	 * interrupts and unmaps grants, which may sleep.
	 */
	mutex_lock(&noxs_guests_lock);
	xa_for_each(&noxs_guests, domid, guest) {
		if (!pred(guest, owner))
			continue;
		noxs_unregister_locked(guest);
		list_add_tail(&guest->teardown_node, &doomed);
	}
	mutex_unlock(&noxs_guests_lock);

	list_for_each_entry_safe(guest, tmp, &doomed, teardown_node) {
		pr_info("domain %u (%s): tearing down\n", guest->domid,
			guest->name);
		list_del(&guest->teardown_node);
		noxs_guest_teardown(guest);
	}
}

static bool noxs_owned_by(struct noxs_guest *guest, struct file *owner)
{
	return guest->owner == owner;
}

static bool noxs_any(struct noxs_guest *guest, struct file *owner)
{
	return true;
}

/* The creating file closed: guests it did not commit go. */
void noxs_guests_release_file(struct file *owner)
{
	noxs_guests_destroy_if(noxs_owned_by, owner);
}

void noxs_guests_destroy_all(void)
{
	noxs_guests_destroy_if(noxs_any, NULL);
}
