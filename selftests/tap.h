/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tap.h - a small TAP (Test Anything Protocol) producer for lightvm's
 * selftests, in the spirit of tools/testing/selftests/kselftest.h.
 *
 * A test declares its plan, reports each check with tap_ok() or
 * tap_skip(), and returns tap_done(), which is non-zero if any check
 * failed or the number run differs from the plan.
 */
#ifndef LIGHTVM_TAP_H
#define LIGHTVM_TAP_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct tap_state {
	int planned;
	int run;
	int failed;
};

static struct tap_state tap;

static inline void tap_plan(int count)
{
	tap.planned = count;
	printf("1..%d\n", count);
	fflush(stdout);
}

static inline void tap_diag(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static inline void tap_vresult(int pass, const char *directive,
			       const char *fmt, va_list ap)
{
	tap.run++;
	if (!pass)
		tap.failed++;
	printf("%sok %d - ", pass ? "" : "not ", tap.run);
	vprintf(fmt, ap);
	if (directive)
		printf(" # %s", directive);
	printf("\n");
	fflush(stdout);
}

/* Returns @pass, so that a caller can stop after a failed precondition. */
static inline int tap_ok(int pass, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline int tap_ok(int pass, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vresult(pass, NULL, fmt, ap);
	va_end(ap);
	return pass;
}

static inline void tap_skip(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static inline void tap_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vresult(1, "SKIP", fmt, ap);
	va_end(ap);
}

/*
 * Checks that a call failed with the expected errno; says what happened
 * instead when it did not.
 */
static inline int tap_errno(long ret, int err, int expected, const char *what)
{
	if (ret >= 0)
		return tap_ok(0, "%s: succeeded, expected %s", what,
			      strerror(expected));
	if (err != expected)
		return tap_ok(0, "%s: got %s, expected %s", what, strerror(err),
			      strerror(expected));
	return tap_ok(1, "%s fails with %s", what, strerror(expected));
}

static inline int tap_done(void)
{
	if (tap.run != tap.planned) {
		tap_diag("planned %d checks but ran %d", tap.planned, tap.run);
		return 1;
	}
	return tap.failed ? 1 : 0;
}

#endif /* LIGHTVM_TAP_H */
