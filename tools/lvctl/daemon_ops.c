// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's API ops, one handler each, and the table that says what
 * each op's message must look like (Documentation/api.md). A request
 * reaches its handler only once its header, size and flags are checked,
 * and its body's padding and strings (check_*()).
 *
 * A SHUTDOWN with LIGHTVM_SHUTDOWN_WAIT is answered later: it leaves a
 * wait, which daemon_waits_check() ends when the guest is gone (or back,
 * for a reboot), at its deadline, or never if its client goes first.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenctrl.h>

#include <xen/noxs.h>

#include "daemon.h"
#include "lvctl.h"

#define SHUTDOWN_ACK_MAX_MS	5000	/* the loop waits this long at most */

struct op_desc {
	const char *name;
	size_t min_len, max_len;	/* of the body */
	uint32_t flags;			/* the flags it takes */
	int (*check)(const void *body, size_t len, const char **why);
	void (*serve)(struct daemon_ctx *ctx, const struct daemon_request *req);
};

/* A string field: NUL-terminated in its array, zero after the NUL. */
static int check_string(const char *s, size_t size)
{
	const char *nul = memchr(s, '\0', size);
	size_t i;

	if (!nul)
		return -1;
	for (i = nul - s; i < size; i++)
		if (s[i])
			return -1;
	return 0;
}

static int check_ref(const struct lightvm_guest_ref *ref, const char **why)
{
	if (ref->pad) {
		*why = "non-zero padding in the guest reference";
		return EINVAL;
	}
	if (check_string(ref->name, sizeof(ref->name))) {
		*why = "a guest name not NUL-terminated and zero-filled";
		return EINVAL;
	}
	if (!ref->domid && !ref->name[0]) {
		*why = "a guest reference with neither domid nor name";
		return EINVAL;
	}
	return 0;
}

static int check_guest_ref(const void *body, size_t len, const char **why)
{
	(void)len;
	return check_ref(body, why);
}

static int check_create(const void *body, size_t len, const char **why)
{
	const struct lightvm_create_req *cr = body;

	if (cr->pad) {
		*why = "non-zero padding in the create request";
		return EINVAL;
	}
	if (!cr->config_len || cr->config_len != len - sizeof(*cr)) {
		*why = "a create request whose config_len is not the text that follows";
		return EBADMSG;
	}
	return 0;
}

static int check_create_template(const void *body, size_t len,
				 const char **why)
{
	const struct lightvm_create_template_req *ct = body;

	if (ct->pad) {
		*why = "non-zero padding in the template create request";
		return EINVAL;
	}
	if (check_string(ct->template_name, sizeof(ct->template_name)) ||
	    check_string(ct->name, sizeof(ct->name)) || !ct->name[0] ||
	    !ct->template_name[0]) {
		*why = "a template or guest name empty, or not NUL-terminated and zero-filled";
		return EINVAL;
	}
	if (ct->cmdline_len != len - sizeof(*ct) ||
	    ct->cmdline_len >= LIGHTVM_CMDLINE_SIZE ||
	    memchr(ct + 1, '\0', ct->cmdline_len)) {
		*why = "a command line that is not the cmdline_len bytes that follow, without NUL, shorter than LIGHTVM_CMDLINE_SIZE";
		return EBADMSG;
	}
	return 0;
}

static int check_template_set(const void *body, size_t len, const char **why)
{
	const struct lightvm_template_req *tr = body;

	if (check_string(tr->name, sizeof(tr->name)) || !tr->name[0]) {
		*why = "a template name empty, or not NUL-terminated and zero-filled";
		return EINVAL;
	}
	if (tr->config_len != len - sizeof(*tr)) {
		*why = "a template whose config_len is not the text that follows";
		return EBADMSG;
	}
	if (tr->target > LVCTL_POOL_MAX_SHELLS) {
		*why = "a template target over 1024 shells";
		return EINVAL;
	}
	return 0;
}

static int check_shutdown(const void *body, size_t len, const char **why)
{
	const struct lightvm_shutdown_req *sr = body;

	(void)len;
	if (sr->pad) {
		*why = "non-zero padding in the shutdown request";
		return EINVAL;
	}
	if (sr->reason != LIGHTVM_SHUTDOWN_POWEROFF &&
	    sr->reason != LIGHTVM_SHUTDOWN_REBOOT) {
		*why = "an unknown shutdown reason";
		return EINVAL;
	}
	return check_ref(&sr->guest, why);
}

