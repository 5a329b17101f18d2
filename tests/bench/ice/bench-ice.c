/* bench-ice.c: ICE connect time and time to first frame over P2P, Peerscope
 * against two stock webrtcbins
 *
 *   ninja -C _build tests/bench/ice/bench-ice app/daemons/peerscope-rendezvous
 *   _build/tests/bench/ice/bench-ice [--runs 20] [--cells host,relay] [--verbose]
 *
 * A benchmark, not a test: it prints figures and exits 0 whatever they are
 * (1 only when it cannot run at all).
 *
 * Each run is one fresh session, camera to viewer, on 127.0.0.1, from the
 * same H.264 source (videotestsrc ! x264enc tune=zerolatency
 * speed-preset=ultrafast key-int-max=30, 640x360 at 30 fps, then h264parse
 * ! rtph264pay set as PsP2pPublisher sets them) to the same decoder
 * (webrtcbin's source pad -> decodebin -> fakesink), each side in a
 * pipeline of its own, all new for the run.  Times run from the start of
 * the session (before any of its elements exists) to
 *   camera the camera side makes its source (the baseline at once; the
 *          Peerscope camera when startSession reaches it),
 *   offer  the viewer's webrtcbin holds the camera's offer,
 *   ICE    the viewer's webrtcbin reports ICE connected,
 *   DTLS   the viewer's DTLS handshake completed,
 *   pad    the viewer's webrtcbin adds its source pad (first SRTP packet
 *          decrypted and out of the jitter buffer),
 *   frame  the first decoded frame reaches the fakesink.
 * The same points are watched the same way on both contenders, and a run
 * counts only if the viewer's selected pair is host/host (relay/relay in
 * the relay cell).
 *
 *   peerscope  PsP2pSession (viewer) asks PsP2pPublisher (camera, online
 *              on the rendezvous server the whole time) for a session
 *              through a real peerscope-rendezvous on 127.0.0.1: a new
 *              WebSocket connection, list, startSession, then the offer,
 *              the answer and trickled candidates relayed by the server.
 *              Peerscope's own settings (latency 0, 5 ms check pacing, no
 *              UPnP, no TCP candidates, pinned DTLS identity and its check).
 *   baseline   two webrtcbins with stock settings, signalled directly in
 *              this process: offer, answer and candidates are handed over
 *              in the callback that makes them, no server and no hop.  The
 *              only change from stock is the one loopback needs: 127.0.0.1
 *              is added to each ICE agent, which ignores loopback otherwise
 *              (Peerscope does the same through local_addresses).
 *
 * So the baseline pays no rendezvous round trip at all, while Peerscope
 * pays a WebSocket handshake, list and startSession before the camera
 * starts, and relayed hops for the offer, the answer and the candidates;
 * the rendezvous is also one more process to schedule, which makes
 * Peerscope's figures the more sensitive to a loaded machine.
 *
 * Cells: "host" (host candidates on 127.0.0.1) and "relay" (ICE policy
 * relay on both sides through a coturn this program starts on 127.0.0.1
 * and stops; the baseline uses ice-transport-policy relay and the same
 * TURN server).  Server-reflexive candidates need NATs: the "srflx" cell
 * runs in the lab (bench-ice-lab.sh builds it: the camera behind the home's
 * NAT, the viewer behind another, STUN in between), with the camera side in
 * a helper process in the camera's namespace (bench-ice-lab.c).  Without
 * the lab it is reported as skipped.
 *
 * Runs are interleaved (baseline, peerscope, baseline, ...) so that load on
 * the machine hits both alike, after one warm-up run of each that is not
 * counted (it pays the per-process costs: the default DTLS certificate's
 * RSA key, loading libav).  p50 and p95 are nearest-rank.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "bench-ice.h"
#include "ps-webrtc-promise.h"

#define TURN_USER "u"
#define TURN_PASS "p"
#define SETTLE_MS 150

static int      opt_runs = 20;
static char    *opt_cells = NULL;
static char    *opt_rendezvous = NULL;
static char    *opt_turnserver = NULL;
static double   opt_timeout = 10.0;
static gboolean opt_verbose = FALSE;
static char    *opt_lab_netns = NULL;
static char    *opt_lab_rendezvous = NULL;
static char    *opt_lab_stun = NULL;
static gboolean opt_lab_helper = FALSE;

static char        *tmp_dir;
static char        *rendezvous_url;
static GSubprocess *rendezvous;
static GSubprocess *turnserver;
static GPtrArray   *all_runs;

/* Baseline: two stock webrtcbins, signalled in-process --------------------- */

