/* ps-whep-session.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-whep-session"
#define GST_USE_UNSTABLE_API

#include "config.h"

#include <glib/gi18n.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
#include <libsoup/soup.h>
#include <string.h>

#include "ps-http-fetch.h"
#include "ps-ice-close.h"
#include "ps-ice-pair.h"
#include "ps-link-header.h"
#include "ps-stream-error.h"
#include "ps-webrtc-promise.h"
#include "ps-webrtc-viewer.h"
#include "ps-whep-session.h"

/* An answer is a few kilobytes; anything near this is not one */
#define MAX_ANSWER_BYTES  (64 * 1024)
/* The offer goes out whole: it waits this long for our candidates */
#define GATHER_TIMEOUT_MS 2000
#define HTTP_TIMEOUT_S    10
#define OPTIONS_TIMEOUT_MS 1000

struct _PsWhepSession
{
  GObject       parent_instance;

  char         *url;
  PsP2pConfig  *config;
  GstElement   *webrtc;
  GError       *setup_error;
  GMainContext *context;
  SoupSession  *http;
  GCancellable *cancellable;
  PsIcePair    *pair;
  char         *location;       /* the session resource, to delete at the end */
  SoupMessage  *post;           /* the offer, while it is answered */
  SoupMessage  *options;        /* the question for ICE servers, while asked */
  guint         options_timeout_id;
  gboolean      asking_options;
  guint         gather_timeout_id;
  gboolean      posted;
  gboolean      connected;
  gboolean      done;
  gboolean      closed;         /* the ICE agent is closing */
  gboolean      deleting;       /* the DELETE is out, not yet answered */
  GPtrArray    *close_waiters;  /* GTasks of wait_closed_async */
};

static void ps_whep_session_viewer_init (PsWebrtcViewerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PsWhepSession, ps_whep_session, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PS_TYPE_WEBRTC_VIEWER,
                                                      ps_whep_session_viewer_init))

static void
fail (PsWhepSession *self,
      GError        *reason)
{
  g_autoptr(GError) error = reason;

  if (self->done)
    return;
  self->done = TRUE;
  g_debug ("%s: %s", self->url, error->message);

  g_object_ref (self);
  g_signal_emit_by_name (self, "failed", error);
  g_object_unref (self);
}

/* Main-thread calls from GStreamer's threads ------------------------------ */

typedef enum {
  CALL_POST,
  CALL_CONNECTED,
  CALL_FAILED,
} CallKind;

typedef struct
{
  PsWhepSession *self;
  CallKind       kind;
} Call;

static void post_offer (PsWhepSession *self);

static gboolean
call_cb (gpointer user_data)
{
  Call *call = user_data;
  PsWhepSession *self = call->self;

  if (self->done)
    return G_SOURCE_REMOVE;

  switch (call->kind)
    {
    case CALL_POST:
      post_offer (self);
      break;
    case CALL_CONNECTED:
      if (!self->connected)
        {
          self->connected = TRUE;
          ps_ice_pair_watch (self->pair, self->webrtc);
          g_signal_emit_by_name (self, "connected");
        }
      break;
    case CALL_FAILED:
      fail (self, g_error_new_literal (PS_STREAM_ERROR, PS_STREAM_ERROR_UNREACHABLE,
                                       _("No network path to the camera (ICE failed)")));
      break;
    }

  return G_SOURCE_REMOVE;
}

static void
call_free (Call *call)
{
  g_object_unref (call->self);
  g_free (call);
}

static void
call_on_main (PsWhepSession *self,
              CallKind       kind)
{
  Call *call = g_new0 (Call, 1);

  call->self = g_object_ref (self);
  call->kind = kind;
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, call_cb, call,
                              (GDestroyNotify) call_free);
}

/* The answer ----------------------------------------------------------------- */

