/* ps-enforcement-group.h: where a policy is enforced, the rules it makes,
 * and the ways to put them into a firewall
 *
 * Says whether this computer's firewall holds the policy now, applies it
 * (as root; otherwise through Peerscope's gateway helper), previews the
 * rules and exports them for a router Peerscope does not run on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ps-policy.h"

G_BEGIN_DECLS

#define PS_TYPE_ENFORCEMENT_GROUP (ps_enforcement_group_get_type ())
G_DECLARE_FINAL_TYPE (PsEnforcementGroup, ps_enforcement_group, PS, ENFORCEMENT_GROUP,
                      AdwPreferencesGroup)

PsEnforcementGroup *ps_enforcement_group_new        (void);
/* NULL clears; checks again either way */
void                ps_enforcement_group_set_policy (PsEnforcementGroup *self,
                                                     PsPolicy           *policy);
/* The policy changed: checks again, and shows the new rules. */
void                ps_enforcement_group_refresh    (PsEnforcementGroup *self);

G_END_DECLS
