// SPDX-License-Identifier: GPL-2.0
/*
 * relay - host-side test of the relay of split devices' keys
 * (drivers/xen/noxs-store/relay.c and relay_keys.c) over noxs-store's real
 * tree (store.c), built against kshim.h under AddressSanitizer and UBSan:
 * what one side publishes the other applies, "state" last and only what
 * changed; a page being written is left alone; every kind of bad line
 * refuses the whole area and writes nothing; a million hostile areas
 * never crash it; and a device's nodes are pruned up to where they began.
 * The relay between real domains is tested in the testbed (net.sh).
 */
#include "store.h"
#include "tap.h"

unsigned int xsl_max_nodes = 4096;
unsigned int xsl_max_watches = 32;
unsigned long xsl_max_bytes = 1024 * 1024;

void xsl_kick(void)
{
}

/* The store API of local_ring.c, on the same tree; writes are logged. */
static char path_buf[XSL_PATH_MAX + 1], keep_buf[XSL_PATH_MAX + 1];
static char write_log[64][96];
static int nr_writes, nr_removes;

int noxs_store_read(const char *path, char *buf, size_t size)
{
	const char *value;
	unsigned int len;
	bool relative;
	int err;

	err = xsl_canonical(path, path_buf, &relative);
	if (!err)
		err = xsl_read(path_buf, &value, &len);
	if (err)
		return err;
	snprintf(buf, size, "%.*s", (int)len, value);
	return len;
}

int noxs_store_write(const char *path, const char *value)
{
	bool relative;
	int err;

	err = xsl_canonical(path, path_buf, &relative);
	if (err)
		return err;
	if (nr_writes < 64)
		snprintf(write_log[nr_writes], sizeof(write_log[0]), "%s=%s",
			 strrchr(path, '/') + 1, value);
	nr_writes++;
	return xsl_write(path_buf, value, strlen(value), false);
}

int noxs_store_remove(const char *path)
{
	bool relative;
	int err;

	err = xsl_canonical(path, path_buf, &relative);
	nr_removes++;
	return err ? err : xsl_remove(path_buf, false);
}

int noxs_store_prune(const char *path, const char *keep)
{
	bool relative;
	int err;

	err = xsl_canonical(path, path_buf, &relative);
	if (!err)
		err = xsl_canonical(keep, keep_buf, &relative);
	return err ? err : xsl_prune(path_buf, keep_buf, false);
}

static bool has(const char *path, const char *want)
{
	char value[128];

	return noxs_store_read(path, value, sizeof(value)) >= 0 &&
	       (!want || !strcmp(value, want));
}

static struct noxs_kv_area area;
static struct noxs_relay_cache cache;
static char scratch[NOXS_KV_AREA_SIZE];

/* Puts @text on the area, as a well-behaved writer would. */
static void area_set(const char *text)
{
	area.seq += 2;
	area.len = strlen(text);
	memcpy(area.data, text, area.len);
}

static int apply(const char *text)
{
	area_set(text);
	nr_writes = nr_removes = 0;
	return noxs_relay_apply(&area, sizeof(area.data), "/front",
				noxs_vif_front_keys, NOXS_VIF_MAX_QUEUES,
				&cache);
}

static void check_publish(void)
{
	struct noxs_kv_area out = { 0 };
	u32 seq = 0;
	int err;

	noxs_store_write("/back/state", "2");
	noxs_store_write("/back/feature-sg", "1");
	noxs_store_write("/back/multi-queue-max-queues", "2");
	noxs_store_write("/back/feature-rx-copy", "garbage");	/* not passed on */
	noxs_store_write("/back/script", "/bin/true");		/* not a key */
	err = noxs_relay_publish(&out, &seq, "/back", noxs_vif_back_keys, 0,
				 scratch);
	tap_ok(!err && out.seq == 2 && seq == 2 &&
	       out.len == strlen("state=2\nfeature-sg=1\nmulti-queue-max-queues=2\n") &&
	       !memcmp(out.data, "state=2\nfeature-sg=1\nmulti-queue-max-queues=2\n",
		       out.len),
	       "publish: the listed keys with valid values, nothing else, seq even (%u)",
	       out.seq);

	noxs_store_write("/front/queue-1/tx-ring-ref", "77");
	noxs_store_write("/front/queue-9/tx-ring-ref", "78");	/* too many */
	err = noxs_relay_publish(&out, &seq, "/front", noxs_vif_front_keys,
				 NOXS_VIF_MAX_QUEUES, scratch);
	tap_ok(!err && out.len == strlen("queue-1/tx-ring-ref=77\n") &&
	       !memcmp(out.data, "queue-1/tx-ring-ref=77\n", out.len) &&
	       seq == 4,
	       "publish: per-queue keys below the queue limit only");
	xsl_remove("/front", false);
}

