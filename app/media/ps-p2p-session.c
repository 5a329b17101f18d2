/* ps-p2p-session.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-p2p-session"
#define GST_USE_UNSTABLE_API

#include "config.h"

#include <glib/gi18n.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
#include <string.h>

#include "ps-ice-close.h"
#include "ps-ice-pair.h"
#include "ps-p2p-identity.h"
#include "ps-p2p-session.h"
#include "ps-rtt-probe.h"
#include "ps-signalling-client.h"
#include "ps-stream-error.h"
#include "ps-webrtc-promise.h"
#include "ps-webrtc-viewer.h"

/* How long the camera may take to show up on the rendezvous server: the
 * list answer names it at once when it is online; this is for one that
 * registers just now.  Shorter than a stream's own timeout, so that "not
 * online" is what the user hears; the stream's retries wait for it after. */
#define FIND_TIMEOUT_S 6

struct _PsP2pSession
{
  GObject             parent_instance;

  char               *device_id;
  PsP2pConfig        *config;
  GstElement         *webrtc;
  GError             *setup_error;
  GMainContext       *context;

  PsSignallingClient *client;
  GCancellable       *cancellable;
  char               *producer_id;
  char               *session_id;
  guint               find_timeout_id;
  gboolean            answered;
  gboolean            connected;
  gboolean            done;          /* failed or stopped */
  gboolean            closed;        /* the ICE agent is closing */

  PsIcePair          *pair;
  PsRttProbe         *rtt;

  /* read by streaming threads */
  gint                verified;      /* atomic: 0 not yet, 1 the pinned camera, -1 not */
};

static void ps_p2p_session_viewer_init (PsWebrtcViewerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PsP2pSession, ps_p2p_session, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PS_TYPE_WEBRTC_VIEWER,
                                                      ps_p2p_session_viewer_init))

static void
fail (PsP2pSession *self,
      GError       *reason)
{
  g_autoptr(GError) error = reason;

  if (self->done)
    return;
  self->done = TRUE;
  g_debug ("%.12s: %s", self->device_id, error->message);

  g_clear_handle_id (&self->find_timeout_id, g_source_remove);
  if (self->client != NULL && self->session_id != NULL)
    ps_signalling_client_end_session (self->client, self->session_id);

  g_object_ref (self);
  g_signal_emit_by_name (self, "failed", error);
  g_object_unref (self);
}

/* Main-thread calls from GStreamer's threads ------------------------------ */

typedef struct
{
  PsP2pSession *self;
  GError       *error;        /* fail with this, or ... */
  guint         m_line;       /* ... send this candidate, or ... */
  char         *candidate;
  char         *answer;       /* ... send our answer, or ... */
  gboolean      ice_connected; /* ... report the path */
} Call;

static gboolean
call_cb (gpointer user_data)
{
  Call *call = user_data;
  PsP2pSession *self = call->self;

  if (call->error != NULL)
    fail (self, g_steal_pointer (&call->error));
  else if (call->answer != NULL)
    {
      if (!self->done && self->client != NULL && self->session_id != NULL)
        ps_signalling_client_send_sdp (self->client, self->session_id, PS_SIGNALLING_SDP_ANSWER,
                                       call->answer);
    }
  else if (call->candidate != NULL)
    {
      if (!self->done && self->client != NULL && self->session_id != NULL)
        ps_signalling_client_send_candidate (self->client, self->session_id, call->m_line,
                                             call->candidate);
    }
  else if (call->ice_connected && !self->done && !self->connected)
    {
      self->connected = TRUE;
      ps_ice_pair_watch (self->pair, self->webrtc);
      g_signal_emit_by_name (self, "connected");
    }

  return G_SOURCE_REMOVE;
}

static void
call_free (Call *call)
{
  g_object_unref (call->self);
  g_clear_error (&call->error);
  g_free (call->candidate);
  g_free (call->answer);
  g_free (call);
}

static void
call_on_main (PsP2pSession *self,
              Call         *call)
{
  call->self = g_object_ref (self);
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, call_cb, call,
                              (GDestroyNotify) call_free);
}

/* Identity ------------------------------------------------------------------ */