static void
on_baseline_answer_cb (GstPromise *promise,
                       gpointer    user_data)
{
  Run *run = user_data;
  GstWebRTCSessionDescription *answer = NULL;

  answer = ps_webrtc_promise_take_description (promise, "answer");
  if (answer == NULL)
    {
      run_fail (run, "the viewer's webrtcbin made no answer");
      return;
    }

  g_signal_emit_by_name (run->viewer_webrtc, "set-local-description", answer, NULL);
  g_signal_emit_by_name (run->sender_webrtc, "set-remote-description", answer, NULL);
  gst_webrtc_session_description_free (answer);
}

static void
on_baseline_offer_cb (GstPromise *promise,
                      gpointer    user_data)
{
  Run *run = user_data;
  GstWebRTCSessionDescription *offer = NULL;

  offer = ps_webrtc_promise_take_description (promise, "offer");
  if (offer == NULL)
    {
      run_fail (run, "the camera's webrtcbin made no offer");
      return;
    }

  g_signal_emit_by_name (run->sender_webrtc, "set-local-description", offer, NULL);
  g_signal_emit_by_name (run->viewer_webrtc, "set-remote-description", offer, NULL);
  g_signal_emit_by_name (run->viewer_webrtc, "create-answer", NULL,
                         gst_promise_new_with_change_func (on_baseline_answer_cb, run, NULL));
  gst_webrtc_session_description_free (offer);
}

static void
on_baseline_negotiation_needed_cb (GstElement *webrtc,
                                   gpointer    user_data)
{
  g_signal_emit_by_name (webrtc, "create-offer", NULL,
                         gst_promise_new_with_change_func (on_baseline_offer_cb, user_data, NULL));
}

static void
on_baseline_candidate_cb (GstElement *webrtc,
                          guint       m_line,
                          char       *candidate,
                          gpointer    user_data)
{
  Run *run = user_data;
  GstElement *other = webrtc == run->sender_webrtc ? run->viewer_webrtc : run->sender_webrtc;

  g_signal_emit_by_name (other, "add-ice-candidate", m_line, candidate);
}

/* Stock, but for what loopback needs (ICE skips 127.0.0.1 otherwise) and,
 * in the relay cell, the TURN server and the relay policy */
static void
baseline_configure (Cell       *cell,
                    GstElement *webrtc)
{
  g_autoptr(GObject) agent = NULL;
  gboolean added = FALSE;

  g_object_get (webrtc, "ice-agent", &agent, NULL);
  g_signal_emit_by_name (agent, "add-local-ip-address", "127.0.0.1", &added);
  if (!added)
    g_warning ("the ICE agent refused 127.0.0.1");
  if (cell->turn_url != NULL)
    {
      g_signal_emit_by_name (webrtc, "add-turn-server", cell->turn_url, &added);
      g_object_set (webrtc, "ice-transport-policy", GST_WEBRTC_ICE_TRANSPORT_POLICY_RELAY, NULL);
    }
}

static void
baseline_start (Cell *cell,
                Run  *run)
{
  run->sender = baseline_sender_new (&run->sender_webrtc);
  baseline_configure (cell, run->sender_webrtc);
  g_signal_connect (run->sender_webrtc, "on-negotiation-needed",
                    G_CALLBACK (on_baseline_negotiation_needed_cb), run);
  g_signal_connect (run->sender_webrtc, "on-ice-candidate",
                    G_CALLBACK (on_baseline_candidate_cb), run);

  run->viewer = gst_object_ref_sink (gst_pipeline_new ("viewer"));
  run->viewer_webrtc = gst_object_ref (gst_element_factory_make ("webrtcbin", NULL));
  baseline_configure (cell, run->viewer_webrtc);
  gst_bin_add (GST_BIN (run->viewer), run->viewer_webrtc);
  g_signal_connect (run->viewer_webrtc, "on-ice-candidate",
                    G_CALLBACK (on_baseline_candidate_cb), run);
  watch_viewer (run);

  gst_element_set_state (run->viewer, GST_STATE_PLAYING);
  gst_element_set_state (run->sender, GST_STATE_PLAYING);
}

/* Peerscope: PsP2pSession to PsP2pPublisher through the rendezvous -------- */

