// SPDX-License-Identifier: GPL-2.0
/*
 * vif specs: "mac=00:16:3e:01:02:03,bridge=br0,ip=10.0.0.2/24,vifname=web0".
 * Every key is checked; a key lvctl does not know is refused by name
 * rather than ignored, as the config's own keys are.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "lvctl.h"
#include "vif.h"

/* What xl has that lvctl leaves to later, or to others, with why. */
static const struct {
	const char *key;
	const char *why;
} vif_keys_refused[] = {
	{ "script", "lvctl does the hotplug work itself" },
	{ "model", "emulated network cards are for HVM guests" },
	{ "type", "lvctl guests have PV interfaces only" },
	{ "backend", "the backend is dom0" },
	{ "rate", "not supported yet" },
	{ "gatewaydev", "not supported yet" },
	{ "mtu", "not supported yet" },
	{ "devid", "interfaces are numbered in the order given" },
};

/* A Linux interface name: 1-15 characters, no '/', ':' or white space. */
static int valid_ifname(const char *name)
{
	size_t len = strlen(name), i;

	if (!len || len >= LVCTL_IFNAME_SIZE || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return 0;
	for (i = 0; i < len; i++)
		if (name[i] == '/' || name[i] == ':' ||
		    isspace((unsigned char)name[i]) ||
		    !isprint((unsigned char)name[i]))
			return 0;
	return 1;
}

/* Six hex octets, unicast, not all zero; stored in lower case. */
static int parse_mac(const char *s, char mac[LVCTL_MAC_SIZE])
{
	unsigned int o[6];
	char tail;

	if (strlen(s) != LVCTL_MAC_SIZE - 1 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &o[0], &o[1], &o[2], &o[3],
		   &o[4], &o[5], &tail) != 6 ||
	    s[2] != ':' || s[5] != ':' || s[8] != ':' || s[11] != ':' ||
	    s[14] != ':' || (o[0] & 1) ||
	    !(o[0] | o[1] | o[2] | o[3] | o[4] | o[5]))
		return -1;
	snprintf(mac, LVCTL_MAC_SIZE, "%02hhx:%02hhx:%02hhx:%02hhx:%02hhx:%02hhx",
		 (unsigned char)o[0], (unsigned char)o[1], (unsigned char)o[2],
		 (unsigned char)o[3], (unsigned char)o[4], (unsigned char)o[5]);
	return 0;
}

/* "A.B.C.D" or "A.B.C.D/N". */
static int valid_ip(const char *s)
{
	char addr[LVCTL_IP_SIZE], *slash, *end;
	struct in_addr in;
	long prefix;

	if (strlen(s) >= sizeof(addr))
		return 0;
	strcpy(addr, s);
	slash = strchr(addr, '/');
	if (slash) {
		*slash = '\0';
		prefix = strtol(slash + 1, &end, 10);
		if (end == slash + 1 || *end || prefix < 0 || prefix > 32)
			return 0;
	}
	return inet_pton(AF_INET, addr, &in) == 1;
}

static int set_value(const char *key, const char *value, const char *where,
		     struct lvctl_vif *vif)
{
	size_t i;

	if (!strcmp(key, "mac")) {
		if (parse_mac(value, vif->mac))
			goto bad;
		vif->mac_given = 1;
	} else if (!strcmp(key, "bridge")) {
		if (!valid_ifname(value))
			goto bad;
		strcpy(vif->bridge, value);
	} else if (!strcmp(key, "vifname")) {
		if (!valid_ifname(value))
			goto bad;
		strcpy(vif->vifname, value);
	} else if (!strcmp(key, "ip")) {
		if (!valid_ip(value))
			goto bad;
		strcpy(vif->ip, value);
	} else {
		for (i = 0; i < sizeof(vif_keys_refused) /
				sizeof(vif_keys_refused[0]); i++) {
			if (strcmp(key, vif_keys_refused[i].key))
				continue;
			lvctl_error("%s: vif key '%s' is not supported (%s)",
				    where, key, vif_keys_refused[i].why);
			return -1;
		}
		lvctl_error("%s: unknown vif key '%s'", where, key);
		return -1;
	}
	return 0;
bad:
	lvctl_error("%s: vif %s=%s: %s", where, key, value,
		    !strcmp(key, "mac") ? "expected six hex octets, unicast, like 00:16:3e:01:02:03" :
		    !strcmp(key, "ip") ? "expected an IPv4 address, with a /prefix or not" :
		    "expected an interface name of 1-15 characters, no '/', ':' or spaces");
	return -1;
}

