// SPDX-License-Identifier: GPL-2.0
/*
 * Save files: lvctl's header and the guest's configuration in front of
 * libxenguest's stream (the format is in savefile.h).
 */
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lvctl.h"
#include "savefile.h"

/* stream_len of a file whose save has not finished (yet, or ever). */
#define STREAM_UNFINISHED	UINT64_MAX

/* Reads up to @len bytes; fewer only at the end of the file. */
static ssize_t read_all(int fd, void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = read(fd, (char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

static int is_regular(int fd)
{
	struct stat st;

	return !fstat(fd, &st) && S_ISREG(st.st_mode);
}

/*
 * Writes the header and @cfg to @fd (named @what in errors); the stream
 * follows at *@stream_start. A file's header says "unfinished" until
 * lvctl_savefile_finish() fills in the stream's length.
 */
int lvctl_savefile_start(int fd, const char *what,
			 const struct lvctl_config *cfg, off_t *stream_start)
{
	struct lvctl_save_header hdr = { 0 };
	size_t len;
	char *text;
	int err;

	text = lvctl_config_format(cfg, &len);
	if (!text) {
		lvctl_error("out of memory");
		return -1;
	}
	memcpy(hdr.magic, LVCTL_SAVE_MAGIC, sizeof(hdr.magic));
	hdr.version = htole32(LVCTL_SAVE_VERSION);
	hdr.config_len = htole32(len);
	hdr.stream_len = htole64(is_regular(fd) ? STREAM_UNFINISHED : 0);
	err = lvctl_write_all(fd, &hdr, sizeof(hdr)) ||
	      lvctl_write_all(fd, text, len);
	free(text);
	if (err) {
		lvctl_error("cannot write %s: %s", what, strerror(errno));
		return -1;
	}
	*stream_start = sizeof(hdr) + len;
	return 0;
}

/* The stream is written: a file gets its length, and reaches the disk. */
int lvctl_savefile_finish(int fd, const char *what, off_t stream_start)
{
	uint64_t len;
	off_t end;

	if (!is_regular(fd))
		return 0;
	end = lseek(fd, 0, SEEK_CUR);
	len = htole64(end - stream_start);
	if (end < stream_start ||
	    pwrite(fd, &len, sizeof(len),
		   offsetof(struct lvctl_save_header, stream_len)) !=
	    sizeof(len) || fdatasync(fd)) {
		lvctl_error("cannot write %s: %s", what, strerror(errno));
		return -1;
	}
	return 0;
}

/* A regular file must be exactly as long as its header says. */
static int check_size(int fd, const char *what,
		      const struct lvctl_save_header *hdr)
{
	uint64_t stream_len = le64toh(hdr->stream_len);
	struct stat st;

	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || !stream_len)
		return 0;
	if (stream_len == STREAM_UNFINISHED) {
		lvctl_error("%s is incomplete: its save did not finish", what);
		return -1;
	}
	if ((uint64_t)st.st_size != sizeof(*hdr) + le32toh(hdr->config_len) +
				    stream_len) {
		lvctl_error("%s is truncated or damaged: %lld bytes, its header says %llu",
			    what, (long long)st.st_size,
			    (unsigned long long)(sizeof(*hdr) +
						 le32toh(hdr->config_len) +
						 stream_len));
		return -1;
	}
	return 0;
}

/*
 * Reads and checks the header and the configuration from @fd; the stream
 * follows. Returns 0, or -1 after one line saying what is wrong.
 */
int lvctl_savefile_open(int fd, const char *what, struct lvctl_config *cfg)
{
	struct lvctl_save_header hdr;
	uint32_t config_len;
	char *text;
	ssize_t n;
	int ret;

	n = read_all(fd, &hdr, sizeof(hdr));
	if (n < 0) {
		lvctl_error("cannot read %s: %s", what, strerror(errno));
		return -1;
	}
	if (n == 0) {
		lvctl_error("%s is empty", what);
		return -1;
	}
	if (n < (ssize_t)sizeof(hdr) ||
	    memcmp(hdr.magic, LVCTL_SAVE_MAGIC, sizeof(hdr.magic))) {
		lvctl_error("%s is not an lvctl save file", what);
		return -1;
	}
	if (le32toh(hdr.version) != LVCTL_SAVE_VERSION) {
		lvctl_error("%s is a version %u save file; this lvctl reads version %u",
			    what, le32toh(hdr.version), LVCTL_SAVE_VERSION);
		return -1;
	}
	config_len = le32toh(hdr.config_len);
	if (!config_len || config_len > LVCTL_CONFIG_MAX) {
		lvctl_error("%s is damaged: its configuration would be %u bytes",
			    what, config_len);
		return -1;
	}
	if (check_size(fd, what, &hdr))
		return -1;

	text = malloc(config_len);
	if (!text) {
		lvctl_error("out of memory");
		return -1;
	}
	n = read_all(fd, text, config_len);
	if (n != (ssize_t)config_len) {
		lvctl_error("%s is truncated in its configuration", what);
		free(text);
		return -1;
	}
	ret = lvctl_config_parse(text, config_len, what, cfg);
	free(text);
	return ret;
}