static PsP2pConfig *
cell_config (Cell *cell)
{
  PsP2pConfig *config = ps_p2p_config_new (rendezvous_url, TOKEN);
  const char *addresses[] = { "127.0.0.1", NULL };

  /* the lab: the viewer's namespace has one address, and the STUN server */
  if (cell->lab)
    {
      config->stun_server = g_strdup (opt_lab_stun);
      return config;
    }
  config->local_addresses = g_strdupv ((char **) addresses);
  if (cell->turn_url != NULL)
    {
      const char *servers[] = { cell->turn_url, NULL };

      config->turn_servers = g_strdupv ((char **) servers);
      config->ice_policy = PS_ICE_POLICY_RELAY;
    }

  return config;
}

static void
on_session_failed_cb (PsP2pSession *session,
                      const GError *error,
                      gpointer      user_data)
{
  run_fail (user_data, "%s", error->message);
}

static void
peerscope_start (Cell *cell,
                 Run  *run)
{
  g_autoptr(PsP2pConfig) config = cell_config (cell);

  run->session = ps_p2p_session_new (cell->lab ? cell->device_id
                                                : ps_p2p_identity_get_device_id (cell->identity),
                                     config);
  run->viewer = gst_object_ref_sink (gst_pipeline_new ("viewer"));
  run->viewer_webrtc = gst_object_ref (ps_p2p_session_get_element (run->session));
  gst_bin_add (GST_BIN (run->viewer), run->viewer_webrtc);
  watch_viewer (run);
  g_signal_connect (run->session, "failed", G_CALLBACK (on_session_failed_cb), run);
  gst_element_set_state (run->viewer, GST_STATE_PLAYING);
  ps_p2p_session_start (run->session);
}

static void
on_published_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GError **error = user_data;

  if (ps_p2p_publisher_start_finish (PS_P2P_PUBLISHER (object), result, error))
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "published");
}

