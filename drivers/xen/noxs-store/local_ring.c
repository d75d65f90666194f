// SPDX-License-Identifier: GPL-2.0
/*
 * noxs-store - serves this domain's own XenStore ring, in its own kernel:
 * a guest's, or dom0's when no xenstored serves it.
 *
 * A PV domain that lvctl builds has XenStore event channel 0, so its
 * kernel runs xenbus in XS_LOCAL mode, and so does a dom0 that runs no
 * xenstored: it allocated a ring page
 * (xen_store_interface) and a local unbound port (xen_store_evtchn), and a
 * probe thread waits for the first event on it. This module binds the
 * other end of that port (EVTCHNOP_bind_interdomain to DOMID_SELF), and
 * its first notification starts xenbus: from then on the stock kernel's
 * xenbus users (manage.c's control/shutdown and control/sysrq, the
 * balloon, frontends and backends) talk to the store in this module. No
 * xenstored runs anywhere; what must cross to another domain goes over
 * NoXS devices, whose relays use noxs-store.h.
 *
 * The work runs on an ordered workqueue that is not frozen: a suspend
 * waits for the kernel's pending requests, which this module answers.
 *
 * Save and restore: the ring page's mfn goes into start_info->store_mfn,
 * where libxenguest finds it. After a restore (not after a cancelled
 * suspend, which keeps every channel), the resume notifier gives the
 * kernel a new local port, learns the new domid, moves the home, forgets
 * the kernel's watches (xs_resume registers them again), and a work item
 * binds this end again.
 *
 * In a dom0 where xenstored runs (it bound the store channel first), this
 * module serves nothing: other modules' calls go to xenstored instead
 * (xenstored.c), and the parameter served_by says so.
 *
 * Once xenbus has started, the kernel depends on this module: it has no
 * exit, and cannot be unloaded (beside xenstored neither: split-back holds
 * its watches through it).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <xen/events.h>
#include <xen/xen.h>
#include <xen/xen-ops.h>
#include <xen/xenbus.h>
#include <xen/interface/event_channel.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>
#include <asm/xen/page.h>

#include "store.h"

/* The kernel's enum xenstore_init lives in a private header. */
#define XSL_XS_LOCAL	3
extern int xen_store_domain_type;

unsigned int xsl_max_nodes = 4096;
module_param_named(max_nodes, xsl_max_nodes, uint, 0444);
MODULE_PARM_DESC(max_nodes, "Most nodes the store holds (default 4096)");

unsigned int xsl_max_watches = 256;
module_param_named(max_watches, xsl_max_watches, uint, 0444);
MODULE_PARM_DESC(max_watches, "Most watches the store keeps (default 256)");

unsigned long xsl_max_bytes = 1024 * 1024;
module_param_named(max_bytes, xsl_max_bytes, ulong, 0444);
MODULE_PARM_DESC(max_bytes, "Most bytes of values the store holds (default 1 MiB)");

static char *mode = "auto";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "auto (default): serve this domain's store, unless it is dom0's and xenstored serves it; local: serve it or fail; xenstored: use dom0's xenstored or fail");

/*
 * Set once at load, before anything is exported: dom0's store is
 * xenstored's, and noxs-store.h's calls go there (xenstored.c).
 */
static bool xsl_beside_xenstored;

static int xsl_served_by_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n",
			  xsl_beside_xenstored ? "xenstored" : "noxs-store");
}

static int xsl_served_by_set(const char *val, const struct kernel_param *kp)
{
	return -EPERM;
}

static const struct kernel_param_ops xsl_served_by_ops = {
	.get = xsl_served_by_get,
	.set = xsl_served_by_set,
};
module_param_cb(served_by, &xsl_served_by_ops, NULL, 0444);
MODULE_PARM_DESC(served_by, "Who serves this domain's store, as decided at load: noxs-store or xenstored (read only)");

static struct workqueue_struct *xsl_wq;

/*
 * The ring's state, under xsl.lock: our end of the channel, whether it is
 * bound (not between a restore and the rebind), and the request being read.
 */
