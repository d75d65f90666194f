// SPDX-License-Identifier: GPL-2.0
/*
 * config_file - host-side test of lvctl's config reader and writer: what
 * lvctl saves for a restart reads back as the same configuration, and bad
 * values are refused: a list where a single value belongs names its key,
 * a FIFO is refused without blocking. xl's keys (uuid, root, maxvcpus,
 * cpus, cpu_weight ...) read and write back the same; CPU specs are read
 * as xl.cfg(5) has them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "config.h"
#include "cpumap.h"
#include "lvctl.h"
#include "tap.h"

static char dir[] = "/tmp/lvctl-config-XXXXXX";

static const char *write_text(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static int same(const struct lvctl_config *a, const struct lvctl_config *b)
{
	return !strcmp(a->name, b->name) && !strcmp(a->kernel, b->kernel) &&
	       !strcmp(a->ramdisk, b->ramdisk) && !strcmp(a->cmdline, b->cmdline) &&
	       a->memory_mb == b->memory_mb && a->maxmem_mb == b->maxmem_mb &&
	       a->vcpus == b->vcpus && a->on_poweroff == b->on_poweroff &&
	       a->on_reboot == b->on_reboot && a->on_crash == b->on_crash;
}

/* A config of @text is refused with an error that contains @why. */
static void check_refused(const char *name, const char *text, const char *why)
{
	struct lvctl_config cfg;
	int ret;

	lvctl_last_error[0] = '\0';
	ret = lvctl_config_read(write_text(name, text), &cfg);
	tap_ok(ret < 0 && strstr(lvctl_last_error, why), "refused: %s",
	       lvctl_last_error);
	if (!ret)
		lvctl_config_free(&cfg);
}

/* disk lists: xl's forms parsed, numbered, checked, written back the same. */
static void check_disks(void)
{
	struct lvctl_config cfg, back;
	char saved[300];
	int ret, fd;

	ret = lvctl_config_read(write_text("d1.cfg",
		"name = \"d\"\nkernel = \"/k\"\n"
		"disk = [ 'format=raw,vdev=xvda,access=rw,target=/img/root.img', "
		"'phy:/dev/vg/data,xvdb,r', 'file:/img/x.img,xvdc,w', "
		"'/img/y.img,,xvdq', 'rel.img,raw,xvdaa,ro' ]\n"), &cfg);
	tap_ok(!ret && cfg.nr_disks == 5 &&
	       !strcmp(cfg.disks[0].target, "/img/root.img") &&
	       !cfg.disks[0].readonly && cfg.disks[0].devnum == 51712 &&
	       !strcmp(cfg.disks[1].target, "/dev/vg/data") &&
	       cfg.disks[1].readonly && cfg.disks[1].devnum == 51728 &&
	       !cfg.disks[2].readonly && cfg.disks[2].devnum == 51744 &&
	       cfg.disks[3].devnum == (1U << 28 | 16 << 8) &&
	       cfg.disks[4].target[0] == '/' && cfg.disks[4].readonly &&
	       cfg.disks[4].devnum == (1U << 28 | 26 << 8),
	       "five disks in xl's forms: targets, access, vdev numbers (%s)",
	       ret ? lvctl_last_error : "ok");
	if (ret)
		return;

	snprintf(saved, sizeof(saved), "%s/dsaved.cfg", dir);
	fd = lvctl_config_write(&cfg, saved);
	if (fd >= 0)
		close(fd);
	ret = lvctl_config_read(saved, &back);
	tap_ok(!ret && back.nr_disks == 5 &&
	       !strcmp(back.disks[4].target, cfg.disks[4].target) &&
	       back.disks[1].readonly && back.disks[3].devnum == cfg.disks[3].devnum,
	       "the disks are saved and read back the same");
	if (!ret)
		lvctl_config_free(&back);
	lvctl_config_free(&cfg);

	check_refused("d2.cfg", "name = \"n\"\nkernel = \"/k\"\ndisk = [ '/i.img,qcow2,xvda,w' ]\n",
		      "format qcow2 is not supported (raw only)");
	check_refused("d3.cfg", "name = \"n\"\nkernel = \"/k\"\ndisk = [ '/i.iso,,xvdc,cdrom' ]\n",
		      "cdrom is not supported");
	check_refused("d4.cfg", "name = \"n\"\nkernel = \"/k\"\n"
		      "disk = [ 'script=block-iscsi,vdev=xvda,target=iqn' ]\n",
		      "script= is not supported");
	check_refused("d5.cfg", "name = \"n\"\nkernel = \"/k\"\ndisk = [ '/i.img,,hda,w' ]\n",
		      "vdev hda: expected xvda");
	check_refused("d6.cfg", "name = \"n\"\nkernel = \"/k\"\n"
		      "disk = [ '/a.img,,xvda,w', '/b.img,,xvda,r' ]\n",
		      "xvda is disk 0's already");
	check_refused("d7.cfg", "name = \"n\"\nkernel = \"/k\"\n"
		      "disk = [ 'vdev=xvda,backendtype=qdisk,target=/a.img' ]\n",
		      "backendtype qdisk is not supported");
	check_refused("d8.cfg", "name = \"n\"\nkernel = \"/k\"\ndisk = [ 'colour=red' ]\n",
		      "not a disk spec of xl's");
	check_refused("d9.cfg", "name = \"n\"\nkernel = \"/k\"\ndisk = [ ',,xvda,w' ]\n",
		      "no target");
}

