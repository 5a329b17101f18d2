/* ps-camera-page.h: one camera, large, with what its stream delivers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ps-device.h"
#include "ps-policy.h"
#include "ps-stream.h"

G_BEGIN_DECLS

#define PS_TYPE_CAMERA_PAGE (ps_camera_page_get_type ())
G_DECLARE_FINAL_TYPE (PsCameraPage, ps_camera_page, PS, CAMERA_PAGE, AdwBin)

void          ps_camera_page_show       (PsCameraPage *self,
                                         PsDevice     *device,
                                         const char   *password);
void          ps_camera_page_stop       (PsCameraPage *self);
AdwViewStack *ps_camera_page_get_stack  (PsCameraPage *self);
/* The camera's peers (PsPeer), for the Connections and Privacy views; NULL
 * clears. */
void          ps_camera_page_set_peers  (PsCameraPage *self,
                                         GListModel   *peers);
/* The app's policy, which the Privacy view edits (::policy-changed after
 * each change); NULL clears. */
void          ps_camera_page_set_policy (PsCameraPage *self,
                                         PsPolicy     *policy);
/* "live", "connections" or "privacy" */
void          ps_camera_page_set_view   (PsCameraPage *self,
                                         const char   *name);
PsDevice     *ps_camera_page_get_device (PsCameraPage *self);
/* NULL when no stream plays */
PsStream     *ps_camera_page_get_stream (PsCameraPage *self);

G_END_DECLS
