/* bench-ice-run.c: a session's marks, watched alike for both contenders
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>

#include "bench-ice.h"

const char *contender_names[N_CONTENDERS] = { "baseline", "peerscope" };
const char *mark_names[N_MARKS] = { "camera", "offer", "ICE", "DTLS", "pad", "frame" };

Run *current_run;
void (*source_made_hook) (void);

static gboolean
on_tick_cb (gpointer user_data)
{
  return G_SOURCE_REMOVE;
}

void
spin_ms (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * (gint64) 1000;

  while (g_get_monotonic_time () < end)
    {
      g_timeout_add (5, on_tick_cb, NULL);
      g_main_context_iteration (NULL, TRUE);
    }
}

/* Marks -------------------------------------------------------------------- */

void
run_mark (Run  *run,
          Mark  which)
{
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&run->lock);
  if (run->marks[which] == 0)
    run->marks[which] = now;
  g_mutex_unlock (&run->lock);
  g_main_context_wakeup (NULL);
}

void
run_fail (Run        *run,
          const char *format,
          ...)
{
  va_list args;
  char *message;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_mutex_lock (&run->lock);
  if (run->error == NULL)
    run->error = g_steal_pointer (&message);
  g_mutex_unlock (&run->lock);
  g_free (message);
  g_main_context_wakeup (NULL);
}

gboolean
run_is_done (Run *run)
{
  gboolean done;

  g_mutex_lock (&run->lock);
  done = run->marks[MARK_FRAME] != 0 || run->error != NULL || run->timed_out;
  g_mutex_unlock (&run->lock);

  return done;
}

double
run_ms (Run  *run,
        Mark  which)
{
  gint64 t;

  g_mutex_lock (&run->lock);
  t = run->marks[which];
  g_mutex_unlock (&run->lock);

  return t != 0 ? (t - run->t0) / 1000.0 : NAN;
}

/* The viewer's side, watched alike for both contenders -------------------- */

static GstPadProbeReturn
on_sink_buffer_cb (GstPad          *pad,
                   GstPadProbeInfo *info,
                   gpointer         user_data)
{
  run_mark (user_data, MARK_FRAME);
  return GST_PAD_PROBE_REMOVE;
}

static void
on_decoded_pad_cb (GstElement *decodebin,
                   GstPad     *pad,
                   gpointer    user_data)
{
  Run *run = user_data;
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  g_autoptr(GstPad) sinkpad = gst_element_get_static_pad (sink, "sink");

  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  gst_bin_add (GST_BIN (run->viewer), sink);
  gst_element_sync_state_with_parent (sink);
  gst_pad_add_probe (sinkpad, GST_PAD_PROBE_TYPE_BUFFER, on_sink_buffer_cb, run, NULL);
  if (gst_pad_link (pad, sinkpad) != GST_PAD_LINK_OK)
    run_fail (run, "cannot link the decoder to the sink");
}

static void
on_viewer_pad_added_cb (GstElement *webrtc,
                        GstPad     *pad,
                        gpointer    user_data)
{
  Run *run = user_data;
  GstElement *decodebin;
  g_autoptr(GstPad) sinkpad = NULL;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;

  run_mark (run, MARK_PAD);
  decodebin = gst_element_factory_make ("decodebin", NULL);
  g_signal_connect (decodebin, "pad-added", G_CALLBACK (on_decoded_pad_cb), run);
  gst_bin_add (GST_BIN (run->viewer), decodebin);
  gst_element_sync_state_with_parent (decodebin);
  sinkpad = gst_element_get_static_pad (decodebin, "sink");
  if (gst_pad_link (pad, sinkpad) != GST_PAD_LINK_OK)
    run_fail (run, "cannot link webrtcbin to the decoder");
}

static void
on_signaling_state_cb (GObject    *webrtc,
                       GParamSpec *pspec,
                       gpointer    user_data)
{
  GstWebRTCSignalingState state;

  g_object_get (webrtc, "signaling-state", &state, NULL);
  if (state == GST_WEBRTC_SIGNALING_STATE_HAVE_REMOTE_OFFER)
    run_mark (user_data, MARK_OFFER);
}

