/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of the noxs module. Nothing here is ABI: the ABI is
 * include/uapi/xen/noxs.h.
 */
#ifndef _NOXS_H
#define _NOXS_H

#include <linux/atomic.h>
#include <linux/interrupt.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <xen/grant_table.h>
#include <xen/interface/event_channel.h>
#include <uapi/xen/noxs.h>

struct file;
struct module;
struct noxs_console;
struct noxs_device;

/*
 * What dom0 holds for one guest. Created by NOXS_IOCTL_GUEST_CREATE, torn
 * down by NOXS_IOCTL_GUEST_DESTROY (or when its creating file closes before
 * NOXS_IOCTL_GUEST_COMMIT, or at module exit), freed when the last
 * reference goes (console files hold one).
 */
struct noxs_guest {
	struct kref kref;
	domid_t domid;

	/* The following five are protected by noxs_guests_lock. */
	u64 created_ns;			/* registered, or named if a shell */
	char name[NOXS_NAME_SIZE];	/* empty for a shell not yet named */
	struct hlist_node name_node;	/* in the name hash once named */
	struct file *owner;		/* creating file until committed */
	bool registered;		/* findable by domid and name */
	struct list_head teardown_node;	/* private to a teardown in progress */

	struct page *dir_page;		/* the device directory, granted */
	grant_ref_t dir_gref;

	/* Set once, under noxs_guests_lock; torn down with the guest. */
	struct noxs_console *console;

	/* Protects devices, devices_closed and the directory's entries. */
	struct mutex devices_lock;
	struct list_head devices;
	bool devices_closed;		/* torn down: no new devices */
};

/*
 * A device backend: a module that serves one NOXS_DEV_* type. noxs owns
 * each device's control page, grant and event channel; the backend owns
 * what the page means. A device holds a reference on its backend's module.
 */
struct noxs_backend {
	u32 type;
	const char *name;
	struct module *owner;
	/*
	 * Fill the fresh (zeroed) control page, set dev->priv. May sleep.
	 * @params: NOXS_DEVICE_PARAMS_SIZE bytes from NOXS_IOCTL_DEVICE_ADD,
	 * unchecked, or NULL (NOXS_IOCTL_DEVICE_CREATE: no parameters).
	 */
	int (*init)(struct noxs_device *dev, const u8 *params);
	/* The frontend signalled. Interrupt context: true if it did work. */
	bool (*event)(struct noxs_device *dev);
	/*
	 * Write a NOXS_SYSCTL_REQ_* request and its argument to the page, or
	 * join the same request if it is still unanswered; its number in
	 * *@seq. noxs notifies the guest. NULL: the device is no sysctl.
	 * Must not sleep.
	 */
	int (*request)(struct noxs_device *dev, u32 request, u32 arg, u32 *seq);
	/* Request @seq: 0 accepted, -EREMOTEIO refused, -EINPROGRESS not yet. */
	int (*answer)(struct noxs_device *dev, u32 seq);
	/*
	 * Optional, sysctl only: write the NOXS_SETTINGS_* in @flags to the
	 * page (checked by the caller), their number in *@seq; noxs
	 * notifies the guest. Must not sleep.
	 */
	int (*settings)(struct noxs_device *dev, u32 flags, u32 vcpus,
			u32 target_kib, u32 *seq);
	/*
	 * Settings @seq, asked with @flags: 0 applied, -EINPROGRESS not yet,
	 * -EOPNOTSUPP if the connected frontend (or none) does not apply
	 * them all.
	 */
	int (*settled)(struct noxs_device *dev, u32 seq, u32 flags);
	/* Fill state, features and rejected. */
	void (*query)(struct noxs_device *dev,
		      struct noxs_ioctl_device_query *query);
	/* Optional: the hotplug step is done (NOXS_HOTPLUG_*). May sleep. */
	int (*hotplug)(struct noxs_device *dev, u32 status);
	/*
	 * Optional: the device was killed (its guest is going). Process
	 * context; the event channel is unbound, the page still there.
	 */
	void (*kill)(struct noxs_device *dev);
	/* Free dev->priv: the event channel is closed already. */
	void (*fini)(struct noxs_device *dev);
};

