/* ps-p2p-connection-group.c
 *
 * The rendezvous state comes from a listener connection of its own
 * (PsP2pDirectory): the session inside PsStream does not say how its
 * server is doing once the camera answered, and the listener also tells
 * whether the camera is online there.  The round-trip time is not shown:
 * PsStream does not hand out webrtcbin's statistics.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-p2p-connection-group"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ps-p2p-account.h"
#include "ps-p2p-connection-group-private.h"
#include "ps-p2p-identity.h"
#include "ps-viewer-stream.h"

#define TICK_S        1
#define RTT_PATIENCE_TICKS 4
#define MIN_WINDOW_US (900 * G_TIME_SPAN_MILLISECOND)

struct _PsP2pConnectionGroup
{
  AdwPreferencesGroup  parent_instance;

  AdwActionRow        *identity_row;
  AdwActionRow        *device_row;
  AdwActionRow        *rendezvous_row;
  AdwActionRow        *path_row;
  AdwActionRow        *address_row;
  AdwActionRow        *candidates_row;
  AdwActionRow        *rtt_row;
  AdwActionRow        *bitrate_row;
  AdwComboRow         *policy_row;

  PsStream            *stream;
  gboolean             showing_policy;  /* the row is being set, not chosen */
  char                *device_id;     /* canonical */
  PsP2pAccount        *account;
  PsP2pDirectory      *directory;
  PsP2pConfig         *config;        /* the directory's */
  GCancellable        *cancellable;
  guint                tick_id;
  guint64              last_bytes;
  gint64               last_time;
  double               bitrate;       /* bit/s; < 0: unknown */
  guint                playing_ticks; /* measures since the video came */
};

G_DEFINE_FINAL_TYPE (PsP2pConnectionGroup, ps_p2p_connection_group, ADW_TYPE_PREFERENCES_GROUP)

const char *
ps_p2p_connection_group_describe_transport (const char *transport)
{
  if (g_strcmp0 (transport, "ice-host") == 0)
    return _("Direct connection (host)");
  if (g_strcmp0 (transport, "ice-srflx") == 0)
    return _("Through the router’s public address (server-reflexive)");
  if (g_strcmp0 (transport, "ice-relay") == 0)
    return _("Relayed by a TURN server (relay)");

  return _("Not chosen yet");
}

char *
ps_p2p_connection_group_format_bitrate (double bits_per_second)
{
  if (bits_per_second >= 1e6)
    /* Translators: megabits per second */
    return g_strdup_printf (_("%.1f Mbit/s"), bits_per_second / 1e6);

  /* Translators: kilobits per second */
  return g_strdup_printf (_("%.0f kbit/s"), bits_per_second / 1e3);
}