static int check_list(const void *body, size_t len, const char **why)
{
	const struct lightvm_list_req *lr = body;

	(void)len;
	if (!lr->max || lr->max > LIGHTVM_LIST_MAX) {
		*why = "a list page size outside 1 to LIGHTVM_LIST_MAX";
		return EINVAL;
	}
	return 0;
}

static int check_pool_set(const void *body, size_t len, const char **why)
{
	const struct lightvm_pool_size_req *ps = body;

	(void)len;
	if (ps->pad) {
		*why = "non-zero padding in the pool request";
		return EINVAL;
	}
	if (!ps->memory_mb || ps->memory_mb > LVCTL_MAX_MEMORY_MB ||
	    !ps->vcpus || ps->vcpus > LVCTL_MAX_VCPUS ||
	    ps->target > LVCTL_POOL_MAX_SHELLS) {
		*why = "a pool size outside 1-1048576 MiB, 1-128 vcpus, 0-1024 shells";
		return EINVAL;
	}
	return 0;
}

static int check_subscribe(const void *body, size_t len, const char **why)
{
	const struct lightvm_subscribe_req *sr = body;

	(void)len;
	if (sr->pad || (sr->mask & ~LIGHTVM_EVENT_ALL)) {
		*why = "unknown event types or non-zero padding in a subscription";
		return EINVAL;
	}
	return 0;
}

/* --- helpers of the handlers --------------------------------------------- */

/*
 * The lightvm guest @ref names, or an error reply. Returns 0 with
 * *@domid and @name filled, or -1 after answering.
 */
static int resolve(struct daemon_ctx *ctx, const struct daemon_request *req,
		   const struct lightvm_guest_ref *ref, uint32_t *domid,
		   char name[LIGHTVM_NAME_SIZE])
{
	struct noxs_ioctl_guest_info info;
	int err;

	err = ref->name[0] ? noxs_guest_info(ctx->noxs_fd, ref->name, 0, &info) :
			     noxs_guest_info(ctx->noxs_fd, NULL, ref->domid,
					     &info);
	if (err == -ENOENT) {
		if (ref->name[0])
			daemon_send_error(req->client, req->hdr, ENOENT,
					  "no lightvm guest is named '%s'",
					  ref->name);
		else
			daemon_send_error(req->client, req->hdr, ENOENT,
					  "domain %u is not a lightvm guest",
					  ref->domid);
		return -1;
	}
	if (err) {
		daemon_send_error(req->client, req->hdr, EIO, "%s",
				  lvctl_last_error);
		return -1;
	}
	if (ref->domid && ref->domid != info.domid) {
		daemon_send_error(req->client, req->hdr, ESTALE,
				  "guest '%s' is domain %u, not %u", ref->name,
				  info.domid, ref->domid);
		return -1;
	}
	if (!info.name[0]) {
		daemon_send_error(req->client, req->hdr, EBUSY,
				  "domain %u is a shell of the daemon's pool",
				  info.domid);
		return -1;
	}
	*domid = info.domid;
	memcpy(name, info.name, LIGHTVM_NAME_SIZE);
	name[LIGHTVM_NAME_SIZE - 1] = '\0';
	return 0;
}

static uint32_t to_us(double ms)
{
	return ms <= 0 ? 0 : ms >= 4294967.0 ? UINT32_MAX :
					       (uint32_t)(ms * 1000);
}

static void fill_times(struct lightvm_phase_times *out,
		       const struct lvctl_build_times *t, double request_ms)
{
	out->domain_us = to_us(t->domain);
	out->devices_us = to_us(t->devices);
	out->memory_us = to_us(t->memory);
	out->load_us = to_us(t->load);
	out->image_us = to_us(t->image);
	out->console_us = to_us(t->console);
	out->unpause_us = to_us(t->unpause);
	out->vifs_us = to_us(t->vifs);
	out->disks_us = to_us(t->disks);
	out->request_us = to_us(request_ms);
}

