/* bench-ice-lab.c: the srflx cell, the camera in another network namespace
 *
 * Server-reflexive pairs need two NATs, so the camera side runs in the
 * lab's home (behind its NAT) and the viewer in the lab's second home
 * (behind another): bench-ice starts itself again as the helper, with
 * `ip netns exec`, and speaks to it over the helper's stdin and stdout,
 * one JSON object per line.  The helper publishes a Peerscope camera
 * (PsP2pPublisher) on the lab's rendezvous, and on "start" makes the
 * baseline's camera, a stock webrtcbin whose offer and candidates go up
 * the pipe as they come ("offer", "candidate") while the viewer's answer
 * and candidates come down it.  So the baseline still pays no server hop,
 * only a pipe, and Peerscope pays the rendezvous as in the other cells.
 *
 *   helper -> viewer  {"type":"ready","device_id":ID}  {"type":"camera"}
 *                     {"type":"offer","sdp":S}  {"type":"candidate","m":N,"candidate":C}
 *                     {"type":"idle"}  (no session of either contender left)
 *   viewer -> helper  {"type":"start"}  {"type":"answer","sdp":S}
 *                     {"type":"candidate",...}  {"type":"stop"}
 *
 * Both contenders' webrtcbins get the lab's STUN server, nothing else.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib/gstdio.h>
#include <gst/sdp/sdp.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <signal.h>

#include "bench-ice.h"
#include "ps-webrtc-promise.h"

#define IDLE_WAIT_S   3
#define READY_WAIT_S  30

/* Both sides -------------------------------------------------------------------- */

static GMutex            say_lock;
static GOutputStream    *say_stream;    /* the helper's stdout, or its stdin */
static GDataInputStream *hear_stream;
static GCancellable     *hear_cancellable;
static GSubprocess      *helper;

/* Any thread: one message, whole, on one line */
static void
say (const char *type,
     const char *member,
     const char *text,
     int         m_line)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GError) error = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type);
  if (member != NULL)
    {
      json_builder_set_member_name (builder, member);
      json_builder_add_string_value (builder, text);
    }
  if (m_line >= 0)
    {
      json_builder_set_member_name (builder, "m");
      json_builder_add_int_value (builder, m_line);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  line = json_generator_to_data (generator, NULL);

  g_mutex_lock (&say_lock);
  if (!g_output_stream_write_all (say_stream, line, strlen (line), NULL, NULL, &error) ||
      !g_output_stream_write_all (say_stream, "\n", 1, NULL, NULL, &error) ||
      !g_output_stream_flush (say_stream, NULL, &error))
    g_printerr ("bench-ice: the pipe to the other side: %s\n", error->message);
  g_mutex_unlock (&say_lock);
}

typedef void (*HearFunc) (JsonObject *message);

static void hear_next (HearFunc func);

static void
on_line_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  HearFunc func = (HearFunc) user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, NULL,
                                                    &error);
  if (line == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        func (NULL);   /* the other side is gone */
      return;
    }
  if (!json_parser_load_from_data (parser, line, -1, &error) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    g_printerr ("bench-ice: not a message from the other side: %s\n", line);
  else
    func (json_node_get_object (root));
  hear_next (func);
}

static void
hear_next (HearFunc func)
{
  g_data_input_stream_read_line_async (hear_stream, G_PRIORITY_DEFAULT, hear_cancellable,
                                       on_line_cb, (gpointer) func);
}

static const char *
member (JsonObject *message,
        const char *name)
{
  return json_object_get_string_member_with_default (message, name, "");
}

/* The helper, in the camera's namespace --------------------------------------- */

static PsP2pPublisher *publisher;
static GstElement     *sender;
static GstElement     *sender_webrtc;
static char           *helper_stun;
static gboolean        helper_done;

static void
on_source_made (void)
{
  say ("camera", NULL, NULL, -1);
}

