// SPDX-License-Identifier: GPL-2.0
/*
 * noop - the smallest useful PV guest: it writes one line on its console
 * and then powers off, or blocks forever without using the CPU, as its
 * command line says. lightvm uses it to measure the control plane: its own
 * boot costs next to nothing, so what a creation takes is the toolstack's.
 *
 * Command line words:
 *   noop=poweroff   (default) shut down with SHUTDOWN_poweroff
 *   noop=block      stay alive, blocked, until destroyed
 *   noop=crash      shut down with SHUTDOWN_crash (tests on_crash)
 *   noop=hostile    play a malicious NoXS frontend: map the sysctl control
 *                   page from the device directory, write garbage into it
 *                   and flood the backend's and the console's event
 *                   channels, print "lightvm-noop: hostile done", block
 * The marker it prints is "lightvm-noop: up".
 */
#define __XEN_INTERFACE_VERSION__ 0x00040e00

#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/sched.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/io/console.h>

/* The NoXS ABI: the directory and the sysctl page. */
#include <linux/types.h>
#include <xen/noxs_wire.h>

#define PAGE_SHIFT 12

extern char hypercall_page[];

static long hypercall2(unsigned int op, unsigned long a1, unsigned long a2)
{
	register unsigned long rdi asm("rdi") = a1;
	register unsigned long rsi asm("rsi") = a2;
	long ret;

	asm volatile("call *%[entry]"
		     : "=a"(ret), "+r"(rdi), "+r"(rsi)
		     : [entry] "r"(hypercall_page + op * 32)
		     : "memory", "rcx", "r11", "rdx", "r8", "r9", "r10");
	return ret;
}

static long hypercall3(unsigned int op, unsigned long a1, unsigned long a2,
		       unsigned long a3)
{
	register unsigned long rdi asm("rdi") = a1;
	register unsigned long rsi asm("rsi") = a2;
	register unsigned long rdx asm("rdx") = a3;
	long ret;

	asm volatile("call *%[entry]"
		     : "=a"(ret), "+r"(rdi), "+r"(rsi), "+r"(rdx)
		     : [entry] "r"(hypercall_page + op * 32)
		     : "memory", "rcx", "r11", "r8", "r9", "r10");
	return ret;
}

static long sched_op(unsigned int cmd, void *arg)
{
	return hypercall2(__HYPERVISOR_sched_op, cmd, (unsigned long)arg);
}

static long event_channel_op(unsigned int cmd, void *arg)
{
	return hypercall2(__HYPERVISOR_event_channel_op, cmd,
			  (unsigned long)arg);
}

/* The console page is in the boot mapping: find its pfn through the M2P. */
static struct xencons_interface *console_page(const start_info_t *si)
{
	const unsigned long *m2p = (const unsigned long *)HYPERVISOR_VIRT_START;

	return (struct xencons_interface *)(m2p[si->console.domU.mfn]
					    << PAGE_SHIFT);
}

static void console_write(const start_info_t *si, const char *s)
{
	struct xencons_interface *cons = console_page(si);
	evtchn_send_t send = { .port = si->console.domU.evtchn };
	XENCONS_RING_IDX prod = cons->out_prod;

	/* Our one line fits in an empty ring; if the ring is full, drop. */
	for (; *s; s++) {
		if (prod - cons->out_cons >= sizeof(cons->out))
			break;
		cons->out[MASK_XENCONS_IDX(prod, cons->out)] = *s;
		prod++;
	}
	__atomic_thread_fence(__ATOMIC_RELEASE);
	cons->out_prod = prod;
	event_channel_op(EVTCHNOP_send, &send);
}

/* Returns non-zero if @word appears in @cmdline as a whole word. */
static int has_word(const char *cmdline, const char *word)
{
	const char *p = cmdline;
	size_t i;

	while (*p) {
		while (*p == ' ')
			p++;
		for (i = 0; word[i] && p[i] == word[i]; i++)
			;
		if (!word[i] && (p[i] == ' ' || !p[i]))
			return 1;
		while (*p && *p != ' ')
			p++;
	}
	return 0;
}

static void shutdown(unsigned int reason)
{
	sched_shutdown_t arg = { .reason = reason };

	sched_op(SCHEDOP_shutdown, &arg);
}

/*
 * Blocks for good without enabling event delivery (we have no event
 * callback): poll a port that nobody else can signal.
 */
static void block_forever(void)
{
	evtchn_alloc_unbound_t alloc = {
		.dom = DOMID_SELF,
		.remote_dom = DOMID_SELF,
	};
	evtchn_port_t port;
	sched_poll_t poll = { .nr_ports = 1, .timeout = 0 };

	if (event_channel_op(EVTCHNOP_alloc_unbound, &alloc))
		shutdown(SHUTDOWN_crash);
	port = alloc.port;
	set_xen_guest_handle(poll.ports, &port);
	for (;;)
		sched_op(SCHEDOP_poll, &poll);
}

