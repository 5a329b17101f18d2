/* ps-webrtc-sender.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-webrtc-sender"
#define GST_USE_UNSTABLE_API

#include "config.h"

#include <glib/gi18n.h>
#include <gst/sdp/sdp.h>
#include <gst/video/video.h>
#include <gst/webrtc/webrtc.h>
#include <string.h>

#include "ps-ice-close.h"
#include "ps-rtt-echo.h"
#include "ps-stream-error.h"
#include "ps-webrtc-promise.h"
#include "ps-webrtc-sender.h"

#define DEFAULT_PAYLOAD   96
/* An answer waits this long for every candidate (WHEP sends none later) */
#define GATHER_TIMEOUT_MS 3000

struct _PsWebrtcSender
{
  GObject        parent_instance;

  PsP2pIdentity *identity;
  char          *fingerprint;   /* "sha-256 AB:…" of the identity, or NULL */
  PsP2pConfig   *config;
  GMainContext  *context;

  GstElement    *pipeline;
  GstElement    *source;
  GstElement    *pay;
  GstElement    *webrtc;
  guint          bus_watch;
  gboolean       linked;
  gboolean       stopped;

  GTask         *answer_task;
  guint          gather_timeout_id;
  gint           keyframe_sent;   /* atomic */
  gint           viewer_gone;     /* atomic */
};

G_DEFINE_FINAL_TYPE (PsWebrtcSender, ps_webrtc_sender, G_TYPE_OBJECT)

enum {
  OFFER,
  CANDIDATE,
  FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Main-thread work from webrtcbin's threads ------------------------------ */

typedef enum {
  CALL_OFFER,
  CALL_CANDIDATE,
  CALL_FAILED,
  CALL_ANSWER_READY,
} CallKind;

typedef struct
{
  PsWebrtcSender *self;
  CallKind        kind;
  char           *text;
  guint           m_line;
} Call;

static void answer_ready (PsWebrtcSender *self);

static void
fail (PsWebrtcSender *self,
      GError         *reason)
{
  g_autoptr(GError) error = reason;

  if (self->answer_task != NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->answer_task);

      g_clear_handle_id (&self->gather_timeout_id, g_source_remove);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_signal_emit (self, signals[FAILED], 0, error);
}

static gboolean
call_cb (gpointer user_data)
{
  Call *call = user_data;
  PsWebrtcSender *self = call->self;

  if (self->stopped)
    return G_SOURCE_REMOVE;

  switch (call->kind)
    {
    case CALL_OFFER:
      g_signal_emit (self, signals[OFFER], 0, call->text);
      break;
    case CALL_CANDIDATE:
      g_signal_emit (self, signals[CANDIDATE], 0, call->m_line, call->text);
      break;
    case CALL_FAILED:
      fail (self, g_error_new_literal (PS_STREAM_ERROR, PS_STREAM_ERROR_PROTOCOL, call->text));
      break;
    case CALL_ANSWER_READY:
      answer_ready (self);
      break;
    }

  return G_SOURCE_REMOVE;
}

static void
call_free (Call *call)
{
  g_object_unref (call->self);
  g_free (call->text);
  g_free (call);
}

static void
call_on_main (PsWebrtcSender *self,
              CallKind        kind,
              char           *text,
              guint           m_line)
{
  Call *call = g_new0 (Call, 1);

  call->self = g_object_ref (self);
  call->kind = kind;
  call->text = text;
  call->m_line = m_line;
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, call_cb, call,
                              (GDestroyNotify) call_free);
}

/* The SDP -------------------------------------------------------------------- */

/* webrtcbin 1.22 hashes the whole PEM, key included, into a=fingerprint:
 * say what the certificate's digest really is, which viewers check against
 * the handshake. */
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

/* The H.264 payload type the viewer offered (packetization-mode 1 first),
 * or -1 */