static void
on_sender_offer_cb (GstPromise *promise,
                    gpointer    user_data)
{
  GstElement *webrtc = user_data;
  GstWebRTCSessionDescription *offer = NULL;
  g_autofree char *text = NULL;

  offer = ps_webrtc_promise_take_description (promise, "offer");
  if (offer == NULL)
    {
      g_printerr ("bench-ice: the baseline camera made no offer\n");
      return;
    }

  g_signal_emit_by_name (webrtc, "set-local-description", offer, NULL);
  text = gst_sdp_message_as_text (offer->sdp);
  say ("offer", "sdp", text, -1);
  gst_webrtc_session_description_free (offer);
}

static void
on_sender_negotiation_needed_cb (GstElement *webrtc,
                                 gpointer    user_data)
{
  g_signal_emit_by_name (webrtc, "create-offer", NULL,
                         gst_promise_new_with_change_func (on_sender_offer_cb, webrtc, NULL));
}

static void
on_candidate_cb (GstElement *webrtc,
                 guint       m_line,
                 char       *candidate,
                 gpointer    user_data)
{
  say ("candidate", "candidate", candidate, (int) m_line);
}

static void
sender_stop (void)
{
  if (sender == NULL)
    return;
  gst_element_set_state (sender, GST_STATE_NULL);
  gst_clear_object (&sender_webrtc);
  gst_clear_object (&sender);
}

static gboolean
on_idle_poll_cb (gpointer user_data)
{
  gint64 *deadline = user_data;

  if (ps_p2p_publisher_get_n_sessions (publisher) > 0 && g_get_monotonic_time () < *deadline)
    return G_SOURCE_CONTINUE;
  say ("idle", NULL, NULL, -1);
  g_free (deadline);
  return G_SOURCE_REMOVE;
}

static void
helper_hear (JsonObject *message)
{
  const char *type = message != NULL ? member (message, "type") : "stop";

  if (message == NULL)
    helper_done = TRUE;

  if (g_str_equal (type, "start"))
    {
      sender_stop ();
      sender = baseline_sender_new (&sender_webrtc);
      g_object_set (sender_webrtc, "stun-server", helper_stun, NULL);
      g_signal_connect (sender_webrtc, "on-negotiation-needed",
                        G_CALLBACK (on_sender_negotiation_needed_cb), NULL);
      g_signal_connect (sender_webrtc, "on-ice-candidate", G_CALLBACK (on_candidate_cb), NULL);
      gst_element_set_state (sender, GST_STATE_PLAYING);
    }
  else if (g_str_equal (type, "answer") && sender_webrtc != NULL)
    {
      GstSDPMessage *sdp = NULL;
      GstWebRTCSessionDescription *answer;

      if (gst_sdp_message_new_from_text (member (message, "sdp"), &sdp) != GST_SDP_OK)
        return;
      answer = gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_ANSWER, sdp);
      g_signal_emit_by_name (sender_webrtc, "set-remote-description", answer, NULL);
      gst_webrtc_session_description_free (answer);
    }
  else if (g_str_equal (type, "candidate") && sender_webrtc != NULL)
    g_signal_emit_by_name (sender_webrtc, "add-ice-candidate",
                           (guint) json_object_get_int_member_with_default (message, "m", 0),
                           member (message, "candidate"));
  else if (g_str_equal (type, "stop"))
    {
      gint64 *deadline = g_new (gint64, 1);

      sender_stop ();
      *deadline = g_get_monotonic_time () + IDLE_WAIT_S * G_USEC_PER_SEC;
      g_timeout_add (5, on_idle_poll_cb, deadline);
    }
}

static void
on_published_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!ps_p2p_publisher_start_finish (PS_P2P_PUBLISHER (object), result, &error))
    {
      g_printerr ("bench-ice: the lab camera cannot publish: %s\n", error->message);
      helper_done = TRUE;
      return;
    }
  say ("ready", "device_id", user_data, -1);
}

