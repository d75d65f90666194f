// SPDX-License-Identifier: GPL-2.0
/*
 * The migration link (its format is in migrate_link.h): the handshake,
 * frames and their MACs, and the pump that carries libxenguest's stream
 * between a local socket and the link.
 *
 * Every read and write has a deadline: a peer that stops answering ends
 * the link instead of holding a suspended guest for good. The link's
 * descriptors are non-blocking; the pump thread and the caller never use
 * the link at the same time (the caller is inside libxenguest while the
 * pump runs), so l->error needs no lock.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "lvctl.h"
#include "migrate_link.h"

#define LINK_MAGIC		"LVMIGRT1"
#define LINK_VERSION		1
#define LINK_KEYED		(1U << 0)
#define LINK_HANDSHAKE_MS	30000

/* The receiver's verdict on the sender's hello. */
#define VERDICT_OK		0
#define VERDICT_BAD_KEY		1	/* missing or wrong */
#define VERDICT_UNKEYED		2	/* the receiver has no key */

struct link_hello {
	char magic[8];
	uint32_t version;
	uint32_t flags;
	unsigned char nonce[LINK_NONCE_LEN];
};

struct link_sender_hello {
	struct link_hello hello;
	unsigned char proof[LINK_MAC_LEN];
};

struct link_verdict {
	uint32_t status;
	uint32_t pad;
	unsigned char proof[LINK_MAC_LEN];
};

struct link_frame_head {
	uint32_t type;
	uint32_t len;
};

static void link_fail(struct lvctl_link *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Records why the link failed; the caller's thread reports it. */
static void link_fail(struct lvctl_link *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l->error, sizeof(l->error), fmt, ap);
	va_end(ap);
}

/* The link's error in words: a closed link, a deadline, or errno's. */
static const char *io_error(int err)
{
	if (err == EPIPE || err == ECONNRESET)
		return "the connection closed";
	if (err == ETIMEDOUT)
		return "no answer in time";
	return strerror(err);
}

/*
 * Waits until @fd is ready for @events, or @cancel_fd (if >= 0) is
 * readable or hung up: 0, or -1 with errno (ETIMEDOUT, ECANCELED).
 */
static int wait_fd(int fd, short events, int cancel_fd, int timeout_ms)
{
	struct pollfd p[2] = {
		{ .fd = fd, .events = events },
		{ .fd = cancel_fd, .events = POLLIN },
	};
	int n;

	do {
		n = poll(p, cancel_fd >= 0 ? 2 : 1, timeout_ms);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if (n == 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	if (cancel_fd >= 0 && p[1].revents) {
		errno = ECANCELED;
		return -1;
	}
	return 0;
}

/* All @len bytes from non-blocking @fd; EPIPE at the end of the input. */
static int read_exact(int fd, void *buf, size_t len, int cancel_fd,
		      int timeout_ms)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = read(fd, (char *)buf + done, len - done);
		if (n > 0) {
			done += n;
			continue;
		}
		if (n == 0) {
			errno = EPIPE;
			return -1;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN ||
		    wait_fd(fd, POLLIN, cancel_fd, timeout_ms))
			return -1;
	}
	return 0;
}

static int write_exact(int fd, const void *buf, size_t len, int timeout_ms)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = write(fd, (const char *)buf + done, len - done);
		if (n >= 0) {
			done += n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN || wait_fd(fd, POLLOUT, -1, timeout_ms))
			return -1;
	}
	return 0;
}

/* HMAC-SHA256 under @key of the concatenation of @n parts. */
int lvctl_link_mac(const unsigned char *key, size_t key_len,
		   const void *const *parts, const size_t *lens, int n,
		   unsigned char mac[LINK_MAC_LEN])
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						 "SHA256", 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_MAC_CTX *ctx = NULL;
	EVP_MAC *hmac;
	size_t out_len = 0;
	int i, ok;

	hmac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
	if (hmac)
		ctx = EVP_MAC_CTX_new(hmac);
	ok = ctx && EVP_MAC_init(ctx, key, key_len, params);
	for (i = 0; ok && i < n; i++)
		ok = EVP_MAC_update(ctx, parts[i], lens[i]);
	ok = ok && EVP_MAC_final(ctx, mac, &out_len, LINK_MAC_LEN) &&
	     out_len == LINK_MAC_LEN;
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(hmac);
	return ok ? 0 : -1;
}

