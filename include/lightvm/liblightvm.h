/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * liblightvm - a client of the lightvm daemon's API (lightvm_api.h).
 *
 * One struct lightvm is one connection to the daemon. Calls on it are
 * synchronous unless named _send/_wait; a handle is for one thread at a
 * time. Every call returns 0 or a negative errno value; after a failure
 * lightvm_error() says why in one line (the daemon's words when it
 * refused). Every request carries a deadline (lightvm_set_timeout()); a
 * call never waits much past it.
 *
 * Link with `pkg-config --libs liblightvm` (-llightvm).
 */
#ifndef LIBLIGHTVM_H
#define LIBLIGHTVM_H

#include <stddef.h>
#include <stdint.h>

#include <lightvm/lightvm_api.h>

#ifdef __cplusplus
extern "C" {
#endif

struct lightvm;

/*
 * Connects to the daemon at @path (NULL: LIGHTVM_API_SOCKET). Returns the
 * handle, or NULL with errno set (ENOENT or ECONNREFUSED: no daemon
 * listens) and, if @error is given, why in @error.
 */
struct lightvm *lightvm_connect(const char *path, char *error,
				size_t error_size);
void lightvm_close(struct lightvm *lv);

/* The socket, to poll() for events; readable when one may have come. */
int lightvm_fd(const struct lightvm *lv);

/* Each request's deadline from now, in ms (default 10000). */
int lightvm_set_timeout(struct lightvm *lv, unsigned int ms);

/* The last failure on @lv, in one line. */
const char *lightvm_error(const struct lightvm *lv);

/*
 * A guest from xl.cfg-style text (@len bytes; file names absolute).
 * @flags: LIGHTVM_CREATE_*. The guest is taken (acknowledged) before the
 * call returns 0; if this process dies before that, the daemon destroys
 * it.
 */
int lightvm_create(struct lightvm *lv, const char *config, size_t len,
		   uint32_t flags, struct lightvm_create_reply *out);

/*
 * A guest @name from template @template (lightvm_template_set()), with
 * @cmdline (NULL: the template's own). The fast path: the template's
 * shells have the kernel loaded and the image built.
 */
int lightvm_create_template(struct lightvm *lv, const char *template,
			    const char *name, const char *cmdline,
			    uint32_t flags, struct lightvm_create_reply *out);

/*
 * The same, pipelined: send any number of creates, then wait for each by
 * its id, in any order.
 */
int lightvm_create_send(struct lightvm *lv, const char *config, size_t len,
			uint32_t flags, uint64_t *request_id);
int lightvm_create_template_send(struct lightvm *lv, const char *template,
				 const char *name, const char *cmdline,
				 uint32_t flags, uint64_t *request_id);
int lightvm_create_wait(struct lightvm *lv, uint64_t request_id,
			struct lightvm_create_reply *out);

/* The guest is named by @name, or by @domid when @name is NULL or "". */
int lightvm_destroy(struct lightvm *lv, uint32_t domid, const char *name);

/*
 * Asks a guest to power off or reboot (@reason: LIGHTVM_SHUTDOWN_*).
 * With LIGHTVM_SHUTDOWN_WAIT in @flags, returns when it is gone or back;
 * *@domid_after (may be NULL) then gets a rebooted guest's new domid.
 */
int lightvm_shutdown(struct lightvm *lv, uint32_t domid, const char *name,
		     uint32_t reason, uint32_t flags, uint32_t *domid_after);

int lightvm_info(struct lightvm *lv, uint32_t domid, const char *name,
		 struct lightvm_guest_info *out);

/* Every lightvm guest, by domid, in *@guests (free() it); *@nr of them. */
int lightvm_list(struct lightvm *lv, struct lightvm_guest_info **guests,
		 size_t *nr);

/* The pool: at most @max_sizes sizes and @max_templates templates. */
int lightvm_pool_list(struct lightvm *lv, struct lightvm_pool_size *sizes,
		      unsigned int max_sizes, unsigned int *nr_sizes,
		      struct lightvm_pool_template *templates,
		      unsigned int max_templates, unsigned int *nr_templates);
/* Keep @target shells of a size ready (0 drops the size). */
int lightvm_pool_set(struct lightvm *lv, uint32_t memory_mb, uint32_t vcpus,
		     uint32_t target);
/*
 * Keep @target shells of template @name ready; @config (@len bytes,
 * xl.cfg text whose name is @name) defines or redefines it, NULL only
 * changes the target. 0 drops the template.
 */
int lightvm_template_set(struct lightvm *lv, const char *name,
			 const char *config, size_t len, uint32_t target);

/* Events of the types in @mask (LIGHTVM_EVENT_MASK()s; 0 stops them). */
int lightvm_subscribe(struct lightvm *lv, uint32_t mask);

/*
 * The next event, waiting up to @timeout_ms (-1: for ever). Returns 0,
 * -ETIMEDOUT if none came, or another negative errno value.
 */
int lightvm_next_event(struct lightvm *lv, struct lightvm_event *event,
		       int timeout_ms);

#ifdef __cplusplus
}
#endif

#endif /* LIBLIGHTVM_H */
