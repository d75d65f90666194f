/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kshim.h - just enough of the kernel's interfaces to build noxs-store's
 * tree and protocol code (drivers/xen/noxs-store/store.c, protocol.c) on
 * the host, for unit tests and fuzzing under the sanitizers. Not a kernel:
 * allocation is malloc, locks are nothing, the log is stderr.
 *
 * Included first (-include); the kernel's headers those files name are
 * empty files the Makefile makes.
 */
#ifndef KSHIM_H
#define KSHIM_H

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef uint16_t domid_t;
typedef uint8_t __u8;
typedef uint32_t __u32;

#define DOMID_FIRST_RESERVED	0x7FF0U
#define GFP_KERNEL		0
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define struct_size(p, member, n) \
	(sizeof(*(p)) + sizeof((p)->member[0]) * (size_t)(n))
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

struct mutex { int unused; };

static inline void *kmalloc(size_t n, int gfp) { (void)gfp; return malloc(n); }
static inline void *kzalloc(size_t n, int gfp) { (void)gfp; return calloc(1, n); }
static inline void kfree(const void *p) { free((void *)p); }
static inline char *kstrdup(const char *s, int gfp) { (void)gfp; return strdup(s); }
static inline void *kmemdup(const void *p, size_t n, int gfp)
{
	void *q = malloc(n);

	(void)gfp;
	return q ? memcpy(q, p, n) : NULL;
}

static inline __attribute__((format(printf, 2, 3)))
char *kasprintf(int gfp, const char *fmt, ...)
{
	va_list ap;
	char *s;

	(void)gfp;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static inline __attribute__((format(printf, 3, 4)))
int scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0)
		return 0;
	return (size_t)n >= size ? (int)size - 1 : n;
}

static inline int kstrtoul(const char *s, unsigned int base, unsigned long *v)
{
	char *end;

	if (!*s || isspace((unsigned char)*s) || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	*v = strtoul(s, &end, base);
	return errno || *end ? -EINVAL : 0;
}

static inline int kstrtouint(const char *s, unsigned int base, unsigned int *v)
{
	unsigned long l;
	int err = kstrtoul(s, base, &l);

	if (!err && l > 0xffffffffUL)
		return -ERANGE;
	*v = l;
	return err;
}

#define pr_warn_ratelimited(fmt, ...)	((void)0)

/* What relay.c uses: one thread, so plain accesses and no barriers. */
#define U32_MAX			0xffffffffU
#define U64_MAX			0xffffffffffffffffULL
#define READ_ONCE(x)		(*(volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile __typeof__(x) *)&(x) = (v))
#define virt_rmb()		__sync_synchronize()
#define virt_wmb()		__sync_synchronize()
#define EXPORT_SYMBOL_GPL(sym)
static inline int hex_to_bin(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* list.h, the part noxs-store uses */
struct list_head { struct list_head *next, *prev; };

static inline void INIT_LIST_HEAD(struct list_head *h) { h->next = h->prev = h; }
static inline bool list_empty(const struct list_head *h) { return h->next == h; }
static inline void __list_add(struct list_head *n, struct list_head *prev,
			      struct list_head *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}
static inline void list_add_tail(struct list_head *n, struct list_head *h)
{
	__list_add(n, h->prev, h);
}
static inline void list_del(struct list_head *e)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
	e->next = e->prev = NULL;
}
static inline void list_replace(struct list_head *old, struct list_head *n)
{
	n->next = old->next;
	n->next->prev = n;
	n->prev = old->prev;
	n->prev->next = n;
}
static inline void list_splice_init(struct list_head *list,
				    struct list_head *head)
{
	if (list_empty(list))
		return;
	list->next->prev = head;
	list->prev->next = head->next;
	head->next->prev = list->prev;
	head->next = list->next;
	INIT_LIST_HEAD(list);
}
#define list_entry(ptr, type, member)	container_of(ptr, type, member)
#define list_first_entry(ptr, type, member) list_entry((ptr)->next, type, member)
#define list_next_entry(pos, member) \
	list_entry((pos)->member.next, __typeof__(*(pos)), member)
#define list_for_each_entry(pos, head, member)				\
	for (pos = list_first_entry(head, __typeof__(*pos), member);	\
	     &pos->member != (head); pos = list_next_entry(pos, member))
#define list_for_each_entry_safe(pos, n, head, member)			\
	for (pos = list_first_entry(head, __typeof__(*pos), member),	\
	     n = list_next_entry(pos, member); &pos->member != (head);	\
	     pos = n, n = list_next_entry(n, member))

#endif /* KSHIM_H */