static void
on_ice_state_cb (GObject    *webrtc,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  GstWebRTCICEConnectionState state;

  g_object_get (webrtc, "ice-connection-state", &state, NULL);
  if (state == GST_WEBRTC_ICE_CONNECTION_STATE_CONNECTED ||
      state == GST_WEBRTC_ICE_CONNECTION_STATE_COMPLETED)
    run_mark (user_data, MARK_ICE);
  else if (state == GST_WEBRTC_ICE_CONNECTION_STATE_FAILED)
    run_fail (user_data, "ICE failed");
}

static void
on_dtls_state_cb (GObject    *dtlsdec,
                  GParamSpec *pspec,
                  gpointer    user_data)
{
  GValue value = G_VALUE_INIT;
  GEnumValue *state;

  g_value_init (&value, pspec->value_type);
  g_object_get_property (dtlsdec, "connection-state", &value);
  state = g_enum_get_value (g_type_class_peek (pspec->value_type), g_value_get_enum (&value));
  if (state != NULL && g_strcmp0 (state->value_nick, "connected") == 0)
    run_mark (user_data, MARK_DTLS);
  g_value_unset (&value);
}

static void
on_viewer_element_added_cb (GstBin     *bin,
                            GstBin     *sub_bin,
                            GstElement *element,
                            gpointer    user_data)
{
  GstElementFactory *factory = gst_element_get_factory (element);

  if (factory != NULL && g_str_equal (GST_OBJECT_NAME (factory), "dtlsdec"))
    g_signal_connect (element, "notify::connection-state", G_CALLBACK (on_dtls_state_cb),
                      user_data);
}

void
watch_viewer (Run *run)
{
  g_signal_connect (run->viewer_webrtc, "pad-added", G_CALLBACK (on_viewer_pad_added_cb), run);
  g_signal_connect (run->viewer_webrtc, "notify::signaling-state",
                    G_CALLBACK (on_signaling_state_cb), run);
  g_signal_connect (run->viewer_webrtc, "notify::ice-connection-state",
                    G_CALLBACK (on_ice_state_cb), run);
  g_signal_connect (run->viewer_webrtc, "deep-element-added",
                    G_CALLBACK (on_viewer_element_added_cb), run);
}

/* The camera's source, the same for both ------------------------------------ */

GstElement *
make_source (gpointer   user_data,
             gpointer   key,
             GError   **error)
{
  /* the camera starts its side of the session */
  if (current_run != NULL)
    run_mark (current_run, MARK_CAMERA);
  if (source_made_hook != NULL)
    source_made_hook ();

  return gst_parse_bin_from_description (SOURCE_DESCRIPTION, TRUE, error);
}


GstElement *
baseline_sender_new (GstElement **webrtc)
{
  g_autoptr(GError) error = NULL;
  GstElement *pipeline, *source, *parse, *pay;

  pipeline = gst_object_ref_sink (gst_pipeline_new ("camera"));
  source = make_source (NULL, NULL, &error);
  g_assert_no_error (error);
  parse = gst_element_factory_make ("h264parse", NULL);
  pay = gst_element_factory_make ("rtph264pay", NULL);
  /* the payloader as PsP2pPublisher sets it, so that only the session differs */
  g_object_set (parse, "config-interval", -1, NULL);
  g_object_set (pay, "config-interval", -1, "pt", 96, NULL);
  gst_util_set_object_arg (G_OBJECT (pay), "aggregate-mode", "zero-latency");
  *webrtc = gst_object_ref (gst_element_factory_make ("webrtcbin", NULL));
  gst_bin_add_many (GST_BIN (pipeline), source, parse, pay, *webrtc, NULL);
  if (!gst_element_link_many (source, parse, pay, *webrtc, NULL))
    g_error ("cannot link the baseline camera");

  return pipeline;
}