static int
offered_h264_payload (const GstSDPMessage *sdp)
{
  int fallback = -1;

  for (guint m = 0; m < gst_sdp_message_medias_len (sdp); m++)
    {
      const GstSDPMedia *media = gst_sdp_message_get_media (sdp, m);

      if (g_strcmp0 (gst_sdp_media_get_media (media), "video") != 0)
        continue;
      for (guint f = 0; f < gst_sdp_media_formats_len (media); f++)
        {
          int pt = atoi (gst_sdp_media_get_format (media, f));
          g_autoptr(GstCaps) caps = gst_sdp_media_get_caps_from_media (media, pt);
          const GstStructure *s = caps != NULL ? gst_caps_get_structure (caps, 0) : NULL;
          const char *name = s != NULL ? gst_structure_get_string (s, "encoding-name") : NULL;

          if (name == NULL || g_ascii_strcasecmp (name, "H264") != 0)
            continue;
          if (g_strcmp0 (gst_structure_get_string (s, "packetization-mode"), "1") == 0)
            return pt;
          if (fallback < 0)
            fallback = pt;
        }
    }

  return fallback;
}

/* A new viewer --------------------------------------------------------------- */

/* Any thread: ask the source for a keyframe now, so that a viewer that
 * just joined does not wait for the next scheduled one (an encoder makes
 * one; a camera behind RTSP gets a PLI from the depayloader) */
static void
request_keyframe (PsWebrtcSender *self)
{
  g_autoptr(GstPad) pad = gst_element_get_static_pad (self->pay, "sink");

  g_debug ("the viewer is connected: keyframe");
  /* upstream, from the payloader's sink pad to the source */
  gst_pad_push_event (pad, gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE,
                                                                        TRUE, 0));
}

static void
on_dtls_state (GObject    *transport,
               GParamSpec *pspec,
               gpointer    user_data)
{
  PsWebrtcSender *self = user_data;
  GstWebRTCDTLSTransportState state;

  g_object_get (transport, "state", &state, NULL);
  if (state == GST_WEBRTC_DTLS_TRANSPORT_STATE_CONNECTED &&
      g_atomic_int_compare_and_exchange (&self->keyframe_sent, 0, 1))
    request_keyframe (self);
}

/* rtpbin's thread: the viewer said goodbye (RTCP BYE) or stopped sending
 * its receiver reports (RTCP timeout, about five report intervals): it is
 * gone, even when it could not tell the rendezvous server */
static void
on_viewer_gone (GstElement *rtpbin,
                guint       session,
                guint       ssrc,
                gpointer    user_data)
{
  PsWebrtcSender *self = user_data;

  if (g_atomic_int_compare_and_exchange (&self->viewer_gone, 0, 1))
    call_on_main (self, CALL_FAILED, g_strdup (_("The viewer went away")), 0);
}

static void
watch_viewer (PsWebrtcSender *self)
{
  g_autoptr(GstElement) rtpbin = gst_bin_get_by_name (GST_BIN (self->webrtc), "rtpbin");

  if (rtpbin == NULL)
    return;
  g_signal_connect_object (rtpbin, "on-bye-ssrc", G_CALLBACK (on_viewer_gone), self, 0);
  g_signal_connect_object (rtpbin, "on-timeout", G_CALLBACK (on_viewer_gone), self, 0);
}

/* webrtcbin's thread: media can flow once DTLS is up */
static void
on_ice_state (GObject    *webrtc,
              GParamSpec *pspec,
              gpointer    user_data)
{
  PsWebrtcSender *self = user_data;
  g_autoptr(GstWebRTCRTPTransceiver) transceiver = NULL;
  g_autoptr(GstWebRTCRTPSender) sender = NULL;
  g_autoptr(GObject) dtls = NULL;
  GstWebRTCICEConnectionState state;

  g_object_get (webrtc, "ice-connection-state", &state, NULL);
  if (state != GST_WEBRTC_ICE_CONNECTION_STATE_CONNECTED &&
      state != GST_WEBRTC_ICE_CONNECTION_STATE_COMPLETED)
    return;

  g_signal_emit_by_name (webrtc, "get-transceiver", 0, &transceiver);
  if (transceiver != NULL)
    g_object_get (transceiver, "sender", &sender, NULL);
  if (sender != NULL)
    g_object_get (sender, "transport", &dtls, NULL);
  if (dtls == NULL)
    return;

  g_signal_connect_object (dtls, "notify::state", G_CALLBACK (on_dtls_state), self, 0);
  on_dtls_state (dtls, NULL, self);
}

