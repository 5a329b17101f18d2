/* ps-camera-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-camera-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ps-camera-page.h"
#include "ps-connections-view.h"
#include "ps-stream.h"
#include "ps-stream-status.h"
#include "ps-video-paintable.h"
#include "ps-viewer-stream.h"

struct _PsCameraPage
{
  AdwBin            parent_instance;

  PsDevice         *device;
  PsStream         *stream;
  PsVideoPaintable *paintable;

  AdwViewStack      *view_stack;
  AdwBin            *connections_bin;
  PsConnectionsView *connections;
  GtkPicture       *picture;
  AdwStatusPage    *status_page;
  GtkWidget        *retry_button;
  AdwActionRow     *state_row;
  AdwActionRow     *codec_row;
  AdwActionRow     *resolution_row;
  AdwActionRow     *fps_row;
  AdwActionRow     *latency_row;
  AdwActionRow     *first_frame_row;
  AdwActionRow     *transport_row;
  AdwActionRow     *address_row;
  AdwActionRow     *stream_row;
};

G_DEFINE_FINAL_TYPE (PsCameraPage, ps_camera_page, ADW_TYPE_BIN)

static void
set_subtitle (AdwActionRow *row,
              const char   *text)
{
  adw_action_row_set_subtitle (row, text != NULL && *text != '\0' ? text : "—");
}

static void
update_stats (PsCameraPage *self)
{
  g_autofree char *resolution = NULL;
  g_autofree char *fps = NULL;
  g_autofree char *latency = NULL;
  g_autofree char *first = NULL;
  const char *codec;
  double first_ms;

  if (self->stream == NULL)
    return;

  codec = ps_stream_get_codec (self->stream);
  first_ms = ps_stream_get_first_frame_ms (self->stream);
  if (ps_stream_get_width (self->stream) > 0)
    resolution = g_strdup_printf ("%u × %u", ps_stream_get_width (self->stream),
                                  ps_stream_get_height (self->stream));
  if (ps_stream_get_frames (self->stream) > 1)
    /* Translators: frames per second */
    fps = g_strdup_printf (_("%.1f fps"), ps_stream_get_fps (self->stream));
  latency = ps_stream_status_latency (self->stream);
  if (first_ms >= 0)
    /* Translators: a duration in milliseconds */
    first = g_strdup_printf (_("%.0f ms"), first_ms);

  set_subtitle (self->codec_row, codec != NULL ? codec : NULL);
  set_subtitle (self->resolution_row, resolution);
  set_subtitle (self->fps_row, fps);
  set_subtitle (self->latency_row, latency);
  set_subtitle (self->first_frame_row, first);
  set_subtitle (self->transport_row, ps_stream_get_transport (self->stream));
  set_subtitle (self->stream_row, ps_stream_get_resolved_uri (self->stream));
}

static void
on_stream_state_cb (PsCameraPage *self)
{
  PsStreamState state = ps_stream_get_state (self->stream);
  const GError *error = ps_stream_get_error (self->stream);

  set_subtitle (self->state_row, ps_stream_status_label (self->stream));
  gtk_widget_set_visible (GTK_WIDGET (self->status_page), state != PS_STREAM_STATE_PLAYING);
  gtk_widget_set_visible (self->retry_button, state == PS_STREAM_STATE_ERROR);

  switch (state)
    {
    case PS_STREAM_STATE_ERROR:
      adw_status_page_set_title (self->status_page, _("Cannot Show This Camera"));
      adw_status_page_set_description (self->status_page, error ? error->message : NULL);
      adw_status_page_set_icon_name (self->status_page, "dialog-error-symbolic");
      ps_video_paintable_clear (self->paintable);
      break;
    case PS_STREAM_STATE_RECONNECTING:
      adw_status_page_set_title (self->status_page, _("Reconnecting…"));
      adw_status_page_set_description (self->status_page, error ? error->message : NULL);
      adw_status_page_set_icon_name (self->status_page, "network-wired-disconnected-symbolic");
      break;
    case PS_STREAM_STATE_CONNECTING:
      adw_status_page_set_title (self->status_page, _("Connecting…"));
      adw_status_page_set_description (self->status_page, NULL);
      adw_status_page_set_icon_name (self->status_page, "camera-web-symbolic");
      break;
    case PS_STREAM_STATE_IDLE:
    case PS_STREAM_STATE_PLAYING:
    default:
      break;
    }

  update_stats (self);
}

static void
on_new_frame_cb (PsCameraPage *self,
                 GstSample    *sample)
{
  /* with gtk4paintablesink the frames are already on screen */
  if (gtk_picture_get_paintable (self->picture) == GDK_PAINTABLE (self->paintable))
    ps_video_paintable_push_sample (self->paintable, sample);
}

