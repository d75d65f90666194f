/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lvctl - lightvm's toolstack. Shared declarations of the command files.
 */
#ifndef LVCTL_H
#define LVCTL_H

#include <stdint.h>
#include <stdio.h>

#include <xen/noxs.h>

#include "config.h"

/* Exit statuses, as xl and the other tools of a Xen host use them. */
#define LVCTL_EXIT_OK		0
#define LVCTL_EXIT_FAILURE	1
#define LVCTL_EXIT_USAGE	2

struct lvctl_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *args;	/* synopsis after the command name */
	const char *summary;	/* one line for `lvctl help` */
};

/* util.c */
extern const char *lvctl_progname;
extern double lvctl_main_ms;	/* CLOCK_MONOTONIC when main() began */
extern char lvctl_last_error[256];	/* what lvctl_error() said last */
double lvctl_now_ms(void);
int lvctl_exists(const char *path);
extern int lvctl_log_timestamps;	/* set by the daemon for its log */
extern int lvctl_quiet;		/* errors kept in lvctl_last_error only */
void lvctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lvctl_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lvctl_block_stops(void);
int lvctl_stop_pending(void);
int lvctl_write_all(int fd, const void *buf, size_t len);
int lvctl_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A boolean flag of a command; short_name >= 256 for long-only flags. */
/*
 * A command's option: a flag that sets *@value to 1, or, with @arg, one
 * that takes an argument, left in *@arg (and *@value set, if given).
 */
struct lvctl_flag {
	const char *name;
	int short_name;
	int *value;
	const char **arg;
};

/* lvctl_parse_flags()'s @nargs for a command that checks its own operands. */
#define LVCTL_ARGS_ANY	(-1)

int lvctl_parse_flags(const char *cmd, const char *args,
		      const struct lvctl_flag *flags, int nargs,
		      const char *operands, int argc, char **argv);
int lvctl_no_args(const char *cmd, int argc, char **argv);

/* xen.c: the libxenctrl connection */
typedef struct xc_interface_core xc_interface;
xc_interface *lvctl_xc_open(void);
const char *lvctl_xc_error(xc_interface *xch, const char *fallback);
int lvctl_domain_exists(xc_interface *xch, uint32_t domid);
int lvctl_open(int *noxs_fd, xc_interface **xch);
void lvctl_close(int noxs_fd, xc_interface *xch);

/* noxs.c: the /dev/xen/noxs connection */
struct noxs_ioctl_guest_info;
struct noxs_ioctl_stats;
int noxs_open(unsigned int *abi_minor);
int noxs_guest_create(int fd, uint32_t domid, const char *name);
int noxs_guest_name(int fd, uint32_t domid, const char *name);
int noxs_guest_rename(int fd, uint32_t domid, const char *name);
int noxs_console_attach(int fd, uint32_t domid, unsigned int port);
int noxs_guest_commit(int fd, uint32_t domid);
int noxs_guest_destroy(int fd, uint32_t domid);
int noxs_device_create(int fd, uint32_t domid, uint32_t type, uint32_t id);
int noxs_device_add(int fd, uint32_t domid, uint32_t type, uint32_t id,
		    const void *params, size_t len);
int noxs_device_hotplug(int fd, uint32_t domid, uint32_t type, uint32_t id);
int noxs_guest_request(int fd, uint32_t domid, uint32_t request, uint32_t arg,
		       unsigned int timeout_ms);
int noxs_guest_settings(int fd, uint32_t domid, uint32_t flags, uint32_t vcpus,
			uint32_t target_kib, unsigned int timeout_ms);
int noxs_guest_info(int fd, const char *name, uint32_t domid,
		    struct noxs_ioctl_guest_info *info);
int noxs_console_open(int fd, uint32_t domid);
int noxs_stats(int fd, struct noxs_ioctl_stats *stats);

/* xenstored.c: beside a xenstored (names for xl list) */
int lvctl_beside_xenstored(void);
const char *lvctl_dom0_store(void);
int lvctl_xenstored_check(void);
struct xs_handle *lvctl_xs_open(void);
void lvctl_xs_publish(uint32_t domid, const char *name);
void lvctl_xs_forget(uint32_t domid);
int lvctl_xs_domain_name(uint32_t domid, char *buf, size_t size);
void lvctl_xs_sweep(xc_interface *xch);

/* noxs.c, too: NAME|DOMID on the command line */
int lvctl_resolve_guest(int noxs_fd, const char *arg, uint32_t *domid);
void lvctl_domain_label(int fd, uint32_t domid, char *buf, size_t size);

/* sweep.c: what builds that died half-way left */
void lvctl_creator_stamp(uint8_t handle[16]);
void lvctl_sweep(xc_interface *xch, int noxs_fd);

/* cmd_info.c */
int cmd_version(int argc, char **argv);
int cmd_info(int argc, char **argv);

/* cmd_domain.c */
int cmd_create(int argc, char **argv);
int cmd_destroy(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_unpause(int argc, char **argv);

/* lifecycle.c */
struct lvctl_config;
int lvctl_state_save(const struct lvctl_config *cfg);
void lvctl_state_remove(const char *name);
void lvctl_state_sweep(int noxs_fd);
int lvctl_state_load(const char *name, struct lvctl_config *cfg);
int lvctl_state_lock(const char *name, int wait);
int lvctl_find_guest(xc_interface *xch, int noxs_fd, const char *arg,
		     uint32_t *domid, struct noxs_ioctl_guest_info *info);
int lvctl_guest_destroy(xc_interface *xch, int noxs_fd, uint32_t domid,
			const char *name);
/* What lvctl_reap() found and did, for the daemon's log. */
struct lvctl_reaped {
	char name[NOXS_NAME_SIZE];
	unsigned int reason;		/* Xen's SHUTDOWN_* */
	enum lvctl_action action;
	uint32_t new_domid;		/* restarted as, or 0 */
};

int lvctl_reap(xc_interface *xch, int noxs_fd, uint32_t domid,
	       struct lvctl_reaped *done);
const char *lvctl_shutdown_reason_name(unsigned int reason);
const char *lvctl_close_error(int err);

/* cmd_control.c */
int cmd_shutdown(int argc, char **argv);
int cmd_reboot(int argc, char **argv);
int cmd_sysrq(int argc, char **argv);
int cmd_uptime(int argc, char **argv);
int cmd_domid(int argc, char **argv);
int cmd_domname(int argc, char **argv);
int cmd_rename(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_mem_set(int argc, char **argv);
int cmd_mem_max(int argc, char **argv);
int cmd_vcpu_set(int argc, char **argv);
int cmd_vcpu_pin(int argc, char **argv);
int cmd_vcpu_list(int argc, char **argv);

/* cmd_save.c */
int cmd_save(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_resume(int argc, char **argv);

/* cmd_migrate.c */
int cmd_migrate(int argc, char **argv);
int cmd_migrate_receive(int argc, char **argv);

/* cmd_daemon.c */
struct lightvm;
struct lightvm *lvctl_daemon_connect(int *absent);
void lvctl_daemon_autostart(int disabled);
int cmd_daemon(int argc, char **argv);
int cmd_pool(int argc, char **argv);
int cmd_events(int argc, char **argv);

/* cmd_console.c */
int cmd_console(int argc, char **argv);
int lvctl_console_attach(int noxs_fd, uint32_t domid, int follow);
int lvctl_console_follow(uint32_t domid);

#endif /* LVCTL_H */