/* Offering ------------------------------------------------------------------- */

static void
on_offer_created (GstPromise *promise,
                  gpointer    user_data)
{
  PsWebrtcSender *self = user_data;
  GstWebRTCSessionDescription *offer = NULL;

  offer = ps_webrtc_promise_take_description (promise, "offer");

  if (offer == NULL)
    {
      call_on_main (self, CALL_FAILED, g_strdup (_("webrtcbin made no offer")), 0);
      return;
    }

  if (self->fingerprint != NULL)
    set_fingerprints (offer->sdp, self->fingerprint);
  g_signal_emit_by_name (self->webrtc, "set-local-description", offer, NULL);
  call_on_main (self, CALL_OFFER, gst_sdp_message_as_text (offer->sdp), 0);
  gst_webrtc_session_description_free (offer);
}

static void
on_ice_candidate (GstElement *webrtc,
                  guint       m_line,
                  char       *candidate,
                  gpointer    user_data)
{
  PsWebrtcSender *self = user_data;

  if (!ps_p2p_config_allows_candidate (self->config, candidate))
    return;

  call_on_main (self, CALL_CANDIDATE, g_strdup (candidate), m_line);
}

/* The DTLS elements take the identity while they are still in NULL */
static void
on_deep_element_added (GstBin     *bin,
                       GstBin     *sub_bin,
                       GstElement *element,
                       gpointer    user_data)
{
  PsWebrtcSender *self = user_data;
  GstElementFactory *factory = gst_element_get_factory (element);

  if (self->identity != NULL && factory != NULL &&
      g_str_equal (GST_OBJECT_NAME (factory), "dtlssrtpdec"))
    g_object_set (element, "pem", ps_p2p_identity_get_pem (self->identity), NULL);
}

static gboolean
on_bus_message (GstBus     *bus,
                GstMessage *message,
                gpointer    user_data)
{
  PsWebrtcSender *self = user_data;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *debug = NULL;

      gst_message_parse_error (message, &error, &debug);
      g_debug ("%s (%s)", error->message, debug ? debug : "");
      self->bus_watch = 0;
      fail (self, g_error_new (PS_STREAM_ERROR, PS_STREAM_ERROR_PROTOCOL,
                               _("The camera’s pipeline failed: %s"), error->message));
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

static gboolean
link_and_play (PsWebrtcSender  *self,
               int              payload,
               GError         **error)
{
  g_autoptr(GstWebRTCRTPTransceiver) transceiver = NULL;

  g_object_set (self->pay, "pt", (guint) payload, NULL);
  if (!gst_element_link (self->pay, self->webrtc))
    {
      g_set_error_literal (error, PS_STREAM_ERROR, PS_STREAM_ERROR_PROTOCOL,
                           _("Cannot link the session pipeline"));
      return FALSE;
    }
  self->linked = TRUE;
  watch_viewer (self);

  /* the camera sends; it receives nothing but RTCP.  The codec is said up
   * front: a source that knows its caps only later (a camera behind RTSP)
   * must not leave the offer without them */
  g_signal_emit_by_name (self->webrtc, "get-transceiver", 0, &transceiver);
  if (transceiver != NULL)
    {
      g_autoptr(GstCaps) caps = NULL;

      caps = gst_caps_new_simple ("application/x-rtp",
                                  "media", G_TYPE_STRING, "video",
                                  "encoding-name", G_TYPE_STRING, "H264",
                                  "payload", G_TYPE_INT, payload,
                                  "clock-rate", G_TYPE_INT, 90000,
                                  "packetization-mode", G_TYPE_STRING, "1",
                                  "rtcp-fb-nack-pli", G_TYPE_BOOLEAN, TRUE,
                                  NULL);
      g_object_set (transceiver,
                    "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY,
                    "codec-preferences", caps,
                    NULL);
    }

  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_set_error_literal (error, PS_STREAM_ERROR, PS_STREAM_ERROR_PROTOCOL,
                           _("Cannot start the session pipeline"));
      return FALSE;
    }

  return TRUE;
}

