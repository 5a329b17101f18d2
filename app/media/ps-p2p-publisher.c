/* ps-p2p-publisher.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-p2p-publisher"
#define GST_USE_UNSTABLE_API

#include "config.h"

#include <glib/gi18n.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
#include <string.h>

#include "ps-p2p-publisher.h"
#include "ps-signalling-client.h"
#include "ps-webrtc-sender.h"

#define MAX_SESSIONS 16
/* A lost rendezvous server is tried again after 1, 2, 4… up to 30 s */
#define RECONNECT_BASE_MS 1000
#define RECONNECT_CAP_MS  30000

typedef struct
{
  PsP2pPublisher *publisher;   /* unowned: it owns us */
  char           *id;
  PsWebrtcSender *sender;
} Session;

struct _PsP2pPublisher
{
  GObject             parent_instance;

  PsP2pIdentity      *identity;
  PsP2pConfig        *config;
  char               *name;
  PsP2pSourceFunc     source_func;
  PsP2pReleaseFunc    release_func;
  gpointer            user_data;
  GMainContext       *context;

  PsSignallingClient *client;
  GTask              *start_task;
  guint               reconnect_id;
  guint               reconnect_attempts;
  GHashTable         *sessions;      /* id -> Session */
};

G_DEFINE_FINAL_TYPE (PsP2pPublisher, ps_p2p_publisher, G_TYPE_OBJECT)

