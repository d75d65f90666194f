// SPDX-License-Identifier: GPL-2.0
/*
 * Console backend: drains each guest's PV console ring from the moment the
 * guest runs, so that no guest ever stalls on a full ring, and keeps its
 * recent output for `lvctl console`. This replaces xenconsoled, and needs
 * no XenStore: the domain builder seeds grant reference 0 of every PV guest
 * (GNTTAB_RESERVED_CONSOLE) with its console page for dom0, and hands us
 * the guest's end of the console event channel.
 *
 * The ring indices live in a page the guest writes: they are checked before
 * every use, and a guest that corrupts them loses its output, not dom0.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/fs.h>
#include <linux/interrupt.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/interface/event_channel.h>
#include <xen/interface/grant_table.h>
#include <xen/interface/io/console.h>
#include <asm/xen/hypercall.h>

#include "noxs.h"

static unsigned int console_history_kb = 64;
module_param(console_history_kb, uint, 0444);
MODULE_PARM_DESC(console_history_kb,
		 "Console output kept per guest, in KiB (4-1024, rounded up to a power of two; default 64)");

#define NOXS_CONSOLE_CHUNK	PAGE_SIZE	/* most one read() copies */

struct noxs_console {
	domid_t domid;

	/* Xen resources, held from attach to detach. */
	struct page *ring_page;		/* the guest's console page, mapped */
	struct xencons_interface *intf;
	grant_handle_t handle;
	int irq;

	/* Protects history, written and dead. Taken in the interrupt. */
	spinlock_t lock;
	char *history;
	size_t history_size;		/* a power of two */
	u64 written;			/* bytes ever drained: next byte's index */
	bool dead;			/* detached: readers get end of file */
	wait_queue_head_t wait;

	/*
	 * Serialises writers of the guest's input ring with each other and
	 * with detach, which clears intf under it.
	 */
	struct mutex input_lock;
};

/* One open console file. */
struct noxs_console_reader {
	struct noxs_guest *guest;	/* holds a reference */
	struct noxs_console *console;
	struct mutex read_lock;		/* one read() at a time: pos, chunk */
	u64 pos;			/* index of the next byte to read */
	char chunk[NOXS_CONSOLE_CHUNK];	/* read()'s bounce buffer */
};

/* Most one write() puts in the guest's 1 KiB input ring; on the stack. */
#define NOXS_CONSOLE_WRITE_MAX	256

static size_t noxs_console_history_size(void)
{
	unsigned int kb = clamp(console_history_kb, 4U, 1024U);

	return roundup_pow_of_two(kb) * SZ_1K;
}

/* Returns true if the ring had anything for us. */
static bool noxs_console_drain(struct noxs_console *cons)
{
	struct xencons_interface *intf = cons->intf;
	XENCONS_RING_IDX idx, prod;
	unsigned long flags;

	idx = READ_ONCE(intf->out_cons);
	prod = READ_ONCE(intf->out_prod);
	virt_rmb();	/* read the index before the bytes it covers */

	if (idx == prod)
		return false;

	if (prod - idx > sizeof(intf->out)) {
		/* Nonsense indices: drop what the guest claims to have sent. */
		pr_warn_ratelimited("domain %u: console ring indices corrupt (cons %u prod %u), output dropped\n",
				    cons->domid, idx, prod);
		WRITE_ONCE(intf->out_cons, prod);
		return true;
	}

	spin_lock_irqsave(&cons->lock, flags);
	for (; idx != prod; idx++) {
		cons->history[cons->written & (cons->history_size - 1)] =
			READ_ONCE(intf->out[MASK_XENCONS_IDX(idx, intf->out)]);
		cons->written++;
	}
	spin_unlock_irqrestore(&cons->lock, flags);

	virt_mb();	/* done with the bytes before giving their room back */
	WRITE_ONCE(intf->out_cons, idx);
	notify_remote_via_irq(cons->irq);
	wake_up_interruptible(&cons->wait);
	return true;
}

