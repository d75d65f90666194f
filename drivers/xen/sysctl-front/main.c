// SPDX-License-Identifier: GPL-2.0
/*
 * sysctl-front - the guest end of the NoXS sysctl device: the relay that
 * makes dom0's control requests the stock kernel's own.
 *
 * dom0's requests arrive on the sysctl control page; this module
 * acknowledges each and writes it where the stock kernel's manage.c looks
 * for it, in the domain's local store (noxs-store): control/shutdown =
 * poweroff, reboot or suspend, control/sysrq = the key. manage.c then does
 * what it does under any toolstack. What the guest advertises is what its
 * kernel says it handles: control/feature-poweroff, -reboot and -suspend,
 * and a watch on control/sysrq.
 *
 * dom0's settings (version 3 of the page) are state: the number of vCPUs
 * to have online and the memory target. The relay writes the latest into
 * the store, cpu/N/availability and memory/target, when it connects and
 * whenever they change; the kernel's vCPU hotplug watch and its balloon
 * driver act on them. Each is advertised if the kernel watches it.
 *
 * Suspend: a save must find no page of dom0 mapped here, so the relay
 * disconnects (control page, channel, and noxs-front's directory) before
 * it passes the request on. On resume it connects again, to the
 * directory the locator names then: the same one after a cancelled
 * suspend, a new one after a restore. If the kernel does not suspend
 * after all, a timer connects it again.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/workqueue.h>
#include <xen/events.h>
#include <xen/xen.h>
#include <xen/xen-ops.h>

#include "../noxs-front/noxs-front.h"
#include "../noxs-store/noxs-store.h"

/* How long a suspend may take to begin before the relay comes back. */
#define SUSPEND_GRACE	(60 * HZ)

/*
 * The connection, under sysctl_mutex (process context): the mapped page,
 * its irq (-1 when disconnected), and the features last advertised.
 */
static DEFINE_MUTEX(sysctl_mutex);
static struct noxs_front_mapping sysctl_map;
static struct noxs_sysctl_page *sysctl_page;
static int sysctl_irq = -1;
static u32 sysctl_features;

/* Protects the fields below; taken in the interrupt. */
static DEFINE_SPINLOCK(sysctl_lock);
static u32 sysctl_last_seq;
static u32 sysctl_accepted;		/* features the interrupt may accept */
static u32 sysctl_pending;		/* NOXS_SYSCTL_REQ_* to pass on */
static u32 sysctl_pending_arg;

static struct workqueue_struct *sysctl_wq;

/*
 * The settings last written to the store, under sysctl_mutex: a key is
 * written again only when its value changes, as every write fires the
 * kernel's watch.
 */
static u32 sysctl_vcpus_written;
static u32 sysctl_target_written;

/* Is @path "1" in the local store? */
static bool sysctl_store_flag(const char *path)
{
	char value[4];

	return noxs_store_read(path, value, sizeof(value)) > 0 &&
	       !strcmp(value, "1");
}

/* What the kernel handles, as it told the store. */
static u32 sysctl_kernel_features(void)
{
	u32 features = 0;

	if (noxs_store_kernel_watches("control/shutdown")) {
		if (sysctl_store_flag("control/feature-poweroff"))
			features |= NOXS_SYSCTL_F_POWEROFF;
		if (sysctl_store_flag("control/feature-reboot"))
			features |= NOXS_SYSCTL_F_REBOOT;
		if (sysctl_store_flag("control/feature-suspend"))
			features |= NOXS_SYSCTL_F_SUSPEND;
	}
	if (noxs_store_kernel_watches("control/sysrq"))
		features |= NOXS_SYSCTL_F_SYSRQ;
	if (noxs_store_kernel_watches("cpu"))
		features |= NOXS_SYSCTL_F_VCPUS;
	if (noxs_store_kernel_watches("memory/target"))
		features |= NOXS_SYSCTL_F_TARGET;
	return features;
}

/* Under sysctl_mutex: tells dom0 what we handle now, if it changed. */
static void sysctl_front_advertise(bool force)
{
	u32 features = sysctl_kernel_features();
	unsigned long flags;

	if (sysctl_irq < 0 || (!force && features == sysctl_features))
		return;
	sysctl_features = features;
	spin_lock_irqsave(&sysctl_lock, flags);
	sysctl_accepted = features;
	spin_unlock_irqrestore(&sysctl_lock, flags);

	WRITE_ONCE(sysctl_page->fe_features, features);
	virt_wmb();
	WRITE_ONCE(sysctl_page->fe_state, NOXS_SYSCTL_FE_CONNECTED);
	notify_remote_via_irq(sysctl_irq);
}

