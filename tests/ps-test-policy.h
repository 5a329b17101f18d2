/* ps-test-policy.h: a policy the policy tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ps-policy.h"

#define CAM_MAC "02:00:00:77:00:11"

static const char * const cam_addresses[] = { "192.168.1.11", "fd00:1::11", NULL };

static inline PsPolicy *
sample_policy (void)
{
  PsPolicy *policy = ps_policy_new ();
  const char *addresses3[] = { "192.168.1.13", "fd00:1::13", NULL };
  const char *addresses4[] = { "192.168.1.14", NULL };
  const char *allow[] = { "192.0.2.10", "2001:db8:77::/48", "ntp.example.org", NULL };
  const char *servers[] = { "198.51.100.10", "198.51.100.0/28", "2001:db8:100::10", NULL };
  const char *viewers[] = { "203.0.113.10", NULL };

  g_assert_true (ps_policy_set_device (policy, "cam-p2p", CAM_MAC, cam_addresses,
                                       PS_INTENT_BLOCK_VENDOR_P2P, NULL, NULL));
  g_assert_true (ps_policy_set_device (policy, "cam-local", NULL, addresses4,
                                       PS_INTENT_LOCAL_ONLY, NULL, NULL));
  g_assert_true (ps_policy_set_device (policy, "cam-allow", NULL, addresses3,
                                       PS_INTENT_ALLOW_LIST, allow, NULL));
  g_assert_true (ps_policy_set_device (policy, "cam-open", NULL, addresses4, PS_INTENT_OPEN,
                                       NULL, NULL));
  g_assert_true (ps_policy_set_p2p_servers (policy, servers, NULL));
  g_assert_true (ps_policy_set_viewers (policy, viewers, NULL));
  ps_policy_set_default_intent (policy, PS_INTENT_LOCAL_ONLY);

  return policy;
}
