// SPDX-License-Identifier: GPL-2.0
/*
 * The relay of keys between this domain's store and a NoXS key page
 * (struct noxs_kv_page): the part of a split device that both sides share.
 *
 * A relay publishes the keys its own kernel's driver wrote under a device
 * node into its area of the page, and applies the other side's area to a
 * node of its own store, where its kernel's driver reads them as if the
 * other driver had written them there. What comes from the other side is
 * copied out of the shared page once, then checked line by line against
 * the device type's table of keys; one wrong line refuses the whole area.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/string.h>
#include <asm/barrier.h>

#include "noxs-store.h"

/* Room for "DIR/queue-N/KEY": a device node's path and a relative key. */
#define RELAY_PATH_MAX	256
#define RELAY_KEY_MAX	48

static bool relay_decimal(const char *s, size_t len, u64 max, u64 *out)
{
	u64 v = 0;
	size_t i;

	if (!len || len > 20 || (len > 1 && s[0] == '0'))
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v > (U64_MAX - (s[i] - '0')) / 10)
			return false;	/* beyond 64 bits */
		v = v * 10 + (s[i] - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

static bool relay_word(const char *const *words, const char *s, size_t len)
{
	for (; *words; words++)
		if (strlen(*words) == len && !memcmp(*words, s, len))
			return true;
	return false;
}

/* "xx:xx:xx:xx:xx:xx", lower-case hex, unicast, not all zero. */
static bool relay_mac(const char *s, size_t len)
{
	bool nonzero = false;
	size_t i;

	if (len != 17)
		return false;
	for (i = 0; i < len; i++) {
		if (i % 3 == 2) {
			if (s[i] != ':')
				return false;
		} else if (!isdigit(s[i]) && !(s[i] >= 'a' && s[i] <= 'f')) {
			return false;
		} else if (s[i] != '0') {
			nonzero = true;
		}
	}
	return nonzero && !(hex_to_bin(s[1]) & 1);
}

static bool relay_value_ok(const struct noxs_relay_key *key, const char *value,
			   size_t len)
{
	u64 v;

	if (key->kind == NOXS_RELAY_MAC)
		return relay_mac(value, len);
	if (key->kind == NOXS_RELAY_WORD)
		return relay_word(key->words, value, len);
	return relay_decimal(value, len, key->max, &v) && v >= key->min;
}

/*
 * The table's entry for @name ("key" or "queue-N/key" with N < @queues),
 * or NULL.
 */
static const struct noxs_relay_key *relay_key_find(
	const struct noxs_relay_key *keys, unsigned int queues,
	const char *name, size_t len)
{
	const char *slash = memchr(name, '/', len);
	bool queued = false;
	u64 q;

	if (slash) {
		if (len < 7 || memcmp(name, "queue-", 6) ||
		    !relay_decimal(name + 6, slash - name - 6, U32_MAX, &q) ||
		    q >= queues)
			return NULL;
		len -= slash + 1 - name;
		name = slash + 1;
		queued = true;
	}
	for (; keys->name; keys++) {
		if ((!queued || keys->per_queue) && strlen(keys->name) == len &&
		    !memcmp(keys->name, name, len))
			return keys;
	}
	return NULL;
}

/*
 * Checks every line of @text: "key=value\n", a key of @keys, a valid
 * value, no key twice. Returns the number of lines, or -EINVAL.
 */
static int relay_check(const char *text, size_t len,
		       const struct noxs_relay_key *keys, unsigned int queues)
{
	const char *line = text, *end = text + len, *nl, *eq, *other;
	const struct noxs_relay_key *key;
	int lines = 0;

	while (line < end) {
		nl = memchr(line, '\n', end - line);
		if (!nl)
			return -EINVAL;
		eq = memchr(line, '=', nl - line);
		if (!eq || nl - eq - 1 > NOXS_KV_VALUE_MAX ||
		    eq - line > RELAY_KEY_MAX)
			return -EINVAL;
		key = relay_key_find(keys, queues, line, eq - line);
		if (!key || !relay_value_ok(key, eq + 1, nl - eq - 1))
			return -EINVAL;
		/* The same key earlier? */
		for (other = text; other < line;
		     other = (char *)memchr(other, '\n', line - other) + 1) {
			if (!memcmp(other, line, eq - line + 1))
				return -EINVAL;
		}
		lines++;
		line = nl + 1;
	}
	return lines;
}

/* The value of @key ("name=", with its '=') in checked @text, or NULL. */
static const char *relay_lookup(const char *text, size_t len, const char *key,
				size_t key_len, size_t *value_len)
{
	const char *line = text, *end = text + len, *nl;

	for (; line < end; line = nl + 1) {
		nl = memchr(line, '\n', end - line);
		if ((size_t)(nl - line) > key_len && !memcmp(line, key, key_len)) {
			*value_len = nl - line - key_len;
			return line + key_len;
		}
	}
	return NULL;
}

static int relay_path(char *path, const char *dir, const char *key,
		      size_t key_len)
{
	if (snprintf(path, RELAY_PATH_MAX, "%s/%.*s", dir, (int)key_len,
		     key) >= RELAY_PATH_MAX)
		return -ENAMETOOLONG;
	return 0;
}

/* Writes the line [@line, @nl) to the store, unless @old has it already. */
static int relay_write_line(const char *dir, const char *line, const char *nl,
			    const char *old, size_t old_len)
{
	char path[RELAY_PATH_MAX], value[NOXS_KV_VALUE_MAX + 1];
	const char *eq = memchr(line, '=', nl - line), *prev;
	size_t prev_len;
	int err;

	prev = relay_lookup(old, old_len, line, eq - line + 1, &prev_len);
	if (prev && prev_len == (size_t)(nl - eq - 1) && !memcmp(prev, eq + 1, prev_len))
		return 0;
	err = relay_path(path, dir, line, eq - line);
	if (err)
		return err;
	memcpy(value, eq + 1, nl - eq - 1);
	value[nl - eq - 1] = '\0';
	return noxs_store_write(path, value);
}

/*
 * Writes the lines of @text that changed since @old, "state" last: a
 * driver acts on the other end's state, and must find its keys there.
 */
static int relay_write_changes(const char *dir, const char *text, size_t len,
			       const char *old, size_t old_len)
{
	const char *line, *end = text + len, *nl, *state = NULL;
	int err;

	for (line = text; line < end; line = nl + 1) {
		nl = memchr(line, '\n', end - line);
		if (!strncmp(line, "state=", 6)) {
			state = line;
			continue;
		}
		err = relay_write_line(dir, line, nl, old, old_len);
		if (err)
			return err;
	}
	if (!state)
		return 0;
	return relay_write_line(dir, state, memchr(state, '\n', end - state),
				old, old_len);
}

/* Removes the keys of @old that @text has no more. */
static void relay_remove_gone(const char *dir, const char *text, size_t len,
			      const char *old, size_t old_len)
{
	const char *line, *end = old + old_len, *nl, *eq;
	char path[RELAY_PATH_MAX];
	size_t value_len;

	for (line = old; line < end; line = nl + 1) {
		nl = memchr(line, '\n', end - line);
		eq = memchr(line, '=', nl - line);
		if (relay_lookup(text, len, line, eq - line + 1, &value_len))
			continue;
		if (!relay_path(path, dir, line, eq - line))
			noxs_store_remove(path);
	}
}

/*
 * Copies the other side's @area out of the shared page, checks it against
 * @keys (per-queue keys for queues below @queues), and makes the store's
 * node @dir say the same: changed keys written ("state" last), vanished
 * keys removed. @cache remembers what was applied. Returns 0, -EAGAIN if
 * the area was being changed (its writer notifies again when done), or
 * -EINVAL if it is wrong (nothing is applied).
 */
int noxs_relay_apply(const struct noxs_kv_area *area, size_t size,
		     const char *dir, const struct noxs_relay_key *keys,
		     unsigned int queues, struct noxs_relay_cache *cache)
{
	u32 seq, len;
	int err;

	seq = READ_ONCE(area->seq);
	if (seq & 1)
		return -EAGAIN;
	virt_rmb();
	len = READ_ONCE(area->len);
	if (len > size || len > sizeof(cache->scratch))
		return -EINVAL;
	memcpy(cache->scratch, area->data, len);
	virt_rmb();
	if (READ_ONCE(area->seq) != seq)
		return -EAGAIN;

	err = relay_check(cache->scratch, len, keys, queues);
	if (err < 0)
		return err;
	if (len == cache->len && !memcmp(cache->scratch, cache->applied, len))
		return 0;

	relay_remove_gone(dir, cache->scratch, len, cache->applied,
			  cache->len);
	err = relay_write_changes(dir, cache->scratch, len, cache->applied,
				  cache->len);
	if (err) {
		cache->len = 0;	/* write everything again next time */
		return err;
	}
	memcpy(cache->applied, cache->scratch, len);
	cache->len = len;
	return 0;
}
EXPORT_SYMBOL_GPL(noxs_relay_apply);

/* Appends "name=value\n" of @dir/@name, if the store has a valid one. */
static int relay_append(char *buf, size_t size, size_t *len, const char *dir,
			const char *name, const struct noxs_relay_key *key)
{
	char path[RELAY_PATH_MAX], value[NOXS_KV_VALUE_MAX + 2];
	int n, err;

	err = relay_path(path, dir, name, strlen(name));
	if (err)
		return err;
	n = noxs_store_read(path, value, sizeof(value));
	if (n < 0 || n > NOXS_KV_VALUE_MAX || !relay_value_ok(key, value, n))
		return 0;	/* absent, or nothing the other side takes */
	n = snprintf(buf + *len, size - *len, "%s=%s\n", name, value);
	if ((size_t)n >= size - *len)
		return -E2BIG;
	*len += n;
	return 0;
}

/*
 * Publishes the keys of @keys that the store has under @dir (per-queue
 * keys for queues below @queues) into our @area of the shared page. Our
 * own sequence number is in *@seq: the page's copy is the other side's to
 * read, not ours to trust. @scratch holds NOXS_KV_AREA_SIZE bytes.
 */
int noxs_relay_publish(struct noxs_kv_area *area, u32 *seq, const char *dir,
		       const struct noxs_relay_key *keys, unsigned int queues,
		       char *scratch)
{
	const struct noxs_relay_key *key;
	char name[RELAY_KEY_MAX + 1];
	size_t len = 0;
	unsigned int q;
	int err = 0;

	for (key = keys; key->name && !err; key++)
		err = relay_append(scratch, NOXS_KV_AREA_SIZE, &len, dir,
				   key->name, key);
	for (q = 0; q < queues && !err; q++) {
		for (key = keys; key->name && !err; key++) {
			if (!key->per_queue)
				continue;
			snprintf(name, sizeof(name), "queue-%u/%s", q,
				 key->name);
			err = relay_append(scratch, NOXS_KV_AREA_SIZE, &len,
					   dir, name, key);
		}
	}
	if (err)
		return err;

	WRITE_ONCE(area->seq, ++*seq);		/* odd: changing */
	virt_wmb();
	memcpy(area->data, scratch, len);
	WRITE_ONCE(area->len, len);
	virt_wmb();
	WRITE_ONCE(area->seq, ++*seq);		/* even: whole */
	return 0;
}
EXPORT_SYMBOL_GPL(noxs_relay_publish);
