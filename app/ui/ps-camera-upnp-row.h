/* ps-camera-upnp-row.h: a camera's own UPnP switch
 *
 * UPnP lets a camera open ports on the router, which puts it on the
 * internet.  The row reads the switch through the camera's Foscam-style CGI
 * and changes it there: the switch moves once the camera confirms.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ps-foscam-client.h"

G_BEGIN_DECLS

#define PS_TYPE_CAMERA_UPNP_ROW (ps_camera_upnp_row_get_type ())
G_DECLARE_FINAL_TYPE (PsCameraUpnpRow, ps_camera_upnp_row, PS, CAMERA_UPNP_ROW, AdwActionRow)

PsCameraUpnpRow *ps_camera_upnp_row_new        (void);
/* Asks the camera behind CLIENT (once the row shows); NULL hides the row. */
void             ps_camera_upnp_row_set_client (PsCameraUpnpRow *self,
                                                PsFoscamClient  *client);

G_END_DECLS
