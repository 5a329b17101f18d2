/* ps-camera-upnp-row-private.h: what the tests look at inside PsCameraUpnpRow
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ps-camera-upnp-row.h"

G_BEGIN_DECLS

/* "hidden", "loading", "on", "off", "unsupported" or "error" */
const char *_ps_camera_upnp_row_get_state  (PsCameraUpnpRow *self);
GtkSwitch  *_ps_camera_upnp_row_get_switch (PsCameraUpnpRow *self);

G_END_DECLS