static irqreturn_t sysctl_front_interrupt(int irq, void *dev_id);

/*
 * Under sysctl_mutex: vCPUs 0 to @vcpus - 1 online, the others offline.
 * vCPU 0 always stays: the kernel cannot take it away.
 */
static int sysctl_front_set_vcpus(u32 vcpus)
{
	char path[32];
	int cpu, err;

	for_each_possible_cpu(cpu) {
		snprintf(path, sizeof(path), "cpu/%d/availability", cpu);
		err = noxs_store_write(path, !cpu || cpu < vcpus ?
					     "online" : "offline");
		if (err)
			return err;
	}
	return 0;
}

/* Under sysctl_mutex: the target in KiB, as a toolstack writes it. */
static int sysctl_front_set_target(u32 target_kib)
{
	char value[16];

	snprintf(value, sizeof(value), "%u", target_kib);
	return noxs_store_write("memory/target", value);
}

/*
 * Under sysctl_mutex: applies the page's latest settings (those the
 * kernel handles, each only if it changed), then tells dom0 which
 * settings_seq that was.
 */
static void sysctl_front_apply_settings(void)
{
	u32 seq, vcpus, target_kib;
	int err = 0;

	if (sysctl_irq < 0)
		return;
	seq = READ_ONCE(sysctl_page->settings_seq);
	virt_rmb();	/* the number, then the settings it stands for */
	vcpus = READ_ONCE(sysctl_page->vcpus);
	target_kib = READ_ONCE(sysctl_page->target_kib);
	if (seq == READ_ONCE(sysctl_page->fe_settings_seq))
		return;

	if (vcpus && vcpus != sysctl_vcpus_written &&
	    (sysctl_features & NOXS_SYSCTL_F_VCPUS)) {
		err = sysctl_front_set_vcpus(vcpus);
		if (!err)
			sysctl_vcpus_written = vcpus;
	}
	if (!err && target_kib && target_kib != sysctl_target_written &&
	    (sysctl_features & NOXS_SYSCTL_F_TARGET)) {
		err = sysctl_front_set_target(target_kib);
		if (!err)
			sysctl_target_written = target_kib;
	}
	if (err) {
		pr_err("cannot apply dom0's settings %u: %d\n", seq, err);
		return;
	}
	pr_info("settings %u: %u vcpus, target %u KiB\n", seq, vcpus,
		target_kib);
	WRITE_ONCE(sysctl_page->fe_settings_seq, seq);
	notify_remote_via_irq(sysctl_irq);
}

static void sysctl_front_settings_changed(struct work_struct *work)
{
	mutex_lock(&sysctl_mutex);
	sysctl_front_apply_settings();
	mutex_unlock(&sysctl_mutex);
}

static DECLARE_WORK(sysctl_settings_work, sysctl_front_settings_changed);

