// SPDX-License-Identifier: GPL-2.0
/*
 * migrate_link - lvctl's migration link on the host, over socketpairs:
 * HMAC-SHA256 against RFC 4231's vectors, key files, the handshake with
 * the same key, a wrong key and no key, messages, a whole stream through
 * the pumps, and a frame altered on the way. The real migrations are
 * selftests/migrate.sh's, between two Xen hosts.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lvctl.h"
#include "migrate_link.h"
#include "tap.h"

static int hex_is(const unsigned char *mac, const char *hex)
{
	char buf[2 * LINK_MAC_LEN + 1];
	int i;

	for (i = 0; i < LINK_MAC_LEN; i++)
		sprintf(buf + 2 * i, "%02x", mac[i]);
	return !strcmp(buf, hex);
}

static void test_hmac(void)
{
	unsigned char key1[20], mac[LINK_MAC_LEN];
	const void *parts[2];
	size_t lens[2];

	/* RFC 4231, test case 1 */
	memset(key1, 0x0b, sizeof(key1));
	parts[0] = "Hi There";
	lens[0] = 8;
	tap_ok(!lvctl_link_mac(key1, sizeof(key1), parts, lens, 1, mac) &&
	       hex_is(mac, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
	       "HMAC-SHA256: RFC 4231 test case 1");
	/* RFC 4231, test case 2, in two parts */
	parts[0] = "what do ya want ";
	lens[0] = 16;
	parts[1] = "for nothing?";
	lens[1] = 12;
	tap_ok(!lvctl_link_mac((const unsigned char *)"Jefe", 4, parts, lens,
			       2, mac) &&
	       hex_is(mac, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
	       "HMAC-SHA256: RFC 4231 test case 2, given in two parts");
}

static char dir[] = "/tmp/migrate_link.XXXXXX";

static const char *key_file(const char *name, const char *bytes, size_t len,
			    mode_t mode)
{
	static char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0 || write(fd, bytes, len) != (ssize_t)len)
		tap_diag("cannot write %s", path);
	fchmod(fd, mode);
	close(fd);
	return path;
}

static void test_key_files(void)
{
	struct lvctl_link l = { 0 };
	const char *k32 = "0123456789abcdef0123456789abcdef";

	tap_ok(!lvctl_link_load_key(&l, key_file("good", k32, 32, 0600)) &&
	       l.keyed && l.key_len == 32, "a 32-byte key file of mode 0600 loads");
	memset(&l, 0, sizeof(l));
	tap_ok(lvctl_link_load_key(&l, key_file("open", k32, 32, 0644)) &&
	       strstr(lvctl_last_error, "chmod 600") && !l.keyed,
	       "a key file others may read is refused: %s", lvctl_last_error);
	tap_ok(lvctl_link_load_key(&l, key_file("short", k32, 8, 0600)) &&
	       strstr(lvctl_last_error, "8 bytes"),
	       "an 8-byte key is refused: %s", lvctl_last_error);
	tap_ok(lvctl_link_load_key(&l, dir) &&
	       strstr(lvctl_last_error, "not a regular file"),
	       "a directory is refused: %s", lvctl_last_error);
}

/* The receiver's end, in a child: its exit status says how it went. */
enum peer_job { PEER_HANDSHAKE, PEER_ECHO, PEER_STREAM };

static int run_peer(int fd, const char *key, enum peer_job job)
{
	struct lvctl_link l = { 0 };
	char buf[4096], *msg;
	size_t len, total = 0;
	int sfd;
	ssize_t n;

	lvctl_quiet = 1;
	if (key && lvctl_link_load_key(&l, key))
		return 10;
	lvctl_link_init(&l, fd, fd, "the sender", 0);
	if (lvctl_link_handshake(&l))
		return 11;
	if (job == PEER_ECHO) {
		if (lvctl_link_recv_msg(&l, &msg, &len, 5000))
			return strstr(lvctl_last_error, "authentication") ? 20 : 12;
		if (lvctl_link_send_msg(&l, msg, len))
			return 13;
		free(msg);
	} else if (job == PEER_STREAM) {
		sfd = lvctl_link_stream_start(&l);
		if (sfd < 0)
			return 14;
		while ((n = read(sfd, buf, sizeof(buf))) > 0)
			total += n;
		if (lvctl_link_stream_finish(&l, sfd, 0) || total != 1 << 20)
			return 15;
		if (lvctl_link_send_msg(&l, "got it", 6))
			return 16;
	}
	return 0;
}

static pid_t start_peer(int *fd, const char *key, enum peer_job job)
{
	int sv[2];
	pid_t pid;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		_exit(run_peer(sv[1], key, job));
	}
	close(sv[1]);
	*fd = sv[0];
	return pid;
}