enum {
  CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
session_free (Session *session)
{
  PsP2pPublisher *self = session->publisher;

  if (session->sender != NULL)
    {
      g_signal_handlers_disconnect_by_data (session->sender, session);
      ps_webrtc_sender_stop (session->sender);
      g_clear_object (&session->sender);
    }
  if (self->release_func != NULL)
    self->release_func (self->user_data, session);
  g_free (session->id);
  g_free (session);
}

static void
end_session (PsP2pPublisher *self,
             const char     *id,
             gboolean        tell_viewer)
{
  if (!g_hash_table_contains (self->sessions, id))
    return;

  g_debug ("session %s ends", id);
  if (tell_viewer && self->client != NULL)
    ps_signalling_client_end_session (self->client, id);
  g_hash_table_remove (self->sessions, id);
}

/* One session ----------------------------------------------------------------- */

static void
on_offer (PsWebrtcSender *sender,
          const char     *sdp,
          gpointer        user_data)
{
  Session *session = user_data;
  PsP2pPublisher *self = session->publisher;

  if (self->client != NULL)
    ps_signalling_client_send_sdp (self->client, session->id, PS_SIGNALLING_SDP_OFFER, sdp);
}

static void
on_candidate (PsWebrtcSender *sender,
              guint           m_line,
              const char     *candidate,
              gpointer        user_data)
{
  Session *session = user_data;
  PsP2pPublisher *self = session->publisher;

  if (self->client != NULL)
    ps_signalling_client_send_candidate (self->client, session->id, m_line, candidate);
}

static void
on_sender_failed (PsWebrtcSender *sender,
                  const GError   *error,
                  gpointer        user_data)
{
  Session *session = user_data;
  g_autofree char *id = g_strdup (session->id);

  g_message ("session %s: %s", id, error->message);
  end_session (session->publisher, id, TRUE);
}

static gboolean
session_start (Session  *session,
               GError  **error)
{
  PsP2pPublisher *self = session->publisher;
  GstElement *source;

  source = self->source_func (self->user_data, session, error);
  if (source == NULL)
    return FALSE;

  session->sender = ps_webrtc_sender_new (source, self->identity, self->config, error);
  if (session->sender == NULL)
    return FALSE;
  g_signal_connect (session->sender, "offer", G_CALLBACK (on_offer), session);
  g_signal_connect (session->sender, "candidate", G_CALLBACK (on_candidate), session);
  g_signal_connect (session->sender, "failed", G_CALLBACK (on_sender_failed), session);
  ps_webrtc_sender_start (session->sender);

  return TRUE;
}

static void
start_session (PsP2pPublisher *self,
               const char     *id)
{
  g_autoptr(GError) error = NULL;
  Session *session;

  if (g_hash_table_contains (self->sessions, id))
    return;
  if (g_hash_table_size (self->sessions) >= MAX_SESSIONS)
    {
      g_message ("refusing session %s: %u sessions already", id, MAX_SESSIONS);
      ps_signalling_client_end_session (self->client, id);
      return;
    }

  session = g_new0 (Session, 1);
  session->publisher = self;
  session->id = g_strdup (id);
  g_hash_table_insert (self->sessions, session->id, session);
  g_debug ("session %s starts", id);

  if (!session_start (session, &error))
    {
      g_message ("session %s: %s", id, error->message);
      end_session (self, id, TRUE);
    }
}

/* Signalling ------------------------------------------------------------------ */

static void
on_message (PsSignallingClient  *client,
            PsSignallingMessage *message,
            gpointer             user_data)
{
  PsP2pPublisher *self = user_data;
  Session *session;

  switch (message->type)
    {
    case PS_SIGNALLING_MESSAGE_START_SESSION:
      if (message->session_id != NULL)
        start_session (self, message->session_id);
      break;

    case PS_SIGNALLING_MESSAGE_PEER:
      session = g_hash_table_lookup (self->sessions, message->session_id);
      if (session == NULL)
        break;
      if (message->sdp_type == PS_SIGNALLING_SDP_ANSWER)
        ps_webrtc_sender_set_answer (session->sender, message->sdp);
      else if (message->sdp_type == PS_SIGNALLING_SDP_NONE && message->candidate != NULL)
        ps_webrtc_sender_add_candidate (session->sender, message->sdp_m_line_index,
                                        message->candidate);
      break;

    case PS_SIGNALLING_MESSAGE_END_SESSION:
    case PS_SIGNALLING_MESSAGE_END_SESSION_V1_1:
      end_session (self, message->session_id, FALSE);
      break;

    case PS_SIGNALLING_MESSAGE_ERROR:
      g_message ("the rendezvous server said: %s", message->details ? message->details : "?");
      break;

    default:
      break;
    }
}

static void connect_client (PsP2pPublisher *self);

static gboolean
reconnect_cb (gpointer user_data)
{
  PsP2pPublisher *self = user_data;

  self->reconnect_id = 0;
  connect_client (self);
  return G_SOURCE_REMOVE;
}

/* The connection to the rendezvous server is gone (or never came back):
 * the sessions under way need it no more; new viewers do, so register
 * again, with a capped exponential backoff and jitter */
static void
schedule_reconnect (PsP2pPublisher *self)
{
  guint delay = RECONNECT_BASE_MS << MIN (self->reconnect_attempts, 5);

  delay = MIN (delay, RECONNECT_CAP_MS);
  delay = delay / 2 + g_random_int_range (0, (gint32) (delay / 2) + 1);
  self->reconnect_attempts++;
  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  self->reconnect_id = g_timeout_add (delay, reconnect_cb, self);
  g_debug ("registering again in %u ms", delay);
}

static void
drop_client (PsP2pPublisher *self)
{
  if (self->client == NULL)
    return;

  g_signal_handlers_disconnect_by_data (self->client, self);
  ps_signalling_client_close (self->client);
  g_clear_object (&self->client);
}

static void
on_closed (PsSignallingClient *client,
           const GError       *error,
           gpointer            user_data)
{
  PsP2pPublisher *self = user_data;

  g_message ("Lost the rendezvous server (%s); registering again",
             error != NULL ? error->message : "?");
  drop_client (self);
  g_signal_emit (self, signals[CLOSED], 0, error);
  schedule_reconnect (self);
}

static void
on_connected (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(PsP2pPublisher) self = user_data;
  g_autoptr(GTask) task = g_steal_pointer (&self->start_task);
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) meta = NULL;
  GError *error = NULL;

  if (PS_SIGNALLING_CLIENT (object) != self->client)
    return;