static int xsl_irq = -1;
static evtchn_port_t xsl_port;
static bool xsl_serving;
static evtchn_port_t xsl_new_port;	/* to bind after a restore */
static struct {
	struct xsd_sockmsg hdr;
	char body[XENSTORE_PAYLOAD_MAX + 1];
} xsl_in;
static unsigned int xsl_in_len;		/* bytes of xsl_in read so far */
static unsigned int xsl_in_skip;	/* of a payload too long to take */

static void xsl_serve(struct work_struct *work);
static void xsl_recheck(struct work_struct *work);
static void xsl_rebind(struct work_struct *work);
static DECLARE_WORK(xsl_serve_work, xsl_serve);
static DECLARE_DELAYED_WORK(xsl_recheck_work, xsl_recheck);
static DECLARE_WORK(xsl_rebind_work, xsl_rebind);

/* Passes of xsl_recheck that found requests, under xsl.lock. */
static unsigned long xsl_found_late;
module_param_named(found_late, xsl_found_late, ulong, 0444);
MODULE_PARM_DESC(found_late, "Times the look a jiffy after a pass found requests waiting: unannounced ones, or ones whose event was still on its way (read only)");

static irqreturn_t xsl_interrupt(int irq, void *dev_id)
{
	queue_work(xsl_wq, &xsl_serve_work);
	return IRQ_HANDLED;
}

/* Something waits for the kernel: send it. */
void xsl_kick(void)
{
	queue_work(xsl_wq, &xsl_serve_work);
}

/* Moves waiting messages into the response ring; true if it moved any. */
static bool xsl_ring_write(struct xenstore_domain_interface *intf)
{
	XENSTORE_RING_IDX cons, prod = intf->rsp_prod;
	struct xsl_msg *msg;
	unsigned int n;
	bool wrote = false;

	cons = READ_ONCE(intf->rsp_cons);
	if (prod - cons > XENSTORE_RING_SIZE) {
		pr_err_ratelimited("the kernel's response index is corrupt (%u/%u)\n",
				   cons, prod);
		return false;
	}
	virt_mb();	/* the consumer index before the space it frees */

	while (!list_empty(&xsl.out) && prod - cons < XENSTORE_RING_SIZE) {
		msg = list_first_entry(&xsl.out, struct xsl_msg, list);
		n = min3(msg->len - msg->sent,
			 XENSTORE_RING_SIZE - (prod - cons),
			 XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(prod));
		memcpy(intf->rsp + MASK_XENSTORE_IDX(prod),
		       msg->data + msg->sent, n);
		prod += n;
		msg->sent += n;
		wrote = true;
		if (msg->sent == msg->len) {
			list_del(&msg->list);
			xsl.out_bytes -= msg->len;
			kfree(msg);
		}
	}
	virt_wmb();	/* the bytes before the index that shows them */
	WRITE_ONCE(intf->rsp_prod, prod);
	return wrote;
}

/* The header is in: a payload too long is skipped and refused. */
static bool xsl_header_ok(void)
{
	if (xsl_in.hdr.len <= XENSTORE_PAYLOAD_MAX)
		return true;
	xsl_reply_error(&xsl_in.hdr, -E2BIG);
	xsl_in_skip = xsl_in.hdr.len;
	xsl_in_len = 0;
	return false;
}

/*
 * Takes request bytes from the ring and handles each request once it is
 * whole, while there is room for replies. True if it consumed any.
 */