void
ps_webrtc_sender_start (PsWebrtcSender *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (PS_IS_WEBRTC_SENDER (self));
  g_return_if_fail (!self->linked);

  if (!link_and_play (self, DEFAULT_PAYLOAD, &error))
    {
      fail (self, g_steal_pointer (&error));
      return;
    }

  /* the offer is made here, once, with everything in it: webrtcbin's
   * on-negotiation-needed may come before the data channel exists, and
   * again after it */
  ps_rtt_echo_open (self->webrtc);
  g_signal_emit_by_name (self->webrtc, "create-offer", NULL,
                         gst_promise_new_with_change_func (on_offer_created, self, NULL));
}

void
ps_webrtc_sender_set_answer (PsWebrtcSender *self,
                             const char     *text)
{
  GstSDPMessage *sdp = NULL;
  GstWebRTCSessionDescription *answer;

  g_return_if_fail (PS_IS_WEBRTC_SENDER (self));

  if (gst_sdp_message_new_from_text (text, &sdp) != GST_SDP_OK || sdp == NULL)
    {
      fail (self, g_error_new_literal (PS_STREAM_ERROR, PS_STREAM_ERROR_PROTOCOL,
                                       _("The viewer’s answer is not SDP")));
      return;
    }
  answer = gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_ANSWER, sdp);
  g_signal_emit_by_name (self->webrtc, "set-remote-description", answer, NULL);
  gst_webrtc_session_description_free (answer);
}

void
ps_webrtc_sender_add_candidate (PsWebrtcSender *self,
                                guint           m_line,
                                const char     *candidate)
{
  g_return_if_fail (PS_IS_WEBRTC_SENDER (self));

  if (candidate == NULL || *candidate == '\0')
    return;
  if (!ps_p2p_config_allows_candidate (self->config, candidate))
    return;

  g_signal_emit_by_name (self->webrtc, "add-ice-candidate", m_line, candidate);
}

/* Answering (WHEP) ------------------------------------------------------- */

static void
answer_ready (PsWebrtcSender *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->answer_task);
  GstWebRTCSessionDescription *local = NULL;

  if (task == NULL)
    return;
  g_debug ("answering (%s)", self->gather_timeout_id != 0 ? "every candidate gathered"
                                                            : "gathering timed out");
  g_clear_handle_id (&self->gather_timeout_id, g_source_remove);

  /* the answer with every candidate gathered so far */
  g_object_get (self->webrtc, "local-description", &local, NULL);
  if (local == NULL)
    {
      g_task_return_new_error (task, PS_STREAM_ERROR, PS_STREAM_ERROR_PROTOCOL,
                               _("Cannot answer the viewer’s offer"));
      return;
    }
  g_task_return_pointer (task, gst_sdp_message_as_text (local->sdp), g_free);
  gst_webrtc_session_description_free (local);
}

static gboolean
gather_timeout_cb (gpointer user_data)
{
  PsWebrtcSender *self = user_data;

  self->gather_timeout_id = 0;
  answer_ready (self);
  return G_SOURCE_REMOVE;
}