static gboolean
cell_publish (Cell    *cell,
              GError **error)
{
  g_autoptr(PsP2pConfig) config = cell_config (cell);
  g_autofree char *path = g_strdup_printf ("%s/camera-%s.pem", tmp_dir, cell->name);
  g_autoptr(GError) done = NULL;

  cell->identity = ps_p2p_identity_load_or_create (path, error);
  if (cell->identity == NULL)
    return FALSE;

  cell->publisher = ps_p2p_publisher_new (cell->identity, config, "Bench camera", make_source,
                                          NULL, NULL);
  ps_p2p_publisher_start_async (cell->publisher, NULL, on_published_cb, &done);
  while (done == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (!g_error_matches (done, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      g_propagate_error (error, g_steal_pointer (&done));
      return FALSE;
    }

  return TRUE;
}

/* One run ---------------------------------------------------------------------- */

static gboolean
on_deadline_cb (gpointer user_data)
{
  Run *run = user_data;

  g_mutex_lock (&run->lock);
  run->timed_out = TRUE;
  g_mutex_unlock (&run->lock);

  return G_SOURCE_REMOVE;
}

/* The viewer's selected candidate pair, read the same way for both */
static char *
selected_pair (GstElement *webrtc)
{
  g_autoptr(GstWebRTCRTPTransceiver) transceiver = NULL;
  g_autoptr(GstWebRTCRTPReceiver) receiver = NULL;
  g_autoptr(GObject) dtls = NULL;
  g_autoptr(GObject) ice = NULL;
  g_autoptr(GstWebRTCICE) agent = NULL;
  g_autoptr(GstWebRTCICEStream) stream = NULL;
  GstWebRTCICECandidateStats *local = NULL;
  GstWebRTCICECandidateStats *remote = NULL;
  char *pair;

  g_signal_emit_by_name (webrtc, "get-transceiver", 0, &transceiver);
  if (transceiver != NULL)
    g_object_get (transceiver, "receiver", &receiver, NULL);
  if (receiver != NULL)
    g_object_get (receiver, "transport", &dtls, NULL);
  if (dtls != NULL)
    g_object_get (dtls, "transport", &ice, NULL);
  if (ice != NULL)
    g_object_get (ice, "stream", &stream, NULL);
  g_object_get (webrtc, "ice-agent", &agent, NULL);
  if (agent == NULL || stream == NULL ||
      !gst_webrtc_ice_get_selected_pair (agent, stream, &local, &remote))
    return g_strdup ("none");

  pair = g_strdup_printf ("%s/%s", local->type, remote->type);
  gst_webrtc_ice_candidate_stats_free (local);
  gst_webrtc_ice_candidate_stats_free (remote);

  return pair;
}

static void
run_stop (Cell *cell,
          Run  *run)
{
  gint64 end;

  if (run->session != NULL)
    ps_p2p_session_stop (run->session);
  if (run->sender != NULL)
    gst_element_set_state (run->sender, GST_STATE_NULL);
  gst_element_set_state (run->viewer, GST_STATE_NULL);
  gst_clear_object (&run->sender);
  gst_clear_object (&run->sender_webrtc);
  gst_clear_object (&run->viewer);
  gst_clear_object (&run->viewer_webrtc);
  g_clear_object (&run->session);

  /* the camera hears endSession and drops its pipeline; then a pause, the
   * same for both, so that one run's teardown does not land in the next */
  end = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  if (cell->lab)
    lab_run_stop (run);
  while (!cell->lab && ps_p2p_publisher_get_n_sessions (cell->publisher) > 0 &&
         g_get_monotonic_time () < end)
    spin_ms (5);
  spin_ms (SETTLE_MS);
}

static Run *
run_once (Cell      *cell,
          Contender  contender)
{
  Run *run = g_new0 (Run, 1);
  guint deadline;

  g_mutex_init (&run->lock);
  g_ptr_array_add (all_runs, run);
  current_run = run;

  deadline = g_timeout_add ((guint) (opt_timeout * 1000), on_deadline_cb, run);
  run->t0 = g_get_monotonic_time ();
  if (contender == CONTENDER_BASELINE)
    {
      if (cell->lab)
        lab_baseline_start (cell, run, opt_lab_stun);
      else
        baseline_start (cell, run);
    }
  else
    peerscope_start (cell, run);

  while (!run_is_done (run))
    g_main_context_iteration (NULL, TRUE);
  if (!run->timed_out)
    g_source_remove (deadline);
  current_run = NULL;

  if (run->marks[MARK_ICE] != 0)
    {
      const char *want = cell->turn_url != NULL ? "relay/relay" : "host/host";

      run->pair = selected_pair (run->viewer_webrtc);
      /* srflx: through both NATs, a reflexive address on at least one end
       * (the other end may know it only as peer-reflexive) */
      if (cell->lab && (strstr (run->pair, "relay") != NULL ||
                        g_str_equal (run->pair, "host/host") ||
                        (strstr (run->pair, "srflx") == NULL &&
                         strstr (run->pair, "prflx") == NULL)))
        run_fail (run, "the selected pair is %s, not server-reflexive", run->pair);
      else if (!cell->lab && !g_str_equal (run->pair, want))
        run_fail (run, "the selected pair is %s, not %s", run->pair, want);
    }

  run_stop (cell, run);
  return run;
}

static void
print_run (Cell      *cell,
           Contender  contender,
           int        index,
           Run       *run)
{
  g_autoptr(GString) line = g_string_new (NULL);

  g_string_append_printf (line, "  %-5s %-9s %s", cell->name, contender_names[contender],
                          index < 0 ? "warm-up" : "");
  if (index >= 0)
    g_string_append_printf (line, "#%-6d", index + 1);
  for (Mark m = 0; m < N_MARKS; m++)
    g_string_append_printf (line, " %s %7.1f", mark_names[m], run_ms (run, m));
  if (run->error != NULL || run->timed_out)
    g_string_append_printf (line, "  FAILED: %s", run->error != NULL ? run->error : "timed out");
  g_print ("%s\n", line->str);
}

static void
cell_run (Cell *cell)
{
  for (int i = -1; i < opt_runs; i++)
    for (Contender c = 0; c < N_CONTENDERS; c++)
      {
        Run *run = run_once (cell, c);
        gboolean ok = run->marks[MARK_FRAME] != 0 && run->marks[MARK_ICE] != 0 &&
                      run->error == NULL;

        if (opt_verbose)
          print_run (cell, c, i, run);
        if (i < 0)
          continue;   /* the warm-up counts for nothing */
        if (!ok)
          {
            cell->failed[c]++;
            if (!opt_verbose)
              print_run (cell, c, i, run);
            continue;
          }
        cell->ok[c]++;
        for (Mark m = 0; m < N_MARKS; m++)
          {
            double before = m > 0 ? run_ms (run, m - 1) : 0;

            if (!isnan (run_ms (run, m)))
              ps_percentiles_add (cell->marks[c][m], run_ms (run, m));
            if (!isnan (run_ms (run, m)) && !isnan (before))
              ps_percentiles_add (cell->steps[c][m], run_ms (run, m) - before);
          }
      }
}

/* Servers ---------------------------------------------------------------------- */

/* they go when we go, even when we crash */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static gboolean
start_rendezvous (GError **error)
{
  g_autofree char *tokens = g_build_filename (tmp_dir, "tokens", NULL);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  const char *start;

  if (!g_file_set_contents (tokens, "bench " TOKEN "\n", -1, error))
    return FALSE;
  g_chmod (tokens, 0600);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  rendezvous = g_subprocess_launcher_spawn (launcher, error, opt_rendezvous, "--listen",
                                            "127.0.0.1:0", "--token-file", tokens, NULL);
  if (rendezvous == NULL)
    return FALSE;

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (rendezvous));
  line = g_data_input_stream_read_line (out, NULL, NULL, error);
  if (line == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s printed nothing", opt_rendezvous);
      return FALSE;
    }
  start = strstr (line, "ws://");
  if (start == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s printed %s", opt_rendezvous, line);
      return FALSE;
    }
  rendezvous_url = g_strndup (start, strcspn (start, "\""));

  return TRUE;
}

static guint16
free_port (void)
{
  g_autoptr(GSocket) udp = NULL;
  g_autoptr(GSocket) tcp = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);

  /* a port free for both UDP and TCP (coturn listens on both) */
  for (guint attempt = 0; attempt < 20; attempt++)
    {
      g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
      g_autoptr(GSocketAddress) bound = NULL;
      g_autoptr(GSocketAddress) same = NULL;
      guint16 port;

      g_clear_object (&udp);
      g_clear_object (&tcp);
      udp = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP,
                          NULL);
      if (udp == NULL || !g_socket_bind (udp, any, FALSE, NULL))
        continue;
      bound = g_socket_get_local_address (udp, NULL);
      port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
      tcp = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                          NULL);
      same = g_inet_socket_address_new (loopback, port);
      if (tcp != NULL && g_socket_bind (tcp, same, FALSE, NULL))
        return port;
    }

  return 0;
}