static irqreturn_t noxs_console_interrupt(int irq, void *dev_id)
{
	struct noxs_console *cons = dev_id;

	/* A spurious event lets the event core throttle a flooding guest. */
	xen_irq_lateeoi(irq, noxs_console_drain(cons) ?
			0 : XEN_EOI_FLAG_SPURIOUS);
	return IRQ_HANDLED;
}

static int noxs_console_map(struct noxs_console *cons)
{
	struct gnttab_map_grant_ref op;
	int err;

	err = gnttab_alloc_pages(1, &cons->ring_page);
	if (err)
		return err;

	gnttab_set_map_op(&op, (unsigned long)page_address(cons->ring_page),
			  GNTMAP_host_map, GNTTAB_RESERVED_CONSOLE, cons->domid);
	err = gnttab_map_refs(&op, NULL, &cons->ring_page, 1);
	if (!err && op.status != GNTST_okay) {
		/* Rate-limited: a caller can ask again and again. */
		pr_err_ratelimited("domain %u: cannot map its console page: grant status %d\n",
				   cons->domid, op.status);
		err = -EINVAL;
	}
	if (err) {
		gnttab_free_pages(1, &cons->ring_page);
		return err;
	}

	cons->handle = op.handle;
	cons->intf = page_address(cons->ring_page);
	atomic_inc(&noxs_counters.mapped);
	return 0;
}

static void noxs_console_unmap(struct noxs_console *cons)
{
	struct gnttab_unmap_grant_ref op;
	int err;

	gnttab_set_unmap_op(&op, (unsigned long)page_address(cons->ring_page),
			    GNTMAP_host_map, cons->handle);
	err = gnttab_unmap_refs(&op, NULL, &cons->ring_page, 1);
	if (err || op.status != GNTST_okay) {
		/* The page may still map the guest's: never reuse it. */
		pr_err("domain %u: cannot unmap its console page (%d/%d), leaking one page\n",
		       cons->domid, err, op.status);
	} else {
		gnttab_free_pages(1, &cons->ring_page);
	}
	cons->intf = NULL;
	atomic_dec(&noxs_counters.mapped);
}

static int noxs_console_bind(struct noxs_console *cons,
			     evtchn_port_t remote_port)
{
	struct evtchn_bind_interdomain bind = {
		.remote_dom = cons->domid,
		.remote_port = remote_port,
	};
	int err, irq;

	err = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &bind);
	if (err) {
		pr_err_ratelimited("domain %u: cannot bind its console event channel %u: %d\n",
				   cons->domid, remote_port, err);
		return err;
	}

	irq = noxs_bind_port(bind.local_port, noxs_console_interrupt,
			     "noxs-console", cons);
	if (irq < 0)
		return irq;
	cons->irq = irq;
	return 0;
}

static void noxs_console_unbind(struct noxs_console *cons)
{
	noxs_unbind_port(cons->irq, cons);
}

/*
 * Tells the guest where its directory is: the locator at the end of its
 * console page (noxs_wire.h), read at boot and after a restore.
 */
static void noxs_console_locate(struct noxs_console *cons,
				struct noxs_guest *guest)
{
	struct noxs_locator *loc = (void *)cons->intf + NOXS_LOCATOR_OFFSET;

	BUILD_BUG_ON(NOXS_LOCATOR_OFFSET < sizeof(struct xencons_interface));
	BUILD_BUG_ON(NOXS_LOCATOR_OFFSET + sizeof(*loc) > XEN_PAGE_SIZE);
	memset(loc, 0, sizeof(*loc));
	loc->backend_domid = 0;		/* noxs runs in dom0 */
	loc->dir_gref = guest->dir_gref;
	loc->version = NOXS_LOCATOR_VERSION;
	virt_wmb();	/* the fields before the magic that makes them valid */
	WRITE_ONCE(loc->magic, NOXS_LOCATOR_MAGIC);
}