/* Every a=fingerprint of the offer names the pinned device id */
static gboolean
offer_is_from_camera (PsP2pSession   *self,
                      GstSDPMessage  *sdp,
                      GError        **error)
{
  g_autofree char *seen = NULL;
  guint fingerprints = 0;

  for (guint m = 0; m <= gst_sdp_message_medias_len (sdp); m++)
    {
      const GstSDPMedia *media = m > 0 ? gst_sdp_message_get_media (sdp, m - 1) : NULL;
      guint n = media != NULL ? gst_sdp_media_attributes_len (media)
                              : gst_sdp_message_attributes_len (sdp);

      for (guint i = 0; i < n; i++)
        {
          const GstSDPAttribute *attribute = media != NULL ? gst_sdp_media_get_attribute (media, i)
                                                           : gst_sdp_message_get_attribute (sdp, i);
          g_autofree char *id = NULL;

          if (g_strcmp0 (attribute->key, "fingerprint") != 0)
            continue;
          fingerprints++;
          id = ps_p2p_device_id_from_fingerprint (attribute->value);
          if (id == NULL || !g_str_equal (id, self->device_id))
            {
              g_set_error (error, PS_STREAM_ERROR, PS_STREAM_ERROR_IDENTITY,
                           _("The offer does not come from the camera you paired: its identity "
                             "is %.16s…, not %.16s…"),
                           id != NULL ? id : "(unknown)", self->device_id);
              return FALSE;
            }
        }
    }

  if (fingerprints == 0)
    {
      g_set_error (error, PS_STREAM_ERROR, PS_STREAM_ERROR_IDENTITY,
                   _("The offer carries no DTLS fingerprint: refused"));
      return FALSE;
    }

  return TRUE;
}

static GObject *
dtls_transport (PsP2pSession *self)
{
  g_autoptr(GstWebRTCRTPTransceiver) transceiver = NULL;
  g_autoptr(GstWebRTCRTPReceiver) receiver = NULL;
  GObject *transport = NULL;

  g_signal_emit_by_name (self->webrtc, "get-transceiver", 0, &transceiver);
  if (transceiver == NULL)
    return NULL;
  g_object_get (transceiver, "receiver", &receiver, NULL);
  if (receiver != NULL)
    g_object_get (receiver, "transport", &transport, NULL);

  return transport;
}

/* Streaming thread: nothing decrypted leaves webrtcbin before the DTLS
 * peer proved it holds the pinned identity. */
static GstPadProbeReturn
gate_cb (GstPad          *pad,
         GstPadProbeInfo *info,
         gpointer         user_data)
{
  PsP2pSession *self = user_data;
  g_autoptr(GObject) transport = NULL;
  g_autofree char *pem = NULL;
  g_autofree char *id = NULL;
  int verified = g_atomic_int_get (&self->verified);

  if (verified > 0)
    return GST_PAD_PROBE_REMOVE;
  if (verified < 0)
    return GST_PAD_PROBE_DROP;

  transport = dtls_transport (self);
  if (transport != NULL)
    g_object_get (transport, "remote-certificate", &pem, NULL);
  if (pem == NULL)
    return GST_PAD_PROBE_DROP;

  id = ps_p2p_device_id_from_pem (pem, NULL);
  if (id != NULL && g_str_equal (id, self->device_id))
    {
      g_atomic_int_set (&self->verified, 1);
      g_debug ("%.12s: the DTLS peer holds the pinned identity", self->device_id);
      return GST_PAD_PROBE_REMOVE;
    }

  if (g_atomic_int_compare_and_exchange (&self->verified, 0, -1))
    {
      Call *call = g_new0 (Call, 1);

      call->error = g_error_new (PS_STREAM_ERROR, PS_STREAM_ERROR_IDENTITY,
                                 _("The camera's DTLS certificate is not the paired camera's "
                                   "(%.16s…): media refused"),
                                 id != NULL ? id : "(unreadable)");
      call_on_main (self, call);
    }

  return GST_PAD_PROBE_DROP;
}

/* Connected first, so it runs before the pipeline's own pad-added handler
 * links the pad anywhere */
