/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a config sets of a domain beside its size and devices, and what
 * xl's everyday commands change while it runs.
 */
#ifndef LVCTL_DOMAIN_SETTINGS_H
#define LVCTL_DOMAIN_SETTINGS_H

#include <stdint.h>
#include <xenctrl.h>

#include "config.h"

int lvctl_vcpu_pin(xc_interface *xch, uint32_t domid, long vcpu,
		   long max_vcpus, const char *hard, const char *soft);
int lvctl_domain_set_affinity(xc_interface *xch, uint32_t domid,
			      const struct lvctl_config *cfg);
int lvctl_domain_set_sched(xc_interface *xch, uint32_t domid, long weight,
			   long cap);
int lvctl_domain_set_localtime(xc_interface *xch, uint32_t domid);
int lvctl_guest_settings(int noxs_fd, uint32_t domid, long vcpus,
			 long target_kib, unsigned int timeout_ms);

#endif /* LVCTL_DOMAIN_SETTINGS_H */