int
lab_helper_main (const char *rendezvous_url,
                 const char *stun_url)
{
  g_autoptr(PsP2pConfig) config = ps_p2p_config_new (rendezvous_url, TOKEN);
  g_autoptr(GError) error = NULL;
  g_autoptr(PsP2pIdentity) identity = NULL;
  g_autofree char *dir = g_dir_make_tmp ("peerscope-bench-ice-lab-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr(GInputStream) in = g_unix_input_stream_new (0, FALSE);

  if (dir == NULL)
    {
      g_printerr ("bench-ice: %s\n", error->message);
      return 1;
    }
  path = g_build_filename (dir, "camera.pem", NULL);
  identity = ps_p2p_identity_load_or_create (path, &error);
  g_unlink (path);
  g_rmdir (dir);
  if (identity == NULL)
    {
      g_printerr ("bench-ice: %s\n", error->message);
      return 1;
    }

  /* stdout is the pipe to the viewer: every log line goes to stderr */
  g_log_writer_default_set_use_stderr (TRUE);
  say_stream = g_unix_output_stream_new (1, FALSE);
  hear_stream = g_data_input_stream_new (in);
  hear_cancellable = g_cancellable_new ();
  helper_stun = g_strdup (stun_url);
  source_made_hook = on_source_made;

  config->stun_server = g_strdup (stun_url);
  publisher = ps_p2p_publisher_new (identity, config, "Bench camera", make_source, NULL, NULL);
  ps_p2p_publisher_start_async (publisher, NULL, on_published_cb,
                                (gpointer) ps_p2p_identity_get_device_id (identity));
  hear_next (helper_hear);

  while (!helper_done)
    g_main_context_iteration (NULL, TRUE);

  sender_stop ();
  ps_p2p_publisher_stop (publisher);
  g_clear_object (&publisher);
  g_cancellable_cancel (hear_cancellable);
  g_clear_object (&hear_cancellable);
  g_clear_object (&hear_stream);
  g_clear_object (&say_stream);
  g_free (helper_stun);

  return 0;
}

/* The viewer, in its own namespace --------------------------------------------- */

static Run     *lab_run;        /* the baseline run in progress */
static gboolean idle_heard;
static gboolean helper_gone;

static void
on_viewer_answer_cb (GstPromise *promise,
                     gpointer    user_data)
{
  Run *run = user_data;
  GstWebRTCSessionDescription *answer = NULL;
  g_autofree char *text = NULL;

  answer = ps_webrtc_promise_take_description (promise, "answer");
  if (answer == NULL)
    {
      run_fail (run, "the viewer's webrtcbin made no answer");
      return;
    }

  g_signal_emit_by_name (run->viewer_webrtc, "set-local-description", answer, NULL);
  text = gst_sdp_message_as_text (answer->sdp);
  say ("answer", "sdp", text, -1);
  gst_webrtc_session_description_free (answer);
}

static void
viewer_hear (JsonObject *message)
{
  const char *type;

  if (message == NULL)
    {
      helper_gone = TRUE;
      if (lab_run != NULL)
        run_fail (lab_run, "the camera's helper is gone");
      return;
    }

  type = member (message, "type");
  if (g_str_equal (type, "ready"))
    {
      g_free (g_object_get_data (G_OBJECT (helper), "device-id"));
      g_object_set_data (G_OBJECT (helper), "device-id",
                         g_strdup (member (message, "device_id")));
    }
  else if (g_str_equal (type, "camera"))
    {
      if (current_run != NULL)
        run_mark (current_run, MARK_CAMERA);
    }
  else if (g_str_equal (type, "idle"))
    idle_heard = TRUE;
  else if (lab_run == NULL)
    return;   /* late words of an ended run */
  else if (g_str_equal (type, "offer"))
    {
      GstSDPMessage *sdp = NULL;
      GstWebRTCSessionDescription *offer;

      if (gst_sdp_message_new_from_text (member (message, "sdp"), &sdp) != GST_SDP_OK)
        {
          run_fail (lab_run, "the camera's offer is not SDP");
          return;
        }
      offer = gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_OFFER, sdp);
      g_signal_emit_by_name (lab_run->viewer_webrtc, "set-remote-description", offer, NULL);
      gst_webrtc_session_description_free (offer);
      g_signal_emit_by_name (lab_run->viewer_webrtc, "create-answer", NULL,
                             gst_promise_new_with_change_func (on_viewer_answer_cb, lab_run,
                                                               NULL));
    }
  else if (g_str_equal (type, "candidate"))
    g_signal_emit_by_name (lab_run->viewer_webrtc, "add-ice-candidate",
                           (guint) json_object_get_int_member_with_default (message, "m", 0),
                           member (message, "candidate"));
}

