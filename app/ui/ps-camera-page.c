/* ps-camera-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-camera-page"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ps-camera-page.h"
#include "ps-connections-view.h"
#include "ps-p2p-account.h"
#include "ps-p2p-connection-group.h"
#include "ps-p2p-identity.h"
#include "ps-privacy-view.h"
#include "ps-stream.h"
#include "ps-stream-status.h"
#include "ps-video-paintable.h"
#include "ps-viewer-stream.h"

struct _PsCameraPage
{
  AdwBin            parent_instance;

  PsDevice         *device;
  char             *password;   /* the camera's, for its own P2P switch */
  PsStream         *stream;
  PsVideoPaintable *paintable;
  GListModel       *peers;
  PsPolicy         *policy;

  AdwViewStack      *view_stack;
  AdwBin            *connections_bin;
  PsConnectionsView *connections;
  AdwBin            *privacy_bin;
  PsPrivacyView     *privacy;
  PsP2pConnectionGroup *p2p_group;
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

enum {
  POLICY_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_subtitle (AdwActionRow *row,
              const char   *text)
{
  adw_action_row_set_subtitle (row, text != NULL && *text != '\0' ? text : "—");
}

/* "p2p:ab12 cd34 …": a device id in groups, which also wraps in the narrow panel */
static char *
display_uri (const char *uri)
{
  g_autofree char *device_id = NULL;
  g_autofree char *formatted = NULL;

  if (!ps_p2p_account_is_p2p_uri (uri) ||
      (device_id = ps_p2p_device_id_normalize (uri + strlen ("p2p:"))) == NULL)
    return g_strdup (uri);

  formatted = ps_p2p_device_id_format (device_id);
  return g_strconcat ("p2p:", formatted, NULL);
}

static void
update_stats (PsCameraPage *self)
{
  g_autofree char *resolution = NULL;
  g_autofree char *fps = NULL;
  g_autofree char *latency = NULL;
  g_autofree char *first = NULL;
  g_autofree char *resolved = NULL;
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
  resolved = display_uri (ps_stream_get_resolved_uri (self->stream));
  set_subtitle (self->stream_row, resolved);
}

static void
on_stream_state_cb (PsCameraPage *self)
{
  PsStreamState state = ps_stream_get_state (self->stream);
  const GError *error = ps_stream_get_error (self->stream);

  set_subtitle (self->state_row, ps_stream_status_label (self->stream));
  gtk_widget_set_visible (GTK_WIDGET (self->status_page), state != PS_STREAM_STATE_PLAYING);
  gtk_widget_set_visible (self->retry_button, state == PS_STREAM_STATE_ERROR);

  /* a peer that is not the paired camera: a warning, never its video (the
   * picture keeps its place on the stage, empty) */
  gtk_widget_set_opacity (GTK_WIDGET (self->picture),
                          ps_viewer_stream_is_identity_error (self->stream) ? 0.0 : 1.0);
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_page), "identity-warning");

  switch (state)
    {
    case PS_STREAM_STATE_ERROR:
      if (ps_viewer_stream_is_identity_error (self->stream))
        {
          adw_status_page_set_title (self->status_page, _("This Is Not the Camera You Paired"));
          adw_status_page_set_description (self->status_page,
                                           _("The camera that answered cannot prove it holds the "
                                             "device ID you paired, so Peerscope refused its "
                                             "video. Someone may be pretending to be your camera. "
                                             "If you reset the camera, it has a new identity: "
                                             "remove it and add it again."));
          adw_status_page_set_icon_name (self->status_page, "dialog-warning-symbolic");
          gtk_widget_add_css_class (GTK_WIDGET (self->status_page), "identity-warning");
          ps_video_paintable_clear (self->paintable);
          break;
        }
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
    ps_viewer_stream_start (self->stream);
}

/* the Privacy view shows what the page knows of the camera */
static void
update_privacy (PsCameraPage *self)
{
  ps_privacy_view_set_camera (self->privacy, self->device, self->password,
                              self->device != NULL ? self->peers : NULL, self->policy);
}

static void
on_policy_changed_cb (PsCameraPage *self,
                      PsPolicy     *policy)
{
  g_signal_emit (self, signals[POLICY_CHANGED], 0, policy);
}