static bool xsl_ring_read(struct xenstore_domain_interface *intf)
{
	XENSTORE_RING_IDX cons = intf->req_cons, prod;
	unsigned int n, want;
	bool consumed = false;

	prod = READ_ONCE(intf->req_prod);
	if (prod - cons > XENSTORE_RING_SIZE) {
		pr_err_ratelimited("the kernel's request index is corrupt (%u/%u)\n",
				   cons, prod);
		return false;
	}
	virt_rmb();	/* the producer index before the bytes it shows */

	while (cons != prod && xsl.out_bytes < XSL_OUT_MAX) {
		if (xsl_in_len < sizeof(xsl_in.hdr))
			want = sizeof(xsl_in.hdr) - xsl_in_len;
		else
			want = sizeof(xsl_in.hdr) + xsl_in.hdr.len - xsl_in_len;
		if (xsl_in_skip)
			want = xsl_in_skip;
		n = min3(want, prod - cons,
			 XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(cons));
		if (!n)
			break;
		if (xsl_in_skip)
			xsl_in_skip -= n;
		else
			memcpy((char *)&xsl_in + xsl_in_len,
			       intf->req + MASK_XENSTORE_IDX(cons), n);
		cons += n;
		consumed = true;
		if (xsl_in_skip)
			continue;
		xsl_in_len += n;
		if (xsl_in_len == sizeof(xsl_in.hdr) && !xsl_header_ok())
			continue;
		if (xsl_in_len < sizeof(xsl_in.hdr) ||
		    xsl_in_len < sizeof(xsl_in.hdr) + xsl_in.hdr.len)
			continue;
		xsl_in.body[xsl_in.hdr.len] = '\0';
		xsl_handle(&xsl_in.hdr, xsl_in.body);
		xsl_in_len = 0;
	}
	virt_mb();	/* the bytes are read before the space is given back */
	WRITE_ONCE(intf->req_cons, cons);
	return consumed;
}

/* Calls internal watches that fired, without the lock. */
static void xsl_call_fired(struct list_head *fired)
{
	struct xsl_fired *f, *tmp;

	list_for_each_entry_safe(f, tmp, fired, list) {
		f->watch->changed(f->watch, f->path);
		list_del(&f->list);
		kfree(f);
	}
}

/*
 * Reads requests and writes replies until neither moves; true if anything
 * moved. @late: this is the recheck's pass, and requests it finds count.
 */
static bool xsl_serve_pass(bool late)
{
	struct xenstore_domain_interface *intf = xen_store_interface;
	bool progress, read, notify = false;
	LIST_HEAD(fired);
	int irq;

	mutex_lock(&xsl.lock);
	if (!xsl_serving) {
		mutex_unlock(&xsl.lock);
		return false;
	}
	do {
		read = xsl_ring_read(intf);
		progress = read | xsl_ring_write(intf);
		if (read && late) {
			xsl_found_late++;
			late = false;
		}
		notify |= progress;
	} while (progress);
	list_splice_init(&xsl.fired, &fired);
	irq = xsl_irq;
	mutex_unlock(&xsl.lock);

	if (notify)
		notify_remote_via_irq(irq);
	xsl_call_fired(&fired);
	return notify;
}

/*
 * The kernel's xenbus announces a request only when it sees that we had
 * consumed all before it, and it reads our consumer index right after
 * publishing its producer index, with no barrier between the two: a look
 * of ours at that moment can miss the new request while the kernel sees
 * our old index, and then neither side moves again (its caller waits for
 * the reply for good; a testbed run saw xenwatch hang so in xs_talkv). So
 * after each pass that moved anything, one more look a jiffy later, when
 * every store of the kernel's is long visible.
 */
static void xsl_serve(struct work_struct *work)
{
	if (xsl_serve_pass(false))
		queue_delayed_work(xsl_wq, &xsl_recheck_work, 1);
}

static void xsl_recheck(struct work_struct *work)
{
	if (xsl_serve_pass(true))
		queue_delayed_work(xsl_wq, &xsl_recheck_work, 1);
}

static int xsl_bind(evtchn_port_t kernel_port, evtchn_port_t *port)
{
	struct evtchn_bind_interdomain bind = {
		.remote_dom = DOMID_SELF,
		.remote_port = kernel_port,
	};
	int err;

	err = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &bind);
	if (!err)
		*port = bind.local_port;
	return err;
}

/* Our end gets an irq; IRQF_NO_SUSPEND: it must keep working into a suspend. */
static int xsl_bind_irq(evtchn_port_t port)
{
	return bind_evtchn_to_irqhandler(port, xsl_interrupt, IRQF_NO_SUSPEND,
					 "noxs-store", NULL);
}

