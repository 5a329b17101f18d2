/* ps-stream.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-stream"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>
#include <gst/app/gstappsink.h>
#include <gst/sdp/sdp.h>
#include <gst/video/video.h>

#include "ps-frame-stamp.h"
#include "ps-onvif-client.h"
#include "ps-p2p-identity.h"
#include "ps-p2p-session.h"
#include "ps-webrtc-viewer.h"
#include "ps-whep-session.h"
#include "ps-percentiles.h"
#include "ps-stream.h"

#define DEFAULT_TIMEOUT_MS     10000
#define STALL_TIMEOUT_US       (3 * G_USEC_PER_SEC)
#define FIRST_PACKET_US        (4 * G_USEC_PER_SEC)
#define MAX_QUICK_RESTARTS     2
#define BACKOFF_BASE_MS        500
#define BACKOFF_CAP_MS         10000
#define LATENCY_WINDOW         600
#define FPS_WINDOW             60
#define STATS_INTERVAL_US      (500 * 1000)

struct _PsStream
{
  GObject          parent_instance;

  /* configuration */
  char            *uri;           /* without credentials */
  char            *username;
  char            *password;
  PsStreamOutput   output;
  GstElement      *video_sink;    /* the application's own sink, or NULL */
  gulong           sink_probe;
  GstElement      *manager;       /* rtspsrc's rtpbin, set from its thread */
  guint64          rtp_bytes;     /* what the camera sent; under lock */
  guint64          rtp_packets;
  PsStreamProfile  profile;
  guint            timeout_ms;
  gboolean         reconnect;
  gboolean         keep_trying;
  gboolean         use_tcp;
  PsP2pConfig     *p2p_config;    /* for p2p:DEVICE-ID */

  GMainContext    *context;

  /* session, main thread only */
  PsStreamState    state;
  GError          *error;
  GCancellable    *cancellable;
  PsOnvifClient   *onvif;
  char            *profile_token;
  char            *resolved_uri;
  GstElement      *pipeline;
  GstElement      *rtspsrc;       /* or webrtcbin, for P2P */
  PsWebrtcViewer  *viewer;        /* P2P or WHEP: the webrtcbin's signalling */
  char            *p2p_transport; /* the last session's selected pair */
  double           p2p_rtt_ms;    /* and its round trip, negative unknown */
  GPtrArray       *p2p_candidates; /* and the camera's candidates */
  gulong           network_changed_id;
  guint            network_restart_id;
  guint            bus_watch;
  guint            watchdog_id;
  guint            retry_id;
  gint64           start_time;
  gint64           attempt_time;
  gint64           play_time;       /* when the RTSP session was started, or 0 */
  guint            quick_restarts;
  guint            attempts;
  guint            reconnects;
  gboolean         ever_played;
  gboolean         keyframe_requested;
  gint64           last_stats_time;

  /* written by streaming threads, guarded by lock */
  GMutex           lock;
  char            *codec;
  guint            video_streams;
  guint            width;
  guint            height;
  guint64          frames;
  gint64           first_frame_time;
  gint64           last_frame_time;
  gint64           fps_times[FPS_WINDOW];
  PsPercentiles   *latency;
  GstSample       *last_sample;
  gboolean         dispatch_pending;
  gboolean         first_rtp_seen;
};

G_DEFINE_FINAL_TYPE (PsStream, ps_stream, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_URI,
  PROP_STATE,
  N_PROPS
};

enum {
  NEW_FRAME,
  STATS_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void ps_stream_start_attempt (PsStream *self);
static void ps_stream_fail          (PsStream *self,
                                     GError   *error);

static void
set_state (PsStream      *self,
           PsStreamState  state)
{
  if (self->state == state)
    return;

  g_debug ("%s: state %d -> %d", self->uri, self->state, state);
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
teardown (PsStream *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->watchdog_id, g_source_remove);
  self->play_time = 0;
  g_clear_handle_id (&self->bus_watch, g_source_remove);

  if (self->viewer != NULL)
    {
      g_free (self->p2p_transport);
      self->p2p_transport = g_strdup (ps_webrtc_viewer_get_transport (self->viewer));
      self->p2p_rtt_ms = ps_webrtc_viewer_get_rtt_ms (self->viewer);
      g_clear_pointer (&self->p2p_candidates, g_ptr_array_unref);
      self->p2p_candidates = ps_webrtc_viewer_dup_remote_candidates (self->viewer);
      g_signal_handlers_disconnect_by_data (self->viewer, self);
      ps_webrtc_viewer_stop (self->viewer);
    }

  if (self->pipeline != NULL)
    {
      /* Joins the streaming threads: no callback runs after this. */
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      /* the application's sink outlives pipelines: take it back */
      if (self->video_sink != NULL &&
          GST_OBJECT_PARENT (self->video_sink) == GST_OBJECT (self->pipeline))
        {
          g_autoptr(GstPad) sinkpad = gst_element_get_static_pad (self->video_sink, "sink");
          g_autoptr(GstElement) head = gst_bin_get_by_name (GST_BIN (self->pipeline), "head");

          if (sinkpad != NULL && self->sink_probe != 0)
            gst_pad_remove_probe (sinkpad, self->sink_probe);
          self->sink_probe = 0;
          if (head != NULL)
            gst_element_unlink (head, self->video_sink);
          gst_bin_remove (GST_BIN (self->pipeline), self->video_sink);
        }
      g_clear_object (&self->rtspsrc);
      gst_clear_object (&self->pipeline);
    }
  g_clear_object (&self->viewer);

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->last_sample, gst_sample_unref);
  g_clear_object (&self->manager);
  self->first_rtp_seen = FALSE;
  self->video_streams = 0;
  g_mutex_unlock (&self->lock);
}

/* Main-thread dispatch of what the streaming thread saw ------------------- */

static gboolean
dispatch_cb (gpointer user_data)
{
  PsStream *self = user_data;
  g_autoptr(GstSample) sample = NULL;
  gboolean first;
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&self->lock);
  self->dispatch_pending = FALSE;
  if (self->last_sample != NULL)
    sample = gst_sample_ref (self->last_sample);
  first = self->frames > 0 && self->state != PS_STREAM_STATE_PLAYING;
  g_mutex_unlock (&self->lock);

  if (self->pipeline == NULL || sample == NULL)
    return G_SOURCE_REMOVE;

  if (first)
    {
      g_debug ("%s: first frame after %.0f ms", self->uri,
               (g_get_monotonic_time () - self->attempt_time) / 1000.0);
      self->ever_played = TRUE;
      self->attempts = 0;
      self->quick_restarts = 0;
      g_clear_error (&self->error);
      set_state (self, PS_STREAM_STATE_PLAYING);
    }

  g_signal_emit (self, signals[NEW_FRAME], 0, sample);

  if (first || now - self->last_stats_time >= STATS_INTERVAL_US)
    {
      self->last_stats_time = now;
      g_signal_emit (self, signals[STATS_CHANGED], 0);
    }

  return G_SOURCE_REMOVE;
}