/* Under sysctl_mutex: finds, maps and binds the sysctl device. */
static int sysctl_front_connect(void)
{
	struct noxs_dir_entry entry;
	int err, irq;

	err = noxs_front_find(NOXS_DEV_SYSCTL, 0, &entry);
	if (err) {
		pr_err("no sysctl device in the NoXS directory (%d)\n", err);
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

	/* Requests made before we came are not for us. */
	spin_lock_irq(&sysctl_lock);
	sysctl_last_seq = READ_ONCE(sysctl_page->request_seq);
	sysctl_pending = NOXS_SYSCTL_REQ_NONE;
	spin_unlock_irq(&sysctl_lock);
	sysctl_page->ack_seq = sysctl_last_seq;

	irq = noxs_front_bind(entry.backend_domid, entry.evtchn,
			      sysctl_front_interrupt, "noxs-sysctl", NULL);
	if (irq < 0) {
		err = irq;
		goto err_unmap;
	}
	sysctl_irq = irq;
	sysctl_front_advertise(true);
	pr_info("connected to domain %u: features %#x\n", entry.backend_domid,
		sysctl_features);
	/* A new page (after a restore) asks afresh: all written again. */
	sysctl_vcpus_written = sysctl_target_written = 0;
	sysctl_front_apply_settings();
	return 0;

err_unmap:
	noxs_front_unmap(&sysctl_map);
	sysctl_page = NULL;
	return err;
}

/* Under sysctl_mutex: dom0 hears we are gone; nothing of it stays mapped. */
static void sysctl_front_disconnect(void)
{
	if (sysctl_irq < 0)
		return;
	spin_lock_irq(&sysctl_lock);
	sysctl_accepted = 0;
	spin_unlock_irq(&sysctl_lock);
	WRITE_ONCE(sysctl_page->fe_state, NOXS_SYSCTL_FE_UNKNOWN);
	notify_remote_via_irq(sysctl_irq);
	unbind_from_irqhandler(sysctl_irq, NULL);
	sysctl_irq = -1;
	sysctl_features = 0;
	noxs_front_unmap(&sysctl_map);
	sysctl_page = NULL;
}

static void sysctl_front_reconnect(void)
{
	int err;

	mutex_lock(&sysctl_mutex);
	if (sysctl_irq < 0) {
		err = noxs_front_resume();
		if (!err)
			err = sysctl_front_connect();
		if (err)
			pr_err("cannot connect to dom0 again: %d\n", err);
	}
	mutex_unlock(&sysctl_mutex);
}

static void sysctl_front_resumed(struct work_struct *work)
{
	sysctl_front_reconnect();
}

static DECLARE_WORK(sysctl_resume_work, sysctl_front_resumed);
static DECLARE_DELAYED_WORK(sysctl_grace_work, sysctl_front_resumed);

/* Unmaps everything of dom0's, then lets manage.c suspend the domain. */
static void sysctl_front_suspend(void)
{
	int err;

	mutex_lock(&sysctl_mutex);
	sysctl_front_disconnect();
	noxs_front_suspend();
	mutex_unlock(&sysctl_mutex);

	queue_delayed_work(sysctl_wq, &sysctl_grace_work, SUSPEND_GRACE);
	err = noxs_store_write("control/shutdown", "suspend");
	if (err) {
		pr_err("cannot pass the suspend request on: %d\n", err);
		mod_delayed_work(sysctl_wq, &sysctl_grace_work, 0);
	}
}

/* Passes an accepted request on to the kernel, through the store. */
static void sysctl_front_act(struct work_struct *work)
{
	static const char *const shutdown[] = {
		[NOXS_SYSCTL_REQ_POWEROFF] = "poweroff",
		[NOXS_SYSCTL_REQ_REBOOT] = "reboot",
	};
	char key[2] = { 0 };
	u32 request;
	int err = 0;

	spin_lock_irq(&sysctl_lock);
	request = sysctl_pending;
	key[0] = sysctl_pending_arg;
	sysctl_pending = NOXS_SYSCTL_REQ_NONE;
	spin_unlock_irq(&sysctl_lock);

	switch (request) {
	case NOXS_SYSCTL_REQ_POWEROFF:
	case NOXS_SYSCTL_REQ_REBOOT:
		pr_info("dom0 asks for %s\n", shutdown[request]);
		err = noxs_store_write("control/shutdown", shutdown[request]);
		break;
	case NOXS_SYSCTL_REQ_SYSRQ:
		err = noxs_store_write("control/sysrq", key);
		break;
	case NOXS_SYSCTL_REQ_SUSPEND:
		pr_info("dom0 asks for suspend\n");
		sysctl_front_suspend();
		break;
	}
	if (err)
		pr_err("cannot pass request %u on: %d\n", request, err);
}

static DECLARE_WORK(sysctl_work, sysctl_front_act);

/* A sysrq key is printable ASCII, not a space (as dom0 promises). */
static bool sysctl_front_valid(u32 request, u32 arg)
{
	if (request == NOXS_SYSCTL_REQ_SYSRQ)
		return arg > ' ' && arg < 0x7f;
	return true;
}

static irqreturn_t sysctl_front_interrupt(int irq, void *dev_id)
{
	u32 seq, request, arg, status;
	unsigned long flags;

	if (READ_ONCE(sysctl_page->settings_seq) !=
	    READ_ONCE(sysctl_page->fe_settings_seq))
		queue_work(sysctl_wq, &sysctl_settings_work);

	seq = READ_ONCE(sysctl_page->request_seq);
	virt_rmb();	/* the number that made it new, then the request */
	request = READ_ONCE(sysctl_page->request);
	arg = READ_ONCE(sysctl_page->request_arg);

	spin_lock_irqsave(&sysctl_lock, flags);
	if (seq == sysctl_last_seq) {
		spin_unlock_irqrestore(&sysctl_lock, flags);
		return IRQ_HANDLED;
	}
	sysctl_last_seq = seq;
	status = request < 32 && ((1U << request) & sysctl_accepted) &&
		 sysctl_pending == NOXS_SYSCTL_REQ_NONE &&
		 sysctl_front_valid(request, arg) ?
		 NOXS_SYSCTL_ACCEPTED : NOXS_SYSCTL_REFUSED;
	if (status == NOXS_SYSCTL_ACCEPTED) {
		sysctl_pending = request;
		sysctl_pending_arg = arg;
	}
	spin_unlock_irqrestore(&sysctl_lock, flags);

	WRITE_ONCE(sysctl_page->ack_status, status);
	virt_wmb();
	WRITE_ONCE(sysctl_page->ack_seq, seq);
	notify_remote_via_irq(irq);

	if (status == NOXS_SYSCTL_ACCEPTED)
		queue_work(sysctl_wq, &sysctl_work);
	return IRQ_HANDLED;
}

/*
 * The kernel wrote under one of the paths its features come from, or began
 * to watch it: what it handles may have changed.
 */
static void sysctl_front_kernel_changed(struct noxs_store_watch *watch,
					const char *path)
{
	mutex_lock(&sysctl_mutex);
	sysctl_front_advertise(false);
	mutex_unlock(&sysctl_mutex);
}

/*
 * After a resume the kernel registers its watches again one by one (cpu
 * last), while we may have connected already: each path a feature comes
 * from is watched, so that none is advertised late, or never.
 */
static struct noxs_store_watch sysctl_kernel_watches[] = {
	{ .path = "control",		.changed = sysctl_front_kernel_changed },
	{ .path = "cpu",		.changed = sysctl_front_kernel_changed },
	{ .path = "memory/target",	.changed = sysctl_front_kernel_changed },
};

static void sysctl_front_unwatch(unsigned int count)
{
	while (count--)
		noxs_store_unwatch(&sysctl_kernel_watches[count]);
}

static int sysctl_front_watch(void)
{
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(sysctl_kernel_watches); i++) {
		err = noxs_store_watch(&sysctl_kernel_watches[i]);
		if (err) {
			sysctl_front_unwatch(i);
			return err;
		}
	}
	return 0;
}