static void
on_pad_added (GstElement *webrtc,
              GstPad     *pad,
              gpointer    user_data)
{
  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;

  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                     gate_cb, user_data, NULL);
}

/* ICE ------------------------------------------------------------------------- */

static void
on_ice_candidate (GstElement *webrtc,
                  guint       m_line,
                  char       *candidate,
                  gpointer    user_data)
{
  PsP2pSession *self = user_data;
  Call *call;

  /* LAN only: our other addresses are nobody's business */
  if (!ps_p2p_config_allows_candidate (self->config, candidate))
    return;

  call = g_new0 (Call, 1);
  call->m_line = m_line;
  call->candidate = g_strdup (candidate);
  call_on_main (self, call);
}

static void
on_ice_state (GObject    *webrtc,
              GParamSpec *pspec,
              gpointer    user_data)
{
  PsP2pSession *self = user_data;
  GstWebRTCICEConnectionState state;
  Call *call;

  g_object_get (webrtc, "ice-connection-state", &state, NULL);
  if (state == GST_WEBRTC_ICE_CONNECTION_STATE_CONNECTED ||
      state == GST_WEBRTC_ICE_CONNECTION_STATE_COMPLETED)
    {
      call = g_new0 (Call, 1);
      call->ice_connected = TRUE;
      call_on_main (self, call);
    }
  else if (state == GST_WEBRTC_ICE_CONNECTION_STATE_FAILED)
    {
      call = g_new0 (Call, 1);
      call->error = g_error_new (PS_STREAM_ERROR, PS_STREAM_ERROR_UNREACHABLE,
                                 _("No network path to the camera (ICE failed)"));
      call_on_main (self, call);
    }
}

/* Offer and answer -------------------------------------------------------- */

static void
on_answer_created (GstPromise *promise,
                   gpointer    user_data)
{
  PsP2pSession *self = user_data;
  GstWebRTCSessionDescription *answer = NULL;
  g_autofree char *text = NULL;
  Call *call;

  answer = ps_webrtc_promise_take_description (promise, "answer");

  if (answer == NULL)
    {
      call = g_new0 (Call, 1);
      call->error = g_error_new (PS_STREAM_ERROR, PS_STREAM_ERROR_PROTOCOL,
                                 _("Cannot answer the camera's offer"));
      call_on_main (self, call);
      return;
    }

  g_signal_emit_by_name (self->webrtc, "set-local-description", answer, NULL);
  text = gst_sdp_message_as_text (answer->sdp);
  gst_webrtc_session_description_free (answer);

  /* sent from the main thread, in order with our candidates */
  call = g_new0 (Call, 1);
  call->answer = g_steal_pointer (&text);
  call_on_main (self, call);
}

static void
handle_offer (PsP2pSession *self,
              const char   *text)
{
  GstSDPMessage *sdp = NULL;
  GstWebRTCSessionDescription *offer;
  GError *error = NULL;

  if (self->answered)
    return;
  if (gst_sdp_message_new_from_text (text, &sdp) != GST_SDP_OK || sdp == NULL)
    {
      fail (self, g_error_new (PS_STREAM_ERROR, PS_STREAM_ERROR_PROTOCOL,
                               _("The camera sent an offer that is not SDP")));
      return;
    }
  if (!offer_is_from_camera (self, sdp, &error))
    {
      gst_sdp_message_free (sdp);
      fail (self, error);
      return;
    }

  self->answered = TRUE;
  ps_ice_pair_add_remote_candidates_from_sdp (self->pair, sdp);
  offer = gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_OFFER, sdp);
  g_signal_emit_by_name (self->webrtc, "set-remote-description", offer, NULL);
  gst_webrtc_session_description_free (offer);

  g_signal_emit_by_name (self->webrtc, "create-answer", NULL,
                         gst_promise_new_with_change_func (on_answer_created, self, NULL));
}

/* Signalling ------------------------------------------------------------------ */

static gboolean
find_timeout_cb (gpointer user_data)
{
  PsP2pSession *self = user_data;

  self->find_timeout_id = 0;
  fail (self, g_error_new (PS_STREAM_ERROR, PS_STREAM_ERROR_NOT_FOUND,
                           _("No camera with this device id is online on the rendezvous server")));
  return G_SOURCE_REMOVE;
}

