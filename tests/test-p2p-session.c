/* test-p2p-session.c: a camera and a viewer meet on a real
 * peerscope-rendezvous and stream over ICE and DTLS-SRTP (webrtcbin), on
 * loopback
 *
 * The camera side is PsP2pPublisher with an H.264 test source; the viewer
 * is PsP2pSession inside a decoding pipeline.  Checked: frames decode from
 * the pinned camera over a host pair; a device id nobody publishes is not
 * found and nothing decodes; a wrong token is refused; a hostile rendezvous
 * that swaps the offer's fingerprint, or passes an impostor off as the
 * camera, gets an identity error and not one decoded frame.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gst/gst.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "ps-p2p-identity.h"
#include "ps-p2p-publisher.h"
#include "ps-p2p-session.h"
#include "ps-stream-error.h"
#include "ps-test-hostile-rendezvous.h"

#define TOKEN "lab-account-token-0123456789"
#define WAIT_S 20

static char *tmp;
static char *rendezvous_url;
static GSubprocess *rendezvous;

static GstElement *
make_source (gpointer   user_data,
             gpointer   key,
             GError   **error)
{
  return gst_parse_bin_from_description ("videotestsrc is-live=true ! "
                                         "video/x-raw,width=320,height=240,framerate=30/1 ! "
                                         "x264enc tune=zerolatency speed-preset=ultrafast "
                                         "key-int-max=30 bframes=0",
                                         TRUE, error);
}

typedef struct
{
  PsP2pSession *session;
  GstElement   *pipeline;
  gint          frames;
  GError       *error;
  gboolean      connected;
} Viewer;

static GstPadProbeReturn
count_frame (GstPad          *pad,
             GstPadProbeInfo *info,
             gpointer         user_data)
{
  Viewer *viewer = user_data;

  g_atomic_int_inc (&viewer->frames);
  return GST_PAD_PROBE_OK;
}

static void
on_decoded_pad (GstElement *decodebin,
                GstPad     *pad,
                gpointer    user_data)
{
  Viewer *viewer = user_data;
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  g_autoptr(GstPad) sinkpad = gst_element_get_static_pad (sink, "sink");

  g_object_set (sink, "sync", FALSE, NULL);
  gst_bin_add (GST_BIN (viewer->pipeline), sink);
  gst_element_sync_state_with_parent (sink);
  gst_pad_link (pad, sinkpad);
  gst_pad_add_probe (sinkpad, GST_PAD_PROBE_TYPE_BUFFER, count_frame, viewer, NULL);
}

static void
on_webrtc_pad (GstElement *webrtc,
               GstPad     *pad,
               gpointer    user_data)
{
  Viewer *viewer = user_data;
  GstElement *decodebin;
  g_autoptr(GstPad) sinkpad = NULL;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  decodebin = gst_element_factory_make ("decodebin", NULL);
  g_signal_connect (decodebin, "pad-added", G_CALLBACK (on_decoded_pad), viewer);
  gst_bin_add (GST_BIN (viewer->pipeline), decodebin);
  gst_element_sync_state_with_parent (decodebin);
  sinkpad = gst_element_get_static_pad (decodebin, "sink");
  gst_pad_link (pad, sinkpad);
}

static void
on_failed (PsP2pSession *session,
           const GError *error,
           gpointer      user_data)
{
  Viewer *viewer = user_data;

  if (viewer->error == NULL)
    viewer->error = g_error_copy (error);
}

static void
on_connected (PsP2pSession *session,
              gpointer      user_data)
{
  ((Viewer *) user_data)->connected = TRUE;
}

static PsP2pConfig *
loopback_config_via (const char *url,
                     const char *token)
{
  PsP2pConfig *config = ps_p2p_config_new (url, token);
  const char *addresses[] = { "127.0.0.1", NULL };

  config->local_addresses = g_strdupv ((char **) addresses);
  return config;
}


static void
viewer_start_via (Viewer     *viewer,
                  const char *url,
                  const char *device_id,
                  const char *token)
{
  g_autoptr(PsP2pConfig) config = loopback_config_via (url, token);
  GstElement *webrtc;

  viewer->session = ps_p2p_session_new (device_id, config);
  viewer->pipeline = gst_pipeline_new (NULL);
  webrtc = ps_p2p_session_get_element (viewer->session);
  gst_bin_add (GST_BIN (viewer->pipeline), webrtc);
  g_signal_connect (webrtc, "pad-added", G_CALLBACK (on_webrtc_pad), viewer);
  g_signal_connect (viewer->session, "failed", G_CALLBACK (on_failed), viewer);
  g_signal_connect (viewer->session, "connected", G_CALLBACK (on_connected), viewer);
  gst_element_set_state (viewer->pipeline, GST_STATE_PLAYING);
  ps_p2p_session_start (viewer->session);
}

static void
viewer_start (Viewer     *viewer,
              const char *device_id,
              const char *token)
{
  viewer_start_via (viewer, rendezvous_url, device_id, token);
}

static void
viewer_clear (Viewer *viewer)
{
  ps_p2p_session_stop (viewer->session);
  gst_element_set_state (viewer->pipeline, GST_STATE_NULL);
  gst_clear_object (&viewer->pipeline);
  g_clear_object (&viewer->session);
  g_clear_error (&viewer->error);
}

static gboolean
wait_until (gboolean (*done) (Viewer *), Viewer *viewer)
{
  gint64 end = g_get_monotonic_time () + WAIT_S * G_USEC_PER_SEC;

  while (!done (viewer) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);

  return done (viewer);
}

static gboolean
has_frames_or_error (Viewer *viewer)
{
  return g_atomic_int_get (&viewer->frames) >= 10 || viewer->error != NULL;
}

static gboolean
has_error (Viewer *viewer)
{
  return viewer->error != NULL;
}

static void
on_published (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GError **error = user_data;

  if (!ps_p2p_publisher_start_finish (PS_P2P_PUBLISHER (object), result, error) && *error == NULL)
    g_assert_not_reached ();
  if (*error == NULL)
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "published");
}

static PsP2pPublisher *
publish_via (PsP2pIdentity *identity,
             const char    *url)
{
  g_autoptr(PsP2pConfig) config = loopback_config_via (url, TOKEN);
  g_autoptr(GError) done = NULL;
  PsP2pPublisher *publisher;

  publisher = ps_p2p_publisher_new (identity, config, "Test camera", make_source, NULL, NULL);
  ps_p2p_publisher_start_async (publisher, NULL, on_published, &done);
  while (done == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (done, G_IO_ERROR, G_IO_ERROR_EXISTS);

  return publisher;
}

static PsP2pPublisher *
publish (PsP2pIdentity *identity)
{
  return publish_via (identity, rendezvous_url);
}

/* "sha-256 AB:CD:…", as the camera writes it into its offers */
static char *
fingerprint_of (PsP2pIdentity *identity)
{
  return ps_p2p_device_id_to_fingerprint (ps_p2p_identity_get_device_id (identity));
}