static void
schedule_dispatch_locked (PsStream *self)
{
  GSource *source;

  if (self->dispatch_pending)
    return;

  self->dispatch_pending = TRUE;
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, dispatch_cb, g_object_ref (self), g_object_unref);
  g_source_set_static_name (source, "[peerscope] stream dispatch");
  g_source_attach (source, self->context);
  g_source_unref (source);
}

/* Streaming thread ----------------------------------------------------------- */

static gboolean
read_stamp (GstSample *sample,
            gint64    *stamp_us)
{
  GstBuffer *buffer = gst_sample_get_buffer (sample);
  GstCaps *caps = gst_sample_get_caps (sample);
  GstVideoInfo info;
  GstVideoFrame frame;
  gboolean ok;
  guint comp;

  if (buffer == NULL || caps == NULL || !gst_video_info_from_caps (&info, caps))
    return FALSE;
  if (!gst_video_frame_map (&frame, &info, buffer, GST_MAP_READ))
    return FALSE;

  /* luma of YUV, green of RGB: either tracks black and white */
  comp = GST_VIDEO_INFO_IS_YUV (&info) ? 0 : 1;
  ok = ps_frame_stamp_read (GST_VIDEO_FRAME_COMP_DATA (&frame, comp),
                            GST_VIDEO_FRAME_COMP_STRIDE (&frame, comp),
                            GST_VIDEO_FRAME_COMP_PSTRIDE (&frame, comp),
                            GST_VIDEO_FRAME_COMP_WIDTH (&frame, comp),
                            GST_VIDEO_FRAME_COMP_HEIGHT (&frame, comp),
                            stamp_us);
  gst_video_frame_unmap (&frame);

  return ok;
}

/* Takes the sample. */
static void
account_frame (PsStream  *self,
               GstSample *sample)
{
  gint64 now = g_get_monotonic_time ();
  gint64 wall = g_get_real_time ();
  gint64 stamp = 0;
  gboolean stamped;
  GstCaps *caps;
  GstStructure *s;
  int width = 0, height = 0;

  stamped = read_stamp (sample, &stamp);
  caps = gst_sample_get_caps (sample);
  s = caps != NULL ? gst_caps_get_structure (caps, 0) : NULL;
  if (s != NULL)
    {
      gst_structure_get_int (s, "width", &width);
      gst_structure_get_int (s, "height", &height);
    }

  g_mutex_lock (&self->lock);
  if (self->frames == 0)
    self->first_frame_time = now;
  self->fps_times[self->frames % FPS_WINDOW] = now;
  self->frames++;
  self->last_frame_time = now;
  self->width = (guint) MAX (width, 0);
  self->height = (guint) MAX (height, 0);
  /* A stamp more than a minute off is a clock problem, not latency. */
  if (stamped && wall >= stamp && wall - stamp < 60 * G_USEC_PER_SEC)
    ps_percentiles_add (self->latency, (wall - stamp) / 1000.0);
  g_clear_pointer (&self->last_sample, gst_sample_unref);
  self->last_sample = sample;
  schedule_dispatch_locked (self);
  g_mutex_unlock (&self->lock);
}

static GstFlowReturn
on_new_sample (GstAppSink *sink,
               gpointer    user_data)
{
  GstSample *sample = gst_app_sink_pull_sample (sink);

  if (sample == NULL)
    return GST_FLOW_EOS;

  account_frame (user_data, sample);

  return GST_FLOW_OK;
}

/* Frames that go to an application's own sink (gtk4paintablesink) are
 * counted and their stamps read on the way in. */
static GstPadProbeReturn
on_sink_buffer (GstPad          *pad,
                GstPadProbeInfo *info,
                gpointer         user_data)
{
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps (pad);
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);

  if (buffer != NULL && caps != NULL)
    account_frame (user_data, gst_sample_new (buffer, caps, NULL, NULL));

  return GST_PAD_PROBE_OK;
}

static gboolean
on_select_stream (GstElement *rtspsrc,
                  guint       num,
                  GstCaps    *caps,
                  gpointer    user_data)
{
  PsStream *self = user_data;
  GstStructure *s = gst_caps_get_structure (caps, 0);
  const char *media = gst_structure_get_string (s, "media");
  const char *encoding = gst_structure_get_string (s, "encoding-name");

  if (g_strcmp0 (media, "video") != 0)
    return FALSE;

  g_mutex_lock (&self->lock);
  self->video_streams++;
  if (self->video_streams > 1)
    {
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  g_free (self->codec);
  self->codec = g_ascii_strdown (encoding != NULL ? encoding : "unknown", -1);
  g_mutex_unlock (&self->lock);

  return TRUE;
}

static gboolean
request_keyframe_cb (gpointer user_data);
static gboolean
watchdog_cb (gpointer user_data);
static void
send_pli_now (PsStream *self,
              GstPad   *pad);
static void
restart_attempt (PsStream *self);

/* Called on the streaming thread when the first RTP packet of the video
 * reaches the jitter buffer's output: ask for a keyframe at once, before
 * the decoder is even plugged. */
static void
schedule_keyframe_request (PsStream *self)
{
  GSource *source;

  g_mutex_lock (&self->lock);
  if (self->first_rtp_seen)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  self->first_rtp_seen = TRUE;
  g_mutex_unlock (&self->lock);

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_set_callback (source, request_keyframe_cb, g_object_ref (self), g_object_unref);
  g_source_attach (source, self->context);
  g_source_unref (source);
}

/* Streaming thread: every RTP packet the camera sends, for the peer
 * monitor's own-session source. */
static GstPadProbeReturn
on_rtp_buffer (GstPad          *pad,
               GstPadProbeInfo *info,
               gpointer         user_data)
{
  PsStream *self = user_data;
  guint64 bytes = 0;
  guint packets = 0;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
    {
      bytes = gst_buffer_get_size (GST_PAD_PROBE_INFO_BUFFER (info));
      packets = 1;
    }
  else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
    {
      GstBufferList *list = GST_PAD_PROBE_INFO_BUFFER_LIST (info);

      packets = gst_buffer_list_length (list);
      for (guint i = 0; i < packets; i++)
        bytes += gst_buffer_get_size (gst_buffer_list_get (list, i));
    }

  g_mutex_lock (&self->lock);
  self->rtp_bytes += bytes;
  self->rtp_packets += packets;
  g_mutex_unlock (&self->lock);

  return GST_PAD_PROBE_OK;
}

static void
on_rtspsrc_pad_added (GstElement *rtspsrc,
                      GstPad     *pad,
                      gpointer    user_data)
{
  PsStream *self = user_data;
  g_autoptr(GstElement) decodebin = NULL;
  g_autoptr(GstPad) sinkpad = NULL;

  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                     on_rtp_buffer, self, NULL);

  decodebin = gst_bin_get_by_name (GST_BIN (self->pipeline), "decode");
  sinkpad = gst_element_get_static_pad (decodebin, "sink");

  if (gst_pad_is_linked (sinkpad) || gst_pad_link (pad, sinkpad) != GST_PAD_LINK_OK)
    {
      GstElement *sink = gst_element_factory_make ("fakesink", NULL);
      g_autoptr(GstPad) fakepad = gst_element_get_static_pad (sink, "sink");

      gst_bin_add (GST_BIN (self->pipeline), sink);
      gst_element_sync_state_with_parent (sink);
      gst_pad_link (pad, fakepad);
      return;
    }

  send_pli_now (self, pad);
  schedule_keyframe_request (self);
}