static gboolean
start_turnserver (guint16  *port_out,
                  GError  **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *pidfile = g_build_filename (tmp_dir, "turnserver.pid", NULL);
  g_autofree char *userdb = g_build_filename (tmp_dir, "turndb", NULL);
  g_autofree char *port_text = NULL;
  guint16 port = free_port ();
  gint64 end;

  if (port == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "no free port for coturn");
      return FALSE;
    }
  port_text = g_strdup_printf ("%u", port);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  turnserver = g_subprocess_launcher_spawn (launcher, error, opt_turnserver, "-n",
                                            "--listening-ip", "127.0.0.1",
                                            "--relay-ip", "127.0.0.1",
                                            "--listening-port", port_text,
                                            "--allow-loopback-peers", "--no-cli",
                                            "--lt-cred-mech", "--user", TURN_USER ":" TURN_PASS,
                                            "--realm", "lab", "--no-tls", "--no-dtls",
                                            "--pidfile", pidfile, "--userdb", userdb,
                                            "--log-file", "stdout", "--simple-log", NULL);
  if (turnserver == NULL)
    return FALSE;

  /* ready once its TCP listener answers */
  end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end)
    {
      g_autoptr(GSocketClient) client = g_socket_client_new ();
      g_autoptr(GSocketConnection) connection = NULL;

      connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);
      if (connection != NULL)
        {
          *port_out = port;
          return TRUE;
        }
      if (g_subprocess_get_identifier (turnserver) == NULL)
        break;   /* it exited */
      g_usleep (20000);
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "coturn did not start on port %u", port);
  return FALSE;
}

static void
stop_subprocess (GSubprocess **process)
{
  if (*process == NULL)
    return;
  /* our own child, by its pid */
  g_subprocess_send_signal (*process, SIGTERM);
  g_subprocess_wait (*process, NULL, NULL);
  g_clear_object (process);
}

/* Report ----------------------------------------------------------------------- */

static double
ratio (double ours,
       double baseline)
{
  return baseline > 0 && !isnan (ours) && !isnan (baseline) ? ours / baseline : NAN;
}

