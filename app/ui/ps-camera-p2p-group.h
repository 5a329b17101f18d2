/* ps-camera-p2p-group.h: a camera's own P2P switch, and whether the camera
 * keeps its word; and its own UPnP switch
 *
 * Reads and sets the switches through the camera's Foscam-style CGI.  Once
 * the user turns P2P off here, the group watches the camera's peers: a
 * camera that still talks to P2P servers afterwards ignores its own
 * setting, and the group says so with the evidence.  The UPnP switch
 * (ps-camera-upnp-row.h) shows once the camera has answered for P2P.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ps-device.h"

G_BEGIN_DECLS

#define PS_TYPE_CAMERA_P2P_GROUP (ps_camera_p2p_group_get_type ())
G_DECLARE_FINAL_TYPE (PsCameraP2pGroup, ps_camera_p2p_group, PS, CAMERA_P2P_GROUP,
                      AdwPreferencesGroup)

PsCameraP2pGroup *ps_camera_p2p_group_new          (void);
/* The group hides itself when DEVICE (NULL clears) has no HTTP address or
 * no user name. */
void              ps_camera_p2p_group_set_camera   (PsCameraP2pGroup *self,
                                                    PsDevice         *device,
                                                    const char       *password);
/* The camera's peers (PsPeer), a live model; NULL clears. */
void              ps_camera_p2p_group_set_peers    (PsCameraP2pGroup *self,
                                                    GListModel       *peers);
/* Whether the camera's policy blocks vendor P2P already; if not, the
 * warning offers to (action privacy.set-intent). */
void              ps_camera_p2p_group_set_blocking (PsCameraP2pGroup *self,
                                                    gboolean          blocking);
/* "http://HOST:PORT" of the camera's HTTP (ONVIF) service, or NULL */
char             *ps_camera_p2p_group_http_base    (PsDevice         *device);

G_END_DECLS