static void check_apply(void)
{
	int err;

	err = apply("state=4\ntx-ring-ref=8\nqueue-1/rx-ring-ref=9\nrequest-rx-copy=1\n");
	tap_ok(!err && has("/front/tx-ring-ref", "8") &&
	       has("/front/queue-1/rx-ring-ref", "9") && has("/front/state", "4"),
	       "apply: every key lands in the node");
	tap_ok(nr_writes == 4 && !strcmp(write_log[3], "state=4"),
	       "apply: state is written last (%s)", write_log[3]);

	err = apply("state=4\ntx-ring-ref=8\nqueue-1/rx-ring-ref=9\nrequest-rx-copy=1\n");
	tap_ok(!err && nr_writes == 0 && nr_removes == 0,
	       "apply: the same area again writes nothing");

	err = apply("state=5\ntx-ring-ref=10\nrequest-rx-copy=1\n");
	tap_ok(!err && nr_writes == 2 && !strcmp(write_log[1], "state=5") &&
	       has("/front/tx-ring-ref", "10") &&
	       !has("/front/queue-1/rx-ring-ref", NULL) && nr_removes == 1,
	       "apply: only changes are written, a key gone is removed");

	area_set("state=6\n");
	area.seq++;	/* the writer is in the middle of it */
	nr_writes = 0;
	err = noxs_relay_apply(&area, sizeof(area.data), "/front",
			       noxs_vif_front_keys, NOXS_VIF_MAX_QUEUES, &cache);
	tap_ok(err == -EAGAIN && nr_writes == 0 && has("/front/state", "5"),
	       "apply: an odd seq is a page being written: -EAGAIN, nothing applied");
	area.seq++;

	area.len = sizeof(area.data) + 1;
	err = noxs_relay_apply(&area, sizeof(area.data), "/front",
			       noxs_vif_front_keys, NOXS_VIF_MAX_QUEUES, &cache);
	tap_ok(err == -EINVAL && has("/front/state", "5"),
	       "apply: a length past the area is refused");
}

static void check_refusals(void)
{
	static const char *const bad[] = {
		"state=4",			/* no newline */
		"state\n",			/* no '=' */
		"colour=1\n",			/* not a key */
		"state=9\n",			/* past the range */
		"state=0\n",			/* below it */
		"feature-sg=2\n",
		"tx-ring-ref=01\n",		/* leading zero */
		"tx-ring-ref=-1\n",
		"tx-ring-ref=4294967296\n",	/* past u32 */
		"tx-ring-ref=\n",
		"tx-ring-ref= 1\n",
		"state=4\nstate=5\n",		/* twice */
		"queue-8/tx-ring-ref=1\n",	/* past the queues */
		"queue-01/tx-ring-ref=1\n",
		"queue-/tx-ring-ref=1\n",
		"queue-1/state=4\n",		/* not a per-queue key */
		"queue-1/queue-1/tx-ring-ref=1\n",
		"multi-queue-num-queues=9\n",
		"state=4\n\n",			/* an empty line */
		"=4\n",
		"state=4\0\n",
	};
	unsigned int i, refused = 0, untouched = 0;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		area_set(bad[i]);
		if (i == ARRAY_SIZE(bad) - 1)
			area.len = 9;	/* with its NUL */
		nr_writes = nr_removes = 0;
		if (noxs_relay_apply(&area, sizeof(area.data), "/front",
				     noxs_vif_front_keys, NOXS_VIF_MAX_QUEUES,
				     &cache) == -EINVAL)
			refused++;
		if (!nr_writes && !nr_removes && has("/front/state", "5"))
			untouched++;
	}
	tap_ok(refused == ARRAY_SIZE(bad) && untouched == ARRAY_SIZE(bad),
	       "%u kinds of bad line: each area refused (%u) and nothing written (%u)",
	       (unsigned int)ARRAY_SIZE(bad), refused, untouched);

	area_set("state=4\ntx-ring-ref=1\nfeature-sg=7\n");
	nr_writes = 0;
	tap_ok(noxs_relay_apply(&area, sizeof(area.data), "/front",
				noxs_vif_front_keys, NOXS_VIF_MAX_QUEUES,
				&cache) == -EINVAL && !nr_writes,
	       "one bad line among good ones refuses them all");
}

