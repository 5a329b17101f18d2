/* ps-camera-tile.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-camera-tile"

#include "config.h"

#include <glib/gi18n.h>

#include "ps-camera-tile.h"
#include "ps-peer-summary.h"
#include "ps-stream-status.h"
#include "ps-video-paintable.h"
#include "ps-viewer-stream.h"

struct _PsCameraTile
{
  GtkWidget         parent_instance;

  PsDevice         *device;
  char             *password;
  PsStream         *stream;
  PsVideoPaintable *paintable;
  const char       *state_class;

  GtkWidget        *overlay;
  GtkPicture       *picture;
  GtkWidget        *status_box;
  GtkSpinner       *spinner;
  GtkLabel         *message_label;
  GtkWidget        *retry_button;
  GtkLabel         *name_label;
  GtkLabel         *state_label;
  GtkLabel         *summary_label;

  GListModel       *peers;
  guint             summary_id;
};

G_DEFINE_FINAL_TYPE (PsCameraTile, ps_camera_tile, GTK_TYPE_WIDGET)

static void
update_accessible (PsCameraTile *self)
{
  g_autofree char *label = NULL;

  /* Translators: accessible name of a camera tile: "Front Door, Live" */
  label = g_strdup_printf (_("%s, %s"), ps_device_get_name (self->device),
                           ps_viewer_stream_is_identity_error (self->stream)
                           ? _("not the camera you paired")
                           : ps_stream_status_label (self->stream));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

static void
on_stream_state_cb (PsCameraTile *self)
{
  PsStreamState state = ps_stream_get_state (self->stream);
  const GError *error = ps_stream_get_error (self->stream);
  gboolean busy = state == PS_STREAM_STATE_CONNECTING || state == PS_STREAM_STATE_RECONNECTING;

  if (self->state_class != NULL)
    gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), self->state_class);
  self->state_class = ps_stream_status_css_class (self->stream);
  gtk_widget_add_css_class (GTK_WIDGET (self->state_label), self->state_class);
  gtk_label_set_label (self->state_label, ps_stream_status_label (self->stream));

  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_widget_set_visible (self->retry_button, state == PS_STREAM_STATE_ERROR);

  /* never mistaken for a camera that is merely offline */
  if (ps_viewer_stream_is_identity_error (self->stream))
    gtk_label_set_label (self->message_label,
                         _("This is not the camera you paired: video refused"));
  else if (state == PS_STREAM_STATE_ERROR && error != NULL)
    gtk_label_set_label (self->message_label, error->message);
  else if (state == PS_STREAM_STATE_RECONNECTING && error != NULL)
    gtk_label_set_label (self->message_label, error->message);
  else
    gtk_label_set_label (self->message_label, "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label),
                          *gtk_label_get_label (self->message_label) != '\0');
  if (ps_viewer_stream_is_identity_error (self->stream))
    gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "identity-warning");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "identity-warning");

  gtk_widget_set_visible (self->status_box, state != PS_STREAM_STATE_PLAYING);
  if (state == PS_STREAM_STATE_ERROR)
    ps_video_paintable_clear (self->paintable);

  update_accessible (self);
}

static void
on_new_frame_cb (PsCameraTile *self,
                 GstSample    *sample)
{
  /* with gtk4paintablesink the frames are already on screen */
  if (gtk_picture_get_paintable (self->picture) == GDK_PAINTABLE (self->paintable))
    ps_video_paintable_push_sample (self->paintable, sample);
}

static void
on_retry_clicked_cb (PsCameraTile *self)
{
  ps_viewer_stream_start (self->stream);
}

/* Tiles are 16:9 and would rather be 480 wide, so that wide windows show
 * two or more per row whatever the stream's resolution. */
static GtkSizeRequestMode
ps_camera_tile_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
ps_camera_tile_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  PsCameraTile *self = PS_CAMERA_TILE (widget);
  int child_min = 0, child_nat = 0;

  gtk_widget_measure (self->overlay, orientation, -1, &child_min, &child_nat, NULL, NULL);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = MAX (child_min, 240);
      *natural = MAX (*minimum, 480);
    }
  else
    {
      int width = for_size > 0 ? for_size : 480;

      *minimum = MAX (child_min, width * 9 / 16);
      *natural = *minimum;
    }
}

static void
ps_camera_tile_size_allocate (GtkWidget *widget,
                              int        width,
                              int        height,
                              int        baseline)
{
  gtk_widget_allocate (PS_CAMERA_TILE (widget)->overlay, width, height, baseline, NULL);
}

static void
ps_camera_tile_dispose (GObject *object)
{
  PsCameraTile *self = (PsCameraTile *) object;

  if (self->stream != NULL)
    ps_viewer_stream_stop (self->stream);
  g_clear_handle_id (&self->summary_id, g_source_remove);
  if (self->peers != NULL)
    g_signal_handlers_disconnect_by_data (self->peers, self);
  g_clear_object (&self->peers);
  g_clear_object (&self->stream);
  g_clear_object (&self->paintable);
  g_clear_object (&self->device);
  gtk_widget_dispose_template (GTK_WIDGET (self), PS_TYPE_CAMERA_TILE);

  G_OBJECT_CLASS (ps_camera_tile_parent_class)->dispose (object);
}

static void
ps_camera_tile_finalize (GObject *object)
{
  PsCameraTile *self = (PsCameraTile *) object;

  g_free (self->password);

  G_OBJECT_CLASS (ps_camera_tile_parent_class)->finalize (object);
}

