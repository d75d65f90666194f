// SPDX-License-Identifier: GPL-2.0
/*
 * sysctl-front - guest end of the NoXS sysctl device: acts on poweroff,
 * reboot and suspend requests from dom0, with no XenStore.
 *
 * It finds its device (NOXS_DEV_SYSCTL, id 0) in the directory noxs-front
 * mapped, maps the control page, binds the backend's event channel,
 * advertises what it handles, and answers each new request (acknowledge
 * first, then act, so that dom0 knows the guest heard it).
 *
 * Poweroff and reboot go through orderly_poweroff()/orderly_reboot(): the
 * guest's own init runs its shutdown. Suspend is not advertised: a stock
 * kernel exports nothing that can suspend a PV guest without XenStore
 * (see Documentation/design.md), so such a request is refused.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/reboot.h>
#include <linux/workqueue.h>
#include <xen/events.h>
#include <xen/xen.h>

#include "../noxs-front/noxs-front.h"

#define SYSCTL_FRONT_FEATURES (NOXS_SYSCTL_F_POWEROFF | NOXS_SYSCTL_F_REBOOT)

static struct noxs_front_mapping sysctl_map;
static struct noxs_sysctl_page *sysctl_page;
static int sysctl_irq = -1;

/* Protects last_seq and pending; taken in the interrupt. */
static DEFINE_SPINLOCK(sysctl_lock);
static u32 sysctl_last_seq;
static u32 sysctl_pending;	/* NOXS_SYSCTL_REQ_* to act on */

static void sysctl_front_act(struct work_struct *work)
{
	unsigned long flags;
	u32 request;

	spin_lock_irqsave(&sysctl_lock, flags);
	request = sysctl_pending;
	sysctl_pending = NOXS_SYSCTL_REQ_NONE;
	spin_unlock_irqrestore(&sysctl_lock, flags);

	switch (request) {
	case NOXS_SYSCTL_REQ_POWEROFF:
		pr_info("dom0 asks for poweroff\n");
		orderly_poweroff(false);
		break;
	case NOXS_SYSCTL_REQ_REBOOT:
		pr_info("dom0 asks for reboot\n");
		orderly_reboot();
		break;
	}
}

static DECLARE_WORK(sysctl_work, sysctl_front_act);

static irqreturn_t sysctl_front_interrupt(int irq, void *dev_id)
{
	u32 seq, request, status;
	unsigned long flags;

	seq = READ_ONCE(sysctl_page->request_seq);
	virt_rmb();	/* the number that made it new, then the request */
	request = READ_ONCE(sysctl_page->request);

	spin_lock_irqsave(&sysctl_lock, flags);
	if (seq == sysctl_last_seq) {
		spin_unlock_irqrestore(&sysctl_lock, flags);
		return IRQ_HANDLED;
	}
	sysctl_last_seq = seq;
	status = request < 32 && ((1U << request) & SYSCTL_FRONT_FEATURES) ?
		 NOXS_SYSCTL_ACCEPTED : NOXS_SYSCTL_REFUSED;
	if (status == NOXS_SYSCTL_ACCEPTED)
		sysctl_pending = request;
	spin_unlock_irqrestore(&sysctl_lock, flags);

	WRITE_ONCE(sysctl_page->ack_status, status);
	virt_wmb();
	WRITE_ONCE(sysctl_page->ack_seq, seq);
	notify_remote_via_irq(irq);

	if (status == NOXS_SYSCTL_ACCEPTED)
		schedule_work(&sysctl_work);
	return IRQ_HANDLED;
}

static int __init sysctl_front_init(void)
{
	struct noxs_dir_entry entry;
	int err;

	if (!xen_domain() || xen_initial_domain()) {
		pr_err("not running in a Xen guest (domU), refusing to load\n");
		return -ENODEV;
	}

	err = noxs_front_find(NOXS_DEV_SYSCTL, 0, &entry);
	if (err) {
		pr_err("no sysctl device in the NoXS directory\n");
		return err;
	}

	err = noxs_front_map(entry.backend_domid, entry.gref, false,
			     &sysctl_map);
	if (err)
		return err;
	sysctl_page = sysctl_map.addr;
	if (READ_ONCE(sysctl_page->magic) != NOXS_SYSCTL_MAGIC ||
	    READ_ONCE(sysctl_page->version) != NOXS_SYSCTL_VERSION) {
		pr_err("the control page is not a version %u sysctl page\n",
		       NOXS_SYSCTL_VERSION);
		err = -EINVAL;
		goto err_unmap;
	}

	/* Requests made before we came are not for this boot of ours. */
	sysctl_last_seq = READ_ONCE(sysctl_page->request_seq);
	sysctl_page->ack_seq = sysctl_last_seq;

	sysctl_irq = noxs_front_bind(entry.backend_domid, entry.evtchn,
				     sysctl_front_interrupt, "noxs-sysctl",
				     NULL);
	if (sysctl_irq < 0) {
		err = sysctl_irq;
		goto err_unmap;
	}

	WRITE_ONCE(sysctl_page->fe_features, SYSCTL_FRONT_FEATURES);
	virt_wmb();
	WRITE_ONCE(sysctl_page->fe_state, NOXS_SYSCTL_FE_CONNECTED);
	notify_remote_via_irq(sysctl_irq);
	pr_info("connected to domain %u: poweroff, reboot\n",
		entry.backend_domid);
	return 0;

err_unmap:
	noxs_front_unmap(&sysctl_map);
	return err;
}

static void __exit sysctl_front_exit(void)
{
	WRITE_ONCE(sysctl_page->fe_state, NOXS_SYSCTL_FE_UNKNOWN);
	notify_remote_via_irq(sysctl_irq);
	unbind_from_irqhandler(sysctl_irq, NULL);
	cancel_work_sync(&sysctl_work);
	noxs_front_unmap(&sysctl_map);
}

module_init(sysctl_front_init);
module_exit(sysctl_front_exit);

MODULE_DESCRIPTION("lightvm NoXS sysctl frontend (guest)");
MODULE_LICENSE("GPL");