static void
print_cell (Cell *cell)
{
  PsPercentiles *(*m)[N_MARKS] = cell->marks;

  g_print ("\n%s cell: ms from session start, p50 / p95 over the runs that showed a frame\n",
           cell->name);
  g_print ("  %-10s %5s", "contender", "ok");
  for (Mark k = 0; k < N_MARKS; k++)
    g_print (" %14s", mark_names[k]);
  g_print ("\n");
  for (Contender c = 0; c < N_CONTENDERS; c++)
    {
      g_print ("  %-10s %2u/%-2u", contender_names[c], cell->ok[c], cell->ok[c] + cell->failed[c]);
      for (Mark k = 0; k < N_MARKS; k++)
        g_print (" %6.0f /%6.0f", ps_percentiles_get (m[c][k], 50),
                 ps_percentiles_get (m[c][k], 95));
      g_print ("\n");
    }
  g_print ("  %-10s %5s %14s", "ours/base", "", "");
  for (Mark k = MARK_CAMERA + 1; k < N_MARKS; k++)
    g_print (" %6.2f /%6.2f",
             ratio (ps_percentiles_get (m[CONTENDER_PEERSCOPE][k], 50),
                    ps_percentiles_get (m[CONTENDER_BASELINE][k], 50)),
             ratio (ps_percentiles_get (m[CONTENDER_PEERSCOPE][k], 95),
                    ps_percentiles_get (m[CONTENDER_BASELINE][k], 95)));
  g_print ("\n  where the time goes, p50 of each step (ms):\n"
           "  %-10s       %14s %14s %14s %14s %14s %14s\n", "", "start>camera", "camera>offer",
           "offer>ICE", "ICE>DTLS", "DTLS>pad", "pad>frame");
  for (Contender c = 0; c < N_CONTENDERS; c++)
    {
      g_print ("  %-10s      ", contender_names[c]);
      for (Mark k = 0; k < N_MARKS; k++)
        g_print (" %14.1f", ps_percentiles_get (cell->steps[c][k], 50));
      g_print ("\n");
    }
}

static void
json_number (GString    *json,
             const char *format,
             double      value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (isnan (value))
    g_string_append (json, "null");
  else
    g_string_append (json, g_ascii_formatd (buffer, sizeof buffer, format, value));
}

/* One line: {"bench":"ice","runs":N,"cells":{"host":{"baseline":{"ok":N,"failed":N,
 * "ice_ms":{"p50":X,"p95":X},...},"peerscope":{...},"ratio":{"ice_p50":R,...}},...},
 * "skipped":{"srflx":"..."}} */
static char *
report_json (Cell  **cells,
             guint   n_cells)
{
  const char *keys[N_MARKS] = { "camera", "offer", "ice", "dtls", "pad", "frame" };
  const Mark ratios[] = { MARK_ICE, MARK_FRAME };
  const double percents[] = { 50, 95 };
  GString *json = g_string_new (NULL);

  g_string_append_printf (json, "{\"bench\":\"ice\",\"runs\":%d,\"cells\":{", opt_runs);
  for (guint i = 0; i < n_cells; i++)
    {
      Cell *cell = cells[i];

      g_string_append_printf (json, "%s\"%s\":{", i > 0 ? "," : "", cell->name);
      for (Contender c = 0; c < N_CONTENDERS; c++)
        {
          g_string_append_printf (json, "\"%s\":{\"ok\":%u,\"failed\":%u", contender_names[c],
                                  cell->ok[c], cell->failed[c]);
          for (Mark k = 0; k < N_MARKS; k++)
            {
              g_string_append_printf (json, ",\"%s_ms\":{\"p50\":", keys[k]);
              json_number (json, "%.1f", ps_percentiles_get (cell->marks[c][k], 50));
              g_string_append (json, ",\"p95\":");
              json_number (json, "%.1f", ps_percentiles_get (cell->marks[c][k], 95));
              g_string_append (json, "}");
            }
          g_string_append (json, "},");
        }
      g_string_append (json, "\"ratio\":{");
      for (guint r = 0; r < G_N_ELEMENTS (ratios); r++)
        for (guint p = 0; p < G_N_ELEMENTS (percents); p++)
          {
            g_string_append_printf (json, "%s\"%s_p%.0f\":", r + p > 0 ? "," : "",
                                    keys[ratios[r]], percents[p]);
            json_number (json, "%.2f",
                         ratio (ps_percentiles_get (cell->marks[CONTENDER_PEERSCOPE][ratios[r]],
                                                    percents[p]),
                                ps_percentiles_get (cell->marks[CONTENDER_BASELINE][ratios[r]],
                                                    percents[p])));
          }
      g_string_append (json, "}}");
    }
  g_string_append (json, "}");
  if (n_cells > 0 && !cells[0]->lab)
    g_string_append (json, ",\"skipped\":{\"srflx\":\"needs NATs: bench-ice-lab.sh\"}");
  g_string_append (json, "}");

  return g_string_free (json, FALSE);
}

/* Main ----------------------------------------------------------------------------- */

/* webrtcbin 1.22 drops its ICE agents without nice_agent_close_async(), so
 * libnice warns about live TURN refreshes after each relayed run: noise */