/* After a restore: our old irq lost its channel; bind the new one. */
static void xsl_rebind(struct work_struct *work)
{
	struct evtchn_close close;
	int irq;

	mutex_lock(&xsl.lock);
	if (xsl_irq >= 0)
		unbind_from_irqhandler(xsl_irq, NULL);
	xsl_irq = -1;
	irq = xsl_bind_irq(xsl_new_port);
	if (irq < 0) {
		pr_err("cannot bind the store's channel after a restore: %d\n",
		       irq);
		close.port = xsl_new_port;
		HYPERVISOR_event_channel_op(EVTCHNOP_close, &close);
		mutex_unlock(&xsl.lock);
		return;
	}
	xsl_irq = irq;
	xsl_port = xsl_new_port;
	xsl_serving = true;
	mutex_unlock(&xsl.lock);
	pr_info("serving domain %u's store again\n", xsl.domid);
	xsl_kick();	/* xs_resume may have written already */
}

/* The port's status; -errno if Xen says nothing of it. */
static int xsl_port_status(evtchn_port_t port, struct evtchn_status *status)
{
	status->dom = DOMID_SELF;
	status->port = port;
	return HYPERVISOR_event_channel_op(EVTCHNOP_status, status);
}

/*
 * Runs after the domain came back from a suspend, before xs_resume(). A
 * cancelled suspend (a checkpoint, or a failed save) kept every channel;
 * a restore kept none, and the domain may have a new domid.
 */
static int xsl_resume(struct notifier_block *nb, unsigned long action,
		      void *data)
{
	struct evtchn_alloc_unbound alloc = {
		.dom = DOMID_SELF,
		.remote_dom = DOMID_SELF,
	};
	struct evtchn_status status;
	evtchn_port_t port;
	int err;

	if (!xsl_port_status(xen_store_evtchn, &status) &&
	    status.status == EVTCHNSTAT_interdomain &&
	    status.u.interdomain.port == xsl_port)
		return NOTIFY_DONE;

	err = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &alloc);
	if (!err)
		err = xsl_port_status(alloc.port, &status);
	if (!err)
		err = xsl_bind(alloc.port, &port);
	if (err) {
		pr_err("cannot give the kernel a store channel after a restore: %d\n",
		       err);
		return NOTIFY_DONE;
	}
	/* xs_resume() binds the kernel's end to it. */
	xen_store_evtchn = alloc.port;

	mutex_lock(&xsl.lock);
	xsl_serving = false;
	xsl_new_port = port;
	if (xsl_set_domid(status.u.unbound.dom))
		pr_err("cannot move the store's home to domain %u\n",
		       status.u.unbound.dom);
	xsl_watches_reset_kernel();
	xsl_transactions_reset();
	xsl_out_reset();
	xsl_in_len = 0;
	xsl_in_skip = 0;
	mutex_unlock(&xsl.lock);
	queue_work(xsl_wq, &xsl_rebind_work);
	return NOTIFY_DONE;
}

static struct notifier_block xsl_resume_nb = {
	.notifier_call = xsl_resume,
};

/* --- for other modules of this domain ----------------------------------------- */

/* Scratch for the functions below, under xsl.lock. */
static char xsl_api_path[XSL_PATH_MAX + 1];

static int xsl_api_path_of(const char *path)
{
	bool relative;

	return xsl_canonical(path, xsl_api_path, &relative);
}

/* Copies @path's value into @buf, NUL-terminated; returns its length. */
int noxs_store_read(const char *path, char *buf, size_t size)
{
	const char *value;
	unsigned int len;
	int err;

	if (xsl_beside_xenstored)
		return xsx_read(path, buf, size);
	mutex_lock(&xsl.lock);
	err = xsl_api_path_of(path);
	if (!err)
		err = xsl_read(xsl_api_path, &value, &len);
	if (!err && size) {
		memcpy(buf, value, min_t(size_t, len, size - 1));
		buf[min_t(size_t, len, size - 1)] = '\0';
	}
	mutex_unlock(&xsl.lock);
	return err ? err : len;
}
EXPORT_SYMBOL_GPL(noxs_store_read);