static gboolean
meta_names_device (JsonNode   *meta,
                   const char *device_id)
{
  JsonObject *object;
  const char *id;

  if (meta == NULL || !JSON_NODE_HOLDS_OBJECT (meta))
    return FALSE;
  object = json_node_get_object (meta);
  id = json_object_get_string_member_with_default (object, "device_id", NULL);

  return id != NULL && g_str_equal (id, device_id);
}

static void
request_session (PsP2pSession *self,
                 const char   *peer_id)
{
  if (self->producer_id != NULL)
    return;

  g_debug ("%.12s: the camera is peer %s; starting a session", self->device_id, peer_id);
  self->producer_id = g_strdup (peer_id);
  ps_signalling_client_start_session (self->client, peer_id);
}

static void
on_message (PsSignallingClient  *client,
            PsSignallingMessage *message,
            gpointer             user_data)
{
  PsP2pSession *self = user_data;

  if (self->done)
    return;

  switch (message->type)
    {
    case PS_SIGNALLING_MESSAGE_LIST:
      for (guint i = 0; message->peers != NULL && i < message->peers->len; i++)
        {
          PsSignallingPeerInfo *peer = g_ptr_array_index (message->peers, i);

          if (meta_names_device (peer->meta, self->device_id))
            request_session (self, peer->id);
        }
      break;

    case PS_SIGNALLING_MESSAGE_PEER_STATUS_CHANGED:
      if ((message->roles & PS_SIGNALLING_ROLE_PRODUCER) &&
          meta_names_device (message->meta, self->device_id))
        request_session (self, message->peer_id);
      break;

    case PS_SIGNALLING_MESSAGE_SESSION_STARTED:
      if (self->session_id == NULL && g_strcmp0 (message->peer_id, self->producer_id) == 0)
        {
          g_clear_handle_id (&self->find_timeout_id, g_source_remove);
          self->session_id = g_strdup (message->session_id);
        }
      break;

    case PS_SIGNALLING_MESSAGE_PEER:
      if (self->session_id == NULL || g_strcmp0 (message->session_id, self->session_id) != 0)
        break;
      if (message->sdp_type == PS_SIGNALLING_SDP_OFFER)
        handle_offer (self, message->sdp);
      else if (message->sdp_type == PS_SIGNALLING_SDP_NONE && message->candidate != NULL &&
               *message->candidate != '\0')
        {
          if (!ps_p2p_config_allows_candidate (self->config, message->candidate))
            break;
          ps_ice_pair_add_remote_candidate (self->pair, message->candidate);
          g_signal_emit_by_name (self->webrtc, "add-ice-candidate", message->sdp_m_line_index,
                                 message->candidate);
        }
      break;

    case PS_SIGNALLING_MESSAGE_END_SESSION:
    case PS_SIGNALLING_MESSAGE_END_SESSION_V1_1:
      if (g_strcmp0 (message->session_id, self->session_id) == 0)
        fail (self, g_error_new (PS_STREAM_ERROR, PS_STREAM_ERROR_DISCONNECTED,
                                 _("The camera ended the session")));
      break;

    case PS_SIGNALLING_MESSAGE_ERROR:
      if (!self->connected)
        fail (self, g_error_new (PS_STREAM_ERROR, PS_STREAM_ERROR_PROTOCOL,
                                 _("The rendezvous server said: %s"),
                                 message->details != NULL ? message->details : "?"));
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
  PsP2pSession *self = user_data;

  /* once connected, media no longer needs the rendezvous server */
  if (self->connected)
    {
      g_debug ("%.12s: the rendezvous server went away; the session goes on", self->device_id);
      return;
    }

  fail (self, g_error_new (PS_STREAM_ERROR, PS_STREAM_ERROR_DISCONNECTED,
                           _("Lost the rendezvous server: %s"),
                           error != NULL ? error->message : "?"));
}

static void
on_client_connected (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(PsP2pSession) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ps_signalling_client_connect_finish (PS_SIGNALLING_CLIENT (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (error->domain != PS_STREAM_ERROR)
        {
          g_autoptr(GError) reason = g_steal_pointer (&error);

          error = g_error_new (PS_STREAM_ERROR, PS_STREAM_ERROR_UNREACHABLE,
                               _("Cannot reach the rendezvous server: %s"), reason->message);
        }
      fail (self, g_steal_pointer (&error));
      return;
    }

  ps_signalling_client_set_status (self->client, PS_SIGNALLING_ROLE_LISTENER, NULL);
  ps_signalling_client_list (self->client);
  self->find_timeout_id = g_timeout_add_seconds (FIND_TIMEOUT_S, find_timeout_cb, self);
}

static void
drop_probe (gpointer  data,
            GClosure *closure)
{
  g_object_unref (data);
}

/* webrtcbin's thread: the camera's round-trip probe, once DTLS is up */
static void
on_data_channel (GstElement           *webrtc,
                 GstWebRTCDataChannel *channel,
                 gpointer              user_data)
{
  ps_rtt_probe_attach (user_data, channel);
}

/* Public --------------------------------------------------------------------- */

PsP2pSession *
ps_p2p_session_new (const char        *device_id,
                    const PsP2pConfig *config)
{
  PsP2pSession *self;

  g_return_val_if_fail (device_id != NULL, NULL);
  g_return_val_if_fail (config != NULL, NULL);

  self = g_object_new (PS_TYPE_P2P_SESSION, NULL);
  self->device_id = g_strdup (device_id);
  self->config = ps_p2p_config_copy (config);

  self->webrtc = ps_webrtc_viewer_make_webrtcbin (self->config, &self->setup_error);
  if (self->setup_error != NULL)
    return self;
  g_signal_connect (self->webrtc, "pad-added", G_CALLBACK (on_pad_added), self);
  g_signal_connect (self->webrtc, "on-ice-candidate", G_CALLBACK (on_ice_candidate), self);
  g_signal_connect (self->webrtc, "notify::ice-connection-state", G_CALLBACK (on_ice_state),
                    self);
  /* the handler holds the probe, not the session: webrtcbin's thread may
   * be inside it while the session goes */
  g_signal_connect_data (self->webrtc, "on-data-channel", G_CALLBACK (on_data_channel),
                         g_object_ref (self->rtt), drop_probe, 0);

  return self;
}

GstElement *
ps_p2p_session_get_element (PsP2pSession *self)
{
  g_return_val_if_fail (PS_IS_P2P_SESSION (self), NULL);

  return self->webrtc;
}

void
ps_p2p_session_start (PsP2pSession *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (PS_IS_P2P_SESSION (self));
  g_return_if_fail (self->client == NULL);

  if (self->setup_error != NULL)
    {
      fail (self, g_error_copy (self->setup_error));
      return;
    }
  if (!ps_p2p_config_validate (self->config, &error))
    {
      fail (self, g_steal_pointer (&error));
      return;
    }

  self->client = ps_signalling_client_new (self->config->rendezvous_url, self->config->token);
  ps_signalling_client_set_ca_file (self->client, self->config->ca_file);
  g_signal_connect_object (self->client, "message", G_CALLBACK (on_message), self, 0);
  g_signal_connect_object (self->client, "closed", G_CALLBACK (on_closed), self, 0);
  ps_signalling_client_connect_async (self->client, self->cancellable, on_client_connected,
                                      g_object_ref (self));
}

void
ps_p2p_session_stop (PsP2pSession *self)
{
  g_return_if_fail (PS_IS_P2P_SESSION (self));

  if (!self->closed && self->setup_error == NULL)
    ps_ice_close (self->webrtc);
  self->closed = TRUE;
  ps_rtt_probe_stop (self->rtt);
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->find_timeout_id, g_source_remove);
  if (self->client != NULL)
    {
      if (self->session_id != NULL && !self->done)
        ps_signalling_client_end_session (self->client, self->session_id);
      g_signal_handlers_disconnect_by_data (self->client, self);
      ps_signalling_client_close (self->client);
    }
  self->done = TRUE;
}

const char *
ps_p2p_session_get_transport (PsP2pSession *self)
{
  g_return_val_if_fail (PS_IS_P2P_SESSION (self), NULL);

  return ps_ice_pair_get_transport (self->pair);
}

const char *
ps_p2p_session_get_remote_address (PsP2pSession *self,
                                   guint        *port)
{
  g_return_val_if_fail (PS_IS_P2P_SESSION (self), NULL);

  return ps_ice_pair_get_remote_address (self->pair, port);
}

gboolean
ps_p2p_session_path_is_intact (PsP2pSession *self)
{
  g_return_val_if_fail (PS_IS_P2P_SESSION (self), FALSE);

  return ps_ice_pair_is_intact (self->pair);
}

static void
ps_p2p_session_dispose (GObject *object)
{
  PsP2pSession *self = (PsP2pSession *) object;

  if (!self->closed)
    ps_p2p_session_stop (self);
  g_clear_object (&self->client);
  if (self->webrtc != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->webrtc, self);
      g_signal_handlers_disconnect_by_data (self->webrtc, self->rtt);
    }
  gst_clear_object (&self->webrtc);

  G_OBJECT_CLASS (ps_p2p_session_parent_class)->dispose (object);
}