static void fill_info(struct lightvm_guest_info *gi, const xc_domaininfo_t *dom,
		      const char *name)
{
	gi->domid = dom->domain;
	if (dom->flags & XEN_DOMINF_paused)
		gi->state |= LIGHTVM_STATE_PAUSED;
	if (dom->flags & XEN_DOMINF_shutdown) {
		gi->state |= LIGHTVM_STATE_SHUTDOWN;
		gi->shutdown_reason = (dom->flags >> XEN_DOMINF_shutdownshift) &
				      XEN_DOMINF_shutdownmask;
	}
	if (dom->flags & XEN_DOMINF_dying)
		gi->state |= LIGHTVM_STATE_DYING;
	if (!gi->state)
		gi->state = LIGHTVM_STATE_RUNNING;
	if (daemon_guest_unacked(dom->domain))
		gi->state |= LIGHTVM_STATE_UNACKED;
	gi->vcpus = dom->nr_online_vcpus;
	gi->memory_kb = (uint64_t)dom->tot_pages * (XC_PAGE_SIZE / 1024);
	gi->cpu_time_ns = dom->cpu_time;
	snprintf(gi->name, sizeof(gi->name), "%s", name);
}

/* --- the handlers -------------------------------------------------------- */

/*
 * From a shell (of @template if given, else whichever fits best), else
 * from scratch.
 */
static int create_guest(struct daemon_ctx *ctx, struct lvctl_config *cfg,
			const char *template, int paused,
			struct lvctl_build *b, uint32_t *source)
{
	int ret;

	ret = lvctl_pool_take(ctx->pool, cfg, template, paused, b, source);
	if (ret <= 0)
		return ret;
	*b = (struct lvctl_build){
		.xch = ctx->xch,
		.noxs_fd = ctx->noxs_fd,
		.paused = paused,
	};
	*source = LIGHTVM_SOURCE_SCRATCH;
	if (lvctl_build_check(ctx->xch, ctx->noxs_fd, cfg,
			      LVCTL_CHECK_MEMORY | LVCTL_CHECK_KERNEL))
		return -1;
	return lvctl_build(b, cfg);
}

static const char *source_name(uint32_t source)
{
	switch (source) {
	case LIGHTVM_SOURCE_POOL:
		return "from a pool shell";
	case LIGHTVM_SOURCE_TEMPLATE:
		return "from a template's shell";
	default:
		return "from scratch";
	}
}

/*
 * Makes @cfg's guest for the request and answers it; the guest stays the
 * daemon's until the client's ACK. @start: when the request was taken.
 */
static void create_and_answer(struct daemon_ctx *ctx,
			      const struct daemon_request *req,
			      struct lvctl_config *cfg,
			      const char *template, double start)
{
	struct lightvm_create_reply *reply;
	struct lvctl_build build;
	uint32_t source;

	daemon_defer_refills();		/* more may be coming */
	if (create_guest(ctx, cfg, template,
			 !!(req->hdr->flags & LIGHTVM_CREATE_PAUSED), &build,
			 &source)) {
		daemon_send_error(req->client, req->hdr, EIO, "%s",
				  lvctl_last_error[0] ? lvctl_last_error :
				  "the daemon could not create the guest");
		return;
	}
	reply = daemon_reply_new(req->hdr, sizeof(*reply));
	if (!reply || daemon_client_hold(req->client, req->hdr->request_id,
					 build.domid, cfg->name)) {
		daemon_reply_free(reply);
		lvctl_guest_destroy(ctx->xch, ctx->noxs_fd, build.domid,
				    cfg->name);
		daemon_send_error(req->client, req->hdr, ENOMEM,
				  "the daemon is out of memory");
		return;
	}
	reply->domid = build.domid;
	reply->source = source;
	fill_times(&reply->times, &build.times, lvctl_now_ms() - start);
	lvctl_log("domain %u (%s): created %s in %.1f ms", build.domid,
		  cfg->name, source_name(source), lvctl_now_ms() - start);
	guest_watch_started(build.domid, cfg->name);
	daemon_send(req->client, reply);
}

static void op_create(struct daemon_ctx *ctx, const struct daemon_request *req)
{
	const struct lightvm_create_req *cr = req->body;
	double start = lvctl_now_ms();
	struct lvctl_config cfg;

	/* A client that asked and left gets nothing made. */
	if (daemon_client_gone(req->client)) {
		lvctl_log("a client went away before its create was read; nothing done");
		return;
	}
	if (lvctl_config_parse((const char *)(cr + 1), cr->config_len,
			       "request", &cfg)) {
		daemon_send_error(req->client, req->hdr, EINVAL, "%s",
				  lvctl_last_error);
		return;
	}
	create_and_answer(ctx, req, &cfg, NULL, start);
	lvctl_config_free(&cfg);
}

