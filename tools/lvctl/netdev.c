// SPDX-License-Identifier: GPL-2.0
/*
 * The network half of XenDevD's work, done by lvctl itself: find the
 * backend interface xen-netback made for a vif, name it, put it on its
 * bridge and bring it up, over rtnetlink. xl runs the vif-bridge script
 * (a shell, brctl or ip, and xenstore-read) for this.
 *
 * rtnetlink is spoken over a plain socket: lvctl is a static program, and
 * Debian's libmnl-dev ships no static library.
 */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "lvctl.h"
#include "netdev.h"

struct nl_request {
	struct nlmsghdr nh;
	struct ifinfomsg ifi;
	char attrs[64];
};

/* Opens rtnetlink; with @groups, to hear of links as they come. */
int lvctl_netlink_open(unsigned int groups)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK,
				    .nl_groups = groups };
	int fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		lvctl_error("cannot open rtnetlink: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void nl_attr(struct nl_request *req, unsigned short type,
		    const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)req +
					       NLMSG_ALIGN(req->nh.nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	req->nh.nlmsg_len = NLMSG_ALIGN(req->nh.nlmsg_len) +
			    RTA_ALIGN(rta->rta_len);
}

/* Sends @req and waits for the kernel's answer: 0 or -errno. */
static int nl_talk(struct nl_request *req)
{
	static unsigned int seq;
	char buf[4096];
	struct nlmsghdr *nh;
	ssize_t n;
	int fd, err = -EIO;

	fd = lvctl_netlink_open(0);
	if (fd < 0)
		return -EIO;
	req->nh.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	req->nh.nlmsg_seq = ++seq;
	if (send(fd, req, req->nh.nlmsg_len, 0) < 0) {
		err = -errno;
		goto out;
	}
	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto out;
		}
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n);
		     nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_seq != req->nh.nlmsg_seq ||
			    nh->nlmsg_type != NLMSG_ERROR)
				continue;
			err = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
			goto out;
		}
	}
out:
	close(fd);
	return err;
}

static void nl_link_request(struct nl_request *req, int ifindex)
{
	memset(req, 0, sizeof(*req));
	req->nh.nlmsg_len = NLMSG_LENGTH(sizeof(req->ifi));
	req->nh.nlmsg_type = RTM_NEWLINK;
	req->ifi.ifi_family = AF_UNSPEC;
	req->ifi.ifi_index = ifindex;
}

/*
 * Waits up to @timeout_ms for interface @name to exist, listening on @fd
 * (from lvctl_netlink_open(RTMGRP_LINK), opened before the interface
 * could appear). Returns its index, or 0.
 */
int lvctl_netdev_wait(int fd, const char *name, int timeout_ms)
{
	double deadline = lvctl_now_ms() + timeout_ms;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[8192];
	int ifindex, left;

	for (;;) {
		ifindex = if_nametoindex(name);
		if (ifindex)
			return ifindex;
		left = deadline - lvctl_now_ms();
		if (left <= 0)
			return 0;
		if (poll(&pfd, 1, left) > 0) {
			/* Drain: whatever came, look again by name. */
			while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
				;
		}
	}
}

/* Renames the (down) interface @ifindex to @name. */
int lvctl_netdev_rename(int ifindex, const char *name)
{
	struct nl_request req;

	nl_link_request(&req, ifindex);
	nl_attr(&req, IFLA_IFNAME, name, strlen(name) + 1);
	return nl_talk(&req);
}

/* Puts @ifindex on bridge @master (an index) and brings it up. */
int lvctl_netdev_enslave_up(int ifindex, int master)
{
	struct nl_request req;
	int err;

	nl_link_request(&req, ifindex);
	nl_attr(&req, IFLA_MASTER, &master, sizeof(master));
	err = nl_talk(&req);
	if (err)
		return err;
	nl_link_request(&req, ifindex);
	req.ifi.ifi_flags = IFF_UP;
	req.ifi.ifi_change = IFF_UP;
	return nl_talk(&req);
}

/* Is @name an existing bridge? 1 yes, 0 no such interface, -1 not a bridge. */
int lvctl_netdev_is_bridge(const char *name)
{
	char path[64];
	struct stat st;

	if (!if_nametoindex(name))
		return 0;
	snprintf(path, sizeof(path), "/sys/class/net/%s/bridge", name);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? 1 : -1;
}