static void
ps_p2p_session_finalize (GObject *object)
{
  PsP2pSession *self = (PsP2pSession *) object;

  g_clear_object (&self->cancellable);
  g_clear_error (&self->setup_error);
  g_clear_pointer (&self->config, ps_p2p_config_free);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->device_id);
  g_free (self->producer_id);
  g_free (self->session_id);
  g_clear_object (&self->pair);
  g_clear_object (&self->rtt);

  G_OBJECT_CLASS (ps_p2p_session_parent_class)->finalize (object);
}

static void
ps_p2p_session_class_init (PsP2pSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ps_p2p_session_dispose;
  object_class->finalize = ps_p2p_session_finalize;
}

static GstElement *
viewer_get_element (PsWebrtcViewer *viewer)
{
  return ps_p2p_session_get_element (PS_P2P_SESSION (viewer));
}

static void
viewer_start (PsWebrtcViewer *viewer)
{
  ps_p2p_session_start (PS_P2P_SESSION (viewer));
}

static void
viewer_stop (PsWebrtcViewer *viewer)
{
  ps_p2p_session_stop (PS_P2P_SESSION (viewer));
}

static const char *
viewer_get_transport (PsWebrtcViewer *viewer)
{
  return ps_p2p_session_get_transport (PS_P2P_SESSION (viewer));
}