/* webrtcbin's pads carry the negotiated RTP caps */
static void
on_p2p_pad_added (GstElement *webrtcbin,
                  GstPad     *pad,
                  gpointer    user_data)
{
  PsStream *self = user_data;
  g_autoptr(GstCaps) caps = NULL;
  const GstStructure *s;
  const char *encoding;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;

  caps = gst_pad_get_current_caps (pad);
  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  s = caps != NULL && !gst_caps_is_empty (caps) ? gst_caps_get_structure (caps, 0) : NULL;
  encoding = s != NULL ? gst_structure_get_string (s, "encoding-name") : NULL;

  g_mutex_lock (&self->lock);
  self->video_streams++;
  g_free (self->codec);
  self->codec = g_ascii_strdown (encoding != NULL ? encoding : "unknown", -1);
  g_mutex_unlock (&self->lock);

  on_rtspsrc_pad_added (webrtcbin, pad, self);
}

static void
on_decodebin_pad_added (GstElement *decodebin,
                        GstPad     *pad,
                        gpointer    user_data)
{
  PsStream *self = user_data;
  g_autoptr(GstElement) head = NULL;
  g_autoptr(GstPad) sinkpad = NULL;
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps (pad);

  if (caps != NULL &&
      !g_str_has_prefix (gst_structure_get_name (gst_caps_get_structure (caps, 0)), "video/"))
    return;

  head = gst_bin_get_by_name (GST_BIN (self->pipeline), "head");
  sinkpad = gst_element_get_static_pad (head, "sink");
  if (!gst_pad_is_linked (sinkpad))
    gst_pad_link (pad, sinkpad);
}

/* Most cameras do not announce RTCP feedback, and rtpsession then never
 * sends a picture loss indication. Announce PLI for every video format on
 * our side: a camera that honours it sends a keyframe at once, one that
 * does not ignores the packet. */
static void
on_sdp (GstElement     *rtspsrc,
        GstSDPMessage  *sdp,
        gpointer        user_data)
{
  for (guint i = 0; i < gst_sdp_message_medias_len (sdp); i++)
    {
      GstSDPMedia *media = (GstSDPMedia *) gst_sdp_message_get_media (sdp, i);

      if (g_strcmp0 (gst_sdp_media_get_media (media), "video") != 0)
        continue;

      for (guint f = 0; f < gst_sdp_media_formats_len (media) && f < 32; f++)
        {
          g_autofree char *pli = g_strdup_printf ("%s nack pli", gst_sdp_media_get_format (media, f));
          gboolean present = FALSE;

          for (guint a = 0; a < gst_sdp_media_attributes_len (media); a++)
            {
              const GstSDPAttribute *attr = gst_sdp_media_get_attribute (media, a);

              if (g_strcmp0 (attr->key, "rtcp-fb") == 0 && g_strcmp0 (attr->value, pli) == 0)
                present = TRUE;
            }
          if (!present)
            gst_sdp_media_add_attribute (media, "rtcp-fb", pli);
        }
    }
}

static void
on_new_manager (GstElement *rtspsrc,
                GstElement *manager,
                gpointer    user_data)
{
  PsStream *self = user_data;

  g_mutex_lock (&self->lock);
  g_clear_object (&self->manager);
  self->manager = g_object_ref (manager);
  g_mutex_unlock (&self->lock);
}

/* Streaming thread, first packet of the video: queue a PLI (rtpsession
 * turns the upstream event into one, see on_sdp) and send it in an RTCP
 * packet now rather than with the next regular report, seconds later.
 * Nothing is sent before the first packet: a camera's RTSP server may not
 * expect RTCP before it has answered PLAY. */
static void
send_pli_now (PsStream *self,
              GstPad   *pad)
{
  g_autoptr(GstElement) manager = NULL;
  GObject *session = NULL;

  gst_pad_send_event (pad, gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE,
                                                                        TRUE, 0));

  g_mutex_lock (&self->lock);
  if (self->manager != NULL)
    manager = g_object_ref (self->manager);
  g_mutex_unlock (&self->lock);
  if (manager == NULL)
    return;

  g_signal_emit_by_name (manager, "get-internal-session", 0, &session);
  if (session != NULL)
    {
      /* early feedback is an AVPF rule; a receiver may use it for its own
       * packets whatever the sender offered */
      if (g_object_class_find_property (G_OBJECT_GET_CLASS (session), "rtp-profile") != NULL)
        gst_util_set_object_arg (session, "rtp-profile", "avpf");
      g_signal_emit_by_name (session, "send-rtcp", (guint64) 0);
      g_object_unref (session);
    }
}

static void
set_if_exists (GObject    *object,
               const char *property,
               const char *value)
{
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (object), property) != NULL)
    gst_util_set_object_arg (object, property, value);
}

static void
on_deep_element_added (GstBin     *bin,
                       GstBin     *sub_bin,
                       GstElement *element,
                       gpointer    user_data)
{
  GObject *object = G_OBJECT (element);

  /* A first frame must be a correctly decoded one, and must not wait a
   * whole GOP: ask upstream for a keyframe whenever the decoder lacks one. */
  set_if_exists (object, "output-corrupt", "false");
  set_if_exists (object, "discard-corrupted-frames", "true");
  set_if_exists (object, "automatic-request-sync-points", "true");
  set_if_exists (object, "request-keyframe", "true");
  /* Frame threading delays every frame by the thread count. */
  set_if_exists (object, "thread-type", "slice");

}

/* Keyframe at start -------------------------------------------------------- */

static void
sync_point_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!ps_onvif_client_set_sync_point_finish (PS_ONVIF_CLIENT (object), result, &error))
    g_debug ("SetSynchronizationPoint: %s", error->message);
}

