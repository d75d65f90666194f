/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A guest's network interfaces as its config gives them: xl's vif syntax
 * (xl-network-configuration(5)), a list of "key=value,key=value" specs.
 */
#ifndef LVCTL_VIF_H
#define LVCTL_VIF_H

#define LVCTL_MAX_VIFS		8
#define LVCTL_IFNAME_SIZE	16	/* IFNAMSIZ: 15 and the NUL */
#define LVCTL_MAC_SIZE		18	/* "xx:xx:xx:xx:xx:xx" and the NUL */
#define LVCTL_IP_SIZE		64
/* A spec as lvctl writes it: keys, separators and every field at its longest. */
#define LVCTL_VIF_SPEC_SIZE	(sizeof("mac=,bridge=,vifname=,ip=") + \
				 LVCTL_MAC_SIZE + 2 * LVCTL_IFNAME_SIZE + \
				 LVCTL_IP_SIZE)

struct lvctl_vif {
	char mac[LVCTL_MAC_SIZE];	/* lower case; generated if not given */
	char bridge[LVCTL_IFNAME_SIZE];	/* empty: none */
	char vifname[LVCTL_IFNAME_SIZE];	/* empty: vifDOMID.N */
	char ip[LVCTL_IP_SIZE];		/* empty: none; "A.B.C.D[/N]" */
	int mac_given;
};

int lvctl_vif_parse(const char *spec, const char *where,
		    struct lvctl_vif *vif);
void lvctl_vif_default_mac(const char *guest, unsigned int index,
			   char mac[LVCTL_MAC_SIZE]);
int lvctl_vif_random_mac(char mac[LVCTL_MAC_SIZE]);
void lvctl_vif_format(const struct lvctl_vif *vif, int given_mac_only,
		      char spec[LVCTL_VIF_SPEC_SIZE]);

#endif /* LVCTL_VIF_H */
