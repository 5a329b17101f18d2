/* ps-home-overview.h: the home at a glance, above the camera grid
 *
 * Three lines: how many cameras phone home, how many are blocked (and
 * whether a firewall enforces that), and what is new since yesterday.  They
 * follow the peer table in batches, never per packet, and every slow
 * answer (the firewall, the policy's change log) comes from a worker
 * thread or over D-Bus.  Activating a line emits ::open-camera with the
 * camera it is about.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ps-policy.h"

G_BEGIN_DECLS

#define PS_TYPE_HOME_OVERVIEW (ps_home_overview_get_type ())
G_DECLARE_FINAL_TYPE (PsHomeOverview, ps_home_overview, PS, HOME_OVERVIEW, AdwBin)

PsHomeOverview *ps_home_overview_new              (void);
/* The cameras' device ids, in the order the grid shows them; hidden when
 * there are none. */
void            ps_home_overview_set_cameras      (PsHomeOverview     *self,
                                                   const char * const *cameras);
/* Every PsPeer of every device (ps_peer_table_get_peers()); NULL clears. */
void            ps_home_overview_set_peers        (PsHomeOverview     *self,
                                                   GListModel         *peers);
void            ps_home_overview_set_policy       (PsHomeOverview     *self,
                                                   PsPolicy           *policy);
/* Where the policy is stored (ps-policy-store.h), for its change log; NULL
 * when it lives in memory only. */
void            ps_home_overview_set_policy_store (PsHomeOverview     *self,
                                                   const char         *path);
/* The policy changed: counts again, and reads the log once it is saved. */
void            ps_home_overview_policy_changed   (PsHomeOverview     *self);

G_END_DECLS
