/* ps-camera-tile.h: one camera in the live grid
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ps-device.h"
#include "ps-stream.h"

G_BEGIN_DECLS

#define PS_TYPE_CAMERA_TILE (ps_camera_tile_get_type ())
G_DECLARE_FINAL_TYPE (PsCameraTile, ps_camera_tile, PS, CAMERA_TILE, GtkWidget)

PsCameraTile *ps_camera_tile_new             (PsDevice     *device,
                                              const char   *password);
PsDevice     *ps_camera_tile_get_device      (PsCameraTile *self);
const char   *ps_camera_tile_get_password    (PsCameraTile *self);
PsStream     *ps_camera_tile_get_stream      (PsCameraTile *self);
GtkWidget    *ps_camera_tile_get_picture     (PsCameraTile *self);
void          ps_camera_tile_play            (PsCameraTile *self);
void          ps_camera_tile_stop            (PsCameraTile *self);
void          ps_camera_tile_set_peers       (PsCameraTile *self,
                                              GListModel   *peers);
const char   *ps_camera_tile_get_summary     (PsCameraTile *self);

G_END_DECLS