/*
 * A device lives while its guest lists it or a GUEST_CLOSE waits on it
 * (kref). Teardown kills it at once: marked dead, waiters woken, its port
 * unbound; the page, grant and backend state go with the last reference.
 */
struct noxs_device {
	struct kref kref;
	struct list_head node;		/* in guest->devices */
	struct noxs_guest *guest;	/* valid until the device is killed */
	const struct noxs_backend *backend;
	u32 type;
	u32 id;
	unsigned int dir_index;		/* its entry in the directory */
	struct page *page;		/* the control page, granted */
	void *page_addr;
	grant_ref_t gref;
	evtchn_port_t port;		/* ours, unbound until the guest binds */
	int irq;
	atomic64_t events;
	void *priv;			/* the backend's */

	/* Protects dead, and orders notifications before the port's unbind. */
	spinlock_t lock;
	bool dead;			/* killed: no requests, no notifications */
	wait_queue_head_t answer_wait;	/* GUEST_CLOSE waiters */
};

/* What the module holds, for NOXS_IOCTL_STATS and leak checks. */
struct noxs_counters {
	atomic_t guests;
	atomic_t grants;
	atomic_t mapped;
	atomic_t evtchns;
	atomic64_t console_bytes;
};

extern struct noxs_counters noxs_counters;

/* chardev.c */
int noxs_chardev_init(void);
void noxs_chardev_exit(void);

/* guest.c */
int noxs_guest_create(struct file *owner, domid_t domid, const char *name,
		      grant_ref_t *dir_gref);
int noxs_guest_name(struct file *owner, domid_t domid, const char *name);
int noxs_guest_rename(domid_t domid, const char *name);
int noxs_guest_commit(struct file *owner, domid_t domid);
int noxs_guest_destroy(domid_t domid);
struct noxs_guest *noxs_guest_get(domid_t domid);
struct noxs_guest *noxs_guest_get_by_name(const char *name);
void noxs_guest_put(struct noxs_guest *guest);
void noxs_guest_identity(struct noxs_guest *guest, char name[NOXS_NAME_SIZE],
			 u64 *created_ns);
int noxs_guest_set_console(struct noxs_guest *guest,
			   struct noxs_console *console);
void noxs_guests_release_file(struct file *owner);
struct noxs_dir_page *noxs_guest_dir(struct noxs_guest *guest);
void noxs_guests_destroy_all(void);

/* device.c */
int noxs_bind_port(evtchn_port_t port, irq_handler_t handler,
		   const char *name, void *dev_id);
void noxs_unbind_port(int irq, void *dev_id);
int noxs_register_backend(const struct noxs_backend *backend);
void noxs_unregister_backend(const struct noxs_backend *backend);
bool noxs_device_notify(struct noxs_device *dev);
void noxs_device_wake(struct noxs_device *dev);
int noxs_device_create(domid_t domid, u32 type, u32 id, const u8 *params);
int noxs_device_hotplug(domid_t domid, u32 type, u32 id, u32 status);
bool noxs_params_zero(const u8 *params, size_t from);
int noxs_device_destroy(domid_t domid, u32 type, u32 id);
int noxs_device_query(struct noxs_ioctl_device_query *query);
int noxs_guest_settings(domid_t domid, u32 flags, u32 vcpus, u32 target_kib,
			unsigned int timeout_ms);
int noxs_guest_request(domid_t domid, u32 request, u32 arg,
		       unsigned int timeout_ms);
void noxs_guest_devices_teardown(struct noxs_guest *guest);

/* console.c */
int noxs_console_attach(struct noxs_guest *guest, evtchn_port_t remote_port);
void noxs_console_detach(struct noxs_console *console);
void noxs_console_free(struct noxs_console *console);
int noxs_console_open(struct noxs_guest *guest);

#endif /* _NOXS_H */