static int same_vif(const struct lvctl_vif *a, const struct lvctl_vif *b)
{
	return !strcmp(a->mac, b->mac) && !strcmp(a->bridge, b->bridge) &&
	       !strcmp(a->vifname, b->vifname) && !strcmp(a->ip, b->ip);
}

/* vif lists: parsed, checked, MACs made stable, written back the same. */
static void check_vifs(void)
{
	struct lvctl_config cfg, back, again;
	char saved[300], mac0[LVCTL_MAC_SIZE];
	int ret, fd;

	ret = lvctl_config_read(write_text("v1.cfg",
		"name = \"net\"\nkernel = \"/k\"\n"
		"vif = [ 'bridge=br0,ip=10.0.0.2/24', "
		"'mac=00:16:3E:AA:bb:01,bridge=br1,vifname=web0', ]\n"), &cfg);
	tap_ok(!ret && cfg.nr_vifs == 2 && !strcmp(cfg.vifs[0].bridge, "br0") &&
	       !strcmp(cfg.vifs[0].ip, "10.0.0.2/24") &&
	       !strcmp(cfg.vifs[1].mac, "00:16:3e:aa:bb:01") &&
	       !strcmp(cfg.vifs[1].vifname, "web0"),
	       "two vifs, a trailing comma, a MAC in upper case kept in lower case");
	if (ret)
		return;
	tap_ok(!strncmp(cfg.vifs[0].mac, "00:16:3e:", 9) &&
	       !(strtoul(cfg.vifs[0].mac + 9, NULL, 16) & 0x80),
	       "a missing MAC is made in Xen's 00:16:3e range, lower half (%s)",
	       cfg.vifs[0].mac);
	strcpy(mac0, cfg.vifs[0].mac);
	ret = lvctl_config_read(write_text("v2.cfg",
		"name = \"net\"\nkernel = \"/k\"\nvif = [ 'bridge=br0' ]\n"),
		&again);
	tap_ok(!ret && !strcmp(again.vifs[0].mac, mac0),
	       "the same guest and index get the same MAC again");
	if (!ret)
		lvctl_config_free(&again);
	ret = lvctl_config_read(write_text("v3.cfg",
		"name = \"other\"\nkernel = \"/k\"\nvif = [ 'bridge=br0' ]\n"),
		&again);
	tap_ok(!ret && strcmp(again.vifs[0].mac, mac0),
	       "another guest gets another (%s)", ret ? "-" : again.vifs[0].mac);
	if (!ret)
		lvctl_config_free(&again);

	snprintf(saved, sizeof(saved), "%s/vsaved.cfg", dir);
	fd = lvctl_config_write(&cfg, saved);
	if (fd >= 0)
		close(fd);
	ret = lvctl_config_read(saved, &back);
	tap_ok(!ret && back.nr_vifs == 2 && same_vif(&back.vifs[0], &cfg.vifs[0]) &&
	       same_vif(&back.vifs[1], &cfg.vifs[1]) &&
	       !strcmp(back.vifs[0].mac, mac0),
	       "the vifs are saved and read back the same, MACs and all");
	if (!ret)
		lvctl_config_free(&back);

	/* A template's text: only the MAC it was given, the rest by name. */
	{
		size_t len;
		char *text = lvctl_config_format_given_macs(&cfg, &len);

		ret = !text || lvctl_config_parse(text, len, "t", &back);
		tap_ok(!ret && back.nr_vifs == 2 && !back.vifs[0].mac_given &&
		       back.vifs[1].mac_given &&
		       !strcmp(back.vifs[1].mac, "00:16:3e:aa:bb:01") &&
		       strstr(text, "\"bridge=br0,ip=10.0.0.2/24\""),
		       "a template's text keeps a given MAC and leaves a made one out");
		if (!ret)
			lvctl_config_free(&back);
		free(text);
	}
	lvctl_config_free(&cfg);

	check_refused("v4.cfg", "name = \"n\"\nkernel = \"/k\"\nvif = [ 'colour=red' ]\n",
		      "unknown vif key 'colour'");
	check_refused("v5.cfg", "name = \"n\"\nkernel = \"/k\"\nvif = [ 'script=vif-bridge' ]\n",
		      "vif key 'script' is not supported (lvctl does the hotplug work itself)");
	check_refused("v6.cfg", "name = \"n\"\nkernel = \"/k\"\nvif = [ 'mac=00:16:3e:zz:00:01' ]\n",
		      "vif mac=00:16:3e:zz:00:01: expected six hex octets");
	check_refused("v7.cfg", "name = \"n\"\nkernel = \"/k\"\nvif = [ 'mac=01:16:3e:00:00:01' ]\n",
		      "unicast");
	check_refused("v8.cfg", "name = \"n\"\nkernel = \"/k\"\n"
		      "vif = [ 'vifname=a', 'vifname=a' ]\n", "a is vif 0's already");
	check_refused("v9.cfg", "name = \"n\"\nkernel = \"/k\"\nvif = [ 'bridge=a/b' ]\n",
		      "expected an interface name");
	check_refused("v10.cfg", "name = \"n\"\nkernel = \"/k\"\nvif = [ 'ip=10.0.0.300' ]\n",
		      "expected an IPv4 address");
	check_refused("v11.cfg", "name = \"n\"\nkernel = \"/k\"\nvif = 'bridge=br0'\n",
		      "vif: expected a list of specs");
	check_refused("v12.cfg", "name = \"n\"\nkernel = \"/k\"\nvif = [ 'bridge' ]\n",
		      "expected key=value");
	check_refused("v13.cfg", "name = \"n\"\nkernel = \"/k\"\n"
		      "vif = [ '', '', '', '', '', '', '', '', '' ]\n", "vif: 9 specs, at most 8");
}