static gboolean
request_keyframe_cb (gpointer user_data)
{
  PsStream *self = user_data;

  if (self->pipeline == NULL || self->keyframe_requested)
    return G_SOURCE_REMOVE;
  self->keyframe_requested = TRUE;
  g_debug ("%s: first RTP packet after %.0f ms", self->uri,
           (g_get_monotonic_time () - self->attempt_time) / 1000.0);

  /* The ONVIF way, which cameras that ignore RTCP honour. */
  if (self->onvif != NULL && self->profile_token != NULL)
    ps_onvif_client_set_sync_point_async (self->onvif, self->profile_token, self->cancellable,
                                          sync_point_cb, NULL);

  return G_SOURCE_REMOVE;
}

/* Connection diagnosis ------------------------------------------------------ */

/* rtspsrc says only "Failed to connect"; a plain TCP connect to the same
 * host and port tells refused, unreachable and timed out apart. */

static void
diagnose_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PsStream) self = user_data;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  connection = g_socket_client_connect_to_uri_finish (G_SOCKET_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (connection != NULL)
    ps_stream_fail (self, g_error_new_literal (PS_STREAM_ERROR, PS_STREAM_ERROR_PROTOCOL,
                                               _("The camera accepted the connection but its "
                                                 "RTSP server did not answer properly")));
  else
    ps_stream_fail (self, ps_stream_error_from (error, NULL));
}

static void
diagnose_connection (PsStream *self)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();

  /* the pipeline is gone, the attempt is not over */
  teardown (self);
  self->cancellable = g_cancellable_new ();
  self->watchdog_id = g_timeout_add (250, watchdog_cb, self);

  g_socket_client_set_timeout (client, MAX (1, self->timeout_ms / 1000));
  g_socket_client_connect_to_uri_async (client, self->resolved_uri, 554, self->cancellable,
                                        diagnose_cb, g_object_ref (self));
}

/* Pipeline ------------------------------------------------------------------ */

static gboolean
on_bus_message (GstBus     *bus,
                GstMessage *message,
                gpointer    user_data)
{
  PsStream *self = user_data;

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_ERROR:
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *debug = NULL;
        guint video_streams;
        guint64 frames;

        gst_message_parse_error (message, &error, &debug);
        g_debug ("%s: error from %s: %s (%s)", self->uri, GST_OBJECT_NAME (message->src),
                 error->message, debug ? debug : "");

        g_mutex_lock (&self->lock);
        video_streams = self->video_streams;
        frames = self->frames;
        g_mutex_unlock (&self->lock);

        if (frames == 0 && error->domain == GST_RESOURCE_ERROR &&
            (error->code == GST_RESOURCE_ERROR_OPEN_READ_WRITE ||
             error->code == GST_RESOURCE_ERROR_OPEN_READ) &&
            debug != NULL && strstr (debug, "Failed to connect") != NULL)
          diagnose_connection (self);
        else if (video_streams == 0 && error->domain == GST_STREAM_ERROR)
          ps_stream_fail (self, g_error_new_literal (PS_STREAM_ERROR, PS_STREAM_ERROR_NO_VIDEO,
                                                     _("The camera offers no video track")));
        else
          ps_stream_fail (self, ps_stream_error_from (error, debug));
        return G_SOURCE_REMOVE;
      }

    case GST_MESSAGE_EOS:
      ps_stream_fail (self, g_error_new_literal (PS_STREAM_ERROR, PS_STREAM_ERROR_DISCONNECTED,
                                                 _("The camera ended the stream")));
      return G_SOURCE_REMOVE;

    case GST_MESSAGE_WARNING:
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *debug = NULL;

        gst_message_parse_warning (message, &error, &debug);
        g_debug ("%s: warning: %s (%s)", self->uri, error->message, debug ? debug : "");
        break;
      }

    default:
      break;
    }

  return G_SOURCE_CONTINUE;
}

static gboolean
watchdog_cb (gpointer user_data)
{
  PsStream *self = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 last_frame;
  guint64 frames;
  gboolean first_rtp;

  g_mutex_lock (&self->lock);
  last_frame = self->last_frame_time;
  frames = self->frames;
  g_mutex_unlock (&self->lock);

  if (self->state == PS_STREAM_STATE_PLAYING && now - last_frame > STALL_TIMEOUT_US)
    {
      self->watchdog_id = 0;
      ps_stream_fail (self, g_error_new_literal (PS_STREAM_ERROR, PS_STREAM_ERROR_DISCONNECTED,
                                                 _("The camera stopped sending video")));
      return G_SOURCE_REMOVE;
    }

  /* A session that was set up but never delivered a packet is a hiccup of
   * the camera's RTSP server (seen with gst-rtsp-server right after it
   * starts): start over at once rather than wait for the timeout. */
  g_mutex_lock (&self->lock);
  first_rtp = self->first_rtp_seen;
  g_mutex_unlock (&self->lock);
  if (!first_rtp && self->play_time > 0 && now - self->play_time > FIRST_PACKET_US &&
      self->quick_restarts < MAX_QUICK_RESTARTS &&
      now - self->attempt_time + FIRST_PACKET_US < (gint64) self->timeout_ms * 1000)
    {
      g_debug ("%s: no packet %.1f s after the session started; starting over", self->uri,
               (now - self->play_time) / (double) G_USEC_PER_SEC);
      self->quick_restarts++;
      self->watchdog_id = 0;
      teardown (self);
      restart_attempt (self);
      return G_SOURCE_REMOVE;
    }

  if (self->state != PS_STREAM_STATE_PLAYING && frames == 0 &&
      now - self->attempt_time > (gint64) self->timeout_ms * 1000)
    {
      self->watchdog_id = 0;
      ps_stream_fail (self, g_error_new (PS_STREAM_ERROR, PS_STREAM_ERROR_TIMEOUT,
                                         _("No video from the camera after %.1f s"),
                                         self->timeout_ms / 1000.0));
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

static GstElement *
make (const char *factory,
      const char *name,
      GError    **error)
{
  GstElement *element = gst_element_factory_make (factory, name);

  if (element == NULL)
    g_set_error (error, PS_STREAM_ERROR, PS_STREAM_ERROR_DECODER,
                 _("The GStreamer element “%s” is missing: install the GStreamer plugins"),
                 factory);

  return element;
}

static gboolean
build_pipeline (PsStream    *self,
                const char  *location,
                GError     **error)
{
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstBus) bus = NULL;
  GstElement *src, *decode, *sink;
  GstAppSinkCallbacks callbacks = { NULL, NULL, on_new_sample };

  pipeline = gst_pipeline_new ("peerscope-stream");
  if (self->viewer != NULL)
    src = ps_webrtc_viewer_get_element (self->viewer);
  else if (!(src = make ("rtspsrc", "src", error)))
    return FALSE;
  gst_bin_add (GST_BIN (pipeline), src);
  if (!(decode = make ("decodebin", "decode", error)))
    return FALSE;
  gst_bin_add (GST_BIN (pipeline), decode);

  if (self->viewer == NULL)
    g_object_set (src,
                "location", location,
                "latency", 0,
                "tcp-timeout", (guint64) self->timeout_ms * 1000,
                "timeout", (guint64) 2 * G_USEC_PER_SEC,
                "do-retransmission", FALSE,
                "user-agent", "Peerscope/" PACKAGE_VERSION,
                NULL);
  if (self->viewer == NULL)
    gst_util_set_object_arg (G_OBJECT (src), "protocols", self->use_tcp ? "tcp" : "udp+tcp");
  if (self->viewer == NULL && self->username != NULL)
    g_object_set (src, "user-id", self->username, "user-pw", self->password, NULL);

  if (self->video_sink != NULL)
    {
      g_autoptr(GstPad) sinkpad = gst_element_get_static_pad (self->video_sink, "sink");
      GstElement *convert;

      if (!(convert = make ("videoconvert", "head", error)))
        return FALSE;
      gst_bin_add_many (GST_BIN (pipeline), convert, self->video_sink, NULL);
      gst_element_link (convert, self->video_sink);
      if (sinkpad != NULL)
        self->sink_probe = gst_pad_add_probe (sinkpad, GST_PAD_PROBE_TYPE_BUFFER,
                                              on_sink_buffer, self, NULL);
    }
  else
    {
      if (!(sink = make ("appsink", self->output == PS_STREAM_OUTPUT_BGRA ? "sink" : "head",
                         error)))
        return FALSE;
      gst_bin_add (GST_BIN (pipeline), sink);
      g_object_set (sink,
                    "sync", FALSE,
                    "max-buffers", 2,
                    "drop", TRUE,
                    "enable-last-sample", FALSE,
                    "qos", FALSE,
                    NULL);
      gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, self, NULL);

      if (self->output == PS_STREAM_OUTPUT_BGRA)
        {
          g_autoptr(GstCaps) caps = gst_caps_from_string ("video/x-raw,format=BGRA");
          GstElement *convert;

          if (!(convert = make ("videoconvert", "head", error)))
            return FALSE;
          g_object_set (convert, "n-threads", 2, NULL);
          gst_bin_add (GST_BIN (pipeline), convert);
          gst_element_link_filtered (convert, sink, caps);
        }
      else
        {
          g_autoptr(GstCaps) caps = gst_caps_from_string ("video/x-raw");

          g_object_set (sink, "caps", caps, NULL);
        }
    }

  if (self->viewer != NULL)
    g_signal_connect (src, "pad-added", G_CALLBACK (on_p2p_pad_added), self);
  else
    {
      g_signal_connect (src, "select-stream", G_CALLBACK (on_select_stream), self);
      g_signal_connect (src, "new-manager", G_CALLBACK (on_new_manager), self);
      g_signal_connect (src, "on-sdp", G_CALLBACK (on_sdp), self);
      g_signal_connect (src, "pad-added", G_CALLBACK (on_rtspsrc_pad_added), self);
    }
  g_signal_connect (decode, "pad-added", G_CALLBACK (on_decodebin_pad_added), self);
  g_signal_connect (pipeline, "deep-element-added", G_CALLBACK (on_deep_element_added), self);

  bus = gst_pipeline_get_bus (GST_PIPELINE (pipeline));
  self->bus_watch = gst_bus_add_watch (bus, on_bus_message, self);
  self->rtspsrc = g_object_ref (src);
  self->pipeline = g_steal_pointer (&pipeline);

  return TRUE;
}