static void
on_gathering_state (GObject    *webrtc,
                    GParamSpec *pspec,
                    gpointer    user_data)
{
  PsWebrtcSender *self = user_data;
  GstWebRTCICEGatheringState state;

  g_object_get (webrtc, "ice-gathering-state", &state, NULL);
  if (state == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE)
    call_on_main (self, CALL_ANSWER_READY, NULL, 0);
}

static void
on_answer_created (GstPromise *promise,
                   gpointer    user_data)
{
  PsWebrtcSender *self = user_data;
  GstWebRTCSessionDescription *answer = NULL;

  answer = ps_webrtc_promise_take_description (promise, "answer");

  if (answer == NULL)
    {
      call_on_main (self, CALL_FAILED, g_strdup (_("Cannot answer the viewer’s offer")), 0);
      return;
    }

  if (self->fingerprint != NULL)
    set_fingerprints (answer->sdp, self->fingerprint);
  g_signal_emit_by_name (self->webrtc, "set-local-description", answer, NULL);
  gst_webrtc_session_description_free (answer);
}

void
ps_webrtc_sender_answer_async (PsWebrtcSender      *self,
                               const char          *text,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  GstSDPMessage *sdp = NULL;
  GstWebRTCSessionDescription *offer;
  int payload;

  g_return_if_fail (PS_IS_WEBRTC_SENDER (self));
  g_return_if_fail (self->answer_task == NULL && !self->linked);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ps_webrtc_sender_answer_async);

  if (gst_sdp_message_new_from_text (text, &sdp) != GST_SDP_OK || sdp == NULL)
    {
      g_task_return_new_error (task, PS_STREAM_ERROR, PS_STREAM_ERROR_PROTOCOL,
                               _("The viewer’s offer is not SDP"));
      return;
    }
  payload = offered_h264_payload (sdp);
  if (payload < 0)
    {
      gst_sdp_message_free (sdp);
      g_task_return_new_error (task, PS_STREAM_ERROR, PS_STREAM_ERROR_NO_VIDEO,
                               _("The viewer does not accept H.264 video"));
      return;
    }

  self->answer_task = g_steal_pointer (&task);
  g_signal_connect (self->webrtc, "notify::ice-gathering-state", G_CALLBACK (on_gathering_state),
                    self);
  if (!link_and_play (self, payload, &error))
    {
      gst_sdp_message_free (sdp);
      fail (self, g_steal_pointer (&error));
      return;
    }

  offer = gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_OFFER, sdp);
  g_signal_emit_by_name (self->webrtc, "set-remote-description", offer, NULL);
  gst_webrtc_session_description_free (offer);
  g_signal_emit_by_name (self->webrtc, "create-answer", NULL,
                         gst_promise_new_with_change_func (on_answer_created, self, NULL));
  self->gather_timeout_id = g_timeout_add (GATHER_TIMEOUT_MS, gather_timeout_cb, self);
}

char *
ps_webrtc_sender_answer_finish (PsWebrtcSender  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Life ---------------------------------------------------------------------- */

void
ps_webrtc_sender_stop (PsWebrtcSender *self)
{
  g_return_if_fail (PS_IS_WEBRTC_SENDER (self));

  if (!self->stopped && self->webrtc != NULL)
    ps_ice_close (self->webrtc);
  self->stopped = TRUE;
  g_clear_handle_id (&self->gather_timeout_id, g_source_remove);
  if (self->answer_task != NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->answer_task);

      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The session ended");
    }
  g_clear_handle_id (&self->bus_watch, g_source_remove);
  if (self->pipeline != NULL)
    gst_element_set_state (self->pipeline, GST_STATE_NULL);
}


