/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The link between `lvctl migrate` (the sender) and `lvctl migrate-receive`
 * (the receiver): a byte channel in each direction (ssh's pipes, or one TCP
 * socket) carrying a handshake, then frames.
 *
 * Handshake (integers little-endian):
 *   receiver -> sender  "LVMIGRT1", u32 version, u32 flags, nonce_r[32]
 *   sender -> receiver  "LVMIGRT1", u32 version, u32 flags, nonce_s[32],
 *                       proof_s[32]
 *   receiver -> sender  u32 status (0 accepted), u32 0, proof_r[32]
 * flags bit 0 (LINK_KEYED): the speaker authenticates with a shared key.
 * A keyed receiver takes only a keyed sender and the other way round;
 * proof_s = HMAC-SHA256(key, "lvctl-migrate sender" nonce_r nonce_s),
 * proof_r = HMAC-SHA256(key, "lvctl-migrate receiver" nonce_s nonce_r),
 * zero when unkeyed (ssh authenticates the far end instead).
 *
 * Frames: u32 type, u32 length, then length bytes, then, when keyed, a
 * MAC: HMAC-SHA256(key, direction 'S' or 'R', nonce_s, nonce_r, u64 frame
 * number in that direction, the type and length, the bytes). A frame that
 * fails its MAC ends the link; so the stream cannot be altered, cut,
 * replayed or reordered without the receiver seeing it, and it becomes a
 * domain only once the whole of it has been checked frame by frame.
 * Nothing is encrypted: a direct TCP link is for a private network.
 *
 * Frame types: MSG, a control message (text, at most LINK_MSG_MAX bytes);
 * DATA, bytes of libxenguest's stream; END and ABORT, the stream ended
 * whole, or was given up by the sender.
 */
#ifndef LVCTL_MIGRATE_LINK_H
#define LVCTL_MIGRATE_LINK_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define LINK_NONCE_LEN		32
#define LINK_MAC_LEN		32
#define LINK_KEY_MIN		16	/* bytes of a key file */
#define LINK_KEY_MAX		1024
#define LINK_MSG_MAX		(72 * 1024)	/* a verb and a config */
#define LINK_DATA_MAX		(64 * 1024)
#define LINK_FRAME_MAX		LINK_MSG_MAX	/* the larger */
#define LINK_IDLE_MS		60000	/* a stream that stalls this long ends */

enum link_frame {
	LINK_MSG = 1,
	LINK_DATA = 2,
	LINK_END = 3,
	LINK_ABORT = 4,
};

struct lvctl_link {
	int in_fd, out_fd;
	const char *peer;	/* in errors: "host-b", "the sender" */
	int sender;		/* this end sends the guest */
	int keyed;
	unsigned char key[LINK_KEY_MAX];
	size_t key_len;
	unsigned char nonce_s[LINK_NONCE_LEN], nonce_r[LINK_NONCE_LEN];
	uint64_t frames_out, frames_in;

	/* the stream pump: between libxenguest's socket and the link */
	pthread_t pump;
	int pump_fd;		/* our end of libxenguest's socket */
	int stream_failed;	/* the sender gave up: ABORT, not END */
	int pump_err;		/* 0 once the whole stream went through */
	char error[256];	/* why the link failed (either thread) */
};

int lvctl_link_load_key(struct lvctl_link *l, const char *path);
void lvctl_link_init(struct lvctl_link *l, int in_fd, int out_fd,
		     const char *peer, int sender);
int lvctl_link_handshake(struct lvctl_link *l);
int lvctl_link_send_msg(struct lvctl_link *l, const char *text, size_t len);
int lvctl_link_recv_msg(struct lvctl_link *l, char **text, size_t *len,
			int timeout_ms);
int lvctl_link_stream_start(struct lvctl_link *l);
int lvctl_link_stream_finish(struct lvctl_link *l, int fd, int failed);
void lvctl_link_wipe(struct lvctl_link *l);

/* Pure helpers, for the unit tests. */
int lvctl_link_mac(const unsigned char *key, size_t key_len,
		   const void *const *parts, const size_t *lens, int n,
		   unsigned char mac[LINK_MAC_LEN]);

#endif /* LVCTL_MIGRATE_LINK_H */