static void
ps_camera_tile_class_init (PsCameraTileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ps_camera_tile_dispose;
  object_class->finalize = ps_camera_tile_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/peerscope/Peerscope/ps-camera-tile.ui");
  gtk_widget_class_bind_template_child (widget_class, PsCameraTile, overlay);
  gtk_widget_class_bind_template_child (widget_class, PsCameraTile, picture);
  gtk_widget_class_bind_template_child (widget_class, PsCameraTile, status_box);
  gtk_widget_class_bind_template_child (widget_class, PsCameraTile, spinner);
  gtk_widget_class_bind_template_child (widget_class, PsCameraTile, message_label);
  gtk_widget_class_bind_template_child (widget_class, PsCameraTile, retry_button);
  gtk_widget_class_bind_template_child (widget_class, PsCameraTile, name_label);
  gtk_widget_class_bind_template_child (widget_class, PsCameraTile, state_label);
  gtk_widget_class_bind_template_child (widget_class, PsCameraTile, summary_label);

  widget_class->get_request_mode = ps_camera_tile_get_request_mode;
  widget_class->measure = ps_camera_tile_measure;
  widget_class->size_allocate = ps_camera_tile_size_allocate;
  gtk_widget_class_set_css_name (widget_class, "camera-tile");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
ps_camera_tile_init (PsCameraTile *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->paintable = ps_video_paintable_new ();
  gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (self->paintable));
  g_signal_connect_object (self->retry_button, "clicked",
                           G_CALLBACK (on_retry_clicked_cb), self, G_CONNECT_SWAPPED);
}

PsCameraTile *
ps_camera_tile_new (PsDevice   *device,
                    const char *password)
{
  PsCameraTile *self;

  g_return_val_if_fail (PS_IS_DEVICE (device), NULL);

  self = g_object_new (PS_TYPE_CAMERA_TILE, NULL);
  self->device = g_object_ref (device);
  self->password = g_strdup (password);

  g_object_bind_property (device, "name", self->name_label, "label", G_BINDING_SYNC_CREATE);

  /* The grid shows sub-streams; the camera page opens the main stream. */
  self->stream = ps_viewer_stream_new (device, password, PS_STREAM_PROFILE_SUB, self->picture);

  g_signal_connect_object (self->stream, "notify::state",
                           G_CALLBACK (on_stream_state_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->stream, "new-frame",
                           G_CALLBACK (on_new_frame_cb), self, G_CONNECT_SWAPPED);
  on_stream_state_cb (self);

  return self;
}

PsDevice *
ps_camera_tile_get_device (PsCameraTile *self)
{
  g_return_val_if_fail (PS_IS_CAMERA_TILE (self), NULL);
  return self->device;
}

const char *
ps_camera_tile_get_password (PsCameraTile *self)
{
  g_return_val_if_fail (PS_IS_CAMERA_TILE (self), NULL);
  return self->password;
}

PsStream *
ps_camera_tile_get_stream (PsCameraTile *self)
{
  g_return_val_if_fail (PS_IS_CAMERA_TILE (self), NULL);
  return self->stream;
}

GtkWidget *
ps_camera_tile_get_picture (PsCameraTile *self)
{
  g_return_val_if_fail (PS_IS_CAMERA_TILE (self), NULL);
  return GTK_WIDGET (self->picture);
}

void
ps_camera_tile_play (PsCameraTile *self)
{
  g_return_if_fail (PS_IS_CAMERA_TILE (self));
  ps_viewer_stream_start (self->stream);
}

void
ps_camera_tile_stop (PsCameraTile *self)
{
  g_return_if_fail (PS_IS_CAMERA_TILE (self));
  ps_viewer_stream_stop (self->stream);
}

static gboolean
ps_camera_tile_update_summary_cb (gpointer user_data)
{
  PsCameraTile *self = user_data;
  g_autofree char *text = NULL;
  PsPeerSummary summary;

  if (self->peers == NULL)
    return G_SOURCE_CONTINUE;

  ps_peer_summary_compute (self->peers, &summary);
  text = ps_peer_summary_format (&summary);
  gtk_label_set_text (self->summary_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->summary_label), text != NULL);
  if (summary.p2p_servers > 0)
    gtk_widget_add_css_class (GTK_WIDGET (self->summary_label), "p2p");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->summary_label), "p2p");

  return G_SOURCE_CONTINUE;
}

static void
on_peers_changed_cb (PsCameraTile *self)
{
  ps_camera_tile_update_summary_cb (self);
}

/**
 * ps_camera_tile_set_peers:
 * @peers: (nullable): the camera's peers (PsPeer)
 *
 * Shows "Talks to 12 hosts in 9 countries, 3 P2P servers" under the name.
 */
void
ps_camera_tile_set_peers (PsCameraTile *self,
                          GListModel   *peers)
{
  g_return_if_fail (PS_IS_CAMERA_TILE (self));
  g_return_if_fail (peers == NULL || G_IS_LIST_MODEL (peers));

  if (self->peers != NULL)
    g_signal_handlers_disconnect_by_data (self->peers, self);
  g_set_object (&self->peers, peers);
  g_clear_handle_id (&self->summary_id, g_source_remove);

  if (peers != NULL)
    {
      g_signal_connect_swapped (peers, "items-changed", G_CALLBACK (on_peers_changed_cb), self);
      /* names and classes arrive after the peers do */
      self->summary_id = g_timeout_add_seconds (2, ps_camera_tile_update_summary_cb, self);
    }

  ps_camera_tile_update_summary_cb (self);
  if (peers == NULL)
    gtk_widget_set_visible (GTK_WIDGET (self->summary_label), FALSE);
}

const char *
ps_camera_tile_get_summary (PsCameraTile *self)
{
  g_return_val_if_fail (PS_IS_CAMERA_TILE (self), NULL);

  return gtk_widget_get_visible (GTK_WIDGET (self->summary_label))
         ? gtk_label_get_text (self->summary_label) : NULL;
}