static GError *
status_error (guint status)
{
  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
    return g_error_new (PS_STREAM_ERROR, PS_STREAM_ERROR_AUTH,
                        _("The WHEP endpoint refused us (HTTP %u)"), status);
  if (status == SOUP_STATUS_NOT_FOUND)
    return g_error_new (PS_STREAM_ERROR, PS_STREAM_ERROR_NOT_FOUND,
                        _("No stream at this WHEP address (HTTP 404)"));

  return g_error_new (PS_STREAM_ERROR, PS_STREAM_ERROR_PROTOCOL,
                      _("The WHEP endpoint answered HTTP %u instead of an SDP answer"), status);
}

static void
on_answer (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PsWhepSession) self = user_data;
  g_autoptr(SoupMessage) msg = g_steal_pointer (&self->post);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  GstSDPMessage *sdp = NULL;
  GstWebRTCSessionDescription *answer;
  const char *location;
  guint status;

  body = ps_http_fetch_finish (result, &error);
  if (body == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fail (self, g_error_new (PS_STREAM_ERROR, PS_STREAM_ERROR_UNREACHABLE,
                                 _("Cannot reach the WHEP endpoint: %s"), error->message));
      return;
    }

  status = soup_message_get_status (msg);
  if (status != SOUP_STATUS_CREATED && status != SOUP_STATUS_OK)
    {
      fail (self, status_error (status));
      return;
    }

  location = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Location");
  if (location != NULL)
    self->location = g_uri_resolve_relative (self->url, location, G_URI_FLAGS_NONE, NULL);

  text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  if (gst_sdp_message_new_from_text (text, &sdp) != GST_SDP_OK || sdp == NULL ||
      gst_sdp_message_medias_len (sdp) == 0)
    {
      if (sdp != NULL)
        gst_sdp_message_free (sdp);
      fail (self, g_error_new_literal (PS_STREAM_ERROR, PS_STREAM_ERROR_PROTOCOL,
                                       _("The WHEP endpoint’s answer is not SDP")));
      return;
    }

  ps_ice_pair_add_remote_candidates_from_sdp (self->pair, sdp);
  answer = gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_ANSWER, sdp);
  g_signal_emit_by_name (self->webrtc, "set-remote-description", answer, NULL);
  gst_webrtc_session_description_free (answer);
}

/* The endpoint's Bearer token, on the offer and on the DELETE alike */
static void
authorize (PsWhepSession *self,
           SoupMessage   *msg)
{
  g_autofree char *bearer = NULL;

  if (self->config->token == NULL)
    return;
  bearer = g_strconcat ("Bearer ", self->config->token, NULL);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", bearer);
}

/* The offer, with every candidate we gathered */
static void
post_offer (PsWhepSession *self)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  GstWebRTCSessionDescription *local = NULL;
  char *text;

  if (self->posted)
    return;
  self->posted = TRUE;
  g_debug ("%s: posting the offer (%s)", self->url,
           self->gather_timeout_id != 0 ? "every candidate gathered" : "gathering timed out");
  g_clear_handle_id (&self->gather_timeout_id, g_source_remove);

  g_object_get (self->webrtc, "local-description", &local, NULL);
  if (local == NULL)
    {
      fail (self, g_error_new_literal (PS_STREAM_ERROR, PS_STREAM_ERROR_PROTOCOL,
                                       _("webrtcbin made no offer")));
      return;
    }
  text = gst_sdp_message_as_text (local->sdp);
  gst_webrtc_session_description_free (local);
  body = g_bytes_new_take (text, strlen (text));

  msg = soup_message_new ("POST", self->url);
  if (msg == NULL)
    {
      fail (self, g_error_new (PS_STREAM_ERROR, PS_STREAM_ERROR_INVALID_URI,
                               _("“%s” is not a valid URL"), self->url));
      return;
    }
  soup_message_set_request_body_from_bytes (msg, "application/sdp", body);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept",
                                "application/sdp");
  authorize (self, msg);

  self->post = g_object_ref (msg);
  ps_http_fetch_async (self->http, msg, MAX_ANSWER_BYTES, self->cancellable, on_answer,
                       g_object_ref (self));
}