static void
on_nice_log_cb (const char     *domain,
                GLogLevelFlags  level,
                const char     *message,
                gpointer        user_data)
{
  if (strstr (message, "alive TURN refreshes") != NULL)
    return;
  g_log_default_handler (domain, level, message, user_data);
}

static Cell *
cell_new (const char *name)
{
  Cell *cell = g_new0 (Cell, 1);

  cell->name = name;
  for (Contender c = 0; c < N_CONTENDERS; c++)
    for (Mark m = 0; m < N_MARKS; m++)
      {
        cell->marks[c][m] = ps_percentiles_new (MAX (opt_runs, 1));
        cell->steps[c][m] = ps_percentiles_new (MAX (opt_runs, 1));
      }

  return cell;
}

static void
cell_free (Cell *cell)
{
  if (cell->publisher != NULL)
    ps_p2p_publisher_stop (cell->publisher);
  g_clear_object (&cell->publisher);
  g_clear_pointer (&cell->identity, ps_p2p_identity_unref);
  for (Contender c = 0; c < N_CONTENDERS; c++)
    for (Mark m = 0; m < N_MARKS; m++)
      {
        ps_percentiles_free (cell->marks[c][m]);
        ps_percentiles_free (cell->steps[c][m]);
      }
  g_free (cell->turn_url);
  g_free (cell->device_id);
  g_free (cell);
}

static void
remove_tmp_dir (void)
{
  g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (tmp_dir, name, NULL);

      g_remove (child);
    }
  g_rmdir (tmp_dir);
}

