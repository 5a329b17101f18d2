/* ps-camera-p2p-group-private.h: what the tests look at inside PsCameraP2pGroup
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ps-camera-p2p-group.h"
#include "ps-camera-upnp-row-private.h"

G_BEGIN_DECLS

/* "hidden", "loading", "on", "off", "unsupported" or "error" */
const char      *_ps_camera_p2p_group_get_state    (PsCameraP2pGroup *self);
/* "none", "watching", "ignored" or "honoured" */
const char      *_ps_camera_p2p_group_get_verdict  (PsCameraP2pGroup *self);
/* what the switch's row or the verdict says */
const char      *_ps_camera_p2p_group_get_message  (PsCameraP2pGroup *self);
GtkSwitch       *_ps_camera_p2p_group_get_switch   (PsCameraP2pGroup *self);
/* the camera's UPnP switch, below the P2P one */
PsCameraUpnpRow *_ps_camera_p2p_group_get_upnp_row (PsCameraP2pGroup *self);
/* how long the camera must stay quiet (PS_P2P_SETTING_WATCH_MS) */
void             _ps_camera_p2p_group_set_watch_ms (PsCameraP2pGroup *self,
                                                    guint             watch_ms);
/* as if the user had turned P2P off at OFF_MS (Unix ms) */
void             _ps_camera_p2p_group_watch_since  (PsCameraP2pGroup *self,
                                                    gint64            off_ms);
/* the peers' pending changes, now */
void             _ps_camera_p2p_group_flush        (PsCameraP2pGroup *self);

G_END_DECLS