static void op_create_template(struct daemon_ctx *ctx,
			       const struct daemon_request *req)
{
	const struct lightvm_create_template_req *ct = req->body;
	char cmdline[LIGHTVM_CMDLINE_SIZE];
	double start = lvctl_now_ms();
	struct lvctl_config cfg;
	int err;

	if (daemon_client_gone(req->client)) {
		lvctl_log("a client went away before its create was read; nothing done");
		return;
	}
	memcpy(cmdline, ct + 1, ct->cmdline_len);
	cmdline[ct->cmdline_len] = '\0';
	err = lvctl_pool_template_config(ctx->pool, ct->template_name,
					 ct->name,
					 ct->cmdline_len ? cmdline : NULL, &cfg);
	if (err) {
		daemon_send_error(req->client, req->hdr, -err, "%s",
				  lvctl_last_error);
		return;
	}
	create_and_answer(ctx, req, &cfg, ct->template_name, start);
	lvctl_config_free(&cfg);
}

static void op_ack(struct daemon_ctx *ctx, const struct daemon_request *req)
{
	(void)ctx;
	if (daemon_client_ack(req->client, req->hdr->request_id))
		lvctl_log("a client acknowledged request %llu, which made it no guest",
			  (unsigned long long)req->hdr->request_id);
}

static void op_destroy(struct daemon_ctx *ctx, const struct daemon_request *req)
{
	char name[LIGHTVM_NAME_SIZE];
	uint32_t domid;
	void *reply;
	int err;

	if (resolve(ctx, req, req->body, &domid, name))
		return;
	err = lvctl_guest_destroy(ctx->xch, ctx->noxs_fd, domid, name);
	if (err == -ENOENT) {
		daemon_send_error(req->client, req->hdr, ENOENT,
				  "domain %u (%s) is gone: another process destroyed it first",
				  domid, name);
		return;
	}
	if (err) {
		daemon_send_error(req->client, req->hdr, EIO, "%s",
				  lvctl_last_error);
		return;
	}
	guest_watch_gone(domid);
	reply = daemon_reply_new(req->hdr, 0);
	if (reply)
		daemon_send(req->client, reply);
	else
		daemon_send_error(req->client, req->hdr, ENOMEM,
				  "domain %u was destroyed; the daemon is out of memory",
				  domid);
}

/* A waited SHUTDOWN: answered when its guest is done, or at its deadline. */
struct shutdown_wait {
	struct shutdown_wait *next;
	struct daemon_client *client;
	struct lightvm_msg_header hdr;
	uint32_t domid;
	uint32_t reason;		/* enum lightvm_shutdown_reason */
	double deadline_ms;
	char name[LIGHTVM_NAME_SIZE];
};

static struct shutdown_wait *waits;

static void answer_shutdown(struct daemon_client *client,
			    const struct lightvm_msg_header *hdr,
			    uint32_t domid)
{
	struct lightvm_shutdown_reply *reply;

	reply = daemon_reply_new(hdr, sizeof(*reply));
	if (!reply) {
		daemon_send_error(client, hdr, ENOMEM,
				  "the daemon is out of memory");
		return;
	}
	reply->domid = domid;
	daemon_send(client, reply);
}

static void op_shutdown(struct daemon_ctx *ctx, const struct daemon_request *req)
{
	const struct lightvm_shutdown_req *sr = req->body;
	double left = req->deadline_ms - lvctl_now_ms();
	unsigned int ack_ms = left < 1 ? 1 :
			      left < SHUTDOWN_ACK_MAX_MS ? (unsigned int)left :
			      SHUTDOWN_ACK_MAX_MS;
	int reboot = sr->reason == LIGHTVM_SHUTDOWN_REBOOT;
	char name[LIGHTVM_NAME_SIZE];
	struct shutdown_wait *wait;
	uint32_t domid;
	int err;

	if (resolve(ctx, req, &sr->guest, &domid, name))
		return;
	err = noxs_guest_request(ctx->noxs_fd, domid,
				 reboot ? NOXS_CLOSE_REBOOT : NOXS_CLOSE_POWEROFF,
				 0, ack_ms);
	if (err) {
		daemon_send_error(req->client, req->hdr, -err,
				  "cannot %s domain %u (%s): %s",
				  reboot ? "reboot" : "shut down", domid, name,
				  lvctl_close_error(err));
		return;
	}
	if (!(req->hdr->flags & LIGHTVM_SHUTDOWN_WAIT)) {
		answer_shutdown(req->client, req->hdr, domid);
		return;
	}
	wait = calloc(1, sizeof(*wait));
	if (!wait) {
		daemon_send_error(req->client, req->hdr, ENOMEM,
				  "the guest was asked, but the daemon is out of memory to wait for it");
		return;
	}
	wait->client = req->client;
	wait->hdr = *req->hdr;
	wait->domid = domid;
	wait->reason = sr->reason;
	wait->deadline_ms = req->deadline_ms;
	memcpy(wait->name, name, sizeof(wait->name));
	wait->next = waits;
	waits = wait;
}