static void
play (PsStream   *self,
      const char *location)
{
  g_autoptr(GError) error = NULL;

  g_free (self->resolved_uri);
  self->resolved_uri = g_strdup (location);
  g_debug ("%s: opening %s after %.0f ms", self->uri, location,
           (g_get_monotonic_time () - self->attempt_time) / 1000.0);

  if (!build_pipeline (self, location, &error))
    {
      ps_stream_fail (self, g_steal_pointer (&error));
      return;
    }

  /* a P2P session starts when ICE found a path, not now */
  self->play_time = self->viewer != NULL ? 0 : g_get_monotonic_time ();
  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    g_debug ("%s: set_state PLAYING failed; waiting for the bus error", self->uri);
  if (self->viewer != NULL)
    ps_webrtc_viewer_start (self->viewer);
}

/* P2P ------------------------------------------------------------------------ */

static void
on_p2p_failed (PsWebrtcViewer *viewer,
               const GError   *error,
               gpointer        user_data)
{
  ps_stream_fail (user_data, g_error_copy (error));
}

static void
on_p2p_connected (PsWebrtcViewer *viewer,
                  gpointer        user_data)
{
  PsStream *self = user_data;

  g_debug ("%s: ICE connected after %.0f ms", self->uri,
           (g_get_monotonic_time () - self->attempt_time) / 1000.0);
  self->play_time = g_get_monotonic_time ();
}

/* The network changed (another Wi-Fi, a VPN, a new address): the ICE pair
 * may be dead.  webrtcbin 1.22 cannot restart ICE, so when the pair's own
 * address is gone a new session takes over, at once rather than after the
 * stall timeout. */
static gboolean
network_restart_cb (gpointer user_data)
{
  PsStream *self = user_data;

  self->network_restart_id = 0;
  if (self->viewer == NULL || self->state != PS_STREAM_STATE_PLAYING)
    return G_SOURCE_REMOVE;
  if (ps_webrtc_viewer_path_is_intact (self->viewer))
    {
      g_debug ("%s: the network changed; the P2P path is intact", self->uri);
      return G_SOURCE_REMOVE;
    }

  g_debug ("%s: the network changed; new P2P session", self->uri);
  self->reconnects++;
  teardown (self);
  ps_stream_start_attempt (self);

  return G_SOURCE_REMOVE;
}

static void
on_network_changed (GNetworkMonitor *monitor,
                    gboolean         available,
                    gpointer         user_data)
{
  PsStream *self = user_data;

  /* changes come in bursts: act once they settle */
  g_clear_handle_id (&self->network_restart_id, g_source_remove);
  self->network_restart_id = g_timeout_add (1000, network_restart_cb, self);
}

static void
play_webrtc (PsStream *self)
{
  if (self->network_changed_id == 0)
    self->network_changed_id = g_signal_connect (g_network_monitor_get_default (),
                                                 "network-changed",
                                                 G_CALLBACK (on_network_changed), self);

  g_signal_connect (self->viewer, "failed", G_CALLBACK (on_p2p_failed), self);
  g_signal_connect (self->viewer, "connected", G_CALLBACK (on_p2p_connected), self);
  play (self, self->uri);
}

