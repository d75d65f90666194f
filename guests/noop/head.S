/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry point and Xen ELF notes of the noop guest.
 *
 * Xen's PV loader reads the notes to place the image (linked at virtual
 * address 0, no physical offset), fill in the hypercall page and jump to
 * _start with the start_info pointer in %rsi.
 */
#include <xen/elfnote.h>

#define ELFNOTE(type, desctype, descdata)		\
	.pushsection .note.Xen, "a", @note;		\
	.balign 4;					\
	.long 2f - 1f;					\
	.long 4f - 3f;					\
	.long type;					\
1:	.asciz "Xen";					\
2:	.balign 4;					\
3:	desctype descdata;				\
4:	.balign 4;					\
	.popsection

ELFNOTE(XEN_ELFNOTE_GUEST_OS, .asciz, "lightvm-noop")
ELFNOTE(XEN_ELFNOTE_XEN_VERSION, .asciz, "xen-3.0")
ELFNOTE(XEN_ELFNOTE_LOADER, .asciz, "generic")
ELFNOTE(XEN_ELFNOTE_VIRT_BASE, .quad, 0)
ELFNOTE(XEN_ELFNOTE_PADDR_OFFSET, .quad, 0)
ELFNOTE(XEN_ELFNOTE_ENTRY, .quad, _start)
ELFNOTE(XEN_ELFNOTE_HYPERCALL_PAGE, .quad, hypercall_page)

	.text
	.globl _start
_start:
	/* Xen's boot stack lies in the bootstrap area: use our own. */
	leaq	boot_stack_top(%rip), %rsp
	movq	%rsi, %rdi
	call	noop_main
	/* noop_main does not return; if it did, crash rather than run off. */
	ud2

	/* One page, filled in by Xen: hypercall N is at hypercall_page + 32*N. */
	.balign 4096
	.globl hypercall_page
hypercall_page:
	.fill 4096, 1, 0

	.bss
	.balign 16
boot_stack:
	.fill 8192, 1, 0
boot_stack_top:
