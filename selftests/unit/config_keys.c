// SPDX-License-Identifier: GPL-2.0
/*
 * config_keys - host-side test of lvctl's xl.cfg key scanner, the part of
 * config parsing that libxlutil cannot do: which keys a file sets, so that
 * unknown ones are refused. Strings, comments and lists must not fool it.
 */
#include <string.h>

#include "config.h"
#include "tap.h"

struct seen {
	char keys[512];
	char lines[128];
};

static int record(const char *key, int line, void *opaque)
{
	struct seen *seen = opaque;
	char num[16];

	if (seen->keys[0])
		strcat(seen->keys, ",");
	strcat(seen->keys, key);
	snprintf(num, sizeof(num), "%s%d", seen->lines[0] ? "," : "", line);
	strcat(seen->lines, num);
	return 0;
}

static void expect(const char *text, const char *keys, const char *lines,
		   const char *what)
{
	struct seen seen = { "", "" };

	lvctl_config_scan_keys(text, strlen(text), record, &seen);
	tap_ok(!strcmp(seen.keys, keys) && (!lines || !strcmp(seen.lines, lines)),
	       "%s: keys [%s] lines [%s]", what, seen.keys, seen.lines);
}

static int stop_at_second(const char *key, int line, void *opaque)
{
	int *count = opaque;

	(void)key;
	(void)line;
	return ++*count == 2 ? 7 : 0;
}

int main(void)
{
	int count = 0, ret;

	tap_plan(10);

	expect("name = \"a\"\nmemory = 128\n", "name,memory", "1,2",
	       "plain settings");
	expect("# kernel = \"x\"\nname = 'a' # vif = []\n", "name", "2",
	       "comments hide keys");
	expect("extra = \"root=/dev/xvda1 foo = bar\"\n", "extra", "1",
	       "a string with '=' inside is one value");
	expect("extra = 'it\\'s; bogus = 1'\n", "extra", "1",
	       "escaped quotes and ';' in a string");
	expect("vif = [ 'bridge=br0',\n  'mac=00:16:3e:00:00:01' ]\nname = \"a\"\n",
	       "vif,name", "1,3", "a list over lines, then a key");
	expect("name = \"a\"; memory = 64\n", "name,memory", "1,1",
	       "';' separates settings");
	expect("extra += \" quiet\"\n", "extra", "1", "'+=' appends");
	expect("  \tvcpus=2\n", "vcpus", "1", "leading blanks, no spaces");
	expect("name \"a\"\n", "", NULL, "no '=': not a setting (libxlutil reports it)");

	ret = lvctl_config_scan_keys("a = 1\nb = 2\nc = 3\n", 18,
				     stop_at_second, &count);
	tap_ok(ret == 7 && count == 2,
	       "the scan stops at the first non-zero answer (%d after %d)",
	       ret, count);

	return tap_done();
}