char *
ps_p2p_connection_group_format_candidates (GPtrArray *candidates)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < candidates->len; i++)
    {
      PsIceCandidate *candidate = g_ptr_array_index (candidates, i);
      gboolean v6 = strchr (candidate->address, ':') != NULL;

      if (text->len > 0)
        g_string_append_c (text, '\n');
      /* Translators: an ICE candidate: its type (host, srflx, relay), then
       * ADDRESS:PORT and the transport (udp, tcp) */
      g_string_append_printf (text, _("%s · %s%s%s:%u (%s)"), candidate->type, v6 ? "[" : "",
                              candidate->address, v6 ? "]" : "", candidate->port,
                              candidate->transport);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

char *
ps_p2p_connection_group_format_rtt (double milliseconds)
{
  if (milliseconds < 0)
    /* Translators: the camera answers no round-trip probe (a WHEP endpoint,
     * another signalling peer) */
    return g_strdup (_("Not measured by this camera"));
  if (milliseconds < 10)
    /* Translators: a round-trip time in milliseconds */
    return g_strdup_printf (_("%.1f ms"), milliseconds);

  /* Translators: a round-trip time in milliseconds */
  return g_strdup_printf (_("%.0f ms"), milliseconds);
}

static void
set_subtitle (AdwActionRow *row,
              const char   *text)
{
  adw_action_row_set_subtitle (row, text != NULL && *text != '\0' ? text : "—");
}

static void
update_rendezvous (PsP2pConnectionGroup *self)
{
  g_autofree char *text = NULL;
  gboolean listed;
  gboolean online;

  if (!ps_p2p_account_is_set_up (self->account))
    {
      set_subtitle (self->rendezvous_row, _("No P2P account: set one up in Preferences"));
      return;
    }

  listed = ps_p2p_directory_is_listed (self->directory);
  online = ps_p2p_directory_find (self->directory, self->device_id) != NULL;

  switch (ps_p2p_directory_get_state (self->directory))
    {
    case PS_P2P_DIRECTORY_CONNECTED:
      if (listed && online && self->stream != NULL &&
          ps_viewer_stream_is_identity_error (self->stream))
        text = g_strdup (_("Connected · a peer that claims this device ID is online"));
      else if (listed && online)
        text = g_strdup (_("Connected · the camera is online"));
      else if (listed)
        text = g_strdup (_("Connected · the camera is not online"));
      else
        text = g_strdup (_("Connected"));
      break;
    case PS_P2P_DIRECTORY_FAILED:
      /* Translators: %s says why */
      text = g_strdup_printf (_("Not connected: %s"), ps_p2p_directory_get_error (self->directory));
      break;
    case PS_P2P_DIRECTORY_IDLE:
    case PS_P2P_DIRECTORY_CONNECTING:
    default:
      text = g_strdup (_("Connecting…"));
      break;
    }

  set_subtitle (self->rendezvous_row, text);
}

static void
update (PsP2pConnectionGroup *self)
{
  g_autofree char *address = NULL;
  g_autofree char *bitrate = NULL;
  g_autofree char *rtt = NULL;
  g_autofree char *candidates = NULL;
  gboolean identity;
  gboolean playing;
  const char *transport;
  const char *remote;
  guint port = 0;

  if (self->stream == NULL)
    return;

  identity = ps_viewer_stream_is_identity_error (self->stream);
  playing = ps_stream_get_state (self->stream) == PS_STREAM_STATE_PLAYING;

  gtk_widget_set_visible (GTK_WIDGET (self->identity_row), identity);
  if (identity)
    gtk_widget_add_css_class (GTK_WIDGET (self), "identity-refused");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "identity-refused");

  update_rendezvous (self);

  transport = playing ? ps_stream_get_transport (self->stream) : NULL;
  set_subtitle (self->path_row,
                playing ? ps_p2p_connection_group_describe_transport (transport) : NULL);

  remote = playing ? ps_stream_get_remote_address (self->stream, &port) : NULL;
  if (remote != NULL && strchr (remote, ':') != NULL)
    address = g_strdup_printf ("[%s]:%u", remote, port);
  else if (remote != NULL)
    address = g_strdup_printf ("%s:%u", remote, port);
  set_subtitle (self->address_row, address);

  if (playing)
    {
      g_autoptr(GPtrArray) list = ps_stream_dup_remote_candidates (self->stream);

      candidates = ps_p2p_connection_group_format_candidates (list);
    }
  set_subtitle (self->candidates_row, candidates);

  /* the probe's first answer comes a moment after the video; a camera
   * that has not answered after a few seconds never will */
  if (playing && (ps_stream_get_rtt_ms (self->stream) >= 0 ||
                  self->playing_ticks >= RTT_PATIENCE_TICKS))
    rtt = ps_p2p_connection_group_format_rtt (ps_stream_get_rtt_ms (self->stream));
  set_subtitle (self->rtt_row, rtt);

  if (playing && self->bitrate >= 0)
    bitrate = ps_p2p_connection_group_format_bitrate (self->bitrate);
  set_subtitle (self->bitrate_row, bitrate);
}