  if (!ps_signalling_client_connect_finish (PS_SIGNALLING_CLIENT (object), result, &error))
    {
      drop_client (self);
      /* the first time, the caller hears of it; later, we keep trying */
      if (task != NULL)
        g_task_return_error (task, error);
      else
        {
          g_debug ("rendezvous server: %s", error->message);
          g_error_free (error);
          schedule_reconnect (self);
        }
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "device_id");
  json_builder_add_string_value (builder, ps_p2p_identity_get_device_id (self->identity));
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, self->name);
  json_builder_end_object (builder);
  meta = json_builder_get_root (builder);

  ps_signalling_client_set_status (self->client, PS_SIGNALLING_ROLE_PRODUCER, meta);
  self->reconnect_attempts = 0;
  if (task != NULL)
    g_task_return_boolean (task, TRUE);
  else
    g_message ("Registered with the rendezvous server again");
}

static void
connect_client (PsP2pPublisher *self)
{
  self->client = ps_signalling_client_new (self->config->rendezvous_url, self->config->token);
  ps_signalling_client_set_ca_file (self->client, self->config->ca_file);
  g_signal_connect_object (self->client, "message", G_CALLBACK (on_message), self, 0);
  g_signal_connect_object (self->client, "closed", G_CALLBACK (on_closed), self, 0);
  ps_signalling_client_connect_async (self->client, NULL, on_connected, g_object_ref (self));
}

/* Public --------------------------------------------------------------------- */

void
ps_p2p_publisher_start_async (PsP2pPublisher      *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (PS_IS_P2P_PUBLISHER (self));
  g_return_if_fail (self->client == NULL);

  self->start_task = g_task_new (self, cancellable, callback, user_data);
  if (!ps_p2p_config_validate (self->config, &error))
    {
      g_task_return_error (g_steal_pointer (&self->start_task), g_steal_pointer (&error));
      return;
    }

  connect_client (self);
}

gboolean
ps_p2p_publisher_start_finish (PsP2pPublisher  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ps_p2p_publisher_stop (PsP2pPublisher *self)
{
  g_return_if_fail (PS_IS_P2P_PUBLISHER (self));

  g_hash_table_remove_all (self->sessions);
  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  drop_client (self);
}

guint
ps_p2p_publisher_get_n_sessions (PsP2pPublisher *self)
{
  g_return_val_if_fail (PS_IS_P2P_PUBLISHER (self), 0);

  return g_hash_table_size (self->sessions);
}

PsP2pPublisher *
ps_p2p_publisher_new (PsP2pIdentity     *identity,
                      const PsP2pConfig *config,
                      const char        *name,
                      PsP2pSourceFunc    source_func,
                      PsP2pReleaseFunc   release_func,
                      gpointer           user_data)
{
  PsP2pPublisher *self;

  g_return_val_if_fail (identity != NULL, NULL);
  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (source_func != NULL, NULL);

  self = g_object_new (PS_TYPE_P2P_PUBLISHER, NULL);
  self->identity = ps_p2p_identity_ref (identity);
  self->config = ps_p2p_config_copy (config);
  self->name = g_strdup (name != NULL ? name : "Peerscope camera");
  self->source_func = source_func;
  self->release_func = release_func;
  self->user_data = user_data;

  return self;
}

static void
ps_p2p_publisher_dispose (GObject *object)
{
  PsP2pPublisher *self = (PsP2pPublisher *) object;

  if (self->sessions != NULL)
    ps_p2p_publisher_stop (self);

  G_OBJECT_CLASS (ps_p2p_publisher_parent_class)->dispose (object);
}

static void
ps_p2p_publisher_finalize (GObject *object)
{
  PsP2pPublisher *self = (PsP2pPublisher *) object;

  g_clear_pointer (&self->sessions, g_hash_table_unref);
  g_clear_pointer (&self->identity, ps_p2p_identity_unref);
  g_clear_pointer (&self->config, ps_p2p_config_free);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->name);

  G_OBJECT_CLASS (ps_p2p_publisher_parent_class)->finalize (object);
}

static void
ps_p2p_publisher_class_init (PsP2pPublisherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ps_p2p_publisher_dispose;
  object_class->finalize = ps_p2p_publisher_finalize;

  signals[CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
ps_p2p_publisher_init (PsP2pPublisher *self)
{
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                          (GDestroyNotify) session_free);
  self->context = g_main_context_ref_thread_default ();
}