/*
 * A key file: a regular file of LINK_KEY_MIN..LINK_KEY_MAX bytes that only
 * its owner may read (head -c 32 /dev/urandom > KEY; chmod 600 KEY).
 */
int lvctl_link_load_key(struct lvctl_link *l, const char *path)
{
	struct stat st;
	int fd, ret = -1;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		lvctl_error("cannot read the key file %s: %s", path,
			    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		lvctl_error("the key file %s is not a regular file", path);
	else if (st.st_mode & 077)
		lvctl_error("the key file %s may be read by others (chmod 600 %s)",
			    path, path);
	else if (st.st_size < LINK_KEY_MIN || st.st_size > LINK_KEY_MAX)
		lvctl_error("the key file %s holds %lld bytes; a key is %d to %d bytes (head -c 32 /dev/urandom)",
			    path, (long long)st.st_size, LINK_KEY_MIN,
			    LINK_KEY_MAX);
	else if (read(fd, l->key, st.st_size) != st.st_size)
		lvctl_error("cannot read the key file %s: %s", path,
			    strerror(errno));
	else {
		l->key_len = st.st_size;
		l->keyed = 1;
		ret = 0;
	}
	close(fd);
	return ret;
}

void lvctl_link_init(struct lvctl_link *l, int in_fd, int out_fd,
		     const char *peer, int sender)
{
	l->in_fd = in_fd;
	l->out_fd = out_fd;
	l->peer = peer;
	l->sender = sender;
	l->pump_fd = -1;
	fcntl(in_fd, F_SETFL, fcntl(in_fd, F_GETFL) | O_NONBLOCK);
	fcntl(out_fd, F_SETFL, fcntl(out_fd, F_GETFL) | O_NONBLOCK);
}

void lvctl_link_wipe(struct lvctl_link *l)
{
	OPENSSL_cleanse(l->key, sizeof(l->key));
	l->key_len = 0;
}

/* proof_s or proof_r: who proves, then the nonces in the prover's order. */
static int handshake_proof(struct lvctl_link *l, int of_sender,
			   unsigned char proof[LINK_MAC_LEN])
{
	static const char sender_label[] = "lvctl-migrate sender";
	static const char receiver_label[] = "lvctl-migrate receiver";
	const void *parts[3];
	size_t lens[3] = { 0, LINK_NONCE_LEN, LINK_NONCE_LEN };

	memset(proof, 0, LINK_MAC_LEN);
	if (!l->keyed)
		return 0;
	parts[0] = of_sender ? sender_label : receiver_label;
	lens[0] = strlen(parts[0]);
	parts[1] = of_sender ? l->nonce_r : l->nonce_s;
	parts[2] = of_sender ? l->nonce_s : l->nonce_r;
	return lvctl_link_mac(l->key, l->key_len, parts, lens, 3, proof);
}

static int fill_nonce(unsigned char nonce[LINK_NONCE_LEN])
{
	return getrandom(nonce, LINK_NONCE_LEN, 0) == LINK_NONCE_LEN ? 0 : -1;
}

static void make_hello(const struct lvctl_link *l, struct link_hello *h,
		       const unsigned char *nonce)
{
	memcpy(h->magic, LINK_MAGIC, sizeof(h->magic));
	h->version = htole32(LINK_VERSION);
	h->flags = htole32(l->keyed ? LINK_KEYED : 0);
	memcpy(h->nonce, nonce, LINK_NONCE_LEN);
}

static int check_hello(struct lvctl_link *l, const struct link_hello *h)
{
	if (memcmp(h->magic, LINK_MAGIC, sizeof(h->magic))) {
		link_fail(l, "%s does not speak lvctl's migration protocol",
			  l->peer);
		return -1;
	}
	if (le32toh(h->version) != LINK_VERSION) {
		link_fail(l, "%s speaks version %u of the migration protocol; this lvctl speaks %u",
			  l->peer, le32toh(h->version), LINK_VERSION);
		return -1;
	}
	return 0;
}

static int sender_handshake(struct lvctl_link *l)
{
	struct link_sender_hello mine = { 0 };
	unsigned char proof[LINK_MAC_LEN];
	struct link_verdict verdict;
	struct link_hello theirs;

	if (read_exact(l->in_fd, &theirs, sizeof(theirs), -1,
		       LINK_HANDSHAKE_MS)) {
		link_fail(l, "no migration receiver answered on %s: %s",
			  l->peer, io_error(errno));
		return -1;
	}
	if (check_hello(l, &theirs))
		return -1;
	if (!(le32toh(theirs.flags) & LINK_KEYED) && l->keyed) {
		link_fail(l, "the receiver on %s has no key: lvctl sends no guest over an unauthenticated link",
			  l->peer);
		return -1;
	}
	memcpy(l->nonce_r, theirs.nonce, LINK_NONCE_LEN);
	if (fill_nonce(l->nonce_s) || handshake_proof(l, 1, mine.proof)) {
		link_fail(l, "cannot make the handshake's nonce and proof");
		return -1;
	}
	make_hello(l, &mine.hello, l->nonce_s);
	if (write_exact(l->out_fd, &mine, sizeof(mine), LINK_HANDSHAKE_MS) ||
	    read_exact(l->in_fd, &verdict, sizeof(verdict), -1,
		       LINK_HANDSHAKE_MS)) {
		link_fail(l, "the receiver on %s did not answer the handshake: %s",
			  l->peer, io_error(errno));
		return -1;
	}
	switch (le32toh(verdict.status)) {
	case VERDICT_OK:
		break;
	case VERDICT_BAD_KEY:
		link_fail(l, "the receiver on %s refused the link: wrong key",
			  l->peer);
		return -1;
	case VERDICT_UNKEYED:
		link_fail(l, "the receiver on %s has no key and refused a keyed link",
			  l->peer);
		return -1;
	default:
		link_fail(l, "the receiver on %s refused the link", l->peer);
		return -1;
	}
	if (handshake_proof(l, 0, proof) ||
	    CRYPTO_memcmp(proof, verdict.proof, LINK_MAC_LEN)) {
		link_fail(l, "the receiver on %s did not prove it holds the key",
			  l->peer);
		return -1;
	}
	return 0;
}

static int receiver_handshake(struct lvctl_link *l)
{
	struct link_verdict verdict = { 0 };
	struct link_sender_hello theirs;
	unsigned char proof[LINK_MAC_LEN];
	struct link_hello mine;
	uint32_t status = VERDICT_OK;

	if (fill_nonce(l->nonce_r)) {
		link_fail(l, "cannot make the handshake's nonce");
		return -1;
	}
	make_hello(l, &mine, l->nonce_r);
	if (write_exact(l->out_fd, &mine, sizeof(mine), LINK_HANDSHAKE_MS) ||
	    read_exact(l->in_fd, &theirs, sizeof(theirs), -1,
		       LINK_HANDSHAKE_MS)) {
		link_fail(l, "%s did not complete the handshake: %s", l->peer,
			  io_error(errno));
		return -1;
	}
	if (check_hello(l, &theirs.hello))
		return -1;
	memcpy(l->nonce_s, theirs.hello.nonce, LINK_NONCE_LEN);
	if (!l->keyed && (le32toh(theirs.hello.flags) & LINK_KEYED)) {
		status = VERDICT_UNKEYED;
		link_fail(l, "%s wants a keyed link, and this receiver has no key",
			  l->peer);
	} else if (l->keyed &&
		   (!(le32toh(theirs.hello.flags) & LINK_KEYED) ||
		    handshake_proof(l, 1, proof) ||
		    CRYPTO_memcmp(proof, theirs.proof, LINK_MAC_LEN))) {
		status = VERDICT_BAD_KEY;
		link_fail(l, "refused %s: it does not hold the key", l->peer);
	}
	verdict.status = htole32(status);
	if (status == VERDICT_OK && handshake_proof(l, 0, verdict.proof)) {
		link_fail(l, "cannot make the handshake's proof");
		return -1;
	}
	if (write_exact(l->out_fd, &verdict, sizeof(verdict),
			LINK_HANDSHAKE_MS) && status == VERDICT_OK) {
		link_fail(l, "%s went away during the handshake: %s", l->peer,
			  io_error(errno));
		return -1;
	}
	return status == VERDICT_OK ? 0 : -1;
}

/* 0, or -1 with l->error saying why (the caller reports it). */
int lvctl_link_handshake(struct lvctl_link *l)
{
	return (l->sender ? sender_handshake : receiver_handshake)(l);
}

/* The MAC of a frame going @out (from this end) or coming in. */
static int frame_mac(struct lvctl_link *l, int out,
		     const struct link_frame_head *head, const void *buf,
		     unsigned char mac[LINK_MAC_LEN])
{
	char dir = (l->sender == out) ? 'S' : 'R';
	uint64_t seq = htole64(out ? l->frames_out : l->frames_in);
	const void *parts[] = { &dir, l->nonce_s, l->nonce_r, &seq, head, buf };
	size_t lens[] = { 1, LINK_NONCE_LEN, LINK_NONCE_LEN, sizeof(seq),
			  sizeof(*head), le32toh(head->len) };

	return lvctl_link_mac(l->key, l->key_len, parts, lens, 6, mac);
}

static int send_frame(struct lvctl_link *l, enum link_frame type,
		      const void *buf, size_t len)
{
	struct link_frame_head head = {
		.type = htole32(type),
		.len = htole32(len),
	};
	unsigned char mac[LINK_MAC_LEN];

	if (l->keyed && frame_mac(l, 1, &head, buf, mac)) {
		link_fail(l, "cannot compute a frame's MAC");
		return -1;
	}
	if (write_exact(l->out_fd, &head, sizeof(head), LINK_IDLE_MS) ||
	    write_exact(l->out_fd, buf, len, LINK_IDLE_MS) ||
	    (l->keyed &&
	     write_exact(l->out_fd, mac, LINK_MAC_LEN, LINK_IDLE_MS))) {
		link_fail(l, "lost %s: %s", l->peer, io_error(errno));
		return -1;
	}
	l->frames_out++;
	return 0;
}

/* Each type's largest payload. */
static size_t frame_max(uint32_t type)
{
	switch (type) {
	case LINK_MSG:
		return LINK_MSG_MAX;
	case LINK_DATA:
		return LINK_DATA_MAX;
	case LINK_END:
	case LINK_ABORT:
		return 0;
	}
	return 0;
}

/*
 * One frame into @buf (room for its type's largest): its type and length,
 * checked, and its MAC verified. -1 (l->error says why) on anything else.
 */
static int recv_frame(struct lvctl_link *l, uint32_t *type, void *buf,
		      size_t *len, int cancel_fd, int timeout_ms)
{
	unsigned char mac[LINK_MAC_LEN], want[LINK_MAC_LEN];
	struct link_frame_head head;

	if (read_exact(l->in_fd, &head, sizeof(head), cancel_fd,
		       timeout_ms)) {
		if (errno != ECANCELED)
			link_fail(l, "lost %s: %s", l->peer, io_error(errno));
		return -1;
	}
	*type = le32toh(head.type);
	*len = le32toh(head.len);
	if (*type < LINK_MSG || *type > LINK_ABORT || *len > frame_max(*type)) {
		link_fail(l, "%s sent a malformed frame (type %u, %zu bytes)",
			  l->peer, *type, *len);
		return -1;
	}
	if (read_exact(l->in_fd, buf, *len, cancel_fd, LINK_IDLE_MS) ||
	    (l->keyed &&
	     read_exact(l->in_fd, mac, LINK_MAC_LEN, cancel_fd,
			LINK_IDLE_MS))) {
		if (errno != ECANCELED)
			link_fail(l, "lost %s in the middle of a frame: %s",
				  l->peer, io_error(errno));
		return -1;
	}
	if (l->keyed && (frame_mac(l, 0, &head, buf, want) ||
			 CRYPTO_memcmp(mac, want, LINK_MAC_LEN))) {
		link_fail(l, "a frame from %s failed authentication: the link was tampered with",
			  l->peer);
		return -1;
	}
	l->frames_in++;
	return 0;
}

int lvctl_link_send_msg(struct lvctl_link *l, const char *text, size_t len)
{
	if (len > LINK_MSG_MAX) {
		lvctl_error("a message to %s would be %zu bytes, more than %d",
			    l->peer, len, LINK_MSG_MAX);
		return -1;
	}
	if (send_frame(l, LINK_MSG, text, len)) {
		lvctl_error("%s", l->error);
		return -1;
	}
	return 0;
}

/*
 * The next message, NUL-terminated, in *@text (the caller frees it);
 * -1 after an error line when the link fails or brings anything else.
 */
int lvctl_link_recv_msg(struct lvctl_link *l, char **text, size_t *len,
			int timeout_ms)
{
	uint32_t type;
	char *buf;

	buf = malloc(LINK_MSG_MAX + 1);
	if (!buf) {
		lvctl_error("out of memory");
		return -1;
	}
	if (recv_frame(l, &type, buf, len, -1, timeout_ms)) {
		lvctl_error("%s", l->error);
		goto fail;
	}
	if (type != LINK_MSG) {
		lvctl_error("%s sent stream data where a message was due",
			    l->peer);
		goto fail;
	}
	buf[*len] = '\0';
	if (strlen(buf) != *len) {
		lvctl_error("%s sent a message with a NUL byte in it", l->peer);
		goto fail;
	}
	*text = buf;
	return 0;
fail:
	free(buf);
	return -1;
}

/* Sender: libxenguest's bytes, as DATA frames; END (or ABORT) at its EOF. */
static void *pump_out(void *arg)
{
	struct lvctl_link *l = arg;
	char *buf = malloc(LINK_DATA_MAX);
	ssize_t n;

	if (!buf) {
		link_fail(l, "out of memory");
		goto out;
	}
	for (;;) {
		n = read(l->pump_fd, buf, LINK_DATA_MAX);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			link_fail(l, "cannot read the guest's stream: %s",
				  strerror(errno));
			break;
		}
		if (n == 0) {
			n = __atomic_load_n(&l->stream_failed, __ATOMIC_ACQUIRE);
			if (!send_frame(l, n ? LINK_ABORT : LINK_END, NULL, 0))
				l->pump_err = 0;
			goto out;
		}
		if (send_frame(l, LINK_DATA, buf, n))
			break;
	}
out:
	/* libxenguest's next write fails instead of waiting for us. */
	if (l->pump_err)
		shutdown(l->pump_fd, SHUT_RDWR);
	free(buf);
	return NULL;
}