static void check_macs(void)
{
	static const char *const bad[] = {
		"mac=01:16:3e:00:00:01\n",	/* multicast */
		"mac=00:00:00:00:00:00\n",
		"mac=00:16:3E:00:00:01\n",	/* upper case */
		"mac=00:16:3e:00:00\n",
		"mac=00-16-3e-00-00-01\n",
	};
	struct noxs_relay_cache *c = calloc(1, sizeof(*c));
	unsigned int i, refused = 0;
	int err;

	area_set("mac=00:16:3e:0a:0b:0c\n");
	err = noxs_relay_apply(&area, sizeof(area.data), "/dev",
			       noxs_vif_init_keys, 0, c);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		area_set(bad[i]);
		memset(c, 0, sizeof(*c));
		refused += noxs_relay_apply(&area, sizeof(area.data), "/dev",
					    noxs_vif_init_keys, 0, c) == -EINVAL;
	}
	tap_ok(!err && has("/dev/mac", "00:16:3e:0a:0b:0c") &&
	       refused == ARRAY_SIZE(bad),
	       "a MAC is taken as xx:xx:xx:xx:xx:xx, unicast and not zero (%u refused)",
	       refused);
	free(c);
	xsl_remove("/dev", false);
}

/*
 * A vbd's keys: sectors take 64 bits, protocol and device-type a word of
 * their lists, ring-refN a page of a multi-page ring, per queue.
 */
static void check_vbd_keys(void)
{
	static const struct {
		const struct noxs_relay_key *keys;
		const char *text;
	} bad[] = {
		{ noxs_vbd_back_keys, "sectors=18446744073709551616\n" },	/* 2^64 */
		{ noxs_vbd_back_keys, "sectors=-1\n" },
		{ noxs_vbd_back_keys, "sectors=184467440737095516150\n" },	/* 21 digits */
		{ noxs_vbd_front_keys, "protocol=x86_64-abix\n" },
		{ noxs_vbd_front_keys, "protocol=\n" },
		{ noxs_vbd_front_keys, "ring-page-order=5\n" },		/* 32 pages */
		{ noxs_vbd_front_keys, "ring-ref16=8\n" },
		{ noxs_vbd_front_keys, "queue-8/ring-ref=8\n" },
		{ noxs_vbd_init_keys, "device-type=cdrom\n" },
	};
	struct noxs_relay_cache *c = calloc(1, sizeof(*c));
	unsigned int i, refused = 0;
	int back, front, init;

	area_set("state=4\nsectors=18446744073709551615\ninfo=4\n");
	back = noxs_relay_apply(&area, sizeof(area.data), "/vbd",
				noxs_vbd_back_keys, 0, c);
	memset(c, 0, sizeof(*c));
	area_set("state=3\nprotocol=x86_64-abi\nring-page-order=1\n"
		 "queue-7/ring-ref0=8\nqueue-7/ring-ref1=9\nqueue-7/event-channel=5\n");
	front = noxs_relay_apply(&area, sizeof(area.data), "/vbd",
				 noxs_vbd_front_keys, NOXS_VBD_MAX_QUEUES, c);
	memset(c, 0, sizeof(*c));
	area_set("virtual-device=51712\ndevice-type=disk\n");
	init = noxs_relay_apply(&area, sizeof(area.data), "/vbd",
				noxs_vbd_init_keys, 0, c);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		area_set(bad[i].text);
		memset(c, 0, sizeof(*c));
		refused += noxs_relay_apply(&area, sizeof(area.data), "/vbd",
					    bad[i].keys, NOXS_VBD_MAX_QUEUES,
					    c) == -EINVAL;
	}
	tap_ok(!back && !front && !init &&
	       has("/vbd/sectors", "18446744073709551615") &&
	       has("/vbd/protocol", "x86_64-abi") &&
	       has("/vbd/queue-7/ring-ref1", "9") &&
	       has("/vbd/device-type", "disk") && refused == ARRAY_SIZE(bad),
	       "a vbd's keys: 64-bit sectors, words, multi-page rings per queue (%u of %zu refused)",
	       refused, ARRAY_SIZE(bad));
	free(c);
	xsl_remove("/vbd", false);
}