static void
test_host_pair (void)
{
  g_autofree char *path = g_build_filename (tmp, "camera.pem", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PsP2pIdentity) identity = ps_p2p_identity_load_or_create (path, &error);
  g_autoptr(PsP2pPublisher) publisher = NULL;
  Viewer viewer = { NULL };
  gint64 start;

  g_assert_no_error (error);
  publisher = publish (identity);

  start = g_get_monotonic_time ();
  viewer_start (&viewer, ps_p2p_identity_get_device_id (identity), TOKEN);
  g_assert_true (wait_until (has_frames_or_error, &viewer));
  g_assert_no_error (viewer.error);
  g_assert_true (viewer.connected);
  g_assert_cmpint (g_atomic_int_get (&viewer.frames), >=, 10);
  g_assert_cmpstr (ps_p2p_session_get_transport (viewer.session), ==, "ice-host");
  g_assert_cmpstr (ps_p2p_session_get_remote_address (viewer.session, NULL), ==, "127.0.0.1");
  g_assert_cmpuint (ps_p2p_publisher_get_n_sessions (publisher), ==, 1);
  g_test_message ("10 frames %.0f ms after the session started",
                  (g_get_monotonic_time () - start) / 1000.0);

  viewer_clear (&viewer);
  ps_p2p_publisher_stop (publisher);
}