/* the helper goes when we go, even when we crash */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

gboolean
lab_camera_start (Cell        *cell,
                  const char  *netns,
                  const char  *rendezvous_url,
                  const char  *stun_url,
                  GError     **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *self = g_file_read_link ("/proc/self/exe", error);
  gint64 deadline = g_get_monotonic_time () + READY_WAIT_S * G_USEC_PER_SEC;

  if (self == NULL)
    return FALSE;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  helper = g_subprocess_launcher_spawn (launcher, error, "ip", "netns", "exec", netns, self,
                                        "--lab-helper", "--lab-rendezvous", rendezvous_url,
                                        "--lab-stun", stun_url, NULL);
  if (helper == NULL)
    return FALSE;

  say_stream = g_object_ref (g_subprocess_get_stdin_pipe (helper));
  hear_stream = g_data_input_stream_new (g_subprocess_get_stdout_pipe (helper));
  hear_cancellable = g_cancellable_new ();
  hear_next (viewer_hear);

  while (g_object_get_data (G_OBJECT (helper), "device-id") == NULL && !helper_gone &&
         g_get_monotonic_time () < deadline)
    spin_ms (50);
  if (g_object_get_data (G_OBJECT (helper), "device-id") == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "the camera's helper in %s did not publish its camera", netns);
      return FALSE;
    }

  cell->device_id = g_strdup (g_object_get_data (G_OBJECT (helper), "device-id"));
  return TRUE;
}

void
lab_camera_stop (void)
{
  if (helper == NULL)
    return;

  g_cancellable_cancel (hear_cancellable);
  g_output_stream_close (say_stream, NULL, NULL);   /* the helper hears the end */
  if (!g_subprocess_wait_check (helper, NULL, NULL))
    g_subprocess_force_exit (helper);
  g_free (g_object_get_data (G_OBJECT (helper), "device-id"));
  g_clear_object (&helper);
  g_clear_object (&hear_cancellable);
  g_clear_object (&hear_stream);
  g_clear_object (&say_stream);
}

void
lab_baseline_start (Cell       *cell,
                    Run        *run,
                    const char *stun_url)
{
  run->viewer = gst_object_ref_sink (gst_pipeline_new ("viewer"));
  run->viewer_webrtc = gst_object_ref (gst_element_factory_make ("webrtcbin", NULL));
  g_object_set (run->viewer_webrtc, "stun-server", stun_url, NULL);
  gst_bin_add (GST_BIN (run->viewer), run->viewer_webrtc);
  g_signal_connect (run->viewer_webrtc, "on-ice-candidate", G_CALLBACK (on_candidate_cb), NULL);
  watch_viewer (run);
  gst_element_set_state (run->viewer, GST_STATE_PLAYING);

  lab_run = run;
  say ("start", NULL, NULL, -1);
}

void
lab_run_stop (Run *run)
{
  gint64 deadline = g_get_monotonic_time () + IDLE_WAIT_S * G_USEC_PER_SEC;

  lab_run = NULL;
  idle_heard = FALSE;
  say ("stop", NULL, NULL, -1);
  while (!idle_heard && !helper_gone && g_get_monotonic_time () < deadline)
    spin_ms (5);
}
