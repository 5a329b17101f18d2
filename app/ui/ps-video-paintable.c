/* ps-video-paintable.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-video-paintable"

#include <gst/video/video.h>

#include "ps-video-paintable.h"

struct _PsVideoPaintable
{
  GObject     parent_instance;

  GdkTexture *texture;
  int         width;
  int         height;
};

static void paintable_iface_init (GdkPaintableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PsVideoPaintable, ps_video_paintable, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GDK_TYPE_PAINTABLE, paintable_iface_init))

static void
ps_video_paintable_snapshot (GdkPaintable *paintable,
                             GdkSnapshot  *snapshot,
                             double        width,
                             double        height)
{
  PsVideoPaintable *self = PS_VIDEO_PAINTABLE (paintable);

  if (self->texture != NULL)
    gdk_paintable_snapshot (GDK_PAINTABLE (self->texture), snapshot, width, height);
  else
    gtk_snapshot_append_color (GTK_SNAPSHOT (snapshot), &(GdkRGBA) { 0, 0, 0, 1 },
                               &GRAPHENE_RECT_INIT (0, 0, width, height));
}

static int
ps_video_paintable_get_intrinsic_width (GdkPaintable *paintable)
{
  return PS_VIDEO_PAINTABLE (paintable)->width;
}

static int
ps_video_paintable_get_intrinsic_height (GdkPaintable *paintable)
{
  return PS_VIDEO_PAINTABLE (paintable)->height;
}

static double
ps_video_paintable_get_intrinsic_aspect_ratio (GdkPaintable *paintable)
{
  PsVideoPaintable *self = PS_VIDEO_PAINTABLE (paintable);

  if (self->width <= 0 || self->height <= 0)
    return 16.0 / 9.0;

  return (double) self->width / self->height;
}

static void
paintable_iface_init (GdkPaintableInterface *iface)
{
  iface->snapshot = ps_video_paintable_snapshot;
  iface->get_intrinsic_width = ps_video_paintable_get_intrinsic_width;
  iface->get_intrinsic_height = ps_video_paintable_get_intrinsic_height;
  iface->get_intrinsic_aspect_ratio = ps_video_paintable_get_intrinsic_aspect_ratio;
}

static void
ps_video_paintable_dispose (GObject *object)
{
  PsVideoPaintable *self = (PsVideoPaintable *) object;

  g_clear_object (&self->texture);

  G_OBJECT_CLASS (ps_video_paintable_parent_class)->dispose (object);
}

static void
ps_video_paintable_class_init (PsVideoPaintableClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ps_video_paintable_dispose;
}

static void
ps_video_paintable_init (PsVideoPaintable *self)
{
}

PsVideoPaintable *
ps_video_paintable_new (void)
{
  return g_object_new (PS_TYPE_VIDEO_PAINTABLE, NULL);
}

typedef struct
{
  GstVideoFrame frame;
  GstSample    *sample;
} MappedFrame;

static void
mapped_frame_free (gpointer data)
{
  MappedFrame *mapped = data;

  gst_video_frame_unmap (&mapped->frame);
  gst_sample_unref (mapped->sample);
  g_free (mapped);
}

/* Wraps the decoded buffer without copying it; GTK uploads it when drawing. */
void
ps_video_paintable_push_sample (PsVideoPaintable *self,
                                GstSample        *sample)
{
  g_autoptr(GBytes) bytes = NULL;
  GstBuffer *buffer;
  GstCaps *caps;
  GstVideoInfo info;
  MappedFrame *mapped;
  int width, height;

  g_return_if_fail (PS_IS_VIDEO_PAINTABLE (self));
  g_return_if_fail (sample != NULL);

  buffer = gst_sample_get_buffer (sample);
  caps = gst_sample_get_caps (sample);
  if (buffer == NULL || caps == NULL || !gst_video_info_from_caps (&info, caps) ||
      GST_VIDEO_INFO_FORMAT (&info) != GST_VIDEO_FORMAT_BGRA)
    return;

  mapped = g_new0 (MappedFrame, 1);
  if (!gst_video_frame_map (&mapped->frame, &info, buffer, GST_MAP_READ))
    {
      g_free (mapped);
      return;
    }
  mapped->sample = gst_sample_ref (sample);

  width = GST_VIDEO_FRAME_WIDTH (&mapped->frame);
  height = GST_VIDEO_FRAME_HEIGHT (&mapped->frame);
  bytes = g_bytes_new_with_free_func (GST_VIDEO_FRAME_PLANE_DATA (&mapped->frame, 0),
                                      (gsize) GST_VIDEO_FRAME_PLANE_STRIDE (&mapped->frame, 0) *
                                      height,
                                      mapped_frame_free, mapped);

  g_clear_object (&self->texture);
  self->texture = gdk_memory_texture_new (width, height, GDK_MEMORY_B8G8R8A8, bytes,
                                          GST_VIDEO_FRAME_PLANE_STRIDE (&mapped->frame, 0));

  if (width != self->width || height != self->height)
    {
      self->width = width;
      self->height = height;
      gdk_paintable_invalidate_size (GDK_PAINTABLE (self));
    }
  gdk_paintable_invalidate_contents (GDK_PAINTABLE (self));
}

void
ps_video_paintable_clear (PsVideoPaintable *self)
{
  g_return_if_fail (PS_IS_VIDEO_PAINTABLE (self));

  if (self->texture == NULL)
    return;

  g_clear_object (&self->texture);
  gdk_paintable_invalidate_contents (GDK_PAINTABLE (self));
}

GstElement *
ps_video_paintable_try_gtk_sink (GdkPaintable **paintable)
{
  GstElement *sink;

  g_return_val_if_fail (paintable != NULL, NULL);

  *paintable = NULL;
  if (g_strcmp0 (g_getenv ("PEERSCOPE_VIDEO_SINK"), "appsink") == 0)
    return NULL;

  sink = gst_element_factory_make ("gtk4paintablesink", NULL);
  if (sink == NULL)
    return NULL;

  g_object_get (sink, "paintable", paintable, NULL);
  if (*paintable == NULL)
    {
      gst_object_unref (gst_object_ref_sink (sink));
      return NULL;
    }

  /* live video: show each frame when it is decoded */
  g_object_set (sink, "sync", FALSE, NULL);

  return sink;
}

gboolean
ps_video_paintable_use_gtk_sink (PsStream   *stream,
              GtkPicture *picture)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  GstElement *sink;

  g_return_val_if_fail (PS_IS_STREAM (stream), FALSE);
  g_return_val_if_fail (GTK_IS_PICTURE (picture), FALSE);

  sink = ps_video_paintable_try_gtk_sink (&paintable);
  if (sink == NULL)
    return FALSE;

  ps_stream_set_video_sink (stream, sink);
  gtk_picture_set_paintable (picture, paintable);

  return TRUE;
}
