// SPDX-License-Identifier: GPL-2.0
/*
 * noxs_query - prints what the backend of a guest's device saw, for the
 * shell selftests: "state S features F events E rejected R".
 * Usage: noxs_query DOMID TYPE ID
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <xen/noxs.h>

int main(int argc, char **argv)
{
	struct noxs_ioctl_device_query query;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: noxs_query DOMID TYPE ID\n");
		return 2;
	}
	memset(&query, 0, sizeof(query));
	query.domid = strtoul(argv[1], NULL, 0);
	query.type = strtoul(argv[2], NULL, 0);
	query.id = strtoul(argv[3], NULL, 0);

	fd = open(NOXS_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, NOXS_IOCTL_DEVICE_QUERY, &query) < 0) {
		fprintf(stderr, "noxs_query: %s\n", strerror(errno));
		return 1;
	}
	printf("state %u features %#x events %llu rejected %llu\n",
	       query.state, query.features,
	       (unsigned long long)query.events,
	       (unsigned long long)query.rejected);
	close(fd);
	return 0;
}