int noxs_store_write(const char *path, const char *value)
{
	int err;

	if (xsl_beside_xenstored)
		return xsx_write(path, value);
	mutex_lock(&xsl.lock);
	err = xsl_api_path_of(path);
	if (!err)
		err = xsl_write(xsl_api_path, value, strlen(value), false);
	mutex_unlock(&xsl.lock);
	xsl_kick();
	return err;
}
EXPORT_SYMBOL_GPL(noxs_store_write);

int noxs_store_remove(const char *path)
{
	int err;

	if (xsl_beside_xenstored)
		return xsx_remove(path);
	mutex_lock(&xsl.lock);
	err = xsl_api_path_of(path);
	if (!err)
		err = xsl_remove(xsl_api_path, false);
	mutex_unlock(&xsl.lock);
	xsl_kick();
	return err;
}
EXPORT_SYMBOL_GPL(noxs_store_remove);

/* This domain's id, as the store knows it (it changes with a restore). */
domid_t noxs_store_domid(void)
{
	domid_t domid;

	if (xsl_beside_xenstored)
		return 0;		/* only dom0 runs beside xenstored */
	mutex_lock(&xsl.lock);
	domid = xsl.domid;
	mutex_unlock(&xsl.lock);
	return domid;
}
EXPORT_SYMBOL_GPL(noxs_store_domid);

/* Scratch for noxs_store_prune(), under xsl.lock. */
static char xsl_api_keep[XSL_PATH_MAX + 1];

/* Removes @path and the ancestors it leaves empty, up to @keep. */
int noxs_store_prune(const char *path, const char *keep)
{
	bool relative;
	int err;

	if (xsl_beside_xenstored)
		return xsx_prune(path, keep);
	mutex_lock(&xsl.lock);
	err = xsl_api_path_of(path);
	if (!err)
		err = xsl_canonical(keep, xsl_api_keep, &relative);
	if (!err)
		err = xsl_prune(xsl_api_path, xsl_api_keep, false);
	mutex_unlock(&xsl.lock);
	xsl_kick();
	return err;
}
EXPORT_SYMBOL_GPL(noxs_store_prune);

int noxs_store_watch(struct noxs_store_watch *watch)
{
	int err;

	if (xsl_beside_xenstored)
		return xsx_watch(watch);
	mutex_lock(&xsl.lock);
	err = xsl_watch_add(watch->path, NULL, watch);
	mutex_unlock(&xsl.lock);
	return err;
}
EXPORT_SYMBOL_GPL(noxs_store_watch);

/* Not from a watch's own callback: it waits for callbacks to finish. */
void noxs_store_unwatch(struct noxs_store_watch *watch)
{
	if (xsl_beside_xenstored) {
		xsx_unwatch(watch);
		return;
	}
	mutex_lock(&xsl.lock);
	xsl_watch_remove(watch->path, NULL, watch);
	mutex_unlock(&xsl.lock);
	flush_workqueue(xsl_wq);
}
EXPORT_SYMBOL_GPL(noxs_store_unwatch);

/* Has the kernel a watch on exactly @path (a feature it acts on)? */
bool noxs_store_kernel_watches(const char *path)
{
	bool watched;

	if (xsl_beside_xenstored)
		return false;
	mutex_lock(&xsl.lock);
	watched = !xsl_api_path_of(path) && xsl_kernel_watches(xsl_api_path);
	mutex_unlock(&xsl.lock);
	return watched;
}
EXPORT_SYMBOL_GPL(noxs_store_kernel_watches);

/* --- the module ----------------------------------------------------------------- */

/*
 * What a toolstack writes for the kernel's vcpu hotplug watch: each vcpu
 * is online (else the kernel logs "Unable to read cpu state").
 */
static int xsl_cpus_online(void)
{
	char path[64];
	int cpu, err = 0;

	mutex_lock(&xsl.lock);
	for_each_possible_cpu(cpu) {
		snprintf(path, sizeof(path), "%s/cpu/%d/availability", xsl.home,
			 cpu);
		err = xsl_write(path, "online", strlen("online"), false);
		if (err)
			break;
	}
	mutex_unlock(&xsl.lock);
	return err;
}