static void
test_unknown_device (void)
{
  g_autofree char *path = g_build_filename (tmp, "camera.pem", NULL);
  g_autofree char *other_path = g_build_filename (tmp, "other.pem", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PsP2pIdentity) camera = ps_p2p_identity_load_or_create (path, &error);
  g_autoptr(PsP2pIdentity) other = ps_p2p_identity_load_or_create (other_path, &error);
  g_autoptr(PsP2pPublisher) publisher = NULL;
  Viewer viewer = { NULL };

  g_assert_no_error (error);

  /* another camera is online; the one the viewer paired is not */
  publisher = publish (other);
  viewer_start (&viewer, ps_p2p_identity_get_device_id (camera), TOKEN);
  g_assert_true (wait_until (has_error, &viewer));
  g_assert_error (viewer.error, PS_STREAM_ERROR, PS_STREAM_ERROR_NOT_FOUND);
  g_assert_cmpint (g_atomic_int_get (&viewer.frames), ==, 0);
  g_assert_cmpuint (ps_p2p_publisher_get_n_sessions (publisher), ==, 0);
  viewer_clear (&viewer);
  ps_p2p_publisher_stop (publisher);
}

/* A rendezvous server that swaps the camera's fingerprint in its offer:
 * refused at the offer, before any packet */
static void
test_swapped_fingerprint (void)
{
  g_autofree char *path = g_build_filename (tmp, "camera.pem", NULL);
  g_autofree char *impostor_path = g_build_filename (tmp, "impostor.pem", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PsP2pIdentity) camera = ps_p2p_identity_load_or_create (path, &error);
  g_autoptr(PsP2pIdentity) impostor = ps_p2p_identity_load_or_create (impostor_path, &error);
  g_autofree char *camera_fp = fingerprint_of (camera);
  g_autofree char *impostor_fp = fingerprint_of (impostor);
  g_autoptr(PsP2pPublisher) publisher = NULL;
  PsTestHostileRendezvous *hostile = ps_test_hostile_rendezvous_new (rendezvous_url);
  Viewer viewer = { NULL };

  g_assert_no_error (error);
  ps_test_hostile_rendezvous_replace (hostile, camera_fp, impostor_fp);

  publisher = publish (camera);
  viewer_start_via (&viewer, ps_test_hostile_rendezvous_get_url (hostile),
                    ps_p2p_identity_get_device_id (camera), TOKEN);
  g_assert_true (wait_until (has_error, &viewer));
  g_assert_error (viewer.error, PS_STREAM_ERROR, PS_STREAM_ERROR_IDENTITY);
  g_assert_cmpuint (ps_test_hostile_rendezvous_get_rewritten (hostile), >=, 1);
  g_assert_false (viewer.connected);
  g_assert_cmpint (g_atomic_int_get (&viewer.frames), ==, 0);

  viewer_clear (&viewer);
  ps_p2p_publisher_stop (publisher);
  ps_test_hostile_rendezvous_free (hostile);
}

/* An impostor camera, and a rendezvous server that makes it look like the
 * paired camera everywhere it can (its device id in the listing, the
 * fingerprint in its offer): the DTLS handshake still shows the impostor's
 * certificate, and not one decoded frame gets through */