PsWebrtcSender *
ps_webrtc_sender_new (GstElement         *source,
                      PsP2pIdentity      *identity,
                      const PsP2pConfig  *config,
                      GError            **error)
{
  g_autoptr(PsWebrtcSender) self = NULL;
  g_autoptr(GstBus) bus = NULL;
  GstElement *parse;

  g_return_val_if_fail (GST_IS_ELEMENT (source), NULL);
  g_return_val_if_fail (config != NULL, NULL);

  self = g_object_new (PS_TYPE_WEBRTC_SENDER, NULL);
  self->config = ps_p2p_config_copy (config);
  if (identity != NULL)
    {
      self->identity = ps_p2p_identity_ref (identity);
      self->fingerprint = ps_p2p_device_id_to_fingerprint (ps_p2p_identity_get_device_id (identity));
    }

  self->pipeline = gst_object_ref_sink (gst_pipeline_new (NULL));
  g_signal_connect (self->pipeline, "deep-element-added", G_CALLBACK (on_deep_element_added),
                    self);
  parse = gst_element_factory_make ("h264parse", NULL);
  self->pay = gst_element_factory_make ("rtph264pay", NULL);
  self->webrtc = gst_element_factory_make ("webrtcbin", NULL);
  gst_bin_add (GST_BIN (self->pipeline), source);
  if (parse == NULL || self->pay == NULL || self->webrtc == NULL)
    {
      gst_clear_object (&parse);
      gst_clear_object (&self->pay);
      gst_clear_object (&self->webrtc);
      g_set_error_literal (error, PS_STREAM_ERROR, PS_STREAM_ERROR_DECODER,
                           _("GStreamer’s h264parse, rtph264pay or webrtcbin is missing"));
      return NULL;
    }
  g_object_set (parse, "config-interval", -1, NULL);
  g_object_set (self->pay, "config-interval", -1, NULL);
  gst_util_set_object_arg (G_OBJECT (self->pay), "aggregate-mode", "zero-latency");
  gst_bin_add_many (GST_BIN (self->pipeline), parse, self->pay, self->webrtc, NULL);
  if (!gst_element_link_many (source, parse, self->pay, NULL))
    {
      g_set_error_literal (error, PS_STREAM_ERROR, PS_STREAM_ERROR_PROTOCOL,
                           _("Cannot link the session pipeline"));
      return NULL;
    }
  ps_p2p_config_configure_webrtcbin (self->config, self->webrtc);

  g_signal_connect (self->webrtc, "on-ice-candidate", G_CALLBACK (on_ice_candidate), self);
  g_signal_connect (self->webrtc, "notify::ice-connection-state", G_CALLBACK (on_ice_state),
                    self);
  bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
  self->bus_watch = gst_bus_add_watch (bus, on_bus_message, self);

  return g_steal_pointer (&self);
}

static void
ps_webrtc_sender_dispose (GObject *object)
{
  PsWebrtcSender *self = (PsWebrtcSender *) object;

  if (self->pipeline != NULL)
    {
      ps_webrtc_sender_stop (self);
      if (self->webrtc != NULL)
        g_signal_handlers_disconnect_by_data (self->webrtc, self);
      g_signal_handlers_disconnect_by_data (self->pipeline, self);
      gst_clear_object (&self->pipeline);
    }

  G_OBJECT_CLASS (ps_webrtc_sender_parent_class)->dispose (object);
}

static void
ps_webrtc_sender_finalize (GObject *object)
{
  PsWebrtcSender *self = (PsWebrtcSender *) object;

  g_clear_pointer (&self->identity, ps_p2p_identity_unref);
  g_clear_pointer (&self->config, ps_p2p_config_free);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->fingerprint);

  G_OBJECT_CLASS (ps_webrtc_sender_parent_class)->finalize (object);
}

static void
ps_webrtc_sender_class_init (PsWebrtcSenderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ps_webrtc_sender_dispose;
  object_class->finalize = ps_webrtc_sender_finalize;

  signals[OFFER] =
    g_signal_new ("offer", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[CANDIDATE] =
    g_signal_new ("candidate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);
  signals[FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
ps_webrtc_sender_init (PsWebrtcSender *self)
{
  self->context = g_main_context_ref_thread_default ();
}