/* Our domid, from the kernel's unbound store port; -EBUSY if it is bound. */
static int xsl_own_domid(domid_t *domid)
{
	struct evtchn_status status;
	int err;

	err = xsl_port_status(xen_store_evtchn, &status);
	if (err)
		return err;
	if (status.status != EVTCHNSTAT_unbound)
		return -EBUSY;
	*domid = status.u.unbound.dom;
	return 0;
}

/*
 * Serve this domain's store, or (dom0 only) go beside the xenstored that
 * serves it. xenstored binds the kernel's store channel when it starts:
 * bound, it is there. Decided once: a store the kernel has talked to
 * cannot change hands, so switching means a reboot (or, beside
 * xenstored, keeping it running).
 */
static int __init xsl_choose(domid_t *domid)
{
	bool local = !strcmp(mode, "local"), xs = !strcmp(mode, "xenstored");
	int err;

	if (!local && !xs && strcmp(mode, "auto")) {
		pr_err("mode=%s: expected auto, local or xenstored\n", mode);
		return -EINVAL;
	}
	err = xsl_own_domid(domid);
	if (err == -EBUSY && xen_initial_domain() && !local) {
		xsl_beside_xenstored = true;
		return 0;
	}
	if (err == -EBUSY) {
		pr_err("the kernel's store channel %d is bound already (xenstored?): nothing to serve%s\n",
		       xen_store_evtchn,
		       local ? " (mode=local: stop xenstored first)" : "");
		return err;
	}
	if (err)
		return err;
	if (xs) {
		pr_err("mode=xenstored, but no xenstored serves this domain's store\n");
		return -ENODEV;
	}
	if (xen_initial_domain() && READ_ONCE(xen_store_interface->rsp_prod)) {
		pr_err("a xenstored served dom0's store and is gone: start it again (the kernel's xenbus cannot change servers)\n");
		return -EBUSY;
	}
	return 0;
}

static int __init xsl_module_init(void)
{
	struct evtchn_close close;
	domid_t domid;
	int err, irq;

	if (!xen_pv_domain()) {
		pr_err("not running in a Xen PV domain, refusing to load\n");
		return -ENODEV;
	}
	if (xen_store_domain_type != XSL_XS_LOCAL || !xen_store_interface) {
		pr_err("this domain's store is served elsewhere: nothing to serve\n");
		return -ENODEV;
	}
	err = xsl_choose(&domid);
	if (err)
		return err;
	if (xsl_beside_xenstored) {
		pr_info("dom0's store is xenstored's: lightvm's backend nodes go there (mode=%s)\n",
			mode);
		return 0;
	}

	mutex_init(&xsl.lock);
	err = xsl_store_init(domid);
	if (err)
		return err;
	err = xsl_cpus_online();
	if (err)
		goto err_store;
	xsl_wq = alloc_ordered_workqueue("noxs-store", WQ_MEM_RECLAIM);
	if (!xsl_wq) {
		err = -ENOMEM;
		goto err_store;
	}
	err = xsl_bind(xen_store_evtchn, &xsl_port);
	if (err)
		goto err_wq;
	irq = xsl_bind_irq(xsl_port);
	if (irq < 0) {
		err = irq;
		goto err_close;
	}

	/* Where libxenguest's save finds the ring page, and restore puts it. */
	if (!xen_initial_domain()) {
		xen_start_info->store_mfn = virt_to_mfn(xen_store_interface);
		xen_resume_notifier_register(&xsl_resume_nb);
	}

	mutex_lock(&xsl.lock);
	xsl_irq = irq;
	xsl_serving = true;
	mutex_unlock(&xsl.lock);

	/* The first event wakes the kernel's xenbus probe thread. */
	notify_remote_via_irq(irq);
	pr_info("serving domain %u's store (xenbus starts now)\n", domid);
	return 0;

err_close:
	close.port = xsl_port;
	HYPERVISOR_event_channel_op(EVTCHNOP_close, &close);
err_wq:
	destroy_workqueue(xsl_wq);
err_store:
	xsl_store_fini();
	return err;
}

module_init(xsl_module_init);

MODULE_DESCRIPTION("lightvm local XenStore: serves the domain's own xenbus (guest, or dom0 without xenstored)");
MODULE_LICENSE("GPL");