static void
test_impostor (void)
{
  g_autofree char *path = g_build_filename (tmp, "camera.pem", NULL);
  g_autofree char *impostor_path = g_build_filename (tmp, "impostor.pem", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PsP2pIdentity) camera = ps_p2p_identity_load_or_create (path, &error);
  g_autoptr(PsP2pIdentity) impostor = ps_p2p_identity_load_or_create (impostor_path, &error);
  g_autofree char *camera_fp = fingerprint_of (camera);
  g_autofree char *impostor_fp = fingerprint_of (impostor);
  g_autoptr(PsP2pPublisher) publisher = NULL;
  PsTestHostileRendezvous *hostile = ps_test_hostile_rendezvous_new (rendezvous_url);
  Viewer viewer = { NULL };

  g_assert_no_error (error);
  ps_test_hostile_rendezvous_replace (hostile, impostor_fp, camera_fp);
  ps_test_hostile_rendezvous_replace (hostile, ps_p2p_identity_get_device_id (impostor),
                                      ps_p2p_identity_get_device_id (camera));

  publisher = publish_via (impostor, ps_test_hostile_rendezvous_get_url (hostile));
  viewer_start_via (&viewer, ps_test_hostile_rendezvous_get_url (hostile),
                    ps_p2p_identity_get_device_id (camera), TOKEN);
  g_assert_true (wait_until (has_error, &viewer));
  g_assert_error (viewer.error, PS_STREAM_ERROR, PS_STREAM_ERROR_IDENTITY);
  g_test_message ("refused: %s", viewer.error->message);
  g_assert_nonnull (strstr (viewer.error->message, "DTLS"));
  /* a few more moments: still nothing decoded */
  {
    gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC / 2;

    while (g_get_monotonic_time () < until)
      g_main_context_iteration (NULL, FALSE);
  }
  g_assert_cmpint (g_atomic_int_get (&viewer.frames), ==, 0);

  viewer_clear (&viewer);
  ps_p2p_publisher_stop (publisher);
  ps_test_hostile_rendezvous_free (hostile);
}

static void
test_wrong_token (void)
{
  Viewer viewer = { NULL };

  viewer_start (&viewer, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                "not-the-account-token-at-all");
  g_assert_true (wait_until (has_error, &viewer));
  g_assert_error (viewer.error, PS_STREAM_ERROR, PS_STREAM_ERROR_AUTH);
  viewer_clear (&viewer);
}

/* the server goes when the test goes, even when an assertion aborts it */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
start_rendezvous (void)
{
  g_autofree char *tokens = g_build_filename (tmp, "tokens", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  const char *binary = g_getenv ("PS_RENDEZVOUS");
  const char *start;

  g_assert_nonnull (binary);
  g_assert_true (g_file_set_contents (tokens, "home " TOKEN "\n", -1, NULL));
  g_chmod (tokens, 0600);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  rendezvous = g_subprocess_launcher_spawn (launcher, &error, binary, "--listen", "127.0.0.1:0",
                                            "--token-file", tokens, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (rendezvous));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  start = strstr (line, "ws://");
  g_assert_nonnull (start);
  rendezvous_url = g_strndup (start, strcspn (start, "\""));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  if (gst_element_factory_find ("webrtcbin") == NULL ||
      gst_element_factory_find ("x264enc") == NULL)
    {
      g_print ("1..0 # SKIP webrtcbin or x264enc is missing\n");
      return 77;
    }

  tmp = g_dir_make_tmp ("peerscope-p2p-XXXXXX", &error);
  g_assert_no_error (error);
  start_rendezvous ();

  g_test_add_func ("/p2p-session/host-pair", test_host_pair);
  g_test_add_func ("/p2p-session/unknown-device", test_unknown_device);
  g_test_add_func ("/p2p-session/wrong-token", test_wrong_token);
  g_test_add_func ("/p2p-session/swapped-fingerprint", test_swapped_fingerprint);
  g_test_add_func ("/p2p-session/impostor", test_impostor);
  status = g_test_run ();

  g_subprocess_send_signal (rendezvous, SIGTERM);
  g_subprocess_wait (rendezvous, NULL, NULL);
  g_clear_object (&rendezvous);
  {
    g_autoptr(GDir) dir = g_dir_open (tmp, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (tmp, name, NULL);

        g_remove (child);
      }
  }
  g_rmdir (tmp);

  return status;
}