/* The bitrate over the last second or so */
static void
measure (PsP2pConnectionGroup *self)
{
  gint64 now = g_get_monotonic_time ();
  guint64 bytes = 0, packets = 0;

  ps_stream_get_received (self->stream, &bytes, &packets);
  if (ps_stream_get_state (self->stream) != PS_STREAM_STATE_PLAYING || bytes < self->last_bytes)
    {
      self->bitrate = -1;
      self->last_time = 0;
      self->playing_ticks = 0;
    }
  else
    self->playing_ticks++;
  if (self->last_time > 0 && now - self->last_time < MIN_WINDOW_US)
    return;
  if (self->last_time > 0)
    self->bitrate = (double) (bytes - self->last_bytes) * 8 * G_USEC_PER_SEC /
                    (double) (now - self->last_time);
  self->last_bytes = bytes;
  self->last_time = now;
}

static gboolean
tick_cb (gpointer user_data)
{
  PsP2pConnectionGroup *self = user_data;

  measure (self);
  update (self);

  return G_SOURCE_CONTINUE;
}

static void
on_config_loaded_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(PsP2pConnectionGroup) self = user_data;
  g_autoptr(PsP2pConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  config = ps_p2p_account_load_finish (PS_P2P_ACCOUNT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->stream == NULL)
    return;

  if (!ps_p2p_account_config_equal (config, self->config))
    {
      g_clear_pointer (&self->config, ps_p2p_config_free);
      self->config = g_steal_pointer (&config);
      ps_p2p_directory_start (self->directory, self->config);
    }
  update (self);
}

/* The directory follows the account */
static void
connect_directory (PsP2pConnectionGroup *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  ps_p2p_account_load_async (self->account, self->cancellable, on_config_loaded_cb,
                             g_object_ref (self));
}

static void show_policy (PsP2pConnectionGroup *self);

static void
on_account_changed_cb (PsP2pConnectionGroup *self)
{
  if (self->stream != NULL)
    connect_directory (self);
  show_policy (self);
}

static void
on_stream_state_cb (PsP2pConnectionGroup *self)
{
  if (ps_stream_get_state (self->stream) != PS_STREAM_STATE_PLAYING)
    self->last_time = 0;
  measure (self);
  update (self);
}

static void
clear_stream (PsP2pConnectionGroup *self)
{
  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->stream != NULL)
    g_signal_handlers_disconnect_by_data (self->stream, self);
  g_clear_object (&self->stream);
  g_clear_pointer (&self->device_id, g_free);
  g_clear_pointer (&self->config, ps_p2p_config_free);
  if (self->directory != NULL)
    ps_p2p_directory_stop (self->directory);
}

static void
ps_p2p_connection_group_dispose (GObject *object)
{
  PsP2pConnectionGroup *self = (PsP2pConnectionGroup *) object;

  clear_stream (self);
  g_clear_object (&self->directory);
  g_clear_object (&self->account);

  G_OBJECT_CLASS (ps_p2p_connection_group_parent_class)->dispose (object);
}

/* The combo's rows: the account's policy, then PsIcePolicy + 1 */
static void
show_policy (PsP2pConnectionGroup *self)
{
  PsIcePolicy policy;
  guint selected = 0;

  if (self->device_id != NULL &&
      ps_p2p_account_get_camera_ice_policy (self->account, self->device_id, &policy))
    selected = (guint) policy + 1;

  self->showing_policy = TRUE;
  adw_combo_row_set_selected (self->policy_row, selected);
  self->showing_policy = FALSE;
}

/* The user chose: the camera's own policy, kept in the account's settings;
 * the account's "changed" restarts the stream with it */
static void
on_policy_selected_cb (PsP2pConnectionGroup *self)
{
  guint selected = adw_combo_row_get_selected (self->policy_row);
  PsIcePolicy policy = (PsIcePolicy) (selected - 1);

  if (self->showing_policy || self->device_id == NULL || selected == GTK_INVALID_LIST_POSITION)
    return;

  ps_p2p_account_set_camera_ice_policy (self->account, self->device_id,
                                        selected == 0 ? NULL : &policy);
}