static void
play_p2p (PsStream *self)
{
  g_autofree char *device_id = ps_p2p_device_id_normalize (self->uri + strlen ("p2p:"));

  if (device_id == NULL)
    {
      ps_stream_fail (self, g_error_new (PS_STREAM_ERROR, PS_STREAM_ERROR_INVALID_URI,
                                         _("“%s” is no P2P device id (64 hex digits)"),
                                         self->uri + strlen ("p2p:")));
      return;
    }
  if (self->p2p_config == NULL)
    {
      ps_stream_fail (self, g_error_new_literal (PS_STREAM_ERROR, PS_STREAM_ERROR_INVALID_URI,
                                                 _("A P2P camera needs a rendezvous server")));
      return;
    }

  self->viewer = PS_WEBRTC_VIEWER (ps_p2p_session_new (device_id, self->p2p_config));
  play_webrtc (self);
}

/* whep+http://… and whep+https://…: a camera behind a WHEP endpoint */
static void
play_whep (PsStream *self)
{
  g_autoptr(PsP2pConfig) config = NULL;

  config = self->p2p_config != NULL ? ps_p2p_config_copy (self->p2p_config)
                                    : ps_p2p_config_new (NULL, NULL);
  self->viewer = PS_WEBRTC_VIEWER (ps_whep_session_new (self->uri + strlen ("whep+"), config));
  play_webrtc (self);
}

/* ONVIF resolution ---------------------------------------------------------- */

static void
stream_uri_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(PsStream) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;

  uri = ps_onvif_client_get_stream_uri_finish (PS_ONVIF_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (uri == NULL)
    {
      ps_stream_fail (self, ps_stream_error_from (error, NULL));
      return;
    }

  play (self, uri);
}

static void
profiles_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PsStream) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) profiles = NULL;
  PsOnvifProfile *chosen;

  profiles = ps_onvif_client_get_profiles_finish (PS_ONVIF_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (profiles == NULL)
    {
      ps_stream_fail (self, ps_stream_error_from (error, NULL));
      return;
    }

  /* the client never returns an empty list */
  chosen = g_ptr_array_index (profiles, 0);
  for (guint i = 1; i < profiles->len; i++)
    {
      PsOnvifProfile *p = g_ptr_array_index (profiles, i);
      guint64 area = (guint64) p->width * p->height;

      if (self->profile == PS_STREAM_PROFILE_MAIN &&
               area > (guint64) chosen->width * chosen->height)
        chosen = p;
      else if (self->profile == PS_STREAM_PROFILE_SUB && area > 0 &&
               area < (guint64) chosen->width * chosen->height)
        chosen = p;
    }

  g_free (self->profile_token);
  self->profile_token = g_strdup (chosen->token);
  ps_onvif_client_get_stream_uri_async (self->onvif, chosen->token, self->cancellable,
                                        stream_uri_cb, g_object_ref (self));
}

/* Load what the pipeline is built from before the first stream (a few ms)
 * rather than piecemeal while the RTSP handshake waits. Decoders are left
 * to their first packet: loading libav on a thread during the handshake, or
 * before it, was measured to delay the first packet by 100-120 ms, more
 * than it saved. */
static void
preload_plugins (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      const char *elements[] = { "rtspsrc", "decodebin", "appsink", "videoconvert",
                                 "rtpbin", "rtph264depay", "h264parse", "typefind", NULL };

      for (guint i = 0; elements[i] != NULL; i++)
        {
          GstElement *element = gst_element_factory_make (elements[i], NULL);

          if (element != NULL)
            gst_object_unref (gst_object_ref_sink (element));
        }

      g_once_init_leave (&once, 1);
    }
}

static void
ps_stream_start_attempt (PsStream *self)
{
  g_autoptr(GError) error = NULL;

  self->retry_id = 0;
  self->attempt_time = g_get_monotonic_time ();
  self->keyframe_requested = FALSE;
  self->cancellable = g_cancellable_new ();

  g_mutex_lock (&self->lock);
  self->frames = 0;
  self->last_frame_time = 0;
  g_mutex_unlock (&self->lock);

  self->watchdog_id = g_timeout_add (250, watchdog_cb, self);
  preload_plugins ();

  if (g_str_has_prefix (self->uri, "rtsp://") || g_str_has_prefix (self->uri, "rtsps://"))
    {
      play (self, self->uri);
      return;
    }
  if (g_str_has_prefix (self->uri, "p2p:"))
    {
      play_p2p (self);
      return;
    }
  if (g_str_has_prefix (self->uri, "whep+http://") || g_str_has_prefix (self->uri, "whep+https://"))
    {
      play_whep (self);
      return;
    }

  if (self->onvif == NULL)
    self->onvif = ps_onvif_client_new (self->uri, self->username, self->password, &error);
  if (self->onvif == NULL)
    {
      ps_stream_fail (self, g_error_new (PS_STREAM_ERROR, PS_STREAM_ERROR_INVALID_URI,
                                         _("Not a camera address: %s"), self->uri));
      return;
    }

  ps_onvif_client_set_timeout (self->onvif, MAX (1, self->timeout_ms / 1000));
  ps_onvif_client_get_profiles_async (self->onvif, self->cancellable, profiles_cb,
                                      g_object_ref (self));
}

/* Starts over within the same attempt: the timeout still counts from the
 * attempt's start. */
static void
restart_attempt (PsStream *self)
{
  gint64 attempt_time = self->attempt_time;

  ps_stream_start_attempt (self);
  self->attempt_time = attempt_time;
}

static gboolean
retry_cb (gpointer user_data)
{
  PsStream *self = user_data;

  self->retry_id = 0;
  self->reconnects++;
  ps_stream_start_attempt (self);

  return G_SOURCE_REMOVE;
}

/* Takes ownership of error. */
/* Errors that trying again cannot fix: the user has to change something. */
static gboolean
is_final (const GError *error)
{
  return g_error_matches (error, PS_STREAM_ERROR, PS_STREAM_ERROR_AUTH) ||
         g_error_matches (error, PS_STREAM_ERROR, PS_STREAM_ERROR_INVALID_URI) ||
         g_error_matches (error, PS_STREAM_ERROR, PS_STREAM_ERROR_NO_VIDEO) ||
         g_error_matches (error, PS_STREAM_ERROR, PS_STREAM_ERROR_DECODER) ||
         g_error_matches (error, PS_STREAM_ERROR, PS_STREAM_ERROR_IDENTITY);
}

static void
ps_stream_fail (PsStream *self,
                GError   *error)
{
  guint delay_ms;

  g_debug ("%s: %s", self->uri, error->message);
  teardown (self);
  g_clear_error (&self->error);
  self->error = error;

  if (!self->reconnect || (!self->ever_played && !self->keep_trying) || is_final (error))
    {
      set_state (self, PS_STREAM_STATE_ERROR);
      return;
    }

  /* Capped exponential backoff with jitter in [delay/2, delay]. */
  delay_ms = BACKOFF_BASE_MS << MIN (self->attempts, 5);
  delay_ms = MIN (delay_ms, BACKOFF_CAP_MS);
  delay_ms = delay_ms / 2 + g_random_int_range (0, delay_ms / 2 + 1);
  self->attempts++;

  g_debug ("%s: reconnecting in %u ms", self->uri, delay_ms);
  set_state (self, PS_STREAM_STATE_RECONNECTING);
  self->retry_id = g_timeout_add (delay_ms, retry_cb, self);
}