/* After a resume, cancelled or not: connect again (from a work item). */
static int sysctl_front_resume(struct notifier_block *nb, unsigned long action,
			       void *data)
{
	cancel_delayed_work(&sysctl_grace_work);
	queue_work(sysctl_wq, &sysctl_resume_work);
	return NOTIFY_DONE;
}

static struct notifier_block sysctl_resume_nb = {
	.notifier_call = sysctl_front_resume,
};

static int __init sysctl_front_init(void)
{
	int err;

	if (!xen_pv_domain() || xen_initial_domain()) {
		pr_err("not running in a Xen PV guest, refusing to load\n");
		return -ENODEV;
	}

	/* Not frozen: a resume must be able to reconnect before thaw. */
	sysctl_wq = alloc_ordered_workqueue("noxs-sysctl", 0);
	if (!sysctl_wq)
		return -ENOMEM;

	mutex_lock(&sysctl_mutex);
	err = sysctl_front_connect();
	mutex_unlock(&sysctl_mutex);
	if (err)
		goto err_wq;

	err = sysctl_front_watch();
	if (err)
		goto err_disconnect;
	/* The kernel may have said what it handles before we watched. */
	sysctl_front_kernel_changed(NULL, NULL);
	xen_resume_notifier_register(&sysctl_resume_nb);
	return 0;

err_disconnect:
	mutex_lock(&sysctl_mutex);
	sysctl_front_disconnect();
	mutex_unlock(&sysctl_mutex);
err_wq:
	destroy_workqueue(sysctl_wq);
	return err;
}

static void __exit sysctl_front_exit(void)
{
	xen_resume_notifier_unregister(&sysctl_resume_nb);
	sysctl_front_unwatch(ARRAY_SIZE(sysctl_kernel_watches));
	cancel_delayed_work_sync(&sysctl_grace_work);
	cancel_work_sync(&sysctl_settings_work);
	mutex_lock(&sysctl_mutex);
	sysctl_front_disconnect();
	mutex_unlock(&sysctl_mutex);
	destroy_workqueue(sysctl_wq);
}

module_init(sysctl_front_init);
module_exit(sysctl_front_exit);

MODULE_DESCRIPTION("lightvm NoXS sysctl relay to the local store (guest)");
MODULE_LICENSE("GPL");