/*
 * Is @wait's guest done? Its on_* action is done here if it shut down and
 * nobody did it yet. *@domid: a rebooted guest's new domid, or 0.
 */
static int wait_done(struct daemon_ctx *ctx, const struct shutdown_wait *wait,
		     uint32_t *domid)
{
	const struct watched_guest *g = guest_watch_by_domid(wait->domid);
	const struct watched_guest *again;
	struct lvctl_reaped done;

	*domid = 0;
	if (g && g->shutdown && g->reason != SHUTDOWN_suspend &&
	    lvctl_reap(ctx->xch, ctx->noxs_fd, wait->domid, &done) > 0) {
		daemon_log_reaped(wait->domid, &done);
		guest_watch_gone(wait->domid);
		if (done.new_domid)
			guest_watch_started(done.new_domid, wait->name);
		g = NULL;
	}
	if (wait->reason == LIGHTVM_SHUTDOWN_POWEROFF) {
		*domid = wait->domid;
		/* Gone, or preserved (on_poweroff). */
		return !g || (g->shutdown && g->reason != SHUTDOWN_suspend);
	}
	again = guest_watch_by_name(wait->name);
	if (again && again->domid != wait->domid && !again->shutdown) {
		*domid = again->domid;
		return 1;
	}
	/* Gone and not back: its on_reboot said so. */
	return !g && !again;
}

void daemon_waits_check(struct daemon_ctx *ctx, double now_ms)
{
	struct shutdown_wait **p = &waits, *wait;
	uint32_t domid;

	while ((wait = *p)) {
		if (wait_done(ctx, wait, &domid)) {
			answer_shutdown(wait->client, &wait->hdr, domid);
		} else if (now_ms >= wait->deadline_ms) {
			daemon_send_error(wait->client, &wait->hdr, ETIMEDOUT,
					  "domain %u (%s) did not %s by the request's deadline",
					  wait->domid, wait->name,
					  wait->reason == LIGHTVM_SHUTDOWN_REBOOT ?
					  "reboot" : "shut down");
		} else {
			p = &wait->next;
			continue;
		}
		*p = wait->next;
		free(wait);
	}
}

/* The earliest deadline of a wait, or 0 if none waits. */
double daemon_waits_next_deadline(void)
{
	const struct shutdown_wait *wait;
	double first = 0;

	for (wait = waits; wait; wait = wait->next)
		if (!first || wait->deadline_ms < first)
			first = wait->deadline_ms;
	return first;
}

void daemon_waits_drop(const struct daemon_client *client)
{
	struct shutdown_wait **p = &waits, *wait;

	while ((wait = *p)) {
		if (wait->client != client) {
			p = &wait->next;
			continue;
		}
		*p = wait->next;
		free(wait);
	}
}

/* A lightvm guest's name, or NULL for other domains and pool shells. */
static int guest_name(struct daemon_ctx *ctx, uint32_t domid,
		      char name[LIGHTVM_NAME_SIZE])
{
	struct noxs_ioctl_guest_info info;

	if (noxs_guest_info(ctx->noxs_fd, NULL, domid, &info) || !info.name[0])
		return -1;
	memcpy(name, info.name, LIGHTVM_NAME_SIZE);
	name[LIGHTVM_NAME_SIZE - 1] = '\0';
	return 0;
}