/* Receiver: DATA frames into libxenguest's socket, until END. */
static void *pump_in(void *arg)
{
	struct lvctl_link *l = arg;
	char *buf = malloc(LINK_FRAME_MAX);
	uint32_t type;
	size_t len;

	if (!buf) {
		link_fail(l, "out of memory");
		goto out;
	}
	for (;;) {
		/* Our side gave up reading: the pump stops too. */
		if (recv_frame(l, &type, buf, &len, l->pump_fd, LINK_IDLE_MS))
			break;
		if (type == LINK_END) {
			l->pump_err = 0;
			break;
		}
		if (type == LINK_ABORT) {
			link_fail(l, "%s gave up sending the guest", l->peer);
			break;
		}
		if (type != LINK_DATA) {
			link_fail(l, "%s sent a message inside the guest's stream",
				  l->peer);
			break;
		}
		if (lvctl_write_all(l->pump_fd, buf, len)) {
			link_fail(l, "the restore stopped reading the stream");
			break;
		}
	}
out:
	shutdown(l->pump_fd, SHUT_WR);
	free(buf);
	return NULL;
}

/*
 * Starts the pump; returns the descriptor libxenguest writes the stream
 * to (sender) or reads it from (receiver), or -1.
 */
int lvctl_link_stream_start(struct lvctl_link *l)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		lvctl_error("cannot make the stream's socket: %s",
			    strerror(errno));
		return -1;
	}
	l->pump_fd = sv[1];
	l->pump_err = -1;	/* until the pump says otherwise */
	l->stream_failed = 0;
	l->error[0] = '\0';
	errno = pthread_create(&l->pump, NULL, l->sender ? pump_out : pump_in,
			       l);
	if (errno) {
		lvctl_error("cannot start the stream's pump: %s",
			    strerror(errno));
		close(sv[0]);
		close(sv[1]);
		l->pump_fd = -1;
		return -1;
	}
	return sv[0];
}

/*
 * libxenguest is done with @fd, @failed or not: the pump ends (the sender
 * sends END, or ABORT when @failed), and @fd is closed. 0 if the whole
 * stream went through the link; -1 if not, and then l->error says why
 * when the link itself failed (it is empty when the pump was only told
 * to stop).
 */
int lvctl_link_stream_finish(struct lvctl_link *l, int fd, int failed)
{
	if (l->sender) {
		__atomic_store_n(&l->stream_failed, failed, __ATOMIC_RELEASE);
		shutdown(fd, SHUT_WR);
	} else if (failed) {
		/* The receiver's pump reads on to END, unless told to stop. */
		shutdown(fd, SHUT_RDWR);
	}
	pthread_join(l->pump, NULL);
	close(fd);
	close(l->pump_fd);
	l->pump_fd = -1;
	return l->pump_err ? -1 : 0;
}