int noxs_console_attach(struct noxs_guest *guest, evtchn_port_t remote_port)
{
	struct noxs_console *cons;
	int err;

	cons = kzalloc(sizeof(*cons), GFP_KERNEL);
	if (!cons)
		return -ENOMEM;
	cons->domid = guest->domid;
	spin_lock_init(&cons->lock);
	init_waitqueue_head(&cons->wait);
	mutex_init(&cons->input_lock);

	cons->history_size = noxs_console_history_size();
	cons->history = kvmalloc(cons->history_size, GFP_KERNEL);
	if (!cons->history) {
		err = -ENOMEM;
		goto err_free;
	}
	atomic64_add(cons->history_size, &noxs_counters.console_bytes);

	err = noxs_console_map(cons);
	if (err)
		goto err_free_history;
	noxs_console_locate(cons, guest);

	err = noxs_console_bind(cons, remote_port);
	if (err)
		goto err_unmap;

	err = noxs_guest_set_console(guest, cons);
	if (err)
		goto err_unbind;

	return 0;

err_unbind:
	noxs_console_unbind(cons);
err_unmap:
	noxs_console_unmap(cons);
err_free_history:
	atomic64_sub(cons->history_size, &noxs_counters.console_bytes);
	kvfree(cons->history);
err_free:
	kfree(cons);
	return err;
}

/* Gives the guest's page and event channel back; readers drain, then EOF. */
void noxs_console_detach(struct noxs_console *cons)
{
	unsigned long flags;

	/* A writer holds input_lock while it uses the page and the irq. */
	mutex_lock(&cons->input_lock);
	noxs_console_unbind(cons);
	noxs_console_unmap(cons);
	spin_lock_irqsave(&cons->lock, flags);
	cons->dead = true;
	spin_unlock_irqrestore(&cons->lock, flags);
	mutex_unlock(&cons->input_lock);

	wake_up_interruptible(&cons->wait);
}

/* Called when the guest record goes, after detach. */
void noxs_console_free(struct noxs_console *cons)
{
	atomic64_sub(cons->history_size, &noxs_counters.console_bytes);
	kvfree(cons->history);
	kfree(cons);
}

/*
 * Copies what the reader has not seen into its bounce buffer. Returns the
 * count, 0 at end of file, or -EAGAIN if nothing is there yet.
 */
static ssize_t noxs_console_fetch(struct noxs_console_reader *reader,
				  size_t len)
{
	struct noxs_console *cons = reader->console;
	size_t offset, count;
	unsigned long flags;
	ssize_t ret;

	spin_lock_irqsave(&cons->lock, flags);
	/* Output older than the history is gone: skip to the oldest kept. */
	if (cons->written - reader->pos > cons->history_size)
		reader->pos = cons->written - cons->history_size;

	if (reader->pos == cons->written) {
		ret = cons->dead ? 0 : -EAGAIN;
	} else {
		offset = reader->pos & (cons->history_size - 1);
		count = min_t(u64, cons->written - reader->pos,
			      cons->history_size - offset);
		count = min(count, min(len, sizeof(reader->chunk)));
		memcpy(reader->chunk, cons->history + offset, count);
		reader->pos += count;
		ret = count;
	}
	spin_unlock_irqrestore(&cons->lock, flags);
	return ret;
}

static bool noxs_console_readable(struct noxs_console_reader *reader)
{
	struct noxs_console *cons = reader->console;
	unsigned long flags;
	bool readable;

	spin_lock_irqsave(&cons->lock, flags);
	readable = reader->pos != cons->written || cons->dead;
	spin_unlock_irqrestore(&cons->lock, flags);
	return readable;
}