/* The srflx cell, in the lab's second home; the camera in opt_lab_netns */
static int
lab_main (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  Cell *cell;

  if (opt_lab_rendezvous == NULL || opt_lab_stun == NULL)
    {
      g_printerr ("bench-ice: --lab-netns needs --lab-rendezvous and --lab-stun\n");
      return 1;
    }
  rendezvous_url = g_strdup (opt_lab_rendezvous);
  all_runs = g_ptr_array_new ();
  cell = cell_new ("srflx");
  cell->lab = TRUE;
  if (!lab_camera_start (cell, opt_lab_netns, opt_lab_rendezvous, opt_lab_stun, &error))
    {
      g_printerr ("bench-ice: %s\n", error->message);
      lab_camera_stop ();
      cell_free (cell);
      return 1;
    }

  g_print ("srflx cell: %d runs of each contender, interleaved, after one warm-up each "
           "(the camera in %s, STUN %s)\n", opt_runs, opt_lab_netns, opt_lab_stun);
  cell_run (cell);
  g_print ("\nICE connect and first frame over P2P across two NATs (ms from session start)\n"
           "  baseline:  two stock webrtcbins with the lab's STUN server, offer/answer/"
           "candidates handed over through a pipe (no server)\n"
           "  peerscope: PsP2pSession <-> PsP2pPublisher through the lab's "
           "peerscope-rendezvous\n");
  print_cell (cell);
  json = report_json (&cell, 1);
  g_print ("%s\n", json);

  lab_camera_stop ();
  cell_free (cell);
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  GOptionEntry entries[] = {
    { "runs", 0, 0, G_OPTION_ARG_INT, &opt_runs, "Counted runs of each contender (20)", "N" },
    { "cells", 0, 0, G_OPTION_ARG_STRING, &opt_cells, "host, relay or both (host,relay)",
      "LIST" },
    { "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &opt_timeout, "Seconds before a run fails (10)",
      "S" },
    { "rendezvous", 0, 0, G_OPTION_ARG_FILENAME, &opt_rendezvous,
      "The peerscope-rendezvous program", "PATH" },
    { "turnserver", 0, 0, G_OPTION_ARG_FILENAME, &opt_turnserver,
      "coturn's turnserver (turnserver)", "PATH" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose, "Print every run", NULL },
    { "lab-netns", 0, 0, G_OPTION_ARG_STRING, &opt_lab_netns,
      "The srflx cell: the camera runs in this network namespace (see bench-ice-lab.sh)",
      "NAME" },
    { "lab-rendezvous", 0, 0, G_OPTION_ARG_STRING, &opt_lab_rendezvous,
      "The lab's peerscope-rendezvous (srflx cell)", "URL" },
    { "lab-stun", 0, 0, G_OPTION_ARG_STRING, &opt_lab_stun, "The lab's STUN server (srflx cell)",
      "URL" },
    { "lab-helper", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &opt_lab_helper,
      "(internal) the camera's side of the srflx cell", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- ICE connect and first frame");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) cell_names = NULL;
  g_autofree char *json = NULL;
  Cell *cells[2];
  guint n_cells = 0;
  int status = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, gst_init_get_option_group ());
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-ice: %s\n", error->message);
      return 1;
    }
  if (opt_runs < 1)
    opt_runs = 1;
  if (opt_rendezvous == NULL)
    opt_rendezvous = g_strdup (g_getenv ("PS_RENDEZVOUS") != NULL ? g_getenv ("PS_RENDEZVOUS")
                                                                 : PS_BENCH_RENDEZVOUS);
  if (opt_turnserver == NULL)
    opt_turnserver = g_strdup ("turnserver");
  cell_names = g_strsplit (opt_cells != NULL ? opt_cells : "host,relay", ",", -1);

  gst_init (&argc, &argv);
  g_log_set_handler ("libnice", G_LOG_LEVEL_WARNING, on_nice_log_cb, NULL);
  if (opt_lab_helper)
    return lab_helper_main (opt_lab_rendezvous, opt_lab_stun);
  if (opt_lab_netns != NULL)
    return lab_main ();
  if (gst_element_factory_find ("webrtcbin") == NULL ||
      gst_element_factory_find ("x264enc") == NULL)
    {
      g_printerr ("bench-ice: webrtcbin or x264enc is missing (gstreamer1.0-plugins-bad, -ugly, "
                  "gstreamer1.0-nice)\n");
      return 1;
    }
  if (!g_file_test (opt_rendezvous, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_printerr ("bench-ice: %s is missing: ninja -C BUILD app/daemons/peerscope-rendezvous\n",
                  opt_rendezvous);
      return 1;
    }

  tmp_dir = g_dir_make_tmp ("peerscope-bench-ice-XXXXXX", &error);
  if (tmp_dir == NULL || !start_rendezvous (&error))
    {
      g_printerr ("bench-ice: %s\n", error->message);
      return 1;
    }
  all_runs = g_ptr_array_new ();

  for (guint i = 0; cell_names[i] != NULL && n_cells < G_N_ELEMENTS (cells); i++)
    {
      Cell *cell;

      if (g_str_equal (cell_names[i], "host"))
        cell = cell_new ("host");
      else if (g_str_equal (cell_names[i], "relay"))
        {
          guint16 port = 0;
          g_autofree char *path = g_find_program_in_path (opt_turnserver);

          if (path == NULL)
            {
              g_print ("relay cell skipped: %s is missing (Debian: apt install coturn)\n",
                       opt_turnserver);
              continue;
            }
          if (turnserver == NULL && !start_turnserver (&port, &error))
            {
              g_print ("relay cell skipped: %s\n", error->message);
              g_clear_error (&error);
              stop_subprocess (&turnserver);
              continue;
            }
          cell = cell_new ("relay");
          cell->turn_url = g_strdup_printf ("turn://%s:%s@127.0.0.1:%u", TURN_USER, TURN_PASS,
                                            port);
        }
      else
        {
          g_printerr ("bench-ice: unknown cell %s (host, relay; srflx needs the lab's NATs)\n",
                      cell_names[i]);
          status = 1;
          break;
        }

      if (!cell_publish (cell, &error))
        {
          g_printerr ("bench-ice: the %s camera cannot publish: %s\n", cell->name,
                      error->message);
          cell_free (cell);
          status = 1;
          break;
        }
      g_print ("%s cell: %d runs of each contender, interleaved, after one warm-up each%s\n",
               cell->name, opt_runs, cell->turn_url != NULL ? " (coturn on 127.0.0.1)" : "");
      cell_run (cell);
      /* the other camera is offline while a cell runs */
      ps_p2p_publisher_stop (cell->publisher);
      cells[n_cells++] = cell;
    }

  if (n_cells > 0)
    {
      g_print ("\nICE connect and first frame over P2P on 127.0.0.1 (ms from session start)\n"
               "  baseline:  two stock webrtcbins, offer/answer/candidates handed over "
               "in-process (no server)\n"
               "  peerscope: PsP2pSession <-> PsP2pPublisher through peerscope-rendezvous "
               "(WebSocket connect, list, startSession, relayed offer/answer/candidates)\n");
      for (guint i = 0; i < n_cells; i++)
        print_cell (cells[i]);
      g_print ("\nsrflx: skipped (needs NATs: run bench-ice-lab.sh as root)\n");
      json = report_json (cells, n_cells);
      g_print ("%s\n", json);
    }

  for (guint i = 0; i < n_cells; i++)
    cell_free (cells[i]);
  stop_subprocess (&turnserver);
  stop_subprocess (&rendezvous);
  remove_tmp_dir ();

  return status;
}