static void
show_connections_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  ps_camera_page_set_view (PS_CAMERA_PAGE (widget), "connections");
}

static void
clear_password (PsCameraPage *self)
{
  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_clear_pointer (&self->password, g_free);
}

static void
ps_camera_page_dispose (GObject *object)
{
  PsCameraPage *self = (PsCameraPage *) object;

  ps_camera_page_stop (self);
  g_clear_object (&self->paintable);
  g_clear_object (&self->peers);
  g_clear_object (&self->policy);

  G_OBJECT_CLASS (ps_camera_page_parent_class)->dispose (object);
}

static void
ps_camera_page_class_init (PsCameraPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ps_camera_page_dispose;

  /**
   * PsCameraPage::policy-changed:
   * @self: the page
   * @policy: the policy
   *
   * The Privacy view changed the policy: the owner saves it.
   */
  signals[POLICY_CHANGED] =
    g_signal_new ("policy-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, PS_TYPE_POLICY);

  g_type_ensure (PS_TYPE_P2P_CONNECTION_GROUP);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/peerscope/Peerscope/ps-camera-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PsCameraPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, PsCameraPage, connections_bin);
  gtk_widget_class_bind_template_child (widget_class, PsCameraPage, privacy_bin);
  gtk_widget_class_bind_template_child (widget_class, PsCameraPage, p2p_group);
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

  /* the Privacy view's "Show Connections" */
  gtk_widget_class_install_action (widget_class, "camera.show-connections", NULL,
                                   show_connections_action);
}

static void
ps_camera_page_init (PsCameraPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->connections = ps_connections_view_new ();
  adw_bin_set_child (self->connections_bin, GTK_WIDGET (self->connections));
  self->privacy = ps_privacy_view_new ();
  adw_bin_set_child (self->privacy_bin, GTK_WIDGET (self->privacy));
  g_signal_connect_object (self->privacy, "policy-changed", G_CALLBACK (on_policy_changed_cb),
                           self, G_CONNECT_SWAPPED);

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
  self->password = g_strdup (password);
  /* the peers were the last camera's: ps_camera_page_set_peers() brings this one's */
  g_clear_object (&self->peers);
  update_privacy (self);
  gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (self->paintable));
  gtk_widget_set_opacity (GTK_WIDGET (self->picture), 1.0);
  self->stream = ps_viewer_stream_new (device, password, PS_STREAM_PROFILE_MAIN, self->picture);

  g_signal_connect_object (self->stream, "notify::state",
                           G_CALLBACK (on_stream_state_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->stream, "new-frame",
                           G_CALLBACK (on_new_frame_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->stream, "stats-changed",
                           G_CALLBACK (update_stats), self, G_CONNECT_SWAPPED);

  {
    g_autofree char *address = display_uri (ps_stream_get_uri (self->stream));

    set_subtitle (self->address_row, address);
  }
  ps_p2p_connection_group_set_stream (self->p2p_group, self->stream);
  ps_video_paintable_clear (self->paintable);
  ps_viewer_stream_start (self->stream);
}

void
ps_camera_page_stop (PsCameraPage *self)
{
  g_return_if_fail (PS_IS_CAMERA_PAGE (self));

  if (self->stream != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->stream, self);
      ps_viewer_stream_stop (self->stream);
    }
  if (self->p2p_group != NULL)
    ps_p2p_connection_group_set_stream (self->p2p_group, NULL);
  g_clear_object (&self->stream);
  g_clear_object (&self->device);
  clear_password (self);
  if (self->privacy != NULL)
    update_privacy (self);
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
  g_set_object (&self->peers, peers);
  update_privacy (self);
}

/**
 * ps_camera_page_set_policy:
 * @self: a camera page
 * @policy: (nullable): the app's policy
 *
 * The Privacy view edits the camera's rule in @policy; ::policy-changed says when.
 */
void
ps_camera_page_set_policy (PsCameraPage *self,
                           PsPolicy     *policy)
{
  g_return_if_fail (PS_IS_CAMERA_PAGE (self));
  g_return_if_fail (policy == NULL || PS_IS_POLICY (policy));

  if (!g_set_object (&self->policy, policy))
    return;
  update_privacy (self);
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
