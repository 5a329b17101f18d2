/* ps-privacy-view.h: what one camera may reach, where that is enforced, what
 * it stopped, and whether the camera keeps its own P2P setting
 *
 * The view edits the camera's rule in the app's one policy (shared by all
 * cameras) and emits ::policy-changed after each change: its owner saves
 * the policy.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ps-device.h"
#include "ps-policy.h"

G_BEGIN_DECLS

#define PS_TYPE_PRIVACY_VIEW (ps_privacy_view_get_type ())
G_DECLARE_FINAL_TYPE (PsPrivacyView, ps_privacy_view, PS, PRIVACY_VIEW, AdwBin)

PsPrivacyView *ps_privacy_view_new        (void);
/* DEVICE NULL clears.  PEERS is the camera's live model of PsPeer (may be
 * NULL); POLICY the app's policy (may be NULL: nothing to edit). */
void           ps_privacy_view_set_camera (PsPrivacyView *self,
                                           PsDevice      *device,
                                           const char    *password,
                                           GListModel    *peers,
                                           PsPolicy      *policy);
PsDevice      *ps_privacy_view_get_device (PsPrivacyView *self);
PsPolicy      *ps_privacy_view_get_policy (PsPrivacyView *self);

G_END_DECLS