static gboolean
gather_timeout_cb (gpointer user_data)
{
  PsWhepSession *self = user_data;

  self->gather_timeout_id = 0;
  post_offer (self);
  return G_SOURCE_REMOVE;
}

static void
on_gathering_state (GObject    *webrtc,
                    GParamSpec *pspec,
                    gpointer    user_data)
{
  GstWebRTCICEGatheringState state;

  g_object_get (webrtc, "ice-gathering-state", &state, NULL);
  if (state == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE)
    call_on_main (user_data, CALL_POST);
}

static void
on_offer_created (GstPromise *promise,
                  gpointer    user_data)
{
  PsWhepSession *self = user_data;
  GstWebRTCSessionDescription *offer = NULL;

  offer = ps_webrtc_promise_take_description (promise, "offer");

  if (offer == NULL)
    return;
  g_signal_emit_by_name (self->webrtc, "set-local-description", offer, NULL);
  gst_webrtc_session_description_free (offer);
}

static void
on_ice_state (GObject    *webrtc,
              GParamSpec *pspec,
              gpointer    user_data)
{
  GstWebRTCICEConnectionState state;

  g_object_get (webrtc, "ice-connection-state", &state, NULL);
  if (state == GST_WEBRTC_ICE_CONNECTION_STATE_CONNECTED ||
      state == GST_WEBRTC_ICE_CONNECTION_STATE_COMPLETED)
    call_on_main (user_data, CALL_CONNECTED);
  else if (state == GST_WEBRTC_ICE_CONNECTION_STATE_FAILED)
    call_on_main (user_data, CALL_FAILED);
}

/* PsWebrtcViewer ------------------------------------------------------------- */

static GstElement *
viewer_get_element (PsWebrtcViewer *viewer)
{
  return PS_WHEP_SESSION (viewer)->webrtc;
}

/* Offer: receive H.264 only; the endpoint picks its payload type from ours */
static void
make_offer (PsWhepSession *self)
{
  g_autoptr(GstCaps) caps = NULL;
  GstWebRTCRTPTransceiver *transceiver = NULL;

  caps = gst_caps_from_string ("application/x-rtp,media=video,encoding-name=H264,"
                               "payload=96,clock-rate=90000,packetization-mode=(string)1,"
                               "rtcp-fb-nack-pli=(boolean)true");
  g_signal_emit_by_name (self->webrtc, "add-transceiver",
                         GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, caps, &transceiver);
  gst_clear_object (&transceiver);
  /* one offer, made here and not on on-negotiation-needed: webrtcbin may
   * ask for negotiation as it starts, before the transceiver exists, and
   * an offer made then has no video in it */
  g_signal_emit_by_name (self->webrtc, "create-offer", NULL,
                         gst_promise_new_with_change_func (on_offer_created, self, NULL));
  self->gather_timeout_id = g_timeout_add (GATHER_TIMEOUT_MS, gather_timeout_cb, self);
}

/* The endpoint's own STUN and TURN servers (its Link header fields), for
 * the candidates gathered next, beside the account's */
static void
use_ice_servers (PsWhepSession *self,
                 SoupMessage   *msg)
{
  const char *links;
  g_autoptr(GPtrArray) servers = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stun = NULL;

  links = soup_message_headers_get_list (soup_message_get_response_headers (msg), "Link");
  if (links == NULL)
    return;
  servers = ps_link_header_parse_ice_servers (links, strlen (links), &error);
  if (servers == NULL)
    {
      g_debug ("%s: the ICE servers it names are not used: %s", self->url, error->message);
      return;
    }

  g_object_get (self->webrtc, "stun-server", &stun, NULL);
  for (guint i = 0; i < servers->len; i++)
    {
      g_autofree char *uri = ps_ice_server_to_gst_uri (g_ptr_array_index (servers, i));
      gboolean added = FALSE;

      if (uri == NULL)
        continue;
      if (g_str_has_prefix (uri, "stun://"))
        {
          if (stun == NULL)
            {
              stun = g_strdup (uri);
              g_object_set (self->webrtc, "stun-server", uri, NULL);
            }
          continue;
        }
      g_signal_emit_by_name (self->webrtc, "add-turn-server", uri, &added);
      g_debug ("%s: TURN server from the endpoint%s", self->url, added ? "" : " refused");
    }
}

