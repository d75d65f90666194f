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
 * The marker it prints is "lightvm-noop: up".
 */
#define __XEN_INTERFACE_VERSION__ 0x00040e00

#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/sched.h>
#include <xen/event_channel.h>
#include <xen/io/console.h>

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

void noop_main(start_info_t *si);

void noop_main(start_info_t *si)
{
	const char *cmdline = (const char *)si->cmd_line;

	console_write(si, "lightvm-noop: up\r\n");

	if (has_word(cmdline, "noop=block"))
		block_forever();
	if (has_word(cmdline, "noop=crash"))
		shutdown(SHUTDOWN_crash);
	shutdown(SHUTDOWN_poweroff);
	for (;;)
		;
}