static ssize_t noxs_console_read(struct file *file, char __user *buf,
				 size_t len, loff_t *ppos)
{
	struct noxs_console_reader *reader = file->private_data;
	ssize_t count;
	int err;

	if (!len)
		return 0;

	for (;;) {
		mutex_lock(&reader->read_lock);
		count = noxs_console_fetch(reader, len);
		if (count != -EAGAIN)
			break;
		mutex_unlock(&reader->read_lock);
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(reader->console->wait,
					       noxs_console_readable(reader));
		if (err)
			return err;
	}

	if (count > 0 && copy_to_user(buf, reader->chunk, count))
		count = -EFAULT;
	mutex_unlock(&reader->read_lock);
	return count;
}

/* Feeds the guest's console input ring; returns what fitted. */
static ssize_t noxs_console_write(struct file *file, const char __user *buf,
				  size_t len, loff_t *ppos)
{
	struct noxs_console_reader *reader = file->private_data;
	struct noxs_console *cons = reader->console;
	char input[NOXS_CONSOLE_WRITE_MAX];
	struct xencons_interface *intf;
	XENCONS_RING_IDX cons_idx, prod;
	size_t room, count, i;
	ssize_t ret;

	len = min_t(size_t, len, NOXS_CONSOLE_WRITE_MAX);
	if (copy_from_user(input, buf, len))
		return -EFAULT;

	mutex_lock(&cons->input_lock);
	intf = cons->intf;
	if (!intf) {	/* detached */
		ret = -EPIPE;
		goto out;
	}

	cons_idx = READ_ONCE(intf->in_cons);
	prod = READ_ONCE(intf->in_prod);
	virt_mb();
	if (prod - cons_idx > sizeof(intf->in)) {
		ret = -EIO;	/* the guest corrupted its ring */
		goto out;
	}

	room = sizeof(intf->in) - (prod - cons_idx);
	count = min(len, room);
	if (!count) {
		ret = -EAGAIN;
		goto out;
	}
	for (i = 0; i < count; i++, prod++)
		intf->in[MASK_XENCONS_IDX(prod, intf->in)] = input[i];
	virt_wmb();	/* the bytes before the index that shows them */
	WRITE_ONCE(intf->in_prod, prod);
	notify_remote_via_irq(cons->irq);
	ret = count;
out:
	mutex_unlock(&cons->input_lock);
	return ret;
}

static __poll_t noxs_console_poll(struct file *file, poll_table *wait)
{
	struct noxs_console_reader *reader = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &reader->console->wait, wait);
	if (noxs_console_readable(reader))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (READ_ONCE(reader->console->dead))
		mask |= EPOLLHUP;
	else
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}

static int noxs_console_release(struct inode *inode, struct file *file)
{
	struct noxs_console_reader *reader = file->private_data;

	noxs_guest_put(reader->guest);
	kfree(reader);
	return 0;
}

static const struct file_operations noxs_console_fops = {
	.owner		= THIS_MODULE,
	.read		= noxs_console_read,
	.write		= noxs_console_write,
	.poll		= noxs_console_poll,
	.release	= noxs_console_release,
	.llseek		= no_llseek,
};

/* Returns a new console file of @guest, which keeps @guest referenced. */
int noxs_console_open(struct noxs_guest *guest)
{
	struct noxs_console_reader *reader;
	struct noxs_console *cons;
	unsigned long flags;
	int fd;

	cons = READ_ONCE(guest->console);
	if (!cons)
		return -ENODEV;

	reader = kzalloc(sizeof(*reader), GFP_KERNEL);
	if (!reader)
		return -ENOMEM;
	kref_get(&guest->kref);
	reader->guest = guest;
	reader->console = cons;
	mutex_init(&reader->read_lock);

	/* Start from the oldest output kept. */
	spin_lock_irqsave(&cons->lock, flags);
	reader->pos = cons->written > cons->history_size ?
		      cons->written - cons->history_size : 0;
	spin_unlock_irqrestore(&cons->lock, flags);

	fd = anon_inode_getfd("[noxs-console]", &noxs_console_fops, reader,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		noxs_guest_put(guest);
		kfree(reader);
	}
	return fd;
}