static void
ps_p2p_connection_group_class_init (PsP2pConnectionGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ps_p2p_connection_group_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/peerscope/Peerscope/"
                                               "ps-p2p-connection-group.ui");
  gtk_widget_class_bind_template_child (widget_class, PsP2pConnectionGroup, identity_row);
  gtk_widget_class_bind_template_child (widget_class, PsP2pConnectionGroup, device_row);
  gtk_widget_class_bind_template_child (widget_class, PsP2pConnectionGroup, rendezvous_row);
  gtk_widget_class_bind_template_child (widget_class, PsP2pConnectionGroup, path_row);
  gtk_widget_class_bind_template_child (widget_class, PsP2pConnectionGroup, address_row);
  gtk_widget_class_bind_template_child (widget_class, PsP2pConnectionGroup, candidates_row);
  gtk_widget_class_bind_template_child (widget_class, PsP2pConnectionGroup, rtt_row);
  gtk_widget_class_bind_template_child (widget_class, PsP2pConnectionGroup, bitrate_row);
  gtk_widget_class_bind_template_child (widget_class, PsP2pConnectionGroup, policy_row);
}

static void
ps_p2p_connection_group_init (PsP2pConnectionGroup *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->bitrate = -1;
  self->account = g_object_ref (ps_p2p_account_get_default ());
  self->directory = ps_p2p_directory_new ();
  g_signal_connect_object (self->directory, "changed", G_CALLBACK (update), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->account, "changed", G_CALLBACK (on_account_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->policy_row, "notify::selected",
                           G_CALLBACK (on_policy_selected_cb), self, G_CONNECT_SWAPPED);
}

PsP2pConnectionGroup *
ps_p2p_connection_group_new (void)
{
  return g_object_new (PS_TYPE_P2P_CONNECTION_GROUP, NULL);
}

void
ps_p2p_connection_group_set_stream (PsP2pConnectionGroup *self,
                                    PsStream             *stream)
{
  g_autofree char *formatted = NULL;
  g_autofree char *markup = NULL;
  const char *uri;

  g_return_if_fail (PS_IS_P2P_CONNECTION_GROUP (self));
  g_return_if_fail (stream == NULL || PS_IS_STREAM (stream));

  clear_stream (self);
  uri = stream != NULL ? ps_stream_get_uri (stream) : NULL;
  if (!ps_p2p_account_is_p2p_uri (uri) ||
      (self->device_id = ps_p2p_device_id_normalize (uri + strlen ("p2p:"))) == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      return;
    }

  self->stream = g_object_ref (stream);
  self->bitrate = -1;
  self->last_time = 0;
  /* in groups of four, to compare with what the camera prints */
  formatted = ps_p2p_device_id_format (self->device_id);
  markup = g_strdup_printf ("<span font_family=\"monospace\">%s</span>", formatted);
  adw_action_row_set_subtitle (self->device_row, markup);

  g_signal_connect_object (stream, "notify::state", G_CALLBACK (on_stream_state_cb), self,
                           G_CONNECT_SWAPPED);
  self->tick_id = g_timeout_add_seconds (TICK_S, tick_cb, self);
  connect_directory (self);
  update (self);
  show_policy (self);
  gtk_widget_set_visible (GTK_WIDGET (self), TRUE);
}

/* Tests ----------------------------------------------------------------------- */

AdwComboRow *
_ps_p2p_connection_group_get_policy_row (PsP2pConnectionGroup *self)
{
  return self->policy_row;
}

const char *
_ps_p2p_connection_group_get_text (PsP2pConnectionGroup *self,
                                   const char           *row)
{
  AdwActionRow *rows[] = { self->device_row, self->rendezvous_row, self->path_row,
                           self->address_row, self->candidates_row, self->rtt_row,
                           self->bitrate_row };
  const char *names[] = { "device", "rendezvous", "path", "address", "candidates", "rtt",
                          "bitrate" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (row, names[i]))
      return adw_action_row_get_subtitle (rows[i]);

  g_return_val_if_reached (NULL);
}

gboolean
_ps_p2p_connection_group_shows_warning (PsP2pConnectionGroup *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self)) &&
         gtk_widget_get_visible (GTK_WIDGET (self->identity_row));
}

PsP2pDirectory *
_ps_p2p_connection_group_get_directory (PsP2pConnectionGroup *self)
{
  return self->directory;
}

void
_ps_p2p_connection_group_refresh (PsP2pConnectionGroup *self)
{
  if (self->stream != NULL)
    tick_cb (self);
}
