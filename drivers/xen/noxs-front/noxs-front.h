/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What noxs-front offers the guest's device frontends (sysctl-front, ...).
 */
#ifndef _NOXS_FRONT_H
#define _NOXS_FRONT_H

#include <linux/interrupt.h>
#include <linux/list.h>
#include <xen/grant_table.h>
#include <uapi/xen/noxs_wire.h>

/* A page of the backend's, mapped into this guest. */
struct noxs_front_mapping {
	struct page *page;
	grant_handle_t handle;
	bool readonly;
	void *addr;
};

/*
 * A frontend with pages of the backend mapped: noxs_front_suspend() has it
 * give them all back first, noxs_front_resume() tells it the directory is
 * there again (after a restore, a new one). Both may sleep and may call
 * noxs_front_find().
 */
struct noxs_front_client {
	void (*suspend)(void);
	void (*resume)(void);
	struct list_head node;	/* noxs-front's */
};

void noxs_front_register(struct noxs_front_client *client);
void noxs_front_unregister(struct noxs_front_client *client);
int noxs_front_find(u32 type, u32 id, struct noxs_dir_entry *entry);
int noxs_front_ids(u32 type, u32 *ids, unsigned int max);
int noxs_front_map(domid_t backend, grant_ref_t gref, bool readonly,
		   struct noxs_front_mapping *map);
void noxs_front_unmap(struct noxs_front_mapping *map);
int noxs_front_bind(domid_t backend, evtchn_port_t remote_port,
		    irq_handler_t handler, const char *name, void *dev_id);
void noxs_front_suspend(void);
int noxs_front_resume(void);

#endif /* _NOXS_FRONT_H */