/*
 * One spec into @vif (its MAC left empty when not given: the caller
 * generates it); @where names the config and the spec in errors.
 */
int lvctl_vif_parse(const char *spec, const char *where,
		    struct lvctl_vif *vif)
{
	char *copy, *rest, *item, *eq;
	int ret = 0;

	memset(vif, 0, sizeof(*vif));
	copy = strdup(spec);
	if (!copy) {
		lvctl_error("out of memory");
		return -1;
	}
	rest = copy;
	while (!ret && (item = strsep(&rest, ",")) != NULL) {
		while (isspace((unsigned char)*item))
			item++;
		if (!*item && !rest)
			break;	/* a trailing comma, as xl allows */
		eq = strchr(item, '=');
		if (!eq || eq == item) {
			lvctl_error("%s: vif '%s': expected key=value", where,
				    item);
			ret = -1;
			break;
		}
		*eq = '\0';
		ret = set_value(item, eq + 1, where, vif);
	}
	free(copy);
	return ret;
}

/*
 * A MAC for interface @index of guest @guest that does not change from one
 * create to the next: Xen's 00:16:3e prefix, then 23 bits of an FNV-1a
 * hash of the two (the OUI's upper half is left to others, as xl does).
 */
void lvctl_vif_default_mac(const char *guest, unsigned int index,
			   char mac[LVCTL_MAC_SIZE])
{
	uint32_t h = 2166136261u;
	const char *p;

	for (p = guest; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	h = (h ^ ('/' + index)) * 16777619u;
	snprintf(mac, LVCTL_MAC_SIZE, "00:16:3e:%02hhx:%02hhx:%02hhx",
		 (unsigned char)((h >> 16) & 0x7f), (unsigned char)(h >> 8),
		 (unsigned char)h);
}

/*
 * A random MAC in the same range, for a template's shell: its guests'
 * names are not known when its vifs are made. Returns 0, or -1.
 */
int lvctl_vif_random_mac(char mac[LVCTL_MAC_SIZE])
{
	unsigned char r[3];

	if (getrandom(r, sizeof(r), 0) != sizeof(r)) {
		lvctl_error("cannot make a random MAC: %s", strerror(errno));
		return -1;
	}
	snprintf(mac, LVCTL_MAC_SIZE, "00:16:3e:%02hhx:%02hhx:%02hhx",
		 (unsigned char)(r[0] & 0x7f), r[1], r[2]);
	return 0;
}

/*
 * The spec back, as lvctl writes it into a saved config: with its MAC, or
 * with @given_mac_only, only a MAC the config gave (a template's guests
 * each get their own from their names).
 */
void lvctl_vif_format(const struct lvctl_vif *vif, int given_mac_only,
		      char spec[LVCTL_VIF_SPEC_SIZE])
{
	int mac = vif->mac_given || !given_mac_only;

	snprintf(spec, LVCTL_VIF_SPEC_SIZE, "%s%s%s%s%s%s%s%s",
		 mac ? "mac=" : "", mac ? vif->mac : "",
		 vif->bridge[0] ? ",bridge=" : "", vif->bridge,
		 vif->vifname[0] ? ",vifname=" : "", vif->vifname,
		 vif->ip[0] ? ",ip=" : "", vif->ip);
	/* No MAC: the spec starts at its first key, not at a comma. */
	if (spec[0] == ',')
		memmove(spec, spec + 1, strlen(spec));
}