static unsigned int rnd(void)
{
	static u64 x = 88172645463325252ULL;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return (unsigned int)x;
}

/* A line that is often almost right. */
static int random_line(char *out, size_t size)
{
	static const char *const keys[] = {
		"state", "tx-ring-ref", "rx-ring-ref", "event-channel",
		"multi-queue-num-queues", "feature-sg", "queue-0/tx-ring-ref",
		"queue-7/event-channel-rx", "queue-8/tx-ring-ref", "xdp-headroom",
		"bogus", "",
	};
	static const char *const values[] = {
		"0", "1", "2", "4", "8", "9", "65535", "65536", "4294967295",
		"4294967296", "01", "", "x", "-1",
	};
	char junk[8];
	unsigned int i;

	if (rnd() % 16 == 0) {
		for (i = 0; i < sizeof(junk) - 1; i++)
			junk[i] = (char)(rnd() % 256);
		junk[i] = '\0';
		return snprintf(out, size, "%s=%s\n",
				keys[rnd() % ARRAY_SIZE(keys)], junk);
	}
	return snprintf(out, size, "%s%s%s%s",
			keys[rnd() % ARRAY_SIZE(keys)],
			rnd() % 32 ? "=" : "",
			values[rnd() % ARRAY_SIZE(values)],
			rnd() % 32 ? "\n" : "");
}

static void check_fuzz(void)
{
	unsigned int i, j, lines, ok = 0, refused = 0, other = 0;
	char text[NOXS_KV_AREA_SIZE];
	size_t len;
	int err, n;

	for (i = 0; i < 1000000; i++) {
		len = 0;
		lines = rnd() % 24;
		for (j = 0; j < lines; j++) {
			n = random_line(text + len, sizeof(text) - len);
			if (n < 0 || (size_t)n >= sizeof(text) - len)
				break;
			len += n;
		}
		area.seq += 2;
		area.len = rnd() % 64 ? len : rnd();
		memcpy(area.data, text, len);
		err = noxs_relay_apply(&area, sizeof(area.data), "/fuzz",
				       noxs_vif_front_keys,
				       NOXS_VIF_MAX_QUEUES, &cache);
		if (!err)
			ok++;
		else if (err == -EINVAL)
			refused++;
		else
			other++;
	}
	tap_ok(ok && refused && !other,
	       "1000000 random areas: %u applied, %u refused, %u otherwise",
	       ok, refused, other);
	tap_ok(xsl.nr_nodes < 200,
	       "the fuzzed node holds only keys of the table (%u nodes in all)",
	       xsl.nr_nodes);
}

static void check_prune(void)
{
	noxs_store_write("/local/domain/7/device/vif/0/state", "1");
	noxs_store_write("/local/domain/7/device/vif/1/state", "1");
	noxs_store_write("/local/domain/0/backend/vif/7/0/state", "1");
	tap_ok(!noxs_store_prune("/local/domain/7/device/vif/0", "/local/domain") &&
	       has("/local/domain/7/device/vif/1/state", "1") &&
	       !has("/local/domain/7/device/vif/0", NULL),
	       "prune keeps a parent that still has a child");
	tap_ok(!noxs_store_prune("/local/domain/7/device/vif/1", "/local/domain") &&
	       !has("/local/domain/7", NULL) && has("/local/domain", NULL) &&
	       !noxs_store_prune("/local/domain/0/backend/vif/7/0",
				 "/local/domain/0/backend") &&
	       !has("/local/domain/0/backend/vif", NULL) &&
	       has("/local/domain/0/backend", NULL),
	       "prune removes the emptied ancestors, up to and not including where it stops");
	tap_ok(noxs_store_prune("/local/domain", "/local/domain") == -EINVAL &&
	       noxs_store_prune("/elsewhere/x", "/local/domain") == -EINVAL,
	       "prune refuses its stop, and paths outside it");
}

int main(void)
{
	tap_plan(18);
	if (!tap_ok(!xsl_store_init(0), "the store starts"))
		return tap_done();
	noxs_store_write("/local/domain/0/backend/placeholder", "");
	check_publish();
	check_apply();
	check_refusals();
	check_macs();
	check_vbd_keys();
	check_fuzz();
	check_prune();
	xsl_store_fini();
	return tap_done();
}
