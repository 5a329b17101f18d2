/* ps-home-overview-private.h: what the tests look at and stand in for inside
 * PsHomeOverview
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ps-enforcement-group-private.h"
#include "ps-home-overview.h"
#include "ps-home-summary.h"

G_BEGIN_DECLS

typedef enum {
  PS_HOME_OVERVIEW_PHONING,
  PS_HOME_OVERVIEW_BLOCKED,
  PS_HOME_OVERVIEW_NEWS,
} PsHomeOverviewLine;

/* Who says whether the policy is enforced: the same stand-in as the
 * enforcement group's (only privileged, supported, dup_live_digest and the
 * helper's get_state are used). */
void                 _ps_home_overview_set_backend     (PsHomeOverview             *self,
                                                        const PsEnforcementBackend *backend);
/* the clock, in Unix ms; 0 for the real one */
void                 _ps_home_overview_set_now         (PsHomeOverview             *self,
                                                        gint64                      now_ms);
/* the peers' pending changes, now */
void                 _ps_home_overview_flush           (PsHomeOverview             *self);
/* a firewall check or a read of the change log is on its way */
gboolean             _ps_home_overview_is_busy         (PsHomeOverview             *self);
AdwActionRow        *_ps_home_overview_get_row         (PsHomeOverview             *self,
                                                        PsHomeOverviewLine          line);
PsHomeEnforcement    _ps_home_overview_get_enforcement (PsHomeOverview             *self);
const PsHomeSummary *_ps_home_overview_get_summary     (PsHomeOverview             *self);

G_END_DECLS