/* xl's keys beside the size: read, written, read back the same. */
static void check_xl_keys(void)
{
	static const uint8_t uuid[16] = { 0x3f, 0xb7, 0x8b, 0xa6, 0x81, 0x82,
		0x42, 0x1c, 0xb1, 0xa5, 0x6b, 0x1f, 0x5c, 0x2d, 0x7e, 0x3d };
	struct lvctl_config cfg, back;
	char saved[300];
	int ret, fd;

	ret = lvctl_config_read(write_text("x.cfg",
		"name = \"x\"\nuuid = \"3FB78BA6-8182-421c-b1a5-6b1f5c2d7e3d\"\n"
		"type = \"pv\"\nbuilder = \"generic\"\nkernel = \"/k\"\n"
		"root = \"/dev/xvda1 ro\"\nextra = \"quiet\"\nvcpus = 2\n"
		"maxvcpus = 200\n"), &cfg);
	tap_ok(ret < 0 && strstr(lvctl_last_error, "maxvcpus = 200"),
	       "maxvcpus above Xen's 128 is refused: %s", lvctl_last_error);
	ret = lvctl_config_read(write_text("x.cfg",
		"name = \"x\"\nuuid = \"3FB78BA6-8182-421c-b1a5-6b1f5c2d7e3d\"\n"
		"type = \"pv\"\nbuilder = \"generic\"\nkernel = \"/k\"\n"
		"root = \"/dev/xvda1 ro\"\nextra = \"quiet\"\nvcpus = 2\n"
		"maxvcpus = 4\ncpus = [ \"0\", \"1-3,^2\" ]\ncpus_soft = \"all\"\n"
		"cpu_weight = 512\ncap = 0\nmax_grant_frames = 32\n"
		"max_event_channels = 2048\nlocaltime = 1\n"
		"on_watchdog = \"restart\"\n"), &cfg);
	tap_ok(!ret && cfg.has_uuid && !memcmp(cfg.uuid, uuid, 16) &&
	       !strcmp(cfg.cmdline, "root=/dev/xvda1 ro quiet") &&
	       cfg.vcpus == 2 && cfg.max_vcpus == 4 && cfg.cpus.list &&
	       cfg.cpus.nr == 2 && !strcmp(cfg.cpus.specs[1], "1-3,^2") &&
	       !cfg.cpus_soft.list && cfg.cpu_weight == 512 && cfg.cap == 0 &&
	       cfg.max_grant_frames == 32 && cfg.max_event_channels == 2048 &&
	       cfg.localtime && cfg.on_watchdog == LVCTL_ACTION_RESTART,
	       "xl's keys read as xl means them (cmdline: %s)",
	       ret ? lvctl_last_error : cfg.cmdline);
	if (ret)
		return;
	snprintf(saved, sizeof(saved), "%s/xsaved.cfg", dir);
	fd = lvctl_config_write(&cfg, saved);
	ret = fd < 0 ? -1 : lvctl_config_read(saved, &back);
	if (fd >= 0)
		close(fd);
	tap_ok(!ret && !memcmp(back.uuid, uuid, 16) &&
	       !strcmp(back.cmdline, cfg.cmdline) && back.max_vcpus == 4 &&
	       back.cpus.nr == 2 && back.cpus.list &&
	       !strcmp(back.cpus.specs[0], "0") && back.cap == 0 &&
	       back.cpu_weight == 512 && back.localtime &&
	       back.on_watchdog == LVCTL_ACTION_RESTART,
	       "and are written back the same");
	if (!ret)
		lvctl_config_free(&back);
	lvctl_config_free(&cfg);
}