/* --- noop=hostile ------------------------------------------------------- */

#define HOSTILE_ROUNDS 20000

/* Where backend pages get mapped: our own pages, replaced by the grants. */
static char map_area[2][4096] __attribute__((aligned(4096)));

/* The locator noxs wrote at the end of our console page. */
static int find_directory(const start_info_t *si, unsigned int *backend,
			  unsigned int *gref)
{
	const struct noxs_locator *loc = (const void *)
		((const char *)console_page(si) + NOXS_LOCATOR_OFFSET);

	if (loc->magic != NOXS_LOCATOR_MAGIC ||
	    loc->version != NOXS_LOCATOR_VERSION)
		return -1;
	*backend = loc->backend_domid;
	*gref = loc->dir_gref;
	return 0;
}

static void *map_grant(unsigned int backend, unsigned int gref, int slot,
		       int readonly)
{
	gnttab_map_grant_ref_t op = {
		.host_addr = (unsigned long)map_area[slot],
		.flags = GNTMAP_host_map | (readonly ? GNTMAP_readonly : 0),
		.ref = gref,
		.dom = backend,
	};

	if (hypercall3(__HYPERVISOR_grant_table_op, GNTTABOP_map_grant_ref,
		       (unsigned long)&op, 1) || op.status != GNTST_okay)
		return NULL;
	return map_area[slot];
}

static void send_event(evtchn_port_t port)
{
	evtchn_send_t send = { .port = port };

	event_channel_op(EVTCHNOP_send, &send);
}

/*
 * Everything a frontend can do wrong, over and over: impossible states,
 * unknown features, acknowledgements of requests never made, unknown
 * statuses, each with an event; then a flood of empty events on the
 * console channel too.
 */
static const char *be_hostile(const start_info_t *si)
{
	const struct noxs_dir_page *dir;
	struct noxs_sysctl_page *page = NULL;
	evtchn_bind_interdomain_t bind;
	unsigned int backend, gref, i;

	if (find_directory(si, &backend, &gref))
		return "lightvm-noop: hostile: no NoXS locator in the console page\r\n";
	dir = map_grant(backend, gref, 0, 1);
	if (!dir || dir->magic != NOXS_DIR_MAGIC)
		return "lightvm-noop: hostile: cannot map the directory\r\n";

	for (i = 0; i < dir->nr_entries && i < NOXS_DIR_MAX_ENTRIES; i++) {
		if (dir->entries[i].type != NOXS_DEV_SYSCTL)
			continue;
		page = map_grant(backend, dir->entries[i].gref, 1, 0);
		bind.remote_dom = backend;
		bind.remote_port = dir->entries[i].evtchn;
		break;
	}
	if (!page || event_channel_op(EVTCHNOP_bind_interdomain, &bind))
		return "lightvm-noop: hostile: cannot reach the sysctl device\r\n";

	for (i = 0; i < HOSTILE_ROUNDS; i++) {
		switch (i % 4) {
		case 0:
			page->fe_state = 0xdead0000 + i;
			break;
		case 1:
			page->fe_state = NOXS_SYSCTL_FE_CONNECTED;
			page->fe_features = 0xffffffff;
			break;
		case 2:
			page->fe_features = 0;
			page->ack_seq = 0x80000000 + i;
			break;
		case 3:
			page->ack_seq = 0;
			page->ack_status = 7 + i;
			/* dom0's own half, too: it must never read it back. */
			page->request = i;
			page->request_seq = ~i;
			page->request_arg = 0xff;
			page->pad[0] = i;
			break;
		}
		send_event(bind.local_port);
	}
	page->ack_status = 0xffffffff;	/* leave it broken */
	for (i = 0; i < HOSTILE_ROUNDS; i++)
		send_event(si->console.domU.evtchn);
	return "lightvm-noop: hostile done\r\n";
}

void noop_main(start_info_t *si);

void noop_main(start_info_t *si)
{
	const char *cmdline = (const char *)si->cmd_line;

	console_write(si, "lightvm-noop: up\r\n");

	if (has_word(cmdline, "noop=hostile")) {
		console_write(si, be_hostile(si));
		block_forever();
	}
	if (has_word(cmdline, "noop=block"))
		block_forever();
	if (has_word(cmdline, "noop=crash"))
		shutdown(SHUTDOWN_crash);
	shutdown(SHUTDOWN_poweroff);
	for (;;)
		;
}