static void op_list(struct daemon_ctx *ctx, const struct daemon_request *req)
{
	const struct lightvm_list_req *lr = req->body;
	struct lightvm_guest_info *guests;
	struct lightvm_list_reply *reply;
	xc_domaininfo_t batch[64];
	char name[LIGHTVM_NAME_SIZE];
	uint32_t from = lr->first_domid;
	int n, i;

	reply = daemon_reply_new(req->hdr, sizeof(*reply) +
				 lr->max * sizeof(*guests));
	if (!reply) {
		daemon_send_error(req->client, req->hdr, ENOMEM,
				  "the daemon is out of memory");
		return;
	}
	guests = (struct lightvm_guest_info *)(reply + 1);
	do {
		n = xc_domain_getinfolist(ctx->xch, from, 64, batch);
		for (i = 0; i < n && reply->nr < lr->max; i++) {
			from = batch[i].domain + 1;
			if (!guest_name(ctx, batch[i].domain, name))
				fill_info(&guests[reply->nr++], &batch[i],
					  name);
		}
		if (i < n)
			reply->next_domid = batch[i].domain;
	} while (n == 64 && !reply->next_domid);

	/* The reply is as long as what it holds. */
	daemon_reply_trim(reply, (lr->max - reply->nr) * sizeof(*guests));
	daemon_send(req->client, reply);
}

static void op_info(struct daemon_ctx *ctx, const struct daemon_request *req)
{
	struct lightvm_guest_info *reply;
	char name[LIGHTVM_NAME_SIZE];
	xc_domaininfo_t dom;
	uint32_t domid;

	if (resolve(ctx, req, req->body, &domid, name))
		return;
	if (xc_domain_getinfolist(ctx->xch, domid, 1, &dom) != 1 ||
	    dom.domain != domid) {
		daemon_send_error(req->client, req->hdr, ENOENT,
				  "domain %u (%s) is gone", domid, name);
		return;
	}
	reply = daemon_reply_new(req->hdr, sizeof(*reply));
	if (!reply) {
		daemon_send_error(req->client, req->hdr, ENOMEM,
				  "the daemon is out of memory");
		return;
	}
	fill_info(reply, &dom, name);
	daemon_send(req->client, reply);
}

static void op_pool_list(struct daemon_ctx *ctx,
			 const struct daemon_request *req)
{
	struct lightvm_pool_template templates[LIGHTVM_POOL_MAX_TEMPLATES];
	struct lightvm_pool_size sizes[LIGHTVM_POOL_MAX_SIZES];
	struct lightvm_pool_list_reply *reply;
	unsigned int nr_sizes, nr_templates;
	char *at;

	lvctl_pool_describe(ctx->pool, sizes, &nr_sizes, templates,
			    &nr_templates);
	reply = daemon_reply_new(req->hdr, sizeof(*reply) +
				 nr_sizes * sizeof(*sizes) +
				 nr_templates * sizeof(*templates));
	if (!reply) {
		daemon_send_error(req->client, req->hdr, ENOMEM,
				  "the daemon is out of memory");
		return;
	}
	reply->nr_sizes = nr_sizes;
	reply->nr_templates = nr_templates;
	at = (char *)(reply + 1);
	memcpy(at, sizes, nr_sizes * sizeof(*sizes));
	memcpy(at + nr_sizes * sizeof(*sizes), templates,
	       nr_templates * sizeof(*templates));
	daemon_send(req->client, reply);
}

static void op_template_set(struct daemon_ctx *ctx,
			    const struct daemon_request *req)
{
	const struct lightvm_template_req *tr = req->body;
	void *reply;
	int err;

	err = lvctl_pool_set_template(ctx->pool, tr->name,
				      tr->config_len ? (const char *)(tr + 1) :
						       NULL,
				      tr->config_len, tr->target);
	if (err) {
		daemon_send_error(req->client, req->hdr, -err, "%s",
				  lvctl_last_error);
		return;
	}
	lvctl_log("template %s: %u shells", tr->name, tr->target);
	reply = daemon_reply_new(req->hdr, 0);
	if (reply)
		daemon_send(req->client, reply);
	else
		daemon_send_error(req->client, req->hdr, ENOMEM,
				  "the daemon is out of memory");
}

static void op_pool_set(struct daemon_ctx *ctx, const struct daemon_request *req)
{
	const struct lightvm_pool_size_req *ps = req->body;
	void *reply;

	if (lvctl_pool_set_size(ctx->pool, ps->memory_mb, ps->vcpus,
				ps->target)) {
		daemon_send_error(req->client, req->hdr, ENOSPC, "%s",
				  lvctl_last_error);
		return;
	}
	lvctl_log("pool: %u MiB, %u vcpus: %u shells", ps->memory_mb,
		  ps->vcpus, ps->target);
	reply = daemon_reply_new(req->hdr, 0);
	if (reply)
		daemon_send(req->client, reply);
	else
		daemon_send_error(req->client, req->hdr, ENOMEM,
				  "the daemon is out of memory");
}