/* CPU specs: xl.cfg(5)'s forms, left to right. */
static void check_cpumaps(void)
{
	uint8_t map[2] = { 0 };

	int ret = lvctl_cpumap_parse("all,^3,^5-6", 8, map, "t");

	tap_ok(!ret && map[0] == 0x97,
	       "all,^3,^5-6 on 8 CPUs is 0,1,2,4,7 (%#x)", map[0]);
	tap_ok(!lvctl_cpumap_parse("1-2,9", 16, map, "t") && map[0] == 0x06 &&
	       map[1] == 0x02, "1-2,9 is CPUs 1, 2 and 9");
	tap_ok(lvctl_cpumap_parse("9", 8, map, "t") &&
	       strstr(lvctl_last_error, "this host has CPUs 0-7"),
	       "a CPU beyond the host's: %s", lvctl_last_error);
	tap_ok(lvctl_cpumap_parse("3-1", 0, NULL, "t") &&
	       lvctl_cpumap_parse("x", 0, NULL, "t") &&
	       lvctl_cpumap_parse("1,,2", 0, NULL, "t") &&
	       lvctl_cpumap_parse("", 0, NULL, "t") &&
	       lvctl_cpumap_parse("nodes:0", 0, NULL, "t"),
	       "backwards ranges, words, empty items and nodes: are refused");
}

