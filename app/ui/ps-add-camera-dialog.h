/* ps-add-camera-dialog.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ps-device.h"

G_BEGIN_DECLS

#define PS_TYPE_ADD_CAMERA_DIALOG (ps_add_camera_dialog_get_type ())
G_DECLARE_FINAL_TYPE (PsAddCameraDialog, ps_add_camera_dialog, PS, ADD_CAMERA_DIALOG, AdwWindow)

PsAddCameraDialog *ps_add_camera_dialog_new          (GtkWindow  *parent);
/* For pairing a discovered camera: its name and address filled in. */
void               ps_add_camera_dialog_prefill       (PsAddCameraDialog *self,
                                                       const char        *name,
                                                       const char        *address);
/* For pairing a discovered camera: fills in its name and address (the
 * ONVIF address at the host that answered) where they are empty, and
 * offers its streams: the one picked becomes the camera's "uri" (the
 * camera page), the smallest its "sub-uri" (the grid). */
void               ps_add_camera_dialog_set_device    (PsAddCameraDialog *self,
                                                       PsDevice          *device);
PsDevice          *ps_add_camera_dialog_get_device    (PsAddCameraDialog *self);
/* The device id in text ("p2p:" and separators allowed), canonical, or NULL */
char              *ps_add_camera_dialog_parse_device_id (const char *text);
/* NULL when the address (a URL or a P2P device id) is valid, else what is
 * wrong with it. */
const char        *ps_add_camera_dialog_check_address (const char *address);

G_END_DECLS