/* GObject -------------------------------------------------------------------- */

static void
ps_stream_dispose (GObject *object)
{
  PsStream *self = (PsStream *) object;

  teardown (self);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_clear_handle_id (&self->network_restart_id, g_source_remove);
  g_clear_signal_handler (&self->network_changed_id, g_network_monitor_get_default ());
  g_clear_object (&self->onvif);
  gst_clear_object (&self->video_sink);

  G_OBJECT_CLASS (ps_stream_parent_class)->dispose (object);
}

static void
ps_stream_finalize (GObject *object)
{
  PsStream *self = (PsStream *) object;

  g_free (self->uri);
  g_free (self->username);
  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_free (self->password);
  g_free (self->profile_token);
  g_free (self->resolved_uri);
  g_free (self->codec);
  g_free (self->p2p_transport);
  g_clear_pointer (&self->p2p_candidates, g_ptr_array_unref);
  g_clear_pointer (&self->p2p_config, ps_p2p_config_free);
  g_clear_error (&self->error);
  g_clear_pointer (&self->latency, ps_percentiles_free);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (ps_stream_parent_class)->finalize (object);
}

static void
ps_stream_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  PsStream *self = PS_STREAM (object);

  switch (prop_id)
    {
    case PROP_URI:
      g_value_set_string (value, self->uri);
      break;
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ps_stream_class_init (PsStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ps_stream_dispose;
  object_class->finalize = ps_stream_finalize;
  object_class->get_property = ps_stream_get_property;

  properties[PROP_URI] =
    g_param_spec_string ("uri", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL,
                      PS_STREAM_STATE_IDLE, PS_STREAM_STATE_ERROR, PS_STREAM_STATE_IDLE,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Emitted on the main context, at most once per main loop iteration. */
  signals[NEW_FRAME] =
    g_signal_new ("new-frame", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  GST_TYPE_SAMPLE | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[STATS_CHANGED] =
    g_signal_new ("stats-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ps_stream_init (PsStream *self)
{
  g_mutex_init (&self->lock);
  self->latency = ps_percentiles_new (LATENCY_WINDOW);
  self->timeout_ms = DEFAULT_TIMEOUT_MS;
  self->reconnect = TRUE;
  self->use_tcp = TRUE;
  self->output = PS_STREAM_OUTPUT_NATIVE;
  self->context = g_main_context_ref_thread_default ();
  self->p2p_rtt_ms = -1;
}

/* Public API ----------------------------------------------------------------- */

PsStream *
ps_stream_new (const char *uri)
{
  PsStream *self;
  g_autoptr(GUri) parsed = NULL;

  g_return_val_if_fail (uri != NULL, NULL);

  self = g_object_new (PS_TYPE_STREAM, NULL);

  /* Keep credentials out of the URI we show and log. */
  parsed = g_uri_parse (uri, G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED, NULL);
  if (parsed != NULL && g_uri_get_user (parsed) != NULL)
    {
      g_autofree char *user = g_uri_unescape_string (g_uri_get_user (parsed), NULL);
      g_autofree char *password = NULL;

      if (g_uri_get_password (parsed) != NULL)
        password = g_uri_unescape_string (g_uri_get_password (parsed), NULL);
      ps_stream_set_credentials (self, user, password);
      self->uri = g_uri_to_string_partial (parsed, G_URI_HIDE_USERINFO);
    }
  else
    self->uri = g_strdup (uri);

  return self;
}

const char *
ps_stream_get_uri (PsStream *self)
{
  g_return_val_if_fail (PS_IS_STREAM (self), NULL);
  return self->uri;
}

void
ps_stream_set_credentials (PsStream   *self,
                           const char *username,
                           const char *password)
{
  g_return_if_fail (PS_IS_STREAM (self));

  g_clear_pointer (&self->username, g_free);
  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_clear_pointer (&self->password, g_free);
  g_clear_object (&self->onvif);

  if (username != NULL && *username != '\0')
    {
      self->username = g_strdup (username);
      self->password = g_strdup (password != NULL ? password : "");
    }
}

void
ps_stream_set_output (PsStream       *self,
                      PsStreamOutput  output)
{
  g_return_if_fail (PS_IS_STREAM (self));
  self->output = output;
}

void
ps_stream_set_video_sink (PsStream   *self,
                          GstElement *sink)
{
  g_return_if_fail (PS_IS_STREAM (self));
  g_return_if_fail (sink == NULL || GST_IS_ELEMENT (sink));
  g_return_if_fail (self->pipeline == NULL);

  gst_clear_object (&self->video_sink);
  if (sink != NULL)
    self->video_sink = gst_object_ref_sink (sink);
}

void
ps_stream_set_profile (PsStream        *self,
                       PsStreamProfile  profile)
{
  g_return_if_fail (PS_IS_STREAM (self));
  self->profile = profile;
}

void
ps_stream_set_timeout (PsStream *self,
                       guint     timeout_ms)
{
  g_return_if_fail (PS_IS_STREAM (self));
  self->timeout_ms = MAX (timeout_ms, 100);
}

void
ps_stream_set_reconnect (PsStream *self,
                         gboolean  reconnect)
{
  g_return_if_fail (PS_IS_STREAM (self));
  self->reconnect = !!reconnect;
}

void
ps_stream_set_keep_trying (PsStream *self,
                           gboolean  keep_trying)
{
  g_return_if_fail (PS_IS_STREAM (self));
  self->keep_trying = !!keep_trying;
}

void
ps_stream_set_use_tcp (PsStream *self,
                       gboolean  use_tcp)
{
  g_return_if_fail (PS_IS_STREAM (self));
  self->use_tcp = !!use_tcp;
}

void
ps_stream_start (PsStream *self)
{
  g_return_if_fail (PS_IS_STREAM (self));

  ps_stream_stop (self);

  g_mutex_lock (&self->lock);
  self->first_frame_time = 0;
  ps_percentiles_clear (self->latency);
  g_mutex_unlock (&self->lock);

  self->start_time = g_get_monotonic_time ();
  self->attempts = 0;
  self->quick_restarts = 0;
  self->reconnects = 0;
  self->ever_played = FALSE;
  g_clear_error (&self->error);
  set_state (self, PS_STREAM_STATE_CONNECTING);
  ps_stream_start_attempt (self);
}

void
ps_stream_stop (PsStream *self)
{
  g_return_if_fail (PS_IS_STREAM (self));

  teardown (self);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_clear_handle_id (&self->network_restart_id, g_source_remove);
  set_state (self, PS_STREAM_STATE_IDLE);
}

static void
on_viewer_closed (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  ps_webrtc_viewer_wait_closed_finish (PS_WEBRTC_VIEWER (object), result);
  g_task_return_boolean (task, TRUE);
}

void
ps_stream_stop_async (PsStream            *self,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(PsWebrtcViewer) viewer = NULL;

  g_return_if_fail (PS_IS_STREAM (self));

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, ps_stream_stop_async);
  if (self->viewer != NULL)
    viewer = g_object_ref (self->viewer);
  ps_stream_stop (self);
  if (viewer == NULL)
    g_task_return_boolean (task, TRUE);
  else
    ps_webrtc_viewer_wait_closed_async (viewer, on_viewer_closed, g_steal_pointer (&task));
}

void
ps_stream_stop_finish (PsStream     *self,
                       GAsyncResult *result)
{
  g_return_if_fail (g_task_is_valid (result, self));

  g_task_propagate_boolean (G_TASK (result), NULL);
}

PsStreamState
ps_stream_get_state (PsStream *self)
{
  g_return_val_if_fail (PS_IS_STREAM (self), PS_STREAM_STATE_IDLE);
  return self->state;
}

const GError *
ps_stream_get_error (PsStream *self)
{
  g_return_val_if_fail (PS_IS_STREAM (self), NULL);
  return self->error;
}

const char *
ps_stream_get_resolved_uri (PsStream *self)
{
  g_return_val_if_fail (PS_IS_STREAM (self), NULL);
  return self->resolved_uri;
}

const char *
ps_stream_get_transport (PsStream *self)
{
  g_return_val_if_fail (PS_IS_STREAM (self), NULL);

  if (self->viewer != NULL)
    return ps_webrtc_viewer_get_transport (self->viewer);
  if (g_str_has_prefix (self->uri, "p2p:") || g_str_has_prefix (self->uri, "whep+"))
    return self->p2p_transport != NULL ? g_intern_string (self->p2p_transport) : "ice";

  return self->use_tcp ? "rtsp-tcp" : "rtsp-udp";
}

void
ps_stream_set_p2p_config (PsStream          *self,
                          const PsP2pConfig *config)
{
  g_return_if_fail (PS_IS_STREAM (self));

  g_clear_pointer (&self->p2p_config, ps_p2p_config_free);
  if (config != NULL)
    self->p2p_config = ps_p2p_config_copy (config);
}

GPtrArray *
ps_stream_dup_remote_candidates (PsStream *self)
{
  g_return_val_if_fail (PS_IS_STREAM (self), NULL);

  if (self->viewer != NULL)
    return ps_webrtc_viewer_dup_remote_candidates (self->viewer);
  if (self->p2p_candidates != NULL)
    return g_ptr_array_ref (self->p2p_candidates);

  return g_ptr_array_new_with_free_func ((GDestroyNotify) ps_ice_candidate_free);
}

double
ps_stream_get_rtt_ms (PsStream *self)
{
  g_return_val_if_fail (PS_IS_STREAM (self), -1);

  return self->viewer != NULL ? ps_webrtc_viewer_get_rtt_ms (self->viewer) : self->p2p_rtt_ms;
}

const char *
ps_stream_get_remote_address (PsStream *self,
                              guint    *port)
{
  g_return_val_if_fail (PS_IS_STREAM (self), NULL);

  return self->viewer != NULL ? ps_webrtc_viewer_get_remote_address (self->viewer, port) : NULL;
}

const char *
ps_stream_get_codec (PsStream *self)
{
  const char *codec;

  g_return_val_if_fail (PS_IS_STREAM (self), NULL);

  g_mutex_lock (&self->lock);
  codec = self->codec;   /* only replaced between sessions, on the main thread's watch */
  g_mutex_unlock (&self->lock);

  return codec;
}

guint
ps_stream_get_width (PsStream *self)
{
  guint width;

  g_return_val_if_fail (PS_IS_STREAM (self), 0);

  g_mutex_lock (&self->lock);
  width = self->width;
  g_mutex_unlock (&self->lock);

  return width;
}

guint
ps_stream_get_height (PsStream *self)
{
  guint height;

  g_return_val_if_fail (PS_IS_STREAM (self), 0);

  g_mutex_lock (&self->lock);
  height = self->height;
  g_mutex_unlock (&self->lock);

  return height;
}

guint64
ps_stream_get_frames (PsStream *self)
{
  guint64 frames;

  g_return_val_if_fail (PS_IS_STREAM (self), 0);

  g_mutex_lock (&self->lock);
  frames = self->frames;
  g_mutex_unlock (&self->lock);

  return frames;
}

double
ps_stream_get_fps (PsStream *self)
{
  double fps = 0;
  guint64 n;

  g_return_val_if_fail (PS_IS_STREAM (self), 0);

  g_mutex_lock (&self->lock);
  n = MIN (self->frames, FPS_WINDOW);
  if (n >= 2)
    {
      gint64 newest = self->fps_times[(self->frames - 1) % FPS_WINDOW];
      gint64 oldest = self->fps_times[(self->frames - n) % FPS_WINDOW];

      if (newest > oldest)
        fps = (n - 1) * (double) G_USEC_PER_SEC / (newest - oldest);
    }
  g_mutex_unlock (&self->lock);

  return fps;
}

double
ps_stream_get_first_frame_ms (PsStream *self)
{
  double ms = -1;

  g_return_val_if_fail (PS_IS_STREAM (self), -1);

  g_mutex_lock (&self->lock);
  if (self->first_frame_time != 0)
    ms = (self->first_frame_time - self->start_time) / 1000.0;
  g_mutex_unlock (&self->lock);

  return ms;
}

/**
 * ps_stream_get_received:
 * @bytes: (out): RTP bytes the camera sent, over every session so far
 * @packets: (out): RTP packets
 */
void
ps_stream_get_received (PsStream *self,
                        guint64  *bytes,
                        guint64  *packets)
{
  g_return_if_fail (PS_IS_STREAM (self));

  g_mutex_lock (&self->lock);
  *bytes = self->rtp_bytes;
  *packets = self->rtp_packets;
  g_mutex_unlock (&self->lock);
}

guint
ps_stream_get_reconnects (PsStream *self)
{
  g_return_val_if_fail (PS_IS_STREAM (self), 0);
  return self->reconnects;
}

gboolean
ps_stream_get_latency (PsStream *self,
                       double   *p50_ms,
                       double   *p95_ms)
{
  gboolean ok;

  g_return_val_if_fail (PS_IS_STREAM (self), FALSE);

  g_mutex_lock (&self->lock);
  ok = ps_percentiles_count (self->latency) > 0;
  if (ok)
    {
      if (p50_ms != NULL)
        *p50_ms = ps_percentiles_get (self->latency, 50);
      if (p95_ms != NULL)
        *p95_ms = ps_percentiles_get (self->latency, 95);
    }
  g_mutex_unlock (&self->lock);

  return ok;
}