int main(void)
{
	struct lvctl_config cfg, back;
	char saved[300];
	int ret;

	tap_plan(49);
	if (!mkdtemp(dir))
		return 1;

	ret = lvctl_config_read(write_text("a.cfg",
		"name = \"g1\"\nkernel = \"/boot/k\"\nramdisk = \"/boot/r\"\n"
		"memory = 64\nmaxmem = 96\nvcpus = 2\n"
		"extra = \"console=hvc0 say=\\\"hi\\\" back\\\\slash\"\n"
		"on_poweroff = \"preserve\"\non_reboot = \"destroy\"\n"
		"on_crash = \"preserve\"\n"), &cfg);
	tap_ok(!ret && cfg.memory_mb == 64 && cfg.maxmem_mb == 96 &&
	       cfg.vcpus == 2 && cfg.on_crash == LVCTL_ACTION_PRESERVE &&
	       !strcmp(cfg.cmdline, "console=hvc0 say=\"hi\" back\\slash"),
	       "a config with every key reads as written (extra: %s)",
	       ret ? "-" : cfg.cmdline);

	snprintf(saved, sizeof(saved), "%s/saved.cfg", dir);
	ret = lvctl_config_write(&cfg, saved);
	tap_ok(ret >= 0 && flock(open(saved, O_RDONLY), LOCK_EX | LOCK_NB) &&
	       errno == EWOULDBLOCK,
	       "it is written back, and locked while its writer holds it");
	if (ret >= 0)
		close(ret);
	ret = lvctl_config_read(saved, &back);
	tap_ok(!ret && same(&cfg, &back),
	       "what was written reads back as the same configuration");
	if (!ret)
		lvctl_config_free(&back);
	lvctl_config_free(&cfg);

	ret = lvctl_config_read(write_text("b.cfg",
		"name = \"g2\"\nkernel = \"/k\"\n"), &cfg);
	tap_ok(!ret && cfg.memory_mb == LVCTL_DEFAULT_MEMORY_MB &&
	       cfg.maxmem_mb == cfg.memory_mb && cfg.vcpus == 1 &&
	       cfg.on_poweroff == LVCTL_ACTION_DESTROY &&
	       cfg.on_reboot == LVCTL_ACTION_RESTART &&
	       cfg.on_crash == LVCTL_ACTION_DESTROY,
	       "defaults: 128 MiB, 1 vcpu, destroy/restart/destroy");
	if (!ret)
		lvctl_config_free(&cfg);

	ret = lvctl_config_read(write_text("c.cfg",
		"name = \"g3\"\nkernel = \"/k\"\nmemory = 64\nmaxmem = 32\n"), &cfg);
	tap_ok(ret < 0, "maxmem below memory is refused");

	ret = lvctl_config_read(write_text("d.cfg",
		"name = \"9lives\"\nkernel = \"/k\"\n"), &cfg);
	tap_ok(ret < 0, "a name that starts with a digit is refused");

	check_refused("e.cfg", "name = \"g4\"\nkernel = [\"x\"]\n",
		      "kernel: expected a single value, not a list");
	check_refused("f.cfg", "name = \"g5\"\nkernel = \"/k\"\nmemory = [99999999]\n",
		      "memory: expected a single value, not a list");
	check_refused("g.cfg", "name = \"g6\"\nkernel = \"/k\"\nvcpus = [64]\n",
		      "vcpus: expected a single value, not a list");
	check_refused("h.cfg", "name = \"g7\"\nkernel = \"/k\"\ntype = [\"hvm\"]\n",
		      "type: expected a single value, not a list");
	check_refused("i.cfg", "name = \"g8\"\nkernel = \"/k\"\nramdisk = [\"/nonexistent\"]\n",
		      "ramdisk: expected a single value, not a list");
	check_refused("j.cfg", "name = \"g9\"\nkernel = \"/k\"\nextra = [\"a\"]\n",
		      "extra: expected a single value, not a list");
	check_refused("k.cfg", "name = \"g10\"\nkernel = \"/k\"\non_crash = [\"bogus\"]\n",
		      "on_crash: expected a single value, not a list");
	check_refused("l.cfg", "name = \"Domain-0\"\nkernel = \"/k\"\n",
		      "the name of dom0 is reserved");

	check_vifs();
	check_disks();
	check_xl_keys();
	check_cpumaps();

	snprintf(saved, sizeof(saved), "%s/fifo.cfg", dir);
	mkfifo(saved, 0600);
	ret = lvctl_config_read(saved, &cfg);
	tap_ok(ret < 0 && strstr(lvctl_last_error, "is not a regular file"),
	       "a FIFO as config is refused at once: %s", lvctl_last_error);
	ret = lvctl_config_read(dir, &cfg);
	tap_ok(ret < 0 && strstr(lvctl_last_error, "is not a regular file"),
	       "so is a directory: %s", lvctl_last_error);

	return tap_done();
}