static void
on_options_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(PsWhepSession) self = user_data;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;

  stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  g_clear_handle_id (&self->options_timeout_id, g_source_remove);
  if (self->done || !self->asking_options)
    return;
  self->asking_options = FALSE;
  if (stream != NULL)
    use_ice_servers (self, self->options);
  else
    g_debug ("%s: OPTIONS: %s", self->url, error->message);
  g_clear_object (&self->options);
  make_offer (self);
}

/* An endpoint that does not answer OPTIONS at once is offered to anyway */
static gboolean
options_timeout_cb (gpointer user_data)
{
  PsWhepSession *self = user_data;

  self->options_timeout_id = 0;
  if (self->asking_options)
    {
      self->asking_options = FALSE;
      g_debug ("%s: no answer to OPTIONS", self->url);
      make_offer (self);
    }
  return G_SOURCE_REMOVE;
}

static void
viewer_start (PsWebrtcViewer *viewer)
{
  PsWhepSession *self = PS_WHEP_SESSION (viewer);

  if (self->setup_error != NULL)
    {
      fail (self, g_error_copy (self->setup_error));
      return;
    }

  /* RFC 9725 lets the endpoint name its STUN and TURN servers: ask first,
   * as simple WHIP clients do, since the offer goes whole */
  self->options = soup_message_new ("OPTIONS", self->url);
  if (self->options == NULL)
    {
      make_offer (self);
      return;
    }
  authorize (self, self->options);
  self->asking_options = TRUE;
  self->options_timeout_id = g_timeout_add (OPTIONS_TIMEOUT_MS, options_timeout_cb, self);
  soup_session_send_async (self->http, self->options, G_PRIORITY_DEFAULT, self->cancellable,
                           on_options_cb, g_object_ref (self));
}

static void
return_close_waiters (PsWhepSession *self)
{
  self->deleting = FALSE;
  for (guint i = 0; i < self->close_waiters->len; i++)
    g_task_return_boolean (g_ptr_array_index (self->close_waiters, i), TRUE);
  g_ptr_array_set_size (self->close_waiters, 0);
}

/* The endpoint forgot the session, or would not; either way the viewer is
 * done with it */
static void
on_deleted (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(PsWhepSession) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = NULL;

  stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (error != NULL)
    g_debug ("%s: DELETE: %s", self->url, error->message);
  return_close_waiters (self);
}

static void
viewer_stop (PsWebrtcViewer *viewer)
{
  PsWhepSession *self = PS_WHEP_SESSION (viewer);

  if (!self->closed && self->setup_error == NULL)
    ps_ice_close (self->webrtc);
  self->closed = TRUE;
  self->done = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->gather_timeout_id, g_source_remove);
  g_clear_handle_id (&self->options_timeout_id, g_source_remove);
  self->asking_options = FALSE;
  if (self->location != NULL)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("DELETE", self->location);

      if (msg != NULL)
        {
          authorize (self, msg);
          self->deleting = TRUE;
          soup_session_send_async (self->http, msg, G_PRIORITY_DEFAULT, NULL, on_deleted,
                                   g_object_ref (self));
        }
      g_clear_pointer (&self->location, g_free);
    }
}

static void
viewer_wait_closed_async (PsWebrtcViewer      *viewer,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  PsWhepSession *self = PS_WHEP_SESSION (viewer);
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, ps_webrtc_viewer_wait_closed_async);
  if (!self->deleting)
    g_task_return_boolean (task, TRUE);
  else
    g_ptr_array_add (self->close_waiters, g_steal_pointer (&task));
}

