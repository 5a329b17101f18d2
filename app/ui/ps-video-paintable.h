/* ps-video-paintable.h: decoded video frames as a GdkPaintable
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include <gst/gst.h>

#include "ps-stream.h"

G_BEGIN_DECLS

#define PS_TYPE_VIDEO_PAINTABLE (ps_video_paintable_get_type ())
G_DECLARE_FINAL_TYPE (PsVideoPaintable, ps_video_paintable, PS, VIDEO_PAINTABLE, GObject)

PsVideoPaintable *ps_video_paintable_new         (void);
void              ps_video_paintable_push_sample (PsVideoPaintable *self,
                                                  GstSample        *sample);
void              ps_video_paintable_clear       (PsVideoPaintable *self);

/* gtk4paintablesink, when GStreamer has it (the GNOME runtime does, Debian 12
 * does not), with its paintable; NULL otherwise, or when
 * PEERSCOPE_VIDEO_SINK=appsink asks for the built-in path. */
GstElement       *ps_video_paintable_try_gtk_sink (GdkPaintable   **paintable);
/* Points stream at gtk4paintablesink and picture at its paintable when the
 * sink exists; returns FALSE (and changes nothing) otherwise. */
gboolean          ps_video_paintable_use_gtk_sink (PsStream        *stream,
                                                   GtkPicture      *picture);

G_END_DECLS
