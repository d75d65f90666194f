// SPDX-License-Identifier: GPL-2.0
/*
 * sysctl-back - dom0 end of the NoXS sysctl device, which carries
 * poweroff, reboot, suspend and sysrq requests to guests without
 * XenStore, and their settings: online vCPUs and memory target.
 *
 * It plugs into noxs as the backend of NOXS_DEV_SYSCTL: noxs gives each
 * device its control page (struct noxs_sysctl_page) and event channel;
 * this module writes requests there and reads what the frontend answers.
 * The frontend is the guest, so nothing it writes is believed unchecked:
 * a bad value is counted, logged (rate-limited) and ignored.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <xen/xen.h>

#include "../noxs/noxs.h"

struct sysctl_back {
	/* Protects everything below. Taken in the event handler. */
	spinlock_t lock;
	u32 state;		/* NOXS_DEVICE_* */
	u32 features;		/* NOXS_SYSCTL_F_* the frontend advertised */
	u32 request;		/* our last request, NOXS_SYSCTL_REQ_* */
	u32 request_arg;	/* and its argument */
	u32 request_seq;	/* its number */
	u32 ack_seq;		/* the last request the frontend answered */
	u32 ack_status;
	u32 settings_seq;	/* the settings last written to the page */
	u32 fe_settings_seq;	/* the last the frontend applied */
	u64 rejected;		/* bad values from the frontend */
};

static int sysctl_back_init(struct noxs_device *dev, const u8 *params)
{
	struct noxs_sysctl_page *page = dev->page_addr;
	struct sysctl_back *sb;

	if (!noxs_params_zero(params, 0))
		return -EINVAL;	/* a sysctl device has no parameters */

	sb = kzalloc(sizeof(*sb), GFP_KERNEL);
	if (!sb)
		return -ENOMEM;
	spin_lock_init(&sb->lock);
	sb->state = NOXS_DEVICE_WAITING;

	page->magic = NOXS_SYSCTL_MAGIC;
	page->version = NOXS_SYSCTL_VERSION;
	dev->priv = sb;
	return 0;
}

static void sysctl_back_fini(struct noxs_device *dev)
{
	kfree(dev->priv);
}

/* Is @seq a request we sent, no older than the last one answered? */
static bool sysctl_back_valid_ack(struct sysctl_back *sb, u32 seq)
{
	return (s32)(seq - sb->ack_seq) >= 0 &&
	       (s32)(sb->request_seq - seq) >= 0;
}

/* Is @seq settings we wrote, no older than the last applied? */
static bool sysctl_back_valid_settled(struct sysctl_back *sb, u32 seq)
{
	return (s32)(seq - sb->fe_settings_seq) >= 0 &&
	       (s32)(sb->settings_seq - seq) >= 0;
}

static bool sysctl_back_event(struct noxs_device *dev)
{
	struct noxs_sysctl_page *page = dev->page_addr;
	struct sysctl_back *sb = dev->priv;
	u32 state, features, ack_seq, ack_status, settled;
	bool changed = false, bad;

	state = READ_ONCE(page->fe_state);
	features = READ_ONCE(page->fe_features);
	ack_seq = READ_ONCE(page->ack_seq);
	ack_status = READ_ONCE(page->ack_status);
	settled = READ_ONCE(page->fe_settings_seq);

	spin_lock(&sb->lock);
	bad = (state != NOXS_SYSCTL_FE_UNKNOWN &&
	       state != NOXS_SYSCTL_FE_CONNECTED) ||
	      (features & ~NOXS_SYSCTL_F_ALL) ||
	      !sysctl_back_valid_ack(sb, ack_seq) ||
	      (ack_status != NOXS_SYSCTL_ACCEPTED &&
	       ack_status != NOXS_SYSCTL_REFUSED) ||
	      !sysctl_back_valid_settled(sb, settled);
	if (bad) {
		sb->rejected++;
	} else {
		if (state == NOXS_SYSCTL_FE_CONNECTED &&
		    (sb->state != NOXS_DEVICE_CONNECTED ||
		     sb->features != features)) {
			sb->state = NOXS_DEVICE_CONNECTED;
			sb->features = features;
			changed = true;
		} else if (state == NOXS_SYSCTL_FE_UNKNOWN &&
			   sb->state == NOXS_DEVICE_CONNECTED) {
			/* The frontend went away (unloaded, or rebooting). */
			sb->state = NOXS_DEVICE_WAITING;
			sb->features = 0;
			changed = true;
		}
		if (ack_seq != sb->ack_seq) {
			sb->ack_seq = ack_seq;
			sb->ack_status = ack_status;
			changed = true;
		}
		if (settled != sb->fe_settings_seq) {
			sb->fe_settings_seq = settled;
			changed = true;
		}
	}
	spin_unlock(&sb->lock);

	if (bad)
		pr_warn_ratelimited("domain %u: rejected sysctl state %u features %#x ack %u/%u settings %u\n",
				    dev->guest->domid, state, features, ack_seq,
				    ack_status, settled);
	if (changed)
		noxs_device_wake(dev);
	return changed;
}

/*
 * Posts @reason, unless the same request is still unanswered: then a
 * repeated (restarted) GUEST_CLOSE waits for that one instead of sending
 * the guest another.
 */