static GPtrArray *
viewer_dup_remote_candidates (PsWebrtcViewer *viewer)
{
  return ps_ice_pair_dup_remote_candidates (PS_WHEP_SESSION (viewer)->pair);
}

static const char *
viewer_get_transport (PsWebrtcViewer *viewer)
{
  return ps_ice_pair_get_transport (PS_WHEP_SESSION (viewer)->pair);
}

static const char *
viewer_get_remote_address (PsWebrtcViewer *viewer,
                           guint          *port)
{
  return ps_ice_pair_get_remote_address (PS_WHEP_SESSION (viewer)->pair, port);
}

static gboolean
viewer_path_is_intact (PsWebrtcViewer *viewer)
{
  return ps_ice_pair_is_intact (PS_WHEP_SESSION (viewer)->pair);
}

static void
ps_whep_session_viewer_init (PsWebrtcViewerInterface *iface)
{
  iface->get_element = viewer_get_element;
  iface->start = viewer_start;
  iface->stop = viewer_stop;
  iface->wait_closed_async = viewer_wait_closed_async;
  iface->dup_remote_candidates = viewer_dup_remote_candidates;
  iface->get_transport = viewer_get_transport;
  iface->get_remote_address = viewer_get_remote_address;
  iface->path_is_intact = viewer_path_is_intact;
}

/* GObject --------------------------------------------------------------------- */

PsWhepSession *
ps_whep_session_new (const char        *url,
                     const PsP2pConfig *config)
{
  PsWhepSession *self;

  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (config != NULL, NULL);

  self = g_object_new (PS_TYPE_WHEP_SESSION, NULL);
  self->url = g_strdup (url);
  self->config = ps_p2p_config_copy (config);

  self->webrtc = ps_webrtc_viewer_make_webrtcbin (self->config, &self->setup_error);
  if (self->setup_error != NULL)
    return self;
  g_signal_connect (self->webrtc, "notify::ice-gathering-state",
                    G_CALLBACK (on_gathering_state), self);
  g_signal_connect (self->webrtc, "notify::ice-connection-state", G_CALLBACK (on_ice_state),
                    self);

  return self;
}

static void
ps_whep_session_dispose (GObject *object)
{
  PsWhepSession *self = (PsWhepSession *) object;

  if (!self->closed)
    viewer_stop (PS_WEBRTC_VIEWER (self));
  if (self->webrtc != NULL)
    g_signal_handlers_disconnect_by_data (self->webrtc, self);
  gst_clear_object (&self->webrtc);
  g_clear_object (&self->post);
  g_clear_object (&self->options);
  g_clear_object (&self->http);

  G_OBJECT_CLASS (ps_whep_session_parent_class)->dispose (object);
}

static void
ps_whep_session_finalize (GObject *object)
{
  PsWhepSession *self = (PsWhepSession *) object;

  g_clear_object (&self->cancellable);
  g_clear_object (&self->pair);
  g_clear_error (&self->setup_error);
  g_clear_pointer (&self->config, ps_p2p_config_free);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->url);
  g_free (self->location);
  g_ptr_array_unref (self->close_waiters);

  G_OBJECT_CLASS (ps_whep_session_parent_class)->finalize (object);
}

static void
ps_whep_session_class_init (PsWhepSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ps_whep_session_dispose;
  object_class->finalize = ps_whep_session_finalize;
}

static void
ps_whep_session_init (PsWhepSession *self)
{
  self->pair = ps_ice_pair_new ();
  self->cancellable = g_cancellable_new ();
  self->close_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->context = g_main_context_ref_thread_default ();
  self->http = soup_session_new_with_options ("user-agent", "Peerscope/" PACKAGE_VERSION,
                                              "timeout", HTTP_TIMEOUT_S, NULL);
}