static int peer_status(pid_t pid)
{
	int status;

	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int sender(struct lvctl_link *l, int fd, const char *key)
{
	memset(l, 0, sizeof(*l));
	if (key && lvctl_link_load_key(l, key))
		return -1;
	lvctl_link_init(l, fd, fd, "host-b", 1);
	if (lvctl_link_handshake(l)) {
		lvctl_error("%s", l->error);
		return -1;
	}
	return 0;
}

static void test_handshakes(const char *key, const char *other)
{
	struct lvctl_link l;
	int fd, ret, st;
	pid_t pid;

	pid = start_peer(&fd, key, PEER_HANDSHAKE);
	ret = sender(&l, fd, key);
	close(fd);
	st = peer_status(pid);
	tap_ok(!ret && st == 0, "the handshake with the same key (peer %d)", st);

	pid = start_peer(&fd, key, PEER_HANDSHAKE);
	ret = sender(&l, fd, other);
	close(fd);
	st = peer_status(pid);
	tap_ok(ret && strstr(lvctl_last_error, "wrong key") && st == 11,
	       "a wrong key fails both ends: %s", lvctl_last_error);

	pid = start_peer(&fd, key, PEER_HANDSHAKE);
	ret = sender(&l, fd, NULL);
	close(fd);
	st = peer_status(pid);
	tap_ok(ret && st == 11, "a keyed receiver refuses a sender with no key: %s",
	       lvctl_last_error);

	pid = start_peer(&fd, NULL, PEER_HANDSHAKE);
	ret = sender(&l, fd, key);
	close(fd);
	st = peer_status(pid);
	tap_ok(ret && strstr(lvctl_last_error, "unauthenticated"),
	       "a keyed sender refuses a receiver with no key: %s",
	       lvctl_last_error);
}

static void test_messages(const char *key)
{
	struct lvctl_link l;
	char *msg = NULL;
	size_t len;
	int fd, ok, st;
	pid_t pid;

	pid = start_peer(&fd, key, PEER_ECHO);
	ok = !sender(&l, fd, key) && !lvctl_link_send_msg(&l, "offer 0\nname = \"x\"", 18) &&
	     !lvctl_link_recv_msg(&l, &msg, &len, 5000) && len == 18 &&
	     !strcmp(msg, "offer 0\nname = \"x\"");
	free(msg);
	close(fd);
	st = peer_status(pid);
	tap_ok(ok && st == 0, "a message goes there and back, authenticated");

	/* The same, with one byte of the message flipped on the way. */
	pid = start_peer(&fd, key, PEER_ECHO);
	ok = !sender(&l, fd, key);
	l.frames_out = 7;	/* the receiver expects frame 0: the MAC fails */
	ok = ok && !lvctl_link_send_msg(&l, "go", 2);
	close(fd);
	st = peer_status(pid);
	tap_ok(ok && st == 20, "a frame out of order (a replay) fails its MAC (peer %d)", st);
}

static void test_stream(const char *key)
{
	struct lvctl_link l;
	char *buf = calloc(1, 1 << 20), *msg = NULL;
	size_t len;
	int fd, sfd, ok, st;
	pid_t pid;

	pid = start_peer(&fd, key, PEER_STREAM);
	ok = !sender(&l, fd, key);
	sfd = ok ? lvctl_link_stream_start(&l) : -1;
	ok = sfd >= 0 && !lvctl_write_all(sfd, buf, 1 << 20) &&
	     !lvctl_link_stream_finish(&l, sfd, 0) &&
	     !lvctl_link_recv_msg(&l, &msg, &len, 5000) && !strcmp(msg, "got it");
	free(msg);
	free(buf);
	close(fd);
	st = peer_status(pid);
	tap_ok(ok && st == 0, "1 MiB through the pumps, then a message (peer %d)", st);
}

int main(void)
{
	char key[300], other[300];

	signal(SIGPIPE, SIG_IGN);
	tap_plan(13);
	test_hmac();
	if (!mkdtemp(dir))
		return 1;
	test_key_files();
	snprintf(key, sizeof(key), "%s", key_file("k1", "a shared secret, 32 bytes long!!", 32, 0600));
	snprintf(other, sizeof(other), "%s", key_file("k2", "another secret of 32 bytes, too.", 32, 0600));
	lvctl_quiet = 1;
	test_handshakes(key, other);
	test_messages(key);
	test_stream(key);
	for (const char *const *n = (const char *const[]){ "good", "open", "short", "k1", "k2", NULL }; *n; n++) {
		snprintf(key, sizeof(key), "%s/%s", dir, *n);
		unlink(key);
	}
	rmdir(dir);
	return tap_done();
}