static const char *
viewer_get_remote_address (PsWebrtcViewer *viewer,
                           guint          *port)
{
  return ps_p2p_session_get_remote_address (PS_P2P_SESSION (viewer), port);
}

static gboolean
viewer_path_is_intact (PsWebrtcViewer *viewer)
{
  return ps_p2p_session_path_is_intact (PS_P2P_SESSION (viewer));
}

static GPtrArray *
viewer_dup_remote_candidates (PsWebrtcViewer *viewer)
{
  return ps_ice_pair_dup_remote_candidates (PS_P2P_SESSION (viewer)->pair);
}

static double
viewer_get_rtt_ms (PsWebrtcViewer *viewer)
{
  return ps_rtt_probe_get_rtt_ms (PS_P2P_SESSION (viewer)->rtt);
}

static void
ps_p2p_session_viewer_init (PsWebrtcViewerInterface *iface)
{
  iface->get_element = viewer_get_element;
  iface->start = viewer_start;
  iface->stop = viewer_stop;
  iface->get_transport = viewer_get_transport;
  iface->get_remote_address = viewer_get_remote_address;
  iface->path_is_intact = viewer_path_is_intact;
  iface->get_rtt_ms = viewer_get_rtt_ms;
  iface->dup_remote_candidates = viewer_dup_remote_candidates;
}

static void
ps_p2p_session_init (PsP2pSession *self)
{
  self->pair = ps_ice_pair_new ();
  self->rtt = ps_rtt_probe_new ();
  self->cancellable = g_cancellable_new ();
  self->context = g_main_context_ref_thread_default ();
}

