/* ps-video-paintable.h: decoded video frames as a GdkPaintable
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include <gst/gst.h>

G_BEGIN_DECLS

#define PS_TYPE_VIDEO_PAINTABLE (ps_video_paintable_get_type ())
G_DECLARE_FINAL_TYPE (PsVideoPaintable, ps_video_paintable, PS, VIDEO_PAINTABLE, GObject)

PsVideoPaintable *ps_video_paintable_new         (void);
void              ps_video_paintable_push_sample (PsVideoPaintable *self,
                                                  GstSample        *sample);
GdkTexture       *ps_video_paintable_get_texture (PsVideoPaintable *self);
void              ps_video_paintable_clear       (PsVideoPaintable *self);

G_END_DECLS