static void
on_retry_clicked_cb (PsCameraPage *self)
{
  if (self->stream != NULL)
    ps_stream_start (self->stream);
}

static void
ps_camera_page_dispose (GObject *object)
{
  PsCameraPage *self = (PsCameraPage *) object;

  ps_camera_page_stop (self);
  g_clear_object (&self->paintable);

  G_OBJECT_CLASS (ps_camera_page_parent_class)->dispose (object);
}

static void
ps_camera_page_class_init (PsCameraPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ps_camera_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/peerscope/Peerscope/ps-camera-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PsCameraPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, PsCameraPage, connections_bin);
  gtk_widget_class_bind_template_child (widget_class, PsCameraPage, picture);
  gtk_widget_class_bind_template_child (widget_class, PsCameraPage, status_page);
  gtk_widget_class_bind_template_child (widget_class, PsCameraPage, retry_button);
  gtk_widget_class_bind_template_child (widget_class, PsCameraPage, state_row);
  gtk_widget_class_bind_template_child (widget_class, PsCameraPage, codec_row);
  gtk_widget_class_bind_template_child (widget_class, PsCameraPage, resolution_row);
  gtk_widget_class_bind_template_child (widget_class, PsCameraPage, fps_row);
  gtk_widget_class_bind_template_child (widget_class, PsCameraPage, latency_row);
  gtk_widget_class_bind_template_child (widget_class, PsCameraPage, first_frame_row);
  gtk_widget_class_bind_template_child (widget_class, PsCameraPage, transport_row);
  gtk_widget_class_bind_template_child (widget_class, PsCameraPage, address_row);
  gtk_widget_class_bind_template_child (widget_class, PsCameraPage, stream_row);
}

static void
ps_camera_page_init (PsCameraPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->connections = ps_connections_view_new ();
  adw_bin_set_child (self->connections_bin, GTK_WIDGET (self->connections));

  self->paintable = ps_video_paintable_new ();
  gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (self->paintable));
  g_signal_connect_object (self->retry_button, "clicked",
                           G_CALLBACK (on_retry_clicked_cb), self, G_CONNECT_SWAPPED);
}

void
ps_camera_page_show (PsCameraPage *self,
                     PsDevice     *device,
                     const char   *password)
{
  g_return_if_fail (PS_IS_CAMERA_PAGE (self));
  g_return_if_fail (PS_IS_DEVICE (device));

  ps_camera_page_stop (self);

  self->device = g_object_ref (device);
  gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (self->paintable));
  self->stream = ps_viewer_stream_new (device, password, PS_STREAM_PROFILE_MAIN, self->picture);

  g_signal_connect_object (self->stream, "notify::state",
                           G_CALLBACK (on_stream_state_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->stream, "new-frame",
                           G_CALLBACK (on_new_frame_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->stream, "stats-changed",
                           G_CALLBACK (update_stats), self, G_CONNECT_SWAPPED);

  set_subtitle (self->address_row, ps_stream_get_uri (self->stream));
  ps_video_paintable_clear (self->paintable);
  ps_stream_start (self->stream);
}

void
ps_camera_page_stop (PsCameraPage *self)
{
  g_return_if_fail (PS_IS_CAMERA_PAGE (self));

  if (self->stream != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->stream, self);
      ps_stream_stop (self->stream);
    }
  g_clear_object (&self->stream);
  g_clear_object (&self->device);
}

PsDevice *
ps_camera_page_get_device (PsCameraPage *self)
{
  g_return_val_if_fail (PS_IS_CAMERA_PAGE (self), NULL);
  return self->device;
}

AdwViewStack *
ps_camera_page_get_stack (PsCameraPage *self)
{
  g_return_val_if_fail (PS_IS_CAMERA_PAGE (self), NULL);

  return self->view_stack;
}

void
ps_camera_page_set_peers (PsCameraPage *self,
                          GListModel   *peers)
{
  g_return_if_fail (PS_IS_CAMERA_PAGE (self));
  g_return_if_fail (peers == NULL || G_IS_LIST_MODEL (peers));

  ps_connections_view_set_peers (self->connections, peers);
}

void
ps_camera_page_set_view (PsCameraPage *self,
                         const char   *name)
{
  g_return_if_fail (PS_IS_CAMERA_PAGE (self));

  adw_view_stack_set_visible_child_name (self->view_stack, name);
}

PsStream *
ps_camera_page_get_stream (PsCameraPage *self)
{
  g_return_val_if_fail (PS_IS_CAMERA_PAGE (self), NULL);

  return self->stream;
}