static int sysctl_back_request(struct noxs_device *dev, u32 request, u32 arg,
			       u32 *seq)
{
	struct noxs_sysctl_page *page = dev->page_addr;
	struct sysctl_back *sb = dev->priv;
	unsigned long flags;
	int err = 0;

	spin_lock_irqsave(&sb->lock, flags);
	if (sb->state != NOXS_DEVICE_CONNECTED ||
	    !(sb->features & (1U << request))) {
		err = -EOPNOTSUPP;
	} else if (sb->request_seq != sb->ack_seq && sb->request == request &&
		   sb->request_arg == arg) {
		*seq = sb->request_seq;
	} else {
		*seq = ++sb->request_seq;
		sb->request = request;
		sb->request_arg = arg;
		WRITE_ONCE(page->request, request);
		WRITE_ONCE(page->request_arg, arg);
		virt_wmb();	/* the request before the number that makes it new */
		WRITE_ONCE(page->request_seq, *seq);
	}
	spin_unlock_irqrestore(&sb->lock, flags);
	return err;
}

static int sysctl_back_answer(struct noxs_device *dev, u32 seq)
{
	struct sysctl_back *sb = dev->priv;
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&sb->lock, flags);
	if ((s32)(sb->ack_seq - seq) < 0)
		ret = -EINPROGRESS;
	else if (sb->ack_seq == seq && sb->ack_status == NOXS_SYSCTL_REFUSED)
		ret = -EREMOTEIO;
	else
		ret = 0;	/* accepted, or a later request was answered */
	spin_unlock_irqrestore(&sb->lock, flags);
	return ret;
}

/*
 * Writes the settings in @flags. They are state: written whether or not a
 * frontend is connected, for the one that connects next.
 */
static int sysctl_back_settings(struct noxs_device *dev, u32 flags, u32 vcpus,
				u32 target_kib, u32 *seq)
{
	struct noxs_sysctl_page *page = dev->page_addr;
	struct sysctl_back *sb = dev->priv;
	unsigned long irqflags;

	spin_lock_irqsave(&sb->lock, irqflags);
	if (flags & NOXS_SETTINGS_VCPUS)
		WRITE_ONCE(page->vcpus, vcpus);
	if (flags & NOXS_SETTINGS_TARGET)
		WRITE_ONCE(page->target_kib, target_kib);
	*seq = ++sb->settings_seq;
	virt_wmb();	/* the settings before the number that makes them new */
	WRITE_ONCE(page->settings_seq, *seq);
	spin_unlock_irqrestore(&sb->lock, irqflags);
	return 0;
}

/* The frontend features that apply the settings in @flags. */
static u32 sysctl_back_settings_features(u32 flags)
{
	return (flags & NOXS_SETTINGS_VCPUS ? NOXS_SYSCTL_F_VCPUS : 0) |
	       (flags & NOXS_SETTINGS_TARGET ? NOXS_SYSCTL_F_TARGET : 0);
}

static int sysctl_back_settled(struct noxs_device *dev, u32 seq, u32 flags)
{
	u32 needed = sysctl_back_settings_features(flags);
	struct sysctl_back *sb = dev->priv;
	unsigned long irqflags;
	int ret;

	spin_lock_irqsave(&sb->lock, irqflags);
	if (sb->state != NOXS_DEVICE_CONNECTED ||
	    (sb->features & needed) != needed)
		ret = -EOPNOTSUPP;
	else if ((s32)(sb->fe_settings_seq - seq) < 0)
		ret = -EINPROGRESS;
	else
		ret = 0;
	spin_unlock_irqrestore(&sb->lock, irqflags);
	return ret;
}

static void sysctl_back_query(struct noxs_device *dev,
			      struct noxs_ioctl_device_query *query)
{
	struct sysctl_back *sb = dev->priv;
	unsigned long flags;

	spin_lock_irqsave(&sb->lock, flags);
	query->state = sb->state;
	query->features = sb->features;
	query->rejected = sb->rejected;
	spin_unlock_irqrestore(&sb->lock, flags);
}

static const struct noxs_backend sysctl_backend = {
	.type	= NOXS_DEV_SYSCTL,
	.name	= "noxs-sysctl",
	.owner	= THIS_MODULE,
	.init	= sysctl_back_init,
	.event	= sysctl_back_event,
	.request = sysctl_back_request,
	.answer	= sysctl_back_answer,
	.settings = sysctl_back_settings,
	.settled = sysctl_back_settled,
	.query	= sysctl_back_query,
	.fini	= sysctl_back_fini,
};

static int __init sysctl_back_module_init(void)
{
	if (!xen_initial_domain()) {
		pr_err("not running in a Xen dom0, refusing to load\n");
		return -ENODEV;
	}

	return noxs_register_backend(&sysctl_backend);
}

static void __exit sysctl_back_module_exit(void)
{
	noxs_unregister_backend(&sysctl_backend);
}

module_init(sysctl_back_module_init);
module_exit(sysctl_back_module_exit);

MODULE_DESCRIPTION("lightvm NoXS sysctl backend (dom0)");
MODULE_LICENSE("GPL");
