/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Migration: `lvctl migrate` sends a guest, `lvctl migrate-receive` takes
 * it. Over the link (migrate_link.h), after the handshake, the messages:
 *
 *   sender                              receiver
 *   "offer LIVE\n" CONFIG        ->
 *                                <-     "accept" | "refuse WHY"
 *   libxenguest's stream (DATA frames, then END or ABORT)
 *                                <-     "received DOMID" | "failed WHY"
 *   "go"                         ->
 *                                <-     "running DOMID" | "failed WHY"
 *
 * The receiver checks the offer (name free, memory, bridges, disks) before
 * the sender suspends anything; it restores the guest paused, and unpauses
 * it only on "go". The sender keeps its copy, suspended, until "running":
 * on "refuse" or "failed", or a link lost before "go", it resumes it, and
 * the receiver destroys whatever it built. A link lost after "go" leaves
 * the sender's copy suspended (never resumed by the sweep: its saved config
 * is gone): the guest may be running on the other host.
 */
#ifndef LVCTL_MIGRATE_H
#define LVCTL_MIGRATE_H

#include <sys/types.h>

#define LVCTL_MIGRATE_PORT	"8002"	/* xl's old relocation port */

struct lvctl_transport {
	int in_fd, out_fd;	/* the same socket for TCP */
	pid_t pid;		/* ssh's, or 0 */
	char *what;		/* the command or HOST:PORT, for errors */
};

int lvctl_transport_ssh(struct lvctl_transport *t, const char *ssh,
			const char *host);
int lvctl_transport_tcp(struct lvctl_transport *t, const char *arg);
int lvctl_transport_listen(const char *arg);
int lvctl_transport_close(struct lvctl_transport *t);

#endif /* LVCTL_MIGRATE_H */
