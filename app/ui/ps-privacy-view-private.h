/* ps-privacy-view-private.h: what the tests look at inside PsPrivacyView
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ps-camera-p2p-group.h"
#include "ps-enforcement-group.h"
#include "ps-privacy-view.h"

G_BEGIN_DECLS

const char         *_ps_privacy_view_get_blocked_summary   (PsPrivacyView *self);
/* the rows of the peers blocked most */
guint               _ps_privacy_view_get_n_blocked_rows    (PsPrivacyView *self);
GtkCheckButton     *_ps_privacy_view_get_intent_check      (PsPrivacyView *self,
                                                            PsIntent       intent);
AdwEntryRow        *_ps_privacy_view_get_allow_entry       (PsPrivacyView *self);
/* NULL when the entry is fine */
const char         *_ps_privacy_view_get_allow_error       (PsPrivacyView *self);
/* the allow list as its rows show it */
GStrv               _ps_privacy_view_dup_allow_rows        (PsPrivacyView *self);
gboolean            _ps_privacy_view_get_allow_visible     (PsPrivacyView *self);
PsEnforcementGroup *_ps_privacy_view_get_enforcement_group (PsPrivacyView *self);
PsCameraP2pGroup   *_ps_privacy_view_get_p2p_group         (PsPrivacyView *self);
/* the peers' pending changes, now */
void                _ps_privacy_view_flush                 (PsPrivacyView *self);

G_END_DECLS