static void op_subscribe(struct daemon_ctx *ctx,
			 const struct daemon_request *req)
{
	const struct lightvm_subscribe_req *sr = req->body;
	void *reply;

	(void)ctx;
	reply = daemon_reply_new(req->hdr, 0);
	if (!reply) {
		daemon_send_error(req->client, req->hdr, ENOMEM,
				  "the daemon is out of memory");
		return;
	}
	/* The reply first: events only follow it. */
	daemon_send(req->client, reply);
	daemon_client_subscribe(req->client, sr->mask);
}

#define FIXED(type)	sizeof(type), sizeof(type)

static const struct op_desc ops[] = {
	[LIGHTVM_OP_CREATE] = { "create",
		sizeof(struct lightvm_create_req) + 1,
		sizeof(struct lightvm_create_req) + LIGHTVM_CONFIG_MAX,
		LIGHTVM_CREATE_FLAGS, check_create, op_create },
	[LIGHTVM_OP_ACK] = { "ack", 0, 0, 0, NULL, op_ack },
	[LIGHTVM_OP_DESTROY] = { "destroy", FIXED(struct lightvm_guest_ref),
		0, check_guest_ref, op_destroy },
	[LIGHTVM_OP_SHUTDOWN] = { "shutdown",
		FIXED(struct lightvm_shutdown_req), LIGHTVM_SHUTDOWN_FLAGS,
		check_shutdown, op_shutdown },
	[LIGHTVM_OP_LIST] = { "list", FIXED(struct lightvm_list_req), 0,
		check_list, op_list },
	[LIGHTVM_OP_INFO] = { "info", FIXED(struct lightvm_guest_ref), 0,
		check_guest_ref, op_info },
	[LIGHTVM_OP_POOL_LIST] = { "pool-list", 0, 0, 0, NULL, op_pool_list },
	[LIGHTVM_OP_POOL_SET] = { "pool-set",
		FIXED(struct lightvm_pool_size_req), 0, check_pool_set,
		op_pool_set },
	[LIGHTVM_OP_SUBSCRIBE] = { "subscribe",
		FIXED(struct lightvm_subscribe_req), 0, check_subscribe,
		op_subscribe },
	[LIGHTVM_OP_TEMPLATE_SET] = { "template-set",
		sizeof(struct lightvm_template_req),
		sizeof(struct lightvm_template_req) + LIGHTVM_CONFIG_MAX, 0,
		check_template_set, op_template_set },
	[LIGHTVM_OP_CREATE_TEMPLATE] = { "create-template",
		sizeof(struct lightvm_create_template_req),
		sizeof(struct lightvm_create_template_req) +
		LIGHTVM_CMDLINE_SIZE - 1, LIGHTVM_CREATE_FLAGS,
		check_create_template, op_create_template },
};

/*
 * Does the message fit its op? Returns 0, or an errno value with *@why.
 * Called only after the header's own checks.
 */
int daemon_op_check(const struct lightvm_msg_header *hdr, size_t body_len,
		    const char **why)
{
	static char text[128];
	const struct op_desc *op;

	if (hdr->op >= sizeof(ops) / sizeof(ops[0]) || !ops[hdr->op].serve) {
		*why = "an unknown op";
		return EOPNOTSUPP;
	}
	op = &ops[hdr->op];
	if (hdr->flags & ~op->flags) {
		snprintf(text, sizeof(text), "unknown flags 0x%x for %s",
			 hdr->flags & ~op->flags, op->name);
		*why = text;
		return EINVAL;
	}
	if (body_len < op->min_len || body_len > op->max_len) {
		snprintf(text, sizeof(text),
			 "a %s request of %zu bytes (its body is %zu to %zu)",
			 op->name, body_len, op->min_len, op->max_len);
		*why = text;
		return EBADMSG;
	}
	return op->check ? op->check(hdr + 1, body_len, why) : 0;
}

void daemon_op_serve(struct daemon_ctx *ctx, const struct daemon_request *req)
{
	ops[req->hdr->op].serve(ctx, req);
}
