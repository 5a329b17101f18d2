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

#define MAX_SESSIONS 16

typedef struct
{
  PsP2pPublisher *publisher;   /* unowned: it owns us */
  char           *id;
  GstElement     *pipeline;
  GstElement     *webrtc;
  guint           bus_watch;
} Session;

struct _PsP2pPublisher
{
  GObject             parent_instance;

  PsP2pIdentity      *identity;
  PsP2pConfig        *config;
  char               *name;
  char               *fingerprint;   /* "sha-256 AB:CD:…" of the identity */
  PsP2pSourceFunc     source_func;
  PsP2pReleaseFunc    release_func;
  gpointer            user_data;
  GMainContext       *context;

  PsSignallingClient *client;
  GTask              *start_task;
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

  g_clear_handle_id (&session->bus_watch, g_source_remove);
  if (session->pipeline != NULL)
    {
      gst_element_set_state (session->pipeline, GST_STATE_NULL);
      gst_clear_object (&session->pipeline);
    }
  if (self->release_func != NULL)
    self->release_func (self->user_data, session);
  gst_clear_object (&session->webrtc);
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

/* Main-thread work from webrtcbin's threads ------------------------------ */

typedef struct
{
  PsP2pPublisher *self;
  char           *session_id;
  char           *sdp;         /* an offer to send, or ... */
  char           *candidate;   /* ... a candidate, or neither: the session failed */
  guint           m_line;
} Call;

static void
call_free (Call *call)
{
  g_object_unref (call->self);
  g_free (call->session_id);
  g_free (call->sdp);
  g_free (call->candidate);
  g_free (call);
}

static gboolean
call_cb (gpointer user_data)
{
  Call *call = user_data;
  PsP2pPublisher *self = call->self;

  if (self->client == NULL || !g_hash_table_contains (self->sessions, call->session_id))
    return G_SOURCE_REMOVE;

  if (call->sdp != NULL)
    ps_signalling_client_send_sdp (self->client, call->session_id, PS_SIGNALLING_SDP_OFFER,
                                   call->sdp);
  else if (call->candidate != NULL)
    ps_signalling_client_send_candidate (self->client, call->session_id, call->m_line,
                                         call->candidate);
  else
    end_session (self, call->session_id, TRUE);

  return G_SOURCE_REMOVE;
}

static void
call_on_main (Session *session,
              Call    *call)
{
  call->self = g_object_ref (session->publisher);
  call->session_id = g_strdup (session->id);
  g_main_context_invoke_full (session->publisher->context, G_PRIORITY_DEFAULT, call_cb, call,
                              (GDestroyNotify) call_free);
}

/* One session ----------------------------------------------------------------- */

/* webrtcbin 1.22 hashes the whole PEM, key included, into a=fingerprint:
 * say what the certificate's digest really is, which the viewer checks
 * against the handshake. */
static void
set_fingerprints (GstSDPMessage *sdp,
                  const char    *fingerprint)
{
  for (guint i = 0; i < gst_sdp_message_attributes_len (sdp); i++)
    if (g_strcmp0 (gst_sdp_message_get_attribute (sdp, i)->key, "fingerprint") == 0)
      {
        GstSDPAttribute attribute;

        gst_sdp_attribute_set (&attribute, "fingerprint", fingerprint);
        gst_sdp_message_replace_attribute (sdp, i, &attribute);
      }

  for (guint m = 0; m < gst_sdp_message_medias_len (sdp); m++)
    {
      GstSDPMedia *media = (GstSDPMedia *) gst_sdp_message_get_media (sdp, m);

      for (guint i = 0; i < gst_sdp_media_attributes_len (media); i++)
        if (g_strcmp0 (gst_sdp_media_get_attribute (media, i)->key, "fingerprint") == 0)
          {
            GstSDPAttribute attribute;

            gst_sdp_attribute_set (&attribute, "fingerprint", fingerprint);
            gst_sdp_media_replace_attribute (media, i, &attribute);
          }
    }
}

static void
on_offer_created (GstPromise *promise,
                  gpointer    user_data)
{
  Session *session = user_data;
  const GstStructure *reply = NULL;
  GstWebRTCSessionDescription *offer = NULL;
  Call *call = g_new0 (Call, 1);

  if (gst_promise_wait (promise) == GST_PROMISE_RESULT_REPLIED)
    reply = gst_promise_get_reply (promise);
  if (reply != NULL)
    gst_structure_get (reply, "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &offer, NULL);
  gst_promise_unref (promise);

  if (offer != NULL)
    {
      set_fingerprints (offer->sdp, session->publisher->fingerprint);
      g_signal_emit_by_name (session->webrtc, "set-local-description", offer, NULL);
      call->sdp = gst_sdp_message_as_text (offer->sdp);
      gst_webrtc_session_description_free (offer);
    }
  else
    g_warning ("session %s: webrtcbin made no offer", session->id);

  call_on_main (session, call);
}

static void
on_negotiation_needed (GstElement *webrtc,
                       gpointer    user_data)
{
  Session *session = user_data;

  g_signal_emit_by_name (webrtc, "create-offer", NULL,
                         gst_promise_new_with_change_func (on_offer_created, session, NULL));
}

static void
on_ice_candidate (GstElement *webrtc,
                  guint       m_line,
                  char       *candidate,
                  gpointer    user_data)
{
  Session *session = user_data;
  Call *call;

  if (session->publisher->config->ice_policy == PS_ICE_POLICY_LAN &&
      strstr (candidate, " typ host") == NULL)
    return;

  call = g_new0 (Call, 1);
  call->candidate = g_strdup (candidate);
  call->m_line = m_line;
  call_on_main (session, call);
}

/* The DTLS elements take the identity while they are still in NULL */
static void
on_deep_element_added (GstBin     *bin,
                       GstBin     *sub_bin,
                       GstElement *element,
                       gpointer    user_data)
{
  Session *session = user_data;
  GstElementFactory *factory = gst_element_get_factory (element);

  if (factory != NULL &&
      g_str_equal (GST_OBJECT_NAME (factory), "dtlssrtpdec"))
    g_object_set (element, "pem", ps_p2p_identity_get_pem (session->publisher->identity), NULL);
}

static gboolean
on_bus_message (GstBus     *bus,
                GstMessage *message,
                gpointer    user_data)
{
  Session *session = user_data;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *debug = NULL;
      Call *call = g_new0 (Call, 1);

      gst_message_parse_error (message, &error, &debug);
      g_message ("session %s: %s (%s)", session->id, error->message, debug ? debug : "");
      session->bus_watch = 0;
      call_on_main (session, call);
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

static void
configure_ice (PsP2pPublisher *self,
               GstElement     *webrtc)
{
  const PsP2pConfig *config = self->config;

  if (config->ice_policy == PS_ICE_POLICY_LAN)
    return;
  if (config->stun_server != NULL)
    g_object_set (webrtc, "stun-server", config->stun_server, NULL);
  for (guint i = 0; config->turn_servers != NULL && config->turn_servers[i] != NULL; i++)
    {
      gboolean added = FALSE;

      g_signal_emit_by_name (webrtc, "add-turn-server", config->turn_servers[i], &added);
    }
  if (config->ice_policy == PS_ICE_POLICY_RELAY)
    g_object_set (webrtc, "ice-transport-policy", GST_WEBRTC_ICE_TRANSPORT_POLICY_RELAY, NULL);
}

static gboolean
session_start (Session  *session,
               GError  **error)
{
  PsP2pPublisher *self = session->publisher;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstWebRTCRTPTransceiver) transceiver = NULL;
  GstElement *source, *parse, *pay;

  source = self->source_func (self->user_data, session, error);
  if (source == NULL)
    return FALSE;

  session->pipeline = gst_pipeline_new (NULL);
  g_signal_connect (session->pipeline, "deep-element-added", G_CALLBACK (on_deep_element_added),
                    session);
  parse = gst_element_factory_make ("h264parse", NULL);
  pay = gst_element_factory_make ("rtph264pay", NULL);
  session->webrtc = gst_element_factory_make ("webrtcbin", NULL);
  if (parse == NULL || pay == NULL || session->webrtc == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("GStreamer’s h264parse, rtph264pay or webrtcbin is missing"));
      gst_clear_object (&parse);
      gst_clear_object (&pay);
      gst_object_unref (source);
      return FALSE;
    }
  gst_object_ref (session->webrtc);
  g_object_set (parse, "config-interval", -1, NULL);
  g_object_set (pay, "config-interval", -1, "pt", 96, NULL);
  gst_util_set_object_arg (G_OBJECT (pay), "aggregate-mode", "zero-latency");
  g_object_set (session->webrtc, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, NULL);
  configure_ice (self, session->webrtc);
  ps_p2p_config_apply_to_ice (self->config, session->webrtc);

  gst_bin_add_many (GST_BIN (session->pipeline), source, parse, pay, session->webrtc, NULL);
  if (!gst_element_link_many (source, parse, pay, session->webrtc, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot link the session pipeline"));
      return FALSE;
    }

  /* the camera sends; it receives nothing but RTCP */
  g_signal_emit_by_name (session->webrtc, "get-transceiver", 0, &transceiver);
  if (transceiver != NULL)
    g_object_set (transceiver, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, NULL);

  g_signal_connect (session->webrtc, "on-negotiation-needed", G_CALLBACK (on_negotiation_needed),
                    session);
  g_signal_connect (session->webrtc, "on-ice-candidate", G_CALLBACK (on_ice_candidate), session);

  bus = gst_pipeline_get_bus (GST_PIPELINE (session->pipeline));
  session->bus_watch = gst_bus_add_watch (bus, on_bus_message, session);

  if (gst_element_set_state (session->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot start the session pipeline"));
      return FALSE;
    }

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
        {
          GstSDPMessage *sdp = NULL;
          GstWebRTCSessionDescription *answer;

          if (gst_sdp_message_new_from_text (message->sdp, &sdp) != GST_SDP_OK || sdp == NULL)
            {
              end_session (self, message->session_id, TRUE);
              break;
            }
          answer = gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_ANSWER, sdp);
          g_signal_emit_by_name (session->webrtc, "set-remote-description", answer, NULL);
          gst_webrtc_session_description_free (answer);
        }
      else if (message->sdp_type == PS_SIGNALLING_SDP_NONE && message->candidate != NULL &&
               *message->candidate != '\0')
        {
          if (self->config->ice_policy == PS_ICE_POLICY_LAN &&
              strstr (message->candidate, " typ host") == NULL)
            break;
          g_signal_emit_by_name (session->webrtc, "add-ice-candidate",
                                 message->sdp_m_line_index, message->candidate);
        }
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

static void
on_closed (PsSignallingClient *client,
           const GError       *error,
           gpointer            user_data)
{
  PsP2pPublisher *self = user_data;

  g_signal_emit (self, signals[CLOSED], 0, error);
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

  if (!ps_signalling_client_connect_finish (PS_SIGNALLING_CLIENT (object), result, &error))
    {
      g_task_return_error (task, error);
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
  g_task_return_boolean (task, TRUE);
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

  self->client = ps_signalling_client_new (self->config->rendezvous_url, self->config->token);
  if (self->config->ca_file != NULL &&
      !ps_signalling_client_set_ca_file (self->client, self->config->ca_file, &error))
    {
      g_task_return_error (g_steal_pointer (&self->start_task), g_steal_pointer (&error));
      return;
    }
  g_signal_connect_object (self->client, "message", G_CALLBACK (on_message), self, 0);
  g_signal_connect_object (self->client, "closed", G_CALLBACK (on_closed), self, 0);
  ps_signalling_client_connect_async (self->client, cancellable, on_connected,
                                      g_object_ref (self));
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
  if (self->client != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->client, self);
      ps_signalling_client_close (self->client);
      g_clear_object (&self->client);
    }
}

guint
ps_p2p_publisher_get_n_sessions (PsP2pPublisher *self)
{
  g_return_val_if_fail (PS_IS_P2P_PUBLISHER (self), 0);

  return g_hash_table_size (self->sessions);
}

/* "sha-256 AB:CD:…" */
static char *
fingerprint_of (const char *device_id)
{
  GString *text = g_string_new ("sha-256 ");

  for (guint i = 0; device_id[i] != '\0'; i++)
    {
      if (i > 0 && i % 2 == 0)
        g_string_append_c (text, ':');
      g_string_append_c (text, g_ascii_toupper (device_id[i]));
    }

  return g_string_free (text, FALSE);
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
  self->fingerprint = fingerprint_of (ps_p2p_identity_get_device_id (identity));
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
  g_free (self->fingerprint);

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
